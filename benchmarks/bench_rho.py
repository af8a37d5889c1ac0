"""``rep.rho(g)`` on tensor representations: symgen's generated Numba kernels (one k-linear
map per tensor monomial, ``ρ[(i..), (j..)] = Π g[i_q, j_q]``) vs numpy Kronecker products
(einsum), both assembling the same block-diagonal matrices.

    python benchmarks/bench_rho.py [--n 1000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from symgen import groups, reps
from symgen.timing import interleaved_medians


def kron(a, b):
    n = a.shape[0]
    return np.einsum("nij,nkl->nikjl", a, b).reshape(n, a.shape[1] * b.shape[1], a.shape[2] * b.shape[2])


def kron_rho(rep, g):
    """The reference: Kronecker products of g (V) and g⁻ᵀ (V*), block by block."""
    base = {1: g}
    if any(-1 in mono for mono in rep.terms):
        base[-1] = np.swapaxes(np.linalg.inv(g), -1, -2)
    out = np.zeros((len(g), rep.size, rep.size))
    for off, k, mono in rep.blocks():
        m = np.ones((len(g), 1, 1))
        for t in mono:
            m = kron(m, base[t])
        out[:, off:off + k, off:off + k] = m
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000, help="group elements per call")
    args = p.parse_args(argv)
    print(f"{'group':8} {'rep':14} {'n':>6} {'kron ms':>9} {'symgen ms':>10} {'symgen/kron':>12} "
          f"{'first s':>8} {'max diff':>9}")
    cases = [(groups.SO(3), lambda V: V ** 2), (groups.SO(3), lambda V: V ** 3),
             (groups.SO(3), lambda V: V ** 4), (groups.O(5), lambda V: V ** 2),
             (groups.O(5), lambda V: V ** 3), (groups.O(1, 3), lambda V: V * V.T + V ** 2)]
    for G, make in cases:
        rep = make(reps.V(G))
        g = G.sample(args.n, seed=0)
        t0 = time.perf_counter()
        rep.rho(g[:1])
        first = time.perf_counter() - t0
        diff = float(np.abs(rep.rho(g) - kron_rho(rep, g)).max())
        times = interleaved_medians({"kron": lambda: kron_rho(rep, g), "ours": lambda: rep.rho(g)}, 10)
        print(f"{str(G):8} {str(rep):14} {args.n:>6} {times['kron'] * 1e3:9.2f} {times['ours'] * 1e3:10.2f} "
              f"{times['ours'] / times['kron']:12.2f} {first:8.2f} {diff:9.1e}")


if __name__ == "__main__":
    main()
