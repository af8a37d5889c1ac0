"""``FrameAveraging``: any backbone made equivariant by averaging over a frame.

``⟨Φ⟩(x) = Σ_{h ∈ F(x)} w_h ρ_out(h) Φ(ρ_in(h)⁻¹ x)`` (Puny et al., ICLR 2022), with the
frame ``F`` of :mod:`symgen.algebra.groups.frames` chosen from ``rep_in.G`` (PCA for
O(n)/SO(n)/SE(n)/E(n), Gram–Schmidt in η for O(p, q), sorting for S(n), the whole group
for finite groups) or given as a callable. ``F(g·x) = g F(x)`` makes ``⟨Φ⟩`` equivariant
for every ``Φ``; inputs where the frame is undefined (equal eigenvalues, too few
independent vectors) raise :class:`~symgen.errors.DegenerateFrameError`.

With ``samples=k`` the module, in training mode, averages over ``k`` elements drawn from
the frame with its weights (with replacement) for each input: an unbiased estimate of the
frame average at ``k`` backbone calls per input; in eval mode it averages exactly.

>>> import torch
>>> from symgen import groups, reps
>>> from symgen.nn import FrameAveraging
>>> from symgen.testing import assert_equivariant
>>> G = groups.O(3)
>>> rep_in, rep_out = 5 * reps.V(G), reps.V(G) + reps.Scalar(G)
>>> mlp = torch.nn.Sequential(torch.nn.Linear(15, 32), torch.nn.SiLU(), torch.nn.Linear(32, 4))
>>> model = FrameAveraging(mlp, rep_in, rep_out).double(); model
FrameAveraging(5V → V+V⁰, PCAFrame(5V of O(3), 8 elements))
>>> model(torch.randn(7, 15, dtype=torch.float64)).shape
torch.Size([7, 4])
>>> assert_equivariant(model, seed=0) < 1e-10
True
"""

from __future__ import annotations

import numpy as np
import torch

from ..._validate import check_int
from ...algebra.groups.frames import frame_for
from ...algebra.groups.reps import Rep
from ...errors import FrameError, ShapeError
from .equivariant_linear import check_reps, check_tensor

__all__ = ["FrameAveraging", "frame_average"]


class FrameAveraging(torch.nn.Module):
    """Frame averaging of ``backbone`` (``(batch, rep_in.size) → (batch, rep_out.size)``).

    ``frame``: ``"auto"`` or a name in :data:`symgen.algebra.groups.frames.FRAMES`, a
    callable ``x ↦ elements`` (``(batch, K, d, d)`` or ``(K, d, d)``), or a
    :class:`~symgen.algebra.groups.frames.Frame`. ``samples``: draw that many frame
    elements per input in training mode (``None``: always the whole frame).
    ``rep_in``, ``rep_out`` and ``frame`` are attributes; ``assert_equivariant`` reads the reps.
    The module pickles with its backbone and frame (a callable frame must then be a
    module-level function, not a lambda).
    """

    def __init__(self, backbone: torch.nn.Module, rep_in: Rep, rep_out: Rep, frame="auto",
                 samples: int | None = None):
        super().__init__()
        check_reps(rep_in, rep_out, type(self).__name__)
        if not isinstance(backbone, torch.nn.Module):
            raise FrameError(f"backbone must be a torch.nn.Module, got {type(backbone).__name__}")
        self.backbone, self.rep_in, self.rep_out = backbone, rep_in, rep_out
        self.frame = frame_for(rep_in, frame)
        self.samples = None if samples is None else check_int(samples, "samples", FrameError)

    def __repr__(self):
        extra = "" if self.samples is None else f", {self.samples} samples in training"
        return f"FrameAveraging({self.rep_in!r} → {self.rep_out!r}, {self.frame!r}{extra})"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(self, x)
        if x.dim() != 2 or x.shape[-1] != self.rep_in.size:
            raise ShapeError(f"FrameAveraging takes (batch, {self.rep_in.size}) inputs of rep_in "
                             f"{self.rep_in!r}; got shape {tuple(x.shape)}")
        h, weights, stabilizer = self.frame(x)
        if self.training and self.samples is not None:
            pick = torch.multinomial(weights.detach(), self.samples, replacement=True)
            h = h[torch.arange(len(x), device=x.device)[:, None], pick]
            weights = torch.full(pick.shape, 1 / self.samples, dtype=x.dtype, device=x.device)
        projector = None
        if stabilizer is not None and stabilizer.any():   # average over the input's stabilizer too
            dims, index = np.unique(stabilizer, return_inverse=True)
            P = np.stack([self.frame.stabilizer_average(self.rep_out, int(m)) if m else np.eye(self.rep_out.size)
                          for m in dims])
            projector = torch.as_tensor(P, dtype=x.dtype, device=x.device)[torch.as_tensor(index, device=x.device)]
        return frame_average(self.backbone, self.rep_in, self.rep_out, x, h, weights, projector)


def frame_average(backbone, rep_in: Rep, rep_out: Rep, x, elements, weights, projector=None,
                  who: str = "FrameAveraging"):
    """``Σ_k w_k ρ_out(h_k) P Φ(ρ_in(h_k)⁻¹ x)`` for elements ``h (B, K, d, d)`` with weights
    ``(B, K)``, ``P`` an optional projector ``(B, out, out)`` (the stabilizer average):
    the averaging step shared by :class:`FrameAveraging` and
    :class:`~symgen.nn.groups.canonicalize.Canonicalize`.

    >>> from symgen import groups, reps
    >>> G = groups.SO(2)
    >>> h = torch.tensor(G.sample(2, seed=0))[:, None]           # one element per input
    >>> x = torch.randn(2, 2, dtype=torch.float64)
    >>> y = frame_average(torch.nn.Identity(), reps.V(G), reps.V(G), x, h, torch.ones(2, 1, dtype=torch.float64))
    >>> torch.allclose(y, x)                          # ρ(h) ρ(h)⁻¹ x
    True
    """
    B, K = weights.shape
    canonical = rep_in.act(torch.linalg.inv(elements), x[:, None, :])       # ρ_in(h)⁻¹ x
    y = backbone(canonical.reshape(B * K, -1))
    if not isinstance(y, torch.Tensor) or y.shape != (B * K, rep_out.size):
        raise ShapeError(f"the backbone returned shape {tuple(getattr(y, 'shape', ()))} for {B * K} inputs; "
                         f"{who} needs ({B * K}, {rep_out.size}) for rep_out {rep_out!r}")
    y = y.reshape(B, K, -1)
    if projector is not None:
        y = torch.einsum("bij,bkj->bki", projector, y)
    return (weights[:, :, None] * rep_out.act(elements, y)).sum(1)
