"""PONITA without an orientation grid (Bekkers et al., ICLR 2024, the point-cloud variant):
the orientations are taken from the data. Every edge ``j → i`` of the input graph becomes a
point ``(x_i, o)`` of position–orientation space with ``o`` the unit vector from ``x_i`` to
``x_j`` (:func:`symgen.nn.lift_to_orientations`); the lifted points of neighbouring (or equal)
base points exchange messages conditioned on the invariants of the pair
(:func:`~symgen.algebra.groups.position_orientation.oriented_pair_invariants`, certified
complete by the dimension count). Rotations, reflections and translations of the input move
the orientations with it, so the network is exactly equivariant under the whole group, not
just a grid's finite subgroup.
"""

from __future__ import annotations

import torch

from ...algebra.groups.group import Group
from ...algebra.groups.position_orientation import oriented_pair_invariants
from ...codegen import runtime
from ...errors import SymgenError
from ..graphs import LiftedGraph, in_degree
from .ponita import PonitaKernels, PonitaLayer, check_point_inputs, io_sizes

__all__ = ["PonitaPointCloud"]


class PonitaPointCloud(torch.nn.Module):
    """A grid-free PONITA network: scalars and vectors per point in, scalars and vectors per
    point out, on the lifted graph of :func:`symgen.nn.lift_to_orientations`.

    Inputs: positions ``(points, n)``, ``scalars`` ``(points, in_scalars)``, ``vectors``
    ``(points, in_vectors, n)`` and the :class:`~symgen.nn.LiftedGraph`. A lifted point
    ``(x_i, o)`` starts from ``x_i``'s scalars and ``v·o`` of its vectors; after the layers,
    a point's outputs are the mean over its lifted points of the scalar channels and of
    ``f(o) o`` for the vector channels (zero for a point without neighbours). ``G`` declares
    the symmetry (``O(n)``, ``SO(n)``); the network is exactly ``G``-equivariant and
    translation invariant. Sizes as in :class:`~symgen.nn.Ponita`; call :meth:`prepare`
    before ``torch.compile(fullgraph=True)``.

    >>> import torch
    >>> from symgen import groups
    >>> from symgen.nn import PonitaPointCloud, lift_to_orientations, radius_graph
    >>> net = PonitaPointCloud(groups.O(3), in_scalars=1, in_vectors=1, out_scalars=2, out_vectors=1, hidden=8)
    >>> pos = torch.randn(10, 3)
    >>> graph = lift_to_orientations(pos, *radius_graph(pos, 2.0))
    >>> s, v = net(pos, torch.ones(10, 1), torch.randn(10, 1, 3), graph)
    >>> s.shape, v.shape
    (torch.Size([10, 2]), torch.Size([10, 1, 3]))
    """

    def __init__(self, G: Group, in_scalars: int, in_vectors: int, out_scalars: int, out_vectors: int,
                 hidden: int = 32, layers: int = 2, basis: int = 32, widening: int = 2):
        super().__init__()
        invariants = oriented_pair_invariants(G)
        if not invariants.certificate.complete:
            raise SymgenError(f"the oriented pair invariants of {G} are not complete: {invariants.certificate}")
        self.G = G
        self.sizes = io_sizes(in_scalars, in_vectors, out_scalars, out_vectors)
        self.invariants = runtime.op(invariants.ir())                      # pickles as its IR
        self.kernels = PonitaKernels(len(invariants.exprs), hidden, basis, hidden, layers)
        self.lift = torch.nn.Linear(in_scalars + in_vectors, hidden)
        self.layers = torch.nn.ModuleList(PonitaLayer(hidden, spherical=False, widening=widening)
                                          for _ in range(layers))
        self.readout = torch.nn.Linear(hidden, out_scalars + out_vectors)

    def prepare(self) -> None:
        """Build every generated kernel for torch now, as ``torch.compile(fullgraph=True)``
        needs them (eager CPU runs need nothing: they compile on first use)."""
        self.invariants.prepare("torch")
        for layer in self.layers:
            layer.prepare()

    def forward(self, pos, scalars, vectors, graph: LiftedGraph):
        n, (_, _, s_out, v_out) = self.G.d, self.sizes
        points = check_point_inputs("PonitaPointCloud", self.sizes, n, pos, scalars, vectors)
        if not isinstance(graph, LiftedGraph):
            raise SymgenError(f"graph must be a LiftedGraph (from symgen.nn.lift_to_orientations); got {type(graph)}")
        base, src, dst = graph.base, graph.src, graph.dst
        o = graph.orientation(pos)                                         # (lifted, n)
        r = pos[base[src]] - pos[base[dst]]                                # sender seen from receiver
        receiver, sender = o[dst], o[src]
        invariants = torch.stack(self.invariants.run(*(r[:, k] for k in range(n)), *(receiver[:, k] for k in range(n)),
                                                     *(sender[:, k] for k in range(n))), -1)
        f = self.lift(torch.cat([scalars[base], torch.einsum("lvd,ld->lv", vectors[base], o)], -1))
        degree = in_degree(dst, len(f), f)
        for layer, kernel in zip(self.layers, self.kernels(invariants)):
            f = layer(f, kernel, src, dst, degree)
        out = self.readout(f)
        count = in_degree(base, points, f)                             # lifted points per point
        s = f.new_zeros(points, s_out).index_add(0, base, out[:, :s_out]) / count
        v = f.new_zeros(points, v_out, n).index_add(0, base, out[:, s_out:, None] * o[:, None, :]) / count[..., None]
        return s, v
