"""Generated backward vs autograd through the unrolled forward (torch, float32 CPU).

The torch backend wraps products in an ``autograd.Function`` whose backward is two
generated bilinear ops; this compares it with letting autograd differentiate the
unrolled forward (the module's private ``_<op>`` function), eager and compiled. In eager
mode, large CPU batches are by default sent to the generated Numba kernels
(``codegen.cpu_dispatch``); the "Numba" column is that default, the "generated" column the
torch kernel alone.

    python benchmarks/bench_backward.py [--n 100000]
"""

from __future__ import annotations

import argparse
import sys

import torch

from symgen import CliffordAlgebra
from symgen.timing import median_time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"geometric product fwd+bwd, batch {args.n}, float32, median of {args.repeats} (ms)")
    print(f"{'algebra':10} {'autograd':>9} {'generated':>9} {'ratio':>6} {'Numba':>9} {'gen/Numba':>9} | "
          f"{'autograd':>9} {'generated':>9} {'ratio':>6}   (eager | torch.compile)")
    for sig in [(3, 0, 0), (1, 3, 0), (3, 0, 1)]:
        alg = CliffordAlgebra.from_signature(*sig)
        alg.prepare(["geometric_product"])
        kernel = alg._kernels[("geometric_product", None, "torch")]
        module = sys.modules[kernel.fn.__module__]
        autograd_fn = getattr(module, "_geometric_product")
        torch_fn = kernel.fn.__wrapped__          # the generated torch kernel, no Numba dispatch
        a = torch.randn(args.n, alg.dim, requires_grad=True)
        b = torch.randn(args.n, alg.dim, requires_grad=True)
        cells = []
        for mode in ("eager", "compiled"):
            fns = (autograd_fn, torch_fn) + ((kernel.fn,) if mode == "eager" else ())
            times = []
            for fn in fns:
                f = torch.compile(fn, fullgraph=True) if mode == "compiled" else fn
                times.append(median_time(lambda: f(a, b).square().sum().backward(), args.repeats, 2))
            cell = f"{1e3 * times[0]:9.1f} {1e3 * times[1]:9.1f} {times[0] / times[1]:5.2f}x"
            if len(times) == 3:
                cell += f" {1e3 * times[2]:9.1f} {times[1] / times[2]:8.2f}x"
            cells.append(cell)
        print(f"{str(alg):10} " + " | ".join(cells))


if __name__ == "__main__":
    main()
