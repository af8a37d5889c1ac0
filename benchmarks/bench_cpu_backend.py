"""Eager CPU torch products: the Numba kernel vs the torch kernel, forward + backward.

Decides what ``backend="auto"`` runs for eager CPU float tensors once the Numba kernel is
compiled (``codegen.runtime``). Best of 3 interleaved rounds of medians.

    python benchmarks/bench_cpu_backend.py
"""

from __future__ import annotations

import torch

from symgen import CliffordAlgebra
from symgen.timing import median_time


def main():
    torch.manual_seed(0)
    for sig in [(3, 0, 0), (1, 3, 0)]:
        alg = CliffordAlgebra.from_signature(*sig)
        alg.prepare(["geometric_product"], backend="numba")
        for rows in (64, 4096):
            a = torch.randn(rows, alg.dim, requires_grad=True)
            b = torch.randn(rows, alg.dim, requires_grad=True)
            best = {}
            for _ in range(3):
                for backend in ("numba", "torch"):
                    t = median_time(lambda: alg.geometric_product(a, b, backend=backend).square().sum().backward(), 7, 2)
                    best[backend] = min(t, best.get(backend, t))
            print(f"{alg!s:10} rows {rows:5}: numba {1e3 * best['numba']:7.2f} ms  torch "
                  f"{1e3 * best['torch']:7.2f} ms  torch/numba {best['torch'] / best['numba']:5.1f}x")


if __name__ == "__main__":
    main()
