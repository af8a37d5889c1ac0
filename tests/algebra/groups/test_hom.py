"""Equivariant bases between composite representations (``symgen/algebra/groups/hom.py``): Kronecker
products for external products, real forms of complex representations, user classes, certificates."""

import warnings

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

from symgen import groups, reps
from symgen.algebra.groups import constraint_error
from symgen.errors import CertificationError, CertificationWarning, RepresentationError

from tests.algebra.groups.test_composite import Frequency

SO2, SO3, S3, SU2, U2 = groups.SO(2), groups.SO(3), groups.S(3), groups.SU(2), groups.U(2)


def _tensor(G, legs):
    return reps.Rep(G, (tuple(legs),))


@settings(max_examples=15)
@given(st.lists(st.sampled_from([1, -1]), max_size=2), st.lists(st.sampled_from([1, -1]), max_size=2),
       st.lists(st.sampled_from([1, -1]), max_size=2), st.lists(st.sampled_from([1, -1]), max_size=2))
def test_external_bases_are_kronecker_products_of_the_factors(a1, a2, b1, b2):
    rin = _tensor(SO3, a1) * _tensor(S3, a2)
    rout = _tensor(SO3, b1) * _tensor(S3, b2)
    B = reps.equivariant_basis(rin, rout)
    expected = (reps.certified_dimension(_tensor(SO3, a1), _tensor(SO3, b1))
                * reps.certified_dimension(_tensor(S3, a2), _tensor(S3, b2)))
    if not isinstance(rin, reps.ExternalProduct) or not isinstance(rout, reps.ExternalProduct):
        return      # a trivial factor on both sides: one group's tensor representation
    assert len(B) == expected
    assert constraint_error(B, rin, rout) < 1e-12
    np.testing.assert_allclose(np.einsum("kij,lij->kl", B, B), np.eye(len(B)), atol=1e-12)   # orthonormal


def test_tensor_reps_of_the_product_group_meet_external_products():
    G = SO3 * S3
    rin, rout = reps.V(SO3) ** 2 * reps.V(S3), reps.V(G) ** 2 + reps.Scalar(G)
    B = reps.equivariant_basis(rin, rout)
    assert reps.certificate(rin, rout).method == "characters"
    # (V1⊕V2)² ⊕ 1 ∋ V1²⊠1 (3·1), V1⊠V2 and V2⊠V1 (1·2 each), 1⊠V2² (1·5), 1 (1·1): 13
    assert len(B) == reps.certificate(rin, rout).dimension == 13
    assert constraint_error(B, rin, rout) < 1e-12


def test_exact_external_basis_matches_the_numeric_span():
    rin, rout = reps.V(SO3) * reps.V(S3), reps.V(SO3) * reps.V(S3) + reps.V(SO3)
    exact = reps.equivariant_basis(rin, rout, exact=True)
    numeric = reps.equivariant_basis(rin, rout)
    E = np.array([np.array(W.tolist(), dtype=float).ravel() for W in exact])
    assert np.linalg.matrix_rank(np.vstack([E, numeric.reshape(len(numeric), -1)])) == len(numeric) == len(E)
    for W in exact:
        for h in (SO3 * S3).discrete_generators:
            assert rout.rho(sympy.Matrix(h)) * W == W * rin.rho(sympy.Matrix(h))


@pytest.mark.parametrize("G, expected", [(SU2, 4), (U2, 2)], ids=str)
def test_real_forms(G, expected):
    """dim Hom(ℝV, ℝV) = 2 (dim Hom(V, V) + dim Hom(V̄, V)): SU(2) has V̄ ≅ V, U(2) does not."""
    R = reps.V(G).realify()
    B = reps.equivariant_basis(R, R)
    assert len(B) == expected and B.dtype == np.float64
    assert reps.certificate(R, R) == reps.Certificate(expected, "characters")
    assert constraint_error(B, R, R) < 1e-12


@pytest.mark.parametrize("n", [2, 3])
def test_complex_bases_agree_with_a_user_declared_unitary_group(n):
    """SU(n) by its complex generators as a user would declare it: the null space over ℂ."""
    named = groups.SU(n)
    G = groups.MatrixGroup(lie_generators=named.lie_generators)
    V = reps.V(G)
    for rin, rout in [(V * V.T, reps.Scalar(G)), (V, V), (V ** 2, V ** 2), (V ** n, reps.Scalar(G))]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)      # no imaginary part dropped
            B = reps.equivariant_basis(rin, rout, certify=False)
        terms = lambda r: reps.Rep(named, r.terms)      # noqa: E731
        assert len(B) == reps.certified_dimension(terms(rin), terms(rout))
        assert constraint_error(B, rin, rout) < 1e-10


def test_user_representations():
    psi = {k: Frequency(SO2, k) for k in (1, 2, 3)}
    V = reps.V(SO2)
    assert len(reps.equivariant_basis(psi[2], psi[2])) == 2          # SO(2) irreps are of complex type
    assert len(reps.equivariant_basis(psi[2], psi[3])) == 0
    assert len(reps.equivariant_basis(psi[1], V)) == 2                # ψ1 is V
    assert len(reps.equivariant_basis(psi[1] * psi[2], psi[3] + psi[1])) == 4   # ψ1⊗ψ2 = ψ3 ⊕ ψ1
    assert reps.certificate(psi[2], V ** 2).method == "modular"
    B = reps.equivariant_basis(psi[1] + psi[2], V ** 2 + psi[3])
    assert constraint_error(B, psi[1] + psi[2], V ** 2 + psi[3]) < 1e-12


class Sheared(Frequency):
    """ψ_k in the basis of an irrational shear P: ρ' = P ρ P⁻¹ (constraints with irrational entries)."""

    P = np.array([[1.0, np.sqrt(2)], [0.0, 1.0]])

    def rho(self, g):
        return self.P @ super().rho(g) @ np.linalg.inv(self.P)

    def drho(self, A):
        return self.P @ super().drho(A) @ np.linalg.inv(self.P)


def test_user_representations_without_a_certificate_warn_or_raise():
    R = Sheared(SO2, 1)
    with pytest.warns(CertificationWarning, match="not certified"):
        assert len(reps.equivariant_basis(R, R)) == 2
    with pytest.raises(CertificationError, match="not certified"):
        reps.equivariant_basis(R, R, certify=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(reps.equivariant_basis(R, R, certify=False)) == 2
    assert reps.certificate(R, R).method == "none" and "integer constraints" in reps.certificate(R, R).reason


def test_a_wrong_user_representation_is_caught_by_the_certificate():
    """Frequency 3/2 on C(4) is no representation: the generator's constraint allows no map to V,
    the characters summed over the group's elements count one."""
    G = groups.C(4)
    with pytest.raises(CertificationError, match="certified dimension is 1"):
        reps.equivariant_basis(Frequency(G, 1.5), reps.V(G))


def test_exact_bases_need_sympy_rho():
    with pytest.raises(RepresentationError, match="SymPy"):
        reps.equivariant_basis(Frequency(SO2, 1), reps.V(SO2), exact=True)


def test_plane_rotation_groups_are_exact():
    for k in (3, 5, 8):
        G = groups.C(k)
        assert G.order() == k and groups.D(k, action="plane").order() == 2 * k
        V = reps.V(G)
        B = reps.equivariant_basis(V ** 2, V ** 2)
        assert len(B) == reps.certificate(V ** 2, V ** 2).dimension
        if k == 5:      # exact over Q(cos 2π/5, sin 2π/5) takes ~14 s (nested radicals): numeric only
            continue
        exact = reps.equivariant_basis(V, V ** 2, exact=True)
        h = G.discrete_generators[0]
        for W in exact:
            assert sympy.simplify((V ** 2).rho(h) * W - W * V.rho(h)) == sympy.zeros(4, 2)


def test_a_complex_finite_group():
    """The quaternion group Q8 ⊂ SU(2) from complex generators: enumerated over ℚ(i), bases over ℂ,
    certified by its characters (V⊗V = four one-dimensional irreps)."""
    i = sympy.I
    G = groups.MatrixGroup(discrete_generators=[sympy.Matrix([[i, 0], [0, -i]]), sympy.Matrix([[0, 1], [-1, 0]])])
    assert G.is_complex and G.order() == 8 and G.elements().dtype == np.complex128
    V = reps.V(G)
    for rin, rout, expected in [(V * V.T, reps.Scalar(G), 1), (V ** 2, V ** 2, 4), (V, V, 1)]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)      # no imaginary part dropped
            B = reps.equivariant_basis(rin, rout)
        assert len(B) == expected == reps.certificate(rin, rout).dimension
        assert constraint_error(B, rin, rout) < 1e-12
