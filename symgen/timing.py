"""Timing helpers shared by the benchmarks and the command-line jobs.

>>> seconds = median_time(lambda: sum(range(1000)), repeats=3)
>>> seconds > 0
True
>>> fresh_process("import json; print(json.dumps({'answer': 6 * 7}))")
{'answer': 42}
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

__all__ = ["median_time", "interleaved_medians", "fresh_process", "run_header"]


def median_time(fn, repeats: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def interleaved_medians(fns: dict, repeats: int = 20, warmup: int = 1, clock=time.perf_counter,
                        rotate: bool = False, shuffle: bool = False) -> dict:
    """Median time of each ``fns[name]()`` over ``repeats`` rounds that call every
    function once in turn, so that drifting load on the machine affects all alike.

    ``clock`` is wall time by default; ``time.thread_time`` counts the CPU time of the
    calling thread, which other jobs on a shared machine do not inflate by preempting a
    long call (for functions that run on the calling thread only). ``rotate=True`` starts
    round ``r`` at function ``r mod len(fns)``, so that each takes every place in the round
    equally often; each still follows the same function (but when it starts a round).
    ``shuffle=True`` calls them in a new random order each round (seeded): what one
    function leaves behind (its inputs in the caches, freed memory) then falls on a
    different next one. Measured to matter for memory-bound calls of 0.1-1 ms: the Cl(3,0)
    graded sandwich kernel took 0.34 ms of CPU always run right after kingdon's sandwich and
    0.21 ms in shuffled rounds (benchmarks/RESULTS.md, issue 15).

    >>> sorted(interleaved_medians({"a": lambda: None, "b": lambda: None}, repeats=3))
    ['a', 'b']
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict = {name: [] for name in fns}
    order = list(fns.items())
    rng = random.Random(0)
    for r in range(repeats):
        start = r % len(order) if rotate else 0
        for name, fn in rng.sample(order, len(order)) if shuffle else order[start:] + order[:start]:
            t0 = clock()
            fn()
            times[name].append(clock() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def fresh_process(code: str, python: str = sys.executable, timeout: float = 300, env=None) -> dict:
    """Run ``python -c code`` in a fresh process (one OpenMP thread, in the temporary
    directory so that ``PYTHONPATH`` and not the working directory picks the checkout) and
    return the JSON object its last output line prints; ``{"error": ...}`` on a timeout or
    a failure (the last line of its stderr). ``env`` adds to the environment.

    >>> fresh_process("raise SystemExit('no model')")["error"]
    'no model'
    """
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=timeout,
                             cwd=tempfile.gettempdir(),
                             env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})})
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if out.returncode:
        lines = (out.stderr or "").strip().splitlines()
        return {"error": lines[-1] if lines else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_header(name: str) -> str:
    """The first line a benchmark prints: its name, the UTC time, the CPU count and the
    1-, 5- and 15-minute load averages (numbers from a shared box need their load).

    >>> run_header("bench_x").startswith("# bench_x: ")
    True
    """
    load = os.getloadavg()
    return (f"# {name}: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
            f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
