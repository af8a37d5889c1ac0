"""First call of an op in a new process: cold (empty cache) and warm (cache filled by one
earlier process), per op, backend and algebra size.

Each cell is one fresh ``python -c`` subprocess with its own ``SYMGEN_CACHE``; it times
``import symgen``, then (after ``import torch`` where used, not counted) building the
algebra and the first forward (+ backward for torch) of the op on a batch of random
multivectors. The cold process, once timed, waits for the runtime's background Numba
compile, so the warm process finds what a user's second run finds.

    python benchmarks/bench_first_call.py [--batch 4096] [--dtype float32] [--n 3 4 5 6]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import symgen
t_import = time.perf_counter() - t0
import numpy as np
n, op, backend, dtype, batch = {n}, {op!r}, {backend!r}, {dtype!r}, {batch}
if backend == "torch":
    import torch
rng = np.random.default_rng(0)
t0 = time.perf_counter()
alg = symgen.CliffordAlgebra.from_signature(n)
a = rng.standard_normal((batch, alg.dim)).astype(dtype)
b = rng.standard_normal((batch, alg.dim)).astype(dtype)
args = (a, b) if op != "reverse" else (a,)
if backend == "torch":
    args = [torch.from_numpy(x).requires_grad_() for x in args]
out = getattr(alg, op)(*args)
t_fwd = time.perf_counter() - t0
if backend == "torch":
    out.square().sum().backward()
t_total = time.perf_counter() - t0
ran = alg.explain(op, *args)
alg.kernel(op, like=args[0])               # let the background compile finish: fills the cache
print(json.dumps(dict(t_import=t_import, t_fwd=t_fwd, t_total=t_total, ran=ran)))
"""


def measure(cache: str, **cell) -> dict:
    env = dict(os.environ, SYMGEN_CACHE=cache)
    proc = subprocess.run([sys.executable, "-c", CHILD.format(**cell)], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    parser.add_argument("--n", type=int, nargs="+", default=[3, 4, 5, 6])
    args = parser.parse_args(argv)
    print(f"first call in a new process, Cl(n,0,0), batch {args.batch}, {args.dtype}; seconds "
          f"(import symgen | first op call: torch forward + backward, numpy forward)")
    print(f"{'op':18} {'backend':7} {'n':>2} | {'cold import':>11} {'cold call':>9} | "
          f"{'warm import':>11} {'warm call':>9} | what ran first (cold)")
    for op in ("geometric_product", "reverse"):
        for backend in ("numpy", "torch"):
            for n in args.n:
                cell = dict(n=n, op=op, backend=backend, dtype=args.dtype, batch=args.batch)
                with tempfile.TemporaryDirectory() as cache:
                    cold, warm = measure(cache, **cell), measure(cache, **cell)
                print(f"{op:18} {backend:7} {n:>2} | {cold['t_import']:11.2f} {cold['t_total']:9.2f} | "
                      f"{warm['t_import']:11.2f} {warm['t_total']:9.2f} | {cold['ran']}", flush=True)


if __name__ == "__main__":
    main()
