"""O(5) convex-hull volume regression (CGENN's O(5) experiment) in Cl(5,0).

Each sample is a set of points in R⁵ drawn from a standard normal; the target is the
volume of their convex hull (``scipy.spatial.ConvexHull``), an O(5)-invariant.

>>> x, y = hull_data(3, points=8, seed=0)
>>> x.shape, y.shape
((3, 8, 5), (3,))
"""

from __future__ import annotations

import os

import numpy as np
import torch
from scipy.spatial import ConvexHull

from ..algebra import CliffordAlgebra
from ..nn.clifford import GeometricProductLayer, MVLinear, MVSiLU
from ..nn.clifford.activation import grade_invariants
from .training import train

__all__ = ["hull_data", "permute_points", "HullCGENN", "run", "QUICK"]

#: ``run`` options of a smoke test (``symgen hull --quick``).
QUICK = {"n_train": 20, "n_test": 10, "epochs": 1, "channels": 2}


def hull_data(samples: int, points: int = 16, dim: int = 5, seed: int = 0):
    """Points (samples, points, dim) and hull volumes (samples,), float64."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, points, dim))
    return x, np.array([ConvexHull(p).volume for p in x])


def permute_points(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Shuffle the points of every sample independently: the hull volume is S(points)-invariant
    while the model, which takes the points as channels, is not, so this is data augmentation.

    >>> x = torch.arange(6.0).reshape(1, 3, 2)
    >>> sorted(permute_points(x)[0, :, 0].tolist())
    [0.0, 2.0, 4.0]
    """
    order = torch.argsort(torch.rand(x.shape[:2], generator=generator, device=x.device), dim=1)
    return torch.gather(x, 1, order[..., None].expand_as(x))


class HullCGENN(torch.nn.Module):
    """Points as grade-1 channels of Cl(5,0) → geometric-product layers → an MLP on the
    O(5) invariants of the result (the scalar part and the quadratic form of every grade of
    every channel; the grade-5 form carries the squared 5×5 determinants that volumes are
    made of)."""

    def __init__(self, points: int = 16, channels: int = 8, layers: int = 2, hidden: int = 64):
        super().__init__()
        self.alg = CliffordAlgebra.from_signature(5)
        self.embed = MVLinear(self.alg, points, channels)
        self.layers = torch.nn.ModuleList(torch.nn.Sequential(GeometricProductLayer(self.alg, channels),
                                                              MVSiLU(self.alg, channels))
                                          for _ in range(layers))
        self.gate = self.layers[-1][1]                       # owns the quadratic-form kernel
        self.head = torch.nn.Sequential(torch.nn.Linear(channels * (self.alg.n + 2), hidden),
                                        torch.nn.SiLU(), torch.nn.Linear(hidden, 1))

    def forward(self, x):
        h = x.new_zeros(*x.shape[:-1], self.alg.dim)
        h[..., 1:6] = x - x.mean(1, keepdim=True)
        h = self.embed(h)
        for layer in self.layers:
            h = layer(h)
        features = torch.cat([h[..., :1], grade_invariants(self.gate, h)], dim=-1)
        return self.head(features.flatten(1))[:, 0]


def run(n_train: int = 1000, n_test: int = 500, epochs: int = 100, channels: int = 16, augment: bool = True,
        batch: int = 50, lr: float = 3e-3, minutes: float | None = None, progress: bool = True,
        checkpoints: str | None = None) -> dict:
    """The experiment: train :class:`HullCGENN` on standardised volumes with the shared loop
    (saving to and resuming from ``CGENN.pt`` in the folder ``checkpoints``, when given).

    With ``augment``, every batch shuffles the points of each sample (:func:`permute_points`).
    Returns the model, its ``History`` (``test``: test MSE of the volumes), the train MSE of
    every epoch in volume units and the test MSE of predicting the training mean.
    """
    torch.manual_seed(0)
    x, y = (torch.tensor(a, dtype=torch.float32) for a in hull_data(n_train, seed=0))
    tx, ty = (torch.tensor(a, dtype=torch.float32) for a in hull_data(n_test, seed=1))
    model = HullCGENN(channels=channels)
    mu, sd = y.mean(), y.std()                       # the model predicts standardised volumes

    def batches(generator):
        perm = torch.randperm(len(x), generator=generator)
        for s in range(0, len(x), batch):
            idx = perm[s:s + batch]
            yield (permute_points(x[idx], generator) if augment else x[idx],), (y[idx] - mu) / sd

    history = train(model, batches, epochs, lr, minutes=minutes, label="CGENN Cl(5,0)", progress=progress,
                    checkpoint=None if checkpoints is None else os.path.join(checkpoints, "CGENN.pt"),
                    evaluate=lambda m: float((m(tx) * sd + mu - ty).square().mean()))
    return {"model": model, "history": history, "train_mse": [loss * float(sd) ** 2 for loss in history.losses],
            "mean_baseline": float((ty - mu).square().mean())}
