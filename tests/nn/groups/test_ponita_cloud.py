"""Grid-free PONITA: the oriented pair invariants certified, the lift to orientations from the
edges, exact equivariance under random elements of O(3), SO(3), O(2), SO(2) and
translations on Hypothesis-drawn clouds, gradients, and torch.compile(fullgraph=True) of
both PONITA variants."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as hs

from symgen import groups, reps
from symgen.algebra.groups.position_orientation import message_ir, oriented_pair_invariants, repulsion_grid
from symgen.errors import GroupError, ShapeError, SymgenError
from symgen.nn import Ponita, PonitaPointCloud, knn_graph, lift_to_orientations, radius_graph
from symgen.testing import assert_equivariant

GROUPS = {"O(3)": groups.O(3), "SO(3)": groups.SO(3), "O(2)": groups.O(2), "SO(2)": groups.SO(2)}


@pytest.mark.parametrize("G,count", [(groups.O(3), 4), (groups.SO(3), 4), (groups.O(2), 3), (groups.SO(2), 3),
                                     (groups.SO(4), 4)])
def test_oriented_pair_invariants_are_certified_complete(G, count):
    inv = oriented_pair_invariants(G)
    assert len(inv.exprs) == count and inv.certificate.complete
    assert inv.certificate.manifold - inv.certificate.orbit == count


def test_lift_connects_every_orientation_of_neighbouring_points():
    pos = torch.randn(6, 3, dtype=torch.float64)
    src, dst = knn_graph(pos, 2)
    lifted = lift_to_orientations(pos, src, dst)
    assert lifted.base.tolist() == sorted(dst.tolist())
    base_edges = set(zip(src.tolist(), dst.tolist())) | {(i, i) for i in range(6)}
    want = {(a, b) for a in range(len(lifted.base)) for b in range(len(lifted.base))
            if (int(lifted.base[a]), int(lifted.base[b])) in base_edges}
    assert set(zip(lifted.src.tolist(), lifted.dst.tolist())) == want
    assert len(lifted.src) == len(want)
    o = lifted.orientation(pos)
    torch.testing.assert_close(o.norm(dim=1), torch.ones(len(o), dtype=torch.float64))


class Flat(torch.nn.Module):
    """``points`` positions, scalars and vectors in, scalars and vectors out, on the 3-nearest
    neighbour graph lifted to orientations: the (batch, size) view ``assert_equivariant`` checks."""

    def __init__(self, net, points):
        super().__init__()
        self.net, self.points = net, points

    def forward(self, flat):
        m, n, out = self.points, self.net.G.d, []
        for row in flat:
            pos, s = row[:n * m].reshape(m, n), row[n * m:(n + 1) * m].reshape(m, 1)
            v = row[(n + 1) * m:].reshape(m, 1, n)
            so, vo = self.net(pos, s, v, lift_to_orientations(pos, *knn_graph(pos, 3)))
            out.append(torch.cat([so.reshape(-1), vo.reshape(-1)]))
        return torch.stack(out)


def clouds(n):
    """Seeded Gaussian clouds of 4 to 7 points (their positions, scalars and vectors flat)."""
    def make(drawn):
        points, seed = drawn
        return points, torch.from_numpy(np.random.default_rng(seed).standard_normal((2, points * (2 * n + 1))))
    return hs.tuples(hs.integers(4, 7), hs.integers(0, 2**31 - 1)).map(make)


@pytest.mark.parametrize("name", GROUPS)
@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 1e-4)])
@settings(max_examples=3, deadline=None)
@given(data=hs.data())
def test_exactly_equivariant_under_the_whole_group(name, dtype, tol, data):
    G = GROUPS[name]
    points, flat = data.draw(clouds(G.d))
    seed = data.draw(hs.integers(0, 10**6))
    torch.manual_seed(seed % 5)
    net = PonitaPointCloud(G, 1, 1, 1, 1, hidden=8, layers=2, basis=8).to(dtype)
    V, S = reps.V(G), reps.Scalar(G)
    elements = np.asarray(G.sample(4, seed=seed), dtype=np.float64)
    assert_equivariant(Flat(net, points), rep_in=points * V + points * S + points * V,
                       rep_out=points * S + points * V, inputs=flat.to(dtype), elements=elements, tolerance=tol)


@settings(max_examples=5, deadline=None)
@given(data=hs.data())
def test_rotations_with_translations(data):
    points, flat = data.draw(clouds(3))
    seed = data.draw(hs.integers(0, 10**6))
    torch.manual_seed(seed % 5)
    net = PonitaPointCloud(groups.O(3), 1, 1, 2, 1, hidden=8, layers=2, basis=8).double()
    pos, s, v = flat[0, :3 * points].reshape(points, 3), flat[0, 3 * points:4 * points].reshape(points, 1), \
        flat[0, 4 * points:].reshape(points, 1, 3)
    R = torch.from_numpy(np.asarray(groups.O(3).sample(1, seed=seed), dtype=np.float64)[0])
    t = torch.from_numpy(np.random.default_rng(seed).uniform(-5, 5, 3))
    with torch.no_grad():
        so, vo = net(pos, s, v, lift_to_orientations(pos, *knn_graph(pos, 3)))
        moved = pos @ R.T + t
        sm, vm = net(moved, s, v @ R.T, lift_to_orientations(moved, *knn_graph(moved, 3)))
    scale = max(1.0, float(vo.abs().max()), float(so.abs().max()))
    assert float((sm - so).abs().max()) <= 1e-10 * scale
    assert float((vm - vo @ R.T).abs().max()) <= 1e-10 * scale
    assert float(vo.abs().max()) > 1e-6                      # not trivially zero


def test_gradients_reach_every_parameter_and_isolated_points_give_zero():
    torch.manual_seed(0)
    net = PonitaPointCloud(groups.SO(3), 1, 1, 1, 1, hidden=8, layers=2, basis=8).double()
    pos = torch.cat([torch.randn(6, 3, dtype=torch.float64), torch.full((1, 3), 50.0, dtype=torch.float64)])
    graph = lift_to_orientations(pos, *radius_graph(pos, 3.0))
    s, v = net(pos, torch.ones(7, 1, dtype=torch.float64), torch.randn(7, 1, 3, dtype=torch.float64), graph)
    (s.square().sum() + v.square().sum()).backward()
    assert all(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in net.parameters())
    assert float(s[6].detach().abs().sum() + v[6].detach().abs().sum()) == 0.0


def test_messages_run_on_the_generated_edge_kernel():
    net = PonitaPointCloud(groups.O(3), 1, 1, 1, 1, hidden=8)
    layer = net.layers[0]
    assert layer.message.ir == message_ir(8)
    pos = torch.randn(5, 3)
    graph = lift_to_orientations(pos, *knn_graph(pos, 2))
    rows = torch.randn(len(graph.base), 8)
    assert "numba edge kernel" in layer.message.explain(torch.randn(len(graph.src), 8), rows, graph.src, graph.dst)


def _loss(net, inputs):
    s, v = net(*inputs)
    return s.square().sum() + v.square().sum()


@pytest.mark.parametrize("variant", ["grid", "grid-free"])
def test_torch_compile_fullgraph_forward_and_backward(variant):
    torch.manual_seed(0)
    pos = torch.randn(6, 3)
    scalars, vectors = torch.ones(6, 1), torch.randn(6, 1, 3)
    if variant == "grid":
        net = Ponita(groups.SO(3), repulsion_grid(6), 1, 1, 1, 1, hidden=8, layers=1, basis=8)
        inputs = (pos, scalars, vectors, *radius_graph(pos, 2.5))
    else:
        net = PonitaPointCloud(groups.SO(3), 1, 1, 1, 1, hidden=8, layers=1, basis=8)
        inputs = (pos, scalars, vectors, lift_to_orientations(pos, *knn_graph(pos, 3)))
    want = torch.autograd.grad(_loss(net, inputs), list(net.parameters()))
    net.prepare()
    compiled = torch.compile(lambda *xs: _loss(net, xs), fullgraph=True, backend="aot_eager")
    got = torch.autograd.grad(compiled(*inputs), list(net.parameters()))
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_bad_input():
    with pytest.raises(GroupError, match="channel count"):
        message_ir(0)
    with pytest.raises(ShapeError, match="hidden"):
        PonitaPointCloud(groups.O(3), 1, 1, 1, 1, hidden=0)
    net = PonitaPointCloud(groups.O(3), 1, 1, 1, 1, hidden=4)
    pos = torch.randn(4, 3)
    graph = lift_to_orientations(pos, *knn_graph(pos, 2))
    with pytest.raises(ShapeError, match="PonitaPointCloud expects"):
        net(pos, torch.randn(4, 2), torch.randn(4, 1, 3), graph)
    with pytest.raises(SymgenError, match="LiftedGraph"):
        net(pos, torch.randn(4, 1), torch.randn(4, 1, 3), knn_graph(pos, 2))
    with pytest.raises(SymgenError, match="same position"):
        lift_to_orientations(torch.zeros(2, 3), torch.tensor([0]), torch.tensor([1]))
    with pytest.raises(SymgenError, match="outside"):
        lift_to_orientations(pos, torch.tensor([0]), torch.tensor([9]))
