"""Generated backward vs autograd through the unrolled forward (torch, float32 CPU).

The runtime wraps torch products in an ``autograd.Function`` whose backward is two
generated bilinear ops; this compares it with letting autograd differentiate the
unrolled forward kernel, eager and compiled. In eager mode, large CPU batches run the
generated Numba kernels by default (``codegen.runtime``, ``backend="auto"``); the "Numba"
column is that default, the "generated" column ``backend="torch"``.

    python benchmarks/bench_backward.py [--n 100000]
"""

from __future__ import annotations

import argparse

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
        alg.prepare(["geometric_product"], backend="numba")
        autograd_fn = alg.kernel("geometric_product", backend="torch").fn   # plain forward kernel

        def torch_fn(a, b):
            return alg.geometric_product(a, b, backend="torch")

        def auto_fn(a, b):
            return alg.geometric_product(a, b)
        a = torch.randn(args.n, alg.dim, requires_grad=True)
        b = torch.randn(args.n, alg.dim, requires_grad=True)
        cells = []
        for mode in ("eager", "compiled"):
            fns = (autograd_fn, torch_fn) + ((auto_fn,) if mode == "eager" else ())
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
