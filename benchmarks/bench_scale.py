"""Scale: wide EMLPs on structured bases, and groups declared by their generators vs named.

Part ``models``: ``EMLP(2V → V⁰, hidden=uniform_rep(CH), depth=D)`` per group, each in a
fresh process: build time, peak RSS growth during the build, float32 forward and
forward+backward (batch B, one thread, median of R), and the bytes the dense
``(k, n_out, n_in)`` float64 bases of its linear layers would take. With ``--emlp PYTHON``
(a Python with ``emlp`` installed, e.g. a venv under /tmp), EMLP's own objax model of the
same shape runs in its own process (JIT-compiled, XLA on one thread) beside it.

Part ``rubik``: symgen has no named Rubik's cube group; here it is declared as a user would,
by its six quarter turns as permutation matrices of the 48 moving facelets (derived below
from the cube's geometry; order 43 252 003 274 489 856 000): one hidden
``EquivariantLinear(uniform_rep(CH) → + gates)``, the whole ``EMLP(2V → V⁰, hidden=CH,
depth=D)`` with its default bilinear layer (``ContractionBilinear``), with ``bilinear="full"``
(bilinear paths of four legs on orbit bases) and with ``bilinear="full", max_legs=3`` (no
four-leg paths), and the default model on EMLP's own ``uniform_rep(CH)`` of this group
(``144V⁰+3V`` at 256: EMLP's heuristic puts no V² in it), each in a fresh process; with
``--emlp``, EMLP's own model on its ``RubiksCube()`` beside them; with ``--baseline DIR`` (an
older symgen source tree, e.g. ``git archive <commit> | tar -x -C DIR``), the rows that tree can
build, run on it in the same run.

Part ``user``: a group declared by its generators (a ``MatrixGroup`` with the named
group's generators) against the named group, both in one fresh process per group, interleaved
(each goes first in half of ``--rounds`` rounds; a first warm-up round is dropped): the
declaration, the float64 bases of V²→V² and V³→V³, the exact basis of V²→V² and the EMLP build,
each call on a freshly made group (its cache empty: every derived object is rebuilt); min and
median. What stays warm across calls is process-level and shared by both sides alike: the
compiled ρ kernels (keyed by IR), SymPy's own cache, imported modules.

    OMP_NUM_THREADS=1 python benchmarks/bench_scale.py [--parts models user rubik] [--channels 256]
        [--depth 3] [--batch 256] [--repeats 5] [--rounds 15] [--emlp /tmp/emlp-venv/bin/python]
        [--baseline DIR] [--timeout 600]
"""

from __future__ import annotations

import argparse
import sys

from symgen.timing import fresh_process, run_header

MODEL_GROUPS = {  # name: (symgen expression, EMLP expression)
    "SO(3)": ("groups.SO(3)", "SO(3)"),
    "O(1,3)": ("groups.O(1, 3)", "O13()"),
    "S(5)": ("groups.S(5)", "S(5)"),
    "S(6)": ("groups.S(6)", "S(6)"),
}
USER_GROUPS = {  # name: named-group expression (the user declares a MatrixGroup with its generators)
    "Sp(4)": "groups.Sp(4)",
    "SO(1,2)": "groups.SO(1, 2)",
    "D(6)": "groups.D(6)",
}

MODEL_CHILD = """
import json, resource, sys, time, warnings
import torch
from symgen import groups, reps
from symgen.nn import EMLP, EquivariantLinear
from symgen.timing import median_time
warnings.simplefilter("ignore")
torch.set_num_threads(1)
ch, depth, batch, repeats = {ch}, {depth}, {batch}, {repeats}
G = {group}
V = reps.V(G)
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
base = rss()
t = time.perf_counter()
model = EMLP(2 * V, reps.Scalar(G), hidden=ch, depth=depth)
build = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base
layers = [m for m in model.modules() if isinstance(m, EquivariantLinear)]
dense = sum(8 * len(m.weight) * m.rep_in.size * m.rep_out.size for m in layers)
x = torch.randn(batch, (2 * V).size)
fwd = median_time(lambda: model(x), repeats=repeats)
step = median_time(lambda: model(x).sum().backward(), repeats=repeats)
print(json.dumps(dict(build=build, peak=peak, fwd=fwd, step=step, dense=dense, hidden=repr(model.hidden),
                      size=model.hidden.size, params=sum(p.numel() for p in model.parameters()),
                      strategies=sorted({{m.strategy for m in layers}}))))
"""

EMLP_CHILD = """
import functools, json, resource, time
import numpy as np
import jax, objax
import emlp.nn.objax as enn
import emlp.reps.representation as emlp_rep
from emlp.groups import SO, O13, S, RubiksCube
from emlp.reps import V, Scalar
emlp_rep.tqdm = functools.partial(emlp_rep.tqdm, disable=True)   # its bar crashes under numpy 2
ch, depth, batch, repeats = {ch}, {depth}, {batch}, {repeats}
G = {group}
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
base = rss()
t = time.perf_counter()
model = enn.EMLP(2 * V, Scalar, G, ch=ch, num_layers=depth)
build = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base
x = jax.numpy.asarray(np.random.default_rng(0).normal(size=(batch, 2 * G.d)), dtype=jax.numpy.float32)
gv = objax.GradValues(lambda x: model(x).sum(), model.vars())
runs = dict(fwd=objax.Jit(lambda x: model(x), model.vars()), step=objax.Jit(lambda x: gv(x), gv.vars()))
out = dict(build=build, peak=peak, params=int(sum(v.value.size for v in model.vars().values())))
for name, f in runs.items():
    jax.block_until_ready(f(x))      # compile
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); jax.block_until_ready(f(x)); ts.append(time.perf_counter() - t)
    out[name] = float(np.median(ts))
print(json.dumps(out))
"""

RUBIK_CHILD = """
import itertools, json, resource, time, warnings
import numpy as np, sympy, torch
from symgen import groups, reps
from symgen.nn import EMLP, EquivariantLinear
from symgen.nn.groups.emlp import uniform_rep
from symgen.timing import median_time
from symgen.errors import CertificationWarning
warnings.simplefilter("error", CertificationWarning)     # 4.3e19 elements: certified by orbit counts
torch.set_num_threads(1)
axes = [np.eye(3, dtype=int)[i] * s for i in range(3) for s in (1, -1)]
# a facelet: (cubie position p in {{-1,0,1}}³, outward normal n), p·n = 1; centres (p = n) never move
facelets = [(p, n) for n in axes for p in itertools.product((-1, 0, 1), repeat=3)
            if np.dot(p, n) == 1 and np.abs(p).sum() > 1]
index = {{(tuple(p), tuple(n)): q for q, (p, n) in enumerate(facelets)}}
gens = []
for f in axes:                      # a quarter turn of the layer p·f = 1 about f
    i = int(np.flatnonzero(f)[0]); j, k = [a for a in range(3) if a != i]
    R = np.eye(3, dtype=int); R[[j, k], :] = 0; R[j, k], R[k, j] = -f[i], f[i]
    m = sympy.zeros(48, 48)
    for q, (p, n) in enumerate(facelets):
        p, n = np.array(p), np.array(n)
        m[index[(tuple(R @ p), tuple(R @ n))] if p @ f == 1 else q, q] = 1
    gens.append(m)
G = groups.MatrixGroup(discrete_generators=gens)
V = reps.V(G)
H = uniform_rep(G, {ch})
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
out = dict(hidden=repr(H), size=H.size)
if "{what}" == "layer":
    base = rss()
    t = time.perf_counter()
    model = EquivariantLinear(H, H + 2 * reps.Scalar(G))
    out["k"], out["dense"] = len(model.weight), 8 * len(model.weight) * H.size * (H.size + 2)
    x = torch.randn({batch}, H.size)
else:
    hidden = 144 * reps.Scalar(G) + 3 * V if "{what}" == "emlp-hidden" else {ch}
    base = rss()
    t = time.perf_counter()
    model = EMLP(2 * V, reps.Scalar(G), hidden=hidden, depth={depth}, **{kwargs})
    out["params"] = sum(p.numel() for p in model.parameters())
    out["hidden"], out["size"] = repr(model.hidden), model.hidden.size
    x = torch.randn({batch}, (2 * V).size)
out["build"] = time.perf_counter() - t
out["peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base
out["fwd"] = median_time(lambda: model(x), repeats={repeats})
out["step"] = median_time(lambda: model(x).sum().backward(), repeats={repeats})
print(json.dumps(out))
"""

USER_CHILD = """
import json, statistics, time, warnings
from symgen import groups, reps
from symgen.errors import CertificationWarning
from symgen.nn import EMLP
warnings.simplefilter("error", CertificationWarning)       # every basis below is certified
named = {named}
gens = named.lie_generators, named.discrete_generators         # what the user writes down
makers = dict(named=lambda: {named},
              user=lambda: groups.MatrixGroup(lie_generators=gens[0], discrete_generators=gens[1]))
tasks = dict(declare=None,
             basis2=lambda V: reps.equivariant_basis(V ** 2, V ** 2),
             basis3=lambda V: reps.equivariant_basis(V ** 3, V ** 3),
             exact2=lambda V: reps.equivariant_basis(V ** 2, V ** 2, exact=True),
             emlp=lambda V: EMLP(2 * V, reps.Scalar(V.G), hidden={ch}, depth={depth}))
times = {{(who, task): [] for who in makers for task in tasks}}
counts = {{}}
for r in range({rounds} + 1):                  # round 0 warms the process-level caches of both; dropped
    for task, call in tasks.items():
        for who in (("named", "user") if r % 2 else ("user", "named")):   # each goes first in half the rounds
            t = time.perf_counter(); G = makers[who](); declare = time.perf_counter() - t
            if call is None:
                elapsed = declare
            else:                                   # a fresh group: its cache is empty
                V = reps.V(G)
                t = time.perf_counter(); out = call(V); elapsed = time.perf_counter() - t
                counts[(who, task)] = len(out) if isinstance(out, list) or hasattr(out, "shape") else None
            if r:
                times[(who, task)].append(elapsed)
print(json.dumps({{f"{{who}} {{task}}": dict(min=min(ts), median=statistics.median(ts), k=counts.get((who, task)))
                  for (who, task), ts in times.items()}}))
"""


def child(python, code, timeout, env=None):
    """One measurement in a fresh process, JAX on one CPU thread too (for EMLP)."""
    return fresh_process(code, python, timeout, {"JAX_PLATFORMS": "cpu", "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false "
                                                 "intra_op_parallelism_threads=1", **(env or {})})


def mb(n):
    return f"{n / 2 ** 20:.0f} MB" if n < 2 ** 30 else f"{n / 2 ** 30:.1f} GB"


def models(args):
    print(f"\n## EMLP(2V → V⁰, hidden={args.channels}, depth={args.depth}); batch {args.batch}, float32, "
          f"1 thread, median of {args.repeats}")
    print("| group | hidden (size) | params | strategies | build | peak RSS growth | dense bases would be "
          "| fwd | fwd+bwd | EMLP params | EMLP build | EMLP peak | EMLP fwd | EMLP fwd+bwd | EMLP/symgen fwd+bwd |")
    print("|---" * 15 + "|")
    for name, (expr, emlp_expr) in MODEL_GROUPS.items():
        spec = dict(ch=args.channels, depth=args.depth, batch=args.batch, repeats=args.repeats)
        r = child(sys.executable, MODEL_CHILD.format(group=expr, **spec), args.timeout)
        if "error" in r:
            print(f"| {name} | failed: {r['error']} |", flush=True)
            continue
        e = child(args.emlp, EMLP_CHILD.format(group=emlp_expr, **spec), args.timeout) if args.emlp else \
            {"error": "not run"}
        cells = (["failed: " + e["error"], "", "", "", "", ""] if "error" in e else
                 [str(e["params"]), f"{e['build']:.1f} s", mb(e["peak"]), f"{e['fwd'] * 1e3:.1f} ms", f"{e['step'] * 1e3:.1f} ms",
                  f"{e['step'] / r['step']:.2f}×"])
        print(f"| {name} | {r['hidden']} ({r['size']}) | {r['params']} | {','.join(r['strategies'])} "
              f"| {r['build']:.2f} s | {mb(r['peak'])} | {mb(r['dense'])} | {r['fwd'] * 1e3:.1f} ms "
              f"| {r['step'] * 1e3:.1f} ms | " + " | ".join(cells) + " |", flush=True)


def user(args):
    print(f"\n## declared by its generators (user) vs named: one process per group, the two interleaved "
          f"(each first in half of {args.rounds} rounds, after a dropped warm-up round), a fresh group for every "
          f"call (its cache empty); min / median in ms, ratio user/named of each; EMLP: hidden {args.channels}, "
          f"depth {args.depth}")
    tasks = (("declare", "declare"), ("basis2", "f64 V²→V²"), ("basis3", "f64 V³→V³"),
             ("exact2", "exact V²→V²"), ("emlp", "EMLP build"))
    print("| group | " + " | ".join(label for _, label in tasks) + " |")
    print("|---" * (len(tasks) + 1) + "|")
    for name, expr in USER_GROUPS.items():
        r = child(sys.executable, USER_CHILD.format(named=expr, ch=args.channels, depth=args.depth,
                                                    rounds=args.rounds), args.timeout)
        if "error" in r:
            print(f"| {name} | failed: {r['error']} |", flush=True)
            continue
        for who in ("named", "user"):
            cells = [f"{r[f'{who} {t}']['min'] * 1e3:.2f} / {r[f'{who} {t}']['median'] * 1e3:.2f}" for t, _ in tasks]
            print(f"| {name} {who} | " + " | ".join(cells) + " |")
        ratios = [f"{r[f'user {t}']['min'] / r[f'named {t}']['min']:.2f}× / "
                  f"{r[f'user {t}']['median'] / r[f'named {t}']['median']:.2f}×" for t, _ in tasks]
        print(f"| {name} user/named | " + " | ".join(ratios) + " |", flush=True)
        for t, label in tasks[1:4]:
            if r[f"user {t}"]["k"] != r[f"named {t}"]["k"]:
                print(f"| {name} | {label}: {r[f'user {t}']['k']} maps (user) but {r[f'named {t}']['k']} (named) |")


RUBIK_ROWS = (  # (row, what, EMLP keywords on this tree, on a baseline tree from before `bilinear=` or None)
    ("hidden EquivariantLinear", "layer", {}, {}),
    ("EMLP(2V → V⁰), default bilinear", "emlp", {}, None),
    ('EMLP(2V → V⁰), bilinear="full"', "emlp", {"bilinear": "full"}, {}),
    ('EMLP(2V → V⁰), bilinear="full", max_legs=3', "emlp", {"bilinear": "full", "max_legs": 3}, {"max_legs": 3}),
    ("EMLP(2V → V⁰) on EMLP's hidden 144V⁰+3V, default bilinear", "emlp-hidden", {}, None),
)


def rubik(args):
    print(f"\n## Rubik's cube group declared by its 6 quarter turns (48×48 permutation matrices), "
          f"uniform_rep({args.channels}), depth {args.depth}; batch {args.batch}, float32, 1 thread, "
          f"median of {args.repeats}")
    spec = dict(ch=args.channels, depth=args.depth, batch=args.batch, repeats=args.repeats)
    e = {"error": "not run"}
    if args.emlp:
        e = child(args.emlp, EMLP_CHILD.format(group="RubiksCube()", **spec), args.timeout)
    print("| tree | model | hidden (size) | maps / params | build | peak RSS growth | dense basis would be | fwd "
          "| fwd+bwd | EMLP fwd+bwd / this |\n|---|---|---|---|---|---|---|---|---|---|")
    trees = [("this", None)] + ([("baseline", args.baseline)] if args.baseline else [])
    for tree, path in trees:
        env = {"PYTHONPATH": path} if path else None
        for name, what, kwargs, base_kwargs in RUBIK_ROWS:
            kwargs = kwargs if path is None else base_kwargs
            if kwargs is None:
                continue
            r = child(sys.executable, RUBIK_CHILD.format(what=what, kwargs=kwargs, **spec), args.timeout, env)
            if "error" in r:
                print(f"| {tree} | {name} | failed: {r['error']} |", flush=True)
                continue
            ratio = f"{e['step'] / r['step']:.2f}×" if "error" not in e and what != "layer" else ""
            print(f"| {tree} | {name} | {r['hidden']} ({r['size']}) | {r.get('k', r.get('params'))} "
                  f"| {r['build']:.1f} s | {mb(r['peak'])} | {mb(r['dense']) if 'dense' in r else ''} "
                  f"| {r['fwd'] * 1e3:.0f} ms | {r['step'] * 1e3:.0f} ms | {ratio} |", flush=True)
    if "error" in e:
        print(f"| EMLP | EMLP's EMLP | {e['error']} |")
    else:
        print(f"| EMLP 1.0.3 | EMLP's EMLP | its uniform_rep({args.channels}) | {e['params']} | {e['build']:.1f} s "
              f"| {mb(e['peak'])} | | {e['fwd'] * 1e3:.0f} ms | {e['step'] * 1e3:.0f} ms | 1× |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="*", default=["models", "user", "rubik"], choices=["models", "user", "rubik"])
    parser.add_argument("--channels", type=int, default=256)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds of the user part")
    parser.add_argument("--emlp", default=None, help="a Python interpreter with emlp (objax) installed")
    parser.add_argument("--baseline", default=None, help="an older symgen source tree: the rubik rows it can build")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    print(run_header("bench_scale"))
    for part in args.parts:
        {"models": models, "user": user, "rubik": rubik}[part](args)


if __name__ == "__main__":
    main()
