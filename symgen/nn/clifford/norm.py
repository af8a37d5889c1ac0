"""Layer normalisation by a smooth invariant norm (CGENN's MVLayerNorm)."""

from __future__ import annotations

import torch

from ...algebra.clifford.grade_paths import quadratic_form_ir
from ..._validate import check_finite
from ...errors import ShapeError
from ._base import CliffordModule, expand_grades

__all__ = ["MVLayerNorm", "MVGradeNorm"]


class _InvariantNorm(CliffordModule):
    """A normalisation by functions of the grade invariants ``q_k`` (its one kernel)."""

    def __init__(self, alg, channels: int, eps: float):
        eps = check_finite(eps, "eps", ShapeError, positive=True)
        super().__init__(alg, channels)
        self.eps = eps

    def kernel_irs(self):
        return {"q": quadratic_form_ir(self.alg)}


class MVLayerNorm(_InvariantNorm):
    """``x_c ↦ a_c x_c / mean_c' ν(x_c')`` with ``ν(x) = (sum_k q_k(x)² + ε)^(1/4)``.

    ``ν`` is built from the grade invariants, smooth, positive, and well defined for
    indefinite metrics (where ``q_k`` can be negative) and degenerate ones.

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> MVLayerNorm(CliffordAlgebra((0, 1, 1, 1)), 3)(torch.randn(2, 3, 16)).shape
    torch.Size([2, 3, 16])
    """

    def __init__(self, alg, channels: int, eps: float = 1e-6):
        super().__init__(alg, channels, eps)
        self.a = torch.nn.Parameter(torch.ones(channels))

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


class MVGradeNorm(_InvariantNorm):
    """``x_c^(k) ↦ x_c^(k) / (σ(a_ck) (ν_k(x_c) − 1) + 1 + ε)`` with ``ν_k(x) = (q_k(x)² + ε)^(1/4)``.

    Each channel and grade is divided by a learned interpolation between 1 and its own
    smooth grade norm (``a = init`` at the start: ``σ(0) = 1/2``, half way); the official
    CGENN code normalises the right operand of its geometric-product layer this way. ``ν_k``
    is a function of the invariant ``q_k``, so the map is equivariant, for indefinite and
    degenerate metrics too (the denominator stays ≥ ``1 − σ(a) + ε > 0``).

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> MVGradeNorm(CliffordAlgebra((1, 1, 1)), 3)(torch.randn(2, 3, 8)).shape
    torch.Size([2, 3, 8])
    """

    def __init__(self, alg, channels: int, init: float = 0.0, eps: float = 1e-6):
        init = check_finite(init, "init", ShapeError)
        super().__init__(alg, channels, eps)
        self.a = torch.nn.Parameter(torch.full((channels, alg.n + 1), init))

    def _denominator(self, q: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        norm = (q.square() + self.eps).pow(0.25)
        return torch.sigmoid(a) * (norm - 1) + 1 + self.eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        q = self.kernels["q"](x, x)                             # (batch, channels, n + 1)
        return x / expand_grades(self.alg, self._denominator(q, self.a.to(x.dtype)))

    def blade_major(self, xb: torch.Tensor) -> torch.Tensor:
        """The same map on ``xb = x.permute(2, 0, 1)``, ``(dim, batch, channels)``.

        >>> import torch
        >>> from symgen import CliffordAlgebra
        >>> norm, x = MVGradeNorm(CliffordAlgebra((1, -1)), 3), torch.randn(5, 3, 4)
        >>> torch.allclose(norm.blade_major(x.permute(2, 0, 1)).permute(1, 2, 0), norm(x))
        True
        """
        self.check_blade_major(xb)
        q = self.kernels["q"].run_blade_major(xb, xb)           # (n + 1, batch, channels)
        denominator = self._denominator(q, self.a.to(xb.dtype).T[:, None])
        return xb / expand_grades(self.alg, denominator, dim=0)
