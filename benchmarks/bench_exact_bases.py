"""Exact bases of groups with algebraic (non-rational) entries: C(k), D(k) as 2×2 rotation groups.

Each case is ``equivariant_basis(V^a, V^b, exact=True)`` in a fresh process (certificate
included), on this tree and, with ``--baseline DIR`` (an older symgen source tree, e.g.
``git archive <commit> symgen | tar -x -C DIR``), on that one in the same run.

    OMP_NUM_THREADS=1 python benchmarks/bench_exact_bases.py [--baseline DIR]
"""

from __future__ import annotations

import argparse

from symgen.timing import fresh_process, run_header

CASES = [("C", 5, 2, 2), ("C", 5, 1, 3), ("D", 5, 2, 2), ("C", 8, 2, 2), ("C", 3, 2, 2)]

CHILD = """
import json, time, warnings
warnings.simplefilter("ignore")
from symgen import groups, reps
G = groups.{family}({k}) if "{family}" == "C" else groups.{family}({k}, action="plane")
V = reps.V(G)
t = time.perf_counter()
B = reps.equivariant_basis(V ** {a}, V ** {b}, exact=True)
print(json.dumps(dict(time=time.perf_counter() - t, k=len(B), d=G.d)))
"""


def child(code, path, timeout):
    return fresh_process(code, timeout=timeout, env={"PYTHONPATH": path} if path else None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=None, help="an older symgen source tree")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv)
    print(run_header("bench_exact_bases"))
    print("| group | map | maps | this tree | baseline | baseline / this |\n|---|---|---|---|---|---|")
    for family, k, a, b in CASES:
        group = f"{family}({k})"
        code = CHILD.format(family=family, k=k, a=a, b=b)
        r = child(code, None, args.timeout)
        s = child(code, args.baseline, args.timeout) if args.baseline else {"error": "not run"}
        if "error" in r:
            print(f"| {group} | V^{a} → V^{b} | failed: {r['error']} |", flush=True)
            continue
        base = f"{s['time']:.2f} s" if "error" not in s else s["error"]
        ratio = f"{s['time'] / r['time']:.1f}×" if "error" not in s else ""
        print(f"| {group} | V^{a} → V^{b} | {r['k']} | {r['time']:.2f} s | {base} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
