"""Speed: symgen's PONITA against the official PONITA code (Bekkers et al., ICLR 2024,
github.com/ebekkers/ponita), forward + backward on the same batch, in one run.

The batch is N-body-like: ``--systems`` systems of 5 particles, fully connected with self
loops (the official n-body setting), charges as scalars and velocities as vectors in, one
vector per particle out, loss ``Σ v²``. Both models get the same sizes: hidden channels,
layers, basis width, a ConvNeXt widening of 4, and for the fiber bundle the very same
orientation grid (the official ``uniform_grid_s2``). The grid-free rows feed both the graph
lifted by :func:`symgen.nn.lift_to_orientations` (the official lift needs ``torch_sparse``);
the official model then computes its invariants with its own transform inside the timed
step, as symgen's does inside ``forward``. Differences that remain: the official basis
network adds degree-3 polynomial features of the invariants and a readout per layer.

The official code is not part of symgen: pass the directory that holds its ``ponita``
package (a copy made for measurement only). It needs ``torch_geometric``; when
``torch_scatter`` is missing its ``scatter_mean`` (used by the grid-free readout) is
replaced by an ``index_add`` shim, and PyG ≥ 2.4's abstract ``BaseTransform.forward`` is
cleared (the official transforms define ``__call__``). Float32, eager CPU, median ms over interleaved rounds.

    OMP_NUM_THREADS=1 /tmp/venv-ponita/bin/python benchmarks/bench_ponita_official.py /tmp/ponita_official
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import pathlib
import sys
import types

import torch

from symgen import groups
from symgen.nn import Ponita, PonitaPointCloud, lift_to_orientations
from symgen.timing import interleaved_medians

#: (systems, hidden, layers, orientations, basis): a small model, and the official n-body
#: model sizes (hidden 128, 5 layers, 16 orientations, basis 256) on a quarter of its batch of 100
CONFIGS = ((20, 32, 2, 16, 32), (25, 128, 5, 16, 256))


def _scatter_mean_shim():
    """A stand-in ``torch_scatter`` module with ``scatter_mean`` over dim 0 via ``index_add``."""
    module = types.ModuleType("torch_scatter")

    def scatter_mean(src, index, dim=0):
        assert dim == 0
        size = int(index.max()) + 1
        total = src.new_zeros((size,) + src.shape[1:]).index_add(0, index, src)
        count = torch.zeros(size, dtype=src.dtype, device=src.device).index_add(
            0, index, torch.ones(len(index), dtype=src.dtype, device=src.device)).clamp(min=1)
        return total / count.view((-1,) + (1,) * (src.dim() - 1))
    module.scatter_mean = scatter_mean
    return module


def load_official(path: pathlib.Path):
    """The official modules, or a string saying why they cannot be loaded."""
    if not (path / "ponita" / "models" / "ponita.py").is_file():
        return f"no official PONITA at {path} (expected {path}/ponita/models/ponita.py)"
    if importlib.util.find_spec("torch_geometric") is None:
        return "torch_geometric is not installed in this interpreter"
    import torch_geometric.transforms   # imported before the shim, so PyG itself does not use it
    if importlib.util.find_spec("torch_scatter") is None:
        sys.modules["torch_scatter"] = _scatter_mean_shim()
    # PyG ≥ 2.4 declares BaseTransform.forward abstract; the official transforms define
    # __call__ (the older API), which runs unchanged once the flag is cleared
    torch_geometric.transforms.BaseTransform.__abstractmethods__ = frozenset()
    sys.path.insert(0, str(path))
    from ponita.models.ponita import PonitaFiberBundle, PonitaPointCloud as OfficialPointCloud
    from ponita.transforms import SEnInvariantAttributes
    from torch_geometric.data import Data
    return types.SimpleNamespace(FiberBundle=PonitaFiberBundle, PointCloud=OfficialPointCloud,
                                 Invariants=SEnInvariantAttributes, Data=Data)


def batch_of_systems(systems: int, particles: int = 5, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    n = systems * particles
    pos, vel = torch.randn(n, 3, generator=g), torch.randn(n, 1, 3, generator=g)
    charge = torch.randint(0, 2, (n, 1), generator=g).float() * 2 - 1
    local = torch.arange(particles)
    a, b = (t.reshape(-1) for t in torch.meshgrid(local, local, indexing="ij"))
    offset = (torch.arange(systems) * particles)[:, None]
    src, dst = (a[None] + offset).reshape(-1), (b[None] + offset).reshape(-1)   # with self loops
    order = torch.argsort(dst * n + src)
    return pos, charge, vel, src[order], dst[order], torch.arange(systems).repeat_interleave(particles)


def _quiet(fn):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):   # "Callibrating", tqdm
        return fn()


def compare(official, systems, hidden, layers, orientations, basis, repeats):
    torch.manual_seed(0)
    pos, charge, vel, src, dst, batch = batch_of_systems(systems)
    edge_index = torch.stack([src, dst])
    fiber = _quiet(lambda: official.FiberBundle(2, hidden, 0, layers, output_dim_vec=1, num_ori=orientations,
                                                basis_dim=basis, degree=3, widening_factor=4, layer_scale=1e-6,
                                                task_level="node", multiple_readouts=True))
    grid = fiber.transform.transforms[0].ori_grid_s2
    mine = Ponita(groups.O(3), grid, 1, 1, 0, 1, hidden=hidden, layers=layers, basis=basis, widening=4)

    def official_fiber():
        graph = official.Data(pos=pos, x=charge, vec=vel, edge_index=edge_index, batch=batch)
        fiber(graph)[1].square().sum().backward()

    def symgen_fiber():
        mine(pos, charge, vel, src, dst)[1].square().sum().backward()

    lifted = lift_to_orientations(pos, src, dst)
    o = lifted.orientation(pos)
    cloud_edges = torch.stack([lifted.src, lifted.dst])
    cloud_x = torch.cat([charge[lifted.base], torch.einsum("lvd,ld->lv", vel[lifted.base], o)], -1)
    cloud = official.PointCloud(2, hidden, 0, layers, output_dim_vec=1, num_ori=-1, basis_dim=basis, degree=3,
                                widening_factor=4, layer_scale=1e-6, task_level="node", multiple_readouts=True)
    invariants = official.Invariants(separable=False, point_cloud=True)
    mine_cloud = PonitaPointCloud(groups.O(3), 1, 1, 0, 1, hidden=hidden, layers=layers, basis=basis, widening=4)

    def official_cloud():
        graph = official.Data(pos=torch.cat([pos[lifted.base], o], -1), x=cloud_x, edge_index=cloud_edges,
                              batch=batch[lifted.base], scatter_projection_index=lifted.base)
        graph.n = 3
        cloud(invariants(graph))[1].square().sum().backward()

    def symgen_cloud():
        mine_cloud(pos, charge, vel, lifted)[1].square().sum().backward()

    runs = {"official fiber": official_fiber, "symgen fiber": symgen_fiber,
            "official cloud": official_cloud, "symgen cloud": symgen_cloud}
    for run in runs.values():
        _quiet(run)                              # lazy layers, calibration, Numba compiles
    t = {k: v * 1e3 for k, v in interleaved_medians(runs, repeats=repeats).items()}
    size = f"{systems:>7} {hidden:>6} {layers:>6} {orientations:>4} {basis:>5}"
    print(f"{size}  fiber {len(src) * orientations:>7} {t['official fiber']:10.1f} {t['symgen fiber']:9.1f} "
          f"{t['official fiber'] / t['symgen fiber']:6.2f}x")
    print(f"{size}  cloud {len(lifted.src):>7} {t['official cloud']:10.1f} {t['symgen cloud']:9.1f} "
          f"{t['official cloud'] / t['symgen cloud']:6.2f}x")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("official", type=pathlib.Path, help="directory holding the official 'ponita' package")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--small", action="store_true", help="only the small configuration")
    args = parser.parse_args(argv)
    official = load_official(args.official)
    if isinstance(official, str):
        print(f"skipped: {official}")
        return
    print(f"fwd+bwd float32 eager CPU, {torch.get_num_threads()} thread(s), median of {args.repeats} (ms); "
          "speed-up = official / symgen")
    print(f"{'systems':>7} {'hidden':>6} {'layers':>6} {'ori':>4} {'basis':>5}  variant {'messages':>7} "
          f"{'official':>10} {'symgen':>9} {'speed-up':>7}")
    for config in CONFIGS[:1] if args.small else CONFIGS:
        compare(official, *config, args.repeats)


if __name__ == "__main__":
    main()
