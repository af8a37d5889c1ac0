"""Physics-informed networks over a family of initial conditions, with and without
symmetry losses: plain PINN, gradient-enhanced PINN (gPINN) and PINN + the symmetry loss
in each form (:func:`symgen.nn.symmetry_loss`, ``form="prolonged"`` / ``"characteristic"``).

Problems (periodic in ``x ∈ [-π, π)``, ``t ∈ [0, T]``), each with an exact solution for
every initial condition of its family, given by a few coefficients ``c`` the network takes
as inputs next to ``(t, x)``:

- heat ``u_t = u_xx``: ``u₀ = Σ_{k≤2} a_k cos kx + b_k sin kx``, solved mode by mode
  (``e^{-k² t}``; the Fourier solution is exact);
- Burgers ``u_t + u u_x = ν u_xx`` (``ν = 0.1``): Cole–Hopf, ``u = -2ν θ_x/θ`` with
  ``θ = 1 + Σ_{k≤2} e^{-ν k² t}(a_k cos kx + b_k sin kx)`` solving ``θ_t = ν θ_xx``.

The network sees ``(t, cos x, sin x, c)``, so it is periodic by construction. The
supervised part is the initial condition of the training family (``n_ic`` functions on
``32`` points each); the physics terms are evaluated at ``n_col`` fixed collocation points,
each with its own training coefficient vector; the test error is the relative L2 error on
``16`` unseen initial conditions on a ``24 × 32`` grid, averaged over them.

>>> results = run(problems=["heat"], methods=["PINN"], seeds=[0], steps=5, n_col=16, n_ic=4, progress=False)
>>> sorted(results["heat"]["PINN"])
['errors', 'seconds']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from .training import train

__all__ = ["Problem", "PROBLEMS", "METHODS", "MODES", "NU", "ConditionedMLP", "fit", "relative_l2", "run"]

#: Modes of the initial conditions (k = 1, 2: a cosine and a sine coefficient each).
MODES = 2
#: Test initial conditions and test grid (t, x).
N_TEST, TEST_GRID = 16, (24, 32)


@dataclass(frozen=True)
class Problem:
    """A PDE (text and parameters), its horizon ``T``, a sampler of initial-condition
    coefficients and the exact solution ``exact(c, t, x)`` (broadcasting)."""

    equation: str
    params: dict
    T: float
    sample: Callable
    exact: Callable


def _modes(c, t, x, rate):
    """``Σ_k e^{-rate k² t}(a_k cos kx + b_k sin kx)`` and its x-derivative, c = (a_1, b_1, a_2, b_2)."""
    value, dx = torch.zeros_like(x + t), torch.zeros_like(x + t)
    for k in range(1, MODES + 1):
        a, b = c[..., 2 * k - 2], c[..., 2 * k - 1]
        decay = torch.exp(-rate * k ** 2 * t)
        value = value + decay * (a * torch.cos(k * x) + b * torch.sin(k * x))
        dx = dx + decay * k * (b * torch.cos(k * x) - a * torch.sin(k * x))
    return value, dx


def _heat_sample(n, generator):
    scale = torch.tensor([1.0, 1.0, 0.5, 0.5], dtype=torch.float64)
    return (2 * torch.rand(n, 2 * MODES, generator=generator, dtype=torch.float64) - 1) * scale


def _heat_exact(c, t, x):
    return _modes(c, t, x, 1.0)[0]


#: Viscosity of the Burgers problem.
NU = 0.1


def _burgers_sample(n, generator):
    # |θ - 1| ≤ Σ|coefficients| ≤ 0.8: θ stays ≥ 0.2, u = -2ν θ_x/θ stays smooth
    c = 2 * torch.rand(n, 2 * MODES, generator=generator, dtype=torch.float64) - 1
    return c * 0.8 / c.abs().sum(-1, keepdim=True).clamp_min(1.0)


def _burgers_exact(c, t, x):
    theta, dx = _modes(c, t, x, NU)
    return -2 * NU * dx / (1 + theta)


PROBLEMS = {
    "heat": Problem("u_t = u_xx", {}, 0.5, _heat_sample, _heat_exact),
    "burgers": Problem("u_t + u*u_x = nu*u_xx", {"nu": NU}, 1.0, _burgers_sample, _burgers_exact),
}

#: The compared losses: the physics terms added to the initial-condition MSE.
METHODS = ("PINN", "gPINN", "PINN + prolonged", "PINN + characteristic")


class ConditionedMLP(torch.nn.Module):
    """``u(t, x; c)``: a tanh MLP on ``(t, cos x, sin x, c)``; inputs ``(n, 2 + len(c))``."""

    def __init__(self, n_cond: int, width: int = 32, depth: int = 3):
        super().__init__()
        layers, d = [], 3 + n_cond
        for _ in range(depth - 1):
            layers += [torch.nn.Linear(d, width), torch.nn.Tanh()]
            d = width
        layers.append(torch.nn.Linear(d, 1))
        self.net = torch.nn.Sequential(*layers)

    def forward(self, inputs):
        t, x, c = inputs[:, :1], inputs[:, 1:2], inputs[:, 2:]
        return self.net(torch.cat([t, torch.cos(x), torch.sin(x), c], 1))[:, 0]


def _physics(problem, method, weight, points, cond):
    """``regularizer(model)``: mean Δ² plus the method's extra term at the collocation points."""
    from ..nn import pde_residual, residual_gradient, symmetry_loss
    from ..pde import PDE

    eq = PDE(problem.equation)
    sym = eq.symmetries() if method.startswith("PINN +") else None
    params = problem.params or None

    def regularizer(model):
        def u(p):
            return model(torch.cat([p, cond], 1))
        loss = pde_residual(eq, u, points, params).square().mean()
        if method == "gPINN":
            loss = loss + weight * residual_gradient(eq, u, points, params).square().mean()
        elif sym is not None:
            form = method.split(" + ")[1]
            loss = loss + weight * symmetry_loss(sym, u, points, params, form=form)
        return loss

    return regularizer


def fit(problem: Problem, method: str, seed: int, steps: int, n_col: int, n_ic: int, weight: float,
        progress: bool = True):
    """A fresh :class:`ConditionedMLP` trained with ``method`` (one of :data:`METHODS`) by the
    shared loop (one full batch per step); returns the model and its ``History``."""
    g = torch.Generator().manual_seed(1000 + seed)
    cond = problem.sample(n_ic, g)                                    # training family
    x_ic = 2 * math.pi * torch.arange(32, dtype=torch.float64) / 32 - math.pi
    ic_inputs = torch.cat([torch.zeros(n_ic * 32, 1, dtype=torch.float64), x_ic.repeat(n_ic)[:, None],
                           cond.repeat_interleave(32, 0)], 1)
    ic_target = problem.exact(ic_inputs[:, 2:], ic_inputs[:, 0], ic_inputs[:, 1])
    points = torch.rand(n_col, 2, generator=g, dtype=torch.float64) * torch.tensor([problem.T, 2 * math.pi]) \
        - torch.tensor([0.0, math.pi])
    col_cond = cond[torch.randint(n_ic, (n_col,), generator=g)]
    torch.manual_seed(seed)
    model = ConditionedMLP(cond.shape[1]).double()
    history = train(model, lambda generator: [((ic_inputs,), ic_target)], steps, 3e-3, progress=progress,
                    label=method, seed=seed, regularizer=_physics(problem, method, weight, points, col_cond))
    return model, history


@torch.no_grad()
def relative_l2(model, problem: Problem, seed: int = 12345) -> float:
    """Mean over :data:`N_TEST` unseen initial conditions of ``‖u_θ − u‖ / ‖u‖`` on the test grid."""
    cond = problem.sample(N_TEST, torch.Generator().manual_seed(seed))
    nt, nx = TEST_GRID
    t = torch.linspace(0, problem.T, nt, dtype=torch.float64)
    x = 2 * math.pi * torch.arange(nx, dtype=torch.float64) / nx - math.pi
    tt, xx = (a.reshape(-1) for a in torch.meshgrid(t, x, indexing="ij"))
    errors = []
    for c in cond:
        inputs = torch.cat([tt[:, None], xx[:, None], c.expand(len(tt), -1)], 1)
        exact = problem.exact(c.expand(len(tt), -1), tt, xx)
        errors.append(float((model(inputs) - exact).norm() / exact.norm()))
    return sum(errors) / len(errors)


def run(problems=("heat", "burgers"), methods=METHODS, seeds=(0, 1, 2), steps: int = 600, n_col: int = 128,
        n_ic: int = 16, weight: float = 0.1, progress: bool = True) -> dict:
    """Train every method on every problem with every seed; returns
    ``{problem: {method: {"errors": [test relative L2 per seed], "seconds": [train time per seed]}}}``."""
    out: dict = {}
    for name in problems:
        problem = PROBLEMS[name]
        for method in methods:
            runs = [fit(problem, method, s, steps, n_col, n_ic, weight, progress) for s in seeds]
            out.setdefault(name, {})[method] = {
                "errors": [relative_l2(model, problem) for model, _ in runs],
                "seconds": [history.seconds for _, history in runs]}
    return out
