"""Products and sandwiches specialised by grade: against the full product (exact blades
present, float64 to 1e-12 and float32), against kingdon's specialised sandwich, gradients
and torch.compile."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as hs
from kingdon import Algebra

from symgen import CliffordAlgebra

from tests.algebras import algebra, diagonal

SIGS = [(3, 0, 0), (1, 3, 0), (3, 0, 1), (4, 1, 0)]
OPS = ["geometric_product", "outer_product", "left_contraction", "right_contraction",
       "scalar_product", "inner_product", "commutator", "regressive_product"]
GRADES = [(2, 1), ((0, 2), 1), (1, (1, 3)), ((0, 1), (0, 2)), (1, 1)]


def _embed(alg, x, grades):
    full = np.zeros(x.shape[:-1] + (alg.dim,), dtype=x.dtype)
    full[..., alg.blade_indices(grades)] = x
    return full


def _even(alg):
    return tuple(range(0, alg.n + 1, 2))


def _versors(alg, rows, rng, dtype=np.float64):
    """Rotors ``v1 v2 / |v1 v2|`` of random vectors with ``w w̃ = 1``, even part only
    (NumPy kernels: no background Numba compile outlives the test)."""
    v1, v2 = (_embed(alg, rng.standard_normal((rows, alg.n)), 1) for _ in range(2))
    w = alg.geometric_product(v1, v2, backend="numpy")
    norm = alg.norm_squared(w, backend="numpy")
    w = w[norm > 0.1] / np.sqrt(norm[norm > 0.1])[:, None]
    return w[:, alg.blade_indices(_even(alg))].astype(dtype)


@pytest.mark.parametrize("sig", SIGS, ids=str)
@given(seed=hs.integers(0, 2**32 - 1), pair=hs.sampled_from(GRADES), op=hs.sampled_from(OPS),
       dtype=hs.sampled_from([np.float64, np.float32]))
def test_matches_full_product(sig, seed, pair, op, dtype):
    alg = algebra(sig)
    ga, gb = pair
    if not alg.product_grades(op, pair):
        return                                          # identically zero: refused, see test_errors
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, (5, len(alg.blade_indices(ga)))).astype(dtype)
    b = rng.uniform(-2, 2, (5, len(alg.blade_indices(gb)))).astype(dtype)
    out = getattr(alg, op)(a, b, grades=pair)
    full = getattr(alg, op)(_embed(alg, a, ga).astype(np.float64), _embed(alg, b, gb).astype(np.float64))
    held = list(alg.blade_indices(alg.product_grades(op, pair)))
    assert out.dtype == dtype and out.shape == (5, len(held))
    tol = 1e-12 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(out, full[:, held], atol=tol * 10, rtol=tol)
    assert np.abs(np.delete(full, held, axis=1)).max(initial=0) <= 1e-12   # the rest is zero


@pytest.mark.parametrize("sig", SIGS, ids=str)
def test_backends_agree(sig):
    """Numba (rows and blade-major layouts), NumPy and torch kernels of the same IR."""
    alg = algebra(sig)
    rng = np.random.default_rng(1)
    w = _versors(alg, 300, rng)
    x = rng.standard_normal((len(w), alg.n))
    pair = (_even(alg), 1)
    ref = alg.sandwich(w, x, grades=pair, backend="numpy")
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        for backend in ("numba", "torch"):
            args = (w.astype(dtype), x.astype(dtype))
            if backend == "torch":
                args = tuple(map(torch.from_numpy, args))
            out = np.asarray(alg.sandwich(*args, grades=pair, backend=backend))
            np.testing.assert_allclose(out, ref, atol=tol * 10, rtol=tol, err_msg=f"{backend} {dtype}")


@pytest.mark.parametrize("sig", SIGS, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sandwich_matches_full_and_kingdon(sig, dtype):
    alg = algebra(sig)
    rng = np.random.default_rng(2)
    pair = (_even(alg), (1, 2))
    w = _versors(alg, 40, rng)
    x = rng.standard_normal((len(w), len(alg.blade_indices((1, 2)))))
    ours = alg.sandwich(w.astype(dtype), x.astype(dtype), grades=pair)
    full = alg.sandwich(_embed(alg, w, pair[0]), _embed(alg, x, pair[1]))
    tol = 1e-12 if dtype == np.float64 else 1e-4
    scale = np.abs(full).max()
    np.testing.assert_allclose(ours / scale, full[:, alg.blade_indices(pair[1])] / scale, atol=tol)
    kalg = Algebra(signature=list(diagonal(sig)))

    def mv(values, grades):
        keys = tuple(sum(1 << i for i in alg.blades[q]) for q in alg.blade_indices(grades))
        return kalg.multivector(values=values.T.copy(), keys=keys)

    for k in (1, 2):
        part = x[:, [q for q, p in enumerate(alg.blade_indices(pair[1])) if alg.grades[p] == k]]
        ref = mv(w, pair[0]) >> mv(part, k)           # kingdon assumes w w̃ = 1, as these are
        for unit in (False, True):
            mine = alg.sandwich(w.astype(dtype), part.astype(dtype), grades=(pair[0], k), unit=unit)
            np.testing.assert_allclose(mine / scale, np.asarray(ref.values()).T / scale, atol=tol)
    unit_full = alg.sandwich(_embed(alg, w, pair[0]), _embed(alg, x, pair[1]), unit=True)
    np.testing.assert_allclose(unit_full / scale, full / scale, atol=1e-12)


@pytest.mark.parametrize("sig", SIGS, ids=str)
def test_fused_sandwich_of_scaled_versors(sig):
    """``w x w⁻¹`` in one kernel for versors ``w = s R`` of any norm (``s`` per row, so
    ``<w w̃>_0 = s²``): every backend, float64 and float32, against kingdon's ``R >> x`` on
    the unit ``R``, the full product path and the unit kernel divided by the norm."""
    alg = algebra(sig)
    rng = np.random.default_rng(6)
    pair = (_even(alg), 1)
    R = _versors(alg, 300, rng)
    w = R * rng.uniform(0.3, 3.0, (len(R), 1))
    x = rng.standard_normal((len(R), alg.n))
    kalg = Algebra(signature=list(diagonal(sig)))
    keys = lambda g: tuple(sum(1 << i for i in alg.blades[q]) for q in alg.blade_indices(g))  # noqa: E731
    ref = np.asarray((kalg.multivector(values=R.T.copy(), keys=keys(pair[0]))
                      >> kalg.multivector(values=x.T.copy(), keys=keys(1))).values()).T
    alg.prepare(["sandwich"], backend="numba", grades=pair)   # no background compile outlives the test
    full = alg.sandwich(_embed(alg, w, pair[0]), _embed(alg, x, 1), backend="numpy")[:, list(alg.blade_indices(1))]
    norm = alg.norm_squared(_embed(alg, w, pair[0]), backend="numpy")[:, None]
    unfused = alg.sandwich(w, x, grades=pair, unit=True) / norm
    scale = np.abs(ref).max()
    for other in (full, unfused):
        np.testing.assert_allclose(other / scale, ref / scale, atol=1e-12)
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 2e-5)):
        for backend in ("numba", "numpy", "torch", "auto"):
            args = (w.astype(dtype), x.astype(dtype))
            if backend == "torch":
                args = tuple(map(torch.from_numpy, args))
            out = np.asarray(alg.sandwich(*args, grades=pair, backend=backend))
            assert out.dtype == dtype
            np.testing.assert_allclose(out / scale, ref / scale, atol=tol, err_msg=f"{backend} {dtype}")


def test_fused_sandwich_gradients_numba_and_torch():
    """The Numba kernels of the fused sandwich's gradient IRs (eager CPU tensors) give the
    torch kernels' gradients, float64 and float32."""
    alg = CliffordAlgebra.from_signature(1, 3)
    pair = ((0, 2, 4), 1)
    alg.prepare(["sandwich"], backend="numba", grades=pair)
    rng = np.random.default_rng(7)
    w0 = _versors(alg, 300, rng) * rng.uniform(0.5, 2.0, (1, 1))
    x0 = rng.standard_normal((len(w0), alg.n))
    for dtype, tol in ((torch.float64, 1e-10), (torch.float32, 1e-4)):
        grads = []
        for backend in ("numba", "torch"):
            w = torch.tensor(w0, dtype=dtype, requires_grad=True)
            x = torch.tensor(x0, dtype=dtype, requires_grad=True)
            alg.sandwich(w, x, grades=pair, backend=backend).square().sum().backward()
            grads.append((w.grad, x.grad))
        for got, want in zip(*grads):
            torch.testing.assert_close(got, want, rtol=tol, atol=tol)


def test_odd_versor_twists_odd_grades():
    """A vector (odd versor) acting on vectors and bivectors: ρ(w)(x) = ŵ x₁ w⁻¹ + w x₀ w⁻¹."""
    alg = CliffordAlgebra.from_signature(3, 1)
    rng = np.random.default_rng(3)
    w = rng.standard_normal((7, alg.n))
    x = rng.standard_normal((7, len(alg.blade_indices((1, 2)))))
    full = alg.sandwich(_embed(alg, w, 1), _embed(alg, x, (1, 2)))
    out = alg.sandwich(w, x, grades=(1, (1, 2)))
    np.testing.assert_allclose(out, full[:, alg.blade_indices((1, 2))], atol=1e-12)


@pytest.mark.parametrize("sig", [(3, 0, 0), (3, 0, 1)], ids=str)
def test_gradients(sig):
    alg = algebra(sig)
    rng = np.random.default_rng(4)
    w = torch.tensor(_versors(alg, 3, rng), requires_grad=True)
    x = torch.tensor(rng.standard_normal((len(w), alg.n)), requires_grad=True)
    B = torch.tensor(rng.standard_normal((len(w), len(alg.blade_indices(2)))), requires_grad=True)
    pair = (_even(alg), 1)
    assert torch.autograd.gradcheck(lambda w, x: alg.sandwich(w, x, grades=pair), (w, x))
    assert torch.autograd.gradcheck(lambda w, x: alg.sandwich(w, x, grades=pair, unit=True), (w, x))
    assert torch.autograd.gradcheck(lambda a, b: alg.geometric_product(a, b, grades=(2, 1)), (B, x))
    # the same gradients as the full product's
    Bf = torch.zeros(len(w), alg.dim, dtype=torch.float64)
    Bf[:, list(alg.blade_indices(2))] = B.detach()
    Bf.requires_grad_(True)
    xf = torch.zeros(len(w), alg.dim, dtype=torch.float64)
    xf[:, list(alg.blade_indices(1))] = x.detach()
    alg.geometric_product(Bf, xf).square().sum().backward()
    alg.geometric_product(B, x, grades=(2, 1)).square().sum().backward()
    torch.testing.assert_close(B.grad, Bf.grad[:, list(alg.blade_indices(2))])


def test_torch_compile_fullgraph():
    alg = CliffordAlgebra.from_signature(3, 0, 1)
    pair = ((0, 2, 4), 1)
    f = torch.compile(lambda w, x, B: (alg.sandwich(w, x, grades=pair),
                                       alg.geometric_product(B, x, grades=(2, 1)),
                                       alg.sandwich(w, x, grades=pair, unit=True)), fullgraph=True)
    w = torch.tensor(_versors(alg, 64, np.random.default_rng(5)), dtype=torch.float32, requires_grad=True)
    x = torch.randn(len(w), alg.n, requires_grad=True)
    B = torch.randn(len(w), 6)
    with pytest.raises(Exception, match=r"alg\.prepare"):    # CodegenError, wrapped by dynamo
        f(w, x, B)
    torch._dynamo.reset()
    alg.prepare(["sandwich"], grades=pair)
    alg.prepare(["geometric_product"], grades=(2, 1))
    out, prod, unit = f(w, x, B)
    ref, ref_prod = alg.sandwich(w, x, grades=pair), alg.geometric_product(B, x, grades=(2, 1))
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(prod, ref_prod)
    torch.testing.assert_close(unit, ref, atol=1e-5, rtol=1e-4)        # these versors have w w̃ = 1
    out.square().sum().backward()
    gw = w.grad.clone()
    w.grad = None
    ref.square().sum().backward()
    torch.testing.assert_close(gw, w.grad)


def test_kernel_and_explain():
    alg = CliffordAlgebra.from_signature(3)
    pair = ((0, 2), 1)
    assert "sandwich w x w~ / <w w~>_0 of Cl(3,0,0)" in alg.kernel("sandwich", grades=pair).source
    assert alg.explain("sandwich", np.ones((2, 4)), np.ones((2, 3)), grades=pair).startswith("sandwich_g02_g1:")
    assert alg.blade_indices(1) == alg.grade_indices(1)
