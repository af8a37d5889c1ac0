"""The synthetic tasks of the residual pathway priors paper (Finzi, Benton, Wilson 2021).

**Inertia** (exact O(3) symmetry): ``k`` point masses ``m_i > 0`` at positions
``r_i ∈ R³`` (input ``k V⁰ + k V``: the masses first, then the positions) map to their
inertia matrix ``I = Σ m_i (|r_i|² 1 − r_i r_iᵀ)`` (output ``V ⊗ V``, row-major).

**ModifiedInertia** (O(3) broken by a small term, as in the paper's ``datasets.py``):
``I + 0.3 (I e_z) e_zᵀ`` — the third column of the inertia matrix grows by 30 %, which no
O(3)-equivariant map produces.

Inputs are drawn as in the paper: masses ``softplus(N(0, 1))``, positions ``N(0, 1)``.
:func:`run` trains an MLP, symgen's EMLP and RPP-EMLP (:class:`~symgen.nn.RPPEMLP`) with the
same data, optimiser, steps and hidden representation, and returns their test MSE and
O(3) equivariance error.

>>> import torch
>>> x = torch.tensor([[2.0, 0.0, 0.0, 1.0]])        # one mass 2 at (0, 0, 1)
>>> inertia(x, k=1).reshape(3, 3)
tensor([[2., 0., 0.],
        [0., 2., 0.],
        [0., 0., 0.]])
>>> modified_inertia(torch.tensor([[1.0, 1.0, 0.0, 0.0]]), k=1).reshape(3, 3)[:, 2]
tensor([0.0000, 0.0000, 1.3000])
"""

from __future__ import annotations

import numpy as np
import torch

from .training import train

__all__ = ["inertia", "modified_inertia", "dataset", "models", "run", "TASKS", "BREAK"]

#: Size of the symmetry-breaking term of ModifiedInertia (the paper's ``3e-1``).
BREAK = 0.3


def inertia(x: torch.Tensor, k: int = 5) -> torch.Tensor:
    """Inertia matrices ``(n, 9)`` of rows ``(m_1..m_k, r_1..r_k)`` of ``x`` ``(n, 4k)``."""
    m, r = x[:, :k], x[:, k:].reshape(-1, k, 3)
    eye = torch.eye(3, dtype=x.dtype)
    per_mass = r.square().sum(-1)[..., None, None] * eye - r[..., :, None] * r[..., None, :]
    return (m[..., None, None] * per_mass).sum(1).reshape(-1, 9)


def modified_inertia(x: torch.Tensor, k: int = 5) -> torch.Tensor:
    """``I + 0.3 (I e_z) e_zᵀ``: the inertia matrix with its third column scaled by 1.3."""
    I = inertia(x, k).reshape(-1, 3, 3)
    ez = torch.zeros(3, dtype=x.dtype)
    ez[2] = 1.0
    return (I + BREAK * (I @ ez)[..., :, None] * ez).reshape(-1, 9)


TASKS = {"Inertia": inertia, "ModifiedInertia": modified_inertia}


def dataset(task: str, n: int, k: int = 5, seed: int = 0):
    """``(x, y)``: ``n`` float32 samples of ``task`` (a key of :data:`TASKS`)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4 * k, generator=gen)
    x[:, :k] = torch.nn.functional.softplus(x[:, :k])
    return x, TASKS[task](x, k)


def models(k: int = 5, hidden=None, depth: int = 2, mlp_width: int = 256, prior_equivariant: float = 1e-5,
           prior_free: float = 1.0, seed: int = 0, bilinear: str = "full") -> dict:
    """``{"MLP", "EMLP", "RPP"}`` for input ``k V⁰ + k V`` and output ``V²`` of O(3); the two
    equivariant models share the hidden representation (default ``16V⁰ + 10V + 2V²``: the
    products ``m_i r_i`` and ``r_i`` need two vector channels per mass) and ``depth``; the same
    seed gives their equivariant paths the same initial weights; ``bilinear`` is their bilinear
    layer (:class:`~symgen.nn.EMLP`'s option), ``"full"`` here: the inertia tensor
    ``Σ m_i (|r_i|² I − r_i r_iᵀ)`` needs the outer product ``V ⊗ V → V²``, a path of every
    equivariant bilinear map that EMLP's contraction layer (``x ↦ W(x) x``) does not have.
    ``prior_free = 1`` was the best of 0.1, 1, 10, 100 on both tasks (600 steps, seed 100,
    not one of the benchmark's seeds)."""
    from ..algebra.groups import O, Scalar, V
    from ..nn import EMLP, RPPEMLP

    G = O(3)
    rep_in, rep_out = k * Scalar(G) + k * V(G), V(G) ** 2
    hidden = 16 * Scalar(G) + 2 * k * V(G) + 2 * V(G) ** 2 if hidden is None else hidden
    torch.manual_seed(seed)
    out = {"MLP": torch.nn.Sequential(torch.nn.Linear(4 * k, mlp_width), torch.nn.SiLU(),
                                      torch.nn.Linear(mlp_width, mlp_width), torch.nn.SiLU(),
                                      torch.nn.Linear(mlp_width, 9))}
    torch.manual_seed(seed)
    out["EMLP"] = EMLP(rep_in, rep_out, hidden=hidden, depth=depth, bilinear=bilinear)
    torch.manual_seed(seed)
    out["RPP"] = RPPEMLP(rep_in, rep_out, hidden=hidden, depth=depth, prior_equivariant=prior_equivariant,
                         prior_free=prior_free, bilinear=bilinear)
    return out


def equivariance_error(model, x: torch.Tensor, seed: int = 1) -> float:
    """Mean relative O(3) equivariance error ``|f(g x) − g f(x)| / |g f(x)|`` on rows of ``x``
    with one Haar-random ``g`` per row."""
    from ..algebra.groups import O, Scalar, V

    G = O(3)
    k = x.shape[1] // 4
    g = torch.from_numpy(np.asarray(G.sample(len(x), seed=seed))).to(x.dtype)
    rep_in, rep_out = k * Scalar(G) + k * V(G), V(G) ** 2
    with torch.no_grad():
        gfx = rep_out.act(g, model(x))
        fgx = model(rep_in.act(g, x))
    return float(((fgx - gfx).norm(dim=1) / gfx.norm(dim=1)).mean())


def run(task: str, steps: int = 600, n_train: int = 1000, n_test: int = 1000, batch: int = 128,
        lr: float = 3e-3, seed: int = 0, progress: bool = False, **model_options) -> dict:
    """Train the three models of :func:`models` on ``task`` with the same data, Adam with
    cosine decay, ``steps`` batches; the RPP model adds its priors to the loss.

    Returns ``{name: {"test_mse", "equivariance_error", "parameters", "seconds"}}``.
    """
    from ..nn import rpp_prior_loss

    xtr, ytr = dataset(task, n_train, seed=seed)
    xte, yte = dataset(task, n_test, seed=10_000 + seed)
    out = {}
    for name, model in models(seed=seed, **model_options).items():
        def batches(generator):
            idx = torch.randint(0, n_train, (batch,), generator=generator)
            return [((xtr[idx],), ytr[idx])]

        history = train(model, batches, steps, lr, label=f"{task} {name}", progress=progress, seed=seed,
                        evaluate=lambda m: float(torch.nn.functional.mse_loss(m(xte), yte)),
                        regularizer=rpp_prior_loss if name == "RPP" else None)
        out[name] = {"test_mse": history.test, "equivariance_error": equivariance_error(model, xte),
                     "parameters": sum(p.numel() for p in model.parameters()), "seconds": history.seconds}
    return out
