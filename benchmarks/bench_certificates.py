"""Time (and check) the certificates of issue 16: finite groups given by exact 2x2 rotation
matrices (C(k), D(k)), the modular count of a group without an integration rule (SO(1,1)⁺
declared by its boost generator), and ``rep.rho`` of tensors of degree 9 and 10.

Only functions present before and after issue 16 are called, so the same script measures
both versions (``PYTHONPATH`` chooses the checkout); a case that raises prints the error.

    python benchmarks/bench_certificates.py [--repeats 3]
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
    args = parser.parse_args(argv)
    print(f"# bench_certificates: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print("| case | result | time |")
    print("|---|---|---|")
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
