"""Torch path: agreement with the Numba path, gradients, torch.compile, devices."""

import numpy as np
import pytest
import torch

from symgen import CliffordAlgebra

from tests.algebras import ALGEBRAS

BILINEAR = ["geometric_product", "outer_product", "left_contraction", "right_contraction",
            "scalar_product", "inner_product", "commutator", "regressive_product"]
UNARY = ["reverse", "grade_involution", "clifford_conjugate", "dual", "undual", "complement",
         "uncomplement"]
CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.mark.parametrize("alg", [a for a in ALGEBRAS if a.n <= 4], ids=str)
def test_torch_matches_numba(alg):
    rng = np.random.default_rng()
    a, b = rng.standard_normal((2, 5, alg.dim))
    for op in BILINEAR:
        if op in ("dual", "undual") and alg.is_degenerate:
            continue
        ours = getattr(alg, op)(torch.from_numpy(a), torch.from_numpy(b)).numpy()
        np.testing.assert_allclose(ours, getattr(alg, op)(a, b), atol=1e-12, err_msg=op)
    for op in UNARY:
        ours = getattr(alg, op)(torch.from_numpy(a)).numpy()
        np.testing.assert_allclose(ours, getattr(alg, op)(a), atol=1e-12, err_msg=op)
    for dtype in (torch.float32, torch.float64):
        x = torch.from_numpy(a).to(dtype)
        assert alg.geometric_product(x, x).dtype == dtype


def test_broadcasting():
    alg = CliffordAlgebra((1, 1, 1))
    rng = np.random.default_rng()
    a, b = rng.standard_normal((4, 1, 8)), rng.standard_normal((3, 8))
    out = alg.geometric_product(a, b)
    assert out.shape == (4, 3, 8)
    np.testing.assert_allclose(out[2, 1], alg.geometric_product(a[2, 0], b[1]), atol=1e-12)
    tout = alg.geometric_product(torch.from_numpy(a), torch.from_numpy(b))
    np.testing.assert_allclose(tout.numpy(), out, atol=1e-12)


@pytest.mark.parametrize("alg", [CliffordAlgebra((0, 1, -1)), CliffordAlgebra.from_signature(1, 3)],
                         ids=str)
def test_gradcheck_every_op(alg):
    rng = np.random.default_rng()
    a = torch.tensor(rng.standard_normal((2, alg.dim)), requires_grad=True)
    b = torch.tensor(rng.standard_normal((2, alg.dim)), requires_grad=True)
    for op in BILINEAR:
        assert torch.autograd.gradcheck(getattr(alg, op), (a, b)), op
    for op in UNARY + ["norm_squared"]:
        if op in ("dual", "undual") and alg.is_degenerate:
            continue
        assert torch.autograd.gradcheck(getattr(alg, op), (a,)), op
    assert torch.autograd.gradcheck(lambda x: alg.grade_projection(x, 1), (a,))


def test_second_derivatives():
    """The generated backward is itself differentiable."""
    alg = CliffordAlgebra((1, -1, 0))
    rng = np.random.default_rng()
    a = torch.tensor(rng.standard_normal((2, alg.dim)), requires_grad=True)
    b = torch.tensor(rng.standard_normal((alg.dim,)), requires_grad=True)
    assert torch.autograd.gradgradcheck(alg.geometric_product, (a, b))


def test_gradcheck_sandwich():
    alg = CliffordAlgebra((1, 1, 1))
    w = torch.zeros(alg.dim, dtype=torch.float64)
    w[0], w[4] = 0.8, 0.6                         # a rotor
    x = torch.tensor(np.random.default_rng().standard_normal((3, alg.dim)), requires_grad=True)
    w.requires_grad_(True)
    assert torch.autograd.gradcheck(alg.sandwich, (w, x))


def test_torch_compile_fullgraph():
    alg = CliffordAlgebra.from_signature(1, 3)
    kernel = torch.compile(lambda a, b: alg.geometric_product(a, b), fullgraph=True)
    with pytest.raises(Exception, match=r"alg\.prepare"):  # CodegenError, wrapped by dynamo
        kernel(torch.randn(2, alg.dim), torch.randn(2, alg.dim))
    torch._dynamo.reset()
    alg.prepare(["geometric_product"])
    a = torch.randn(64, alg.dim, requires_grad=True)
    b = torch.randn(64, alg.dim, requires_grad=True)
    out = kernel(a, b)
    ref = alg.geometric_product(a, b)
    torch.testing.assert_close(out, ref)
    out.square().sum().backward()
    ga = a.grad.clone()
    a.grad = None
    ref.square().sum().backward()
    torch.testing.assert_close(ga, a.grad)


@CUDA
def test_cuda_matches_cpu():
    alg = CliffordAlgebra((1, 1, 1))
    a = torch.randn(10, 8)
    out = alg.geometric_product(a.cuda(), a.cuda())
    assert out.device.type == "cuda"
    torch.testing.assert_close(out.cpu(), alg.geometric_product(a, a))
