"""PONITA: the pair invariants certified symbolically, exact equivariance for the finite group
of an orbit grid, and an SO(3) error that falls as the repulsion grid grows."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as hs

from symgen import groups, reps
from symgen.algebra.groups.position_orientation import (certify_invariants, octahedral_rotations, orbit_grid,
                                                        pair_invariants, repulsion_grid)
from symgen.errors import GroupError, ShapeError
from symgen.nn import Ponita, PonitaKernels, PonitaLayer
from symgen.testing import assert_equivariant


OCTAHEDRAL = octahedral_rotations()


@pytest.mark.parametrize("G,spatial", [(groups.SO(3), 2), (groups.O(3), 2), (groups.SO(2), 2), (groups.O(2), 2),
                                       (groups.SO(4), 2)])
def test_invariants_are_certified_complete(G, spatial):
    inv = pair_invariants(G)
    assert len(inv.spatial) == spatial and inv.spatial_certificate.complete
    assert inv.spherical_certificate.complete


def test_the_certificate_catches_missing_and_wrong_invariants():
    inv = pair_invariants(groups.SO(3))
    short = certify_invariants(groups.SO(3), inv.spatial[:1], [inv.r, inv.o], spheres=[inv.o])
    assert not short.complete and short.manifold - short.orbit == 2
    with pytest.raises(GroupError, match="not invariant"):
        certify_invariants(groups.SO(3), (inv.r[0],), [inv.r, inv.o], spheres=[inv.o])


def cloud(points, seed, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(points, 3, generator=g, dtype=dtype), torch.randn(points, 1, generator=g, dtype=dtype),
            torch.randn(points, 1, 3, generator=g, dtype=dtype))


class Flat(torch.nn.Module):
    """Positions, scalars and vectors of ``points`` points in, scalars and vectors out, on the
    complete graph: the (batch, size) view ``assert_equivariant`` checks."""

    def __init__(self, net, points):
        super().__init__()
        self.net, self.points = net, points
        full = torch.ones(points, points, dtype=torch.bool).fill_diagonal_(False).nonzero()
        self.src, self.dst = full[:, 1], full[:, 0]

    def forward(self, flat):
        m, out = self.points, []
        for row in flat:
            pos, s, v = row[:3 * m].reshape(m, 3), row[3 * m:4 * m].reshape(m, 1), row[4 * m:].reshape(m, 1, 3)
            so, vo = self.net(pos, s, v, self.src, self.dst)
            out.append(torch.cat([so.reshape(-1), vo.reshape(-1)]))
        return torch.stack(out)


def flat_reps(G, m):
    V, S = reps.V(G), reps.Scalar(G)
    return m * V + m * S + m * V, m * S + m * V


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 1e-4)])
@settings(max_examples=3)
@given(seed=hs.integers(0, 10**6))
def test_exactly_equivariant_for_the_group_of_an_orbit_grid(dtype, tol, seed):
    torch.manual_seed(seed % 5)
    grid = orbit_grid(OCTAHEDRAL, start=[1.0, 2.0, 3.0])               # 24 orientations
    net = Ponita(groups.SO(3), grid, 1, 1, 1, 1, hidden=8, layers=1, basis=8).to(dtype)
    rep_in, rep_out = flat_reps(OCTAHEDRAL, 4)
    elements = np.asarray(OCTAHEDRAL.elements(), dtype=np.float64)[np.random.default_rng(seed).choice(24, 4)]
    assert_equivariant(Flat(net, 4), rep_in=rep_in, rep_out=rep_out, elements=elements, batch=2, seed=seed,
                       tolerance=tol)


def test_so3_error_falls_as_the_grid_grows():
    rotations = np.asarray(groups.SO(3).sample(6, seed=1), dtype=np.float64)
    errors = []
    for count in (6, 24, 96):
        torch.manual_seed(0)
        net = Ponita(groups.SO(3), repulsion_grid(count), 1, 1, 1, 0, hidden=8, layers=1, basis=8).double()
        flat = Flat(net, 5)
        total = 0.0
        for q in range(3):
            pos, s, v = cloud(5, q)
            base = flat(torch.cat([pos.reshape(-1), s.reshape(-1), v.reshape(-1)])[None])
            for R in torch.from_numpy(rotations):
                moved = torch.cat([(pos @ R.T).reshape(-1), s.reshape(-1), (v @ R.T).reshape(-1)])[None]
                with torch.no_grad():
                    total += float((flat(moved) - base).abs().max() / base.abs().max())
        errors.append(total)
    assert errors[0] > errors[1] > errors[2], errors


def test_grids_and_bad_input():
    assert orbit_grid(OCTAHEDRAL).shape == (6, 3)
    grid = repulsion_grid(20)
    gaps = np.linalg.norm(grid[:, None] - grid[None], axis=-1) + 3 * np.eye(20)
    assert gaps.min() > 0.6                                         # spread out, not clumped
    with pytest.raises(GroupError, match="finite"):
        orbit_grid(groups.SO(3))
    with pytest.raises(GroupError, match="count"):
        repulsion_grid(1)
    with pytest.raises(ShapeError, match="grid must be"):
        Ponita(groups.SO(3), np.ones((4, 2)), 1, 1, 1, 1)
    net = Ponita(groups.SO(3), grid, 1, 1, 1, 1)
    with pytest.raises(ShapeError, match="Ponita expects"):
        net(torch.randn(4, 3), torch.randn(4, 2), torch.randn(4, 1, 3), torch.tensor([0]), torch.tensor([1]))


@pytest.mark.parametrize("hidden,basis,composed", [(8, 32, True), (32, 8, False)])
def test_kernels_in_either_order_are_the_same_function(hidden, basis, composed):
    torch.manual_seed(0)
    kernels = PonitaKernels(2, hidden, basis, 6, 3).double()
    assert kernels.composed == composed
    x = torch.randn(20, 2, dtype=torch.float64)
    direct = [m(kernels.basis(kernels.embed(x))) for m in kernels.maps]
    for got, want in zip(kernels(x), direct):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spherical", [True, False])
def test_layer_gradients_through_the_message_kernel(spherical):
    """gradcheck of a layer whose messages run on the fused Numba edge kernel (eager CPU)."""
    torch.manual_seed(0)
    layer = PonitaLayer(3, spherical=spherical).double()
    g = torch.Generator().manual_seed(1)
    shape = (4, 2, 3) if spherical else (4, 3)
    f = torch.randn(shape, generator=g, dtype=torch.float64, requires_grad=True)
    src, dst = torch.tensor([0, 1, 2, 3, 3]), torch.tensor([1, 1, 0, 2, 0])
    if spherical:            # (point, orientation) rows, as Ponita passes them
        src, dst = ((i[:, None] * 2 + torch.arange(2)).reshape(-1) for i in (src, dst))
    kernel = torch.randn(len(src), 3, generator=g, dtype=torch.float64, requires_grad=True)
    spherical_kernel = torch.randn(2, 2, 3, generator=g, dtype=torch.float64) if spherical else None
    degree = torch.full(shape[:-1] + (1,), 2.0, dtype=torch.float64)
    assert "numba" in layer.message.explain(kernel, f.reshape(-1, 3), src, dst)
    assert torch.autograd.gradcheck(lambda f, k: layer(f, k, src, dst, degree, spherical_kernel), (f, kernel))
