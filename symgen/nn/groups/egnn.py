"""E(n)-equivariant graph networks (Satorras, Hoogeboom and Welling, "E(n) Equivariant Graph
Neural Networks", ICML 2021) for a declared ``G ⊂ O(n)``.

Each point carries invariant features ``h`` and a position ``x`` (and optionally a velocity
``v``). A layer sends along every edge ``j → i`` the message
``m_ij = φ_e(h_i, h_j, |x_i − x_j|², a_ij)``, moves the receiver by the mean of
``(x_i − x_j) φ_x(m_ij)`` (plus ``φ_v(h_i) v_i``) and updates ``h_i += φ_h(h_i, Σ_j m_ij)``.
The moves are the isotropic steerable kernel ``φ · I`` on ``V``
(:func:`~symgen.algebra.groups.steerable.isotropic_apply_ir`), summed over the edges by the
generated edge kernel of :class:`symgen.codegen.runtime.MessageOp`. Only squared
distances and such kernels enter, so the network is equivariant under all of ``O(n)`` and
translations, hence under ``G``.
"""

from __future__ import annotations

import torch

from ...algebra.groups.group import Group
from ...algebra.groups.steerable import check_orthogonal, isotropic_apply_ir
from ..._validate import check_int
from ...codegen import runtime
from ...errors import ShapeError
from ..graphs import in_degree

__all__ = ["EGNN", "EGNNLayer"]


def _mlp(fan_in: int, hidden: int, fan_out: int, last_activation: bool = False) -> torch.nn.Sequential:
    layers = [torch.nn.Linear(fan_in, hidden), torch.nn.SiLU(), torch.nn.Linear(hidden, fan_out)]
    return torch.nn.Sequential(*layers, *([torch.nn.SiLU()] if last_activation else []))


class EGNNLayer(torch.nn.Module):
    """One EGNN layer (equivariant graph convolution): ``(h, x) ↦ (h', x')`` over the edges
    ``src → dst``, with ``v`` the velocity variant of the paper's N-body model.

    ``h``: ``(points, hidden)``; ``pos``: ``(points, n)``, ``n = G.d``; ``vel``: ``(points, n)``
    when built with ``velocity=True``; ``edge_attr``: ``(edges, edge_features)`` when
    ``edge_features > 0``. A point's move is averaged over its incoming edges (none: no move).
    The last layer of ``φ_x`` starts near zero (weights ×10⁻³), so an untrained layer barely
    moves the points.

    >>> import torch
    >>> from symgen import groups
    >>> from symgen.nn import EGNNLayer, radius_graph
    >>> layer = EGNNLayer(groups.O(3), hidden=8, velocity=True)
    >>> pos = torch.randn(6, 3)
    >>> h, x = layer(torch.randn(6, 8), pos, *radius_graph(pos, 2.0), vel=torch.randn(6, 3))
    >>> h.shape, x.shape
    (torch.Size([6, 8]), torch.Size([6, 3]))
    """

    def __init__(self, G: Group, hidden: int, edge_features: int = 0, velocity: bool = False):
        super().__init__()
        check_orthogonal(G)
        self.G = G
        self.hidden = check_int(hidden, "hidden", ShapeError)
        self.edge_features = check_int(edge_features, "edge_features", ShapeError, minimum=0)
        self.edge = _mlp(2 * hidden + 1 + self.edge_features, hidden, hidden, last_activation=True)
        self.node = _mlp(2 * hidden, hidden, hidden)
        self.coord = torch.nn.Sequential(torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
                                         torch.nn.Linear(hidden, 1, bias=False))
        torch.nn.init.xavier_uniform_(self.coord[-1].weight, gain=0.001)
        self.velocity = _mlp(hidden, hidden, 1) if velocity else None
        self.move = runtime.message_op(isotropic_apply_ir(G.d))              # pickles as its IR

    def prepare(self) -> None:
        """Build the message kernels for torch now, as ``torch.compile`` needs them."""
        self.move.prepare()

    def _check(self, h, pos, src, dst, vel, edge_attr) -> None:
        n = self.G.d
        if h.dim() != 2 or h.shape[1] != self.hidden or pos.shape != (len(h), n):
            raise ShapeError(f"EGNNLayer expects h (points, {self.hidden}) and pos (points, {n}); "
                             f"got {tuple(h.shape)} and {tuple(pos.shape)}")
        if (vel is None) != (self.velocity is None) or (vel is not None and vel.shape != pos.shape):
            want = f"vel ({len(pos)}, {n})" if self.velocity is not None else "no vel"
            raise ShapeError(f"EGNNLayer was built with {want}; got {None if vel is None else tuple(vel.shape)}")
        if self.edge_features and (edge_attr is None or edge_attr.shape != (len(src), self.edge_features)) \
                or not self.edge_features and edge_attr is not None:
            want = f"edge_attr ({len(src)}, {self.edge_features})" if self.edge_features else "no edge_attr"
            got = None if edge_attr is None else tuple(edge_attr.shape)
            raise ShapeError(f"EGNNLayer was built with {want}; got {got}")
        if src.shape != dst.shape or src.dim() != 1:
            raise ShapeError(f"src and dst must list one point per edge; got {tuple(src.shape)} and {tuple(dst.shape)}")

    def forward(self, h, pos, src, dst, vel=None, edge_attr=None, degree=None) -> tuple:
        """``degree``: incoming edges per point ``(points, 1)``, at least 1 (computed when not given)."""
        self._check(h, pos, src, dst, vel, edge_attr)
        rel = pos[dst] - pos[src]
        pair = [h[dst], h[src], rel.square().sum(1, keepdim=True)] + ([edge_attr] if self.edge_features else [])
        m = self.edge(torch.cat(pair, 1))
        phi = self.coord(m)                                               # (edges, 1)
        if degree is None:
            degree = in_degree(dst, len(h), h)
        # mean over j of (x_i − x_j) φ_ij = (x_i Σ_j φ_ij − Σ_j φ_ij x_j) / degree
        weight = phi.new_zeros(len(h), 1).index_add(0, dst, phi)
        pos = pos + (pos * weight - self.move(phi, pos, src, dst, len(h))) / degree
        if self.velocity is not None:
            pos = pos + self.velocity(h) * vel
        h = h + self.node(torch.cat([h, h.new_zeros(len(h), self.hidden).index_add(0, dst, m)], 1))
        return h, pos


class EGNN(torch.nn.Module):
    """An EGNN: ``in_features`` invariant features per point embedded to ``hidden``, then
    ``layers`` :class:`EGNNLayer` s; returns the final features and positions.

    ``forward(h, pos, src, dst, vel=None, edge_attr=None)``: shapes as in
    :class:`EGNNLayer` (``h`` with ``in_features`` columns). Positions move equivariantly
    under ``G ⊂ O(n)`` and translations; features are invariant. The paper's N-body model is
    ``EGNN(groups.O(3), 1, hidden=64, layers=4, edge_features=2, velocity=True)`` on the
    speeds, with edge attributes ``(q_i q_j, |x_i − x_j|²)``.

    >>> import torch
    >>> from symgen import groups
    >>> from symgen.nn import EGNN, radius_graph
    >>> net = EGNN(groups.O(3), in_features=1, hidden=8, layers=2)
    >>> pos = torch.randn(6, 3)
    >>> h, x = net(torch.ones(6, 1), pos, *radius_graph(pos, 2.0))
    >>> h.shape, x.shape
    (torch.Size([6, 8]), torch.Size([6, 3]))
    """

    def __init__(self, G: Group, in_features: int, hidden: int = 64, layers: int = 4, edge_features: int = 0,
                 velocity: bool = False):
        super().__init__()
        check_orthogonal(G)
        self.G = G
        self.embed = torch.nn.Linear(check_int(in_features, "in_features", ShapeError), check_int(hidden, "hidden", ShapeError))
        self.layers = torch.nn.ModuleList(EGNNLayer(G, hidden, edge_features, velocity)
                                          for _ in range(check_int(layers, "layers", ShapeError, minimum=0)))

    def prepare(self) -> None:
        """Build every generated kernel for torch now, as ``torch.compile(fullgraph=True)`` needs them."""
        for layer in self.layers:
            layer.prepare()

    def forward(self, h, pos, src, dst, vel=None, edge_attr=None) -> tuple:
        if h.dim() != 2 or h.shape[1] != self.embed.in_features:
            raise ShapeError(f"EGNN expects h (points, {self.embed.in_features}); got {tuple(h.shape)}")
        h = self.embed(h)
        degree = h.new_zeros(len(h), 1).index_add(0, dst, h.new_ones(len(dst), 1)).clamp(min=1)
        for layer in self.layers:
            h, pos = layer(h, pos, src, dst, vel, edge_attr, degree)
        return h, pos
