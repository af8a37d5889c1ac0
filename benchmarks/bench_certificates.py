"""Time (and check) the certificates of issue 16: finite groups given by exact 2x2 rotation
matrices (C(k), D(k)), the modular count of a group without an integration rule (SO(1,1)⁺
declared by its boost generator), ``rep.rho`` of tensors of degree 9 and 10, and (``--orbits``)
the orbit counts of permutation groups too large to enumerate: the Rubik's cube group
(``tests/emlp_groups.py``; run from the repository root), S(48) and the signed permutations B(7)
declared by their generators, each against an independent count (sympy's Schreier–Sims
stabiliser chain for the Rubik's cube group, Bell numbers for S(48), even set partitions for
B(7)).

Only functions present before and after issue 16 are called, so the same script measures
both versions (``PYTHONPATH`` chooses the checkout); a case that raises prints the error.
Every certificate is computed on a group with an empty cache (its derived data rebuilt).

    python benchmarks/bench_certificates.py [--repeats 3] [--orbits]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import sympy

from symgen import groups, reps
from symgen.algebra.groups import equivariance
from symgen.timing import median_time


def rotation_group(k, reflection):
    c, s = sympy.cos(2 * sympy.pi / k), sympy.sin(2 * sympy.pi / k)
    gens = [sympy.Matrix([[c, -s], [s, c]])] + ([sympy.diag(1, -1)] if reflection else [])
    return groups.MatrixGroup(discrete_generators=gens)


def boost_group():
    return groups.MatrixGroup(lie_generators=[sympy.Matrix([[0, 1], [1, 0]])])


def expected_rotation_dimension(k, degree, reflection):
    total = sum(round(float((2 * sympy.cos(2 * sympy.pi * j / k)) ** degree)) for j in range(k))
    return total // (2 if reflection else 1) // k


def orbit_cases(repeats):
    """Certificates of permutation groups too large to enumerate, and their independent counts."""
    from tests.algebra.groups.test_emlp_matrix import sympy_orbit_count
    from tests.emlp_groups import rubiks_cube
    cube = rubiks_cube()
    n = 48
    s48 = groups.MatrixGroup(discrete_generators=[sympy.eye(n)[list(range(1, n)) + [0], :],
                                                  sympy.eye(n)[[1, 0] + list(range(2, n)), :]])
    m = 7
    b7 = groups.MatrixGroup(discrete_generators=[sympy.eye(m)[[1, 0] + list(range(2, m)), :],
                                                 sympy.eye(m)[list(range(1, m)) + [0], :],
                                                 sympy.diag(-1, *[1] * (m - 1))])
    for G, name, cases in [(cube, "Rubik's cube", [(1, 1), (2, 1), (2, 2)]), (s48, "S(48) declared", [(2, 2)]),
                           (b7, "B(7) declared (signed)", [(2, 2), (3, 3)])]:
        V = reps.V(G)
        for a, b in cases:
            def cert(G=G, V=V, a=a, b=b):
                G.cache.clear()
                c = reps.certificate(V ** a, V ** b)
                return f"{c.dimension} ({c.method}{': ' + c.reason[:60] if c.reason else ''})"
            print(run(f"{name} V^{a}→V^{b} certificate", cert, repeats), flush=True)
        if G is cube:
            for K in (2, 3, 4):
                def sympy_count(K=K):
                    sympy_orbit_count.cache_clear()
                    return sympy_orbit_count(cube, K)
                print(run(f"{name}: sympy's orbit count on {K}-tuples (independent)", sympy_count, repeats),
                      flush=True)
    print("| independent: S(48) V²→V² = Bell(4) = 15; B(7) V²→V² = 4 (index patterns of even blocks), "
          "V³→V³ = 15 + 15 + 1 = 31 |  |  |")


def run(label, fn, repeats):
    try:
        value = fn()
        t = median_time(fn, repeats=repeats)
        return f"| {label} | {value} | {t * 1e3:.1f} ms |"
    except Exception as exc:  # noqa: BLE001 - the benchmark reports what the version does
        return f"| {label} | {type(exc).__name__}: {str(exc)[:90]} | — |"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--orbits", action="store_true", help="only the orbit counts of large permutation groups")
    args = parser.parse_args(argv)
    print(f"# bench_certificates: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print("| case | result | time |")
    print("|---|---|---|")
    if args.orbits:
        orbit_cases(args.repeats)
        return
    for name, k, refl in [("C3", 3, False), ("D3", 3, True), ("C8", 8, False), ("D8", 8, True)]:
        def cert(k=k, refl=refl):   # a fresh group: enumeration included
            V = reps.V(rotation_group(k, refl))
            return reps.certified_dimension(V ** 5, V ** 5)
        print(run(f"{name} V⁵→V⁵ character count (expected "
                  f"{expected_rotation_dimension(k, 10, refl)})", cert, args.repeats), flush=True)
    for a, b in [(5, 5), (4, 5), (4, 4)]:
        def modular(a=a, b=b):
            V = reps.V(boost_group())
            return equivariance.modular_dimension(V ** a, V ** b)
        print(run(f"SO(1,1)⁺ V^{a}→V^{b} modular count", modular, args.repeats), flush=True)

    def basis():
        V = reps.V(boost_group())
        return len(reps.equivariant_basis(V ** 5, V ** 5))
    print(run("SO(1,1)⁺ V⁵→V⁵ basis + certificate", basis, args.repeats), flush=True)

    def modular_sum():
        V = reps.V(boost_group())
        return equivariance.modular_dimension(V ** 4 + V ** 2 + V, V ** 4 + V ** 2)
    print(run("SO(1,1)⁺ V⁴+V²+V→V⁴+V² modular count", modular_sum, args.repeats), flush=True)
    G = groups.O(2)
    g = G.sample(8, seed=0)
    for degree in (8, 9, 10):
        rep = reps.V(G) ** degree
        rep.rho(g[:1])      # compile / load the kernels first

        def rho(rep=rep):
            return rep.rho(g).shape
        print(run(f"O(2) V^{degree} rho of 8 elements", rho, args.repeats), flush=True)


if __name__ == "__main__":
    main()
