"""EMLP's side of ``bench_emlp_matrix.py``: the same cases as ``tests/algebra/groups/test_emlp_matrix.py``
timed with EMLP itself (``pip install emlp six`` in a separate venv; EMLP 1.0.3 on jax 0.10).

Runs without symgen. For each case it times EMLP's dense ``equivariant_basis()`` (its
``equivariant_projector()`` applied to a random vector for the 256-channel cases, as EMLP's own
test does) and records the dimension; one process, cases in the test's order (both libraries
cache bases between cases). Writes ``{case: [seconds, dimension or null, note]}`` as JSON:

    /tmp/emlp-venv/bin/python benchmarks/emlp_peer_matrix.py /tmp/emlp_matrix.json
"""

import json
import signal
import sys
import time

import numpy as np
from emlp.groups import (GL, O, SL, SO, SO11p, SO13, SO13p, SU, O13, U, C, Cube, D, RubiksCube, S, Sp, Z,
                         ZksZnxZn)
from emlp.nn import uniform_rep
from emlp.reps import T

GROUPS = {
    **{f"SO({n})": (lambda n=n: SO(n)) for n in (2, 3, 4)},
    **{f"O({n})": (lambda n=n: O(n)) for n in (2, 3, 4)},
    **{f"SU({n})": (lambda n=n: SU(n)) for n in (2, 3, 4)},
    **{f"U({n})": (lambda n=n: U(n)) for n in (2, 3, 4)},
    **{f"SL({n})": (lambda n=n: SL(n)) for n in (2, 3, 4)},
    **{f"GL({n})": (lambda n=n: GL(n)) for n in (2, 3, 4)},
    **{f"C({k})": (lambda k=k: C(k)) for k in (2, 3, 4, 8)},
    **{f"D({k})": (lambda k=k: D(k)) for k in (2, 3, 4, 8)},
    **{f"S({n})": (lambda n=n: S(n)) for n in (2, 4, 6)},
    **{f"Z({n})": (lambda n=n: Z(n)) for n in (2, 4, 6)},
    "SO(1,1)+": SO11p, "SO(1,3)+": SO13p, "SO(1,3)": SO13, "O(1,3)": O13,
    "Sp(2)": lambda: Sp(1), "Sp(6)": lambda: Sp(3),
    "Cube": Cube, "RubiksCube": RubiksCube,
    "Z2⋉(Z3×Z3)": lambda: ZksZnxZn(2, 3), "Z4⋉(Z3×Z3)": lambda: ZksZnxZn(4, 3),
}
BUDGET = 20


class Timeout(Exception):
    pass


def _alarm(*_):
    raise Timeout


def dim(rep, G):
    return rep(G).equivariant_basis().shape[-1]


def case_sum(G):
    rep = T(0, 2) + 3 * (T(0, 0) + T(1, 0)) + T(0, 0) + T(1, 1) + 2 * T(1, 0) + T(0, 2) + T(0, 1) + 3 * T(0, 2) + T(2, 0)
    return dim(rep, G)


def case_prod(G):
    return dim(T(0, 1) * T(0, 0) * T(1, 0) ** 2 * T(1, 0) * T(0, 0) ** 3 * T(0, 1), G)


def max_rank(G):
    """EMLP's test bound: ranks p + q ≤ 10 with num_constraints · d^(3(p+q)) ≤ 1e11."""
    return max(r for r in range(11) if G.num_constraints() * G.d ** (3 * r) <= 1e11)


def case_high_rank(G, r):
    """Invariants of T(p, q) with p + q = r summed (EMLP skips q > 0 for orthogonal groups)."""
    return sum(dim(T(r - q, q), G) for q in ([0] if G.is_orthogonal else range(r + 1)))


def case_large(G):
    rep = uniform_rep(256, G)
    P = (rep >> rep).equivariant_projector()
    P @ np.random.rand((rep >> rep).size())
    return None


def main(path):
    out = {}
    signal.signal(signal.SIGALRM, _alarm)
    for name, make in GROUPS.items():
        G = make()
        jobs = [(f"sum[{name}]", lambda: case_sum(G))]
        jobs += [(f"prod[{name}]", lambda: case_prod(G))] if G.d < 5 else []
        jobs += [(f"high_rank[{name}-T{r}]", lambda r=r: case_high_rank(G, r)) for r in range(max_rank(G) + 1)]
        jobs += [(f"large[{name}]", lambda: case_large(G))]
        for key, job in jobs:
            signal.alarm(BUDGET)
            t = time.perf_counter()
            try:
                value, note = job(), ""
            except Timeout:
                value, note = None, f"> {BUDGET} s (stopped)"
            except Exception as exc:       # report EMLP's own failures, keep going
                value, note = None, f"{type(exc).__name__}: {str(exc)[:80]}"
            finally:
                signal.alarm(0)
            out[key] = [time.perf_counter() - t, value, note]
            print(f"{key:30s} {out[key][0]:8.2f} s  {value}  {note}", flush=True)
            with open(path, "w") as f:        # after every case: a stopped run keeps what it measured
                json.dump(out, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/emlp_matrix.json")
