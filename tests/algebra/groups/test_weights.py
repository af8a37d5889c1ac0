"""Invariants of one-parameter groups by weights, against the dense null space of dρ(A)."""

import numpy as np
import pytest
import sympy
from hypothesis import assume, given, strategies as st

from symgen import groups, reps
from symgen.algebra.groups.weights import weight_invariants


def null_space(A, legs):
    d = A.shape[0]
    C = np.zeros((d ** len(legs),) * 2)
    for q, t in enumerate(legs):
        C += np.kron(np.kron(np.eye(d ** q), A if t == 1 else -A.T), np.eye(d ** (len(legs) - q - 1)))
    _, s, vh = np.linalg.svd(C)
    return vh[s < 1e-9 * max(1, s.max())]


@given(st.integers(1, 3).flatmap(lambda d: st.tuples(
           st.lists(st.integers(-2, 2), min_size=d, max_size=d),
           st.lists(st.integers(-2, 2), min_size=d * d, max_size=d * d))),
       st.lists(st.sampled_from([1, -1]), min_size=0, max_size=4))
def test_weight_invariants_span_the_null_space(spec, legs):
    weights, entries = spec
    d = len(weights)
    P = sympy.Matrix(d, d, entries) + 3 * sympy.eye(d)          # diagonally dominant: invertible
    assume(P.det() != 0 and any(weights))         # a zero generator is refused by MatrixGroup
    A = P * sympy.diag(*weights) * P.inv()
    G = groups.MatrixGroup(lie_generators=[A])
    B = weight_invariants(G, tuple(legs))
    N = null_space(np.array(A.tolist(), dtype=float), legs)
    assert B.shape == N.shape
    np.testing.assert_allclose(B @ B.T, np.eye(len(B)), atol=1e-9)
    if len(B):       # same span: projecting one onto the other loses nothing
        np.testing.assert_allclose(B @ N.T @ N, B, atol=1e-8)


def test_other_groups_are_not_one_parameter_groups():
    rotation = groups.MatrixGroup(lie_generators=[sympy.Matrix([[0, -1], [1, 0]])])     # weights ±i
    nilpotent = groups.MatrixGroup(lie_generators=[sympy.Matrix([[0, 1], [0, 0]])])
    for G in (rotation, nilpotent, groups.SO(3), groups.S(3)):
        assert weight_invariants(G, (1, 1)) is None


@pytest.mark.parametrize("r", [4, 6])
def test_declared_so11_bases_are_certified(r):
    G = groups.MatrixGroup(lie_generators=[sympy.Matrix([[0, 1], [1, 0]])])
    V = reps.V(G)
    for q in range(r + 1):
        rep = V ** (r - q) * V.T ** q
        B = reps.equivariant_basis(reps.Scalar(G), rep, certify=True)
        assert len(B) == reps.certificate(reps.Scalar(G), rep).dimension
