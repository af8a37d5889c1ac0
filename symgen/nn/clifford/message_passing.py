"""Equivariant message passing on point clouds with Clifford layers (CGENN-style)."""

from __future__ import annotations

import torch

from ..._validate import check_int
from ...errors import OptionError, ShapeError
from ._base import CliffordModule
from .activation import MVSiLU
from .linear import MVLinear
from .norm import MVLayerNorm
from .product import GeometricProductLayer

__all__ = ["CliffordMessagePassing"]


class CliffordMessagePassing(CliffordModule):
    """One round on a fully connected graph: ``h_i ← h_i + φ_h(h_i, A_j φ_m(h_i, h_j, e_ij))``.

    Node features ``h`` are ``(batch, nodes, channels, dim)`` multivectors, edge features
    ``e`` are ``(batch, nodes, nodes, edge_channels, dim)``; messages and updates are
    built from :class:`MVLinear`, :class:`GeometricProductLayer` and :class:`MVSiLU`, so
    the block is equivariant under the Clifford group acting on every multivector.

    Options (the defaults are symgen's original block; the official CGENN N-body layer is
    ``blocks=2, message="difference", aggregation="mean", normalization="learned"``):

    - ``blocks``: how many blocks ``φ_m`` and ``φ_h`` each chain;
    - ``message``: ``"pair"`` feeds ``[h_i, h_j, e_ij]`` to ``φ_m``, ``"difference"`` feeds
      ``[h_i − h_j, e_ij]``;
    - ``aggregation``: ``A_j`` is the ``"sum"`` or the ``"mean"`` over the other nodes;
    - ``normalization``: ``"output"`` blocks are MVLinear → geometric product (MVLayerNorm
      on the product) → MVSiLU; ``"learned"`` blocks are MVLinear → MVSiLU → geometric
      product with its right operand normalised by :class:`MVGradeNorm` → MVLayerNorm.

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> block = CliffordMessagePassing(CliffordAlgebra((1, 1, 1)), 4, 2)
    >>> block(torch.randn(3, 5, 4, 8), torch.randn(3, 5, 5, 2, 8)).shape
    torch.Size([3, 5, 4, 8])
    >>> paper = CliffordMessagePassing(CliffordAlgebra((1, 1, 1)), 4, 1, blocks=2, message="difference",
    ...                                aggregation="mean", normalization="learned")
    >>> paper(torch.randn(3, 5, 4, 8), torch.randn(3, 5, 5, 1, 8)).shape
    torch.Size([3, 5, 4, 8])
    """

    MESSAGES = ("pair", "difference")
    AGGREGATIONS = ("sum", "mean")
    NORMALIZATIONS = ("output", "learned")
    difference = mean = False       # the original block (and modules pickled before the options)

    def __init__(self, alg, channels: int, edge_channels: int, blocks: int = 1, message: str = "pair",
                 aggregation: str = "sum", normalization: str = "output"):
        super().__init__(alg, channels)
        self.edge_channels = check_int(edge_channels, "edge_channels", ShapeError, minimum=0)
        blocks = check_int(blocks, "blocks", ShapeError)
        for name, value, choices in (("message", message, self.MESSAGES),
                                     ("aggregation", aggregation, self.AGGREGATIONS),
                                     ("normalization", normalization, self.NORMALIZATIONS)):
            if value not in choices:
                raise OptionError(f"CliffordMessagePassing: {name} must be one of {choices}, got {value!r}")
        self.difference, self.mean = message == "difference", aggregation == "mean"
        m = (1 if self.difference else 2) * channels + edge_channels
        self.message = _chain(alg, m, channels, blocks, normalization)
        self.update = _chain(alg, 2 * channels, channels, blocks, normalization)

    def forward(self, h: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        if h.dim() != 4 or e.dim() != 5 or e.shape[:3] != (h.shape[0], h.shape[1], h.shape[1]) \
                or h.shape[2:] != (self.channels, self.alg.dim) or e.shape[3:] != (self.edge_channels, self.alg.dim):
            raise ShapeError(f"CliffordMessagePassing expects h (batch, nodes, {self.channels}, "
                             f"{self.alg.dim}) and e (batch, nodes, nodes, {self.edge_channels}, "
                             f"{self.alg.dim}); got {tuple(h.shape)} and {tuple(e.shape)}")
        b, n, c, d = h.shape
        hi = h[:, :, None].expand(b, n, n, c, d)
        hj = h[:, None, :].expand(b, n, n, c, d)
        pair = torch.cat([hi - hj, e] if self.difference else [hi, hj, e], dim=3).reshape(b * n * n, -1, d)
        mask = 1.0 - torch.eye(n, dtype=h.dtype, device=h.device)
        msg = self.message(pair).reshape(b, n, n, c, d) * mask[None, :, :, None, None]
        agg = msg.sum(2) / max(n - 1, 1) if self.mean else msg.sum(2)
        upd = self.update(torch.cat([h, agg], dim=2).reshape(b * n, 2 * c, d)).reshape(b, n, c, d)
        return h + upd

    def extra_repr(self) -> str:
        return (f"{self.alg!r}, channels={self.channels}, edge_channels={self.edge_channels}, "
                f"message={'difference' if self.difference else 'pair'}, "
                f"aggregation={'mean' if self.mean else 'sum'}")


def _chain(alg, in_channels: int, channels: int, blocks: int, normalization: str) -> torch.nn.Sequential:
    """``blocks`` blocks from ``in_channels`` to ``channels`` (the first mixes the inputs down)."""
    layers = []
    for k in range(blocks):
        linear = MVLinear(alg, in_channels if k == 0 else channels, channels)
        if normalization == "output":
            layers += [linear, GeometricProductLayer(alg, channels), MVSiLU(alg, channels)]
        else:
            layers += [linear, MVSiLU(alg, channels),
                       GeometricProductLayer(alg, channels, normalize=False, normalize_right=True),
                       MVLayerNorm(alg, channels)]
    return torch.nn.Sequential(*layers)
