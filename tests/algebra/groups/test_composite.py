"""Composite representations: sums, products and duals of any kinds, external products of
representations of different groups, real forms, and a user's own ``Rep`` subclass."""

import pickle

import numpy as np
import pytest
import scipy.linalg
import sympy
from hypothesis import given, strategies as st

from symgen import groups, reps
from symgen.errors import RepresentationError


class Frequency(reps.Rep):
    """SO(2) on ℝ² rotating k times as fast (the real irreducible representation of frequency k)."""

    size = 2

    def __init__(self, G, k):
        super().__init__(G)
        self.k = k

    def __eq__(self, other):
        return type(other) is Frequency and (other.G, other.k) == (self.G, self.k)

    def __hash__(self):
        return hash((self.G, self.k))

    def __repr__(self):
        return f"ψ{self.k}"

    def rho(self, g):
        t = self.k * np.arctan2(g[..., 1, 0], g[..., 0, 0])
        c, s = np.cos(t), np.sin(t)
        return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)

    def drho(self, A):
        return self.k * np.asarray(A, dtype=float)


SO2, SO3, S4, SU2 = groups.SO(2), groups.SO(3), groups.S(4), groups.SU(2)


def composite_reps():
    V2, V3, W = reps.V(SO2), reps.V(SO3), reps.V(S4)
    U = reps.V(SU2)
    return {
        "user-sum": Frequency(SO2, 2) + V2 + reps.Scalar(SO2),
        "user-product": Frequency(SO2, 1) * Frequency(SO2, 3) * V2,
        "user-dual": (Frequency(SO2, 2) + V2 * V2).T,
        "external": V3 ** 2 * W + V3 + W.T,
        "external-repeated": V3 * W * V3,
        "real-form": U.realify() * U.realify() + U.T.realify(),
    }


CASES = composite_reps()


@pytest.mark.parametrize("name", CASES)
def test_rho_is_a_homomorphism(name):
    R = CASES[name]
    g, h = R.G.sample(3, seed=0), R.G.sample(3, seed=1)
    a, b, ab = R.rho(g), R.rho(h), R.rho(g @ h)
    assert a.shape == (3, R.size, R.size) and not np.iscomplexobj(a)
    np.testing.assert_allclose(a @ b, ab, atol=1e-10 * max(1, np.abs(ab).max()))
    np.testing.assert_allclose(R.rho(np.eye(R.G.d)), np.eye(R.size), atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_drho_is_the_derivative_of_rho(name):
    R, t = CASES[name], 1e-6
    for A in R.G.lie_basis():
        fd = (R.rho(scipy.linalg.expm(t * A)) - R.rho(scipy.linalg.expm(-t * A))) / (2 * t)
        np.testing.assert_allclose(fd, R.drho(A), atol=1e-6)


@pytest.mark.parametrize("name", CASES)
def test_values_pickle_and_compare(name):
    R = CASES[name]
    again = composite_reps()[name]
    assert R == again and hash(R) == hash(again)
    assert pickle.loads(pickle.dumps(R)) == R
    assert R.T.T == R or name.startswith("user-dual")


def test_character_from_traces_is_the_trace():
    R = CASES["real-form"]
    g = SU2.sample(4, seed=3)
    tr, tr_inv = np.trace(g, axis1=1, axis2=2), np.trace(np.linalg.inv(g), axis1=1, axis2=2)
    np.testing.assert_allclose(R.character_from_traces(tr, tr_inv), np.trace(R.rho(g), axis1=1, axis2=2),
                               atol=1e-12)
    assert not hasattr(CASES["user-sum"], "character_from_traces")


def test_external_products_act_factor_by_factor():
    R = reps.V(SO3) * reps.V(S4)
    assert R.G == SO3 * S4 and R.size == 12 and repr(R) == "V[SO(3)]⊠V[S(4)]"
    g = R.G.sample(2, seed=0)
    np.testing.assert_allclose(R.rho(g), np.einsum("nij,nkl->nikjl", g[:, :3, :3], g[:, 3:, 3:]).reshape(2, 12, 12))
    h = sympy.diag(sympy.Matrix([[0, -1, 0], [1, 0, 0], [0, 0, 1]]), sympy.Matrix(4, 4, lambda i, j: int(j == (i + 1) % 4)))
    np.testing.assert_allclose(np.array(R.rho(h), dtype=float), R.rho(np.array(h, dtype=float)))


def test_the_dual_of_an_external_product_is_external():
    R = reps.V(SO3) ** 2 * reps.V(S4).T
    assert R.T == reps.V(SO3).T ** 2 * reps.V(S4) and isinstance(R.T, reps.ExternalProduct)
    g = R.G.sample(2, seed=4)
    np.testing.assert_allclose(R.T.rho(g), np.swapaxes(np.linalg.inv(R.rho(g)), 1, 2), atol=1e-12)


def test_sums_lift_factor_representations_and_refuse_strangers():
    R = reps.V(SO3) * reps.V(S4)
    assert (R + reps.V(SO3)).G == R.G and (reps.V(S4) + R).size == 16
    with pytest.raises(RepresentationError, match="different groups"):
        reps.V(SO3) + reps.V(S4)
    with pytest.raises(RepresentationError, match="different groups"):
        R + reps.V(SO2)
    with pytest.raises(RepresentationError, match="product group"):
        reps.V(SO3 * S4) * reps.V(SO2)


def test_a_subclass_without_size_is_refused():
    class NoSize(reps.Rep):
        def rho(self, g):
            return g

    with pytest.raises(RepresentationError, match="size"):
        NoSize(SO3) + reps.V(SO3)

    class NoDrho(NoSize):
        size = 3

    with pytest.raises(RepresentationError, match="does not define drho"):
        reps.equivariant_basis(NoDrho(SO3), reps.V(SO3))


@given(st.integers(1, 3), st.integers(0, 2))
def test_tensor_powers_of_user_reps(k, n):
    R = Frequency(SO2, k) ** n
    assert R.size == 2 ** n
    g = SO2.sample(2, seed=k)
    np.testing.assert_allclose(R.rho(g) @ R.rho(g).swapaxes(1, 2), np.broadcast_to(np.eye(R.size), (2, R.size, R.size)),
                               atol=1e-12)
