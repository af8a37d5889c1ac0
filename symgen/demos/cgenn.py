"""``symgen nbody`` and ``symgen hull``: options and reports of the CGENN experiments
(:mod:`symgen.experiments.nbody`, :mod:`symgen.experiments.hull`)."""

from __future__ import annotations

import argparse

from ..errors import OptionError
from . import options

__all__ = ["register", "main_job"]


def _budget(parser, quick: str) -> None:
    parser.add_argument("--minutes", type=options.minutes, default=None,
                        help="wall-clock budget per model: the epoch count is cut to fit after the second epoch")
    parser.add_argument("--quick", action="store_true", help=f"smoke test in seconds ({quick}); numbers meaningless")
    parser.add_argument("--checkpoint", default=None, metavar="DIR",
                        help="save each model after every epoch to DIR/<model>.pt; a rerun resumes from there")


def _model_list(text: str) -> tuple:
    """``--model``: comma-separated names of :data:`symgen.experiments.nbody.MODELS`."""
    from ..experiments.nbody import MODELS

    names = tuple(name.strip() for name in text.split(","))
    unknown = [name for name in names if name not in MODELS]
    if unknown or not text.strip():
        raise OptionError(f"{text!r} is not a comma list of models from {', '.join(MODELS)}")
    return names


def register(subparsers) -> None:
    p = subparsers.add_parser("nbody", help="train a CGENN on charged N-body data vs baselines")
    p.add_argument("--train", type=options.count, default=1000, help="training samples (default: 1000; paper: 3000)")
    p.add_argument("--test", type=options.count, default=500, help="test samples (default: 500)")
    p.add_argument("--epochs", type=options.count, default=150, help="training epochs (default: 150)")
    p.add_argument("--channels", type=options.count, default=12, help="multivector channels (default: 12)")
    p.add_argument("--layers", type=options.count, default=2, help="message-passing rounds (default: 2)")
    p.add_argument("--model", type=_model_list, default=("cgenn", "mlp"), metavar="NAMES",
                   help="comma list of models trained on the same data and budget, from cgenn, cgenn-paper (the "
                        "official CGENN layer), cgenn-mean (its messages alone), mlp, implicit, ponita, ponita-cloud, egnn, fa-gnn, canon-gnn "
                        "(default: cgenn,mlp)")
    p.add_argument("--full", action="store_true", help="paper budget: 3000 train samples, 200 epochs "
                                                          "(≈ 7.5 min on 2 CPU cores)")
    p.add_argument("--lr", type=options.rate, default=None,
                   help="Adam learning rate of every model (default: each model's own, 5e-3; EGNN 1e-3)")
    p.add_argument("--weight-decay", type=options.decay, default=0.0,
                   help="Adam's L2 weight decay (default: 0; CGENN's N-body runs: 1e-4)")
    p.add_argument("--schedule", choices=("cosine", "wsd"), default="cosine",
                   help="learning-rate schedule per epoch: cosine decay, or wsd = CGENN's warm-up (1/64), "
                        "constant rate, cosine decay (last 1/4) (default: cosine)")
    p.add_argument("--test-every-epoch", action="store_true",
                   help="evaluate the test MSE after every epoch and plot it beside the train MSE")
    p.add_argument("--rotate", action="store_true",
                   help="turn every training sample by a random rotation (augmentation; the official PONITA "
                        "trainer does it: its orientation grid is only approximately equivariant)")
    p.add_argument("--stop-after", type=options.minutes, default=None, metavar="MINUTES",
                   help="stop each model after this wall time, keeping its schedule; with --checkpoint the "
                        "same command run again continues it")
    p.add_argument("--validation", type=options.natural, default=0, metavar="N",
                   help="simulate N validation samples and report each model at its lowest validation MSE, "
                        "as the EGNN, CGENN and PONITA papers do (default: 0, the model at the end)")
    _budget(p, "40 train samples, 2 epochs, 4 channels")
    p.add_argument("--out", default="nbody_loss.png", help="where to save the loss curves")
    p.set_defaults(run=run_nbody)
    h = subparsers.add_parser("hull", help="train a CGENN in Cl(5,0) on O(5) convex-hull volumes")
    h.add_argument("--train", type=options.count, default=1000, help="training samples (default: 1000)")
    h.add_argument("--test", type=options.count, default=500, help="test samples (default: 500)")
    h.add_argument("--epochs", type=options.count, default=100, help="training epochs (default: 100)")
    h.add_argument("--channels", type=options.count, default=16, help="multivector channels (default: 16)")
    h.add_argument("--augment", action=argparse.BooleanOptionalAction, default=True,
                   help="shuffle the points of each training sample every batch (default: on)")
    _budget(h, "20 train samples, 1 epoch, 2 channels")
    h.add_argument("--out", default="hull_loss.png", help="where to save the loss curve")
    h.set_defaults(run=run_hull)


def _options(args, **names) -> dict:
    """``run`` keyword arguments from the parsed ``args`` (``names``: keyword → attribute)."""
    return {key: getattr(args, attr) for key, attr in names.items()}


def run_hull(args, out=print) -> dict:
    from ..experiments import hull
    from ..experiments.plots import save_curves

    options = _options(args, n_train="train", n_test="test", epochs="epochs", channels="channels",
                       augment="augment", minutes="minutes", checkpoints="checkpoint")
    if args.quick:
        options.update(hull.QUICK)
    result = hull.run(**options)
    h = result["history"]
    shuffling = "on" if options["augment"] else "off"
    out(f"O(5) convex hull volume: {options['n_train']} train / {options['n_test']} test, {h.epochs} epochs, "
        f"{options['channels']} channels, point shuffling {shuffling}, {h.seconds:.0f} s")
    out(f"    test MSE: CGENN {h.test:.4f} | predict-the-mean baseline {result['mean_baseline']:.4f}")
    path = save_curves({"CGENN Cl(5,0) (train)": result["train_mse"]}, args.out,
                       baseline=(result["mean_baseline"], "predict the mean (test)"))
    out(f"loss curves saved to {path}")
    return {"test_mse": h.test, "mean_baseline": result["mean_baseline"]}


def run_nbody(args, out=print) -> dict:
    from ..experiments import nbody
    from ..experiments.plots import save_curves

    options = _options(args, n_train="train", n_test="test", epochs="epochs", channels="channels",
                       layers="layers", minutes="minutes", checkpoints="checkpoint", models="model", lr="lr",
                       weight_decay="weight_decay", schedule="schedule", stop_after="stop_after",
                       test_every_epoch="test_every_epoch", rotate="rotate",
                       validation="validation")
    options.update(nbody.FULL if args.full else nbody.QUICK if args.quick else {})
    result = nbody.run(**options)
    baseline, models = result["constant_velocity"], result["models"]
    out(f"N-body: {options['n_train']} train / {options['n_test']} test samples, up to {options['epochs']} epochs")
    out(f"    {'model':16} {'params':>7} {'test MSE':>10} {'epochs':>7} {'time':>8}")
    out(f"    {'constant velocity':16} {0:>7} {baseline:10.5f}")
    for name, (model, h) in models.items():
        out(f"    {name:16} {sum(p.numel() for p in model.parameters()):>7} {h.test:10.5f} "
            f"{h.epochs:>7} {h.seconds:7.0f}s")
    for name, (_, h) in models.items():
        if h.best_epoch:
            out(f"{name}: test MSE of epoch {h.best_epoch}, the lowest validation MSE "
                f"({h.validations[h.best_epoch - 1]:.5f}, {options['validation']} samples)")
        if h.epochs < h.planned:
            out(f"{name}: stopped after {h.epochs} of {h.planned} epochs (--stop-after); "
                "the same command continues it from --checkpoint")
    curves = {f"{name} (train)": h.losses for name, (_, h) in models.items()}
    curves.update({f"{name} (test)": h.evaluations for name, (_, h) in models.items() if h.evaluations})
    curves.update({f"{name} (validation)": h.validations for name, (_, h) in models.items() if h.validations})
    path = save_curves(curves, args.out, baseline=(baseline, "constant velocity (test)"))
    out(f"loss curves saved to {path}")
    return {"constant_velocity": baseline, **{name: h.test for name, (_, h) in models.items()}}


def main_job(args, out=print) -> None:
    """The default job only points here: training takes minutes (the Clifford step builds
    and checks a CGENN layer)."""
    out("== CGENN experiments: `symgen nbody` and `symgen hull` train for minutes "
        "(--quick: a smoke test in seconds; nbody --full: the paper budget)")
