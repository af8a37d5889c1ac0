"""LieAugmentation: generated symmetry flows acting on gridded exact solutions.

Each transformed exact solution is compared with the exact transformed solution (closed
form from SymPy, or mpmath's ODE solver for flows without one) and, for KdV, put back into
the PDE with spectral space derivatives and central time differences.
"""

import math
import re

import numpy as np
import pytest
import sympy
import torch

from symgen.algebra.pde.flows import NumericFlow
from symgen.codegen import runtime
from symgen.errors import PDEError, ShapeError
from symgen.nn import LieAugmentation
from symgen.pde import PDE, VectorField

t, x, u, v = sympy.symbols("t x u v", real=True)
L = 40.0


def kdv_soliton(tt, xx, c=1.0, x0=20.0):
    """u_t + u u_x + u_xxx = 0: 3c sech²(√c (x - ct - x0) / 2)."""
    return 3 * c / np.cosh(np.sqrt(c) * (xx - c * tt - x0) / 2) ** 2


@pytest.fixture(scope="module")
def kdv():
    return PDE("u_t + u*u_x + u_xxx").symmetries()     # ∂t, ∂x, t∂x + ∂u, scaling


def grid(nt=3, nx=256, t0=0.3, dt=1e-3):
    tt = t0 + dt * (np.arange(nt) - nt // 2)
    xx = np.arange(nx) * (L / nx)
    return tt, xx


def test_kdv_each_generator_matches_exact_transformed_soliton(kdv):
    tt, xx = grid()
    sol = torch.tensor(kdv_soliton(tt[:, None], xx[None, :]))[None]
    eps = 0.3
    for i in range(4):
        aug = LieAugmentation(kdv, generators=[i])
        out, t2, x2 = aug(sol, torch.tensor(tt), torch.tensor(xx), eps=torch.tensor([[eps]], dtype=torch.float64))
        # exact: the transformation's inverse applied to the new grid points
        phi = kdv.flow(i, -eps)
        back = sympy.lambdify((t, x, u), [phi[t], phi[x]])
        fwd = sympy.lambdify((t, x, u), kdv.flow(i, eps)[u])
        T2, X2 = np.meshgrid(t2[0].numpy(), x2[0].numpy(), indexing="ij")
        t_pre, x_pre = (np.broadcast_to(a, T2.shape) for a in back(T2, X2, 0.0))
        exact = np.broadcast_to(fwd(t_pre, x_pre, kdv_soliton(t_pre, x_pre)), T2.shape)
        assert np.abs(out[0].numpy() - exact).max() < 1e-6, kdv.generators[i]   # tails: 1e-8


def spectral_residual(out, t2, x2):
    """u_t + u u_x + u_xxx at the middle time slice (central difference in time)."""
    nx = x2.shape[-1]
    k = 2 * np.pi * np.fft.rfftfreq(nx, d=float(x2[1] - x2[0]))
    mid = out[1]
    uh = np.fft.rfft(mid)
    ux = np.fft.irfft(1j * k * uh, n=nx)
    uxxx = np.fft.irfft((1j * k) ** 3 * uh, n=nx)
    ut = (out[2] - out[0]) / float(t2[2] - t2[0])
    return np.abs(ut + mid * ux + uxxx).max() / np.abs(uxxx).max()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_augmented_soliton_still_solves_kdv(kdv, dtype):
    tt, xx = grid()
    sol = torch.tensor(kdv_soliton(tt[:, None], xx[None, :]), dtype=dtype).expand(4, -1, -1)
    aug = LieAugmentation(kdv, ranges={0: (-1, 1), 1: (-3, 3), 2: (-0.5, 0.5), 3: (-0.2, 0.2)})
    out, t2, x2 = aug(sol, torch.tensor(tt), torch.tensor(xx))
    assert out.dtype == dtype and out.shape == sol.shape
    tol = 1e-4 if dtype == torch.float64 else 0.1      # float32 differences over dt = 1e-3
    for b in range(4):
        assert spectral_residual(out[b].double().numpy(), t2[b].double(), x2[b].double()) < tol
    # the checker is not blind: a boost without its field change is no symmetry
    wrong = LieAugmentation(kdv, generators=[VectorField({t: 0, x: t, u: 0})], ranges=(0.5, 0.5))
    bad, t3, x3 = wrong(sol.double(), torch.tensor(tt), torch.tensor(xx))
    assert spectral_residual(bad[0].numpy(), t3[0], x3[0]) > 1e-2


def test_numba_backend_matches_torch(kdv):
    tt, xx = grid()
    sol = torch.tensor(kdv_soliton(tt[:, None], xx[None, :])).expand(3, -1, -1)
    eps = torch.tensor([[0.1, 2.0, 0.3, -0.1], [-0.5, -1.0, 0.1, 0.2], [0.0, 0.5, -0.4, 0.0]],
                       dtype=torch.float64)
    results = [LieAugmentation(kdv, backend=b)(sol, torch.tensor(tt), torch.tensor(xx), eps=eps)
               for b in ("torch", "numba")]
    for a, b in zip(*results):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_heat_scaling_and_refusals():
    sym = PDE("u_t = u_xx").symmetries()
    aug = LieAugmentation(sym)                           # lenient default: skips two
    assert len(aug.flows) == 4 and len(aug.refused) == 2
    assert any("not periodic" in r for r in aug.refused.values())
    assert any("depends on t" in r for r in aug.refused.values())
    with pytest.raises(PDEError, match="not periodic"):
        LieAugmentation(sym, generators=[4])            # Galilean boost: u·exp(-εx - ε²t)
    with pytest.raises(PDEError, match="out of range"):
        LieAugmentation(sym, generators=[9])
    # scaling 2t∂t + x∂x on exp(-t) sin(x), period 2π: the grid and period stretch by e^ε
    nx, eps = 32, 0.4
    tt, xx = np.array([0.1, 0.2]), np.arange(nx) * (2 * np.pi / nx)
    sol = torch.tensor(np.exp(-tt[:, None]) * np.sin(xx[None, :]))[None]
    out, t2, x2 = LieAugmentation(sym, generators=[2])(sol, torch.tensor(tt), torch.tensor(xx),
                                                       eps=torch.tensor([[eps]], dtype=torch.float64))
    torch.testing.assert_close(x2[0], torch.tensor(xx) * math.exp(eps))
    exact = np.exp(-t2[0, :, None].numpy() * math.exp(-2 * eps)) * np.sin(x2[0, None, :].numpy() * math.exp(-eps))
    assert np.abs(out[0].numpy() - exact).max() < 1e-12


@pytest.mark.parametrize("F", [sympy.sin(x - t) / 3, 1 / (2 + sympy.cos(x - t))],
                         ids=["closed-form", "numeric"])
def test_resampling_fallback_on_advection(F):
    """F(x - t)∂x is a symmetry of u_t + u_x = 0 for every F; a periodic F needs the
    resampling path (closed form via dsolve for sin, Runge–Kutta for 1/(2 + cos))."""
    eq = PDE("u_t + u_x")
    field = VectorField({t: 0, x: F, u: 0})
    assert eq.is_symmetry(field)
    aug = LieAugmentation(eq.symmetries(), generators=[field], steps=32)
    assert aug.flows[0].kind == "resample"
    assert (aug.flows[0].closed is None) == (F.has(sympy.cos))
    nx, eps = 32, 0.7
    tt, xx = np.array([0.0, 0.5]), np.arange(nx) * (2 * np.pi / nx)

    def h(s):
        return np.sin(s) + 0.5 * np.cos(2 * s)

    sol = torch.tensor(h(xx[None, :] - tt[:, None]))[None]
    out, t2, x2 = aug(sol, torch.tensor(tt), torch.tensor(xx), eps=torch.tensor([[eps]], dtype=torch.float64))
    # reference: x - t flows by F in s = x - t; the preimage of s is its flow by -ε
    s = sympy.Symbol("s", real=True)
    back = NumericFlow(VectorField({s: F.subs(x - t, s).subs(x, s + t)}))
    exact = np.array([[h(back({s: xj - tk}, -eps)[s]) for xj in xx] for tk in tt])
    assert np.abs(out[0].numpy() - exact).max() < 1e-6
    torch.testing.assert_close(t2[0], torch.tensor(tt))


def test_resampling_refuses_non_periodic_field():
    eq = PDE("u_t + u_x")
    aug = LieAugmentation(eq.symmetries(), generators=[VectorField({t: 0, x: sympy.exp(x - t), u: 0})])
    xx = np.arange(16) * (2 * np.pi / 16)
    with pytest.raises(PDEError, match="not periodic"):
        aug(torch.zeros(1, 2, 16, dtype=torch.float64), torch.tensor([0.0, 0.1]), torch.tensor(xx),
            eps=torch.tensor([[0.1]]))


def test_nls_system_phase_rotation_and_translation():
    sym = PDE("v_t = -w_xx - (v**2 + w**2)*w; w_t = v_xx + (v**2 + w**2)*v").symmetries()
    aug = LieAugmentation(sym)
    kinds = {str(f.generator): f.kind for f in aug.flows}
    rotation = next(i for i, g in enumerate(sym.generators)
                    if g.coefficients[t] == 0 and g.coefficients[x] == 0)
    nx = 16
    xx = np.arange(nx) * (2 * np.pi / nx)
    psi = np.exp(1j * (xx[None, :] - 2.0 * np.array([0.0, 0.1])[:, None]))
    data = torch.tensor(np.stack([psi.real, psi.imag]))[None]
    one = LieAugmentation(sym, generators=[rotation])
    out, _, _ = one(data, torch.tensor([0.0, 0.1]), torch.tensor(xx), eps=torch.tensor([[0.25]], dtype=torch.float64))
    rotated = out[0, 0].numpy() + 1j * out[0, 1].numpy()
    ratio = rotated / psi
    assert np.allclose(np.abs(ratio), 1) and np.allclose(np.angle(ratio), np.angle(ratio[0, 0]))
    assert abs(abs(np.angle(ratio[0, 0])) - 0.25) < 1e-12
    assert "shift" in kinds.values() and "scale" in kinds.values()
    with pytest.raises(ShapeError, match=r"\(batch, 2, time, space\)"):
        aug(data[:, 0], torch.tensor([0.0, 0.1]), torch.tensor(xx))


def test_bad_inputs(kdv):
    aug = LieAugmentation(kdv, generators=[1])
    xx = torch.arange(8, dtype=torch.float64)
    with pytest.raises(ShapeError, match="uniform"):
        aug(torch.zeros(1, 2, 8, dtype=torch.float64), torch.zeros(2), xx ** 2)
    with pytest.raises(ShapeError, match="eps must have shape"):
        aug(torch.zeros(1, 2, 8, dtype=torch.float64), torch.zeros(2), xx, eps=torch.zeros(1, 3))
    with pytest.raises(PDEError, match="time variable"):
        LieAugmentation(PDE("u_xx + u_yy").symmetries())
    with pytest.raises(PDEError, match="backend"):
        LieAugmentation(kdv, backend="jax")


@pytest.mark.parametrize("backend", ["torch", "numba"])
def test_nonlinear_field_change_after_a_shift(backend):
    """u_t = 0 (in t, x) admits u²∂u: ũ = u / (1 - εu), applied in x-space after a shift."""
    sym = PDE("u_t", independent="t x", dependent="u").symmetries()
    aug = LieAugmentation(sym, generators=[VectorField({t: 0, x: 1, u: 0}), VectorField({t: 0, x: 0, u: u ** 2})],
                          backend=backend)
    assert [f.affine is None for f in aug.flows] == [False, True]
    xx = np.arange(32) * (2 * np.pi / 32)
    h = lambda s: 0.3 * np.sin(s) + 0.1 * np.cos(3 * s)        # noqa: E731
    sol = torch.tensor(np.broadcast_to(h(xx), (2, 32)).copy())[None]
    e0, e1 = 0.7, 0.5
    out, _, _ = aug(sol, torch.tensor([0.0, 1.0]), torch.tensor(xx), eps=torch.tensor([[e0, e1]], dtype=torch.float64))
    shifted = h(xx - e0)
    assert np.abs(out[0, 0].numpy() - shifted / (1 - e1 * shifted)).max() < 1e-12


@pytest.mark.parametrize("backend", ["torch", "numba"])
def test_equation_parameters_become_kernel_parameters(backend):
    """u_t = (u**n u_x)_x: the scaling -n t∂t + u∂u maps t → t e^(-nε), u → u e^ε."""
    sym = PDE("u_t = (u**n*u_x)_x").symmetries()
    assert str(sym.generators[3]) == "-n*t∂t + u∂u"
    aug = LieAugmentation(sym, generators=[3], backend=backend, params={"n": 2})
    assert aug.params == {"n": 2.0} and "n=2" in repr(aug)
    tt, xx = grid(nx=16)
    sol = torch.tensor(np.sin(xx))[None, None].expand(1, 3, 16)
    out, t2, _ = aug(sol, torch.tensor(tt), torch.tensor(xx), eps=torch.tensor([[0.3]], dtype=torch.float64))
    assert torch.allclose(out, sol * math.exp(0.3))
    assert torch.allclose(t2[0], torch.tensor(tt) * math.exp(-0.6))


@pytest.mark.parametrize("params, message", [
    (None, "uses the equation's parameter n: give its value, e.g. params={'n': 1.0}"),
    ({}, "parameter n"),
    ({"m": 2}, "unknown parameter 'm'; the equation's parameters: n"),
    ({"n": float("nan")}, "parameter n must be finite"),
    ({"n": "2"}, "parameter n must be a real number, got '2'"),
    ([("n", 2)], "params must be a dict"),
])
def test_missing_or_bad_parameters_are_named(params, message):
    sym = PDE("u_t = (u**n*u_x)_x").symmetries()
    with pytest.raises(PDEError, match=re.escape(message)):
        LieAugmentation(sym, params=params)


def test_flows_without_parameters_need_none():
    sym = PDE("u_t = (u**n*u_x)_x").symmetries()
    assert LieAugmentation(sym, generators=[0, 1, 2]).params == {}


def test_kernels_are_runtime_ops_and_source_shows_what_runs(kdv):
    aug = LieAugmentation(kdv, generators=[1])
    assert "(torch backend)" in aug.source(0)           # what the runtime runs on CPU tensors
    numba = LieAugmentation(kdv, generators=[1], backend="numba")
    assert "(numba backend)" in numba.source(0)
    assert all(isinstance(op, runtime.PointwiseOp) for ops in aug.ops for op in ops.values())
    assert "__getstate__" not in vars(LieAugmentation)   # ops pickle as their IR
