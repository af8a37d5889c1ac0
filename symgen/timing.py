"""Timing helper shared by the benchmarks and the command-line jobs.

>>> seconds = median_time(lambda: sum(range(1000)), repeats=3)
>>> seconds > 0
True
"""

from __future__ import annotations

import statistics
import time

__all__ = ["median_time"]


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
