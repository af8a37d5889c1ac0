"""PINN vs gPINN vs PINN + symmetry loss (prolonged / characteristic form) on heat and Burgers.

The experiment (exact solutions, conditioned network, losses, training) is
:mod:`symgen.experiments.pinn`; this script parses options, prints the test relative L2
error (mean ± std over seeds) and train time of every method as a Markdown table, and
saves a bar chart as a PNG whose path it prints. ``--quick`` runs a few steps on tiny sets
(seconds; for tests).

    OMP_NUM_THREADS=1 python examples/pinn_symmetry_losses.py [--steps 800] [--n-col 128] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from symgen.experiments import pinn  # noqa: E402


def table(results) -> str:
    lines = ["| problem | method | test rel. L2 (mean ± std) | per seed | train s / seed |",
             "|---|---|---|---|---|"]
    for problem, methods in results.items():
        for method, r in methods.items():
            e = r["errors"]
            std = statistics.stdev(e) if len(e) > 1 else 0.0
            lines.append(f"| {problem} | {method} | {statistics.mean(e):.4f} ± {std:.4f} | "
                         f"{', '.join(f'{v:.4f}' for v in e)} | {statistics.mean(r['seconds']):.1f} |")
    return "\n".join(lines)


def plot(results, path) -> str:
    fig, axes = plt.subplots(1, len(results), figsize=(5 * len(results), 4), squeeze=False)
    for ax, (problem, methods) in zip(axes[0], results.items()):
        names = list(methods)
        means = [np.mean(methods[m]["errors"]) for m in names]
        stds = [np.std(methods[m]["errors"], ddof=1) if len(methods[m]["errors"]) > 1 else 0 for m in names]
        colors = {m: c for m, c in zip(pinn.METHODS, ["0.6", "C0", "C1", "C2"])}
        ax.bar(range(len(names)), means, yerr=stds, capsize=4, color=[colors[m] for m in names])
        ax.set_xticks(range(len(names)), [n.replace("PINN + ", "+ ") for n in names], rotation=15)
        ax.set_title(f"{problem}: {pinn.PROBLEMS[problem].equation}")
        ax.set_ylabel("test relative L2 (unseen initial conditions)")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return os.path.abspath(path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--problems", nargs="+", default=list(pinn.PROBLEMS), choices=list(pinn.PROBLEMS))
    p.add_argument("--methods", nargs="+", default=list(pinn.METHODS), choices=list(pinn.METHODS))
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--steps", type=int, default=800)
    p.add_argument("--n-col", type=int, default=128, help="collocation points (shared by the family)")
    p.add_argument("--n-ic", type=int, default=16, help="training initial conditions")
    p.add_argument("--weight", type=float, default=0.1, help="weight of the gPINN / symmetry term")
    p.add_argument("--quick", action="store_true", help="1 seed, 10 steps, 16 points: seconds")
    p.add_argument("--out", default="benchmarks/pinn_symmetry_losses.png")
    args = p.parse_args(argv)
    if args.quick:
        args.seeds, args.steps, args.n_col, args.n_ic = 1, 10, 16, 4
    torch.set_num_threads(1)
    start = time.perf_counter()
    results = pinn.run(args.problems, args.methods, range(args.seeds), args.steps, args.n_col, args.n_ic,
                       args.weight, progress=False)
    print(f"{args.steps} Adam steps, {args.n_col} collocation points, {args.n_ic} training initial "
          f"conditions, weight {args.weight}, {args.seeds} seeds: {time.perf_counter() - start:.0f} s")
    print(table(results))
    print(f"saved {plot(results, args.out)}")
    return results


if __name__ == "__main__":
    main()
