"""Sound certificates: exact element counts of finite groups, certified bases of rotation and
dihedral groups on large representations, the trivial group, the certificate's status."""

import math
import warnings

import numpy as np
import pytest
import sympy
from sympy import GF
from sympy.polys.matrices import DomainMatrix

from symgen import groups, reps
from symgen.algebra.groups import equivariance
from symgen.errors import CertificationError, CertificationWarning, GroupError


def rotation(k):
    c, s = sympy.cos(2 * sympy.pi / k), sympy.sin(2 * sympy.pi / k)
    return sympy.Matrix([[c, -s], [s, c]])


def C(k):
    """The cyclic group of order k as 2x2 rotation matrices (exact, possibly irrational)."""
    return groups.MatrixGroup(discrete_generators=[rotation(k)])


def D(k):
    """The dihedral group of order 2k as 2x2 matrices: rotations and a reflection."""
    return groups.MatrixGroup(discrete_generators=[rotation(k), sympy.diag(1, -1)])


def dihedral_dimension(k, degree, reflections):
    """dim of the invariants of V^degree for C(k) (or D(k)): the character of V is
    2cos(2πj/k) on rotations and 0 on reflections, so the average is over rotations only."""
    total = sum(round(float((2 * sympy.cos(2 * sympy.pi * j / k)) ** degree)) for j in range(k))
    return total // (2 if reflections else 1) // k


@pytest.mark.parametrize("k", range(3, 9))
def test_cyclic_and_dihedral_element_counts(k):
    for G, order in [(C(k), k), (D(k), 2 * k)]:
        els = G.elements()
        assert G.order() == order == len(els)
        assert np.allclose(els[0], np.eye(2))
        # all distinct and orthogonal; the set is closed under the generators
        flat = np.round(els.reshape(order, 4), 9) + 0.0     # + 0.0 turns -0.0 into 0.0
        assert len(np.unique(flat, axis=0)) == order
        np.testing.assert_allclose(np.swapaxes(els, 1, 2) @ els, np.broadcast_to(np.eye(2), els.shape),
                                   atol=1e-12)


@pytest.mark.parametrize("n", range(1, 8))
def test_symmetric_group_orders(n):
    assert groups.S(n).order() == math.factorial(n)
    assert groups.MatrixGroup(discrete_generators=groups.S(n).discrete_generators, d=n).order() \
        == math.factorial(n)


def test_integer_and_permutation_matrix_groups_are_counted_exactly():
    swap, cycle = sympy.eye(4)[[1, 0, 2, 3], :], sympy.eye(4)[[1, 2, 3, 0], :]
    hyperoctahedral = groups.MatrixGroup(discrete_generators=[swap, cycle, sympy.diag(-1, 1, 1, 1)])
    assert hyperoctahedral.order() == 2 ** 4 * 24
    assert groups.D(6).order() == 12 and groups.Z(5).order() == 5
    assert (groups.D(3) * groups.Z(2)).order() == 12


@pytest.mark.parametrize("make, k", [(C, 3), (D, 3), (C, 8), (D, 8)], ids=["C3", "D3", "C8", "D8"])
def test_rotation_groups_on_large_reps_are_certified(make, k):
    G = make(k)
    V = reps.V(G)
    rng = np.random.default_rng()
    p = int(rng.integers(3, 5))
    rep_in, rep_out = V ** p + V + V.T, V ** (8 - p) + reps.Scalar(G)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CertificationWarning)
        B = reps.equivariant_basis(rep_in, rep_out, certify=True)
    cert = reps.certificate(rep_in, rep_out)
    assert cert.method == "characters" and cert.dimension == len(B)
    expected = sum(dihedral_dimension(k, a + b, make is D) for a in (p, 1, 1) for b in (8 - p, 0))
    assert len(B) == expected
    assert reps.constraint_error(B, rep_in, rep_out, seed=int(rng.integers(2 ** 31))) <= 1e-12


def test_a_lost_map_is_caught_for_a_rotation_group():
    G = C(8)
    V = reps.V(G)
    reps.equivariant_basis(V ** 3, V ** 3)
    (key,) = [key for key in G.cache if key[0] == "invariants"]
    G.cache[key] = G.cache[key][1:]
    with pytest.raises(CertificationError, match="solver found 19 independent maps but the certified "
                                                 r"dimension is 20 \(characters\)"):
        reps.equivariant_basis(V ** 3, V ** 3)


@pytest.mark.parametrize("d", [1, 2, 4])
def test_trivial_group_every_map_is_equivariant(d):
    G = groups.MatrixGroup(d=d)
    assert G.order() == 1
    V, S = reps.V(G), reps.Scalar(G)
    for rep_in, rep_out in [(V, V), (V ** 2 + S, V), (S, V ** 3)]:
        B = reps.equivariant_basis(rep_in, rep_out, certify=True)
        assert len(B) == rep_in.size * rep_out.size == reps.certified_dimension(rep_in, rep_out)


def test_certificate_status_passes_fails_or_says_why():
    G = groups.SO(3)
    V = reps.V(G)
    assert reps.certificate(V ** 2, V ** 2) == reps.Certificate(3, "characters", "")
    assert reps.certificate(reps.V(groups.SE(3)), reps.V(groups.SE(3))).method == "modular"
    # floating-point generators: no exact enumeration, so no certificate, and the user sees why
    c, s = np.cos(2 * np.pi / 5), np.sin(2 * np.pi / 5)
    F = groups.MatrixGroup(discrete_generators=[[[c, -s], [s, c]]])
    W = reps.V(F)
    cert = reps.certificate(W, W)
    assert cert.dimension is None and cert.method == "none" and "floating-point entry" in cert.reason
    with pytest.warns(CertificationWarning, match="not certified: .*floating-point entry"):
        reps.equivariant_basis(W, W)
    with pytest.raises(CertificationError, match="not certified: .*floating-point entry"):
        reps.equivariant_basis(W, W, certify=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reps.equivariant_basis(W, W, certify=False)       # asked for: no warning


def test_too_large_or_infinite_groups_say_so():
    shear = groups.MatrixGroup(discrete_generators=[sympy.Matrix([[1, 1], [0, 1]])])
    with pytest.raises(GroupError, match="more than 20000 elements"):
        shear.order()
    cert = reps.certificate(reps.V(shear), reps.V(shear))
    assert cert.method == "modular" and cert.dimension == 2      # I and the nilpotent part: modular count
    with pytest.raises(GroupError, match="infinite"):
        groups.SO(3).order()


def _kron_reference(g, mono):
    """ρ(g) of a tensor monomial by numpy Kronecker products (independent of the kernels)."""
    out = np.ones((len(g), 1, 1))
    for t in mono:
        f = g if t > 0 else np.swapaxes(np.linalg.inv(g), 1, 2)
        out = np.einsum("nij,nkl->nikjl", out, f).reshape(len(g), out.shape[1] * f.shape[1], -1)
    return out


@pytest.mark.parametrize("degree", [9, 10])
def test_rho_of_high_degree_tensors_matches_kronecker_products(degree):
    G = groups.O(2)
    V = reps.V(G)
    rng = np.random.default_rng()
    mono = tuple(int(t) for t in rng.choice([1, -1], size=degree))
    rep = reps.Rep(G, (mono, (1,)))
    g = G.sample(3, seed=int(rng.integers(2 ** 31)))
    got = rep.rho(g)
    assert got.shape == (3, 2 ** degree + 2, 2 ** degree + 2) and got.dtype == np.float64
    np.testing.assert_allclose(got[:, :2 ** degree, :2 ** degree], _kron_reference(g, mono), atol=1e-12)
    np.testing.assert_allclose(got[:, 2 ** degree:, 2 ** degree:], g, atol=0)
    np.testing.assert_allclose((V ** degree).rho(g[0]), _kron_reference(g[:1], (1,) * degree)[0], atol=1e-12)


@pytest.mark.parametrize("p", [7, equivariance.PRIMES[0]])
def test_modular_nullity_matches_sympy_over_a_prime_field(p):
    rng = np.random.default_rng()
    for _ in range(20):
        rows, cols = (int(x) for x in rng.integers(1, 12, size=2))
        M = rng.integers(-3, 4, size=(rows, cols)) * (rng.random((rows, cols)) < 0.5)
        M[rng.integers(rows)] = M[rng.integers(rows)] * int(rng.integers(-2, 3))   # dependent rows
        rank = DomainMatrix.from_list(M.tolist(), GF(p)).rank()
        assert equivariance.nullity_mod(M.astype(np.int64), p) == cols - rank


def test_modular_count_of_sums_is_the_character_count():
    for G in [groups.SE(2), groups.MatrixGroup(lie_generators=[sympy.Matrix([[0, 1], [1, 0]])])]:
        V = reps.V(G)
        rep_in, rep_out = V ** 2 + V + V.T, V * V.T + V + reps.Scalar(G)
        assert equivariance.modular_dimension(rep_in, rep_out) == len(
            reps.equivariant_basis(rep_in, rep_out, certify=False))
    V = reps.V(groups.O(1, 3))
    rep_in, rep_out = V ** 2 + V.T, V * V.T + V + reps.Scalar(groups.O(1, 3))
    assert equivariance.modular_dimension(rep_in, rep_out) == reps.certified_dimension(rep_in, rep_out)


def test_group_frame_averages_over_each_element_once():
    from symgen.algebra.groups.frames import GroupFrame
    for k in (3, 8):
        assert GroupFrame(reps.V(C(k))).size == k and GroupFrame(reps.V(D(k))).size == 2 * k
