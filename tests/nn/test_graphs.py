"""Radius and k-nearest-neighbour graphs against brute-force distances, on both search
methods (SciPy's cKDTree and dense ``torch.cdist``), with samples kept apart by ``batch``."""

import pytest
import torch
from hypothesis import given, settings, strategies as hs

from symgen import SymgenError
from symgen.nn import in_degree, knn_graph, radius_graph


def cloud(seed, sizes=(6, 1, 9)):
    g = torch.Generator().manual_seed(seed)
    pos = torch.randn(sum(sizes), 3, generator=g, dtype=torch.float64)
    batch = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes))
    return pos, batch


def brute(pos, batch, keep):
    """Edge set ``{(src, dst)}`` of all same-sample pairs with ``keep(dist, src, dst)``."""
    dist = torch.cdist(pos, pos)
    return {(s, d) for d in range(len(pos)) for s in range(len(pos))
            if batch[s] == batch[d] and keep(dist, s, d)}


@pytest.mark.parametrize("method", ["kdtree", "dense"])
@pytest.mark.parametrize("loop", [False, True])
@settings(max_examples=5)
@given(seed=hs.integers(0, 10**6), r=hs.floats(0.2, 2.5))
def test_radius_graph_is_every_close_pair(method, loop, seed, r):
    pos, batch = cloud(seed)
    src, dst = radius_graph(pos, r, batch, loop=loop, method=method)
    want = brute(pos, batch, lambda dist, s, d: dist[d, s] <= r and (loop or s != d))
    assert set(zip(src.tolist(), dst.tolist())) == want and len(src) == len(want)
    assert torch.equal(torch.stack([dst, src]), torch.stack([dst, src])[:, torch.argsort(dst * 10**6 + src)])


@pytest.mark.parametrize("method", ["kdtree", "dense"])
@pytest.mark.parametrize("loop", [False, True])
@settings(max_examples=5)
@given(seed=hs.integers(0, 10**6), k=hs.integers(1, 8))
def test_knn_graph_gives_each_point_its_nearest(method, loop, seed, k):
    pos, batch = cloud(seed)
    src, dst = knn_graph(pos, k, batch, loop=loop, method=method)
    dist = torch.cdist(pos, pos)
    for d in range(len(pos)):
        mine = src[dst == d]
        same = (batch == batch[d]).nonzero().flatten()
        others = same if loop else same[same != d]
        assert len(mine) == min(k, len(others))
        if len(mine) and len(mine) < len(others):    # nobody left out is closer than who is in
            left = torch.tensor([s for s in others.tolist() if s not in mine.tolist()])
            assert dist[d, mine].max() <= dist[d, left].min() + 1e-12


def test_bad_input_is_named():
    pos, batch = cloud(0)
    with pytest.raises(SymgenError, match="radius r must be positive"):
        radius_graph(pos, 0.0)
    with pytest.raises(SymgenError, match="batch must be sorted"):
        radius_graph(pos, 1.0, batch.flip(0))
    with pytest.raises(SymgenError, match="pos must be a"):
        knn_graph(pos[0], 2)
    with pytest.raises(SymgenError, match="unknown method"):
        knn_graph(pos, 2, method="ball")
    with pytest.raises(SymgenError, match="k"):
        knn_graph(pos, 0)
    with pytest.raises(SymgenError, match="points must be"):
        in_degree(torch.tensor([0]), -1, pos)
    with pytest.raises(SymgenError, match="dst must be a 1-D integer tensor"):
        in_degree(torch.tensor([[0.0]]), 2, pos)


@settings(max_examples=20, deadline=None)
@given(hs.lists(hs.integers(0, 5), max_size=30), hs.sampled_from([torch.float32, torch.float64]))
def test_in_degree_counts_messages_per_receiver_at_least_one(dst, dtype):
    like = torch.zeros(1, dtype=dtype)
    deg = in_degree(torch.tensor(dst, dtype=torch.long), 6, like)
    assert deg.shape == (6, 1) and deg.dtype == dtype
    assert deg.flatten().tolist() == [max(1, dst.count(p)) for p in range(6)]
