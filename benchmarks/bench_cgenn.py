"""CGENN layers: symgen's generated grade-path kernels vs a dense weighted Cayley einsum.

Forward + backward time and peak memory of the steerable geometric-product layer and
the fully connected one, batch 4096 x 16 channels, float32 CPU, against two references:

* "dense": symgen's own layer with only its product replaced by what CGENN does — the
  weighted Cayley tensor (channels x dim³, or out x in x dim³) re-materialised from the
  per-path weights every forward and contracted with ``torch.einsum``. Everything else is
  shared, so this isolates the product.
* "CGENN": the whole layer as the CGENN paper's code computes it (Ruhe et al. 2023,
  ``models/modules/gp.py``, ``fcgp.py``, ``linear.py``, ``normalization.py``), rewritten
  here: channel mixing through per-blade weights expanded with ``repeat_interleave``,
  the bias embedded into a zero multivector, the normalisation of the right factor by
  per-grade quadratic forms each taken through its slice of the Cayley tensor, and the
  masked, thrice ``repeat_interleave``-d weighted Cayley tensor in the product einsum.

Each configuration runs in a fresh process; peak memory is the growth of the process'
max RSS over the timed steps. ``torch.einsum`` orders multi-operand contractions well only
when ``opt_einsum`` is installed (the references are 2-13x slower without it); the header
says which.

    python benchmarks/bench_cgenn.py [--batch 4096] [--channels 16] [--no-compile] [--interleaved [--memory]]

``--interleaved`` times the four candidates (CGENN reference and symgen, eager and
compiled) in one process per row, in rounds that step each once, so that the box's load
hits all alike; ratios from it are the ones to quote on a shared machine. ``--memory`` adds
each candidate's tensor-level peak over one step (:func:`peak_mib`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys

import torch

from symgen import CliffordAlgebra
from symgen.algebra.clifford.grade_paths import grade_paths
from symgen.nn import FullyConnectedGeometricProductLayer, GeometricProductLayer
from symgen.nn.clifford import CliffordModule
from symgen.timing import interleaved_medians, median_time

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


class CGENNAlgebra:
    """The tensors CGENN's layers read from its algebra object: the Cayley tensor in its
    (left, out, right) layout, blades per grade, and the grade-path mask."""

    def __init__(self, alg):
        self.dim, self.n_grades = alg.dim, alg.n + 1
        self.cayley = torch.zeros(alg.dim, alg.dim, alg.dim)
        for k, i, j, coeff in alg.bilinear_ir("geometric_product").terms:
            self.cayley[i, k, j] = float(coeff)
        self.subspaces = torch.tensor([alg.grades.count(g) for g in range(self.n_grades)])
        grades = torch.tensor(alg.grades)
        self.grade_index = [torch.nonzero(grades == g).flatten() for g in range(self.n_grades)]
        self.beta_signs = (-1.0) ** (grades * (grades - 1) // 2)
        self.paths = torch.zeros(self.n_grades, self.n_grades, self.n_grades, dtype=torch.bool)
        for r, t, s in itertools.product(range(self.n_grades), repeat=3):
            block = self.cayley[self.grade_index[r]][:, self.grade_index[t]][:, :, self.grade_index[s]]
            self.paths[r, t, s] = bool((block != 0).any())

    def grade_norms(self, x):
        """Per-grade smooth norms: q_g(x) = <β(x_g) x_g>_0 through the Cayley slice."""
        out = []
        for idx in self.grade_index:
            xg = x[..., idx]
            c = self.cayley[idx[:, None, None], torch.tensor([0])[:, None], idx]
            q = torch.einsum("...i,ijk,...k->...j", self.beta_signs[idx] * xg.clone(), c, xg)
            out.append((q ** 2 + 1e-16) ** 0.25)
        return torch.cat(out, dim=-1)


class CGENNLinear(torch.nn.Module):
    def __init__(self, ca, cin, cout, bias):
        super().__init__()
        self.ca = ca
        self.weight = torch.nn.Parameter(torch.randn(cout, cin, ca.n_grades) / cin ** 0.5)
        self.bias = torch.nn.Parameter(torch.zeros(1, cout, 1)) if bias else None

    def forward(self, x):
        w = self.weight.repeat_interleave(self.ca.subspaces, dim=-1)
        y = torch.einsum("bm...i, nmi->bn...i", x, w)
        if self.bias is not None:
            mv = torch.zeros(*self.bias.shape[:-1], self.ca.dim, dtype=y.dtype)
            mv[..., (0,)] = self.bias
            y += mv
        return y


class CGENNNormalization(torch.nn.Module):
    def __init__(self, ca, channels):
        super().__init__()
        self.ca = ca
        self.a = torch.nn.Parameter(torch.zeros(channels, ca.n_grades))

    def forward(self, x):
        s_a = torch.sigmoid(self.a)
        norms = s_a * (self.ca.grade_norms(x) - 1) + 1
        return x / (norms.repeat_interleave(self.ca.subspaces, dim=-1) + 1e-6)


class CGENNLayer(torch.nn.Module):
    """CGENN's steerable (``cout=None``) or fully connected geometric-product layer."""

    def __init__(self, alg, cin, cout=None):
        super().__init__()
        self.ca = ca = CGENNAlgebra(alg)
        self.fc = cout is not None
        cout = cin if cout is None else cout
        self.channels = (cout, cin) if self.fc else (cin,)
        self.right = CGENNLinear(ca, cin, cin, bias=False)
        self.left = CGENNLinear(ca, cin, cout, bias=True)
        self.norm = CGENNNormalization(ca, cin)
        self.weight = torch.nn.Parameter(torch.randn(*self.channels, int(ca.paths.sum())) / ca.dim)

    def _weighted_cayley(self):
        w = torch.zeros(*self.channels, *self.ca.paths.shape, dtype=self.weight.dtype)
        w[..., self.ca.paths] = self.weight
        for axis in (-3, -2, -1):
            w = w.repeat_interleave(self.ca.subspaces, dim=axis)
        return self.ca.cayley * w

    def forward(self, x):
        right = self.norm(self.right(x))
        spec = "bni, mnijk, bnk -> bmj" if self.fc else "bni, nijk, bnk -> bnj"
        return (self.left(x) + torch.einsum(spec, x, self._weighted_cayley(), right)) / 2 ** 0.5


def prepare_numba(layer) -> None:
    """Compile the (blade-major) Numba kernels a symgen layer runs in eager mode, and the
    channel-mixing kernels it runs eager and compiled, so that no timed step runs the torch
    fallback while they compile in the background."""
    for module in layer.modules():
        if isinstance(module, CliffordModule):
            for name, op in module.kernels.items():
                if op.ir.arity > 1:
                    op.prepare("mixing" if name == "mixing" else "blade_major")


def make_layer(config: dict, alg, impl: str):
    c = config["channels"]
    return {("steerable", "symgen"): lambda: GeometricProductLayer(alg, c),
            ("steerable", "dense"): lambda: DenseSteerable(alg, c),
            ("fc", "symgen"): lambda: FullyConnectedGeometricProductLayer(alg, c, c),
            ("fc", "dense"): lambda: DenseFullyConnected(alg, c, c),
            ("steerable", "cgenn"): lambda: CGENNLayer(alg, c),
            ("fc", "cgenn"): lambda: CGENNLayer(alg, c, c)}[(config["layer"], impl)]()


def run_one(config: dict) -> dict:
    torch.manual_seed(0)
    alg = CliffordAlgebra.from_signature(*ALGEBRAS[config["alg"]])
    layer = make_layer(config, alg, config["impl"])
    if config["impl"] != "cgenn":
        prepare_numba(layer)
    if config["compile"]:
        layer = torch.compile(layer, fullgraph=True)
    x = torch.randn(config["batch"], config["channels"], alg.dim, requires_grad=True)

    def step():
        layer(x).square().mean().backward()

    step()
    step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = median_time(step, repeats=config["repeats"], warmup=0)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mib": (after - before) / 1024, "rss_mib": after / 1024}


def peak_mib(step) -> float:
    """Tensor-level peak of one step: the largest total of live tensor bytes the CPU
    allocator holds during ``step()`` beyond what it held when the step began (torch.profiler
    ``profile_memory``: every allocation and free with the allocator's running total, for
    eager and compiled code alike; autograd's saved tensors included). Scratch arrays
    Numba kernels allocate internally are not counted (< 0.3 MiB here)."""
    import os
    import tempfile

    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        prof.export_chrome_trace(path)
        with open(path) as f:
            events = [e["args"] for e in json.load(f)["traceEvents"] if e.get("name") == "[memory]"]
    finally:
        os.unlink(path)
    if not events:
        return 0.0
    start = events[0]["Total Allocated"] - events[0]["Bytes"]
    return (max(e["Total Allocated"] for e in events) - start) / 2 ** 20


def run_interleaved(config: dict) -> dict:
    """One process, one (layer, algebra): the CGENN reference and symgen, each eager and
    compiled, timed in rounds that step every candidate once (median over rounds)."""
    torch.manual_seed(0)
    alg = CliffordAlgebra.from_signature(*ALGEBRAS[config["alg"]])
    x = torch.randn(config["batch"], config["channels"], alg.dim, requires_grad=True)
    steps = {}
    for impl in ("cgenn", "symgen"):
        for compiled in (False, True):
            layer = make_layer(config, alg, impl)
            if impl == "symgen":
                prepare_numba(layer)
            if compiled:
                layer = torch.compile(layer, fullgraph=True)
            steps[(impl, compiled)] = (lambda lay: lambda: lay(x).square().mean().backward())(layer)
    out = {f"{impl}{'_compiled' * c}": t for (impl, c), t in
           interleaved_medians(steps, repeats=config["repeats"], warmup=2).items()}
    if config.get("memory"):
        out.update({f"{impl}{'_compiled' * c}_mib": peak_mib(step) for (impl, c), step in steps.items()})
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument("--interleaved", action="store_true",
                        help="time the CGENN reference and symgen, eager and compiled, interleaved "
                             "in one process per row (no memory columns)")
    parser.add_argument("--rows", nargs="*", help="with --interleaved: only these rows, e.g. fc:Cl(3,0)")
    parser.add_argument("--memory", action="store_true",
                        help="with --interleaved: also the tensor-level peak memory of one step (MiB, "
                             "torch.profiler's allocator total; see peak_mib)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        config = json.loads(args.one)
        print(json.dumps(run_interleaved(config) if config.get("interleaved") else run_one(config)))
        return
    if args.interleaved:
        print(f"fwd+bwd, batch {args.batch} x {args.channels} channels, float32, {torch.get_num_threads()} "
              f"threads, median of {args.repeats} interleaved rounds; ms per step; opt_einsum "
              f"{'on' if torch.backends.opt_einsum.is_available() else 'off'}; ratios = reference / symgen")
        print(f"{'layer':10} {'algebra':8} {'CGENN':>7} {'CGENN cp':>8} {'symgen':>7} {'sg cp':>7} | "
              f"{'CGENN/sg':>8} {'CGENN/sg cp':>11} {'CGENN cp/sg cp':>14}"
              + (" | peak MiB: CGENN / sg, CGENN cp / sg cp" if args.memory else ""))
        for layer in ("steerable", "fc"):
            for name in ALGEBRAS:
                if args.rows and f"{layer}:{name}" not in args.rows:
                    continue
                cfg = dict(alg=name, layer=layer, batch=args.batch, channels=args.channels,
                           repeats=args.repeats, interleaved=True, memory=args.memory)
                out = subprocess.run([sys.executable, __file__, "--one", json.dumps(cfg)],
                                     capture_output=True, text=True, check=True).stdout
                t = json.loads(out.strip().splitlines()[-1])
                print(f"{layer:10} {name:8} {1e3 * t['cgenn']:7.1f} {1e3 * t['cgenn_compiled']:8.1f} "
                      f"{1e3 * t['symgen']:7.1f} {1e3 * t['symgen_compiled']:7.1f} | "
                      f"{t['cgenn'] / t['symgen']:7.1f}x {t['cgenn'] / t['symgen_compiled']:10.1f}x "
                      f"{t['cgenn_compiled'] / t['symgen_compiled']:13.1f}x"
                      + (f" | {t['cgenn_mib']:6.1f} / {t['symgen_mib']:5.1f}, {t['cgenn_compiled_mib']:6.1f} / "
                         f"{t['symgen_compiled_mib']:5.1f}" if args.memory else ""), flush=True)
        return
    print(f"fwd+bwd, batch {args.batch} x {args.channels} channels, float32, {torch.get_num_threads()} "
          f"threads, median of {args.repeats}; ms per step; speed-up = reference / symgen; "
          f"MiB = max-RSS growth during the timed steps (process max RSS); "
          f"opt_einsum {'on' if torch.backends.opt_einsum.is_available() else 'off (pip install opt_einsum)'}")
    print(f"{'layer':10} {'algebra':8} {'CGENN':>7} {'dense':>7} {'symgen':>7} {'compiled':>8} | "
          f"{'CGENN/sg':>8} {'dense/sg':>8} {'CGENN/cp':>8} {'dense/cp':>8} | MiB CGENN / dense / symgen")
    impls = [("cgenn", False), ("dense", False), ("symgen", False)] + ([] if args.no_compile else [("symgen", True)])
    for layer in ("steerable", "fc"):
        for name in ALGEBRAS:
            res = {}
            for impl, comp in impls:
                cfg = dict(alg=name, layer=layer, impl=impl, compile=comp, batch=args.batch,
                           channels=args.channels, repeats=args.repeats)
                out = subprocess.run([sys.executable, __file__, "--one", json.dumps(cfg)],
                                     capture_output=True, text=True, check=True).stdout
                res[(impl, comp)] = json.loads(out.strip().splitlines()[-1])
            t = {key: r["seconds"] for key, r in res.items()}
            cg, d, sg = t[("cgenn", False)], t[("dense", False)], t[("symgen", False)]
            cp = t.get(("symgen", True), float("nan"))
            mem = " / ".join(f"{res[(i, False)]['peak_mib']:.0f} ({res[(i, False)]['rss_mib']:.0f})"
                             for i in ("cgenn", "dense", "symgen"))
            print(f"{layer:10} {name:8} {1e3 * cg:7.1f} {1e3 * d:7.1f} {1e3 * sg:7.1f} {1e3 * cp:8.1f} | "
                  f"{cg / sg:7.1f}x {d / sg:7.1f}x {cg / cp:7.1f}x {d / cp:7.1f}x | {mem}")


if __name__ == "__main__":
    main()
