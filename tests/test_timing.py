"""symgen.timing: medians over interleaved rounds, in wall or CPU time, rotated, shuffled or not; runs in a fresh process."""

import os
import time

import pytest

from symgen.timing import fresh_process, interleaved_medians, median_time, run_header


@pytest.mark.parametrize("rotate", [False, True])
def test_interleaved_rounds_call_each_once_per_round_in_rotated_order(rotate):
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    medians = interleaved_medians(fns, repeats=3, warmup=0, rotate=rotate)
    assert sorted(medians) == ["a", "b", "c"] and all(v >= 0 for v in medians.values())
    rounds = [calls[3 * r:3 * r + 3] for r in range(3)]
    assert rounds == ([list("abc")] * 3 if not rotate else [list("abc"), list("bca"), list("cab")])


def test_shuffled_rounds_call_each_once_in_changing_orders():
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in "abcd"}
    interleaved_medians(fns, repeats=12, warmup=0, shuffle=True)
    rounds = [tuple(calls[4 * r:4 * r + 4]) for r in range(12)]
    assert all(sorted(r) == list("abcd") for r in rounds)
    assert len({r[r.index("a") - 1] for r in rounds}) > 1         # "a" does not always follow the same one
    calls.clear()
    interleaved_medians(fns, repeats=12, warmup=0, shuffle=True)
    assert [tuple(calls[4 * r:4 * r + 4]) for r in range(12)] == rounds      # seeded


def test_cpu_clock_does_not_count_sleeping():
    medians = interleaved_medians({"sleep": lambda: time.sleep(0.02)}, repeats=3, clock=time.thread_time)
    assert medians["sleep"] < 0.01 < median_time(lambda: time.sleep(0.02), repeats=3)


def test_fresh_process_reads_the_last_json_line_and_reports_failures():
    assert fresh_process("print('warming up'); print('{\"x\": 1}')") == {"x": 1}
    assert fresh_process("import os; print(os.environ['OMP_NUM_THREADS'] + os.environ['EXTRA'])",
                         env={"EXTRA": "7"}) == 17
    assert fresh_process("import sys; sys.exit(3)") == {"error": "exit 3"}
    assert fresh_process("import time; time.sleep(5)", timeout=0.5) == {"error": "timeout after 0 s"}


def test_run_header_names_the_run_the_machine_and_its_load():
    line = run_header("bench_x")
    head, load = line.split(" load ")
    assert head.startswith("# bench_x: 20") and head.endswith(f" {os.cpu_count()} CPUs,")
    assert len([float(x) for x in load.split()]) == 3
