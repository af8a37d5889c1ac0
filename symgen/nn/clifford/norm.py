"""Layer normalisation by a smooth invariant norm (CGENN's MVLayerNorm)."""

from __future__ import annotations

import torch

from ...algebra.clifford.grade_paths import quadratic_form_ir
from ..._validate import check_finite
from ...errors import ShapeError
from ._base import CliffordModule

__all__ = ["MVLayerNorm"]


class MVLayerNorm(CliffordModule):
    """``x_c ↦ a_c x_c / mean_c' ν(x_c')`` with ``ν(x) = (sum_k q_k(x)² + ε)^(1/4)``.

    ``ν`` is built from the grade invariants, smooth, positive, and well defined for
    indefinite metrics (where ``q_k`` can be negative) and degenerate ones.

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> MVLayerNorm(CliffordAlgebra((0, 1, 1, 1)), 3)(torch.randn(2, 3, 16)).shape
    torch.Size([2, 3, 16])
    """

    def __init__(self, alg, channels: int, eps: float = 1e-6):
        eps = check_finite(eps, "eps", ShapeError, positive=True)
        super().__init__(alg, channels)
        self.eps = eps
        self.a = torch.nn.Parameter(torch.ones(channels))

    def kernel_irs(self):
        return {"q": quadratic_form_ir(self.alg)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        q = self.kernels["q"](x, x)
        norm = (q.square().sum(-1) + self.eps).pow(0.25)        # (batch, channels)
        scale = self.a.to(x.dtype) / norm.mean(dim=1, keepdim=True)
        return x * scale[..., None]

    def blade_major(self, xb: torch.Tensor) -> torch.Tensor:
        """The same normalisation on ``xb = x.permute(2, 0, 1)``, ``(dim, batch, channels)``.

        >>> import torch
        >>> from symgen import CliffordAlgebra
        >>> norm, x = MVLayerNorm(CliffordAlgebra((1, -1)), 3), torch.randn(5, 3, 4)
        >>> torch.allclose(norm.blade_major(x.permute(2, 0, 1)).permute(1, 2, 0), norm(x))
        True
        """
        self.check_blade_major(xb)
        q = self.kernels["q"].run_blade_major(xb, xb)           # (n + 1, batch, channels)
        norm = (q.square().sum(0) + self.eps).pow(0.25)         # (batch, channels)
        return xb * (self.a.to(xb.dtype) / norm.mean(dim=1, keepdim=True))
