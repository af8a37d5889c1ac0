"""FrameAveraging: exact equivariance (float64, Hypothesis-drawn inputs and elements), degenerate
inputs, the stochastic option, callable frames, gradients, pickling and errors."""

import io
import pickle

import pytest
import torch
from hypothesis import given, settings

from symgen import groups, reps
from symgen.errors import DegenerateFrameError, FrameError, RepresentationError, ShapeError
from symgen.nn import FrameAveraging
from symgen.testing import assert_equivariant, strategies as sst

from .inputs import integer_features, point_cloud

TOL = 1e-10


def mlp(n_in, n_out, seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(n_in, 32), torch.nn.SiLU(), torch.nn.Linear(32, n_out)).double()


def model(G, rep_in, rep_out, **kw):
    return FrameAveraging(mlp(rep_in.size, rep_out.size), rep_in, rep_out, **kw).double()


V, S = reps.V, reps.Scalar
CASES = [  # (group, rep_in, rep_out, inputs)
    (groups.O(3), lambda G: 5 * V(G) + S(G), lambda G: V(G) + V(G) ** 2 + S(G), point_cloud),
    (groups.SO(3), lambda G: 5 * V(G), lambda G: V(G) + V(G) ** 2 + S(G), point_cloud),
    (groups.E(3), lambda G: 6 * V(G), lambda G: V(G) + S(G), point_cloud),
    (groups.O(1, 3), lambda G: 5 * V(G), lambda G: V(G) + V(G).T * V(G) + S(G), point_cloud),
    (groups.S(5), lambda G: 2 * V(G) + V(G) ** 2, lambda G: V(G) + S(G), integer_features),
    (groups.D(4), lambda G: V(G) + V(G) ** 2, lambda G: V(G) + S(G), integer_features),
]
IDS = [str(c[0]) for c in CASES]


@pytest.mark.parametrize("G, make_in, make_out, inputs", CASES, ids=IDS)
def test_frame_averaging_is_exactly_equivariant(G, make_in, make_out, inputs):
    rep_in, rep_out = make_in(G), make_out(G)
    fa = model(G, rep_in, rep_out)

    @settings(max_examples=15)
    @given(x=inputs(G, rep_in), g=sst.group_elements(G))
    def check(x, g):
        assert assert_equivariant(fa, inputs=x, elements=g, tolerance=TOL) <= TOL

    check()


def test_the_backbone_alone_is_not_equivariant():
    G = groups.O(3)
    rep_in, rep_out = 5 * V(G), V(G)
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(mlp(15, 3), rep_in=rep_in, rep_out=rep_out, seed=0)


def test_equal_eigenvalues_raise():
    G = groups.O(3)
    fa = model(G, 3 * V(G), S(G))
    with pytest.raises(DegenerateFrameError, match="sample 1"):
        fa(torch.cat([torch.randn(1, 9, dtype=torch.float64), torch.eye(3, dtype=torch.float64).reshape(1, 9)]))


@pytest.mark.parametrize("G, k", [(groups.O(5), 2), (groups.SO(3), 1), (groups.SO(4), 2), (groups.E(3), 2)], ids=str)
def test_fewer_vectors_than_dimensions_stay_equivariant(G, k):
    """A null space of dimension ≥ 2: the output is averaged over its stabilizer exactly."""
    rep_in, rep_out = k * V(G) + S(G), V(G) + V(G) ** 2 + S(G)
    fa = model(G, rep_in, rep_out)

    @settings(max_examples=10)
    @given(x=point_cloud(G, rep_in), g=sst.group_elements(G))
    def check(x, g):
        assert assert_equivariant(fa, inputs=x, elements=g, tolerance=TOL) <= TOL

    check()


def test_zero_vectors_give_the_invariant_part():
    G = groups.SO(3)
    fa = model(G, 2 * V(G), V(G) + V(G) ** 2)
    y = fa(torch.zeros(1, 6, dtype=torch.float64))[0]
    assert torch.allclose(y[:3], torch.zeros(3, dtype=torch.float64), atol=1e-14)   # no invariant vector
    torch.testing.assert_close(y[3:].reshape(3, 3), y[3] * torch.eye(3, dtype=torch.float64))   # a multiple of I


def test_ties_stay_equivariant_all_equal_nodes():
    """All nodes equal: the frame is the whole of S(4) and the output is a constant vector."""
    G = groups.S(4)
    fa = model(G, V(G), V(G))
    y = fa(torch.full((1, 4), 0.5, dtype=torch.float64))
    assert torch.allclose(y, y[:, :1].expand(1, 4), atol=1e-14)


def test_stochastic_frames_in_training_exact_in_eval():
    G = groups.D(4)
    rep_in, rep_out = V(G), V(G)
    fa = model(G, rep_in, rep_out, samples=2)
    x = torch.randn(1, 4, dtype=torch.float64)
    exact = fa.eval()(x)
    assert_equivariant(fa, tolerance=TOL, seed=0)
    fa.train()
    torch.manual_seed(0)
    with torch.no_grad():
        draws = torch.stack([fa(x) for _ in range(1500)])
    assert not torch.allclose(draws[0], exact)
    assert torch.allclose(draws.mean(0), exact, atol=0.1 * float(draws.std(0).max()) + 1e-12)
    assert "2 samples in training" in repr(fa)


def test_callable_frame():
    G = groups.D(3)
    elements = torch.tensor(G.sample(64, seed=0))
    unique = torch.unique(elements.round(decimals=6), dim=0)
    fa = model(G, V(G), V(G), frame=lambda x: unique)
    assert len(unique) == 6
    assert_equivariant(fa, tolerance=TOL, seed=1)


def test_gradients_are_equivariant_through_the_frame():
    """The PCA frame depends on x; autograd through it gives ∇f(g x) = g ∇f(x) for an invariant f."""
    G = groups.O(3)
    rep_in = 4 * V(G)
    fa = model(G, rep_in, S(G))
    x = torch.randn(2, 12, dtype=torch.float64, requires_grad=True)
    g = G.sample(1, seed=2)[0]
    R = torch.tensor(rep_in.rho(g))
    xg = (x.detach() @ R.T).requires_grad_()
    (grad,) = torch.autograd.grad(fa(x).sum(), x)
    (grad_g,) = torch.autograd.grad(fa(xg).sum(), xg)
    torch.testing.assert_close(grad_g, grad @ R.T, atol=1e-10, rtol=1e-10)


def test_pickles_saves_and_round_trips_its_state_after_use():
    G = groups.E(3)
    rep_in, rep_out = 6 * V(G), V(G) + S(G)
    fa = model(G, rep_in, rep_out)
    x = torch.randn(3, 6, 4, dtype=torch.float64)
    x[..., 3] = 1
    x = x.reshape(3, 24)
    y = fa(x)
    clone = pickle.loads(pickle.dumps(fa))
    torch.testing.assert_close(clone(x), y)
    buf = io.BytesIO()
    torch.save(fa, buf)
    buf.seek(0)
    torch.testing.assert_close(torch.load(buf, weights_only=False)(x), y)
    fresh = FrameAveraging(mlp(24, 5, seed=5), rep_in, rep_out).double()
    fresh.load_state_dict(fa.state_dict())
    torch.testing.assert_close(fresh(x), y)


def test_bad_arguments():
    G = groups.O(3)
    with pytest.raises(RepresentationError, match="different|same group"):
        FrameAveraging(mlp(3, 3), V(G), V(groups.SO(3)))
    with pytest.raises(FrameError, match="torch.nn.Module"):
        FrameAveraging(lambda x: x, V(G), V(G))
    with pytest.raises(FrameError, match="samples"):
        FrameAveraging(mlp(3, 3), V(G), V(G), samples=0)
    with pytest.raises(FrameError, match="unknown frame"):
        FrameAveraging(mlp(3, 3), V(G), V(G), frame="qr")
    fa = model(G, 3 * V(G), V(G))
    with pytest.raises(ShapeError, match=r"\(batch, 9\)"):
        fa(torch.randn(2, 8, dtype=torch.float64))
    with pytest.raises(ShapeError, match="backbone returned shape"):
        FrameAveraging(mlp(9, 2), 3 * V(G), V(G)).double()(torch.randn(2, 9, dtype=torch.float64))


@pytest.mark.parametrize("G, rep_in", [(groups.SO(3), 4 * V(groups.SO(3))), (groups.O(1, 3), 5 * V(groups.O(1, 3))),
                                       (groups.D(4), V(groups.D(4)))], ids=str)
def test_float32(G, rep_in):
    fa = FrameAveraging(mlp(rep_in.size, rep_in.size).float(), rep_in, rep_in)
    assert assert_equivariant(fa, seed=0) <= 2e-3
