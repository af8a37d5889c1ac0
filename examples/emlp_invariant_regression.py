"""Train an EMLP on the O(5)-invariant regression task of the EMLP paper (Finzi et al. 2021).

The experiment (target, models, training) is :mod:`symgen.experiments.o5_regression`; this
script parses options, prints the final train and test MSE of the EMLP and of an MLP with the
same budget and the EMLP's invariance error, and saves the loss curves as a PNG whose path
it prints.

    python examples/emlp_invariant_regression.py [--steps 400] [--n-train 1000] [--out o5_loss.png]
"""

from __future__ import annotations

import argparse

import torch

from symgen.experiments import o5_regression
from symgen.experiments.plots import save_curves


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--n-train", type=int, default=1000)
    parser.add_argument("--hidden", type=int, default=60)
    parser.add_argument("--out", default="emlp_o5_invariant_loss.png")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # small matmuls: threads only contend on a shared CPU

    result = o5_regression.run(args.steps, args.n_train, args.hidden, args.seed)
    emlp, histories = result["models"]["EMLP"], result["histories"]
    print(f"EMLP {emlp.rep_in} → {emlp.rep_out} of {result['group']}, hidden {emlp.hidden}, "
          f"{sum(p.numel() for p in emlp.parameters())} parameters")
    for name, h in histories.items():
        print(f"{name}: final train MSE {h.losses[-1]:.4f}, test MSE {h.evaluations[-1]:.4f}")
    print(f"EMLP invariance error on rotated/reflected test inputs (float32): {result['invariance_error']:.1e}")
    curves = {f"{name} {part}": values for name, h in histories.items()
              for part, values in (("test", h.evaluations), ("train (batch)", h.losses))}
    path = save_curves(curves, args.out, xlabel="step", title=f"O(5)-invariant regression, n={args.n_train}")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
