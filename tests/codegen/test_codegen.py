"""Codegen: IR, both backends and both strategies, the on-disk cache."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import sympy
import torch

from symgen import codegen
from symgen.codegen import Bilinear, Linear, Pointwise, Trilinear, cache
from symgen.errors import CodegenError, SymbolicCoefficientError


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMGEN_CACHE", str(tmp_path))
    return tmp_path


def random_ir(rng, arity, out_dim=5, in_dim=4, n_terms=30):
    cols = [rng.integers(0, out_dim, n_terms)] + [rng.integers(0, in_dim, n_terms) for _ in range(arity)]
    coeffs = [sympy.Rational(int(c), 4) for c in rng.integers(-8, 9, n_terms)]
    terms = tuple(tuple(int(col[q]) for col in cols) + (coeffs[q],) for q in range(n_terms))
    if arity > 3:
        return codegen.Multilinear(f"op{arity}", out_dim, (in_dim,) * arity, terms)
    cls = {1: Linear, 2: Bilinear, 3: Trilinear}[arity]
    return cls(f"op{arity}", out_dim, *([in_dim] * arity), terms)


def dense_reference(ir, inputs):
    k, *idx, c = ir.numeric_terms()
    out = np.zeros(inputs[0].shape[:-1] + (ir.out_dim,))
    for q in range(len(k)):
        term = c[q]
        for x, i in zip(inputs, idx):
            term = term * x[..., i[q]]
        out[..., k[q]] += term
    return out


@pytest.mark.parametrize("arity", [1, 2, 3, 4])
@pytest.mark.parametrize("strategy", ["unrolled", "table"])
def test_backends_agree_with_reference(arity, strategy):
    rng = np.random.default_rng()
    ir = random_ir(rng, arity)
    xs = [rng.standard_normal((7, d)) for d in ir.in_dims]
    ref = dense_reference(ir, xs)
    out = np.empty((7, ir.out_dim))
    codegen.compile(ir, "numba", strategy)(*xs, out)
    np.testing.assert_allclose(out, ref, atol=1e-12)
    for torch_strategy in (strategy, "dense") if strategy == "table" else (strategy,):
        got = codegen.compile(ir, "torch", torch_strategy)(*map(torch.from_numpy, xs))
        np.testing.assert_allclose(got.numpy(), ref, atol=1e-12)
    out[:] = np.nan
    codegen.compile(ir, "numpy")(*xs, out)
    np.testing.assert_allclose(out, ref, atol=1e-12)


@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-4), (np.float64, 1e-12)])
@pytest.mark.parametrize("arity", [2, 3])
@pytest.mark.parametrize("n_terms, layout", [(20, "rows"), (80, "blocks")])
def test_numba_layouts_match_reference_across_blocks(dtype, tol, arity, n_terms, layout):
    """Few terms per float moved run row by row, many in blade-major blocks (both dtypes);
    batches that are not a multiple of BLOCK check the last partial block, and an empty
    batch runs no block."""
    from symgen.codegen.numba_backend import BLOCK, BLOCKS_MIN_TERMS_PER_FLOAT
    rng = np.random.default_rng()
    ir = random_ir(rng, arity, n_terms=n_terms)
    floats = sum(ir.in_dims) + ir.out_dim
    assert (len(ir.terms) >= BLOCKS_MIN_TERMS_PER_FLOAT * floats) == (layout == "blocks")
    kernel = codegen.compile(ir, "numba")
    assert f"def _{ir.name}_{layout}(" in kernel.source
    for n in (0, 1, BLOCK - 1, BLOCK, 3 * BLOCK + 5):
        xs = [rng.standard_normal((n, d)).astype(dtype) for d in ir.in_dims]
        out = np.full((n, ir.out_dim), np.nan, dtype)
        kernel(*xs, out)
        ref = dense_reference(ir, [x.astype(np.float64) for x in xs])
        np.testing.assert_allclose(out, ref, atol=tol * max(np.abs(ref).max(initial=0.0), 1.0))


def test_ir_is_canonical_and_hashable():
    a = Bilinear("p", 2, 2, 2, ((0, 0, 0, 1), (0, 0, 0, 1), (1, 1, 1, 0)))
    b = Bilinear("p", 2, 2, 2, ((0, 0, 0, 2),))
    assert a == b and hash(a) == hash(b) and a.key() == b.key()
    assert a.terms == ((0, 0, 0, 2),)
    assert Bilinear("p", 2, 2, 2, ((0, 0, 0, 3),)).key() != a.key()


def test_ir_rejects_bad_terms():
    with pytest.raises(CodegenError, match="out of range"):
        Bilinear("p", 2, 2, 2, ((2, 0, 0, 1),))
    with pytest.raises(CodegenError, match="identifier"):
        Linear("not a name", 1, 1, ((0, 0, 1),))
    with pytest.raises(CodegenError, match="unknown backend"):
        codegen.compile(Linear("x", 1, 1, ((0, 0, 1),)), "jax")


def test_symbolic_coefficients_need_numbers():
    g = sympy.Symbol("g")
    ir = Linear("scale", 1, 1, ((0, 0, g),))
    with pytest.raises(SymbolicCoefficientError, match="g"):
        codegen.compile(ir, "torch")
    k = codegen.compile(ir.subs({g: 3}), "torch")
    assert k(torch.tensor([2.0])).item() == 6.0


def test_source_is_the_cached_file(fresh_cache):
    ir = Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)),
                  labels=("1", "i"))
    for backend in ("numba", "torch"):
        k = codegen.compile(ir, backend)
        assert k.path.parent == fresh_cache
        assert k.source == k.path.read_text()
        assert "a0*b1 + a1*b0" in k.source and "# i" in k.source
        assert ir.key() in k.source


def test_corrupt_entry_is_regenerated(fresh_cache):
    ir = Linear("negate", 2, 2, ((0, 0, -1), (1, 1, -1)))
    path = codegen.compile(ir, "torch").path
    good = path.read_text()
    path.write_text(good[: len(good) // 2])          # truncated
    assert cache.load_source(path) is None
    k = codegen.compile(ir, "torch")
    assert k.path.read_text() == good
    path.write_text(good.replace("-a0", "a0"))       # tampered: checksum no longer holds
    assert cache.load_source(path) is None
    assert codegen.compile(ir, "torch").path.read_text() == good


def test_cache_dir_follows_environment(fresh_cache):
    assert cache.cache_dir() == fresh_cache


def test_two_processes_compile_same_kernel(tmp_path):
    script = textwrap.dedent("""
        import numpy as np
        from symgen import CliffordAlgebra
        alg = CliffordAlgebra((1, 1, 0))
        x = np.ones((3, 8))
        print(alg.geometric_product(x, x)[0, 0])
    """)
    env = dict(os.environ, SYMGEN_CACHE=str(tmp_path))
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert float(out) == 2.0
    assert not list(tmp_path.glob(".*.tmp"))


def test_pointwise_both_backends():
    x, t, eps = sympy.symbols("x t eps")
    ir = Pointwise("flow", (x, t), (x + eps * t, sympy.exp(eps) * t, sympy.Integer(2)), params=(eps,))
    xs, ts = np.linspace(0, 1, 5), np.linspace(1, 2, 5)
    outs = [np.empty(5) for _ in range(3)]
    codegen.compile(ir, "numba")(xs, ts, 0.5, *outs)
    np.testing.assert_allclose(outs[0], xs + 0.5 * ts)
    np.testing.assert_allclose(outs[1], np.exp(0.5) * ts)
    np.testing.assert_allclose(outs[2], 2.0)
    got = codegen.compile(ir, "torch")(torch.from_numpy(xs), torch.from_numpy(ts), 0.5)
    for g, o in zip(got, outs):
        np.testing.assert_allclose(g.numpy(), o)


def test_pointwise_rejects_unknown_symbols():
    x, y = sympy.symbols("x y")
    with pytest.raises(SymbolicCoefficientError, match="y"):
        Pointwise("f", (x,), (x + y,))


@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-4), (np.float64, 1e-12)])
@pytest.mark.parametrize("arity", [1, 2, 3])
def test_narrow_rows_read_flat_views(dtype, tol, arity):
    """Row loops of at most FLAT_MAX_COMPONENTS components per input and output read flat
    views at constant offsets (vectorised); wider ones index ``a[t, q]``."""
    from symgen.codegen.numba_backend import FLAT_MAX_COMPONENTS
    rng = np.random.default_rng()
    narrow = random_ir(rng, arity, out_dim=FLAT_MAX_COMPONENTS, in_dim=3, n_terms=6)
    wide = random_ir(rng, arity, out_dim=FLAT_MAX_COMPONENTS + 1, in_dim=3, n_terms=6)
    for ir, flat in ((narrow, True), (wide, False)):
        kernel = codegen.compile(ir, "numba")
        assert ("a[3 * t + 2]" in kernel.source.replace("A[", "a[")) == flat
        for n in (0, 1, 33):
            xs = [rng.standard_normal((n, d)).astype(dtype) for d in ir.in_dims]
            out = np.full((n, ir.out_dim), np.nan, dtype)
            kernel(*xs, out)
            ref = dense_reference(ir, [x.astype(np.float64) for x in xs])
            np.testing.assert_allclose(out, ref, atol=tol * max(np.abs(ref).max(initial=0.0), 1.0))
