"""Train an EMLP on the O(5)-invariant regression task of the EMLP paper (Finzi et al. 2021).

Target: ``f(x1, x2) = sin|x1| - |x2|³/2 + <x1, x2> / (|x1||x2|)`` for two vectors
``x1, x2 ∈ R^5`` — invariant under O(5) acting on both. Input ``2V``, output ``V⁰``.
An ordinary MLP with the same training budget is trained alongside for reference.
Saves the loss curves as a PNG (matplotlib, Agg) and prints its path.

    python examples/emlp_invariant_regression.py [--steps 400] [--n-train 1000] [--out o5_loss.png]
"""

from __future__ import annotations

import argparse
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from tqdm.auto import tqdm  # noqa: E402

from symgen import groups, reps  # noqa: E402
from symgen.nn import EMLP  # noqa: E402


def target(x):
    x1, x2 = x[:, :5], x[:, 5:]
    n1, n2 = x1.norm(dim=1), x2.norm(dim=1)
    return (torch.sin(n1) - n2 ** 3 / 2 + (x1 * x2).sum(1) / (n1 * n2)).unsqueeze(1)


def train(model, data, steps, lr, desc):
    (xtr, ytr), (xte, yte) = data
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    train_curve, test_curve = [], []
    for _ in tqdm(range(steps), desc=desc):
        idx = torch.randint(0, len(xtr), (128,))
        loss = torch.nn.functional.mse_loss(model(xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            train_curve.append(float(loss))
            test_curve.append(float(torch.nn.functional.mse_loss(model(xte), yte)))
    return train_curve, test_curve


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--n-train", type=int, default=1000)
    parser.add_argument("--hidden", type=int, default=60)
    parser.add_argument("--out", default="emlp_o5_invariant_loss.png")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # small matmuls: threads only contend on a shared CPU
    torch.manual_seed(args.seed)

    G = groups.O(5)
    V, S = reps.V(G), reps.Scalar(G)
    x = torch.randn(args.n_train + 1000, 10)
    y = target(x)
    data = (x[:args.n_train], y[:args.n_train]), (x[args.n_train:], y[args.n_train:])

    emlp = EMLP(2 * V, S, hidden=args.hidden, depth=2)
    mlp = torch.nn.Sequential(torch.nn.Linear(10, 256), torch.nn.SiLU(), torch.nn.Linear(256, 256),
                              torch.nn.SiLU(), torch.nn.Linear(256, 1))
    print(f"EMLP {emlp.rep_in} → {emlp.rep_out} of {G}, hidden {emlp.hidden}, "
          f"{sum(p.numel() for p in emlp.parameters())} parameters")
    curves = {"EMLP": train(emlp, data, args.steps, 3e-3, "EMLP"),
              "MLP": train(mlp, data, args.steps, 3e-3, "MLP")}

    g = torch.from_numpy(G.sample(len(data[1][0]), seed=1)).float()
    xte = data[1][0]
    gx = torch.cat([torch.einsum("nij,nj->ni", g, xte[:, :5]), torch.einsum("nij,nj->ni", g, xte[:, 5:])], 1)
    with torch.no_grad():
        inv_err = float((emlp(gx) - emlp(xte)).abs().max())
    for name, (tr, te) in curves.items():
        print(f"{name}: final train MSE {tr[-1]:.4f}, test MSE {te[-1]:.4f}")
    print(f"EMLP invariance error on rotated/reflected test inputs (float32): {inv_err:.1e}")

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, (tr, te) in curves.items():
        ax.plot(te, label=f"{name} test")
        ax.plot(tr, alpha=0.3, label=f"{name} train (batch)")
    ax.set(yscale="log", xlabel="step", ylabel="MSE", title=f"O(5)-invariant regression, n={args.n_train}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"saved {os.path.abspath(args.out)}")


if __name__ == "__main__":
    main()
