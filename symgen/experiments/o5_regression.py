"""EMLP on the O(5)-invariant regression task of the EMLP paper (Finzi et al. 2021).

Target: ``f(x1, x2) = sin|x1| - |x2|³/2 + <x1, x2> / (|x1||x2|)`` for two vectors
``x1, x2 ∈ R^5``, invariant under O(5) acting on both. Input ``2V``, output ``V⁰``. An
ordinary MLP with the same training budget is trained alongside for reference.

>>> import torch
>>> target(torch.ones(1, 10)).shape
torch.Size([1, 1])
"""

from __future__ import annotations

import numpy as np
import torch

from .training import train

__all__ = ["target", "run"]


def target(x: torch.Tensor) -> torch.Tensor:
    """``f`` on rows ``(x1, x2)`` of ``x`` (shape ``(n, 10)``); returns ``(n, 1)``."""
    x1, x2 = x[:, :5], x[:, 5:]
    n1, n2 = x1.norm(dim=1), x2.norm(dim=1)
    return (torch.sin(n1) - n2 ** 3 / 2 + (x1 * x2).sum(1) / (n1 * n2)).unsqueeze(1)


def _fit(model, data, steps, lr, label, progress):
    (xtr, ytr), (xte, yte) = data

    def batches(generator):
        idx = torch.randint(0, len(xtr), (128,), generator=generator)
        return [((xtr[idx],), ytr[idx])]

    return train(model, batches, steps, lr, label=label, progress=progress, evaluate_every_epoch=True,
                 evaluate=lambda m: float(torch.nn.functional.mse_loss(m(xte), yte)))


def run(steps: int = 400, n_train: int = 1000, hidden: int = 60, seed: int = 0, progress: bool = True) -> dict:
    """Train the EMLP and the MLP for ``steps`` batches of 128 (one "epoch" per step; the
    test MSE after each); returns the models, their ``History`` and the EMLP's largest
    invariance error on transformed test inputs (float32)."""
    from ..algebra.groups import O, Scalar, V
    from ..nn import EMLP

    torch.manual_seed(seed)
    G = O(5)
    V, S = V(G), Scalar(G)
    x = torch.randn(n_train + 1000, 10)
    y = target(x)
    data = (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
    emlp = EMLP(2 * V, S, hidden=hidden, depth=2)
    mlp = torch.nn.Sequential(torch.nn.Linear(10, 256), torch.nn.SiLU(), torch.nn.Linear(256, 256),
                              torch.nn.SiLU(), torch.nn.Linear(256, 1))
    histories = {"EMLP": _fit(emlp, data, steps, 3e-3, "EMLP", progress),
                 "MLP": _fit(mlp, data, steps, 3e-3, "MLP", progress)}
    xte = data[1][0]
    g = torch.from_numpy(np.asarray(G.sample(len(xte), seed=1))).float()
    gx = torch.cat([torch.einsum("nij,nj->ni", g, xte[:, :5]), torch.einsum("nij,nj->ni", g, xte[:, 5:])], 1)
    with torch.no_grad():
        invariance = float((emlp(gx) - emlp(xte)).abs().max())
    return {"group": G, "models": {"EMLP": emlp, "MLP": mlp}, "histories": histories, "invariance_error": invariance}
