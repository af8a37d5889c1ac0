"""N-body PONITA at larger sizes than ``symgen nbody --model ponita`` (hidden 2·channels, basis 16).

``symgen nbody`` with extra models, each :class:`~symgen.experiments.nbody.NBodyPonita` on a
16-point repulsion grid of the size in its name, ``ponita-<hidden>x<layers>b<basis>``:

- ``ponita-48x4b64``: hidden 48, 4 layers, 64 basis functions (69 105 parameters);
- ``ponita-64x5b128``: hidden 64, 5 layers, 128 basis functions, towards the paper's
  hidden 128 × 5 layers, basis 256.

Every other option is the command's (same data, seed, optimiser, schedule, budget); the
official PONITA trainer rotates every batch (``--rotate``) and reports the test error at its
best validation epoch (``--validation``)::

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/bench_nbody_ponita_size.py \\
        --model ponita-48x4b64 --train 3000 --epochs 250 --lr 2e-3 --rotate --validation 500
"""

from __future__ import annotations

import sys

from symgen.cli import main
from symgen.experiments import nbody

SIZES = {"ponita-48x4b64": (48, 4, 64), "ponita-64x5b128": (64, 5, 128)}


def _register() -> None:
    for key, (hidden, layers, basis) in SIZES.items():
        nbody.MODELS[key] = (f"PONITA-{key.split('-')[1]}",
                             lambda c, l, h, p, size=(hidden, layers, basis):
                             nbody.NBodyPonita(size[0], size[1], orientations=16, basis=size[2], horizon=h), 5e-3)


if __name__ == "__main__":
    _register()
    sys.exit(main(["nbody", *sys.argv[1:]]))
