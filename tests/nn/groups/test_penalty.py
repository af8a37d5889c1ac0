"""equivariance_penalty and project_equivariant: zero (≤ 1e-12) on the equivariant subspace, the
exact distance off it (against the dense QᵀQ), gradients, plain torch.nn.Linear layers named in
reps=, RPP models, errors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from symgen import groups, reps
from symgen.algebra.groups import equivariant_basis
from symgen.errors import RepresentationError, ShapeError
from symgen.nn import RPPEMLP, RPPLinear, equivariance_penalty, project_equivariant
from symgen.testing import assert_equivariant

CASES = [
    (groups.SO(3), lambda V, S: (V ** 2 + S, V + S)),
    (groups.O(3), lambda V, S: (2 * V + S, V ** 2 + S)),
    (groups.O(1, 3), lambda V, S: (V + S, V + S)),
    (groups.S(5), lambda V, S: (V, V ** 2 + S)),
    (groups.D(4), lambda V, S: (V ** 2, V)),
]
IDS = [str(G) for G, _ in CASES]
finite = st.floats(-3, 3, allow_nan=False)


def linear_with(W, b):
    layer = torch.nn.Linear(W.shape[1], W.shape[0]).double()
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(W))
        layer.bias.copy_(torch.as_tensor(b))
    return layer


@pytest.mark.parametrize("G, make", CASES, ids=IDS)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_penalty_is_zero_on_the_equivariant_subspace(G, make, data):
    rep_in, rep_out = make(reps.V(G), reps.Scalar(G))
    B, C = equivariant_basis(rep_in, rep_out), equivariant_basis(reps.Scalar(G), rep_out)
    w = data.draw(arrays(np.float64, len(B), elements=finite))
    v = data.draw(arrays(np.float64, len(C), elements=finite))
    layer = linear_with(np.einsum("k,koi->oi", w, B), np.einsum("k,ko->o", v, C[:, :, 0]))
    assert equivariance_penalty(layer, reps={"": (rep_in, rep_out)}).item() <= 1e-12
    assert_equivariant(layer, rep_in=rep_in, rep_out=rep_out, tolerance=1e-10)


@pytest.mark.parametrize("G, make", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_penalty_off_the_subspace_is_the_squared_distance(G, make, dtype):
    rep_in, rep_out = make(reps.V(G), reps.Scalar(G))
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(rep_out.size, rep_in.size)), rng.normal(size=rep_out.size)
    Q = equivariant_basis(rep_in, rep_out).reshape(-1, W.size)
    q = equivariant_basis(reps.Scalar(G), rep_out)[:, :, 0]
    expected = np.sum((W.ravel() - Q.T @ (Q @ W.ravel())) ** 2) + np.sum((b - q.T @ (q @ b)) ** 2)
    layer = linear_with(W, b).to(dtype)
    got = equivariance_penalty(layer, reps={layer: (rep_in, rep_out)})
    assert got.dtype == dtype and got.item() > 0
    np.testing.assert_allclose(got.item(), expected, rtol=1e-12 if dtype == torch.float64 else 1e-5)


def test_penalty_gradient_is_twice_the_residual_and_descent_reaches_equivariance():
    G = groups.O(3)
    V, S = reps.V(G), reps.Scalar(G)
    rep_in, rep_out = 2 * V + S, V ** 2 + S
    torch.manual_seed(0)
    layer = torch.nn.Linear(rep_in.size, rep_out.size).double()
    penalty = equivariance_penalty(layer, reps={"": (rep_in, rep_out)})
    penalty.backward()
    residual = layer.weight.detach() - project_equivariant(layer.weight.detach(), rep_in, rep_out)
    torch.testing.assert_close(layer.weight.grad, 2 * residual)
    opt = torch.optim.SGD(layer.parameters(), lr=0.25)
    for _ in range(40):
        opt.zero_grad()
        equivariance_penalty(layer, reps={"": (rep_in, rep_out)}).backward()
        opt.step()
    assert equivariance_penalty(layer, reps={"": (rep_in, rep_out)}).item() < 1e-20
    assert_equivariant(layer, rep_in=rep_in, rep_out=rep_out, tolerance=1e-9)


def test_penalty_on_rpp_models_measures_the_free_paths():
    G = groups.O(3)
    V, S = reps.V(G), reps.Scalar(G)
    torch.manual_seed(1)
    model = RPPEMLP(2 * V, V ** 2 + S, hidden=12, depth=1).double()
    assert equivariance_penalty(model).item() <= 1e-12         # free paths start at zero
    layers = [m for m in model.modules() if isinstance(m, RPPLinear)]
    with torch.no_grad():
        for m in layers:
            m.free.weight.normal_()
    expected = sum(((m.free.weight - project_equivariant(m.free.weight, m.rep_in, m.rep_out)) ** 2).sum()
                   for m in layers)
    torch.testing.assert_close(equivariance_penalty(model), expected)
    # one layer named in reps next to the declared ones: both count
    net = torch.nn.Sequential(layers[0], torch.nn.Linear(layers[0].rep_out.size, 3).double())
    torch.testing.assert_close(equivariance_penalty(net, reps={"1": (layers[0].rep_out, V)}),
                               equivariance_penalty(layers[0]) + equivariance_penalty(net[1], reps={"": (
                                   layers[0].rep_out, V)}))


def test_project_equivariant_batches_and_zero_space():
    G = groups.SO(2)
    V = reps.V(G)
    W = torch.randn(4, 2, 2, dtype=torch.float64)
    P = project_equivariant(W, V, V)
    torch.testing.assert_close(project_equivariant(P, V, V), P)
    torch.testing.assert_close(P[:, 0, 0], P[:, 1, 1])
    torch.testing.assert_close(P[:, 0, 1], -P[:, 1, 0])
    O3 = groups.O(3)
    assert project_equivariant(torch.ones(9, 3), reps.V(O3), reps.V(O3) ** 2).abs().max() == 0


@pytest.mark.parametrize("call, error, text", [
    (lambda: equivariance_penalty(torch.nn.Tanh()), RepresentationError, "reps="),
    (lambda: equivariance_penalty("net"), RepresentationError, "str"),
    (lambda: equivariance_penalty(torch.nn.Linear(3, 3), reps={"fc": (V3, V3)}), RepresentationError, "'fc'"),
    (lambda: equivariance_penalty(torch.nn.Linear(3, 2), reps={"": (V3, V3)}), ShapeError, "(2, 3)"),
    (lambda: equivariance_penalty(torch.nn.Linear(3, 3), reps={"": V3}), RepresentationError, "pair"),
    (lambda: equivariance_penalty(torch.nn.Tanh(), reps={"": (V3, V3)}), RepresentationError, "Tanh"),
    (lambda: project_equivariant(torch.ones(3, 2), V3, V3), ShapeError, "(3, 3)"),
], ids=["nothing-declared", "not-a-module", "unknown-name", "shape", "not-a-pair", "not-linear", "project-shape"])
def test_bad_input(call, error, text):
    with pytest.raises(error, match=text.replace("(", r"\(").replace(")", r"\)")):
        call()


V3 = reps.V(groups.SO(3))
