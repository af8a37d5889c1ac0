"""N-body (EGNN protocol): a plain MLP made E(3)-equivariant by FrameAveraging and by
Canonicalize, next to symgen's CGENN and the bare MLP, at one small budget.

The data, training loop and CGENN are those of ``symgen nbody`` (:mod:`symgen.experiments.nbody`):
5 charged particles, positions after 1000 steps predicted as a correction to ``x + t·v``,
Adam 5e-3 with cosine decay, batch 100, float32. The wrapped models
(:class:`~symgen.experiments.nbody.NBodyWrapped`) use one backbone on E(3) inputs in
homogeneous coordinates: an MLP (45 → 128 → 128 → 20, SiLU) or a GNN (EGNN's non-equivariant
GNN baseline: 4 message-passing layers of width 64 on raw coordinates); FrameAveraging takes the PCA frame (8
elements), Canonicalize the default EMLP canonicalizer, trained jointly with the backbone
("canon") or frozen at its random initialisation ("canon-frozen": a fixed equivariant
canonicalizer, only the backbone learns). Prints each model's parameter count (trainable),
test MSE, epochs and training time, or the error that stopped its training.

    python benchmarks/bench_nbody_wrappers.py [--train 1000] [--test 500] [--epochs 150] \
        [--models mlp fa canon-frozen canon cgenn] [--backbone mlp|gnn] [--hidden H] [--minutes M]
"""

from __future__ import annotations

import argparse

import torch

from symgen.errors import SymgenError
from symgen.experiments import nbody

MODELS = ("mlp", "fa", "canon-frozen", "canon", "cgenn")


def build(name, horizon, backbone, hidden):
    torch.manual_seed(0)
    if name == "mlp":
        return "MLP", nbody.NBodyMLP(hidden=128, horizon=horizon)
    tag = backbone.upper()
    if name == "fa":
        return f"FrameAveraging({tag})", nbody.NBodyWrapped("frame_averaging", hidden=hidden, horizon=horizon,
                                                            backbone=backbone)
    if name.startswith("canon"):
        model = nbody.NBodyWrapped("canonicalize", hidden=hidden, horizon=horizon, backbone=backbone)
        if name == "canon-frozen":
            model.model.canonicalizer.requires_grad_(False)
            return f"Canonicalize({tag}), c frozen", model
        return f"Canonicalize({tag})", model
    return "CGENN Cl(3,0)", nbody.NBodyCGENN(12, 2, horizon=horizon)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=1000)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--backbone", choices=nbody.NBodyWrapped.BACKBONES, default="mlp",
                        help="backbone of the wrapped models: mlp (45-128-128-20) or gnn (4 layers)")
    parser.add_argument("--hidden", type=int, default=None, help="backbone width (default: mlp 128, gnn 64)")
    parser.add_argument("--minutes", type=float, default=None,
                        help="wall-clock budget per model: epochs are cut to fit after the first")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    train_data, test_data = nbody.simulate(args.train, seed=0), nbody.simulate(args.test, seed=1)
    baseline = float(((nbody.constant_velocity(test_data) - test_data["x1"]) ** 2).mean())
    budget = "" if args.minutes is None else f", at most {args.minutes:g} min per model"
    print(f"N-body: {args.train} train / {args.test} test, up to {args.epochs} epochs of batch 100{budget}, "
          f"backbone {args.backbone}, 1 thread")
    print(f"{'model':26} {'params':>7} {'test MSE':>10} {'epochs':>7} {'time':>8}")
    print(f"{'constant velocity':26} {0:>7} {baseline:10.5f}", flush=True)
    for key in args.models:
        name, model = build(key, train_data["horizon"], args.backbone,
                            args.hidden or {"mlp": 128, "gnn": 64}[args.backbone])
        params = sum(p.numel() for p in model.parameters() if p.requires_grad)
        try:
            h = nbody.fit(model, train_data, test_data, args.epochs, label=name, progress=False,
                          minutes=args.minutes)
        except SymgenError as exc:
            print(f"{name:26} {params:>7} stopped: {type(exc).__name__}: {exc}", flush=True)
            continue
        print(f"{name:26} {params:>7} {h.test:10.5f} {h.epochs:>7} {h.seconds:7.0f}s", flush=True)


if __name__ == "__main__":
    main()
