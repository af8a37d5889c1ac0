"""EquivariantLinear's structured strategy: the dense layer's map, equivariant, wide layers small."""

import time

import pytest
import torch

from symgen import groups, reps
from symgen.nn import EMLP, EquivariantLinear
from symgen.nn.groups.equivariant_linear import AUTO_DENSE_ENTRIES
from symgen.testing import assert_equivariant

TOL = {torch.float32: 2e-4, torch.float64: 1e-10}
GROUPS = [groups.SO(3), groups.O(1, 3), groups.S(4), groups.D(5), groups.Sp(4), groups.SO(2) * groups.S(3)]


def _reps(G):
    V, S = reps.V(G), reps.Scalar(G)
    return 2 * S + V + V ** 2 + V, V ** 2 + 3 * S + 2 * V


@pytest.mark.parametrize("G", GROUPS, ids=str)
def test_structured_matrix_equals_the_dense_one(G):
    rep_in, rep_out = _reps(G)
    torch.manual_seed(0)
    dense = EquivariantLinear(rep_in, rep_out, strategy="dense").double()
    structured = EquivariantLinear(rep_in, rep_out, strategy="structured").double()
    structured.load_state_dict(dense.state_dict(), strict=False)
    torch.testing.assert_close(structured.matrix(), dense.matrix(), rtol=0, atol=1e-12)
    x = torch.randn(5, rep_in.size, dtype=torch.float64)
    torch.testing.assert_close(structured(x), dense(x), rtol=0, atol=1e-12)


@pytest.mark.parametrize("G", GROUPS[:4], ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_structured_layer_is_equivariant(G, dtype):
    rep_in, rep_out = _reps(G)
    torch.manual_seed(1)
    layer = EquivariantLinear(rep_in, rep_out, strategy="structured")
    with torch.no_grad():
        layer.bias.normal_()
    assert_equivariant(layer.to(dtype), group=G, rep_in=rep_in, rep_out=rep_out, tolerance=TOL[dtype])


def test_gradients_of_the_structured_layer_match_the_dense_ones():
    rep_in, rep_out = _reps(groups.S(4))
    dense = EquivariantLinear(rep_in, rep_out, strategy="dense").double()
    structured = EquivariantLinear(rep_in, rep_out, strategy="structured").double()
    structured.load_state_dict(dense.state_dict(), strict=False)
    x = torch.randn(3, rep_in.size, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(structured, (x,))
    for layer in (dense, structured):
        layer(x).pow(2).sum().backward()
    torch.testing.assert_close(structured.weight.grad, dense.weight.grad, rtol=1e-12, atol=1e-12)


def test_auto_keeps_dense_for_small_layers_and_goes_structured_for_wide_ones():
    G = groups.SO(3)
    V, S = reps.V(G), reps.Scalar(G)
    assert EquivariantLinear(V ** 2, V).strategy == "dense"
    hidden = 20 * S + 6 * V + 2 * V ** 2
    layer = EquivariantLinear(hidden, hidden)
    assert len(layer.weight) * hidden.size ** 2 > AUTO_DENSE_ENTRIES and layer.strategy == "structured"
    assert not hasattr(layer, "basis")


def test_a_wide_emlp_builds_fast_and_small_and_trains():
    G = groups.SO(3)
    torch.manual_seed(0)
    t = time.perf_counter()
    model = EMLP(2 * reps.V(G), reps.Scalar(G), hidden=256, depth=2)
    assert time.perf_counter() - t < 10
    held = sum(b.numel() * b.element_size() for b in model.buffers())
    assert held < 50e6                               # the dense bases would take ~15 GB
    x = torch.randn(16, 6)
    model(x).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
