"""Time to an equivariant basis, its constraint error and certified dimension, vs EMLP.

For every case: declaring the group (symbolic closure checks included); declaring it
again and computing the float64 basis with its certificate (a fresh group object per
repeat, so no cached work is reused: this total is what the ratio uses); the same
with the exact SymPy basis; the worst constraint error over 32 sampled elements
and the Lie generators, and the certified dimension. EMLP (``pip install emlp``; it
pulls JAX and objax) runs each of its cases in a fresh subprocess, timing its first
``equivariant_basis()`` call there (after import); the ratio is EMLP time / symgen
time. EMLP 1.0.3 under numpy 2 crashes in its Krylov progress bar (float32 passed to
tqdm); the subprocess disables that bar, nothing else is patched.

    python benchmarks/bench_groups.py [--repeats 5] [--emlp quoted|all|none] [--layers]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from symgen import groups, reps
from symgen.algebra.groups import equivariance
from symgen.errors import CertificationError
from symgen.timing import median_time

CASES = {  # name: (group factory, tensor power, EMLP group expression)
    "SO(3) V²→V²": (lambda: groups.SO(3), 2, "SO(3)"),
    "SO(3) V³→V³": (lambda: groups.SO(3), 3, "SO(3)"),
    "SO(3) V⁴→V⁴": (lambda: groups.SO(3), 4, "SO(3)"),
    "O(1,3) V²→V²": (lambda: groups.O(1, 3), 2, "Lorentz()"),
    "S(5) V²→V²": (lambda: groups.S(5), 2, "S(5)"),
    "S(8) V²→V²": (lambda: groups.S(8), 2, "S(8)"),
    "S(10) V²→V²": (lambda: groups.S(10), 2, "S(10)"),
    "Sp(4) V²→V²": (lambda: groups.Sp(4), 2, "Sp(2)"),
    "SL(3) V²→V²": (lambda: groups.SL(3), 2, "SL(3)"),
    "SE(3) V²→V²": (lambda: groups.SE(3), 2, None),
}
QUOTED = {"SO(3) V⁴→V⁴": (128.0, 5e-6), "S(10) V²→V²": (26.0, None), "O(1,3) V²→V²": (5.8, None)}

EMLP_SNIPPET = """
import time, json, numpy as np
t0 = time.perf_counter()
from emlp.groups import SO, S, Lorentz, Sp, SL
from emlp.reps import V
import functools, emlp.reps.representation as emlp_rep
# EMLP's Krylov progress bar passes numpy float32 to tqdm, which crashes under numpy 2:
# silence that bar only (no numerics change)
emlp_rep.tqdm = functools.partial(emlp_rep.tqdm, disable=True)
G = {group}
R = V(G) ** {k} >> V(G) ** {k}
t1 = time.perf_counter()
Q = np.asarray(R.equivariant_basis())
t2 = time.perf_counter()
g = np.asarray(G.samples(8))
err = max(float(np.abs(np.asarray(R.rho(x) @ Q) - Q).max()) for x in g)  # lazy operator
print(json.dumps(dict(seconds=t2 - t1, import_seconds=t1 - t0, k=int(Q.shape[1]), err=err)))
"""


def run_emlp(name, timeout):
    _, k, expr = CASES[name]
    try:
        out = subprocess.run([sys.executable, "-W", "ignore", "-c", EMLP_SNIPPET.format(group=expr, k=k)],
                             capture_output=True, text=True, timeout=timeout,
                             env={**os.environ, "JAX_PLATFORMS": "cpu"})
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout} s"}
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_symgen(name, repeats):
    make, k, _ = CASES[name]
    t_group = median_time(make, repeats=repeats)

    def basis(exact=False):
        V = reps.V(make())
        return reps.equivariant_basis(V ** k, V ** k, exact=exact)

    # a fresh group per call (declaration included): no per-group cache is reused
    t_total = median_time(basis, repeats=repeats)
    t_exact = median_time(lambda: basis(exact=True), repeats=max(1, repeats // 2))
    G = make()
    V = reps.V(G)
    B = reps.equivariant_basis(V ** k, V ** k)
    try:
        certified = str(reps.certified_dimension(V ** k, V ** k))
    except CertificationError:     # no integration rule: the exact modular count
        certified = f"{equivariance.modular_dimension(V ** k, V ** k)} (mod p)"
    return dict(group=t_group, total=t_total, exact=t_exact, k=len(B), certified=certified,
                err=reps.constraint_error(B, V ** k, V ** k, n=32))


def bench_layers(repeats):
    """EquivariantLinear V^k → V^k, batch 1024, float32, one torch thread: forward+backward."""
    import torch

    from symgen.nn import EquivariantLinear

    torch.set_num_threads(1)
    print("\n| layer (batch 1024, f32, 1 thread) | weights | dense basis: fwd+bwd | generated sparse "
          "kernel: fwd+bwd | build kernel | torch.nn.Linear (unconstrained) |")
    print("|---" * 6 + "|")
    for name in ["SO(3) V²→V²", "SO(3) V⁴→V⁴", "O(1,3) V²→V²", "S(10) V²→V²"]:
        make, k, _ = CASES[name]
        V = reps.V(make())
        x = torch.randn(1024, (V ** k).size)
        cells = []
        for strategy in ("dense", "kernel"):
            t0 = time.perf_counter()
            layer = EquivariantLinear(V ** k, V ** k, strategy=strategy)
            build = time.perf_counter() - t0
            cells.append(median_time(lambda: layer(x).sum().backward(), repeats=repeats))
        plain = torch.nn.Linear(x.shape[1], x.shape[1])
        t_plain = median_time(lambda: plain(x).sum().backward(), repeats=repeats)
        print(f"| {name} | {len(layer.weight)} | {cells[0] * 1e3:.2f} ms | {cells[1] * 1e3:.2f} ms "
              f"| {build:.2f} s | {t_plain * 1e3:.2f} ms |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--emlp", choices=["quoted", "all", "none"], default="quoted",
                        help="which cases to also run with EMLP (default: the three quoted in issue 5)")
    parser.add_argument("--emlp-timeout", type=float, default=600)
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES), metavar="CASE",
                        help="subset of cases (default: all)")
    parser.add_argument("--layers", action="store_true",
                        help="also time EquivariantLinear forward+backward, dense vs generated kernel")
    args = parser.parse_args(argv)

    print(f"# bench_groups: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, numpy {np.__version__}")
    header = ("| case | k | certified | declare group | group + f64 basis + certificate | group + exact basis "
              "| max error "
              "| EMLP basis | EMLP err | EMLP / symgen |")
    print(header)
    print("|---" * 10 + "|")
    for name in args.cases:
        r = run_symgen(name, args.repeats)
        emlp_cell, err_cell, ratio = "not run", "", ""
        if args.emlp == "all" or (args.emlp == "quoted" and name in QUOTED):
            e = run_emlp(name, args.emlp_timeout)
            if "error" in e:
                emlp_cell = f"failed: {e['error']}"
            else:
                emlp_cell = f"{e['seconds']:.2f} s (measured)"
                err_cell = f"{e['err']:.1e}"
                ratio = f"{e['seconds'] / r['total']:.0f}×"
        if name in QUOTED:
            qt, qe = QUOTED[name]
            emlp_cell += f"; quoted {qt:g} s"
            ratio += f" (quoted: {qt / r['total']:.0f}×)"
        print(f"| {name} | {r['k']} | {r['certified']} | {r['group'] * 1e3:.1f} ms | {r['total'] * 1e3:.1f} ms "
              f"| {r['exact'] * 1e3:.1f} ms | {r['err']:.1e} | {emlp_cell} | {err_cell} | {ratio} |", flush=True)
    if args.layers:
        bench_layers(args.repeats)


if __name__ == "__main__":
    main()
