"""StructuredBasis: the same basis as equivariant_basis, held by block types (and orbit maps)."""

import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from symgen import groups, reps
from symgen.algebra.groups.equivariance import equivariant_basis, structured_basis
from symgen.algebra.groups.structured import StructuredBasis, copies

GROUPS = [groups.SO(3), groups.O(1, 3), groups.Sp(4), groups.S(4), groups.D(5), groups.SO(2) * groups.S(3)]


def _rep(G, counts):
    V, S = reps.V(G), reps.Scalar(G)
    parts = [S, V, V ** 2, V.T]
    return sum((c * p for c, p in zip(counts, parts) if c), start=0) or S


@pytest.mark.parametrize("G", GROUPS, ids=str)
@settings(max_examples=8, deadline=None)
@given(counts_in=st.lists(st.integers(0, 2), min_size=4, max_size=4),
       counts_out=st.lists(st.integers(0, 2), min_size=4, max_size=4), seed=st.integers(0, 2 ** 31 - 1))
def test_dense_form_is_the_equivariant_basis_and_matrix_is_its_combination(G, counts_in, counts_out, seed):
    rep_in, rep_out = _rep(G, counts_in), _rep(G, counts_out)
    S = structured_basis(rep_in, rep_out)
    B = equivariant_basis(rep_in, rep_out)
    assert len(S) == len(B)
    np.testing.assert_array_equal(S.dense(), B)
    w = np.random.default_rng(seed).normal(size=len(S))
    np.testing.assert_allclose(S.matrix(w), np.einsum("k,kij->ij", w, B), rtol=0, atol=1e-12)


def test_permutation_groups_keep_orbit_maps_and_lie_groups_small_bases():
    for G, orbit in ((groups.S(5), True), (groups.D(6), True), (groups.SO(3), False)):
        V = reps.V(G)
        S = structured_basis(V ** 2 + V, V ** 2 + 3 * V)
        assert all((t.orbit is not None) == orbit and (t.basis is None) == orbit for t in S.types)
        t = S.types[0]
        assert t.weight_index.shape == (len(t.out_index), len(t.in_index), t.k)


def test_copies_groups_summands_by_type_in_layout_order():
    V = reps.V(groups.SO(3))
    out = copies(V ** 2 + V + reps.Scalar(V.G) + V)
    assert out[(1,)][0] == [1, 3]
    np.testing.assert_array_equal(out[(1,)][1], [[9, 10, 11], [13, 14, 15]])
    assert out[()][1].shape == (1, 1)


def test_a_wide_hidden_layer_is_small_and_fast():
    G = groups.SO(3)
    V, S = reps.V(G), reps.Scalar(G)
    hidden = 85 * S + 28 * V + 9 * V ** 2
    t = time.perf_counter()
    B = structured_basis(hidden, hidden + 37 * S)
    assert time.perf_counter() - t < 5
    dense_bytes = 8 * len(B) * hidden.size * (hidden.size + 37)
    assert len(B) == 13764 and dense_bytes > 7e9 and B.nbytes < 2e6
    w = np.random.default_rng(0).normal(size=len(B))
    W = B.matrix(w)                                       # spot-check equivariance of the assembled map
    g = G.sample(1, seed=0)[0]
    out = hidden + 37 * S
    np.testing.assert_allclose(out.rho(g) @ W, W @ hidden.rho(g), atol=1e-10)


def test_structured_basis_pickles(tmp_path):
    import pickle
    V = reps.V(groups.S(4))
    S = structured_basis(V ** 2, V)
    T = pickle.loads(pickle.dumps(S))
    assert isinstance(T, StructuredBasis) and repr(T) == repr(S)
    np.testing.assert_array_equal(T.dense(), S.dense())
