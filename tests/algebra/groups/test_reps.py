"""Representations: values, printing, homomorphism property of rho, drho, characters."""

import numpy as np
import pytest
import scipy.linalg
import sympy
from hypothesis import given, strategies as st

from symgen import groups, reps
from symgen.errors import RepresentationError, ShapeError

from tests.groups_list import GROUPS, IDS


def _reps(G):
    V, S = reps.V(G), reps.Scalar(G)
    return [V, V.T, V * V.T + S, V ** 2 + 2 * V, (V + S) * V.T]


@pytest.mark.parametrize("G", GROUPS, ids=IDS)
def test_rho_is_a_homomorphism(G):
    g, h = G.sample(4, seed=0), G.sample(4, seed=1)
    for R in _reps(G):
        a, b, ab = R.rho(g), R.rho(h), R.rho(g @ h)
        assert a.shape == (4, R.size, R.size)
        np.testing.assert_allclose(a @ b, ab, atol=1e-10 * max(1, np.abs(ab).max()))
        np.testing.assert_allclose(R.rho(np.broadcast_to(np.eye(G.d), (1, G.d, G.d)))[0], np.eye(R.size),
                                   atol=1e-14)


@pytest.mark.parametrize("G", [G for G in GROUPS if not G.is_finite], ids=lambda G: str(G))
def test_drho_is_the_derivative_of_rho(G):
    A = G.lie_basis()[0]
    t = 1e-6
    for R in _reps(G):
        fd = (R.rho(scipy.linalg.expm(t * A)) - R.rho(scipy.linalg.expm(-t * A))) / (2 * t)
        np.testing.assert_allclose(fd, R.drho(A), atol=1e-6)


@pytest.mark.parametrize("G", [groups.SO(3), groups.O(1, 3), groups.S(4), groups.SL(2)], ids=str)
def test_exact_rho_and_drho_match_numeric(G):
    R = reps.V(G) * reps.V(G).T + reps.Scalar(G)
    for h in G.discrete_generators:
        np.testing.assert_allclose(np.array(R.rho(h), dtype=float), R.rho(np.array(h, dtype=float)))
    for a in G.lie_generators:
        np.testing.assert_allclose(np.array(R.drho(a), dtype=float), R.drho(np.array(a, dtype=float)))
        assert isinstance(R.drho(a), sympy.MatrixBase)


@pytest.mark.parametrize("G", GROUPS, ids=IDS)
def test_character_is_the_trace_of_rho(G):
    g = G.sample(3, seed=2)
    for R in _reps(G):
        np.testing.assert_allclose(R.character(g), np.trace(R.rho(g), axis1=1, axis2=2), rtol=1e-10,
                                   atol=1e-10)


def test_printing_and_sizes():
    G = groups.SO(3)
    V, S = reps.V(G), reps.Scalar(G)
    assert str(V * V.T + S) == "V⊗V*+V⁰"
    assert str(V ** 3) == "V³" and str(V.T ** 2) == "V*²" and str(3 * S + V) == "3V⁰+V"
    assert str(V ** 0) == "V⁰" and (V ** 3).size == 27 and (V * V.T + S).size == 10
    assert str(V * 0) == "0" and (V * 0).size == 0


def test_reps_are_immutable_hashable_values():
    G = groups.S(4)
    V = reps.V(G)
    assert V * V == V ** 2 and hash(V * V) == hash(V ** 2)
    assert V.T.T == V and (V + V).T == V.T + V.T and sum([V, V, V]) == 3 * V
    assert V != reps.V(groups.S(5)) and len({V, V ** 1, V.T}) == 2
    with pytest.raises(AttributeError):
        V.G = groups.S(5)


def test_product_of_sums_distributes():
    G = groups.O(2)
    V, S = reps.V(G), reps.Scalar(G)
    assert (V + S) * (V + S) == V * V + V + V + S


def test_mixing_groups_raises():
    with pytest.raises(RepresentationError, match="different groups"):
        reps.V(groups.SO(3)) + reps.V(groups.O(3))
    assert (reps.V(groups.SO(3)) * reps.V(groups.O(3))).G == groups.SO(3) * groups.O(3)   # external product
    with pytest.raises(RepresentationError, match="same group"):
        reps.equivariant_basis(reps.V(groups.SO(3)), reps.V(groups.SO(4)))
    with pytest.raises(RepresentationError, match="not a representation"):
        reps.V(groups.SO(3)) + "V"


def test_bad_arguments_raise():
    V = reps.V(groups.SO(3))
    with pytest.raises(ShapeError, match=r"\(n, 3, 3\)"):
        V.rho(np.eye(4))
    with pytest.raises(RepresentationError, match="tensor power"):
        V ** -1
    with pytest.raises(RepresentationError, match="multiplicity"):
        V * -2
    with pytest.raises(RepresentationError, match="symgen group"):
        reps.V("SO(3)")


@given(st.lists(st.sampled_from(["V", "V*", "1"]), min_size=1, max_size=3),
       st.sampled_from([np.float32, np.float64]))
def test_rho_of_tensor_product_is_kron(factors, dtype):
    G = groups.O(1, 2)
    base = {"V": reps.V(G), "V*": reps.V(G).T, "1": reps.Scalar(G)}
    R = reps.Scalar(G)
    for f in factors:
        R = R * base[f]
    g = G.sample(1, seed=0)[0].astype(dtype)
    expected = np.ones((1, 1))
    for f in factors:
        m = {"V": g, "V*": np.linalg.inv(g).T, "1": np.ones((1, 1))}[f]
        expected = np.kron(expected, m)
    out = R.rho(g)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=1e-4 if dtype == np.float32 else 1e-12, atol=1e-5)


@pytest.mark.parametrize("G", [groups.SO(3), groups.O(1, 3), groups.Sp(4), groups.D(4)], ids=str)
def test_rho_homomorphism_on_strategy_elements(G):
    from symgen.testing import strategies as sst

    R = reps.V(G) * reps.V(G).T + reps.V(G)

    @given(sst.group_elements(G), sst.group_elements(G))
    def check(g, h):
        ab = R.rho(g @ h)
        np.testing.assert_allclose(R.rho(g) @ R.rho(h), ab, atol=1e-10 * max(1, np.abs(ab).max()))
        np.testing.assert_allclose(R.character(g[None]), [np.trace(R.rho(g))], rtol=1e-10, atol=1e-10)

    check()
