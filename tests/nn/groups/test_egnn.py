"""EGNN: exact E(n)-equivariance (homogeneous coordinates, Hypothesis-drawn clouds, float64 and
float32), the layer against the paper's equations written densely, the coordinate messages on
the generated edge kernel, gradients, and the isotropic kernel IR."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as hs

from symgen import groups, reps
from symgen.algebra.groups.steerable import isotropic_apply_ir
from symgen.errors import RepresentationError
from symgen.nn import EGNN, EGNNLayer, knn_graph, radius_graph
from symgen.testing import assert_equivariant


class Flat(torch.nn.Module):
    """``points`` homogeneous positions ``(x, 1)``, velocities ``(v, 0)`` and one scalar each in,
    the moved homogeneous positions out, on the 3-nearest-neighbour graph: the (batch, size)
    view of an :class:`EGNN` over ``E(n)`` that ``assert_equivariant`` checks."""

    def __init__(self, net, points):
        super().__init__()
        self.net, self.points = net, points

    def forward(self, flat):
        m, n, out = self.points, self.net.G.d, []
        for row in flat:
            pos = row[:(n + 1) * m].reshape(m, n + 1)[:, :n]
            vel = row[(n + 1) * m:2 * (n + 1) * m].reshape(m, n + 1)[:, :n]
            h = row[2 * (n + 1) * m:].reshape(m, 1)
            _, moved = self.net(h, pos, *knn_graph(pos, 3), vel=vel)
            out.append(torch.cat([moved, torch.ones(m, 1, dtype=moved.dtype)], 1).reshape(-1))
        return torch.stack(out)


def clouds(n):
    """Seeded Gaussian clouds of 4 to 7 points in homogeneous coordinates (flat)."""
    def make(drawn):
        points, seed = drawn
        x = np.random.default_rng(seed).standard_normal((2, 2 * points, n + 1))
        x[:, :points, n], x[:, points:, n] = 1.0, 0.0              # positions, then velocities
        h = np.random.default_rng(seed + 1).standard_normal((2, points))
        return points, torch.from_numpy(np.concatenate([x.reshape(2, -1), h], 1))
    return hs.tuples(hs.integers(4, 7), hs.integers(0, 2**31 - 1)).map(make)


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 1e-4)])
@settings(max_examples=3, deadline=None)
@given(data=hs.data())
def test_exactly_equivariant_under_euclidean_motions(n, dtype, tol, data):
    points, flat = data.draw(clouds(n))
    seed = data.draw(hs.integers(0, 10**6))
    torch.manual_seed(seed % 5)
    net = EGNN(groups.O(n), in_features=1, hidden=8, layers=2, velocity=True).to(dtype)
    for layer in net.layers:                      # untrained φ_x is ~1e-3: make the moves matter
        torch.nn.init.normal_(layer.coord[-1].weight)
    G = groups.E(n)
    V, S = reps.V(G), reps.Scalar(G)
    elements = np.asarray(G.sample(4, seed=seed), dtype=np.float64)
    assert_equivariant(Flat(net, points), rep_in=2 * points * V + points * S, rep_out=points * V,
                       inputs=flat.to(dtype), elements=elements, tolerance=tol)


def test_layer_matches_the_paper_equations_written_densely():
    """Eqs. (3)–(6) of Satorras et al. with velocity (their N-body model), on a complete graph
    of 5 points: ``m_ij = φ_e(h_i, h_j, |x_i − x_j|², a_ij)``,
    ``x_i' = x_i + Σ_{j≠i} (x_i − x_j) φ_x(m_ij) / 4 + φ_v(h_i) v_i``, ``h_i' = h_i + φ_h(h_i, Σ_j m_ij)``."""
    torch.manual_seed(0)
    layer = EGNNLayer(groups.O(3), hidden=6, edge_features=2, velocity=True).double()
    torch.nn.init.normal_(layer.coord[-1].weight)
    h, x, v = (torch.randn(5, k, dtype=torch.float64) for k in (6, 3, 3))
    pairs = (~torch.eye(5, dtype=torch.bool)).nonzero()
    src, dst = pairs[:, 1], pairs[:, 0]
    a = torch.randn(len(src), 2, dtype=torch.float64)
    h_new, x_new = layer(h, x, src, dst, vel=v, edge_attr=a)
    A = torch.zeros(5, 5, 2, dtype=torch.float64)
    A[dst, src] = a
    for i in range(5):
        others = [j for j in range(5) if j != i]
        m = torch.stack([layer.edge(torch.cat([h[i], h[j], (x[i] - x[j]).square().sum()[None], A[i, j]]))
                         for j in others])
        move = sum((x[i] - x[j]) * layer.coord(m[k]) for k, j in enumerate(others)) / 4
        torch.testing.assert_close(x_new[i], x[i] + move + layer.velocity(h[i]) * v[i], rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(h_new[i], h[i] + layer.node(torch.cat([h[i], m.sum(0)])), rtol=1e-12, atol=1e-12)


def test_moves_run_on_the_generated_edge_kernel_and_gradients_reach_every_parameter():
    torch.manual_seed(0)
    net = EGNN(groups.O(3), in_features=2, hidden=8, layers=2, edge_features=1, velocity=True).double()
    assert net.layers[0].move.ir == isotropic_apply_ir(3)
    pos = torch.cat([torch.randn(6, 3, dtype=torch.float64), torch.full((1, 3), 50.0, dtype=torch.float64)])
    src, dst = radius_graph(pos, 3.0)
    phi = torch.randn(len(src), 1)
    assert "numba edge kernel" in net.layers[0].move.explain(phi, pos.float(), src, dst)
    vel = torch.randn(7, 3, dtype=torch.float64)
    h, moved = net(torch.randn(7, 2, dtype=torch.float64), pos, src, dst, vel=vel,
                   edge_attr=torch.randn(len(src), 1, dtype=torch.float64))
    (h.square().sum() + moved.square().sum()).backward()
    assert all(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in net.parameters())
    # the isolated point 6 gets no messages: it moves only along its velocity
    step = (moved[6] - pos[6]).detach()
    assert float(torch.linalg.cross(step, vel[6]).abs().max()) < 1e-12 < float(step.abs().max())


def test_isotropic_kernel_ir_scales_each_coordinate():
    ir = isotropic_apply_ir(2)
    assert (ir.out_dim, ir.in_dims) == (2, (1, 2))
    with pytest.raises(RepresentationError, match="n must be"):
        isotropic_apply_ir(0)
