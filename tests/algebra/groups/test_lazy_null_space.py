"""lazy_null_space: the invariants of groups without closed forms, without the dense constraint
matrix, against the dense SVD null space (span agreement to 1e-10 in float64)."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

from symgen import groups, reps
from symgen.algebra.groups import equivariance
from symgen.algebra.groups.lazy_null_space import lazy_null_space
from symgen.errors import RepresentationError


def _dense(G, legs, monkeypatch):
    monkeypatch.setattr(equivariance, "LAZY_MIN", 10 ** 9)
    return equivariance._null_space(G, legs, exact=False)


def _same_span(A, B):
    assert A.shape == B.shape
    assert np.abs(A.conj() @ A.T - np.eye(len(A))).max(initial=0) < 1e-12    # orthonormal rows
    assert np.abs(B.conj() @ B.T - np.eye(len(B))).max(initial=0) < 1e-12
    assert np.abs(A.T @ A.conj() - B.T @ B.conj()).max(initial=0) < 1e-10   # same projector


USER = groups.MatrixGroup(lie_generators=[sympy.Matrix([[0, -1, 0], [1, 0, 0], [0, 0, 0]])],
                          discrete_generators=[sympy.diag(1, 1, -1)])
HEISENBERG = groups.MatrixGroup(lie_generators=[sympy.Matrix(3, 3, lambda i, j: int((i, j) == p))
                                                for p in ((0, 1), (1, 2), (0, 2))])
CASES = [
    ("SE(3)", groups.SE(3), (1, 1, 1, 1)),
    ("SE(3)-mixed", groups.SE(3), (1, -1, 1, -1)),
    ("E(2)", groups.E(2), (1, 1, 1, 1, 1)),
    ("C(5)-plane", groups.C(5), (1,) * 8),
    ("D(6)-plane", groups.D(6, action="plane"), (1, -1) * 4),
    ("rotation+reflection", USER, (1, 1, 1, 1)),
    ("Heisenberg (nilpotent: no seed)", HEISENBERG, (1, -1, 1, -1)),
    ("SU(2)", groups.SU(2), (1, -1, 1, -1)),
]


@pytest.mark.parametrize("name, G, legs", CASES, ids=[c[0] for c in CASES])
def test_lazy_null_space_spans_the_dense_null_space(name, G, legs, monkeypatch):
    _same_span(lazy_null_space(G, legs), _dense(G, legs, monkeypatch))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from([1, -1]), min_size=1, max_size=5), st.sampled_from([0, 1, 2]))
def test_lazy_null_space_matches_dense_for_drawn_legs(legs, which):
    G = [groups.SE(2), groups.C(4), USER][which]
    with pytest.MonkeyPatch.context() as m:
        _same_span(lazy_null_space(G, tuple(legs)), _dense(G, tuple(legs), m))


def test_wide_user_group_basis_is_lazy_certified_and_equivariant():
    """SE(3) (no closed form) on V² → V³, 4⁵ = 1024 unknowns: the lazy path, certified by the
    modular count, equivariant to 1e-12."""
    V = reps.V(groups.SE(3))
    B = reps.equivariant_basis(V ** 2, V ** 3, certify=True)
    assert len(B) == equivariance.modular_dimension(V ** 2, V ** 3)
    assert reps.constraint_error(B, V ** 2, V ** 3) < 1e-12


def test_spaces_too_large_are_refused():
    with pytest.raises(RepresentationError, match="max_start"):
        lazy_null_space(HEISENBERG, (1,) * 8, max_start=4096)
    with pytest.raises(RepresentationError, match="MAX_SEED_ENTRIES"):
        lazy_null_space(groups.D(6), (1, -1) * 4)
