"""Overhead of FrameAveraging and Canonicalize over their backbone, forward + backward, on one
batch of point clouds; and of equiadapt's point-cloud canonicalization over the same backbone.

Point clouds of ``--points`` points (16), batch ``--batch`` (256), float32, one torch thread.
The backbone is an MLP on the flattened cloud (3N → 128 → 128 → 1, SiLU; 4N inputs for E(3),
whose points are homogeneous ``(p, 1)``) predicting an invariant. Wrapped in
``FrameAveraging`` (PCA frame: 8 elements for O(3) and E(3), 4 for SO(3)) and in
``Canonicalize(backbone, "auto", ...)`` (symgen's default canonicalizer: an EMLP to d vectors,
then Gram–Schmidt). Each row times ``model(x).square().mean().backward()``, medians of
interleaved rounds; the ratio is to the bare backbone timed in the same rounds.

equiadapt (``pip install equiadapt`` in a separate venv; ``--equiadapt-python`` names its
interpreter) runs in a subprocess: its SO(3) point-cloud canonicalization
(``EquivariantPointcloudCanonicalization`` with its ``VNSmall`` vector-neuron canonicalizer,
``n_knn=8``, mean pooling) in front of the same backbone, its ratio to that backbone timed in
the same subprocess. Its package ``__init__`` imports torchvision for images, whose compiled
ops do not load against the CPU torch wheel, so the subprocess imports the point-cloud
modules without running that ``__init__``; nothing else is changed. The canonicalizer
networks differ (vector neurons with k-NN graph features vs an EMLP), so this compares each
library's default, not equal networks. Last column: float32 equivariance error of the wrapped
model (relative, 8 sampled elements).

    python benchmarks/bench_wrappers.py [--points 16] [--batch 256] [--repeats 20] \
        [--equiadapt-python /tmp/venv-eqa/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import torch

from symgen import groups, reps
from symgen.nn import Canonicalize, FrameAveraging
from symgen.testing import equivariance_error
from symgen.timing import interleaved_medians

EQUIADAPT_SNIPPET = """
import importlib.util, json, sys, types
import torch
spec = importlib.util.find_spec("equiadapt")
pkg = types.ModuleType("equiadapt")
pkg.__path__ = list(spec.submodule_search_locations)
sys.modules["equiadapt"] = pkg      # skip equiadapt/__init__.py (imports torchvision for images)
from omegaconf import OmegaConf
from equiadapt.pointcloud.canonicalization.continuous_group import EquivariantPointcloudCanonicalization
from equiadapt.pointcloud.canonicalization_networks.equivariant_networks import VNSmall
import statistics, time
torch.set_num_threads(1)
torch.manual_seed(0)
N, B, R = {points}, {batch}, {repeats}
backbone = torch.nn.Sequential(torch.nn.Linear(3 * N, 128), torch.nn.SiLU(), torch.nn.Linear(128, 128),
                               torch.nn.SiLU(), torch.nn.Linear(128, 1))
canon = EquivariantPointcloudCanonicalization(VNSmall(OmegaConf.create({{"n_knn": 8, "pooling": "mean"}})),
                                              OmegaConf.create({{}}))
x = torch.randn(B, 3, N)
def bare():
    backbone(x.transpose(1, 2).reshape(B, -1)).square().mean().backward()
def wrapped():
    backbone(canon.canonicalize(x).transpose(1, 2).reshape(B, -1)).square().mean().backward()
fns = {{"backbone": bare, "equiadapt": wrapped}}
for f in fns.values():
    f()
times = {{k: [] for k in fns}}
for _ in range(R):
    for k, f in fns.items():
        t0 = time.perf_counter(); f(); times[k].append(time.perf_counter() - t0)
canon.eval()
g = torch.linalg.qr(torch.randn(8, 3, 3))[0]
g = g * torch.sign(torch.linalg.det(g))[:, None, None]
with torch.no_grad():
    y = backbone(canon.canonicalize(x).transpose(1, 2).reshape(B, -1))
    err = max(float((backbone(canon.canonicalize(r @ x).transpose(1, 2).reshape(B, -1)) - y).abs().max()
                    / y.abs().max()) for r in g)
print(json.dumps({{k: statistics.median(v) for k, v in times.items()}} | {{"error": err}}))
"""


def mlp(n_in):
    return torch.nn.Sequential(torch.nn.Linear(n_in, 128), torch.nn.SiLU(), torch.nn.Linear(128, 128),
                               torch.nn.SiLU(), torch.nn.Linear(128, 1))


def clouds(G, points, batch):
    x = torch.randn(batch, points, G.d)
    if isinstance(G, groups.SE):
        x[..., -1] = 1.0
    return x.reshape(batch, -1)


def symgen_rows(points, batch, repeats):
    rows = []
    for G in (groups.O(3), groups.SO(3), groups.E(3)):
        rep_in, rep_out = points * reps.V(G), reps.Scalar(G)
        torch.manual_seed(0)
        backbone = mlp(rep_in.size)
        models = {"backbone": backbone, "FrameAveraging": FrameAveraging(backbone, rep_in, rep_out),
                  "Canonicalize": Canonicalize(backbone, "auto", rep_in, rep_out)}
        x = clouds(G, points, batch)
        times = interleaved_medians({k: (lambda m=m: m(x).square().mean().backward()) for k, m in models.items()},
                                    repeats=repeats)
        errors = {k: equivariance_error(m, rep_in=rep_in, rep_out=rep_out, inputs=clouds(G, points, 64), seed=0)[0]
                  for k, m in models.items()}
        rows.append((f"{G}, {points} points", times, errors))
    return rows


def equiadapt_row(python, points, batch, repeats):
    if not python or not os.path.exists(python):
        return None, f"no interpreter at {python!r}"
    done = subprocess.run([python, "-c", EQUIADAPT_SNIPPET.format(points=points, batch=batch, repeats=repeats)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        return None, done.stderr.strip().splitlines()[-1]
    return json.loads(done.stdout.strip().splitlines()[-1]), None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=16)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--equiadapt-python", default="/tmp/venv-eqa/bin/python")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print(f"fwd+bwd of one batch of {args.batch} point clouds, float32, 1 thread; medians of {args.repeats} "
          f"interleaved rounds; ratio to the bare backbone")
    print(f"{'case':<22} {'wrapper':<15} {'ms':>8} {'× backbone':>10} {'equiv. err':>10}")
    for case, times, errors in symgen_rows(args.points, args.batch, args.repeats):
        for name, t in times.items():
            print(f"{case:<22} {name:<15} {1e3 * t:>8.2f} {t / times['backbone']:>10.2f} {errors[name]:>10.1e}")
    eqa, why = equiadapt_row(args.equiadapt_python, args.points, args.batch, args.repeats)
    if eqa is None:
        print(f"equiadapt: not run ({why})")
    else:
        case = f"SO(3), {args.points} points"
        print(f"{case:<22} {'backbone (eqa)':<15} {1e3 * eqa['backbone']:>8.2f} {1.0:>10.2f} {'':>10}")
        print(f"{case:<22} {'equiadapt':<15} {1e3 * eqa['equiadapt']:>8.2f} "
              f"{eqa['equiadapt'] / eqa['backbone']:>10.2f} {eqa['error']:>10.1e}")


if __name__ == "__main__":
    sys.exit(main())
