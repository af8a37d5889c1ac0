"""PONITA: convolutions in position–orientation space ``ℝⁿ × Sⁿ⁻¹`` with weights shared over
the pair invariants (Bekkers, Vadgama, Hesselink, van der Linden and Romero, "Fast,
Expressive SE(n) Equivariant Networks through Weight-Sharing in Position-Orientation
Space", ICLR 2024), for a declared ``G ⊂ O(n)``.

Every point carries features on a grid of orientations ``o``. A layer convolves over space
(a kernel of the invariants of ``(x_j − x_i, o)``, same orientation), then over the sphere
(a kernel of ``o·o'``, same point), then mixes channels. The invariants and their
completeness certificates come from :func:`symgen.algebra.groups.position_orientation.pair_invariants`
and run as generated pointwise kernels. On an orbit grid of a finite subgroup ``H``
(:func:`~symgen.algebra.groups.position_orientation.orbit_grid`) the network is exactly
``H``-equivariant; for the whole group the error falls as the grid grows
(:func:`~symgen.algebra.groups.position_orientation.repulsion_grid`).
"""

from __future__ import annotations

import torch

from ...algebra.groups.group import Group
from ...algebra.groups.position_orientation import message_ir, pair_invariants
from ..._validate import check_int
from ...codegen import runtime
from ...errors import ShapeError, SymgenError
from ..graphs import in_degree

__all__ = ["Ponita", "PonitaLayer", "PonitaKernels", "io_sizes", "check_point_inputs"]


def io_sizes(in_scalars: int, in_vectors: int, out_scalars: int, out_vectors: int) -> tuple:
    """The scalar and vector channel counts a PONITA network reads and writes, each checked as
    an int ≥ 0 (``hidden``, ``basis`` and ``layers`` are checked by :class:`PonitaKernels`).

    >>> io_sizes(1, 1, 2, 1)
    (1, 1, 2, 1)
    """
    return tuple(check_int(v, k, ShapeError, minimum=0) for k, v in
                 (("in_scalars", in_scalars), ("in_vectors", in_vectors), ("out_scalars", out_scalars),
                  ("out_vectors", out_vectors)))


def check_point_inputs(name: str, sizes: tuple, n: int, pos, scalars, vectors) -> int:
    """The number of points, after checking the shapes a PONITA network ``name`` with
    :func:`io_sizes` ``sizes`` in ℝⁿ reads: ``pos (points, n)``, ``scalars (points, in_scalars)``,
    ``vectors (points, in_vectors, n)``.

    >>> import torch
    >>> check_point_inputs("Ponita", (1, 2, 0, 0), 3, torch.zeros(5, 3), torch.zeros(5, 1), torch.zeros(5, 2, 3))
    5
    """
    points, (s_in, v_in) = len(pos), sizes[:2]
    if pos.shape != (points, n) or scalars.shape != (points, s_in) or vectors.shape != (points, v_in, n):
        raise ShapeError(f"{name} expects pos ({points}, {n}), scalars ({points}, {s_in}), vectors "
                         f"({points}, {v_in}, {n}); got {tuple(pos.shape)}, {tuple(scalars.shape)}, "
                         f"{tuple(vectors.shape)}")
    return points


def _mlp(fan_in: int, hidden: int, fan_out: int) -> torch.nn.Sequential:
    return torch.nn.Sequential(torch.nn.Linear(fan_in, hidden), torch.nn.GELU(), torch.nn.Linear(hidden, fan_out))


class PonitaKernels(torch.nn.Module):
    """The kernels of every PONITA layer from the pair invariants: an MLP embeds the
    ``fan_in`` invariants into ``basis`` features (``fan_in → hidden → basis``, GELU), and layer
    ``l``'s kernel is a linear map of them to ``channels`` (Bekkers et al.'s weight sharing:
    one basis, a cheap map per layer).

    The embedding ends with a linear map, so ``W_l (W b(h) + c)`` is evaluated as
    ``(W_l W) h + W_l c`` whenever that costs fewer multiplications per message
    (``layers · hidden · channels < hidden · basis + layers · basis · channels``): the same
    function, with fewer operations on the (many) message rows.

    >>> import torch
    >>> kernels = PonitaKernels(fan_in=2, hidden=8, basis=16, channels=4, layers=3)
    >>> [k.shape for k in kernels(torch.randn(10, 2))]
    [torch.Size([10, 4]), torch.Size([10, 4]), torch.Size([10, 4])]
    """

    def __init__(self, fan_in: int, hidden: int, basis: int, channels: int, layers: int):
        super().__init__()
        fan_in, hidden, basis, channels = (check_int(v, k, ShapeError, minimum=1) for k, v in (
            ("fan_in", fan_in), ("hidden", hidden), ("basis", basis), ("channels", channels)))
        layers = check_int(layers, "layers", ShapeError, minimum=0)
        self.embed = torch.nn.Sequential(torch.nn.Linear(fan_in, hidden), torch.nn.GELU())
        self.basis = torch.nn.Linear(hidden, basis)
        self.maps = torch.nn.ModuleList(torch.nn.Linear(basis, channels, bias=False) for _ in range(layers))
        self.composed = layers * hidden * channels < hidden * basis + layers * basis * channels

    def forward(self, invariants: torch.Tensor) -> list:
        h = self.embed(invariants)
        if self.composed:
            return [torch.nn.functional.linear(h, m.weight @ self.basis.weight, m.weight @ self.basis.bias)
                    for m in self.maps]
        b = self.basis(h)
        return [m(b) for m in self.maps]


class PonitaLayer(torch.nn.Module):
    """One PONITA convolution: spatial message passing (depthwise kernels times the senders'
    features, summed per receiver by the generated edge kernel of
    :func:`~symgen.algebra.groups.position_orientation.message_ir`, and averaged), then with
    ``spherical`` a convolution over the orientations of each point (a kernel of ``o·o'``),
    then a channel MLP (``widening × channels`` hidden units) on the layer-normed result,
    added to the input.

    ``f`` is ``(points, channels)`` (grid-free) or ``(points, orientations, channels)``; its
    rows ``f.reshape(-1, channels)`` are what ``src``/``dst`` index; ``kernel`` holds one
    ``channels`` vector per message (``(messages, channels)``, or ``(edges, orientations,
    channels)`` on a grid; from :class:`PonitaKernels`), ``spherical_kernel`` one per pair of
    orientations; ``degree`` the number of messages per row, shaped to divide ``f``.

    >>> import torch
    >>> layer = PonitaLayer(channels=4, spherical=False)
    >>> f, kernel = torch.randn(5, 4), torch.randn(2, 4)
    >>> layer(f, kernel, torch.tensor([0, 1]), torch.tensor([1, 1]), torch.ones(5, 1)).shape
    torch.Size([5, 4])
    """

    def __init__(self, channels: int, spherical: bool = True, widening: int = 2):
        super().__init__()
        channels = check_int(channels, "channels", ShapeError, minimum=1)
        self.spherical = bool(spherical)
        self.norm = torch.nn.LayerNorm(channels)
        self.mix = _mlp(channels, check_int(widening, "widening", ShapeError, minimum=1) * channels, channels)
        self.message = runtime.message_op(message_ir(channels))            # pickles as its IR

    def prepare(self) -> None:
        """Build the message kernels for torch now, as ``torch.compile`` needs them."""
        self.message.prepare()

    def forward(self, f, kernel, src, dst, degree, spherical_kernel=None):
        channels = f.shape[-1]
        rows = f.reshape(-1, channels)
        gathered = self.message(kernel.reshape(-1, channels), rows, src, dst, len(rows)).view(f.shape) / degree
        if self.spherical:
            gathered = torch.einsum("poc,noc->npc", spherical_kernel, gathered) / f.shape[1]
        return f + self.mix(self.norm(gathered))


class Ponita(torch.nn.Module):
    """A PONITA network on point clouds: scalars and vectors in, scalars and vectors out.

    ``grid``: orientations ``(O, n)`` (unit rows). Inputs: positions ``(points, n)``,
    ``scalars`` ``(points, in_scalars)``, ``vectors`` ``(points, in_vectors, n)`` and the
    edges ``src → dst``. Vectors enter as ``v·o`` on the grid; outputs are the grid mean of
    the scalar channels and ``Σ_o f(o) o / O`` of the vector channels. Sizes: ``hidden``
    channels, ``layers`` :class:`PonitaLayer` s, their kernels from :class:`PonitaKernels`
    (the invariants embedded by an MLP ``hidden`` wide into ``basis`` features), channel MLPs
    ``widening × hidden`` wide. Call :meth:`prepare` before ``torch.compile(fullgraph=True)``.

    >>> import torch
    >>> from symgen import groups
    >>> from symgen.algebra.groups.position_orientation import repulsion_grid
    >>> from symgen.nn import Ponita, radius_graph
    >>> net = Ponita(groups.SO(3), repulsion_grid(12), in_scalars=1, in_vectors=1, out_scalars=2, out_vectors=1)
    >>> pos = torch.randn(10, 3)
    >>> src, dst = radius_graph(pos, 2.0)
    >>> s, v = net(pos, torch.ones(10, 1), torch.randn(10, 1, 3), src, dst)
    >>> s.shape, v.shape
    (torch.Size([10, 2]), torch.Size([10, 1, 3]))
    """

    def __init__(self, G: Group, grid, in_scalars: int, in_vectors: int, out_scalars: int, out_vectors: int,
                 hidden: int = 32, layers: int = 2, basis: int = 32, widening: int = 2):
        super().__init__()
        invariants = pair_invariants(G)
        for name, cert in (("spatial", invariants.spatial_certificate), ("spherical", invariants.spherical_certificate)):
            if not cert.complete:
                raise SymgenError(f"the {name} invariants of {G} are not complete: {cert}")
        grid = torch.as_tensor(grid, dtype=torch.get_default_dtype())
        if grid.dim() != 2 or grid.shape[1] != G.d:
            raise ShapeError(f"grid must be (orientations, {G.d}); got {tuple(grid.shape)}")
        self.G = G
        self.sizes = io_sizes(in_scalars, in_vectors, out_scalars, out_vectors)
        self.register_buffer("grid", grid / grid.norm(dim=1, keepdim=True))
        self.spatial_invariants = runtime.op(invariants.spatial_ir())     # pickles as its IR
        self.spherical_invariants = runtime.op(invariants.spherical_ir())
        self.spatial_kernels = PonitaKernels(len(invariants.spatial), hidden, basis, hidden, layers)
        self.spherical_kernels = PonitaKernels(len(invariants.spherical), hidden, basis, hidden, layers)
        self.lift = torch.nn.Linear(in_scalars + in_vectors, hidden)
        self.layers = torch.nn.ModuleList(PonitaLayer(hidden, widening=widening) for _ in range(layers))
        self.readout = torch.nn.Linear(hidden, out_scalars + out_vectors)

    def prepare(self) -> None:
        """Build every generated kernel for torch now, as ``torch.compile(fullgraph=True)``
        needs them (eager CPU runs need nothing: they compile on first use)."""
        self.spatial_invariants.prepare("torch")
        self.spherical_invariants.prepare("torch")
        for layer in self.layers:
            layer.prepare()

    def forward(self, pos, scalars, vectors, src, dst):
        n, (_, _, s_out, _) = self.G.d, self.sizes
        points = check_point_inputs("Ponita", self.sizes, n, pos, scalars, vectors)
        grid = self.grid.to(pos.dtype)
        r = (pos[src] - pos[dst])[:, None, :]                                  # (E, 1, n)
        spatial = torch.stack(self.spatial_invariants.run(*(r[..., k] for k in range(n)),
                                                          *(grid[None, :, k] for k in range(n))), -1)
        spherical = torch.stack(self.spherical_invariants.run(*(grid[:, None, k] for k in range(n)),
                                                              *(grid[None, :, k] for k in range(n))), -1)
        lifted = torch.cat([scalars[:, None, :].expand(-1, len(grid), -1),
                            torch.einsum("nvd,od->nov", vectors, grid)], -1)
        f = self.lift(lifted)                                                  # (points, O, hidden)
        degree = in_degree(dst, points, f)[..., None]                        # (points, 1, 1)
        ori = torch.arange(len(grid), device=src.device)
        rows_src, rows_dst = ((i[:, None] * len(grid) + ori).reshape(-1) for i in (src, dst))   # (point, o) rows
        for layer, kernel, spherical_kernel in zip(self.layers, self.spatial_kernels(spatial),
                                                   self.spherical_kernels(spherical)):
            f = layer(f, kernel, rows_src, rows_dst, degree, spherical_kernel)
        out = self.readout(f)
        return out[..., :s_out].mean(1), torch.einsum("nov,od->nvd", out[..., s_out:], grid) / len(grid)
