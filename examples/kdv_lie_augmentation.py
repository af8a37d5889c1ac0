"""Train a neural KdV stepper with and without Lie point symmetry augmentation (LPSDA).

The experiment (data, model, training) is :mod:`symgen.experiments.kdv`; this script parses
options, prints the one-step and 10-step rollout test MSE of both runs on zero-mean and on
offset initial data, and saves the curves as a PNG whose path it prints.

    python examples/kdv_lie_augmentation.py [--train 8] [--steps 1500] [--out kdv_lpsda.png]
"""

from __future__ import annotations

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from symgen.experiments import kdv  # noqa: E402


def plot(runs, path):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for name, (history, _) in runs.items():
        window = min(50, len(history.losses))
        ax1.semilogy(np.convolve(history.losses, np.ones(window) / window, mode="valid"), label=name)
    ax1.set_xlabel("step")
    ax1.set_ylabel("train MSE (augmented batches for LieAugmentation)")
    ax1.legend()
    width, tests = 0.35, list(next(iter(runs.values()))[1])
    for q, (name, (_, res)) in enumerate(runs.items()):
        ax2.bar(np.arange(len(tests)) + q * width, [r[1] for r in res.values()], width, label=name)
    ax2.set_xticks(np.arange(len(tests)) + width / 2, tests)
    ax2.set_yscale("log")
    ax2.set_ylabel("test MSE after a 10-step rollout")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return os.path.abspath(path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", type=int, default=8, help="training trajectories")
    p.add_argument("--test", type=int, default=32)
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--out", default="kdv_lpsda.png")
    args = p.parse_args(argv)
    start = time.perf_counter()
    runs = kdv.run(args.train, args.test, args.steps, args.batch)
    print(f"KdV stepper, {args.train} training trajectories, {args.steps} steps of {args.batch}, "
          f"{time.perf_counter() - start:.0f} s")
    tests = list(next(iter(runs.values()))[1])
    print(f"    {'':16} " + " ".join(f"{k + ' 1-step':>20} {k + ' 10-step':>20}" for k in tests))
    for name, (_, res) in runs.items():
        print(f"    {name:16} " + " ".join(f"{a:20.3e} {b:20.3e}" for a, b in res.values()))
    print(f"saved {plot(runs, args.out)}")
    return runs


if __name__ == "__main__":
    main()
