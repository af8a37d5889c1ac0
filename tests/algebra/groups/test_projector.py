"""equivariant_projector_ir: the orthogonal projector onto Hom_G(rep_in, rep_out), checked against
the dense projector QᵀQ of the float orthonormal basis; idempotent, symmetric, exact, cached."""

import numpy as np
import pytest
import sympy

from symgen import groups, reps
from symgen.algebra.groups import equivariant_basis, equivariant_projector_ir

CASES = [
    (groups.SO(3), lambda V, S: (V ** 2 + S, V + V ** 2)),
    (groups.O(3), lambda V, S: (2 * V + S, V ** 2 + 2 * S)),
    (groups.O(1, 3), lambda V, S: (V + S, V ** 2)),
    (groups.S(4), lambda V, S: (V ** 2 + V, V + S)),
    (groups.D(4), lambda V, S: (V, V ** 2)),
    (groups.Sp(4), lambda V, S: (V, V.T)),
    (groups.SO(2) * groups.S(3), lambda V, S: (V + S, V ** 2)),
    (groups.O(3), lambda V, S: (V, V ** 2)),                 # no equivariant map: P = 0
]
IDS = [f"{G}-{i}" for i, (G, _) in enumerate(CASES)]


def dense(ir):
    return ir.matrix()


@pytest.mark.parametrize("G, make", CASES, ids=IDS)
def test_projector_is_the_orthogonal_projection_onto_the_basis(G, make):
    rep_in, rep_out = make(reps.V(G), reps.Scalar(G))
    coefficients, synthesis = equivariant_projector_ir(rep_in, rep_out)
    P = dense(synthesis) @ dense(coefficients)
    Q = equivariant_basis(rep_in, rep_out).reshape(-1, rep_in.size * rep_out.size)
    np.testing.assert_allclose(P, Q.T @ Q, atol=1e-13)
    np.testing.assert_allclose(P @ P, P, atol=1e-13)
    np.testing.assert_allclose(P, P.T, atol=1e-13)
    assert round(np.trace(P)) == len(Q)


def test_coefficients_are_exact_and_the_pair_is_cached():
    G = groups.O(3)
    V = reps.V(G)
    first = equivariant_projector_ir(V ** 2, V ** 2)
    assert equivariant_projector_ir(V ** 2, V ** 2) is first
    coefficients, synthesis = first
    assert all(isinstance(t[-1], sympy.Rational) for t in coefficients.terms + synthesis.terms)
    # three Brauer diagrams on 4 legs in 3 dimensions: Gram [[9,3,3],[3,9,3],[3,3,9]]
    assert {t[-1] for t in synthesis.terms} == {1}
    assert len(synthesis.terms) == 27 and coefficients.out_dim == 3


def test_large_reps_stay_sparse():
    G = groups.O(3)
    V, S = reps.V(G), reps.Scalar(G)
    hidden = 16 * S + 5 * V + V ** 2
    coefficients, synthesis = equivariant_projector_ir(hidden, hidden + 5 * S)
    n = hidden.size * (hidden.size + 5)
    assert coefficients.in_dim == synthesis.out_dim == n == 1800
    assert len(coefficients.terms) + len(synthesis.terms) < 2 * n      # a dense P would have n² = 3.2e6
