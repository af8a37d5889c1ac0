"""Rowwise IR: per-row SymPy expressions of input components, on every backend and layout,
against SymPy's own evaluation; generated gradients against autograd; torch.compile."""

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given, settings
from hypothesis import strategies as hs

from symgen import codegen
from symgen.codegen import Rowwise, runtime
from symgen.codegen.ir import gradient_ir
from symgen.errors import CodegenError, SymbolicCoefficientError


def _ratio_ir(width: int) -> Rowwise:
    """``out_k = a_k (b·b + 1) / (a·a + 2) + a_0 b_k²``: a ratio, squares, shared sums."""
    a, b = sympy.symbols(f"a:{width}"), sympy.symbols(f"b:{width}")
    norm_a, norm_b = sum(s * s for s in a), sum(s * s for s in b)
    exprs = tuple(a[k] * (norm_b + 1) / (norm_a + 2) + a[0] * b[k] ** 2 for k in range(width))
    return Rowwise(f"ratio{width}", (a, b), exprs + (sympy.Integer(3),), doc="a test ratio")


def _sympy_reference(ir, xs):
    f = sympy.lambdify([s for group in ir.inputs for s in group], list(ir.exprs), "numpy")
    cols = [x[..., q].astype(np.float64) for x in xs for q in range(x.shape[-1])]
    return np.stack([np.broadcast_to(v, cols[0].shape) for v in f(*cols)], axis=-1)


@pytest.mark.parametrize("width", [3, 6], ids=["flat-rows", "blocks"])   # narrow rows vectorise, wide use blocks
@settings(max_examples=10, deadline=None)
@given(seed=hs.integers(0, 2**32 - 1), n=hs.sampled_from([0, 1, 15, 16, 37]),
       dtype=hs.sampled_from([np.float64, np.float32]))
def test_backends_match_sympy(width, seed, n, dtype):
    ir = _ratio_ir(width)
    rng = np.random.default_rng(seed)
    xs = [rng.uniform(-2, 2, (n, d)).astype(dtype) for d in ir.in_dims]
    ref = _sympy_reference(ir, xs)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for backend in ("numba", "numpy", "torch"):
        args = [torch.from_numpy(x) for x in xs] if backend == "torch" else xs
        out = np.asarray(runtime.run(ir, *args, backend=backend))
        assert out.dtype == dtype and out.shape == (n, ir.out_dim), backend
        np.testing.assert_allclose(out, ref, rtol=tol, atol=tol, err_msg=backend)


def test_layouts_and_source():
    narrow, wide = codegen.compile(_ratio_ir(3), "numba"), codegen.compile(_ratio_ir(6), "numba")
    assert "def _ratio3_rows(" in narrow.source and "A[3 * t + 2]" in narrow.source
    assert "def _ratio6_blocks(" in wide.source
    assert "error_model='numpy'" in narrow.source and ")/(" in narrow.source     # no checked division
    assert "**" not in narrow.source.split("KERNELS")[0]                          # squares as products


def test_division_by_zero_follows_numpy():
    a = sympy.symbols("a:1")
    ir = Rowwise("inverse", (a,), (1 / a[0],))
    out = runtime.run(ir, np.array([[0.0], [2.0]]), backend="numba")
    np.testing.assert_array_equal(out, [[np.inf], [0.5]])


def test_broadcasting_and_leading_axes():
    ir = _ratio_ir(3)
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 5, 3)), rng.standard_normal((5, 3))
    for backend in ("numba", "numpy"):
        out = runtime.run(ir, a, b, backend=backend)
        np.testing.assert_allclose(out, _sympy_reference(ir, np.broadcast_arrays(a, b)), rtol=1e-12)
    out = runtime.run(ir, torch.from_numpy(a), torch.from_numpy(b), backend="torch")
    np.testing.assert_allclose(out.numpy(), _sympy_reference(ir, np.broadcast_arrays(a, b)), rtol=1e-12)


def test_gradient_ir_is_the_derivative():
    ir = _ratio_ir(3)
    g1 = gradient_ir(ir, 1)
    assert g1.in_dims == (3, 3, 4) and g1.out_dim == 3
    b, g = ir.inputs[1], g1.inputs[2]
    want = sum(gk * sympy.diff(e, b[0]) for gk, e in zip(g, ir.exprs))
    assert sympy.simplify(g1.exprs[0] - want) == 0


@pytest.mark.parametrize("backend", ["torch", "numba"])
def test_gradients(backend):
    """Generated backward (torch kernels, or Numba kernels on CPU tensors) against gradcheck
    and against autograd through the torch kernel."""
    ir = _ratio_ir(3)
    runtime.prepare(ir, "numba")
    for m in range(ir.arity):
        runtime.op(ir).grad(m).prepare("numba")
    rng = np.random.default_rng(2)
    a, b = (torch.tensor(rng.uniform(-2, 2, (4, 3)), requires_grad=True) for _ in range(2))
    assert torch.autograd.gradcheck(lambda a, b: runtime.run(ir, a, b, backend=backend), (a, b))
    runtime.run(ir, a, b, backend=backend).square().sum().backward()
    got = a.grad.clone(), b.grad.clone()
    a.grad = b.grad = None
    codegen.compile(ir, "torch").fn(a, b).square().sum().backward()      # autograd through the kernel
    torch.testing.assert_close(got[0], a.grad)
    torch.testing.assert_close(got[1], b.grad)
    a32, b32 = (x.detach().float().requires_grad_(True) for x in (a, b))
    runtime.run(ir, a32, b32, backend=backend).square().sum().backward()
    torch.testing.assert_close(a32.grad.double(), got[0], rtol=1e-4, atol=1e-4)


def test_torch_compile_fullgraph():
    ir = _ratio_ir(3)
    runtime.prepare(ir, "torch")
    f = torch.compile(lambda a, b: runtime.run(ir, a, b), fullgraph=True, backend="aot_eager")
    a, b = torch.randn(8, 3, requires_grad=True), torch.randn(8, 3)
    out = f(a, b)
    torch.testing.assert_close(out, runtime.run(ir, a, b, backend="torch"))
    out.sum().backward()
    assert a.grad is not None and torch.isfinite(a.grad).all()


def test_bad_ir():
    a = sympy.symbols("a:2")
    with pytest.raises(CodegenError, match="distinct symbols"):
        Rowwise("dup", ((a[0], a[0]),), (a[0],))
    with pytest.raises(CodegenError, match="distinct symbols"):
        Rowwise("notsym", ((a[0] + 1,),), (a[0],))
    with pytest.raises(SymbolicCoefficientError, match="c"):
        Rowwise("unknown", (a,), (a[0] * sympy.Symbol("c"),))
    with pytest.raises(CodegenError, match="at least one output"):
        Rowwise("none", (a,), ())
    with pytest.raises(CodegenError, match="multilinear"):
        runtime.op(Rowwise("nomix", (a,), (a[0],))).run_blade_major(torch.ones(2, 3))
