"""The shared lists of algebras the tests parametrize over (ids from ``str``)."""

import sympy

from symgen import CliffordAlgebra

#: Diagonal signatures (null vectors first, as kingdon) of the reference comparisons.
SIGNATURES = [(2, 0, 0), (3, 0, 0), (0, 3, 0), (1, 3, 0), (3, 1, 0), (3, 0, 1), (2, 2, 0),
              (4, 1, 0), (5, 0, 0)]

#: Non-diagonal symmetric metrics (checked against galgebra).
NONDIAGONAL = [
    sympy.Matrix([[1, 1, 0], [1, 2, 0], [0, 0, -1]]),
    sympy.Matrix([[0, 1], [1, 0]]),                       # hyperbolic plane, null basis
    sympy.Matrix([[2, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, -1], [0, 0, -1, 3]]),
]


def algebra(sig):
    return CliffordAlgebra.from_signature(*sig)


def diagonal(sig):
    p, q, r = sig
    return (0,) * r + (1,) * p + (-1,) * q


ALGEBRAS = [algebra(s) for s in SIGNATURES] + [CliffordAlgebra(m) for m in NONDIAGONAL]
