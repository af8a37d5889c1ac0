"""N-body CGENN ablation: symgen's block against the official CGENN layer, one difference at a time.

``symgen nbody`` with three extra models next to ``cgenn`` and ``cgenn-paper``, each
:class:`~symgen.experiments.nbody.NBodyCGENN` with one option of
:data:`NBodyCGENN.PAPER <symgen.experiments.nbody.NBodyCGENN.PAPER>` switched on:

- ``cgenn-blocks``: 2 blocks per MLP (``blocks=2``);
- ``cgenn-mean``: ``h_i − h_j`` messages (edge attribute ``q_i q_j``), mean over the neighbours
  (``message="difference", aggregation="mean"``);
- ``cgenn-learned``: MVLinear → MVSiLU → product (right operand by ``MVGradeNorm``) → MVLayerNorm
  (``normalization="learned"``).

Every other option is the command's (same data, seed, optimiser, schedule, budget)::

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/bench_nbody_cgenn_ablation.py \\
        --model cgenn-blocks,cgenn-mean,cgenn-learned --lr 4e-3 --weight-decay 1e-4 --schedule wsd
"""

from __future__ import annotations

import sys

from symgen.cli import main
from symgen.experiments import nbody

ABLATIONS = {
    "cgenn-blocks": {"blocks": 2},
    "cgenn-mean": {"message": "difference", "aggregation": "mean"},
    "cgenn-learned": {"normalization": "learned"},
}


def _register() -> None:
    for key, options in ABLATIONS.items():
        nbody.MODELS[key] = (f"CGENN-{key.split('-')[1]} Cl(3,0)",
                             lambda c, l, h, p, options=options: nbody.NBodyCGENN(c, l, horizon=h, **options), 5e-3)


if __name__ == "__main__":
    _register()
    sys.exit(main(["nbody", *sys.argv[1:]]))
