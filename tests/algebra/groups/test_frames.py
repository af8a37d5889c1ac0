"""Frames: F(g·x) = g F(x) as weighted sets, degenerate inputs, NumPy and torch alike."""

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given, strategies as st

from symgen import groups, reps
from symgen.algebra.groups.frames import (ArgmaxFrame, ArgsortFrame, CallableFrame, GramSchmidtFrame, GroupFrame,
                                          PCAFrame, SortFrame, canonicalization_frame, frame_for)
from symgen.errors import DegenerateFrameError, FrameError, ShapeError
from symgen.testing import strategies as sst


def points(G, n, seed):
    """``n`` V-channels of ``G`` (homogeneous points for SE/E), Gaussian."""
    x = np.random.default_rng(seed).normal(size=(2, n, G.d))
    if isinstance(G, groups.SE):
        x[..., -1] = 1.0
    return x.reshape(2, n * G.d)


CASES = [(groups.O(3), 4), (groups.SO(3), 4), (groups.E(3), 6), (groups.SE(3), 6), (groups.O(1, 3), 5),
         (groups.SO(1, 3), 5), (groups.O(2), 3), (groups.S(5), 2), (groups.D(4), 1), (groups.Z(3), 1)]
IDS = [str(G) for G, _ in CASES]


def assert_same_weighted_set(a, wa, b, wb, tol):
    """Two weighted sets of matrices agree: each element of ``a`` (weight > 0) is in ``b``."""
    for h, w in zip(a[wa > 0], wa[wa > 0]):
        dist = np.abs(b - h).reshape(len(b), -1).max(-1)
        q = int(np.argmin(dist))
        assert dist[q] <= tol * max(1.0, np.abs(h).max()), dist[q]
        assert abs(wb[q] - w) < 1e-12


@pytest.mark.parametrize("G, n", CASES, ids=IDS)
@given(seed=st.integers(0, 2**31 - 1), g=st.data())
def test_frame_is_equivariant(G, n, seed, g):
    g = g.draw(sst.group_elements(G))
    rep = n * reps.V(G)
    frame = frame_for(rep)
    x = points(G, n, seed)
    h, w, _ = frame(x)
    hg, wg, _ = frame(x @ rep.rho(g).T)
    for q in range(len(x)):
        assert_same_weighted_set(hg[q], wg[q], g @ h[q], w[q], 1e-9)
        assert_same_weighted_set(g @ h[q], w[q], hg[q], wg[q], 1e-9)
    assert np.allclose(w.sum(-1), 1)
    J = G.form if G.form is not None else None
    if J is not None:  # the elements are in the group
        J = np.array(J, dtype=float)
        assert np.allclose(np.swapaxes(h, -1, -2) @ J @ h, J, atol=1e-9)
    if getattr(G, "special", False):
        assert np.allclose(np.linalg.det(h[w > 0]), 1)


@pytest.mark.parametrize("G, n", CASES[:6], ids=IDS[:6])
def test_numpy_and_torch_agree_and_gradients_flow(G, n):
    rep = n * reps.V(G)
    frame = frame_for(rep)
    x = points(G, n, 0)
    h, w, _ = frame(x)
    xt = torch.tensor(x, requires_grad=True)
    ht, wt, _ = frame(xt)
    for q in range(len(x)):   # the same set (eigenvector signs may come in another order)
        assert_same_weighted_set(ht[q].detach().numpy(), wt[q].numpy(), h[q], w[q], 1e-12)
    ht.sum().backward()
    assert xt.grad is not None and bool(torch.isfinite(xt.grad).all())


def test_pca_frame_sizes_and_one_zero_eigenvalue():
    assert PCAFrame(reps.V(groups.O(3))).size == 8 and PCAFrame(reps.V(groups.SO(3))).size == 4
    # two vectors in R^3: eigenvalues (0, a, b), the zero one simple — still a frame
    G = groups.O(3)
    x = np.array([[1.0, 0.2, 0.0, 0.3, 2.0, 0.0]])
    g = G.sample(1, seed=3)[0]
    frame = frame_for(2 * reps.V(G))
    h, w, _ = frame(x)
    hg, wg, _ = frame(x @ (2 * reps.V(G)).rho(g).T)
    assert_same_weighted_set(hg[0], wg[0], g @ h[0], w[0], 1e-9)


def test_pca_frame_refuses_equal_nonzero_eigenvalues():
    with pytest.raises(DegenerateFrameError, match="nonzero ones equal"):
        frame_for(3 * reps.V(groups.O(3)))(np.eye(3).reshape(1, 9))     # isotropic: C = I


@pytest.mark.parametrize("G", [groups.O(3), groups.SO(3), groups.SO(4)], ids=str)
@pytest.mark.parametrize("x", [np.array([1.0, 2.0, 3.0, 0.5]), np.zeros(4)], ids=["rank-one", "zero"])
def test_pca_frame_null_space_is_averaged_over_its_stabilizer(G, x):
    """A double (or higher) zero eigenvalue: one basis of the null space, stabilizer m."""
    x = np.concatenate([x[:G.d], 2 * x[:G.d]])[None]
    frame = frame_for(2 * reps.V(G))
    h, w, m = frame(x)
    assert m[0] == (G.d - 1 if x.any() else G.d)
    assert np.allclose(np.linalg.det(h[w > 0]), 1) if G.special else True
    P = frame.stabilizer_average(reps.V(G) + reps.Scalar(G), int(m[0]))
    expected = np.zeros(G.d + 1)
    expected[G.d - 1:] = 1 if x.any() else [0, 1]   # fixed: the last axis (if any) and the scalar
    np.testing.assert_allclose(P, np.diag(expected), atol=1e-12)


def test_pca_null_space_with_tensor_channels_raises():
    G = groups.O(3)
    with pytest.raises(DegenerateFrameError, match="would move its V² channels"):
        frame_for(reps.V(G) + reps.V(G) ** 2)(np.r_[1.0, 0, 0, np.arange(9.0)][None])


def test_se_frame_needs_a_point():
    G = groups.SE(2)
    x = np.array([[1.0, 0.0, 0.0, 0.0, 2.0, 0.0]])   # two directions (homogeneous coordinate 0)
    with pytest.raises(DegenerateFrameError, match="homogeneous coordinate 0"):
        frame_for(2 * reps.V(G))(x)


def test_gram_schmidt_skips_null_and_dependent_channels():
    G = groups.O(1, 3)
    rep = 6 * reps.V(G)
    rng = np.random.default_rng(0)
    v = rng.normal(size=(4, 4))
    light = np.array([1.0, 1.0, 0.0, 0.0])                 # η(l, l) = 0: skipped
    x = np.concatenate([light, 2 * light, v.ravel()])[None]
    frame = frame_for(rep)
    h, _, _ = frame(x)
    g = G.sample(1, seed=1)[0]
    hg, _, _ = frame(x @ rep.rho(g).T)
    np.testing.assert_allclose(hg[0, 0], g @ h[0, 0], atol=1e-9)
    with pytest.raises(DegenerateFrameError, match="only 3 of the 4"):
        frame_for(4 * reps.V(G))(np.concatenate([v[:3].ravel(), v[0] + v[1]])[None])


def test_gram_schmidt_frame_serves_o_n_with_one_element():
    G = groups.SO(3)
    frame = GramSchmidtFrame(3 * reps.V(G))
    h, w, _ = frame(np.random.default_rng(0).normal(size=(5, 9)))
    assert h.shape == (5, 1, 3, 3) and np.allclose(np.linalg.det(h), 1)
    assert np.allclose(np.swapaxes(h, -1, -2) @ h, np.eye(3))


def test_sort_frame_averages_over_ties():
    G = groups.S(4)
    frame = SortFrame(reps.V(G))
    h, w, _ = frame(np.array([[2.0, 1.0, 2.0, 2.0], [4.0, 3.0, 2.0, 1.0]]))
    assert h.shape == (2, 6, 4, 4)
    np.testing.assert_allclose(w[0], np.full(6, 1 / 6))
    np.testing.assert_allclose(w[1], [1, 0, 0, 0, 0, 0])
    canonical = np.einsum("kji,j->ki", h[0], [2.0, 1.0, 2.0, 2.0])   # h⁻¹ x = hᵀ x
    np.testing.assert_allclose(canonical, np.tile([1.0, 2.0, 2.0, 2.0], (6, 1)))
    with pytest.raises(DegenerateFrameError, match="max_elements=5"):
        SortFrame(reps.V(G), max_elements=5)(np.zeros((1, 4)))


def test_sort_frame_reads_graphs():
    G = groups.S(3)
    A = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])   # a path: the middle node differs
    h, w, _ = SortFrame(reps.V(G) ** 2)(A.reshape(1, 9))
    assert (w[0] > 0).sum() == 2


def test_group_frame_enumerates_finite_groups():
    assert GroupFrame(reps.V(groups.D(5))).size == 10
    quarter_turn = sympy.Matrix([[0, -1], [1, 0]])
    G = groups.MatrixGroup(discrete_generators=[quarter_turn])
    h, w, _ = frame_for(reps.V(G))(np.ones((3, 2)))
    assert h.shape == (3, 4, 2, 2) and np.allclose(w, 0.25)
    with pytest.raises(FrameError, match="Lie generators"):
        GroupFrame(reps.V(groups.SO(2)))
    with pytest.raises(FrameError, match="40320 elements"):
        GroupFrame(reps.V(groups.S(8)))
    frame = GroupFrame(reps.V(groups.S(3)))
    assert frame_for(reps.V(groups.S(3)), frame) is frame
    with pytest.raises(FrameError, match="not of V of S.4."):
        frame_for(reps.V(groups.S(4)), frame)


def test_callable_frame_checks_its_output():
    G = groups.D(3)
    frame = frame_for(reps.V(G), lambda x: np.eye(3)[None])
    assert isinstance(frame, CallableFrame)
    h, w, _ = frame(np.ones((2, 3)))
    assert h.shape == (2, 1, 3, 3)
    with pytest.raises(FrameError, match=r"must return elements \(2, K, 3, 3\)"):
        frame_for(reps.V(G), lambda x: np.eye(2))(np.ones((2, 3)))


@pytest.mark.parametrize("rep, frame, match", [
    (reps.V(groups.SO(3)), "qr", "unknown frame 'qr'"),
    (reps.V(groups.SL(2)), "auto", "no automatic frame for SL"),
    (reps.V(groups.S(3)), "pca", "PCA frame serves"),
    (reps.V(groups.D(4)), "gram_schmidt", "Gram–Schmidt frame serves"),
    (reps.V(groups.O(3)), "sort", "sort frame serves"),
    (reps.Scalar(groups.O(3)), "auto", "has none"),
    ("V", "auto", "symgen representation"),
], ids=["name", "group", "pca", "gs", "sort", "no-vectors", "rep"])
def test_bad_frames(rep, frame, match):
    with pytest.raises(FrameError, match=match):
        frame_for(rep, frame)(np.ones((1, rep.size)) if hasattr(rep, "size") else None)


def test_bad_input_shape():
    with pytest.raises(ShapeError, match=r"inputs \(batch, 6\)"):
        frame_for(2 * reps.V(groups.O(3)))(np.ones((2, 5)))


@pytest.mark.parametrize("rep, points", [(5 * reps.V(groups.SE(3)), True), (4 * reps.V(groups.E(2)), True),
                                         (reps.V(groups.S(5)), False), (2 * reps.V(groups.D(4)), False)], ids=str)
def test_canonicalization_frames_move_with_their_input(rep, points):
    """h(ρ(g) y) = g h(y): Gram–Schmidt of centred points (SE(n), E(n)), argsort (S(n)), argmax (D(4))."""
    G = rep.G
    frame = canonicalization_frame(rep)
    y = np.random.default_rng(0).normal(size=(6, rep.size))
    if points:
        y.reshape(6, -1, G.d)[..., -1] = 1.0
    g = G.sample(6, seed=1)
    h, w, _ = frame(y)
    hg, wg, _ = frame(np.einsum("nij,nj->ni", rep.rho(g), y))
    assert h.shape[1] == 1 and np.all(w == 1) and np.all(wg == 1)
    np.testing.assert_allclose(hg[:, 0], g @ h[:, 0], atol=1e-12)


def test_argsort_frame_ties_and_argmax_scores():
    h, w, _ = ArgsortFrame(reps.V(groups.S(3)))(np.array([[1.0, 1.0 + 1e-13, 0.0]]))
    assert w.tolist() == [[0.5, 0.5]]                          # equal within tol: both orders
    frame = ArgmaxFrame(reps.V(groups.D(4)))
    y = np.array([[0.3, -1.0, 2.0, 0.5]])
    h = frame(y).elements[0, 0]
    upright = y @ np.linalg.inv(h).T                          # ρ(h)⁻¹ y: canonical, so its element is e
    assert frame.scores(upright).shape == (1, 8) and np.argmax(frame.scores(upright)) == 0
    np.testing.assert_allclose(frame(upright).elements[0, 0], np.eye(4))
