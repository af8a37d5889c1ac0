"""CGENN layers: equivariance under the Clifford group for several metrics, f64 and f32,
gradients, torch.compile, shape errors; and a broken layer that the checker must catch."""

import pickle

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given
from hypothesis import strategies as hst

from symgen import CliffordAlgebra
from symgen.errors import ShapeError
from symgen.nn import (FullyConnectedGeometricProductLayer, GeometricProductLayer, MVGradeNorm, MVLayerNorm,
                       MVLinear, MVSiLU)
from symgen.nn.clifford import CliffordModule
from symgen.testing import assert_equivariant, equivariance_error
from symgen.testing import strategies as st

ALGEBRAS = [CliffordAlgebra.from_signature(3), CliffordAlgebra.from_signature(1, 3),
            CliffordAlgebra.from_signature(3, 0, 1), CliffordAlgebra.from_signature(5),
            CliffordAlgebra(sympy.Matrix([[1, 1, 0], [1, 2, 0], [0, 0, -1]]))]

LAYERS = {
    "MVLinear": lambda alg: MVLinear(alg, 3, 2),
    "MVSiLU": lambda alg: MVSiLU(alg, 3),
    "MVLayerNorm": lambda alg: MVLayerNorm(alg, 3),
    "MVGradeNorm": lambda alg: MVGradeNorm(alg, 3),
    "GeometricProductLayer": lambda alg: GeometricProductLayer(alg, 3),
    "GeometricProductLayer-normalize-right": lambda alg: GeometricProductLayer(alg, 3, normalize=False,
                                                                               normalize_right=True),
    "FullyConnected": lambda alg: FullyConnectedGeometricProductLayer(alg, 3, 2),
}


def _perturb(module):
    """Random parameters, so a test cannot pass thanks to the initialisation."""
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return module


@pytest.mark.parametrize("alg", ALGEBRAS, ids=str)
@pytest.mark.parametrize("name", LAYERS)
def test_equivariant_f64_and_f32(name, alg):
    layer = _perturb(LAYERS[name](alg).double())
    assert_equivariant(layer, n_elements=6)
    assert_equivariant(layer.float(), n_elements=4)


class PerBladeLinear(CliffordModule):
    """Deliberately broken: a weight per blade instead of per grade."""

    def __init__(self, alg, channels):
        super().__init__(alg, channels)
        self.weight = torch.nn.Parameter(torch.randn(channels, channels, alg.dim))

    def forward(self, x):
        return torch.einsum("bcd,ocd->bod", x, self.weight.to(x.dtype))


@pytest.mark.parametrize("alg", ALGEBRAS[:3], ids=str)
def test_broken_layer_is_caught(alg):
    layer = PerBladeLinear(alg, 2).double()
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(layer)
    assert equivariance_error(layer)[0] > 1e-3


@given(w=st.clifford_group_elements(ALGEBRAS[1]), x=st.multivectors(ALGEBRAS[1], shape=(2, 3)))
def test_product_layer_with_hypothesis_versors(w, x):
    alg = ALGEBRAS[1]
    torch.manual_seed(0)
    layer = _perturb(GeometricProductLayer(alg, 3).double())
    x = torch.from_numpy(x)
    w = torch.from_numpy(w)
    lhs = layer(alg.sandwich(w, x))
    rhs = alg.sandwich(w, layer(x))
    torch.testing.assert_close(lhs, rhs, atol=1e-8 * (1 + float(rhs.abs().max())), rtol=0)


@pytest.mark.parametrize("name", LAYERS)
def test_gradcheck(name):
    layer = _perturb(LAYERS[name](CliffordAlgebra((1, -1, 0))).double())
    x = torch.randn(2, 3, 8, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(layer, (x,))


def test_torch_compile_fullgraph_every_layer():
    alg = CliffordAlgebra.from_signature(2, 1)
    x = torch.randn(4, 3, alg.dim)
    for name, make in LAYERS.items():
        layer = _perturb(make(alg))
        compiled = torch.compile(layer, fullgraph=True)
        torch.testing.assert_close(compiled(x), layer(x), msg=name)


def test_shape_errors_name_the_expected_shape():
    layer = GeometricProductLayer(CliffordAlgebra((1, 1, 1)), 4)
    with pytest.raises(ShapeError, match=r"expects \(batch, 4, 8\).*got \(2, 3, 8\)"):
        layer(torch.randn(2, 3, 8))
    with pytest.raises(ShapeError, match="got"):
        layer(torch.randn(2, 4, 16))


def test_pickle_roundtrip_rebuilds_kernels():
    layer = _perturb(GeometricProductLayer(CliffordAlgebra((1, 1, 1)), 2))
    clone = pickle.loads(pickle.dumps(layer))
    x = torch.randn(3, 2, 8)
    torch.testing.assert_close(clone(x), layer(x))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda():
    layer = GeometricProductLayer(CliffordAlgebra((1, 1, 1)), 2)
    x = torch.randn(3, 2, 8)
    torch.testing.assert_close(layer.cuda()(x.cuda()).cpu(), layer.cpu()(x))


def _rows_reference(layer, x):
    """The layers' previous formulation, on (batch, channels, dim) rows: the product
    kernels through ``kernels[name](...)`` and the per-blade GEMMs over (batch, in, slots)."""
    if isinstance(layer, FullyConnectedGeometricProductLayer):
        per_path = layer.kernels["paths"](x, layer.right(x))
        w = layer.weight.to(x.dtype).index_select(-1, layer.slot_path)
        y = torch.stack([p.reshape(len(p), -1) @ q.reshape(len(q), -1).T for p, q in
                         zip(per_path.split(layer.blade_slots, -1), w.split(layer.blade_slots, -1))], -1)
    else:
        y = layer.kernels["product"](x, layer.right(x), layer.weight.to(x.dtype))
    return (layer.left(x) + layer.norm(y)) / 2 ** 0.5


@pytest.mark.parametrize("alg", [ALGEBRAS[0], pytest.param(CliffordAlgebra((1, -1, 0)), marks=pytest.mark.slow)],
                         ids=str)
@pytest.mark.parametrize("name", ["GeometricProductLayer", "FullyConnected"])
def test_blade_major_numba_path_matches_rows_and_gradcheck(name, alg):
    """With the blade-major Numba kernels (and the fully connected layer's channel-mixing
    loop) compiled, the product layers give the rows formulation's values and gradients
    (f64 to 1e-12, f32 to 1e-5) and pass gradcheck. Compiling them costs ≈ 20–50 s per
    algebra from an empty cache, so the degenerate Cl(1,1,1) runs with ``-m slow``: the
    kernels are generated from the product table alone, and the rows formulation, which
    they must match, is tested on every algebra in the default run."""
    torch.manual_seed(0)
    layer = _perturb(LAYERS[name](alg).double())
    for module in layer.modules():
        if isinstance(module, CliffordModule):
            for kind, op in module.kernels.items():
                op.prepare("mixing" if kind == "mixing" else "blade_major")
    for dtype, tol in ((torch.float64, 1e-12), (torch.float32, 1e-5)):
        layer = layer.to(dtype)
        x = torch.randn(90, 3, alg.dim, dtype=dtype, requires_grad=True)
        out, ref = layer(x), _rows_reference(layer, x)
        assert out.grad_fn is not None and out.is_contiguous()
        if name == "FullyConnected":            # the product ran as one channel-mixing loop
            xb = x.permute(2, 0, 1)
            assert layer.kernels["mixing"].choose_mixing(xb, xb, layer.weight.permute(2, 1, 0))[0] == "numba"
        assert (out - ref).abs().max() <= tol * ref.abs().max()
        params = [x, *layer.parameters()]
        for a, b in zip(torch.autograd.grad(out.square().sum(), params), torch.autograd.grad(ref.square().sum(), params)):
            assert (a - b).abs().max() <= 10 * tol * b.abs().max()
    layer = layer.double()
    assert torch.autograd.gradcheck(layer, (torch.randn(2, 3, alg.dim, dtype=torch.float64, requires_grad=True),))


@pytest.mark.parametrize("contiguous", [True, False])
def test_blade_contraction_gradients(contiguous):
    """Per-blade GEMMs written into slices: values of stack/split, gradcheck and
    gradgradcheck, also for a per-path input that is not contiguous (the torch path)."""
    from symgen.nn.clifford.product import BladeContraction
    g = torch.Generator().manual_seed(4)
    slots = (1, 3, 2)
    p = torch.randn(4, 6, 3, dtype=torch.float64, generator=g)
    p = (p if contiguous else p.transpose(1, 2).contiguous().transpose(1, 2)).requires_grad_()
    w = torch.randn(5, 6, 3, dtype=torch.float64, generator=g, requires_grad=True)
    ref = torch.stack([a.reshape(4, -1) @ b.reshape(5, -1).T for a, b in zip(p.split(slots, 1), w.split(slots, 1))])
    torch.testing.assert_close(BladeContraction.apply(p, w, slots), ref, rtol=0, atol=1e-14)
    assert torch.autograd.gradcheck(lambda p, w: BladeContraction.apply(p, w, slots), (p, w))
    assert torch.autograd.gradgradcheck(lambda p, w: BladeContraction.apply(p, w, slots), (p, w))
