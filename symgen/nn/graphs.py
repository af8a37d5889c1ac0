"""Edge lists of point clouds for message passing: radius and k-nearest-neighbour graphs, and
their lift to position–orientation space (PONITA's grid-free variant).

Edges are ``(src, dst)`` int64 tensors: a message flows from ``src[e]`` to ``dst[e]``, as
:class:`symgen.codegen.runtime.MessageOp` sums them. ``batch`` (one sample index per
point, as in torch-geometric) keeps samples apart. CPU points are searched with SciPy's
``cKDTree``; CUDA points (or ``method="dense"``) with ``torch.cdist`` per sample, which
costs memory quadratic in the largest sample.

>>> import torch
>>> pos = torch.tensor([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]])
>>> radius_graph(pos, 1.5)                       # 1 → 0 and 0 → 1; point 2 is alone
(tensor([1, 0]), tensor([0, 1]))
>>> knn_graph(pos, 1)                            # each point hears its nearest neighbour
(tensor([1, 0, 1]), tensor([0, 1, 2]))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from .._validate import check_int
from ..errors import ShapeError, SymgenError

__all__ = ["radius_graph", "knn_graph", "in_degree", "lift_to_orientations", "LiftedGraph"]

METHODS = ("auto", "kdtree", "dense")


def _samples(pos: torch.Tensor, batch, method: str):
    if not isinstance(pos, torch.Tensor) or pos.dim() != 2:
        raise ShapeError(f"pos must be a (points, dim) tensor; got {getattr(pos, 'shape', type(pos))}")
    if method not in METHODS:
        raise SymgenError(f"unknown method {method!r}; choose one of {', '.join(map(repr, METHODS))}")
    if batch is None:
        batch = torch.zeros(len(pos), dtype=torch.long, device=pos.device)
    if batch.shape != (len(pos),):
        raise ShapeError(f"batch must give one sample index per point ({len(pos)}); got {tuple(batch.shape)}")
    if len(batch) > 1 and bool((batch[1:] < batch[:-1]).any()):
        raise SymgenError("batch must be sorted (the points of each sample together)")
    counts = torch.unique_consecutive(batch, return_counts=True)[1].tolist() if len(batch) else []
    dense = method == "dense" or (method == "auto" and pos.device.type != "cpu")
    return np.cumsum([0] + counts), dense


def _edges(parts, device) -> tuple:
    src = [torch.as_tensor(np.asarray(s), dtype=torch.long) for s, _ in parts]
    dst = [torch.as_tensor(np.asarray(d), dtype=torch.long) for _, d in parts]
    empty = torch.empty(0, dtype=torch.long)
    return (torch.cat(src or [empty]).to(device), torch.cat(dst or [empty]).to(device))


def radius_graph(pos: torch.Tensor, r: float, batch: torch.Tensor | None = None, loop: bool = False,
                 method: str = "auto") -> tuple:
    """Every ordered pair of points of one sample at distance ≤ ``r`` (both directions;
    ``loop`` adds each point to itself), sorted by ``(dst, src)``."""
    if not r > 0:
        raise SymgenError(f"radius r must be positive, got {r!r}")
    bounds, dense = _samples(pos, batch, method)
    parts = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        p = pos[lo:hi].detach()
        if dense:
            close = torch.cdist(p, p) <= r
            if not loop:
                close.fill_diagonal_(False)
            d, s = close.nonzero(as_tuple=True)
            parts.append(((s + lo).cpu().numpy(), (d + lo).cpu().numpy()))
            continue
        from scipy.spatial import cKDTree
        pairs = cKDTree(p.cpu().numpy()).query_pairs(r, output_type="ndarray")
        s, d = np.concatenate([pairs[:, 0], pairs[:, 1]]), np.concatenate([pairs[:, 1], pairs[:, 0]])
        if loop:
            s, d = np.concatenate([s, np.arange(hi - lo)]), np.concatenate([d, np.arange(hi - lo)])
        order = np.lexsort((s, d))
        parts.append((s[order] + lo, d[order] + lo))
    return _edges(parts, pos.device)


def knn_graph(pos: torch.Tensor, k: int, batch: torch.Tensor | None = None, loop: bool = False,
              method: str = "auto") -> tuple:
    """The ``k`` nearest points of each point (within its sample; itself included only with
    ``loop``) as sources sending to it; a sample of ``m ≤ k`` points (``m - 1`` without
    ``loop``) is fully connected. Ties are broken by index."""
    k = check_int(k, "k", SymgenError, minimum=1)
    bounds, dense = _samples(pos, batch, method)
    parts = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        p, m = pos[lo:hi].detach(), hi - lo
        take = min(k + (not loop), m)
        if dense:
            dist = torch.cdist(p, p)
            idx = torch.sort(dist, dim=1, stable=True)[1][:, :take].cpu().numpy()
        else:
            from scipy.spatial import cKDTree
            _, idx = cKDTree(p.cpu().numpy()).query(p.cpu().numpy(), k=take)
            idx = np.asarray(idx).reshape(m, take)
        d = np.repeat(np.arange(m), take)
        s = idx.reshape(-1)
        if not loop:
            keep = s != d
            s, d = s[keep], d[keep]
            # a point that was not among its own k + 1 nearest (duplicates) keeps k + 1 neighbours
            s, d = _first_per_target(s, d, min(k, m - 1))
        parts.append((s + lo, d + lo))
    return _edges(parts, pos.device)


def in_degree(dst: torch.Tensor, points: int, like: torch.Tensor) -> torch.Tensor:
    """Messages arriving at each of ``points`` points (``dst`` lists each message's
    receiver), at least 1 so that a mean over them never divides by zero: a ``(points, 1)``
    column of ``like``'s dtype and device.

    >>> in_degree(torch.tensor([0, 0, 2]), 4, torch.zeros(1)).flatten()
    tensor([2., 1., 1., 1.])
    """
    points = check_int(points, "points", ShapeError, minimum=0)
    if not isinstance(dst, torch.Tensor) or dst.dim() != 1 or dst.dtype not in (torch.int32, torch.int64):
        raise ShapeError(f"dst must be a 1-D integer tensor of receivers; got {getattr(dst, 'shape', type(dst))}")
    return like.new_zeros(points, 1).index_add(0, dst, like.new_ones(len(dst), 1)).clamp(min=1)


def _first_per_target(s, d, k: int) -> tuple:
    """The first ``k`` sources listed for each target ``d`` (inputs grouped by target)."""
    rank = np.arange(len(d)) - np.searchsorted(d, d)
    keep = rank < k
    return s[keep], d[keep]


class LiftedGraph(NamedTuple):
    """A point cloud lifted to ``ℝⁿ × Sⁿ⁻¹`` by :func:`lift_to_orientations`: lifted point ``ℓ``
    sits at the base point ``base[ℓ]`` and looks at the point ``neighbour[ℓ]``; messages flow
    along ``src → dst`` between lifted points. Only indices: the orientations follow the
    positions they are computed from."""

    base: torch.Tensor
    neighbour: torch.Tensor
    src: torch.Tensor
    dst: torch.Tensor

    def orientation(self, pos: torch.Tensor) -> torch.Tensor:
        """The unit vectors ``(pos[neighbour] − pos[base]) / |…|``, one row per lifted point."""
        rel = pos[self.neighbour] - pos[self.base]
        return rel / rel.norm(dim=1, keepdim=True)


def lift_to_orientations(pos: torch.Tensor, src: torch.Tensor, dst: torch.Tensor) -> LiftedGraph:
    """Orientations from the edges (Bekkers et al., ICLR 2024, the point-cloud variant): every
    edge ``src → dst`` between distinct points becomes a lifted point at ``pos[dst]`` looking
    at its neighbour, ``o = (pos[src] − pos[dst]) / |pos[src] − pos[dst]|``. The lifted points
    of base point ``j`` send to those of base point ``i`` whenever ``j → i`` is an edge or
    ``j = i``. Rotating ``pos`` rotates the orientations: nothing depends on a grid.

    >>> pos = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 1.0]])
    >>> lifted = lift_to_orientations(pos, torch.tensor([1, 2, 0]), torch.tensor([0, 0, 1]))
    >>> lifted.base.tolist(), lifted.orientation(pos).tolist()
    ([0, 0, 1], [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    >>> lifted.src.tolist(), lifted.dst.tolist()     # point 2 has no neighbour: no orientation
    ([0, 1, 2, 0, 1, 2, 0, 1, 2], [0, 0, 0, 1, 1, 1, 2, 2, 2])
    """
    if not isinstance(pos, torch.Tensor) or pos.dim() != 2:
        raise ShapeError(f"pos must be a (points, dim) tensor; got {getattr(pos, 'shape', type(pos))}")
    for name, idx in (("src", src), ("dst", dst)):
        if not isinstance(idx, torch.Tensor) or idx.dim() != 1 or idx.dtype != torch.long or len(idx) != len(src):
            raise ShapeError(f"src and dst must be int64 tensors of one node per edge; {name} is "
                             f"{getattr(idx, 'dtype', type(idx))} of shape {tuple(getattr(idx, 'shape', ()))}")
        if len(idx) and (int(idx.min()) < 0 or int(idx.max()) >= len(pos)):
            raise SymgenError(f"{name} names a point outside 0..{len(pos) - 1}")
    points, device = len(pos), pos.device
    if bool((pos[src] == pos[dst]).all(dim=1).logical_and(src != dst).any()):
        raise SymgenError("an edge joins two points at the same position: it gives no orientation")
    keep = src != dst
    src, dst = src[keep], dst[keep]
    order = torch.argsort(dst, stable=True)
    src, dst = src[order], dst[order]
    count = torch.bincount(dst, minlength=points)                       # lifted points per base point
    first = torch.cumsum(count, 0) - count
    loops = torch.arange(points, device=device)
    send, receive = torch.cat([src, loops]), torch.cat([dst, loops])    # base edges and self loops
    order = torch.argsort(receive * points + send)
    send, receive = send[order], receive[order]
    pairs = count[send] * count[receive]
    edge = torch.repeat_interleave(torch.arange(len(send), device=device), pairs)
    local = torch.arange(len(edge), device=device) - torch.repeat_interleave(torch.cumsum(pairs, 0) - pairs, pairs)
    width = count[send][edge]
    lifted_src = first[send][edge] + local % width
    lifted_dst = first[receive][edge] + local // width
    order = torch.argsort(lifted_dst, stable=True)
    return LiftedGraph(dst, src, lifted_src[order], lifted_dst[order])
