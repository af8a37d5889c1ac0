"""Unrolled vs table-driven kernels: compile time and run time by term count.

Picks the default ``UNROLL_MAX_TERMS`` of both backends. Each compile runs in a
fresh cache directory, so compile times are cold.

    python benchmarks/bench_strategies.py [--n 20000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import torch

from symgen import CliffordAlgebra, codegen
from symgen.timing import median_time




def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--dims", type=int, nargs="+", default=[3, 4, 5, 6])
    args = parser.parse_args(argv)
    print(f"geometric product of Cl(n,0), batch {args.n}, float64; times: compile+first call | run")
    print(f"{'n':>2} {'terms':>6} | {'numba unrolled':>22} {'numba table':>22} | "
          f"{'torch unrolled':>16} {'torch table':>16}")
    rng = np.random.default_rng(0)
    for n in args.dims:
        alg = CliffordAlgebra.from_signature(n)
        ir = alg.bilinear_ir("geometric_product")
        a, b = rng.standard_normal((2, args.n, alg.dim))
        out = np.empty_like(a)
        cells = []
        for strategy in ("unrolled", "table"):
            with tempfile.TemporaryDirectory() as tmp:
                os.environ["SYMGEN_CACHE"] = tmp
                t0 = time.perf_counter()
                k = codegen.compile(ir, "numba", strategy)
                k(a, b, out)
                first = time.perf_counter() - t0
                run = median_time(lambda: k(a, b, out))
            cells.append(f"{first:8.2f} s | {1e3 * run:7.2f} ms")
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        for strategy in ("unrolled", "table"):
            k = codegen.compile(ir, "torch", strategy)
            cells.append(f"{1e3 * median_time(lambda: k(ta, tb), 3):11.1f} ms")
        print(f"{n:>2} {len(ir.terms):>6} | " + " ".join(cells))


if __name__ == "__main__":
    main()
