"""Grade-specialised kernels: vector sandwich by an even versor, bivector x vector.

For each algebra, N rows in float64 (numpy): symgen's grade-specialised call
(``alg.sandwich(R, x, grades=(even, 1))``, ``alg.geometric_product(B, v, grades=(2, 1))``)
against symgen's full-multivector kernels on the same values embedded in full multivectors
(the sandwich as two full geometric products ``(R x) R̃``, the kernel a full ``sandwich``
would need at least, and the public full ``alg.sandwich``), and against kingdon's
specialised path (``R >> x`` and ``B * x`` on multivectors holding only those blades, its
code generated for those keys, numpy arrays in its blade-major layout). The versors are
normalised (kingdon's ``>>`` assumes ``R R̃ = 1``; ours divides by ``<R R̃>_0``, or with
``unit=True`` assumes it too, the like-for-like column). All
timings are interleaved in one run (median over rounds), on the same inputs.

``--cpu-time`` times by the CPU time of the calling thread, where every candidate runs,
instead of wall time (on a shared machine other jobs then do not inflate the long calls by
preempting them).

``--profile`` adds, in the same rounds, where the graded call's time goes: "kernel", the
generated Numba kernel alone on a fresh output (``np.empty``, as the call allocates it: the
call minus the algebra's and the runtime's Python), and "floor", one streaming pass (Numba
loops that read every input float once and write every output float once, into a fresh
array) over the bytes the op moves: no kernel can be much faster, so ``kingdon / floor``
bounds the reachable ratio on this machine.

``--shuffle`` calls the candidates in a new (seeded) random order each round: with a fixed
cyclic order (also ``--rotate``) each candidate always runs right after the same one, and a
memory-bound call after a pass over its own inputs finds them in the caches.

    OMP_NUM_THREADS=1 python benchmarks/bench_grades.py [--n 100000] [--repeats 15] [--cpu-time] [--profile] [--shuffle]
"""

from __future__ import annotations

import argparse
import os
import time

import numba
import numpy as np
from kingdon import Algebra

from symgen import CliffordAlgebra
from symgen.algebra.clifford import graded
from symgen.codegen import runtime
from symgen.timing import interleaved_medians

SIGNATURES = {"Cl(3,0)": (3, 0, 0), "Cl(1,3)": (1, 3, 0), "Cl(3,0,1)": (3, 0, 1), "Cl(4,1)": (4, 1, 0)}


def unit_rotors(alg, n, rng):
    """``v1 v2 / sqrt(<v1 v2 (v1 v2)~>_0)`` for random vectors (rows with a positive norm)."""
    v = [np.zeros((2 * n, alg.dim)) for _ in range(2)]
    for x in v:
        x[:, alg.blade_indices(1)] = rng.standard_normal((2 * n, alg.n))
    w = alg.geometric_product(*v)
    norm = alg.norm_squared(w)
    keep = np.flatnonzero(norm > 0.1)[:n]
    return w[keep] / np.sqrt(norm[keep])[:, None]


@numba.njit(fastmath=True)
def _stream(a, b, out):
    """Read every float of ``a`` and ``b`` once, write every float of ``out`` once
    (vectorised loops over flat views)."""
    fa, fb, fo = a.reshape(a.size), b.reshape(b.size), out.reshape(out.size)
    s = 0.0
    for i in range(fa.size):
        s += fa[i]
    for i in range(fb.size):
        s += fb[i]
    for i in range(fo.size):
        fo[i] = s


def floor_pass(a, b, out_dim):
    """The memory floor of an op of ``a`` and ``b`` with ``out_dim`` outputs a row."""
    out = np.empty((len(a), out_dim), dtype=a.dtype)
    _stream(a, b, out)
    return out


def embed(alg, x, grades):
    full = np.zeros((len(x), alg.dim))
    full[:, alg.blade_indices(grades)] = x
    return full


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--cpu-time", action="store_true", help="time by the CPU time of this thread, not wall time")
    parser.add_argument("--rotate", action="store_true", help="start each round at the next candidate")
    parser.add_argument("--shuffle", action="store_true", help="a new random candidate order each round")
    parser.add_argument("--profile", action="store_true", help="add the kernel alone and the memory floor")
    args = parser.parse_args(argv)
    clock = time.thread_time if args.cpu_time else time.perf_counter
    rng = np.random.default_rng(0)
    print(f"N = {args.n} rows, float64, median of {args.repeats} interleaved rounds "
          f"({'CPU' if args.cpu_time else 'wall'} time{', rotated' if args.rotate else ''}"
          f"{', shuffled' if args.shuffle else ''}); "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, load {os.getloadavg()[0]:.2f}")
    extra = f" {'kernel':>9} {'floor':>9}" if args.profile else ""
    extra_ratio = f" {'kingdon/floor':>13}" if args.profile else ""
    print(f"{'algebra':10} {'op':13} {'graded':>9} {'unit':>9} {'full gp':>9} {'full pub':>9} {'kingdon':>9}{extra} | "
          f"{'full/graded':>11} {'pub/graded':>10} {'kingdon/graded':>14} {'kingdon/unit':>12}{extra_ratio}"
          f"   max |ours-kingdon|")
    for name, (p, q, r) in SIGNATURES.items():
        alg = CliffordAlgebra.from_signature(p, q, r)
        kalg = Algebra(signature=[0] * r + [1] * p + [-1] * q)
        even = tuple(range(0, alg.n + 1, 2))
        Rf = unit_rotors(alg, args.n, rng)
        R = np.ascontiguousarray(Rf[:, alg.blade_indices(even)])
        x = rng.standard_normal((args.n, alg.n))
        B = rng.standard_normal((args.n, len(alg.blade_indices(2))))
        xf, Bf, Rrev = embed(alg, x, 1), embed(alg, B, 2), alg.reverse(Rf)
        alg.prepare(["geometric_product"], backend="numba")
        alg.prepare(["sandwich"], backend="numba", grades=(even, 1))
        alg.prepare(["geometric_product"], backend="numba", grades=(2, 1))
        alg.prepare(["reverse", "grade_involution"], backend="numba")

        def mv(values, grades):
            keys = tuple(sum(1 << i for i in alg.blades[s]) for s in alg.blade_indices(grades))
            return kalg.multivector(values=np.ascontiguousarray(values.T), keys=keys)

        kR, kx, kB = mv(R, even), mv(x, 1), mv(B, 2)
        kernel_sw = runtime.kernel(graded.sandwich_ir(alg, (even, 1)), backend="numba")
        kernel_bv = runtime.kernel(graded.graded_ir(alg, "geometric_product", (2, 1)), backend="numba")
        dim_bv = len(alg.blade_indices((1, 3)))
        profile = {
            "sandwich": {"kernel": lambda: kernel_sw(R, x, np.empty((args.n, alg.n))),
                         "floor": lambda: floor_pass(R, x, alg.n)},
            "bivec x vec": {"kernel": lambda: kernel_bv(B, x, np.empty((args.n, dim_bv))),
                            "floor": lambda: floor_pass(B, x, dim_bv)},
        }
        cases = {
            "sandwich": {
                "graded": lambda: alg.sandwich(R, x, grades=(even, 1)),
                "unit": lambda: alg.sandwich(R, x, grades=(even, 1), unit=True),
                "full gp": lambda: alg.geometric_product(alg.geometric_product(Rf, xf), Rrev),
                "full pub": lambda: alg.sandwich(Rf, xf),
                "kingdon": lambda: kR >> kx,
            },
            "bivec x vec": {
                "graded": lambda: alg.geometric_product(B, x, grades=(2, 1)),
                "full gp": lambda: alg.geometric_product(Bf, xf),
                "kingdon": lambda: kB * kx,
            },
        }
        for op, fns in cases.items():
            if args.profile:
                fns.update(profile[op])
            ours, ref = fns["graded"](), fns["kingdon"]()
            ref = np.stack([np.broadcast_to(v, (args.n,)) for v in ref.values()], axis=1)
            held = alg.blade_indices(alg.product_grades("sandwich" if op == "sandwich" else "geometric_product",
                                                        (even, 1) if op == "sandwich" else (2, 1)))
            err = np.abs(ours - ref[:, :len(held)]).max() if ref.shape[1] == len(held) else float("nan")
            t = interleaved_medians(fns, repeats=args.repeats, clock=clock, rotate=args.rotate, shuffle=args.shuffle)
            pub, unit = t.get("full pub", float("nan")), t.get("unit", float("nan"))
            extra = f" {1e3 * t['kernel']:8.3f}m {1e3 * t['floor']:8.3f}m" if args.profile else ""
            extra_ratio = f" {t['kingdon'] / t['floor']:12.1f}x" if args.profile else ""
            print(f"{name:10} {op:13} {1e3 * t['graded']:8.3f}m {1e3 * unit:8.3f}m {1e3 * t['full gp']:8.3f}m "
                  f"{1e3 * pub:8.3f}m {1e3 * t['kingdon']:8.3f}m{extra} | {t['full gp'] / t['graded']:10.1f}x "
                  f"{pub / t['graded']:9.1f}x {t['kingdon'] / t['graded']:13.1f}x {t['kingdon'] / unit:11.1f}x"
                  f"{extra_ratio}   {err:.1e}")
    print(f"load {os.getloadavg()[0]:.2f} at the end")
    print("times in ms (m); ratios = other / graded (higher is better for the graded kernel); "
          "'full gp': the full-multivector geometric product kernels on the embedded values "
          "(two for the sandwich), 'full pub': the public full alg.sandwich (versor check, involutions), "
          "'unit': the graded sandwich with unit=True (w w~ = 1 assumed, as kingdon does); "
          "'kernel': the graded call's Numba kernel alone (fresh output); 'floor': one streaming "
          "pass over the bytes the op moves (see the module doc)")


if __name__ == "__main__":
    main()
