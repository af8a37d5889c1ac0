"""Frame averaging an MLP vs the bare MLP on the O(5)-invariant regression task (EMLP paper).

Target ``f(x1, x2) = sin|x1| - |x2|³/2 + <x1, x2> / (|x1||x2|)``, ``x1, x2 ∈ R^5`` (input 2V
of O(5), output V⁰). The same MLP (same initial weights) is trained bare and inside
``FrameAveraging`` (PCA frame: two vectors span a plane, so 4 sign choices and the
stabilizer O(3) of the rest), same data, steps and optimiser, with symgen's EMLP (hidden 60,
depth 2, as in ``examples/emlp_invariant_regression.py``) for reference; prints test MSE,
the invariance error on transformed test inputs, and the time per training step.

    python benchmarks/bench_frame_averaging.py [--steps 1500] [--n-train 1000] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import copy
import time

import torch

from symgen import groups, reps
from symgen.nn import EMLP, FrameAveraging


def target(x):
    x1, x2 = x[:, :5], x[:, 5:]
    n1, n2 = x1.norm(dim=1), x2.norm(dim=1)
    return (torch.sin(n1) - n2 ** 3 / 2 + (x1 * x2).sum(1) / (n1 * n2)).unsqueeze(1)


def train(model, data, steps, lr):
    (xtr, ytr), (xte, yte) = data
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    start = time.perf_counter()
    for _ in range(steps):
        idx = torch.randint(0, len(xtr), (128,))
        loss = torch.nn.functional.mse_loss(model(xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    per_step = (time.perf_counter() - start) / steps
    with torch.no_grad():
        return float(torch.nn.functional.mse_loss(model(xte), yte)), per_step


def invariance_error(model, x, rep_in, G):
    g = G.sample(len(x), seed=1)
    gx = torch.einsum("nij,nj->ni", torch.as_tensor(rep_in.rho(g), dtype=x.dtype), x)
    with torch.no_grad():
        y, gy = model(x), model(gx)
    return float((gy - y).abs().max() / y.abs().max())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--n-train", type=int, default=1000)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # small matmuls: threads only contend on a shared CPU
    G = groups.O(5)
    rep_in, rep_out = 2 * reps.V(G), reps.Scalar(G)
    print(f"O(5)-invariant regression, {args.n_train} train / 1000 test, {args.steps} steps of 128, "
          f"MLP 10-{args.hidden}-{args.hidden}-1 (SiLU), Adam 3e-3 cosine, float32")
    print(f"{'seed':>4}  {'MLP test MSE':>12}  {'FA(MLP) test MSE':>16}  {'EMLP test MSE':>13}  {'MLP inv. err':>12}  "
          f"{'FA inv. err':>11}  {'MLP ms/step':>11}  {'FA ms/step':>10}  {'EMLP ms/step':>12}")
    for seed in args.seeds:
        torch.manual_seed(seed)
        x = torch.randn(args.n_train + 1000, 10)
        y = target(x)
        data = (x[:args.n_train], y[:args.n_train]), (x[args.n_train:], y[args.n_train:])
        mlp = torch.nn.Sequential(torch.nn.Linear(10, args.hidden), torch.nn.SiLU(),
                                  torch.nn.Linear(args.hidden, args.hidden), torch.nn.SiLU(),
                                  torch.nn.Linear(args.hidden, 1))
        fa = FrameAveraging(copy.deepcopy(mlp), rep_in, rep_out)
        mse_mlp, t_mlp = train(mlp, data, args.steps, 3e-3)
        mse_fa, t_fa = train(fa, data, args.steps, 3e-3)
        mse_emlp, t_emlp = train(EMLP(rep_in, rep_out, hidden=60, depth=2), data, args.steps, 3e-3)
        xte = data[1][0]
        print(f"{seed:>4}  {mse_mlp:>12.4f}  {mse_fa:>16.4f}  {mse_emlp:>13.4f}  "
              f"{invariance_error(mlp, xte, rep_in, G):>12.1e}  {invariance_error(fa, xte, rep_in, G):>11.1e}  "
              f"{1e3 * t_mlp:>11.2f}  {1e3 * t_fa:>10.2f}  {1e3 * t_emlp:>12.2f}")


if __name__ == "__main__":
    main()
