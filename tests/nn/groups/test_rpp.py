"""RPPLinear, RPPEMLP and rpp_prior_loss: exact equivariance with the free path at zero (float64
and float32, Hypothesis-drawn elements), an equivariance error that grows with the free path,
exact prior values, gradients and errors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings

from symgen import groups, reps
from symgen.errors import RepresentationError, ShapeError
from symgen.nn import EMLP, RPPEMLP, RPPLinear, rpp_prior_loss
from symgen.testing import assert_equivariant, equivariance_error, strategies as sst

TOL = {torch.float32: 2e-4, torch.float64: 1e-10}

CASES = [
    (groups.SO(3), lambda V, S: (V ** 2 + V, V + S)),
    (groups.O(3), lambda V, S: (2 * V + S, V ** 2 + S)),
    (groups.O(1, 3), lambda V, S: (V + S, V + S)),
    (groups.S(5), lambda V, S: (V ** 2, V + S)),
    (groups.D(4), lambda V, S: (V, V ** 2 + S)),
]
IDS = [str(G) for G, _ in CASES]


def randomized(module, seed=0):
    """Random equivariant weights and biases; the free paths stay at zero."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, RPPLinear):
                m.equivariant.weight.normal_()
                if m.equivariant.bias is not None:
                    m.equivariant.bias.normal_()
    return module


@pytest.mark.parametrize("G, make", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_free_path_at_zero_is_exactly_equivariant(G, make, dtype):
    rep_in, rep_out = make(reps.V(G), reps.Scalar(G))
    layer = randomized(RPPLinear(rep_in, rep_out)).to(dtype)
    assert layer.free.weight.abs().max() == 0          # it starts on the equivariant subspace
    assert_equivariant(layer, tolerance=TOL[dtype], seed=1)


@pytest.mark.parametrize("G, make", CASES[:2] + CASES[3:4], ids=IDS[:2] + IDS[3:4])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_rppemlp_with_free_paths_at_zero_is_exactly_equivariant(G, make, dtype):
    rep_in, rep_out = make(reps.V(G), reps.Scalar(G))
    torch.manual_seed(0)
    model = RPPEMLP(rep_in, rep_out, hidden=12, depth=2).to(dtype)
    assert_equivariant(model, tolerance=TOL[dtype], seed=2)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_rppemlp_takes_emlps_bilinear_option(dtype):
    V = reps.V(groups.O(3))
    torch.manual_seed(0)
    model = RPPEMLP(V + reps.Scalar(V.G), V ** 2, hidden=12, depth=1, bilinear="full").to(dtype)
    kinds = {type(b.bilinear).__name__ for b in model.blocks}
    assert kinds == {type(EMLP(V, V, hidden=12, depth=1, bilinear="full").blocks[0].bilinear).__name__}
    assert kinds != {type(b.bilinear).__name__ for b in RPPEMLP(V, V, hidden=12, depth=1).blocks}
    assert_equivariant(model, tolerance=TOL[dtype], seed=3)


@settings(max_examples=10, deadline=None)
@given(sst.group_elements(groups.O(3)))
def test_rpp_layer_equivariant_under_drawn_elements(g):
    assert_equivariant(LAYER, elements=g, tolerance=1e-10)


LAYER = randomized(RPPLinear(reps.V(groups.O(3)) ** 2 + reps.V(groups.O(3)),
                             reps.V(groups.O(3)) + reps.Scalar(groups.O(3)))).double()


def _error_with_free_scale(module, free, scales, G):
    """Equivariance error with every free weight set to ``t * free[layer]``, same elements and inputs."""
    elements = G.sample(4, seed=3)
    x = torch.tensor(np.random.default_rng(4).normal(size=(6, module.rep_in.size)))
    layers = [m for m in module.modules() if isinstance(m, RPPLinear)]
    errors = []
    for t in scales:
        with torch.no_grad():
            for m, direction in zip(layers, free):
                m.free.weight.copy_(t * direction)
        errors.append(equivariance_error(module, inputs=x, elements=elements)[0])
    return errors


@pytest.mark.parametrize("kind", ["layer", "model"])
def test_equivariance_error_grows_with_the_free_path(kind):
    G = groups.O(3)
    V, S = reps.V(G), reps.Scalar(G)
    torch.manual_seed(5)
    module = (randomized(RPPLinear(2 * V + S, V ** 2 + S)) if kind == "layer"
              else RPPEMLP(2 * V + S, V ** 2 + S, hidden=12, depth=1)).double()
    free = [torch.randn_like(m.free.weight) for m in module.modules() if isinstance(m, RPPLinear)]
    scales = [0.0, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    errors = _error_with_free_scale(module, free, scales, G)
    assert errors[0] <= 1e-12
    assert all(a < b for a, b in zip(errors, errors[1:])), errors
    # small free paths: the error is linear in their size
    assert errors[2] / errors[1] == pytest.approx(10, rel=0.05)


def test_prior_loss_values_are_exact():
    G = groups.SO(3)
    V, S = reps.V(G), reps.Scalar(G)
    layer = randomized(RPPLinear(V ** 2 + S, V + S, prior_equivariant=0.25, prior_free=3.0)).double()
    with torch.no_grad():
        layer.free.weight.copy_(torch.arange(40, dtype=torch.float64).reshape(4, 10) / 10)
        layer.free.bias.copy_(torch.tensor([1.0, -2.0, 0.5, 0.0]))
    eq = layer.equivariant
    W_eq, b_eq = eq.matrix(), eq.bias @ eq.bias_basis
    expected = 0.25 * (W_eq.square().sum() + b_eq.square().sum()) + 3.0 * (
        sum((q / 10) ** 2 for q in range(40)) + 1 + 4 + 0.25)
    torch.testing.assert_close(layer.prior_loss(), expected, rtol=1e-14, atol=0)
    # the basis is orthonormal: the decay on the dense equivariant map is the decay on its weights
    torch.testing.assert_close(W_eq.square().sum(), eq.weight.square().sum(), rtol=1e-13, atol=0)
    # the dense map of the layer is the sum of both paths
    x = torch.randn(5, V.size ** 2 + 1, dtype=torch.float64)
    torch.testing.assert_close(layer(x), x @ layer.matrix().T + layer.bias_vector())


def test_model_prior_loss_sums_the_layers_and_trains():
    G = groups.O(3)
    V = reps.V(G)
    torch.manual_seed(6)
    model = RPPEMLP(2 * V, V ** 2, hidden=12, depth=2, prior_equivariant=1e-3, prior_free=1e-2).double()
    layers = [m for m in model.modules() if isinstance(m, RPPLinear)]
    assert len(layers) == 3 and all(m.prior_free == 1e-2 and m.prior_equivariant == 1e-3 for m in layers)
    torch.testing.assert_close(model.prior_loss(), sum(m.prior_loss() for m in layers), rtol=1e-14, atol=0)
    assert float(rpp_prior_loss(EMLP(2 * V, V ** 2, hidden=12, depth=1))) == 0.0
    x = torch.randn(32, 6, dtype=torch.float64)
    y = x @ torch.randn(6, 9, dtype=torch.float64)          # linear, not equivariant
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = (model(x) - y).square().mean() + model.prior_loss()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    assert all(m.free.weight.abs().max() > 0 for m in layers)   # the free paths learned


@pytest.mark.parametrize("call, error, text", [
    (lambda V: RPPLinear(V, V, prior_free=-1.0), RepresentationError, "-1.0"),
    (lambda V: RPPLinear(V, V, prior_equivariant=float("nan")), RepresentationError, "nan"),
    (lambda V: RPPLinear(V, reps.V(groups.O(3))), RepresentationError, "O(3)"),
    (lambda V: RPPEMLP(V, V, prior_free="big"), RepresentationError, "big"),
    (lambda V: RPPLinear(V, V)(torch.ones(2, 4)), ShapeError, "4 components"),
    (lambda V: rpp_prior_loss("model"), RepresentationError, "str"),
], ids=["negative", "nan", "two-groups", "string", "shape", "not-a-module"])
def test_bad_input(call, error, text):
    with pytest.raises(error, match=text.replace("(", r"\(").replace(")", r"\)")):
        call(reps.V(groups.SO(3)))
