"""Canonicalize: exact equivariance (float64 and float32, Hypothesis-drawn inputs and elements),
the canonical element itself, ties and degenerate outputs, gradients, the canonicalization
prior, and errors. Pickling rows live in tests/test_checkpoints.py."""

import functools

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from symgen import groups, reps
from symgen.errors import DegenerateFrameError, FrameError, RepresentationError, ShapeError
from symgen.nn import EMLP, Canonicalize, canonicalization_prior_loss
from symgen.testing import assert_equivariant, strategies as sst

TOL = 1e-10
V, S = reps.V, reps.Scalar


def mlp(n_in, n_out, seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(n_in, 32), torch.nn.SiLU(), torch.nn.Linear(32, n_out))


def point_cloud(G, rep):
    """Gaussian inputs of ``rep``; for SE/E its V channels are points (homogeneous coordinate 1)."""
    def make(seed):
        x = np.random.default_rng(seed).normal(size=(3, rep.size))
        if isinstance(G, groups.SE):
            for off, n, mono in rep.blocks():
                if mono == (1,):
                    x[:, off + n - 1] = 1.0
        return torch.tensor(x)
    return st.integers(0, 2**31 - 1).map(make)


def integer_features(G, rep):
    """Small integers: exact ties between nodes of S(n), inputs fixed by elements of D(4)."""
    return arrays(np.float64, (3, rep.size), elements=st.integers(-2, 2).map(float)).map(torch.tensor)


CASES = {  # name: (group, rep_in, rep_out, inputs)
    "O(3)": (lambda: groups.O(3), lambda G: 5 * V(G) + S(G), lambda G: V(G) + V(G) ** 2 + S(G), point_cloud),
    "SO(3)": (lambda: groups.SO(3), lambda G: 2 * V(G), lambda G: V(G) + V(G) ** 2 + S(G), point_cloud),
    "E(3)": (lambda: groups.E(3), lambda G: 6 * V(G), lambda G: V(G) + S(G), point_cloud),
    "O(1,3)": (lambda: groups.O(1, 3), lambda G: 5 * V(G), lambda G: V(G) + V(G).T * V(G) + S(G), point_cloud),
    "S(5)": (lambda: groups.S(5), lambda G: 2 * V(G) + V(G) ** 2, lambda G: V(G) + S(G), integer_features),
    "D(4)": (lambda: groups.D(4), lambda G: V(G) + V(G) ** 2, lambda G: V(G) + S(G), integer_features),
}


@functools.cache
def model(name, dtype=torch.float64):
    make_G, make_in, make_out, _ = CASES[name]
    G = make_G()
    rep_in, rep_out = make_in(G), make_out(G)
    torch.manual_seed(1)
    return Canonicalize(mlp(rep_in.size, rep_out.size), "auto", rep_in, rep_out).to(dtype)


@pytest.mark.parametrize("name", CASES)
def test_canonicalize_is_exactly_equivariant(name):
    m = model(name)
    G, inputs = m.rep_in.G, CASES[name][3]

    @settings(max_examples=15)
    @given(x=inputs(G, m.rep_in), g=sst.group_elements(G))
    def check(x, g):
        assert assert_equivariant(m, inputs=x, elements=g, tolerance=TOL) <= TOL

    check()


@pytest.mark.parametrize("name", CASES)
def test_the_canonical_element_moves_with_the_input(name):
    """h(g·x) = g h(x): the element, not only the output, is equivariant."""
    m = model(name)
    G = m.rep_in.G
    rng = np.random.default_rng(3)
    x = torch.tensor(rng.normal(size=(4, m.rep_in.size)))
    if isinstance(G, groups.SE):
        x.view(4, -1, G.d)[..., -1] = 1.0
    g = torch.tensor(G.sample(4, seed=4))
    with torch.no_grad():
        h, w, _ = m.canonical_elements(x)
        hg, wg, _ = m.canonical_elements(m.rep_in.act(g, x))
    assert h.shape[1] == 1 and torch.all(w == 1)
    torch.testing.assert_close(hg[:, 0], g @ h[:, 0], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", ["O(3)", "E(3)", "O(1,3)", "S(5)", "D(4)"])
def test_float32(name):
    m = model(name, torch.float32)
    assert assert_equivariant(m, seed=0) <= 2e-3


def test_backbone_alone_is_not_equivariant_and_backbone_sees_canonical_inputs():
    m = model("O(3)")
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(m.backbone.double(), rep_in=m.rep_in, rep_out=m.rep_out, seed=0)
    seen = []
    m.backbone.register_forward_hook(lambda mod, args, out: seen.append(args[0]))
    x = torch.randn(3, m.rep_in.size, dtype=torch.float64)
    g = torch.tensor(m.rep_in.G.sample(1, seed=0)[0])
    with torch.no_grad():
        m(x), m(m.rep_in.act(g, x))
    m.backbone._forward_hooks.clear()
    torch.testing.assert_close(seen[0], seen[1], rtol=1e-10, atol=1e-10)     # ρ(h)⁻¹ x is invariant


def test_tied_scores_average_over_the_ties():
    """S(4) with two equal nodes: their scores tie (up to round-off) and both orders are averaged."""
    G = groups.S(4)
    m = Canonicalize(mlp(4, 4).double(), "auto", V(G), V(G)).double()
    x = torch.tensor([[0.3, -1.0, 0.3, 2.0]], dtype=torch.float64)
    h, w, _ = m.canonical_elements(x)
    assert w.tolist() == [[0.5, 0.5]]
    perms = [torch.tensor(G.elements()[k]) for k in range(G.order())]
    for p in perms:
        torch.testing.assert_close(m(m.rep_in.act(p, x)), m.rep_out.act(p, m(x)), rtol=1e-12, atol=1e-12)


def test_an_invariant_input_of_a_finite_group_averages_the_whole_group():
    G = groups.D(4)
    m = Canonicalize(mlp(4, 4).double(), "auto", V(G), V(G)).double()
    x = torch.ones(1, 4, dtype=torch.float64)
    h, w, _ = m.canonical_elements(x)
    assert (w > 0).sum() == 8
    y = m(x)
    torch.testing.assert_close(y, y[:, :1].expand(1, 4))       # a D(4)-invariant vector


def test_too_few_vectors_for_O3_raise():
    """Two vectors span a plane; no O(3)-equivariant map makes a third: Gram–Schmidt fails loudly."""
    G = groups.O(3)
    m = Canonicalize(mlp(6, 3).double(), "auto", 2 * V(G), V(G)).double()
    with pytest.raises(DegenerateFrameError, match="sample 0: only 2 of the 8"):
        m(torch.randn(2, 6, dtype=torch.float64))
    with pytest.raises(DegenerateFrameError, match="independent"):
        model("O(3)")(torch.zeros(1, 16, dtype=torch.float64))


def test_directions_only_give_no_translation():
    G = groups.SE(2)

    class Directions(torch.nn.Module):          # equivariant, but every output has w = 0
        rep_out = 3 * V(G)

        def forward(self, x):
            return x * torch.tensor([1.0, 1.0, 0.0] * 3, dtype=x.dtype)

    m = Canonicalize(mlp(9, 3).double(), Directions(), 3 * V(G), V(G), fallback=False).double()
    with pytest.raises(DegenerateFrameError, match="homogeneous coordinate 0"):
        m(torch.randn(2, 9, dtype=torch.float64))


def test_fallback_on_the_inputs_vectors():
    """A canonicalizer whose vectors are all parallel: Gram–Schmidt completes the element from
    the input's vectors (equivariantly), or raises with fallback=False."""
    G = groups.O(3)

    class Parallel(torch.nn.Module):            # equivariant, rank 1: three copies of the first vector
        rep_out = 3 * V(G)

        def forward(self, x):
            return x[:, :3].repeat(1, 3)

    rep_in = 4 * V(G)
    with pytest.raises(DegenerateFrameError, match="only 1 of the 3"):
        Canonicalize(mlp(12, 3).double(), Parallel(), rep_in, V(G), fallback=False).double()(
            torch.randn(2, 12, dtype=torch.float64))
    m = Canonicalize(mlp(12, 3).double(), Parallel(), rep_in, V(G)).double()
    assert "falling back" in repr(m)
    assert assert_equivariant(m, seed=0, tolerance=TOL) <= TOL


@pytest.mark.parametrize("name", ["O(3)", "E(3)", "O(1,3)"])
def test_gradients_reach_backbone_and_canonicalizer(name):
    m = model(name)
    m.zero_grad()
    x = torch.tensor(np.random.default_rng(0).normal(size=(4, m.rep_in.size)))
    if isinstance(m.rep_in.G, groups.SE):
        x.view(4, -1, m.rep_in.G.d)[..., -1] = 1.0
    m(x).pow(2).sum().backward()
    for part in (m.backbone, m.canonicalizer):
        grads = [p.grad for p in part.parameters() if p.grad is not None]
        assert grads and sum(float(g.abs().sum()) for g in grads) > 0
        assert all(bool(torch.isfinite(g).all()) for g in grads)


@pytest.mark.parametrize("name", CASES)
def test_prior_loss_is_zero_on_canonical_inputs(name):
    m = model(name)
    x = torch.tensor(np.random.default_rng(5).normal(size=(6, m.rep_in.size)))
    if isinstance(m.rep_in.G, groups.SE):
        x.view(6, -1, m.rep_in.G.d)[..., -1] = 1.0
    with torch.no_grad():
        h = m.canonical_elements(x).elements[:, 0]
        upright = m.rep_in.act(torch.linalg.inv(h), x)
        assert float(canonicalization_prior_loss(m, upright)) <= 1e-20
        assert float(canonicalization_prior_loss(m, m.rep_in.act(torch.tensor(m.rep_in.G.sample(6, seed=1)), x))) > 0


@pytest.mark.parametrize("name", ["SO(3)", "S(5)", "D(4)"])
def test_prior_loss_decreases_under_training(name):
    make_G, make_in, make_out, _ = CASES[name]
    G = make_G()
    rep_in = make_in(G)
    torch.manual_seed(0)
    m = Canonicalize(torch.nn.Identity(), "auto", rep_in, rep_in).double()
    rng = np.random.default_rng(6)       # upright data: one configuration, a little noise
    x = torch.tensor(rng.normal(size=(1, rep_in.size)) + 0.1 * rng.normal(size=(32, rep_in.size)))
    opt = torch.optim.Adam(m.canonicalizer.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        loss = canonicalization_prior_loss(m, x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0], losses


def test_user_canonicalizer_needs_its_output_rep():
    G = groups.SO(3)
    emlp = EMLP(4 * V(G), 3 * V(G), hidden=27, depth=1).double()
    plain = torch.nn.Sequential(emlp)            # hides rep_out
    with pytest.raises(FrameError, match="canonical_rep="):
        Canonicalize(mlp(12, 3), plain, 4 * V(G), V(G))
    m = Canonicalize(mlp(12, 3).double(), plain, 4 * V(G), V(G), canonical_rep=3 * V(G)).double()
    assert assert_equivariant(m, seed=0) <= TOL
    with pytest.raises(FrameError, match="rep_out 3V"):
        Canonicalize(mlp(12, 3), emlp, 4 * V(G), V(G), canonical_rep=4 * V(G))


def test_bad_arguments():
    G = groups.O(3)
    with pytest.raises(RepresentationError, match="same group"):
        Canonicalize(mlp(3, 3), "auto", V(G), V(groups.SO(3)))
    with pytest.raises(FrameError, match="torch.nn.Module"):
        Canonicalize(lambda x: x, "auto", V(G), V(G))
    with pytest.raises(FrameError, match="'pca'"):
        Canonicalize(mlp(3, 3), "pca", V(G), V(G))
    with pytest.raises(FrameError, match="SO\\(3\\)"):
        Canonicalize(mlp(3, 3), EMLP(V(groups.SO(3)), 3 * V(groups.SO(3))), V(G), V(G))
    with pytest.raises(FrameError, match="no canonicalization rule for SL\\(3\\)"):
        Canonicalize(mlp(3, 3), "auto", V(groups.SL(3)), V(groups.SL(3)))
    m = model("O(3)")
    with pytest.raises(ShapeError, match=r"\(batch, 16\)"):
        m(torch.randn(2, 15, dtype=torch.float64))
    bad = Canonicalize(mlp(9, 2).double(), "auto", 3 * V(G), V(G)).double()
    with pytest.raises(ShapeError, match="backbone returned shape"):
        bad(torch.randn(2, 9, dtype=torch.float64))
    with pytest.raises(FrameError, match="takes a Canonicalize module"):
        canonicalization_prior_loss(mlp(3, 3), torch.randn(2, 3))
