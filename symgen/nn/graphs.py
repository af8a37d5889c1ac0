"""Edge lists of point clouds for message passing: radius and k-nearest-neighbour graphs.

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

import numpy as np
import torch

from .._validate import check_int
from ..errors import ShapeError, SymgenError

__all__ = ["radius_graph", "knn_graph"]

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


def _first_per_target(s, d, k: int) -> tuple:
    """The first ``k`` sources listed for each target ``d`` (inputs grouped by target)."""
    rank = np.arange(len(d)) - np.searchsorted(d, d)
    keep = rank < k
    return s[keep], d[keep]
