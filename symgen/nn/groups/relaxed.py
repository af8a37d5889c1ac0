"""Relaxed group convolution on a finite group (Wang, Walters, Yu, ICML 2022).

Features are functions on the elements of a finite group ``G``: tensors
``(..., channels, |G|)`` in the order of ``G.elements()`` (the regular representation,
``(u·f)(h) = f(u⁻¹h)``). A group convolution uses one kernel ``ψ`` on ``G``:
``f'(g) = Σ_h ψ(g⁻¹h) f(h)``. The *relaxed* convolution combines ``L`` filter banks with
weights that may vary over the group:

    f'(g) = Σ_h Σ_l w_l(h) ψ_l(g⁻¹h) f(h)

If every ``w_l`` is constant on ``G`` this is the group convolution with the kernel
``Σ_l w_l ψ_l``: exactly equivariant. :meth:`RelaxedGroupConv.relaxation_penalty` pulls the
weights back towards that case, ``Σ_l Σ_h Σ_s (w_l(h s) − w_l(h))²`` over the discrete
generators ``s`` of ``G`` (the edges of its Cayley graph, which is connected, so the
penalty is zero exactly when every ``w_l`` is constant). The weights start equal.

>>> import torch
>>> from symgen import groups
>>> conv = RelaxedGroupConv(groups.D(4), 3, 5, banks=2)
>>> conv
RelaxedGroupConv(D(4): 3 → 5 channels on 8 elements, 2 filter banks)
>>> conv(torch.randn(7, 3, 8)).shape
torch.Size([7, 5, 8])
>>> conv.relaxation_penalty().item()
0.0
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..._validate import check_int
from ...algebra.groups.group import Group
from ...errors import GroupError, ShapeError
from .equivariant_linear import check_tensor

__all__ = ["RelaxedGroupConv", "relaxation_penalty", "regular_action"]


def _finite(G, who):
    if not isinstance(G, Group):
        raise GroupError(f"{who} needs a finite symgen group, got {G!r}")
    if not G.is_finite:
        raise GroupError(f"{who} needs a finite group; {G} has {len(G.lie_generators)} Lie generators")


def regular_action(G: Group, u, f: torch.Tensor) -> torch.Tensor:
    """``(u·f)(h) = f(u⁻¹h)`` for an element ``u`` (a ``(d, d)`` matrix of ``G``) on features
    ``f`` ``(..., |G|)`` over ``G.elements()``.

    >>> import torch
    >>> from symgen import groups
    >>> G = groups.Z(3)
    >>> f = torch.tensor([1.0, 2.0, 3.0])
    >>> u = G.elements()[1]
    >>> bool((regular_action(G, u, regular_action(G, u, regular_action(G, u, f))) == f).all())
    True
    """
    _finite(G, "regular_action")
    table = G.cayley_table()
    if f.shape[-1] != len(table):
        raise ShapeError(f"features have {f.shape[-1]} entries on the last axis; {G} has {len(table)} elements")
    inverse = int(np.flatnonzero(table[G.index_of(u)] == G.index_of(np.eye(G.d)))[0])
    return f[..., torch.as_tensor(table[inverse], device=f.device)]


class RelaxedGroupConv(torch.nn.Module):
    """Relaxed group convolution ``(..., in_channels, |G|) → (..., out_channels, |G|)`` on a
    finite group ``G`` with ``banks`` filter banks (see the module docstring).

    Parameters: ``filters`` ``(banks, out, in, |G|)``, ``relaxed_weights`` ``(|G|, banks)``
    (one weight per group element and bank; all ones at the start), ``bias`` ``(out,)``
    (invariant).

    >>> from symgen import groups
    >>> G = groups.S(3)
    >>> conv = RelaxedGroupConv(G, 2, 2).double()
    >>> x, u = torch.randn(4, 2, 6, dtype=torch.float64), G.elements()[4]
    >>> torch.allclose(conv(regular_action(G, u, x)), regular_action(G, u, conv(x)))
    True
    """

    def __init__(self, G: Group, in_channels: int, out_channels: int, banks: int = 2, bias: bool = True):
        super().__init__()
        _finite(G, "RelaxedGroupConv")
        self.G = G
        self.in_channels = check_int(in_channels, "in_channels", ShapeError)
        self.out_channels = check_int(out_channels, "out_channels", ShapeError)
        self.banks = check_int(banks, "banks", ShapeError)
        table = G.cayley_table()
        n = len(table)
        identity = G.index_of(np.eye(G.d))
        inverse = np.argmax(table == identity, axis=1)
        # kernel_index[g, h] = index of g⁻¹h; neighbours[h, s] = index of h·s for generators s
        self.register_buffer("kernel_index", torch.as_tensor(table[inverse], dtype=torch.long))
        generators = G.index_of(G.discrete_basis()) if G.discrete_generators else np.zeros(0, dtype=np.int64)
        self.register_buffer("neighbours", torch.as_tensor(table[:, generators], dtype=torch.long))
        dtype = torch.get_default_dtype()
        self.filters = torch.nn.Parameter(torch.randn(self.banks, self.out_channels, self.in_channels, n, dtype=dtype)
                                          / math.sqrt(self.in_channels * n * self.banks))
        self.relaxed_weights = torch.nn.Parameter(torch.ones(n, self.banks, dtype=dtype))
        self.bias = torch.nn.Parameter(torch.zeros(self.out_channels, dtype=dtype)) if bias else None

    def __repr__(self):
        return (f"RelaxedGroupConv({self.G}: {self.in_channels} → {self.out_channels} channels on "
                f"{len(self.relaxed_weights)} elements, {self.banks} filter banks)")

    def kernel(self) -> torch.Tensor:
        """The effective kernel ``K[o, i, g, h] = Σ_l w_l(h) ψ_l[o, i](g⁻¹h)``."""
        psi = self.filters[..., self.kernel_index]                     # (L, o, i, g, h)
        return torch.einsum("hl,loigh->oigh", self.relaxed_weights, psi)

    def relaxation_penalty(self) -> torch.Tensor:
        """``Σ_l Σ_h Σ_s (w_l(h s) − w_l(h))²`` over the discrete generators ``s``: zero exactly
        when the weights are constant over ``G`` (the layer is then equivariant)."""
        w = self.relaxed_weights
        return (w[self.neighbours] - w[:, None, :]).square().sum()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(self, x)
        n = len(self.relaxed_weights)
        if x.dim() < 2 or tuple(x.shape[-2:]) != (self.in_channels, n):
            raise ShapeError(f"RelaxedGroupConv takes (..., {self.in_channels}, {n}) (channels, elements of "
                             f"{self.G}); got {tuple(x.shape)}")
        y = torch.einsum("oigh,...ih->...og", self.kernel(), x)
        return y if self.bias is None else y + self.bias[:, None]


def relaxation_penalty(model: torch.nn.Module) -> torch.Tensor:
    """Sum of :meth:`RelaxedGroupConv.relaxation_penalty` over the model (zero tensor if none).

    >>> from symgen import groups
    >>> net = torch.nn.Sequential(RelaxedGroupConv(groups.Z(4), 1, 2), torch.nn.Tanh(),
    ...                           RelaxedGroupConv(groups.Z(4), 2, 1))
    >>> relaxation_penalty(net).item()
    0.0
    """
    if not isinstance(model, torch.nn.Module):
        raise GroupError(f"relaxation_penalty takes a torch.nn.Module, got {type(model).__name__}")
    terms = [m.relaxation_penalty() for m in model.modules() if isinstance(m, RelaxedGroupConv)]
    return sum(terms[1:], terms[0]) if terms else torch.zeros(())
