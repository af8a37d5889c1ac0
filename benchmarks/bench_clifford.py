"""Geometric product throughput: symgen vs a dense-Cayley einsum, kingdon and clifford.

Batch N = 100 000 (or the sizes given) full x full geometric products per algebra;
median of interleaved rounds (every candidate once per round), all measured in this one
run on the same inputs. "torch f32" is the default path of an eager CPU tensor. torch
keeps the thread count it starts with (``torch.compile`` would raise it). ``--cpu-time``
times by the CPU time of the calling thread instead of wall time (every candidate runs on
it, torch with one thread; on a shared machine other jobs then do not inflate the long
calls by preempting them). ``--rotate`` starts each round at the next candidate, so none
always follows the same one (numpy asks for huge pages for outputs from 4 MB, and the first
call after a peer that freed hundreds of MB can wait for the kernel to compact memory).
Also the first call in a fresh process
with a warm and a cold code cache.

    OMP_NUM_THREADS=1 python benchmarks/bench_clifford.py [--n 1000 10000 100000] [--repeats 7]
        [--no-first-call] [--cpu-time] [--rotate]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np
import torch

from symgen import CliffordAlgebra
from symgen.timing import interleaved_medians

SIGNATURES = {"Cl(3,0)": (3, 0, 0), "Cl(1,3)": (1, 3, 0), "Cl(3,0,1)": (3, 0, 1), "Cl(5,0)": (5, 0, 0)}




def dense_cayley(alg):
    """The (dim, dim, dim) Cayley tensor, as CGENN materialises it."""
    c = torch.zeros(alg.dim, alg.dim, alg.dim)
    for k, i, j, coeff in alg.bilinear_ir("geometric_product").terms:
        c[i, j, k] = float(coeff)
    return c


def kingdon_gp(alg, sig, a):
    from kingdon import Algebra
    p, q, r = sig
    kalg = Algebra(signature=[0] * r + [1] * p + [-1] * q)
    keys = tuple(sum(1 << i for i in b) for b in alg.blades)
    x = kalg.multivector(values=a.T.copy(), keys=keys)
    y = kalg.multivector(values=a[::-1].T.copy(), keys=keys)
    return lambda: kalg.gp(x, y)


def clifford_gp(sig, a):
    import clifford
    p, q, r = sig
    layout, _ = clifford.Cl(sig=[0] * r + [1] * p + [-1] * q)
    gmt = layout.gmt_func

    @numba.njit
    def loop(x, y, out):
        for t in range(x.shape[0]):
            out[t] = gmt(x[t], y[t])

    b = np.ascontiguousarray(a[::-1])
    out = np.empty_like(a)
    return lambda: loop(a, b, out)


def first_call(sig, cache, n=1000):
    """Seconds for (build algebra + first geometric product) in a fresh process."""
    code = (f"import time, numpy as np; t0 = time.perf_counter(); import symgen; t1 = time.perf_counter(); "
            f"alg = symgen.CliffordAlgebra.from_signature(*{sig}); "
            f"x = np.ones(({n}, alg.dim)); alg.geometric_product(x, x); t2 = time.perf_counter(); "
            f"print(t1 - t0, t2 - t1)")
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, SYMGEN_CACHE=cache),
                         capture_output=True, text=True, check=True).stdout
    return [float(v) for v in out.split()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100_000], help="batch sizes, one table each")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-first-call", action="store_true", help="skip the fresh-process timings")
    parser.add_argument("--cpu-time", action="store_true", help="time by the CPU time of this thread, not wall time")
    parser.add_argument("--rotate", action="store_true", help="start each round at the next candidate")
    args = parser.parse_args(argv)
    if args.cpu_time and torch.get_num_threads() != 1:
        parser.error("--cpu-time counts this thread only: run with OMP_NUM_THREADS=1")
    for n in args.n:
        table(n, args.repeats, time.thread_time if args.cpu_time else time.perf_counter, args.rotate)
    if not args.no_first_call:
        first_calls()


def table(n, repeats, clock, rotate):
    rng = np.random.default_rng(0)
    threads = torch.get_num_threads()
    print(f"N = {n}, median of {repeats} ({'CPU' if clock is time.thread_time else 'wall'} time"
          f"{', rotated rounds' if rotate else ''}); "
          f"torch {torch.__version__}, numba {numba.__version__}, "
          f"{os.cpu_count()} cores, torch threads {threads}, load {os.getloadavg()[0]:.2f}")
    header = (f"{'algebra':10} {'numba f64':>10} {'numba f32':>10} {'torch f32':>10} {'compiled':>10} "
              f"{'einsum f32':>10} {'kingdon':>10} {'clifford':>10} | {'einsum/best32':>13} "
              f"{'kingdon/nb64':>12} {'clifford/nb64':>13}")
    rows = []
    for name, sig in SIGNATURES.items():
        alg = CliffordAlgebra.from_signature(*sig)
        a64 = rng.standard_normal((n, alg.dim))
        b64 = np.ascontiguousarray(a64[::-1])
        a32, b32 = a64.astype(np.float32), b64.astype(np.float32)
        ta, tb = torch.from_numpy(a32), torch.from_numpy(b32)
        alg.prepare(["geometric_product"])
        alg.prepare(["geometric_product"], backend="numba")     # no call times a fallback
        compiled = torch.compile(alg.kernel("geometric_product", backend="torch").fn, fullgraph=True)
        compiled(ta, tb)
        torch.set_num_threads(threads)                          # inductor raises it
        cayley = dense_cayley(alg)
        t = interleaved_medians({
            "numba f64": lambda: alg.geometric_product(a64, b64),
            "numba f32": lambda: alg.geometric_product(a32, b32),
            "torch f32": lambda: alg.geometric_product(ta, tb),
            "compiled": lambda: compiled(ta, tb),
            "einsum f32": lambda: torch.einsum("...i,ijk,...j->...k", ta, cayley, tb),
            "kingdon": kingdon_gp(alg, sig, a64),
            "clifford": clifford_gp(sig, a64),
        }, repeats, clock=clock, rotate=rotate)
        ref = torch.einsum("...i,ijk,...j->...k", ta, cayley, tb).numpy()
        err = np.abs(alg.geometric_product(a32, b32) - ref).max()
        best32 = min(t["numba f32"], t["compiled"])
        rows.append(f"{name:10} " + " ".join(f"{1e3 * v:9.3f}m" for v in t.values())
                    + f" | {t['einsum f32'] / best32:12.1f}x {t['kingdon'] / t['numba f64']:11.1f}x "
                    f"{t['clifford'] / t['numba f64']:12.1f}x   (max |ours-einsum| {err:.1e})")
    print(header)
    print("\n".join(rows))
    print(f"load {os.getloadavg()[0]:.2f} at the end, torch threads {torch.get_num_threads()}")
    print("times in ms (m); ratios = peer time / symgen time (higher is better for symgen)")


def first_calls():
    print("\nfirst call in a fresh process (import symgen | build algebra + first gp on 1000 rows):")
    with tempfile.TemporaryDirectory() as cold:
        for name, sig in SIGNATURES.items():
            imp_c, call_c = first_call(sig, os.path.join(cold, name))
            imp_w, call_w = first_call(sig, os.path.join(cold, name))
            print(f"  {name:10} cold cache: import {imp_c:.2f} s + first call {call_c:.2f} s | "
                  f"warm cache: import {imp_w:.2f} s + first call {call_w:.3f} s")


if __name__ == "__main__":
    main()
