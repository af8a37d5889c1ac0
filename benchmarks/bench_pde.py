"""Time from a PDE string to its Lie point symmetries, each case's first call in a fresh
process (SymPy's cache cold), over the literature list of
``tests/algebra/pde/test_literature.py``; then the throughput of the generated
LieAugmentation against a hand-written LPSDA-style one. ``--classification`` times
instead the group classifications of ``tests/algebra/pde/test_classification.py`` (first
call, fresh process) with the cases found.

    python benchmarks/bench_pde.py [--repeats 3] [--only EQUATION ...] [--skip-augmentation] [--timeout 120]
    python benchmarks/bench_pde.py --classification

Run it with ``PYTHONPATH=<checkout>`` to time another checkout (e.g. the ansatz solver
before the differential-elimination one); a case that raises prints its error. Wall time
and the child process's CPU time are both shown: on a shared box the CPU time is the
steadier number.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import runpy
import statistics
import subprocess
import sys
import tempfile

import torch

from symgen.nn import LieAugmentation
from symgen.pde import PDE
from symgen.timing import interleaved_medians

ROOT = pathlib.Path(__file__).resolve().parents[1]
REFERENCE = ("u_t = u_xx", "u_t + u*u_x = u_xx", "u_t + u*u_x + u_xxx", "u_tt = u_xx")

_CHILD = """
import json, sys, time
from symgen.pde import PDE
eq = PDE(sys.argv[1])
w, c = time.perf_counter(), time.process_time()
try:
    sym = eq.symmetries()
    out = {"dim": sym.dimension, "infinite": sym.infinite}
except Exception as exc:
    out = {"error": f"{type(exc).__name__}: {str(exc)[:60]}"}
out.update(wall=time.perf_counter() - w, cpu=time.process_time() - c)
print(json.dumps(out))
"""


def fresh(text, timeout=120.0):
    """The first ``symmetries()`` call in a new Python process: {dim, infinite, wall, cpu}."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    try:
        # cwd outside any checkout: ``python -c`` puts the cwd first on sys.path
        done = subprocess.run([sys.executable, "-c", _CHILD, text], capture_output=True, text=True,
                              timeout=timeout, env=env, cwd=tempfile.gettempdir())
    except subprocess.TimeoutExpired:
        return {"error": f"timeout {timeout:.0f} s", "wall": timeout, "cpu": math.nan}
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1][:60], "wall": math.nan, "cpu": math.nan}
    return json.loads(done.stdout.strip().splitlines()[-1])


_CLASSIFY = """
import json, sys, time
from symgen.pde import group_classification
w, c = time.perf_counter(), time.process_time()
table = group_classification(sys.argv[1], sys.argv[2])
rows = [f"{c.value}: {'?' if c.dimension is None else c.dimension}{' + inf' if c.infinite else ''}" for c in table.cases]
print(json.dumps({"generic": table.generic.dimension, "cases": rows, "rejected": len(table.rejected),
                  "wall": time.perf_counter() - w, "cpu": time.process_time() - c}))
"""
CLASSIFICATIONS = (("u_t = (u**n*u_x)_x", "n"), ("u_tt = (u**n*u_x)_x", "n"), ("u_t = u_xx + f(u)", "f"))


def classification(timeout):
    """Each table of :data:`CLASSIFICATIONS`, first call in a fresh process."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    print(f"{'PDE':22} {'by':>3} {'generic':>7} {'cases':>5} {'rejected':>8} {'wall s':>7} {'cpu s':>6}   special cases")
    for text, name in CLASSIFICATIONS:
        done = subprocess.run([sys.executable, "-c", _CLASSIFY, text, name], capture_output=True, text=True,
                              timeout=timeout, env=env, cwd=tempfile.gettempdir())
        if done.returncode:
            print(f"{text:22} {name:>3} error: {done.stderr.strip().splitlines()[-1][:80]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        shown = "; ".join(r["cases"]) if len(r["cases"]) <= 3 else "; ".join(r["cases"][:3]) + "; ..."
        print(f"{text:22} {name:>3} {r['generic']:>7} {len(r['cases']):>5} {r['rejected']:>8} {r['wall']:7.2f} "
              f"{r['cpu']:6.2f}   {shown}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="equations to time (default: the literature list)")
    parser.add_argument("--skip-augmentation", action="store_true")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    parser.add_argument("--classification", action="store_true", help="time the group classifications only")
    args = parser.parse_args(argv)
    if args.classification:
        classification(args.timeout)
        return
    cases = runpy.run_path(str(ROOT / "tests/algebra/pde/test_literature.py"))["CASES"]
    if args.only:
        cases = [c for c in cases if c[0] in args.only]
    print(f"{'PDE':52} {'published':>9} {'computed':>9} {'wall s':>7} {'cpu s':>6}   (first call, fresh process)")
    walls, ok = [], 0
    for text, dim, infinite, _ in cases:
        r = fresh(text, args.timeout)
        published = f"{dim}{'+inf' if infinite else ''}"
        computed = r["error"] if "error" in r else f"{r['dim']}{'+inf' if r['infinite'] else ''}"
        ok += computed == published
        walls.append(r["wall"])
        print(f"{text[:52]:52} {published:>9} {computed[:40]:>9} {r['wall']:7.2f} {r['cpu']:6.2f}")
    finite = [w for w in walls if not math.isnan(w)]
    ref = [w for (text, *_), w in zip(cases, walls) if text in REFERENCE]
    print(f"\nagree with the literature: {ok}/{len(cases)}; wall median {statistics.median(finite):.2f} s, "
          f"max {max(finite):.2f} s, over 10 s: {sum(w > 10 for w in finite)}; "
          f"heat/Burgers/KdV/wave max {max(ref, default=math.nan):.2f} s")
    if not args.skip_augmentation:
        augmentation(args.repeats)


def lpsda_by_hand(u, t, x, eps):
    """KdV space shift then Galilean boost, written out as LPSDA does (the reference)."""
    k = 2 * math.pi * torch.fft.rfftfreq(x.shape[-1], d=float(x[1] - x[0]), dtype=u.dtype)
    shift = eps[:, 0, None, None] + eps[:, 1, None, None] * t[None, :, None]
    u = torch.fft.irfft(torch.fft.rfft(u, dim=-1) * torch.exp(-1j * k * shift), n=u.shape[-1], dim=-1)
    return u + eps[:, 1, None, None]


def augmentation(repeats):
    sym = PDE("u_t + u*u_x + u_xxx").symmetries()
    B, nt, nx = 64, 32, 256
    print(f"\nLieAugmentation, KdV space shift + Galilean boost, batch {B} x {nt} times x {nx} points")
    print(f"{'dtype':8} {'hand-written ms':>16} {'torch ms':>9} {'numba ms':>9} {'torch/hand':>11} {'max diff':>9}")
    for dtype in (torch.float32, torch.float64):
        spec = torch.randn(B, nt, nx // 4, dtype=torch.complex128)     # band-limited data
        u = torch.fft.irfft(spec, n=nx, dim=-1).to(dtype)
        t = torch.linspace(0, 1, nt, dtype=dtype)
        x = torch.arange(nx, dtype=dtype) * (2 * math.pi / nx)
        eps = torch.rand(B, 2, dtype=dtype)
        mods = {b: LieAugmentation(sym, generators=[1, 2], backend=b) for b in ("torch", "numba")}
        ref = lpsda_by_hand(u, t, x, eps)
        diff = float((mods["torch"](u, t, x, eps=eps)[0] - ref).abs().max())
        times = interleaved_medians({"hand": lambda: lpsda_by_hand(u, t, x, eps),
                                     **{b: (lambda m=m: m(u, t, x, eps=eps)) for b, m in mods.items()}},
                                    repeats * 10)
        hand, ours = times["hand"], times
        print(f"{str(dtype)[6:]:8} {hand * 1e3:16.2f} {ours['torch'] * 1e3:9.2f} {ours['numba'] * 1e3:9.2f} "
              f"{ours['torch'] / hand:11.2f} {diff:9.1e}")


if __name__ == "__main__":
    main()
