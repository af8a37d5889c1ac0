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
    perturbed = lambda p: kdv_soliton(p) + 0.1 * torch.sin(p[:, 1])   # noqa: E731
    assert pde_residual(eq, perturbed, points).abs().max() > 1e-3
    assert symmetry_loss(sym, perturbed, points) > 1e-4


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
    with pytest.raises(PDEError, match="symmetry_residual uses the equation's parameter nu"):
        symmetry_loss(sym, solution, points)
    with pytest.raises(PDEError, match="unknown parameter 'mu'; the equation's parameters: nu"):
        pde_residual(eq, solution, points, params={"mu": 1.0})
