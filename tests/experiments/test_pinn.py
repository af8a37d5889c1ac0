"""The PINN experiment: its reference solutions solve their PDEs exactly and match their
initial conditions, and every method trains (losses finite, the model improves on the
initial conditions)."""

import math

import pytest
import torch

from symgen.experiments import pinn
from symgen.nn import pde_residual
from symgen.pde import PDE


@pytest.mark.parametrize("name", list(pinn.PROBLEMS))
def test_reference_solutions_solve_the_pde(name):
    problem = pinn.PROBLEMS[name]
    g = torch.Generator().manual_seed(0)
    cond = problem.sample(64, g)
    points = torch.rand(64, 2, generator=g, dtype=torch.float64) * torch.tensor([problem.T, 2 * math.pi]) - \
        torch.tensor([0.0, math.pi])
    residual = pde_residual(PDE(problem.equation), lambda p: problem.exact(cond, p[:, 0], p[:, 1]), points,
                            problem.params or None)
    assert residual.abs().max() < 1e-12
    # periodic in x, and the initial condition is the stated Fourier / Cole–Hopf data
    x = points[:, 1]
    assert torch.allclose(problem.exact(cond, points[:, 0], x), problem.exact(cond, points[:, 0], x + 2 * math.pi))
    u0 = problem.exact(cond, torch.zeros_like(x), x)
    modes = sum(cond[:, 2 * k - 2] * torch.cos(k * x) + cond[:, 2 * k - 1] * torch.sin(k * x) for k in (1, 2))
    if name == "heat":
        assert torch.allclose(u0, modes)
    else:   # u0 = -2ν θ0'/θ0 with θ0 = 1 + modes
        dmodes = sum(k * (cond[:, 2 * k - 1] * torch.cos(k * x) - cond[:, 2 * k - 2] * torch.sin(k * x))
                     for k in (1, 2))
        assert torch.allclose(u0, -2 * pinn.NU * dmodes / (1 + modes))
        assert (1 + modes).min() >= 0.2 - 1e-12


@pytest.mark.parametrize("method", pinn.METHODS)
def test_every_method_trains(method):
    problem = pinn.PROBLEMS["burgers"]
    model, history = pinn.fit(problem, method, seed=0, steps=30, n_col=16, n_ic=4, weight=0.1, progress=False)
    assert all(math.isfinite(v) for v in history.losses)
    assert history.losses[-1] < history.losses[0]
    assert 0 < pinn.relative_l2(model, problem) < 10
