"""Equivariant message passing on point clouds with Clifford layers (CGENN-style)."""

from __future__ import annotations

import torch

from ..._validate import check_int
from ...errors import ShapeError
from ._base import CliffordModule
from .activation import MVSiLU
from .linear import MVLinear
from .product import GeometricProductLayer

__all__ = ["CliffordMessagePassing"]


class CliffordMessagePassing(CliffordModule):
    """One round on a fully connected graph: ``h_i ← h_i + φ_h(h_i, Σ_j φ_m(h_i, h_j, e_ij))``.

    Node features ``h`` are ``(batch, nodes, channels, dim)`` multivectors, edge features
    ``e`` are ``(batch, nodes, nodes, edge_channels, dim)``; messages and updates are
    built from :class:`MVLinear`, :class:`GeometricProductLayer` and :class:`MVSiLU`, so
    the block is equivariant under the Clifford group acting on every multivector.

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> block = CliffordMessagePassing(CliffordAlgebra((1, 1, 1)), 4, 2)
    >>> block(torch.randn(3, 5, 4, 8), torch.randn(3, 5, 5, 2, 8)).shape
    torch.Size([3, 5, 4, 8])
    """

    def __init__(self, alg, channels: int, edge_channels: int):
        super().__init__(alg, channels)
        self.edge_channels = check_int(edge_channels, "edge_channels", ShapeError, minimum=0)
        m = 2 * channels + edge_channels
        self.message = torch.nn.Sequential(MVLinear(alg, m, channels), GeometricProductLayer(alg, channels),
                                           MVSiLU(alg, channels))
        self.update = torch.nn.Sequential(MVLinear(alg, 2 * channels, channels),
                                          GeometricProductLayer(alg, channels), MVSiLU(alg, channels))

    def forward(self, h: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        if h.dim() != 4 or e.dim() != 5 or e.shape[:3] != (h.shape[0], h.shape[1], h.shape[1]):
            raise ShapeError(f"CliffordMessagePassing expects h (batch, nodes, {self.channels}, "
                             f"{self.alg.dim}) and e (batch, nodes, nodes, {self.edge_channels}, "
                             f"{self.alg.dim}); got {tuple(h.shape)} and {tuple(e.shape)}")
        b, n, c, d = h.shape
        hi = h[:, :, None].expand(b, n, n, c, d)
        hj = h[:, None, :].expand(b, n, n, c, d)
        pair = torch.cat([hi, hj, e], dim=3).reshape(b * n * n, -1, d)
        mask = 1.0 - torch.eye(n, dtype=h.dtype, device=h.device)
        msg = self.message(pair).reshape(b, n, n, c, d) * mask[None, :, :, None, None]
        agg = msg.sum(2)
        upd = self.update(torch.cat([h, agg], dim=2).reshape(b * n, 2 * c, d)).reshape(b, n, c, d)
        return h + upd
