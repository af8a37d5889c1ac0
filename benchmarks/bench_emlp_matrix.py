"""EMLP's test matrix: symgen's time per case beside EMLP's, and the dimensions of both.

Each case of ``tests/algebra/groups/test_emlp_matrix.py`` (``sum``, ``prod``, ``high_rank``,
``large``) runs in a forked child with a time budget: the test function itself (basis, equivariance
residual, independent count). The symgen dimension is recomputed afterwards from the cached basis.
EMLP's times and dimensions come from ``benchmarks/emlp_peer_matrix.py`` run in its own venv (JSON);
without it the EMLP columns are empty.

    OMP_NUM_THREADS=1 python benchmarks/bench_emlp_matrix.py --emlp /tmp/emlp_matrix.json
    OMP_NUM_THREADS=1 python benchmarks/bench_emlp_matrix.py --tests sum,prod --budget 30
"""

import argparse
import json
import multiprocessing
import time

from symgen import reps

from tests.algebra.groups import test_emlp_matrix as M


def _dim(test, name, r):
    G = M.group(name)
    if test == "sum":
        T = M.T
        rep = (T(G, 0, 2) + 3 * (T(G, 0) + T(G, 1)) + T(G, 0) + T(G, 1, 1) + 2 * T(G, 1) + T(G, 0, 2)
               + T(G, 0, 1) + 3 * T(G, 0, 2) + T(G, 2, 0))
        return len(reps.equivariant_basis(reps.Scalar(G), rep, certify=False))
    if test == "prod":
        return len(reps.equivariant_basis(reps.Scalar(G), M.T(G, 3, 2), certify=False))
    if test == "high_rank":
        qs = [0] if M._is_orthogonal(G) else range(r + 1)
        return sum(len(reps.equivariant_basis(reps.Scalar(G), M.T(G, r - q, q), certify=False)) for q in qs)
    return None


def _run(test, name, r, queue):
    t = time.perf_counter()
    if test == "high_rank":
        M.test_high_rank_representations(name, r)
    else:
        getattr(M, {"sum": "test_sum", "prod": "test_prod", "large": "test_large_representations"}[test])(name)
    queue.put((time.perf_counter() - t, _dim(test, name, r)))


def cases(tests):
    out = []
    for name in M.EMLP_GROUPS:
        G = M.group(name)
        if "sum" in tests:
            out.append(("sum", name, None, f"sum[{name}]"))
        if "prod" in tests and G.d < 5:
            out.append(("prod", name, None, f"prod[{name}]"))
        if "high_rank" in tests:
            out += [("high_rank", name, r, f"high_rank[{name}-T{r}]") for r in range(M.max_rank(G) + 1)]
        if "large" in tests:
            out.append(("large", name, None, f"large[{name}]"))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emlp", help="EMLP's JSON from benchmarks/emlp_peer_matrix.py")
    parser.add_argument("--tests", default="sum,prod,high_rank,large")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per case")
    args = parser.parse_args()
    peer = json.load(open(args.emlp)) if args.emlp else {}
    ctx = multiprocessing.get_context("fork")
    print(f"{'case':28s} {'symgen s':>9s} {'EMLP s':>8s} {'EMLP/symgen':>11s}  {'dim':>5s} {'EMLP dim':>8s}")
    for test, name, r, key in cases(args.tests.split(",")):
        queue = ctx.Queue()
        child = ctx.Process(target=_run, args=(test, name, r, queue))
        child.start()
        child.join(args.budget)
        if child.is_alive():
            child.terminate()
            child.join()
            ours, dim = None, None
        elif child.exitcode != 0:
            ours, dim = float("nan"), "fail"
        else:
            ours, dim = queue.get()
        theirs, their_dim, note = peer.get(key, (None, None, ""))
        s_ours = f"> {args.budget:.0f}" if ours is None else f"{ours:.2f}"
        s_theirs = "" if theirs is None else (f"> {theirs:.0f}" if note.startswith(">") else
                                               "fail" if note else f"{theirs:.2f}")
        ratio = f"{theirs / ours:.1f}" if ours and theirs and not note else ""
        print(f"{key:28s} {s_ours:>9s} {s_theirs:>8s} {ratio:>11s}  {str(dim if dim is not None else ''):>5s} "
              f"{str(their_dim if their_dim is not None else ''):>8s}", flush=True)


if __name__ == "__main__":
    main()
