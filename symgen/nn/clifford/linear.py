"""Channel mixing with one weight per grade (CGENN's MVLinear)."""

from __future__ import annotations

import math

import torch

from ..._validate import check_int
from ...errors import ShapeError
from ._base import CliffordModule, expand_grades

__all__ = ["MVLinear"]


class MVLinear(CliffordModule):
    """``y_o^(k) = sum_c W[o, c, k] x_c^(k)`` (+ a bias on the scalar part).

    A weight per (output channel, input channel, grade): grade projections commute
    with the Clifford group action, so the map is equivariant. Inputs are floating
    tensors ``(batch, in_channels, alg.dim)`` (integer tensors raise
    :class:`~symgen.errors.DTypeError`).

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> layer = MVLinear(CliffordAlgebra((1, 1, 1)), 4, 2)
    >>> layer(torch.randn(5, 4, 8)).shape
    torch.Size([5, 2, 8])
    """

    def __init__(self, alg, in_channels: int, out_channels: int, bias: bool = True):
        super().__init__(alg, check_int(in_channels, "in_channels", ShapeError))
        self.out_channels = check_int(out_channels, "out_channels", ShapeError)
        self.weight = torch.nn.Parameter(torch.randn(out_channels, in_channels, alg.n + 1)
                                         / math.sqrt(in_channels))
        self.bias = torch.nn.Parameter(torch.zeros(out_channels)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        w = expand_grades(self.alg, self.weight)                 # (out, in, dim)
        y = torch.einsum("bcd,ocd->bod", x, w.to(x.dtype))
        if self.bias is not None:       # in place on the fresh einsum output: no copy of y
            y[..., 0] += self.bias.to(x.dtype)
        return y

    def blade_major(self, xb: torch.Tensor) -> torch.Tensor:
        """The same map on ``xb = x.permute(2, 0, 1)``, ``(dim, batch, in_channels)`` →
        ``(dim, batch, out_channels)``: one batched matrix product over the blades, the
        layout the product layers run in.

        >>> import torch
        >>> from symgen import CliffordAlgebra
        >>> layer = MVLinear(CliffordAlgebra((1, 1)), 3, 2)
        >>> x = torch.randn(5, 3, 4)
        >>> torch.allclose(layer.blade_major(x.permute(2, 0, 1)).permute(1, 2, 0), layer(x), atol=1e-6)
        True
        """
        self.check_blade_major(xb)
        w = expand_grades(self.alg, self.weight.to(xb.dtype)).permute(2, 1, 0)   # (dim, in, out)
        y = torch.bmm(xb, w)
        if self.bias is not None:       # in place on the fresh bmm output: no copy of y
            y[0] += self.bias.to(xb.dtype)
        return y

    def extra_repr(self) -> str:
        return f"{self.alg!r}, {self.channels} -> {self.out_channels}, bias={self.bias is not None}"
