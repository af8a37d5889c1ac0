"""EMLP's test matrix, re-expressed against symgen.

The cases are written from the published lists of mfinzi/equivariant-MLP:
``tests/equivariance_tests.py`` (``test_sum``, ``test_prod``, ``test_high_rank_representations``,
``test_equivariant_matrix``, ``test_bilinear_layer``, ``test_large_representations``),
``tests/product_groups_tests.py`` (mixed tensors of SO(3)×S(5) and S(5)×SO(3)) and
``tests/model_tests.py`` (EMLP on the groups and representations of its datasets, a bespoke
representation of a product group), over the groups of ``tests/emlp_groups.py`` (EMLP's 30 and the
issue's additions: U(n), SL(n), GL(n), the cube). Every basis is checked equivariant on sampled
elements (relative error ≤ 1e-10) and its dimension against an independent count: the certificate
(character integral over the group, or the modular count of the exact constraints) or, for large
permutation groups without one, the number of orbits of the index tuples computed by
``sympy.combinatorics``. Cases measured above 5 s are marked ``slow`` with their time
(``benchmarks/RESULTS.md``, "EMLP's test matrix").
"""

import functools

import numpy as np
import pytest
import torch
from sympy.combinatorics import Permutation, PermutationGroup

from symgen import groups, reps
from symgen.nn import EMLP, EquivariantBilinear
from symgen.nn.groups.emlp import uniform_rep
from symgen.testing import assert_equivariant

from tests.emlp_groups import EMLP_GROUPS, ORDERS

TOL = 1e-10
_BUILT = {}


def group(name):
    if name not in _BUILT:
        _BUILT[name] = EMLP_GROUPS[name]()
    return _BUILT[name]


def T(G, p, q=0):
    """EMLP's ``T(p, q)``: ``V^p ⊗ (V*)^q``."""
    return reps.V(G) ** p * reps.V(G).T ** q


def _is_orthogonal(G):
    """EMLP skips ``q > 0`` for groups with ``V* = V`` (orthogonal matrices)."""
    H = np.concatenate([G.lie_basis().reshape(-1, G.d, G.d) + np.swapaxes(G.lie_basis(), 1, 2),
                        G.discrete_basis() @ np.swapaxes(G.discrete_basis(), 1, 2) - np.eye(G.d)])
    return not G.is_complex and np.abs(H).max(initial=0) < 1e-12


def _apply(rep, g, X, side):
    """``ρ(g) X`` (``side="left"``, X ``(k, size, m)``) or ``X ρ(g)`` (``"right"``, ``(k, m, size)``);
    tensor representations by ``act`` (ρ is never formed), other kinds densely."""
    if isinstance(rep, reps.TensorRep):
        if side == "left":
            return np.swapaxes(rep.act(g, np.swapaxes(X, 1, 2)), 1, 2)
        return rep.T.act(np.linalg.inv(g), X)      # X ρ(g): rows by ρ(g)ᵀ = ρ*(g⁻¹)
    r = rep.rho(g)
    return r @ X if side == "left" else X @ r


def equivariance_residual(B, rep_in, rep_out, n=3):
    """Largest ``|ρ_out(g) W − W ρ_in(g)|_F / max(1, |ρ_out(g) W|_F, |W ρ_in(g)|_F)``."""
    if len(B) == 0:
        return 0.0
    worst = 0.0
    for g in rep_in.G.sample(n, seed=0):
        left, right = _apply(rep_out, g, B, "left"), _apply(rep_in, g, B, "right")
        scale = np.maximum(1.0, np.maximum(np.linalg.norm(left, axis=(1, 2)), np.linalg.norm(right, axis=(1, 2))))
        worst = max(worst, float((np.linalg.norm(left - right, axis=(1, 2)) / scale).max()))
    return worst


@functools.cache
def _orbits(G, k):
    """Number of orbits of ``G`` (a permutation group) on index tuples of length ``k``."""
    if k == 0:
        return 1
    d = G.d
    perms = [np.argmax(h, axis=0) for h in G.discrete_basis()]
    idx = np.arange(d ** k).reshape((d,) * k)
    induced = []
    for p in perms:
        image = np.zeros(d ** k, dtype=np.int64)
        coords = np.unravel_index(idx.ravel(), (d,) * k)
        image[idx.ravel()] = np.ravel_multi_index(tuple(p[c] for c in coords), (d,) * k)
        induced.append(Permutation(image.tolist()))
    return len(PermutationGroup(induced).orbits())


def independent_count(rep_in, rep_out):
    cert = reps.certificate(rep_in, rep_out)
    if cert.dimension is not None:
        return cert.dimension
    G = rep_in.G
    assert G.is_finite and all(isinstance(r, reps.TensorRep) for r in (rep_in, rep_out)), cert.reason
    return sum(_orbits(G, len(mi) + len(mo)) for mi in rep_in.terms for mo in rep_out.terms)


def check(rep_in, rep_out):
    B = reps.equivariant_basis(rep_in, rep_out, certify=False)
    assert B.shape[1:] == (rep_out.size, rep_in.size)
    assert equivariance_residual(B, rep_in, rep_out) <= TOL
    assert len(B) == independent_count(rep_in, rep_out), (rep_in, rep_out)
    return B


def invariants(rep):
    return check(reps.Scalar(rep.G), rep)


# -- the groups ------------------------------------------------------------------------------

#: Cases measured above 5 s, in seconds, on the shared 2-core box (benchmarks/RESULTS.md): out of the
#: default run; ``-m slow`` runs them. Measured with this file after merging main (structured bases,
#: classical recognition of declared groups) at load 5, 2026-12-01: every other case is under 2.5 s
#: (before that merge, at load 8-11, 15 more were 4-103 s: SO(2)-T10, SO(1,3)⁺-T5, Sp(2)-T10, ...).
SLOW = {("high_rank", "SO(1,1)+-T10"): 16.2}


def cases(test, names):
    return [pytest.param(n, id=n, marks=[pytest.mark.slow] if (test, n) in SLOW else []) for n in names]


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_declared_permutation_groups_have_their_orders(name):
    G = group(name)
    perms = [Permutation(np.argmax(h, axis=0).tolist()) for h in G.discrete_basis()]
    assert PermutationGroup(perms).order() == ORDERS[name]


# -- equivariance_tests.py -----------------------------------------------------------------------

@pytest.mark.parametrize("name", cases("sum", EMLP_GROUPS))
def test_sum(name):
    G = group(name)
    rep = (T(G, 0, 2) + 3 * (T(G, 0) + T(G, 1)) + T(G, 0) + T(G, 1, 1) + 2 * T(G, 1) + T(G, 0, 2)
           + T(G, 0, 1) + 3 * T(G, 0, 2) + T(G, 2, 0))
    invariants(rep)


@pytest.mark.parametrize("name", cases("prod", [n for n in EMLP_GROUPS if group(n).d < 5]))
def test_prod(name):
    G = group(name)
    V, S = reps.V(G), reps.Scalar(G)
    invariants(V.T * S * V ** 2 * V * S ** 3 * V.T)


def max_rank(G):
    """EMLP's bound: ranks ``p + q ≤ 10`` with ``num_constraints · d^(3(p+q)) ≤ 1e11``."""
    n = len(G.lie_generators) + len(G.discrete_generators)
    return max(r for r in range(11) if n * G.d ** (3 * r) <= 1e11)


HIGH_RANK = [(name, r) for name in EMLP_GROUPS for r in range(max_rank(group(name)) + 1)]


@pytest.mark.parametrize("name, r", [pytest.param(n, r, id=f"{n}-T{r}",
                                                  marks=[pytest.mark.slow] if ("high_rank", f"{n}-T{r}") in SLOW else [])
                                     for n, r in HIGH_RANK])
def test_high_rank_representations(name, r):
    G = group(name)
    for q in ([0] if _is_orthogonal(G) else range(r + 1)):     # EMLP: only T(r, 0) when V* = V
        invariants(T(G, r - q, q))


MATRIX_CASES = {
    "SO(3)-a": ("SO(3)", lambda G: T(G, 1) + 2 * T(G, 0), lambda G: T(G, 1) + T(G, 2) + 2 * T(G, 0) + T(G, 1)),
    "SO(3)-b": ("SO(3)", lambda G: 5 * T(G, 0) + 5 * T(G, 1), lambda G: 3 * T(G, 0) + T(G, 2) + 2 * T(G, 1)),
    "SO(3)-c": ("SO(3)", lambda G: 5 * (T(G, 0) + T(G, 1)), lambda G: 2 * (T(G, 0) + T(G, 1)) + T(G, 2) + T(G, 1)),
    "SO(4)": ("SO(4)", lambda G: T(G, 1) + 2 * T(G, 2), lambda G: (T(G, 0) + T(G, 3)) * T(G, 0)),
    "SO(1,3)+": ("SO(1,3)+", lambda G: T(G, 2) + 4 * T(G, 1, 0) + T(G, 0, 1),
                 lambda G: 10 * T(G, 0) + 3 * T(G, 1, 0) + 3 * T(G, 0, 1) + T(G, 0, 2) + T(G, 2, 0) + T(G, 1, 1)),
    "Sp(4)": ("Sp(4)", lambda G: (reps.V(G) + 2 * reps.V(G) ** 2) * (reps.V(G).T + 1 * reps.V(G)).T + reps.V(G).T,
              lambda G: 3 * reps.V(G) ** 0 + reps.V(G) + reps.V(G) * reps.V(G).T),
    "SU(3)": ("SU(3)", lambda G: T(G, 2, 0) + T(G, 1, 1) + T(G, 0) + 2 * T(G, 0, 1),
              lambda G: T(G, 1, 1) + reps.V(G) + reps.V(G).T + T(G, 0) + T(G, 2, 0) + T(G, 0, 2)),
}


@pytest.mark.parametrize("case", cases("matrix", MATRIX_CASES))
def test_equivariant_matrix(case):
    name, rin, rout = MATRIX_CASES[case]
    G = groups.Sp(4) if name == "Sp(4)" else group(name)
    check(rin(G), rout(G))


@pytest.mark.parametrize("name, rin, rout", [
    ("SO(3)", lambda G: 5 * T(G, 0) + 5 * T(G, 1), lambda G: 3 * T(G, 0) + T(G, 2) + 2 * T(G, 1)),
    ("SO(1,3)+", lambda G: 4 * T(G, 1, 0),
     lambda G: 10 * T(G, 0) + 3 * T(G, 1, 0) + 3 * T(G, 0, 1) + T(G, 0, 2) + T(G, 2, 0) + T(G, 1, 1)),
], ids=["SO(3)", "SO(1,3)+"])
def test_bilinear_layer(name, rin, rout):
    G = group(name)
    torch.manual_seed(0)
    layer = EquivariantBilinear(rin(G), rout(G), max_legs=4).double()
    assert_equivariant(layer)


def _uniform(G, channels):
    """symgen's ``uniform_rep`` (a V⁰ + b V + c V²); for complex groups the same tensor rep over ℂ."""
    if not G.is_complex:
        return uniform_rep(G, channels)
    third = channels // 3
    return third * reps.Scalar(G) + max(1, third // G.d) * reps.V(G) + max(1, third // G.d ** 2) * reps.V(G) ** 2


#: Permutation groups on many points: the dense invariants of V²→V² do not fit in memory.
DENSE_ORBITS_TOO_LARGE = ("RubiksCube", "Z2⋉(Z3×Z3)", "Z4⋉(Z3×Z3)")


@pytest.mark.parametrize("name", cases("large", EMLP_GROUPS))
def test_large_representations(name):
    """EMLP projects one random matrix onto Hom_G(rep, rep) for 256 channels. The dense basis
    ``(k, n, n)`` would need gigabytes (SO(2): k ≈ 18 000, n = 253), so, as EMLP does, one random
    equivariant map is assembled block by block from the bases of the distinct pairs of summands,
    checked equivariant, and the blocks' counts summed against the character integral of the whole."""
    G = group(name)
    if name in DENSE_ORBITS_TOO_LARGE:
        pytest.skip(f"the V²→V² block's invariants are {G.d ** 4:,}-entry dense orbit indicators, one per orbit "
                    f"of {name} on 4-tuples (thousands): structured projectors are issue 16 part 3")
    rep = _uniform(G, 256)
    rng, bases, total = np.random.default_rng(0), {}, 0
    W = np.zeros((rep.size, rep.size), dtype=np.complex128 if G.is_complex else np.float64)
    for oo, osz, mo in rep.blocks():
        for io, isz, mi in rep.blocks():
            if (mi, mo) not in bases:
                bases[mi, mo] = reps.equivariant_basis(reps.Rep(G, (mi,)), reps.Rep(G, (mo,)), certify=False)
            B = bases[mi, mo]
            W[oo:oo + osz, io:io + isz] = np.einsum("k,kij->ij", rng.standard_normal(len(B)), B)
            total += len(B)
    assert equivariance_residual(W[None], rep, rep) <= TOL
    assert total == independent_count(rep, rep)


# -- product_groups_tests.py ----------------------------------------------------------------------

PAIRS = [("SO(3)", "S(5)"), ("S(5)", "SO(3)")]


def _pair(names):
    G1, G2 = (groups.S(5) if n == "S(5)" else group(n) for n in names)
    return G1, G2


@pytest.mark.parametrize("names", PAIRS, ids=lambda p: "×".join(p))
def test_symmetric_mixed_tensor(names):
    G1, G2 = _pair(names)
    rep = T(G1, 2) * T(G2, 1)
    B = invariants(rep)
    # independent: the product of the factors' counts
    assert len(B) == reps.certified_dimension(reps.Scalar(G1), T(G1, 2)) * reps.certified_dimension(
        reps.Scalar(G2), T(G2, 1))


@pytest.mark.parametrize("names", PAIRS, ids=lambda p: "×".join(p))
def test_symmetric_mixed_tensor_sum(names):
    G1, G2 = _pair(names)
    # EMLP writes T(2)(G1)*T(1)(G2) + 2*T(0)(G1)*T(2)(G2) + T(1)(G1) + T(1)(G2); a factor's
    # representation joins a sum that already is of G1×G2
    rep = T(G1, 2) * T(G2, 1) + 2 * T(G1, 0) * T(G2, 2) + T(G1, 1) + T(G2, 1)
    B = invariants(rep)
    count = lambda G, k: reps.certified_dimension(reps.Scalar(G), T(G, k))   # noqa: E731
    assert len(B) == count(G1, 2) * count(G2, 1) + 2 * count(G2, 2) + count(G1, 1) + count(G2, 1)


@pytest.mark.parametrize("names", PAIRS, ids=lambda p: "×".join(p))
def test_symmetric_mixed_products(names):
    G1, G2 = _pair(names)
    rep1 = T(G1, 0) + 2 * T(G1, 1) + T(G1, 2)
    rep2 = T(G2, 0) + T(G2, 1)
    B = invariants(rep2 * rep1.T)
    assert len(B) == (reps.certified_dimension(rep1, reps.Scalar(G1))
                      * reps.certified_dimension(reps.Scalar(G2), rep2))


@pytest.mark.parametrize("names", PAIRS, ids=lambda p: "×".join(p))
def test_product_equivariant_matrix(names):
    G1, G2 = _pair(names)
    # EMLP's repin = T(2)(G2) + 3*T(0)(G1) + T(1)(G2) + 2*T(2)(G1)*T(1)(G2), the product summand first
    rep_in = 2 * T(G1, 2) * T(G2, 1) + T(G2, 2) + 3 * T(G1, 0) + T(G2, 1)
    rep_out = T(G1, 1) * T(G2, 0) + T(G1, 2) * T(G2, 0) + T(G1, 1) * T(G2, 1) + T(G1, 0) + T(G1, 2) * T(G2, 1)
    B = check(rep_in, rep_out)
    # EMLP's repW = repout * repin.T: its invariants are these maps (counted, not solved: 8979 dims)
    assert reps.certificate(reps.Scalar(rep_in.G), rep_out * rep_in.T).dimension == len(B)


# -- model_tests.py ---------------------------------------------------------------------------------

DATASETS = {   # EMLP's datasets: (group, rep_in, rep_out)
    "Inertia": ("O(3)", lambda G: 5 * T(G, 0) + 5 * T(G, 1), lambda G: T(G, 2)),
    "O5Synthetic": ("O(5)", lambda G: 2 * T(G, 1), lambda G: T(G, 0)),
    "ParticleInteraction": ("O(1,3)", lambda G: 4 * T(G, 1), lambda G: T(G, 0)),
    "InvertedCube": ("Cube", lambda G: 6 * T(G, 1), lambda G: 2 * T(G, 0)),
}


@pytest.mark.parametrize("dataset", cases("model", DATASETS))
def test_init_forward_and_equivariance(dataset):
    name, rin, rout = DATASETS[dataset]
    G = groups.O(5) if name == "O(5)" else group(name)
    torch.manual_seed(0)
    model = EMLP(rin(G), rout(G), hidden=48, depth=2).double()
    assert_equivariant(model)


class FactorRep(reps.Rep):
    """EMLP's bespoke ``ProductSubRep``: a product group acting through one factor's block."""

    def __init__(self, G, index):
        super().__init__(G)
        self.index = index
        offsets = np.cumsum([0] + [f.d for f in G.factors])
        self.block = slice(offsets[index], offsets[index + 1])
        self.size = G.factors[index].d

    def __eq__(self, other):
        return type(other) is FactorRep and (other.G, other.index) == (self.G, self.index)

    def __hash__(self):
        return hash((self.G, self.index))

    def __repr__(self):
        return f"V_{self.G.factors[self.index]}"

    def rho(self, g):
        return g[..., self.block, self.block]

    def drho(self, A):
        return A[..., self.block, self.block]


def test_bespoke_representations():
    G1, G2 = groups.SO(3), groups.S(5)
    G = G1 * G2
    rep_in, rep_out = FactorRep(G, 1) + reps.V(G), FactorRep(G, 0)
    B = check(rep_in, rep_out)
    assert len(B) == 1     # V_S(5) ⊕ V_SO(3) ⊕ V_S(5) → V_SO(3): only the identity on V_SO(3)
    torch.manual_seed(0)
    assert_equivariant(EMLP(rep_in, rep_out, hidden=32, depth=2).double())
