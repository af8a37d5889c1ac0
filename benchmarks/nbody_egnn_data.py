"""symgen's N-body data in EGNN's ``nbody_small`` file format, and symgen's models on such files.

Measurement only: it lets the official EGNN / PONITA trainers (run from copies outside this
repository) train on exactly the data ``symgen nbody`` trains and tests on, and symgen's
models train on data written by EGNN's own generator (``n_body_system/dataset/generate_dataset.py``).

``export DIR``: writes ``loc_/vel_/edges_/charges_{train,valid,test}_charged5_initvel1small.npy``
as EGNN's ``n_body_system/dataset_nbody.py`` reads them: ``loc``, ``vel`` of shape
``(samples, 41, 3, 5)`` (frames × coordinates × particles), of which its ``nbody_small`` split
reads frame 30 (the input ``x0``, ``v0``) and frame 40 (the target ``x1``); the other frames,
and the velocity of frame 40, are NaN (symgen's simulator keeps only the two states).
``edges`` = q qᵀ ``(samples, 5, 5)``, ``charges`` ``(samples, 5, 1)``. Train and test are
``simulate(n, seed=0)`` and ``simulate(n, seed=1)`` (what ``symgen nbody`` uses); symgen has no
validation split, so ``valid`` is ``simulate(n, seed=2)``.

``train DIR --model M``: reads such files (the first ``--train`` training samples and the
test file), trains ``nbody.MODELS[M]`` with ``symgen nbody``'s trainer and defaults, prints
the test MSE beside the constant-velocity and best-fit ``x + t v`` baselines.

``stats DIR``: the baselines only (how hard a data set is without learning).

    python benchmarks/nbody_egnn_data.py export /tmp/egnn_symdata/n_body_system/dataset
    OMP_NUM_THREADS=1 python benchmarks/nbody_egnn_data.py train /tmp/egnn_official/n_body_system/dataset --model egnn --epochs 700
"""

from __future__ import annotations

import argparse
import pathlib
import time

import numpy as np
import torch

from symgen.experiments import nbody

SUFFIX = "_charged5_initvel1small"
FRAMES, INPUT, TARGET = 41, 30, 40     # EGNN's nbody_small: frame 30 in, frame 40 out


def to_files(data: dict, folder: pathlib.Path, split: str) -> None:
    """Write one simulated split in EGNN's layout (see the module docstring)."""
    n, particles, _ = data["x0"].shape
    loc = np.full((n, FRAMES, 3, particles), np.nan)
    vel = np.full((n, FRAMES, 3, particles), np.nan)
    loc[:, INPUT], vel[:, INPUT] = data["x0"].transpose(0, 2, 1), data["v0"].transpose(0, 2, 1)
    loc[:, TARGET] = data["x1"].transpose(0, 2, 1)
    q = data["q"][..., None]
    arrays = {"loc": loc, "vel": vel, "edges": q @ q.transpose(0, 2, 1), "charges": q}
    for name, array in arrays.items():
        np.save(folder / f"{name}_{split}{SUFFIX}.npy", array)


def from_files(folder: pathlib.Path, split: str, samples: int | None = None) -> dict:
    """One split of EGNN-format files as ``nbody.simulate`` returns it (horizon 1000 steps of 0.001)."""
    loc = np.load(folder / f"loc_{split}{SUFFIX}.npy")[:samples]
    vel = np.load(folder / f"vel_{split}{SUFFIX}.npy")[:samples]
    q = np.load(folder / f"charges_{split}{SUFFIX}.npy")[:samples, :, 0].astype(float)
    return {"x0": loc[:, INPUT].transpose(0, 2, 1), "v0": vel[:, INPUT].transpose(0, 2, 1),
            "q": q, "x1": loc[:, TARGET].transpose(0, 2, 1), "horizon": 1.0}


def baselines(train: dict, test: dict) -> dict:
    """Test MSE of ``x + v`` and of ``x + t v`` with ``t`` fitted by least squares on ``train``
    (EGNN's "Linear" row), and the mean squared displacement ``x1 − x0`` (the target's scale)."""
    d, v = (train["x1"] - train["x0"]).ravel(), train["v0"].ravel()
    t = float(d @ v / (v @ v))
    mse = lambda pred: float(((pred - test["x1"]) ** 2).mean())
    return {"constant velocity": mse(test["x0"] + test["v0"]), "fitted x + t v": mse(test["x0"] + t * test["v0"]),
            "t": t, "mean |x1 - x0|^2 / 3": float(((test["x1"] - test["x0"]) ** 2).mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("export", "train", "stats"))
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--valid", type=int, default=500)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--model", default="egnn", choices=tuple(nbody.MODELS))
    parser.add_argument("--epochs", type=int, default=700)
    parser.add_argument("--channels", type=int, default=12)
    parser.add_argument("--layers", type=int, default=2)
    args = parser.parse_args()
    if args.command == "export":
        args.folder.mkdir(parents=True, exist_ok=True)
        for split, n, seed in (("train", args.train, 0), ("test", args.test, 1), ("valid", args.valid, 2)):
            to_files(nbody.simulate(n, seed=seed), args.folder, split)
        print(f"wrote {args.train} / {args.valid} / {args.test} train / valid / test samples to {args.folder}")
        return
    train_data, test_data = from_files(args.folder, "train", args.train), from_files(args.folder, "test")
    print(f"{len(train_data['x0'])} train / {len(test_data['x0'])} test samples from {args.folder}")
    for name, value in baselines(train_data, test_data).items():
        print(f"{name}: {value:.5f}")
    if args.command == "stats":
        return
    name, build, lr = nbody.MODELS[args.model]
    torch.manual_seed(0)
    cgenn_params = sum(p.numel() for p in nbody.NBodyCGENN(args.channels, args.layers).parameters())
    model = build(args.channels, args.layers, 1.0, cgenn_params)
    start = time.time()
    history = nbody.fit(model, train_data, test_data, args.epochs, lr=lr, label=name.split()[0], progress=False)
    print(f"{name}: {sum(p.numel() for p in model.parameters())} params, test MSE {history.test:.5f}, "
          f"final train MSE {history.losses[-1]:.5f}, {args.epochs} epochs, {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
