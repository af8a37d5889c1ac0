"""Groups: symbolic closure checks, structure constants, form preservation, sampling."""

import numpy as np
import pytest
import scipy.linalg
import sympy
from hypothesis import given, strategies as st

from symgen import groups
from symgen.errors import GroupError, SymgenError

from tests.groups_list import GROUPS, IDS


@pytest.mark.parametrize("G", GROUPS, ids=IDS)
def test_samples_lie_in_the_group(G):
    g = G.sample(20, seed=1)
    assert g.shape == (20, G.d, G.d) and g.dtype == (np.complex128 if G.is_complex else np.float64)
    assert np.all(np.isfinite(g))
    if isinstance(G, groups.Unitary):
        np.testing.assert_allclose(np.conj(np.swapaxes(g, 1, 2)) @ g, np.broadcast_to(np.eye(G.d), g.shape),
                                   atol=1e-12)
    if G.form is not None:
        J = np.array(G.form, dtype=float)
        np.testing.assert_allclose(np.swapaxes(g, 1, 2) @ J @ g, np.broadcast_to(J, g.shape), atol=1e-10)
    if "×" not in str(G) and str(G).startswith(("SO", "SL", "Sp", "SE", "SU")):
        np.testing.assert_allclose(np.linalg.det(g), 1, atol=1e-9)
    assert np.linalg.cond(g).max() < 1e4  # well conditioned


@pytest.mark.parametrize("G", GROUPS, ids=IDS)
def test_lie_algebra_closes_with_structure_constants(G):
    A = G.lie_basis()
    if not len(A):
        assert G.is_finite and G.structure_constants.shape == (0, 0, 0)
        return
    c = np.array(G.structure_constants.tolist(), dtype=float).reshape(len(A), len(A), len(A))
    for i in range(len(A)):
        for j in range(len(A)):
            np.testing.assert_allclose(A[i] @ A[j] - A[j] @ A[i], np.einsum("k,kab->ab", c[i, j], A),
                                       atol=1e-12)


@pytest.mark.parametrize("G", GROUPS, ids=IDS)
def test_sampling_is_reproducible(G):
    np.testing.assert_array_equal(G.sample(3, seed=7), G.sample(3, seed=7))


def test_so3_haar_moments():
    g = groups.SO(3).sample(20000, seed=0)
    # Haar: E[g] = 0 and E[tr g] = 0, E[(tr g)^2] = 1 (one invariant in V ⊗ V)
    assert np.abs(g.mean(axis=0)).max() < 0.03
    assert abs(np.mean(np.trace(g, axis1=1, axis2=2) ** 2) - 1) < 0.05


def test_symmetric_group_samples_are_uniform():
    g = groups.S(3).sample(6000, seed=0)
    keys = [tuple(np.argmax(m, axis=0)) for m in g]
    counts = np.unique(keys, axis=0, return_counts=True)[1]
    assert len(counts) == 6 and counts.min() > 850


def test_structure_constants_of_so3_are_levi_civita():
    c = groups.SO(3).structure_constants
    assert [c[0, 1, 2], c[1, 2, 0], c[2, 0, 1]] == [-1, -1, -1]


def test_group_values_are_hashable_and_compare_by_value():
    assert groups.SO(3) == groups.SO(3) and hash(groups.SO(3)) == hash(groups.SO(3))
    assert groups.SO(3) != groups.O(3) and groups.O(1, 3) != groups.O(3, 1)
    assert len({groups.S(4), groups.S(4), groups.Z(4)}) == 2


def test_non_closing_generators_name_the_bracket():
    x, y = sympy.Matrix([[0, 1, 0], [0, 0, 0], [0, 0, 0]]), sympy.Matrix([[0, 0, 0], [0, 0, 1], [0, 0, 0]])
    with pytest.raises(GroupError, match=r"\[A0, A1\] leaves the span"):
        groups.MatrixGroup(lie_generators=[x, y])


def test_discrete_generator_must_normalise_the_algebra():
    rot = sympy.Matrix([[0, -1, 0], [1, 0, 0], [0, 0, 0]])
    swap = sympy.Matrix([[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    with pytest.raises(GroupError, match="h0 A0 h0"):
        groups.MatrixGroup(lie_generators=[rot], discrete_generators=[swap])


def test_dependent_generators_are_rejected():
    a = sympy.Matrix([[0, -1], [1, 0]])
    with pytest.raises(GroupError, match="linear combination"):
        groups.MatrixGroup(lie_generators=[a, 2 * a])


def test_user_group_with_symbolic_entries():
    s = sympy.sqrt(2)
    G = groups.MatrixGroup(lie_generators=[sympy.Matrix([[0, -s], [s, 0]])])
    g = G.sample(4, seed=0)
    np.testing.assert_allclose(np.swapaxes(g, 1, 2) @ g, np.broadcast_to(np.eye(2), g.shape), atol=1e-12)


def test_direct_product_is_block_diagonal():
    G = groups.SO(3) * groups.S(4) * groups.Z(2)
    assert str(G) == "SO(3)×S(4)×Z(2)" and G.d == 9
    g = G.sample(5, seed=0)
    assert np.all(g[:, :3, 3:] == 0) and np.all(g[:, 3:7, 7:] == 0)


@pytest.mark.parametrize("bad", [0, -2, 2.5, "3", True])
def test_bad_dimensions_raise(bad):
    with pytest.raises(SymgenError, match="dimension must be an integer"):
        groups.SO(bad)


def test_other_bad_inputs_raise():
    with pytest.raises(GroupError, match="even"):
        groups.Sp(3)
    with pytest.raises(GroupError, match="same size"):
        groups.MatrixGroup(lie_generators=[sympy.zeros(2, 2) + sympy.Matrix([[0, 1], [-1, 0]]),
                                           sympy.zeros(3, 3)])
    with pytest.raises(GroupError, match="not invertible"):
        groups.MatrixGroup(discrete_generators=[sympy.Matrix([[1, 0], [0, 0]])])
    with pytest.raises(GroupError, match="non-negative integer"):
        groups.SO(3).sample(-1)


@given(st.integers(min_value=0, max_value=2**31), st.sampled_from(["SO", "O", "Sp"]))
def test_exponentials_of_generators_preserve_the_form(seed, kind):
    G = {"SO": groups.SO(2, 1), "O": groups.O(3), "Sp": groups.Sp(4)}[kind]
    rng = np.random.default_rng(seed)
    A = np.einsum("m,mij->ij", rng.normal(size=len(G.lie_generators)), G.lie_basis())
    g = scipy.linalg.expm(A)
    J = np.array(G.form, dtype=float)
    np.testing.assert_allclose(g.T @ J @ g, J, atol=1e-8 * np.abs(g).max() ** 2)


# -- complex groups: invariant counts against known tables ---------------------------------------
KNOWN_UNITARY = [
    # SU(2): invariants of V^{⊗2k} are the Catalan numbers 1, 2, 5, 14 (V ≅ V*)
    ("SU", 2, (1, 1), 1), ("SU", 2, (2, 2), 2), ("SU", 2, (3, 3), 5), ("SU", 2, (4, 4), 14),
    ("SU", 2, (1, 0), 0), ("SU", 2, (2, 0), 1),
    # SU(3): V^{⊗3k} → standard Young tableaux of shape (k, k, k): 1, 5; V⊗V* → 1
    ("SU", 3, (3, 0), 1), ("SU", 3, (6, 0), 5), ("SU", 3, (1, 1), 1), ("SU", 3, (2, 0), 0),
    # U(n): V^{⊗p} ⊗ V*^{⊗p} → permutations of p with no decreasing subsequence longer than n
    ("U", 2, (1, 1), 1), ("U", 2, (2, 2), 2), ("U", 2, (3, 3), 5), ("U", 3, (3, 3), 6), ("U", 2, (2, 0), 0),
    ("U", 4, (2, 2), 2), ("U", 2, (4, 4), 14),
]


@pytest.mark.parametrize("kind, n, pq, expected", KNOWN_UNITARY, ids=[f"{k}({n})-T{pq}" for k, n, pq, _ in KNOWN_UNITARY])
def test_unitary_invariant_counts_match_known_tables(kind, n, pq, expected):
    G = groups.SU(n) if kind == "SU" else groups.U(n)
    from symgen import reps
    from symgen.algebra.groups import constraint_error
    rep = reps.V(G) ** pq[0] * reps.V(G).T ** pq[1]
    B = reps.equivariant_basis(reps.Scalar(G), rep)
    assert len(B) == expected
    assert constraint_error(B, reps.Scalar(G), rep) < 1e-10
