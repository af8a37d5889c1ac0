"""The runtime: which kernel runs for an input, said honestly; the Numba path on torch
gives the torch kernel's values and gradients; the cache holds only kernels that run;
pointwise IR runs through the same runtime, and both kinds of op pickle as their IR."""

import pickle

import numpy as np
import pytest
import sympy
import torch

from symgen import CliffordAlgebra
from symgen.algebra.clifford.grade_paths import weighted_product_ir
from symgen.codegen import Bilinear, Pointwise, Trilinear, runtime
from symgen.errors import CodegenError, ShapeError


def _cmul(name):
    """A complex product under a fresh name: an op no other test has compiled."""
    return Bilinear(name, 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)))


@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-12), (torch.float32, 1e-5)])
def test_numba_on_torch_matches_torch_kernel(dtype, tol):
    """Cl(1,3) weighted product (x, y, w[path]) as the CGENN layer calls it, w broadcast."""
    ir = weighted_product_ir(CliffordAlgebra.from_signature(1, 3))
    g = torch.Generator().manual_seed(1)
    x, y = (torch.randn(700, 6, 16, dtype=dtype, generator=g, requires_grad=True) for _ in "xy")
    w = torch.randn(6, ir.in_dims[2], dtype=dtype, generator=g, requires_grad=True)
    outs = {}
    for backend in ("numba", "torch"):
        out = runtime.run(ir, x, y, w, backend=backend)
        outs[backend] = (out, torch.autograd.grad(out.square().sum(), (x, y, w)))
    (out, grads), (ref, ref_grads) = outs["numba"], outs["torch"]
    assert out.dtype == dtype and out.shape == ref.shape
    assert (out - ref).abs().max() <= tol * ref.abs().max()
    for a, b in zip(grads, ref_grads):
        assert a.shape == b.shape and (a - b).abs().max() <= tol * b.abs().max()


def test_numba_on_torch_is_differentiable_twice():
    alg = CliffordAlgebra.from_signature(2, 1)
    g = torch.Generator().manual_seed(2)
    a = torch.randn(3, alg.dim, dtype=torch.float64, generator=g, requires_grad=True)
    b = torch.randn(alg.dim, dtype=torch.float64, generator=g, requires_grad=True)

    def gp(a, b):
        return alg.geometric_product(a, b, backend="numba")

    assert torch.autograd.gradcheck(gp, (a, b))
    assert torch.autograd.gradgradcheck(gp, (a, b))


def test_explain_names_what_runs_and_why():
    ir = _cmul("cmul_explain")
    small, big = torch.ones(3, 2), torch.ones(runtime.MIN_ROWS, 2)
    assert "torch kernel (3 rows < MIN_ROWS" in runtime.explain(ir, small, small)
    assert "torch kernel (torch.bfloat16" in runtime.explain(ir, big.bfloat16(), big.bfloat16())
    assert "numpy kernel" in runtime.explain(ir, np.ones(2), np.ones(2))
    assert runtime.kernel(ir, like=big).backend == "numba"       # compiles now: Numba from now on
    assert runtime.explain(ir, big, big) == "cmul_explain: numba kernel (CPU eager, compiled for float32)"
    assert "numba kernel" in runtime.explain(ir, small, small)   # once compiled, every size
    assert "torch kernel (asked for)" in runtime.explain(ir, big, big, backend="torch")
    strided = torch.ones(2, runtime.MIN_ROWS).t()
    assert "strided inputs" in runtime.explain(ir, strided, strided)


def test_compiled_code_runs_torch_kernels():
    ir = _cmul("cmul_traced")
    runtime.prepare(ir, "numba")
    runtime.prepare(ir, "torch")
    seen = []

    def f(a, b):
        seen.append(runtime.op(ir).choose(a, b)[0])
        return runtime.run(ir, a, b)

    a = torch.randn(runtime.MIN_ROWS, 2)
    torch.testing.assert_close(torch.compile(f, fullgraph=True)(a, a), f(a, a))
    assert seen == ["torch", "numba"]


def test_numpy_inputs_fall_back_while_numba_compiles():
    ir = _cmul("cmul_background")
    a = np.random.default_rng(0).standard_normal((runtime.MIN_ROWS, 2))
    first = runtime.explain(ir, a, a)
    assert first.startswith("cmul_background: numpy kernel (the Numba kernel for float64 is compiling")
    ref = runtime.run(ir, a, a)                                   # served now, by NumPy
    assert runtime.kernel(ir, like=a).backend == "numba"         # waits for the background compile
    assert runtime.explain(ir, a, a).startswith("cmul_background: numba kernel")
    np.testing.assert_allclose(runtime.run(ir, a, a), ref, rtol=1e-12)


def test_cache_holds_only_kernels_that_run(tmp_path, monkeypatch):
    """Torch forward + backward writes the op and its two gradients once each, as torch;
    the same on Numba writes three Numba modules; nothing else is generated."""
    monkeypatch.setenv("SYMGEN_CACHE", str(tmp_path))
    ir = _cmul("cmul_files")
    a = torch.randn(4, 2, dtype=torch.float64, requires_grad=True)
    runtime.run(ir, a, a.detach().clone().requires_grad_(), backend="torch").sum().backward()
    names = sorted(p.name.rsplit("_", 1)[0] for p in tmp_path.glob("*.py"))
    assert names == ["cmul_files", "cmul_files_grad0", "cmul_files_grad1"]
    before = set(tmp_path.glob("*.py"))
    b = torch.randn(4, 2, dtype=torch.float64, requires_grad=True)
    runtime.run(ir, a, b, backend="numba").sum().backward()
    new = set(tmp_path.glob("*.py")) - before
    assert len(new) == 3 and all("numba backend" in p.read_text() for p in new)


def test_kernel_source_is_the_file_that_runs():
    alg = CliffordAlgebra((1, 1))
    k = alg.kernel("geometric_product", like=torch.ones(8, 4), backend="torch")
    assert k.backend == "torch" and k.source == k.path.read_text()
    assert alg.kernel("geometric_product", backend="numpy").backend == "numpy"
    assert alg.kernel("grade_projection", k=1, backend="numba").backend == "numba"


def test_bad_backends_name_the_choices():
    ir = _cmul("cmul_errors")
    with pytest.raises(CodegenError, match="unknown backend 'jax'; choose one of auto, numba, torch, numpy"):
        runtime.run(ir, np.ones(2), np.ones(2), backend="jax")
    with pytest.raises(CodegenError, match="backend 'torch' needs torch tensors"):
        runtime.run(ir, np.ones(2), np.ones(2), backend="torch")
    with pytest.raises(CodegenError, match="backend 'numba' cannot run cmul_errors here: torch.float16"):
        runtime.run(ir, torch.ones(2).half(), torch.ones(2).half(), backend="numba")
    with pytest.raises(CodegenError, match="takes 2 inputs; got 1"):
        runtime.run(ir, np.ones(2))


def test_op_pickles_as_its_ir():
    ir = _cmul("cmul_pickle")
    op = runtime.op(ir)
    op.run(np.ones((3, 2)), np.ones((3, 2)), backend="numba")
    assert pickle.loads(pickle.dumps(op)) is op                  # same process: the same Op
    assert b"numba" not in pickle.dumps(op)


# -- pointwise IR ------------------------------------------------------------------------------
def _flow(name):
    """A Pointwise IR under a fresh name: u flowed by u²∂u, with t only broadcasting."""
    t, u, eps = sympy.symbols("t u epsilon")
    return Pointwise(name, (t, u, eps), (u / (1 - eps * u), t + sympy.sin(u)), (), doc="square flow")


@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-13), (torch.float32, 1e-6)])
def test_pointwise_backends_agree(dtype, tol):
    op = runtime.op(_flow("flow_agree"))
    g = torch.Generator().manual_seed(3)
    t, u = torch.rand(4, 1, 5, dtype=dtype, generator=g), torch.rand(4, 3, 5, dtype=dtype, generator=g)
    eps = 0.5 * torch.rand(4, 1, 1, dtype=dtype, generator=g)
    ref = op.run(t, u, eps, backend="torch")
    for out in (op.run(t, u, eps, backend="numba"), op.run(t, u, eps)):
        for a, b in zip(out, ref):
            assert a.dtype == dtype and a.shape == b.shape == (4, 3, 5)
            torch.testing.assert_close(a, b, rtol=tol, atol=tol)
    arrays = op.run(t.numpy(), u.numpy(), eps.numpy())              # numpy in, numpy out
    for a, b in zip(arrays, ref):
        assert isinstance(a, np.ndarray) and a.dtype == b.numpy().dtype
        np.testing.assert_allclose(a, b.numpy(), rtol=tol, atol=tol)


def test_pointwise_params_by_name_or_order():
    x, k = sympy.symbols("x k")
    op = runtime.op(Pointwise("scaled", (x,), (k * x,), (k,)))
    for backend in ("torch", "numba"):
        assert op.run(torch.ones(2), params={"k": 3}, backend=backend)[0].tolist() == [3.0, 3.0]
        assert op.run(torch.ones(2), params=[2], backend=backend)[0].tolist() == [2.0, 2.0]
    with pytest.raises(CodegenError, match="scaled needs values for k; got none"):
        op.run(torch.ones(2))
    with pytest.raises(CodegenError, match=r"takes 1 parameters \(k\); got 2"):
        op.run(torch.ones(2), params=[1, 2])


def test_pointwise_explain_names_what_runs_and_why():
    op = runtime.op(_flow("flow_explain"))
    a = torch.ones(3)
    assert op.explain(a, a, a) == f"flow_explain: torch kernel ({runtime.POINTWISE_CPU_REASON})"
    grad = torch.ones(3, requires_grad=True)
    assert "inputs require grad" in op.explain(a, grad, a)
    assert "torch.bfloat16" in op.explain(*[torch.ones(3).bfloat16()] * 3)
    assert op.explain(*[np.ones(3)] * 3) == "flow_explain: numba kernel (numpy arrays run on Numba)"
    assert op.explain(a, a, a, backend="numba") == "flow_explain: numba kernel (asked for)"
    assert op.kernel(backend="numba").backend == "numba"
    assert op.kernel().backend == runtime.POINTWISE_CPU
    with pytest.raises(CodegenError, match="backend 'numba' cannot run flow_explain here: inputs require grad"):
        op.run(a, grad, a, backend="numba")
    with pytest.raises(CodegenError, match="flow_explain is pointwise"):
        op.run(a, a, a, backend="numpy")
    with pytest.raises(CodegenError, match=r"takes 3 inputs \(t, u, epsilon\); got 2"):
        op.run(a, a)
    with pytest.raises(ShapeError, match=r"input shapes \(3,\) and \(2,\) and \(3,\) do not broadcast"):
        op.run(torch.ones(3), torch.ones(2), torch.ones(3))


def test_pointwise_torch_path_is_differentiable_and_compiles():
    op = runtime.op(_flow("flow_grad"))
    op.prepare("torch")
    u = torch.rand(6, dtype=torch.float64, requires_grad=True)
    t, eps = torch.zeros(6, dtype=torch.float64), torch.full((6,), 0.1, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda u: op.run(t, u, eps)[0], (u,))
    f = torch.compile(lambda t, u, e: op.run(t, u, e)[0], fullgraph=True)
    torch.testing.assert_close(f(t, u.detach(), eps), op.run(t, u.detach(), eps)[0])


def test_pointwise_op_pickles_as_its_ir():
    op = runtime.op(_flow("flow_pickle"))
    op.prepare("numba")
    data = pickle.dumps(op)
    assert pickle.loads(data) is op and b"numba" not in data
    assert runtime.op(pickle.loads(pickle.dumps(op.ir))) is op


def test_ready_numpy_calls_and_the_general_path_agree():
    """Once the Numba kernel is compiled, plain calls take a short checked path; views,
    read-only, broadcast, 1-D and integer inputs still take the general one, same values."""
    op = runtime.op(_cmul("cmul_ready_path"))
    op.prepare("numba")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3, 5, 2))
    ref = np.stack([a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1],
                    a[..., 0] * b[..., 1] + a[..., 1] * b[..., 0]], axis=-1)
    np.testing.assert_allclose(op.run(a, b), ref, atol=1e-12)
    np.testing.assert_allclose(op.run(a.astype(np.float32), b.astype(np.float32)), ref, atol=1e-5)
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 1e-5)):     # the short path, one leading axis
        x, y = a[0].astype(dtype), b[0].astype(dtype)
        ready = op._run_ready((x, y))
        assert ready is not None and ready.dtype == dtype and ready.shape == (5, 2)
        np.testing.assert_allclose(ready, ref[0], atol=tol)
        np.testing.assert_array_equal(op.run(x, y), ready)
    readonly = a.copy()
    readonly.flags.writeable = False
    np.testing.assert_allclose(op.run(readonly, b), ref, atol=1e-12)
    np.testing.assert_allclose(op.run(a[:, ::-1], b[:, ::-1]), ref[:, ::-1], atol=1e-12)
    np.testing.assert_allclose(op.run(a, b[0]), op.run(a, np.broadcast_to(b[0], a.shape).copy()), atol=1e-12)
    np.testing.assert_allclose(op.run(a[0, 0], b[0, 0]), ref[0, 0], atol=1e-12)
    assert op.run(np.ones((4, 2), dtype=np.int64), np.ones((4, 2))).dtype == np.float64
    with pytest.raises(ShapeError, match="3 components"):
        op.run(np.ones((4, 3)), np.ones((4, 2)))


def _blade_major_ir(name):
    """A small trilinear op (x, y, w) with a per-channel weight, under a fresh name."""
    terms = ((0, 0, 0, 0, 1), (0, 1, 1, 1, -2), (1, 0, 1, 0, 1), (1, 1, 0, 2, 3), (2, 1, 1, 1, 1))
    return Trilinear(name, 3, 2, 2, 3, terms)


@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-12), (torch.float32, 1e-5)])
@pytest.mark.parametrize("path", ["numba", "torch"])
def test_blade_major_matches_rows_with_broadcast_and_summed_output(dtype, tol, path):
    """run_blade_major on (dim, n, m) views of any strides, a weight broadcast over n, an
    output summed to (1, m), laid out (n, dim, m): the values and gradients of run()."""
    op = runtime.op(_blade_major_ir("blade_major_test"))
    if path == "numba":
        op.prepare("blade_major")
    g = torch.Generator().manual_seed(2)
    x, y = (torch.randn(7, 5, 2, dtype=dtype, generator=g, requires_grad=True) for _ in "xy")
    w = torch.randn(5, 3, dtype=dtype, generator=g, requires_grad=True)
    for kwargs, reduce in (({}, False), ({"out_order": (1, 0, 2)}, False), ({"out_lead": (1, 5)}, True)):
        want = op.run(x, y, w, backend="torch")
        want = want.sum(0, keepdim=True) if reduce else want
        out = op.run_blade_major(x.permute(2, 0, 1), y.permute(2, 0, 1), w.T, **kwargs,
                                 backend="auto" if path == "numba" else "torch")
        assert out.shape == want.movedim(-1, 0).shape
        assert (out.movedim(0, -1) - want).abs().max() <= tol * want.abs().max()
        grads = torch.autograd.grad(out.square().sum(), (x, y, w))
        ref_grads = torch.autograd.grad(want.square().sum(), (x, y, w))
        for a, b in zip(grads, ref_grads):
            assert (a - b).abs().max() <= tol * b.abs().max()
    if path == "numba":
        assert op.run_blade_major(x.permute(2, 0, 1), y.permute(2, 0, 1), w.T).grad_fn.name().startswith("BladeMajor")


def test_blade_major_gradcheck_and_gradgradcheck_on_numba():
    op = runtime.op(_blade_major_ir("blade_major_test"))
    op.prepare("blade_major")
    g = torch.Generator().manual_seed(3)
    x, y = (torch.randn(2, 4, 3, dtype=torch.float64, generator=g, requires_grad=True) for _ in "xy")
    w = torch.randn(3, 3, dtype=torch.float64, generator=g, requires_grad=True)
    f = lambda x, y, w: op.run_blade_major(x, y, w, out_lead=(4, 1))       # noqa: E731
    assert torch.autograd.gradcheck(f, (x, y, w))
    assert torch.autograd.gradgradcheck(f, (x, y, w))


def test_blade_major_compiles_fullgraph():
    op = runtime.op(_blade_major_ir("blade_major_compiled"))
    op.prepare("torch")
    x, y, w = torch.randn(2, 6, 5), torch.randn(2, 6, 5), torch.randn(3, 5)
    f = torch.compile(lambda x, y, w: op.run_blade_major(x, y, w, out_lead=(1, 5)), fullgraph=True)
    torch.testing.assert_close(f(x, y, w), op.run_blade_major(x, y, w, out_lead=(1, 5), backend="torch"))


def test_blade_major_bad_inputs():
    op = runtime.op(_blade_major_ir("blade_major_bad"))
    x, w = torch.randn(2, 6, 5), torch.randn(3, 5)
    with pytest.raises(CodegenError, match="first axis"):
        op.run_blade_major(x.T, x, w)
    with pytest.raises(CodegenError, match="does not broadcast"):
        op.run_blade_major(x, x, w, out_lead=(4, 5))
    with pytest.raises(CodegenError, match="3 torch tensors"):
        op.run_blade_major(x, x)
    with pytest.raises(ShapeError, match="do not broadcast"):
        op.run_blade_major(x, x[:, :4], w)


def _mixing_inputs(ir, dtype, rows, g, m=3, o=4):
    a, b = (torch.randn(rows, m, dim, dtype=dtype, generator=g).permute(2, 0, 1).requires_grad_()
            for dim in ir.in_dims[:2])                    # blade-major views, not contiguous
    w = torch.randn(ir.in_dims[2], m, o, dtype=dtype, generator=g, requires_grad=True)
    return a, b, w


def _mixing_reference(ir, a, b, w):
    """y[k, n, o] = Σ_m Σ_terms c a[i, n, m] b[j, n, m] w[l, m, o], by a dense einsum."""
    t = torch.zeros(ir.out_dim, *ir.in_dims, dtype=a.dtype)
    for k, i, j, l, c in ir.terms:
        t[k, i, j, l] += float(c)
    return torch.einsum("kijl,inm,jnm,lmo->kno", t, a, b, w)


@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-12), (torch.float32, 1e-5)])
@pytest.mark.parametrize("path", ["numba", "torch"])
def test_mixing_matches_dense_reference(dtype, tol, path):
    """run_mixing on the Cl(1,1) weighted product (70 rows: a block and a part, strided
    inputs): the values and all three gradients of a dense einsum, on both paths."""
    op = runtime.op(weighted_product_ir(CliffordAlgebra.from_signature(1, 1)))
    if path == "numba":
        op.prepare("mixing")
    a, b, w = _mixing_inputs(op.ir, dtype, 70, torch.Generator().manual_seed(5))
    out = op.run_mixing(a, b, w, backend="auto" if path == "numba" else "torch")
    want = _mixing_reference(op.ir, a, b, w)
    assert out.shape == (op.ir.out_dim, 70, 4)
    assert (out - want).abs().max() <= tol * want.abs().max()
    for got, ref in zip(torch.autograd.grad(out.square().sum(), (a, b, w)),
                        torch.autograd.grad(want.square().sum(), (a, b, w))):
        assert (got - ref).abs().max() <= tol * ref.abs().max()
    if path == "numba":
        assert "symgen_channel_mixing" in out.grad_fn.name()
        assert op.choose_mixing(a, b, w) == ("numba", "CPU eager, compiled for " + str(dtype)[6:] + "-mixing")


def test_mixing_gradcheck_and_gradgradcheck_on_numba():
    op = runtime.op(_blade_major_ir("mixing_test"))
    a, b, w = _mixing_inputs(op.ir, torch.float64, 3, torch.Generator().manual_seed(6), m=2, o=3)
    assert op.choose_mixing(a, b, w, backend="numba") == ("numba", "asked for")    # compiles float64
    assert op.choose_mixing(a, b, w)[0] == "numba"
    assert torch.autograd.gradcheck(op.run_mixing, (a, b, w))
    assert torch.autograd.gradgradcheck(op.run_mixing, (a, b, w))


def test_mixing_compiles_fullgraph_as_one_custom_op():
    """torch.compile(fullgraph=True) keeps the Numba mixing as the custom op: same values
    and gradients as eager."""
    op = runtime.op(weighted_product_ir(CliffordAlgebra.from_signature(1, 1)))
    op.prepare("mixing")
    a, b, w = _mixing_inputs(op.ir, torch.float32, 40, torch.Generator().manual_seed(7))
    f = torch.compile(lambda a, b, w: op.run_mixing(a, b, w).square().sum(), fullgraph=True)
    got = torch.autograd.grad(f(a, b, w), (a, b, w))
    want = torch.autograd.grad(op.run_mixing(a, b, w).square().sum(), (a, b, w))
    for x, y in zip(got, want):
        torch.testing.assert_close(x, y, rtol=1e-5, atol=1e-5)


def test_mixing_bad_inputs():
    op = runtime.op(_blade_major_ir("mixing_bad"))
    a, w = torch.randn(2, 6, 5), torch.randn(3, 5, 4)
    with pytest.raises(CodegenError, match=r"a \(2, n, m\)"):
        op.run_mixing(a.transpose(1, 2), a, w)
    with pytest.raises(CodegenError, match="trilinear"):
        runtime.op(_cmul("mixing_bilinear")).run_mixing(a, a, w)
    with pytest.raises(CodegenError, match="unknown backend"):
        op.run_mixing(a, a, w, backend="numpy")
