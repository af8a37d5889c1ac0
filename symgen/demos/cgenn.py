"""``symgen nbody`` and ``symgen hull``: the CGENN experiments with their baselines."""

from __future__ import annotations

import argparse
import os

import numpy as np

__all__ = ["register", "main_job"]


def register(subparsers) -> None:
    p = subparsers.add_parser("nbody", help="train a CGENN on charged N-body data vs baselines")
    p.add_argument("--train", type=int, default=1000, help="training samples (default: 1000; paper: 3000)")
    p.add_argument("--test", type=int, default=500, help="test samples (default: 500)")
    p.add_argument("--epochs", type=int, default=150, help="training epochs (default: 150)")
    p.add_argument("--channels", type=int, default=12, help="multivector channels (default: 12)")
    p.add_argument("--layers", type=int, default=2, help="message-passing rounds (default: 2)")
    p.add_argument("--full", action="store_true", help="paper budget: 3000 train samples, 200 epochs "
                                                          "(≈ 7.5 min on 2 CPU cores)")
    p.add_argument("--minutes", type=float, default=None,
                   help="wall-clock budget per model: the epoch count is cut to fit")
    p.add_argument("--out", default="nbody_loss.png", help="where to save the loss curves")
    p.set_defaults(run=run)
    h = subparsers.add_parser("hull", help="train a CGENN in Cl(5,0) on O(5) convex-hull volumes")
    h.add_argument("--train", type=int, default=1000)
    h.add_argument("--test", type=int, default=500)
    h.add_argument("--epochs", type=int, default=100)
    h.add_argument("--channels", type=int, default=16)
    h.add_argument("--augment", action=argparse.BooleanOptionalAction, default=True,
                   help="shuffle the points of each training sample every batch (default: on)")
    h.add_argument("--out", default="hull_loss.png")
    h.set_defaults(run=run_hull)


def _plot(curves: dict, baseline: float, baseline_label: str, path: str, out) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, losses in curves.items():
        ax.semilogy(np.arange(1, len(losses) + 1), losses, label=f"{name} (train)")
    ax.axhline(baseline, color="gray", ls="--", label=baseline_label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    out(f"loss curves saved to {os.path.abspath(path)}")


def run_hull(args, out=print) -> dict:
    import time

    import torch
    from tqdm.auto import tqdm

    from ..experiments.hull import HullCGENN, hull_data, permute_points

    torch.manual_seed(0)
    x, y = (torch.tensor(a, dtype=torch.float32) for a in hull_data(args.train, seed=0))
    tx, ty = (torch.tensor(a, dtype=torch.float32) for a in hull_data(args.test, seed=1))
    model = HullCGENN(channels=args.channels)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
    mu, sd = y.mean(), y.std()                       # the model predicts standardised volumes
    losses, t0 = [], time.perf_counter()
    for _ in tqdm(range(args.epochs), desc="CGENN Cl(5,0)"):
        perm, total = torch.randperm(len(x)), 0.0
        for s in range(0, len(x), 50):
            idx = perm[s:s + 50]
            xb = permute_points(x[idx]) if args.augment else x[idx]
            loss = (model(xb) - (y[idx] - mu) / sd).square().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        sched.step()
        losses.append(total / len(x) * float(sd) ** 2)
    with torch.no_grad():
        test = float((model(tx) * sd + mu - ty).square().mean())
    mean_baseline = float((ty - y.mean()).square().mean())
    shuffling = "on" if args.augment else "off"
    out(f"O(5) convex hull volume: {args.train} train / {args.test} test, {args.epochs} epochs, "
        f"{args.channels} channels, point shuffling {shuffling}, {time.perf_counter() - t0:.0f} s")
    out(f"    test MSE: CGENN {test:.4f} | predict-the-mean baseline {mean_baseline:.4f}")
    _plot({"CGENN Cl(5,0)": losses}, mean_baseline, "predict the mean (test)", args.out, out)
    return {"test_mse": test, "mean_baseline": mean_baseline}


def run(args, out=print) -> dict:
    import torch

    from ..experiments.nbody import NBodyCGENN, NBodyMLP, constant_velocity, simulate, train

    if args.full:
        args.train, args.epochs = 3000, 200
    torch.manual_seed(0)
    train_data, test_data = simulate(args.train, seed=0), simulate(args.test, seed=1)
    baseline = float(((constant_velocity(test_data) - test_data["x1"]) ** 2).mean())
    cgenn = NBodyCGENN(args.channels, args.layers, horizon=train_data["horizon"])
    n_params = sum(p.numel() for p in cgenn.parameters())
    hidden = 16
    while sum(p.numel() for p in NBodyMLP(hidden=hidden + 8).parameters()) <= n_params:
        hidden += 8
    mlp = NBodyMLP(hidden=hidden, horizon=train_data["horizon"])
    budget = getattr(args, "minutes", None)
    results = {"CGENN Cl(3,0)": train(cgenn, train_data, test_data, args.epochs, label="CGENN", minutes=budget),
               "MLP": train(mlp, train_data, test_data, args.epochs, label="MLP", minutes=budget)}
    out(f"N-body: {args.train} train / {args.test} test samples, up to {args.epochs} epochs")
    out(f"    {'model':16} {'params':>7} {'test MSE':>10} {'epochs':>7} {'time':>8}")
    out(f"    {'constant velocity':16} {0:>7} {baseline:10.5f}")
    for (name, r), model in zip(results.items(), (cgenn, mlp)):
        out(f"    {name:16} {sum(p.numel() for p in model.parameters()):>7} {r['test_mse']:10.5f} "
            f"{r['epochs']:>7} {r['seconds']:7.0f}s")
    _plot({k: v["losses"] for k, v in results.items()}, baseline, "constant velocity (test)", args.out, out)
    return {"constant_velocity": baseline, **{k: v["test_mse"] for k, v in results.items()}}


def main_job(args, out=print) -> None:
    """The default job only points here: training takes minutes (the Clifford step builds
    and checks a CGENN layer)."""
    out("== CGENN experiments: run `symgen nbody` (≈ 2 min on 2 cores; --full for the paper budget)")
