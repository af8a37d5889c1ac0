"""Large CPU batches of torch products run the generated Numba kernels: same values and
gradients as the torch kernels, differentiable twice, and out of the way of torch.compile."""

import pytest
import torch

from symgen import CliffordAlgebra
from symgen.algebra.clifford.grade_paths import weighted_product_ir
from symgen.codegen import Bilinear
from symgen.codegen import compile as compile_ir
from symgen.codegen import cpu_dispatch


@pytest.fixture(scope="module")
def weighted():
    """Cl(1,3) weighted geometric product (x, y, w[path]) as the CGENN layer calls it."""
    alg = CliffordAlgebra.from_signature(1, 3)
    ir = weighted_product_ir(alg)
    return compile_ir(ir, "torch").fn, alg.dim, ir.in_dims[2]


@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-12), (torch.float32, 1e-5)])
def test_numba_path_matches_torch_kernel(weighted, dtype, tol, monkeypatch):
    fn, dim, paths = weighted
    g = torch.Generator().manual_seed(1)
    x = torch.randn(700, 6, dim, dtype=dtype, generator=g, requires_grad=True)
    y = torch.randn(700, 6, dim, dtype=dtype, generator=g, requires_grad=True)
    w = torch.randn(6, paths, dtype=dtype, generator=g, requires_grad=True)   # broadcast over batch
    out = fn(x, y, w)                           # 4200 rows ≥ MIN_ROWS: Numba
    grads = torch.autograd.grad(out.square().sum(), (x, y, w))
    monkeypatch.setattr(cpu_dispatch, "MIN_ROWS", 10 ** 9)
    ref = fn(x, y, w)                           # torch kernel
    ref_grads = torch.autograd.grad(ref.square().sum(), (x, y, w))
    assert out.dtype == dtype and out.shape == ref.shape
    scale = ref.abs().max()
    assert (out - ref).abs().max() <= tol * scale
    for a, b in zip(grads, ref_grads):
        assert a.shape == b.shape
        assert (a - b).abs().max() <= tol * b.abs().max()


def test_numba_path_gradcheck_and_gradgradcheck(monkeypatch):
    monkeypatch.setattr(cpu_dispatch, "MIN_ROWS", 1)
    alg = CliffordAlgebra.from_signature(2, 1)
    fn = compile_ir(alg.bilinear_ir("geometric_product"), "torch").fn
    g = torch.Generator().manual_seed(2)
    a = torch.randn(3, alg.dim, dtype=torch.float64, generator=g, requires_grad=True)
    b = torch.randn(alg.dim, dtype=torch.float64, generator=g, requires_grad=True)
    assert torch.autograd.gradcheck(fn, (a, b))
    assert torch.autograd.gradgradcheck(fn, (a, b))


def test_small_batches_compile_and_half_precision_stay_on_torch(weighted, monkeypatch):
    fn, dim, paths = weighted
    calls = []
    monkeypatch.setattr(cpu_dispatch._NumbaProduct, "apply",
                        staticmethod(lambda *args: calls.append(args) or args[1]))
    fn(torch.randn(8, 2, dim), torch.randn(8, 2, dim), torch.randn(2, paths))
    fn(torch.randn(4096, dim, dtype=torch.bfloat16), torch.randn(4096, dim, dtype=torch.bfloat16),
       torch.randn(paths, dtype=torch.bfloat16))
    compiled = torch.compile(fn, fullgraph=True)
    big = torch.randn(4096, dim)
    assert compiled(big, big, torch.ones(paths)).shape == big.shape
    assert calls == []
    fn(big, big, torch.ones(paths))
    assert len(calls) == 1


def test_component_major_inputs_go_to_numba_only_for_ops_with_many_terms(weighted, monkeypatch):
    fn, dim, paths = weighted                                   # 256 terms
    cmul = compile_ir(Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1),
                                                  (1, 1, 0, 1))), "torch").fn   # 4 terms
    calls = []
    monkeypatch.setattr(cpu_dispatch._NumbaProduct, "apply",
                        staticmethod(lambda *args: calls.append(args[0].ir.name) or args[1]))
    x = torch.randn(dim, 4096).T                                # component-major view
    fn(x, x, torch.ones(paths))
    z = torch.randn(2, 4096).T
    cmul(z, z)
    cmul(z.contiguous(), z.contiguous())
    assert calls == ["weighted_geometric_product", "cmul"]
