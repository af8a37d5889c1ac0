"""A neural KdV stepper trained with and without Lie point symmetry augmentation (LPSDA).

Data: ``u_t + u u_x + u_xxx = 0`` on a periodic domain, solved in-project
(:mod:`.kdv_solver`); a few training trajectories with zero-mean initial data. Model: a
periodic 1-D CNN that maps ``u(t)`` to ``u(t + Δt)``. Both runs use the same seed, steps and
batches; the augmented run transforms each batch with :class:`symgen.nn.LieAugmentation`
built from the symmetries SymPy finds for the equation (space translation and the Galilean
boost ``t∂x + ∂u``). Evaluated by one-step and 10-step rollout MSE on fresh zero-mean
trajectories (in distribution) and on trajectories with a random constant offset (what a
boost produces).

>>> trajectories(2, seed=0).shape
torch.Size([2, 41, 64])
"""

from __future__ import annotations

import numpy as np
import torch

from .kdv_solver import kdv_solve, random_initial_conditions
from .training import train

__all__ = ["trajectories", "Stepper", "fit", "evaluate", "run", "LENGTH", "NX", "DT", "NT"]

#: Domain length, grid points, time step between saved frames and frames per trajectory.
LENGTH, NX, DT, NT = 32.0, 64, 0.25, 41


def trajectories(n: int, seed: int, offset: float = 0.0) -> torch.Tensor:
    """``n`` solutions ``(n, NT, NX)`` from random initial data (constant offset up to ``offset``)."""
    u0 = random_initial_conditions(n, NX, LENGTH, seed, offset=offset)
    return torch.tensor(kdv_solve(u0, LENGTH, DT * np.arange(NT)))


class Stepper(torch.nn.Module):
    """``u ↦ u + Δt · CNN(u)`` with circular padding (translation equivariant on the grid)."""

    def __init__(self, width=32, kernel=5, layers=4):
        super().__init__()
        mods, c = [], 1
        for _ in range(layers - 1):
            mods += [torch.nn.Conv1d(c, width, kernel, padding=kernel // 2, padding_mode="circular"),
                     torch.nn.GELU()]
            c = width
        mods.append(torch.nn.Conv1d(c, 1, kernel, padding=kernel // 2, padding_mode="circular"))
        self.net = torch.nn.Sequential(*mods)

    def forward(self, u):
        return u + DT * self.net(u[:, None])[:, 0]


def _pairs(data, k, idx):
    """Windows (u_k, u_k+1) of the trajectories ``idx`` at time indices ``k``: (B, 2, nx)."""
    return torch.stack([data[idx, k], data[idx, k + 1]], 1), DT * torch.stack([k, k + 1], 1).double()


def fit(data, steps: int, batch: int, augment=None, seed: int = 0, label: str = "", progress: bool = True):
    """A fresh :class:`Stepper` trained for ``steps`` random batches of one-step windows (each
    transformed by ``augment`` when given) with the shared loop; returns it and its ``History``
    (one "epoch" per step)."""
    torch.manual_seed(seed)
    model = Stepper().double()
    x = torch.arange(NX, dtype=torch.float64) * (LENGTH / NX)

    def batches(generator):
        idx = torch.randint(len(data), (batch,), generator=generator)
        k = torch.randint(NT - 1, (batch,), generator=generator)
        window, t = _pairs(data, k, idx)
        if augment is not None:
            window, _, _ = augment(window, t, x, eps=augment.sample(batch, generator=generator))
        return [((window[:, 0],), window[:, 1])]

    return model, train(model, batches, steps, 2e-3, label=label, progress=progress, seed=seed)


@torch.no_grad()
def evaluate(model, data, rollout: int = 10):
    """One-step MSE over all frames and MSE after a ``rollout``-step rollout from frame 0."""
    one_step = float((model(data[:, :-1].reshape(-1, NX)) - data[:, 1:].reshape(-1, NX)).square().mean())
    u = data[:, 0]
    for _ in range(rollout):
        u = model(u)
    return one_step, float((u - data[:, rollout]).square().mean())


def run(n_train: int = 8, n_test: int = 32, steps: int = 1500, batch: int = 32, progress: bool = True) -> dict:
    """Train without and with ``LieAugmentation``; returns ``{run name: (History, {test set:
    (one-step MSE, rollout MSE)})}``."""
    from ..algebra.pde import PDE
    from ..nn import LieAugmentation

    train_data = trajectories(n_train, seed=0)
    tests = {"zero mean": trajectories(n_test, seed=1), "offset ±0.5": trajectories(n_test, seed=2, offset=0.5)}
    sym = PDE("u_t + u*u_x + u_xxx").symmetries()
    shift, boost = (next(i for i, g in enumerate(sym.generators) if str(g) == s) for s in ("∂x", "t∂x + ∂u"))
    aug = LieAugmentation(sym, generators=[shift, boost],
                          ranges={shift: (-LENGTH / 2, LENGTH / 2), boost: (-0.5, 0.5)})
    runs = {}
    for name, a in (("no augmentation", None), ("LieAugmentation", aug)):
        model, history = fit(train_data, steps, batch, a, label=name, progress=progress)
        runs[name] = history, {k: evaluate(model, d) for k, d in tests.items()}
    return runs
