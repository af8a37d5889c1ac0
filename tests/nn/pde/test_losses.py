"""PINN residual and symmetry loss: zero on exact solutions, positive on perturbed ones,
differentiable in the model's parameters."""

import pytest
import torch

from symgen.errors import PDEError
from symgen.nn import pde_residual, symmetry_loss
from symgen.pde import PDE


def kdv_soliton(p, c=1.5):
    return 3 * c / torch.cosh(c ** 0.5 / 2 * (p[:, 1] - c * p[:, 0])) ** 2


def test_exact_solution_gives_zero_and_perturbed_does_not():
    eq = PDE("u_t + u*u_x + u_xxx")
    sym = eq.symmetries()
    points = torch.rand(64, 2, dtype=torch.float64)
    assert pde_residual(eq, kdv_soliton, points).abs().max() < 1e-10
    assert symmetry_loss(sym, kdv_soliton, points) < 1e-20
    assert symmetry_loss(sym, kdv_soliton, points, form="prolonged") < 1e-20
    perturbed = lambda p: kdv_soliton(p) + 0.1 * torch.sin(p[:, 1])   # noqa: E731
    assert pde_residual(eq, perturbed, points).abs().max() > 1e-3
    assert symmetry_loss(sym, perturbed, points) > 1e-4
    assert symmetry_loss(sym, perturbed, points, form="prolonged") > 1e-4


def test_loss_trains_a_network():
    torch.manual_seed(0)
    eq = PDE("u_t = u_xx")
    sym = eq.symmetries()
    net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).double()
    points = torch.rand(32, 2, dtype=torch.float64)
    loss = symmetry_loss(sym, lambda p: net(p)[:, 0], points) + \
        pde_residual(eq, lambda p: net(p)[:, 0], points).square().mean()
    loss.backward()
    # the heat residual involves only derivatives of u, so the last bias gets no gradient
    for p in list(net.parameters())[:-1]:
        assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().max() > 0


def test_equation_parameters_are_kernel_parameters():
    """Burgers with viscosity: u = x / (1 + t) solves it for every nu; params are named."""
    eq = PDE("u_t + u*u_x = nu*u_xx")
    sym = eq.symmetries()
    points = torch.rand(16, 2, dtype=torch.float64)
    solution = lambda p: p[:, 1] / (1 + p[:, 0])   # noqa: E731
    assert pde_residual(eq, solution, points, params={"nu": 0.3}).abs().max() < 1e-12
    assert symmetry_loss(sym, solution, points, params={"nu": 0.3}) < 1e-20
    assert symmetry_loss(sym, solution, points, params={"nu": 0.3}, form="prolonged") < 1e-20
    with pytest.raises(PDEError, match="characteristic_residual uses the equation's parameter nu"):
        symmetry_loss(sym, solution, points)
    with pytest.raises(PDEError, match="symmetry_residual uses the equation's parameter nu"):
        symmetry_loss(sym, solution, points, form="prolonged")
    with pytest.raises(PDEError, match="unknown parameter 'mu'; the equation's parameters: nu"):
        pde_residual(eq, solution, points, params={"mu": 1.0})


# -- both symmetry-residual forms ------------------------------------------------------------
import math  # noqa: E402

import sympy  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402

from symgen.algebra.pde.residuals import FORMS, residual_multipliers  # noqa: E402
from symgen.nn import symmetry_residual  # noqa: E402

HEAT, BURGERS = PDE("u_t = u_xx"), PDE("u_t + u*u_x = nu*u_xx")
TOL = {torch.float64: 1e-8, torch.float32: 1e-4}


def heat_kernel(p):
    t, x = p[:, 0], p[:, 1]
    return torch.exp(-x ** 2 / (4 * t)) / torch.sqrt(4 * math.pi * t)


def cole_hopf(nu, a, k):
    """u = -2ν θ_x/θ with θ = 1 + a e^{-ν k² t} cos(kx) (θ_t = ν θ_xx)."""
    def u(p):
        e = a * torch.exp(-nu * k ** 2 * p[:, 0])
        return 2 * nu * k * e * torch.sin(k * p[:, 1]) / (1 + e * torch.cos(k * p[:, 1]))
    return u


def _points(n, dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    p = torch.rand(n, 2, generator=g, dtype=torch.float64) * torch.tensor([1.0, 4.0]) + torch.tensor([0.5, -2.0])
    return p.to(dtype)        # t in [0.5, 1.5], x in [-2, 2]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("form", FORMS)
def test_every_generator_vanishes_on_the_heat_kernel(form, dtype):
    sym = HEAT.symmetries()
    res = symmetry_residual(sym, heat_kernel, _points(64, dtype), form=form)
    assert res.dtype == dtype and res.shape == (64, len(sym.generators))
    assert res.abs().amax(0).max() <= TOL[dtype], res.abs().amax(0)


@settings(max_examples=10)
@given(nu=hst.floats(0.05, 1.0), a=hst.floats(0.1, 0.9), k=hst.integers(1, 3),
       dtype=hst.sampled_from([torch.float64, torch.float32]), form=hst.sampled_from(FORMS))
def test_every_generator_vanishes_on_cole_hopf_burgers(nu, a, k, dtype, form):
    sym = BURGERS.symmetries()
    res = symmetry_residual(sym, cole_hopf(nu, a, k), _points(32, dtype), params={"nu": nu}, form=form)
    assert res.shape == (32, len(sym.generators))
    assert res.abs().amax(0).max() <= TOL[dtype], res.abs().amax(0)


def _net(dtype):
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(2, 12), torch.nn.Tanh(), torch.nn.Linear(12, 1)).to(dtype)
    return lambda p: net(p)[:, 0]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("eq, params", [(HEAT, None), (BURGERS, {"nu": 0.3})], ids=["heat", "burgers"])
def test_prolonged_form_is_lambda_times_the_residual_on_any_network(eq, params, dtype):
    """On a network that solves nothing, pr v_i(Δ) = λ_i Δ pointwise (λ_i from the algebra)."""
    sym, model, points = eq.symmetries(), _net(dtype), _points(32, dtype)
    delta = pde_residual(eq, model, points, params)[:, 0].detach()
    out = symmetry_residual(sym, model, points, params, form="prolonged").detach()
    jet_u = sympy.Symbol("u", real=True)
    u = model(points).detach()
    for i, lam in enumerate(residual_multipliers(sym)):
        assert lam.free_symbols <= {*sym.parsed.independent, *sym.parsed.parameters, jet_u}
        f = sympy.lambdify([*sym.parsed.independent, jet_u, *sym.parsed.parameters], lam, "math")
        lam_values = torch.tensor([f(*map(float, p), float(v), *(params or {}).values())
                                   for p, v in zip(points, u)], dtype=dtype)
        assert torch.allclose(out[:, i], lam_values * delta, rtol=1e-4, atol=TOL[dtype]), i


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
def test_characteristic_form_of_a_translation_is_minus_the_residual_gradient(dtype):
    """Heat, v = ∂x: the characteristic form is -D_x Δ (what gPINNs penalise); the prolonged
    form is 0 (λ = 0), so only the characteristic form sees this generator."""
    sym, model = HEAT.symmetries(), _net(dtype)
    i = [str(g) for g in sym.generators].index("∂x")
    points = _points(32, dtype)
    p = points.clone().requires_grad_(True)

    def d(f, i):
        return torch.autograd.grad(f.sum(), p, create_graph=True)[0][:, i]
    u_x = d(model(p), 1)
    d_x_delta = d(d(model(p), 0), 1) - d(d(u_x, 1), 1)            # D_x (u_t - u_xx)
    cha = symmetry_residual(sym, model, points, form="characteristic")[:, i]
    pro = symmetry_residual(sym, model, points, form="prolonged")[:, i]
    assert torch.allclose(cha, -d_x_delta, atol=TOL[dtype])
    assert cha.abs().max() > 1e-3 and pro.abs().max() == 0


def test_unknown_form_is_refused():
    with pytest.raises(PDEError, match="unknown symmetry residual form 'evolutionary'; choose 'prolonged' or "
                                       "'characteristic'"):
        symmetry_loss(HEAT.symmetries(), heat_kernel, _points(4, torch.float64), form="evolutionary")


def test_default_form_is_characteristic():
    sym, model, points = HEAT.symmetries(), _net(torch.float64), _points(8, torch.float64)
    assert torch.equal(symmetry_loss(sym, model, points), symmetry_loss(sym, model, points, form="characteristic"))
    assert not torch.equal(symmetry_loss(sym, model, points), symmetry_loss(sym, model, points, form="prolonged"))
