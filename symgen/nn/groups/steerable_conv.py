"""Implicit steerable point convolutions for any declared ``G ⊂ O(n)`` (Zhdanov, Hoffmann
and Cesa, "Implicit Convolutional Kernels for Steerable CNNs", NeurIPS 2023).

The kernel is not expanded in a hand-derived basis: it is an :class:`~symgen.nn.EMLP` from
the relative position ``r = pos[src] − pos[dst]`` (⊕ optional edge attributes) to
``rep_out ⊗ rep_in*``, times a learned radial profile ``φ(|r|)``. Because the EMLP is
G-equivariant, ``K(g r) = ρ_out(g) K(r) ρ_in(g)⁻¹`` holds by construction, for every group
symgen can declare (SO(2), O(2), Dₖ as 2×2 matrices, SO(3), O(3), a user's
:class:`~symgen.groups.MatrixGroup`). The messages ``K(r_e) x[src_e]`` are summed at each
destination by one generated edge kernel (:class:`symgen.codegen.runtime.MessageOp`).
"""

from __future__ import annotations

import torch

from ...algebra.groups.reps import Rep, V
from ...algebra.groups.steerable import check_orthogonal, kernel_apply_ir, kernel_rep
from ..._validate import check_int
from ...codegen import runtime
from ...errors import RepresentationError, ShapeError
from .emlp import EMLP
from .equivariant_linear import EquivariantLinear, check_reps

__all__ = ["ImplicitSteerableConv"]


class ImplicitSteerableConv(torch.nn.Module):
    """``out[i] = W x[i] + Σ_{e: dst_e = i} φ(|r_e|) K(r_e ⊕ a_e) x[src_e]`` on a point cloud.

    ``x`` holds ``rep_in`` features per point ``(points, rep_in.size)``, ``pos`` positions
    ``(points, n)`` with ``n = G.d``, ``src``/``dst`` the edges (e.g. from
    :func:`symgen.nn.radius_graph`), ``edge_attr`` optional ``edge_rep`` features per edge.
    ``W`` is an :class:`EquivariantLinear` self-interaction (``self_interaction=False``
    drops it). Equivariant under ``G`` acting on positions and features, invariant under
    translations of the positions.

    >>> import torch
    >>> from symgen import groups, reps
    >>> from symgen.nn import ImplicitSteerableConv, radius_graph
    >>> G = groups.SO(3)
    >>> conv = ImplicitSteerableConv(reps.Scalar(G) + reps.V(G), reps.V(G), hidden=16)
    >>> pos, x = torch.randn(10, 3), torch.randn(10, 4)
    >>> src, dst = radius_graph(pos, 1.5)
    >>> conv(x, pos, src, dst).shape
    torch.Size([10, 3])
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, hidden=32, depth: int = 1, radial_hidden: int = 16,
                 edge_rep: Rep | None = None, self_interaction: bool = True):
        super().__init__()
        check_reps(rep_in, rep_out, "ImplicitSteerableConv")
        G = rep_in.G
        check_orthogonal(G)
        if edge_rep is not None and (not isinstance(edge_rep, Rep) or edge_rep.G != G):
            raise RepresentationError(f"edge_rep must be a representation of {G}; got {edge_rep!r}")
        self.rep_in, self.rep_out, self.edge_rep = rep_in, rep_out, edge_rep
        geometry = V(G) if edge_rep is None else V(G) + edge_rep
        self.kernel = EMLP(geometry, kernel_rep(rep_in, rep_out), hidden=hidden, depth=depth)
        width = check_int(radial_hidden, "radial_hidden", ShapeError, minimum=1)
        self.radial = torch.nn.Sequential(torch.nn.Linear(1, width), torch.nn.SiLU(), torch.nn.Linear(width, 1))
        self.self_interaction = EquivariantLinear(rep_in, rep_out) if self_interaction else None
        self.message = runtime.message_op(kernel_apply_ir(rep_in, rep_out))   # pickles as its IR

    def kernel_values(self, rel: torch.Tensor, edge_attr: torch.Tensor | None = None) -> torch.Tensor:
        """``φ(|r|) K(r ⊕ a)`` per edge, ``(edges, (rep_out ⊗ rep_in*).size)`` in the layout of
        ``rep_out * rep_in.T`` (see :mod:`symgen.algebra.groups.steerable`)."""
        geometry = rel if self.edge_rep is None else torch.cat([rel, edge_attr], dim=1)
        return self.kernel(geometry) * self.radial(rel.norm(dim=1, keepdim=True))

    def kernel_matrices(self, rel: torch.Tensor, edge_attr: torch.Tensor | None = None) -> torch.Tensor:
        """The kernels as matrices ``(edges, rep_out.size, rep_in.size)`` (for inspection and
        tests; the forward pass never builds them)."""
        values = self.kernel_values(rel, edge_attr)
        out, k, inp = zip(*(t[:3] for t in self.message.ir.terms))
        matrices = values.new_zeros(len(values), self.rep_out.size, self.rep_in.size)
        matrices[:, list(out), list(inp)] = values[:, list(k)]
        return matrices

    def forward(self, x: torch.Tensor, pos: torch.Tensor, src: torch.Tensor, dst: torch.Tensor,
                edge_attr: torch.Tensor | None = None) -> torch.Tensor:
        n = self.rep_in.G.d
        if x.dim() != 2 or x.shape[1] != self.rep_in.size or pos.shape != (len(x), n):
            raise ShapeError(f"ImplicitSteerableConv expects x (points, {self.rep_in.size}) and pos "
                             f"(points, {n}); got {tuple(x.shape)} and {tuple(pos.shape)}")
        if (edge_attr is None) != (self.edge_rep is None) or (
                edge_attr is not None and edge_attr.shape != (len(src), self.edge_rep.size)):
            want = "no edge_attr" if self.edge_rep is None else f"edge_attr ({len(src)}, {self.edge_rep.size})"
            got = None if edge_attr is None else tuple(edge_attr.shape)
            raise ShapeError(f"ImplicitSteerableConv was built with {want}; got {got}")
        values = self.kernel_values(pos[src] - pos[dst], edge_attr)
        out = self.message(values, x.to(values.dtype), src, dst, len(x))
        return out if self.self_interaction is None else out + self.self_interaction(x)
