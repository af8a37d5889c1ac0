"""PONITA equivariance by orientation grid, and its forward + backward time.

For the 24-point orbit grid of the octahedral rotation group the network is exactly
equivariant under that group (a 24-point repulsion grid is not); under random SO(3)
rotations the error of an untrained network falls as the repulsion grid grows.
Float64, 5 points with a scalar and a vector each, complete graph, hidden 8, one layer.

    OMP_NUM_THREADS=1 python benchmarks/bench_ponita.py
"""

from __future__ import annotations

import numpy as np
import torch

from symgen import groups
from symgen.algebra.groups.position_orientation import octahedral_rotations, orbit_grid, repulsion_grid
from symgen.nn import Ponita
from symgen.timing import median_time


def relative_errors(net, rotations, points=5, clouds=3):
    full = torch.ones(points, points, dtype=torch.bool).fill_diagonal_(False).nonzero()
    src, dst = full[:, 1], full[:, 0]
    errs = []
    with torch.no_grad():
        for q in range(clouds):
            g = torch.Generator().manual_seed(q)
            pos, s, v = (torch.randn(*shape, generator=g, dtype=torch.float64)
                         for shape in ((points, 3), (points, 1), (points, 1, 3)))
            s0, v0 = net(pos, s, v, src, dst)
            for R in torch.from_numpy(np.asarray(rotations, dtype=np.float64)):
                s1, v1 = net(pos @ R.T, s, v @ R.T, src, dst)
                scale = max(float(s0.abs().max()), float(v0.abs().max()))
                errs.append(max(float((s1 - s0).abs().max()), float((v1 - v0 @ R.T).abs().max())) / scale)
    return np.array(errs)


def main():
    G = groups.SO(3)
    H = octahedral_rotations()
    print(f"{'grid':32} {'rotations':22} {'mean rel. error':>16} {'max':>10}")
    cases = [("octahedral orbit grid, 24", orbit_grid(H, start=[1.0, 2.0, 3.0]), "octahedral (24)", H.elements()),
             ("repulsion grid, 24", repulsion_grid(24), "octahedral (24)", H.elements())]
    cases += [(f"repulsion grid, {n}", repulsion_grid(n), "random SO(3) (6)", G.sample(6, seed=1)) for n in (6, 24, 96)]
    for name, grid, label, rotations in cases:
        torch.manual_seed(0)
        net = Ponita(G, grid, 1, 1, 1, 1, hidden=8, layers=1, basis=8).double()
        e = relative_errors(net, rotations)
        print(f"{name:32} {label:22} {e.mean():16.2e} {e.max():10.2e}")
    print("\nforward + backward, float32, radius graph of 200 points (r = 1.2), hidden 32, 2 layers (ms)")
    from symgen.nn import radius_graph
    pos = torch.randn(200, 3)
    src, dst = radius_graph(pos, 1.2)
    for n in (12, 24, 48):
        net = Ponita(G, repulsion_grid(n), 1, 1, 1, 1)
        s, v = torch.ones(200, 1), torch.randn(200, 1, 3)

        def step():
            a, b = net(pos, s, v, src, dst)
            (a.square().sum() + b.square().sum()).backward()
        print(f"  {n:3} orientations, {len(src)} edges: {median_time(step, repeats=5) * 1e3:8.1f}")


if __name__ == "__main__":
    main()
