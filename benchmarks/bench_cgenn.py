"""CGENN layers: symgen's generated grade-path kernels vs a dense weighted Cayley einsum.

Forward + backward time and peak memory of the steerable geometric-product layer and
the fully connected one, batch 4096 x 16 channels, float32 CPU. The reference does what
CGENN's layers do: each forward re-materialises the weighted Cayley tensor (channels x
dim³, or out x in x dim³) from per-path weights and contracts it with ``torch.einsum``.
Each configuration runs in a fresh process; peak memory is the growth of the process'
max RSS over the timed steps.

    python benchmarks/bench_cgenn.py [--batch 4096] [--channels 16] [--no-compile]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

import torch

from symgen import CliffordAlgebra
from symgen.algebra.grade_paths import grade_paths
from symgen.nn import FullyConnectedGeometricProductLayer, GeometricProductLayer
from symgen.timing import median_time

ALGEBRAS = {"Cl(3,0)": (3, 0, 0), "Cl(1,3)": (1, 3, 0)}


def path_cayley(alg) -> torch.Tensor:
    """Dense (paths, dim, dim, dim) tensor: the geometric product split by grade path."""
    paths = grade_paths(alg)
    index = {p: q for q, p in enumerate(paths)}
    c = torch.zeros(len(paths), alg.dim, alg.dim, alg.dim)
    g = alg.grades
    for k, i, j, coeff in alg.bilinear_ir("geometric_product").terms:
        c[index[(g[i], g[j], g[k])], i, j, k] = float(coeff)
    return c


class DenseSteerable(GeometricProductLayer):
    """Reference: same layer, product through a weighted Cayley tensor rebuilt each forward."""

    def __init__(self, alg, channels):
        super().__init__(alg, channels)
        self.register_buffer("cayley", path_cayley(alg))

    def forward(self, x):
        weighted = torch.einsum("cp,pijk->cijk", self.weight, self.cayley)
        y = torch.einsum("bci,cijk,bcj->bck", x, weighted, self.right(x))
        return (self.left(x) + self.norm(y)) / 2 ** 0.5


class DenseFullyConnected(FullyConnectedGeometricProductLayer):
    def __init__(self, alg, cin, cout):
        super().__init__(alg, cin, cout)
        self.register_buffer("cayley", path_cayley(alg))

    def forward(self, x):
        weighted = torch.einsum("ocp,pijk->ocijk", self.weight, self.cayley)
        y = torch.einsum("bci,ocijk,bcj->bok", x, weighted, self.right(x))
        return (self.left(x) + self.norm(y)) / 2 ** 0.5


def run_one(config: dict) -> dict:
    torch.manual_seed(0)
    alg = CliffordAlgebra.from_signature(*ALGEBRAS[config["alg"]])
    c, b = config["channels"], config["batch"]
    make = {("steerable", "symgen"): lambda: GeometricProductLayer(alg, c),
            ("steerable", "dense"): lambda: DenseSteerable(alg, c),
            ("fc", "symgen"): lambda: FullyConnectedGeometricProductLayer(alg, c, c),
            ("fc", "dense"): lambda: DenseFullyConnected(alg, c, c)}[(config["layer"], config["impl"])]
    layer = make()
    if config["compile"]:
        layer = torch.compile(layer, fullgraph=True)
    x = torch.randn(b, c, alg.dim, requires_grad=True)

    def step():
        layer(x).square().mean().backward()

    step()
    step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = median_time(step, repeats=config["repeats"], warmup=0)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mib": (after - before) / 1024, "rss_mib": after / 1024}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(json.loads(args.one))))
        return
    print(f"fwd+bwd, batch {args.batch} x {args.channels} channels, float32, {torch.get_num_threads()} "
          f"threads, median of {args.repeats}; peak = max-RSS growth during the timed steps")
    print(f"{'layer':10} {'algebra':8} {'dense ms':>9} {'symgen ms':>9} {'speed-up':>8} | "
          f"{'dense MiB':>9} {'symgen MiB':>10} (max RSS MiB dense/symgen) | {'compiled ms':>11} {'vs dense':>8}")
    for layer in ("steerable", "fc"):
        for name in ALGEBRAS:
            res = {}
            for impl, comp in (("dense", False), ("symgen", False)) + ((("symgen", True),) if not args.no_compile else ()):
                cfg = dict(alg=name, layer=layer, impl=impl, compile=comp, batch=args.batch,
                           channels=args.channels, repeats=args.repeats)
                out = subprocess.run([sys.executable, __file__, "--one", json.dumps(cfg)],
                                     capture_output=True, text=True, check=True).stdout
                res[(impl, comp)] = json.loads(out.strip().splitlines()[-1])
            d, s = res[("dense", False)], res[("symgen", False)]
            line = (f"{layer:10} {name:8} {1e3 * d['seconds']:9.1f} {1e3 * s['seconds']:9.1f} "
                    f"{d['seconds'] / s['seconds']:7.1f}x | {d['peak_mib']:9.0f} {s['peak_mib']:10.0f} "
                    f"({d['rss_mib']:.0f}/{s['rss_mib']:.0f})")
            if ("symgen", True) in res:
                cs = res[("symgen", True)]["seconds"]
                line += f" | {1e3 * cs:11.1f} {d['seconds'] / cs:7.1f}x"
            print(line)


if __name__ == "__main__":
    main()
