"""N-body CGENN ablation: symgen's block against the official CGENN layer, one difference at a time.

``symgen nbody`` with extra models next to ``cgenn``, ``cgenn-paper`` and ``cgenn-mean`` (a
``symgen nbody`` model itself), each :class:`~symgen.experiments.nbody.NBodyCGENN` with one
option of :data:`NBodyCGENN.PAPER <symgen.experiments.nbody.NBodyCGENN.PAPER>` switched on:

- ``cgenn-blocks``: 2 blocks per MLP (``blocks=2``);
- ``cgenn-mean`` (in ``symgen nbody``): ``h_i − h_j`` messages (edge attribute ``q_i q_j``),
  mean over the neighbours (``message="difference", aggregation="mean"``);
- ``cgenn-learned``: MVLinear → MVSiLU → product (right operand by ``MVGradeNorm``) → MVLayerNorm
  (``normalization="learned"``).

and ``cgenn-mean`` split in two: ``cgenn-difference`` (``h_i − h_j`` messages, summed) and
``cgenn-average`` (``[h_i, h_j, e_ij]`` messages with the relative position, averaged); and the
paper's layer without one difference: ``cgenn-noblocks`` (1 block) and ``cgenn-nolearned``
(symgen's block order and normalisation).

Every other option is the command's (same data, seed, optimiser, schedule, budget)::

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/bench_nbody_cgenn_ablation.py \\
        --model cgenn-blocks,cgenn-mean,cgenn-learned --lr 4e-3 --weight-decay 1e-4 --schedule wsd

``--step-time [--channels C --layers L]`` instead times one Adam step (forward, backward, update;
batch 100, float32) of cgenn, cgenn-paper and the three single differences, in interleaved rounds so the box's load hits all alike,
and prints each median and its ratio to ``cgenn``.
"""

from __future__ import annotations

import argparse
import sys

import torch

from symgen.cli import main
from symgen.experiments import nbody
from symgen.timing import interleaved_medians

ABLATIONS = {
    "cgenn-blocks": {"blocks": 2},
    "cgenn-learned": {"normalization": "learned"},
    "cgenn-difference": {"message": "difference"},
    "cgenn-average": {"aggregation": "mean"},
    "cgenn-noblocks": {"message": "difference", "aggregation": "mean", "normalization": "learned"},
    "cgenn-nolearned": {"blocks": 2, "message": "difference", "aggregation": "mean"},
}


def _register() -> None:
    for key, options in ABLATIONS.items():
        nbody.MODELS[key] = (f"CGENN-{key.split('-')[1]} Cl(3,0)",
                             lambda c, l, h, p, options=options: nbody.NBodyCGENN(c, l, horizon=h, **options), 5e-3)


def step_times(channels: int = 12, layers: int = 2, rounds: int = 40, warmup: int = 40) -> dict:
    """Median seconds of one training step of each model, ``{key: seconds}``, in interleaved
    rounds (:func:`symgen.timing.interleaved_medians`; the warm-up lets the generated
    kernels compile)."""
    torch.manual_seed(0)
    x, v, q = torch.randn(100, 5, 3), torch.randn(100, 5, 3), torch.randn(100, 5).sign()
    keys = ("cgenn", "cgenn-paper", "cgenn-blocks", "cgenn-mean", "cgenn-learned")

    def step(model):
        optimiser = torch.optim.Adam(model.parameters())

        def run():
            loss = model(x, v, q).square().mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        return run

    return interleaved_medians({k: step(nbody.MODELS[k][1](channels, layers, 1.0, 0)) for k in keys},
                               repeats=rounds, warmup=warmup)

if __name__ == "__main__":
    _register()
    if "--step-time" in sys.argv:
        parser = argparse.ArgumentParser()
        parser.add_argument("--step-time", action="store_true")
        parser.add_argument("--channels", type=int, default=12)
        parser.add_argument("--layers", type=int, default=2)
        args = parser.parse_args()
        medians = step_times(args.channels, args.layers)
        print(f"one Adam step, batch 100, {args.channels} channels x {args.layers} layers, float32")
        print(f"{'model':14} {'params':>7} {'ms':>7} {'x cgenn':>8}")
        for key, seconds in medians.items():
            params = sum(p.numel() for p in nbody.MODELS[key][1](args.channels, args.layers, 1.0, 0).parameters())
            print(f"{key:14} {params:>7} {seconds * 1e3:7.1f} {seconds / medians['cgenn']:8.2f}")
    else:
        sys.exit(main(["nbody", *sys.argv[1:]]))
