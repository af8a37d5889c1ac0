"""Invariants of groups without closed forms: the lazy null space against the dense SVD one.

Each case (a group declared by its generators as a user would, and a tensor space with K legs,
``D = d^K`` unknowns) runs the two solvers of ``algebra/groups/equivariance._null_space`` in
fresh processes — the dense SVD of the stacked constraint matrix (``LAZY_MIN`` raised past D) and
``lazy_null_space`` (weights of one generator, then restriction leg by leg) — and prints time,
peak RSS growth and the largest entry of the difference of the two orthogonal projectors (the
spans agree when it is ~1e-15). Float64, one thread.

    OMP_NUM_THREADS=1 python benchmarks/bench_lazy_null_space.py [--cases se3-5 se3-6 c5-12 ...]
"""

from __future__ import annotations

import argparse
import os
import tempfile

from symgen.timing import fresh_process, run_header

GROUPS = {  # name: a group as a user declares it (MatrixGroup from generators)
    "SE(3)": "groups.MatrixGroup(lie_generators=groups.SE(3).lie_generators)",
    "C(5) on R²": "groups.MatrixGroup(discrete_generators=groups.C(5).discrete_generators)",
    "O(2)×1 on R³": "groups.MatrixGroup(lie_generators=[sympy.Matrix([[0, -1, 0], [1, 0, 0], [0, 0, 0]])], "
                    "discrete_generators=[sympy.diag(-1, 1, 1)])",
    "SE(2)": "groups.MatrixGroup(lie_generators=groups.SE(2).lie_generators)",
}
CASES = {  # name: (group, legs)
    "se3-5": ("SE(3)", 5), "se3-6": ("SE(3)", 6), "c5-12": ("C(5) on R²", 12),
    "o2-7": ("O(2)×1 on R³", 7), "se2-7": ("SE(2)", 7),
}

CHILD = """
import json, resource, time, warnings
import numpy as np, sympy
warnings.simplefilter("ignore")
from symgen import groups
from symgen.algebra.groups import equivariance
G = {group}
legs = (1,) * {K}
if "{solver}" == "dense":
    equivariance.LAZY_MIN = 10 ** 9
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
N = equivariance._null_space(G, legs, exact=False)
out = dict(time=time.perf_counter() - t, peak=(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024,
           k=len(N), D=N.shape[1])
np.save("{path}", N)
print(json.dumps(out))
"""


def main(argv=None):
    import numpy as np
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    print(run_header("bench_lazy_null_space"))
    print("| group (declared by generators) | legs | D | invariants | dense | dense peak | lazy | lazy peak "
          "| dense/lazy time | projector difference |\n|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.cases:
            group, K = CASES[case]
            r = {}
            for solver in ("dense", "lazy"):
                path = os.path.join(tmp, f"{case}-{solver}.npy")
                r[solver] = fresh_process(CHILD.format(group=GROUPS[group], K=K, solver=solver, path=path), timeout=args.timeout)
                r[solver]["path"] = path
            if any("error" in x for x in r.values()):
                print(f"| {group} | {K} | failed: {r['dense'].get('error', '')} {r['lazy'].get('error', '')} |")
                continue
            A, B = np.load(r["dense"]["path"]), np.load(r["lazy"]["path"])
            diff = np.abs(A.T @ A.conj() - B.T @ B.conj()).max(initial=0) if A.shape == B.shape else float("nan")
            d, z = r["dense"], r["lazy"]
            print(f"| {group} | {K} | {d['D']} | {d['k']} / {z['k']} | {d['time']:.2f} s | {d['peak'] / 2 ** 20:.0f} MB "
                  f"| {z['time']:.2f} s | {z['peak'] / 2 ** 20:.0f} MB | {d['time'] / z['time']:.0f}× | {diff:.1e} |",
                  flush=True)


if __name__ == "__main__":
    main()
