"""symgen.timing: medians over interleaved rounds, in wall or CPU time, rotated or not."""

import time

import pytest

from symgen.timing import interleaved_medians, median_time


@pytest.mark.parametrize("rotate", [False, True])
def test_interleaved_rounds_call_each_once_per_round_in_rotated_order(rotate):
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    medians = interleaved_medians(fns, repeats=3, warmup=0, rotate=rotate)
    assert sorted(medians) == ["a", "b", "c"] and all(v >= 0 for v in medians.values())
    rounds = [calls[3 * r:3 * r + 3] for r in range(3)]
    assert rounds == ([list("abc")] * 3 if not rotate else [list("abc"), list("bca"), list("cab")])


def test_cpu_clock_does_not_count_sleeping():
    medians = interleaved_medians({"sleep": lambda: time.sleep(0.02)}, repeats=3, clock=time.thread_time)
    assert medians["sleep"] < 0.01 < median_time(lambda: time.sleep(0.02), repeats=3)
