"""The one training loop of the experiments: Adam (with optional weight decay) and a cosine
or warm-up–stable–decay schedule, a seed, a wall-clock budget, a tqdm progress bar, evaluation, checkpoints to resume from, data parallel over
``torchrun`` processes, and a returned :class:`History`.

An experiment hands over its model, a ``batches(generator)`` callable that yields the
``(inputs, target)`` pairs of one epoch, drawing every random number (shuffling,
augmentation) from the ``torch.Generator`` it is given, and an ``evaluate(model)`` callable;
the loss is the mean squared error of ``model(*inputs)`` against ``target``, plus
``regularizer(model)`` when one is given (e.g. the priors of residual pathway models,
:func:`symgen.nn.rpp_prior_loss`; ``History.losses`` records the mean squared error alone). The loop owns
that generator (seeded by ``seed``) and saves it in every checkpoint, so a resumed run
repeats the uninterrupted one exactly.

>>> import torch
>>> torch.manual_seed(0)  # doctest: +ELLIPSIS
<torch._C.Generator object at ...>
>>> x = torch.randn(64, 2)
>>> y = x @ torch.tensor([[1.0], [-2.0]])
>>> model = torch.nn.Linear(2, 1)
>>> history = train(model, lambda generator: [((x,), y)], epochs=200, lr=0.05, progress=False,
...                 evaluate=lambda m: float((m(x) - y).square().mean()))
>>> history.epochs, len(history.losses), history.test < 1e-3
(200, 200, True)

Under ``torchrun --nproc-per-node N``, every process runs the same loop on the same
batches; each takes its :func:`~.distributed.shard` of every batch, and
``DistributedDataParallel`` sums the gradients, which are scaled so that they equal the
one-process gradient of the whole batch. The loss trajectory is the one-process trajectory
up to rounding (tested with two processes). Across machines, run on each node
``torchrun --nnodes 2 --node-rank K --nproc-per-node P --rdzv-backend c10d
--rdzv-endpoint HOST:29500 -m symgen nbody`` (``K`` = 0, 1; ``HOST`` the first node).
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import torch

from ..errors import SymgenError
from . import distributed

__all__ = ["History", "WarmupStableDecay", "train", "SCHEDULES"]

#: ``train``'s learning-rate schedules, stepped once per epoch: ``"cosine"`` (cosine decay
#: over all epochs) and ``"wsd"`` (:class:`WarmupStableDecay`, CGENN's N-body schedule).
SCHEDULES = ("cosine", "wsd")


@dataclass
class History:
    """What a run left: the mean train loss of every epoch, ``evaluate(model)`` after every
    epoch (when asked) and at the end, the validation loss of every epoch and the epoch of
    the lowest (``best_epoch``, 0 without ``select``), the epochs run, the epochs its
    schedule runs to (``planned``: more than ``epochs`` after a ``stop_after`` stop) and the
    wall time in seconds (summed over resumed runs). The per-epoch lists hold epoch ``e`` at
    index ``e − 1``, NaN for the epochs a resumed run ran before it was asked for them."""

    losses: list = field(default_factory=list)
    evaluations: list = field(default_factory=list)
    test: object = None
    epochs: int = 0
    seconds: float = 0.0
    planned: int = 0
    validations: list = field(default_factory=list)
    best_epoch: int = 0


class WarmupStableDecay:
    """Warm-up–stable–decay: the learning-rate factor of epoch ``e`` of ``epochs``.

    A cosine warm-up over the first ``warmup`` fraction of the epochs, the full rate, then a
    cosine decay towards 0 over the last ``decay`` fraction; the defaults (1/64 and 1/4) are
    the schedule of CGENN's N-body runs (Ruhe et al. 2023, there counted in steps). A
    picklable callable for ``torch.optim.lr_scheduler.LambdaLR``, whose checkpoints keep
    ``epochs`` (a budget cut changes it).

    >>> f = WarmupStableDecay(128)
    >>> [round(f(e), 3) for e in (0, 1, 2, 50, 95, 96, 127)]
    [0.25, 0.75, 1.0, 1.0, 1.0, 0.998, 0.002]
    """

    def __init__(self, epochs: int, warmup: float = 1 / 64, decay: float = 1 / 4):
        if not isinstance(epochs, int) or epochs < 1:
            raise SymgenError(f"WarmupStableDecay: epochs must be an integer >= 1, got {epochs!r}")
        if not (0 <= warmup and 0 <= decay and warmup + decay <= 1):
            raise SymgenError(f"WarmupStableDecay: warmup and decay must be fractions >= 0 summing to at "
                              f"most 1, got {warmup!r} and {decay!r}")
        self.epochs, self.warmup, self.decay = epochs, warmup, decay

    def __call__(self, epoch: int) -> float:
        warm, decay = int(self.warmup * self.epochs), int(self.decay * self.epochs)
        if epoch < warm:
            return 0.5 * (1 - math.cos(math.pi * (epoch + 1) / (warm + 1)))
        start = self.epochs - decay
        if epoch < start:
            return 1.0
        return 0.5 * (1 + math.cos(math.pi * min(epoch - start + 1, decay) / (decay + 1)))


def _schedule(opt, name: str, epochs: int):
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    return torch.optim.lr_scheduler.LambdaLR(opt, WarmupStableDecay(epochs))


def _cut(sched, epochs: int) -> None:
    """Stretch ``sched`` (from :func:`_schedule`) to end after ``epochs``."""
    if isinstance(sched, torch.optim.lr_scheduler.LambdaLR):
        sched.lr_lambdas[0].epochs = epochs
    else:
        sched.T_max = epochs


def _record(values: list, epoch: int, value) -> None:
    """Put ``value`` at ``values[epoch - 1]``, NaN for the epochs before it without one (a
    run resumed with ``select`` or ``evaluate_every_epoch`` that it began without), so the
    per-epoch lists stay aligned with the epochs they plot against.

    >>> values = [0.5]
    >>> _record(values, 4, 0.25)
    >>> values
    [0.5, nan, nan, 0.25]
    """
    values.extend([math.nan] * (epoch - 1 - len(values)))
    values.append(value)


def _improves(validations: list, first: bool) -> bool:
    """Whether the last of ``validations`` is the lowest so far (NaN never is; the first
    finite value always is, as is the first value of all with ``first``)."""
    last, earlier = validations[-1], [u for u in validations[:-1] if not math.isnan(u)]
    return first or not math.isnan(last) and (not earlier or last < min(earlier))


def _fits(done: int, left: float, pace: float) -> int:
    """The epoch count a ``minutes`` budget allows after ``done`` epochs with ``left`` seconds
    of it remaining at ``pace`` seconds an epoch: after the first epoch, the run continues
    unless the budget is spent; after the second, the count is what fits at that pace."""
    if done == 1:
        return 1 if left <= 0 else sys.maxsize
    return done + max(0, int(left / pace))


def _squared_error(model, inputs, target, scale: float) -> tuple:
    """The loss whose gradient, summed over the processes, is that of the whole batch's mean
    squared error, and this process's sum of squared errors."""
    sse = (model(*(distributed.shard(a) for a in inputs)) - distributed.shard(target)).square().sum()
    return sse * scale, sse.detach()


def _save(path: str, state: dict) -> None:
    """Write ``state`` to ``path`` atomically (a temporary file in the same folder, then a
    rename), so an interrupted write leaves the previous checkpoint intact."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _load(path: str, model, opt, sched, generator) -> tuple:
    """Restore a checkpoint written by :func:`train`; returns its ``(History, epochs, best)``
    (``best``: the model's state at the lowest validation loss, or ``None``)."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        generator.set_state(state["generator"])
        torch.set_rng_state(state["torch_rng"])
        history, epochs, best = History(**state["history"]), state["epochs"], state.get("best")
    except Exception as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise SymgenError(f"checkpoint {path!r} cannot be resumed ({type(err).__name__}: {first_line}); "
                          "delete it to start the run over") from err
    return history, epochs, best


def train(model: torch.nn.Module, batches: Callable[[torch.Generator], Iterable], epochs: int, lr: float, *,
          minutes: float | None = None, evaluate: Callable | None = None, evaluate_every_epoch: bool = False,
          label: str = "", progress: bool = True, seed: int = 0, checkpoint: str | None = None,
          regularizer: Callable | None = None, weight_decay: float = 0.0, schedule: str = "cosine",
          stop_after: float | None = None, select: Callable | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``batches(generator)`` with Adam (learning
    rate ``lr``, L2 ``weight_decay`` as in ``torch.optim.Adam``) and a schedule from
    :data:`SCHEDULES` stepped once per epoch.

    ``generator`` is a ``torch.Generator`` seeded with ``seed``. With ``minutes``, the epoch
    count is cut after the run's second epoch to what fits in that wall-clock budget at the
    second epoch's pace (the first also compiles kernels), and the schedule is stretched to
    the new count (a resumed run keeps the count it saved); a first epoch that alone
    outlasts the budget ends the run. With
    ``stop_after`` (minutes), this call stops after the first epoch that ends past that wall
    time, leaving the schedule as planned: ``History.epochs`` is then below ``epochs``, and a
    rerun with the same ``checkpoint`` continues it. ``evaluate(model)`` runs without gradients at the
    end (``History.test``) and, with ``evaluate_every_epoch``, after each epoch
    (``History.evaluations``). With ``select(model)``, a validation loss computed without
    gradients after every epoch (``History.validations``), the model's state at the lowest is
    kept and put back into ``model`` when the call ends, before the final ``evaluate``
    (model selection, as the EGNN, CGENN and PONITA papers report their test errors). With
    ``checkpoint`` (a file path), the model, optimiser, schedule, generators, history and
    that best state are saved there after every epoch, and a run that finds the file
    resumes from it; the checkpoint keeps the latest state, so training continues from it.

    >>> train(torch.nn.Linear(1, 1), list, epochs=0, lr=0.1)
    Traceback (most recent call last):
    ...
    symgen.errors.SymgenError: epochs must be an integer >= 1, got 0
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise SymgenError(f"epochs must be an integer >= 1, got {epochs!r}")
    if minutes is not None and not minutes > 0:
        raise SymgenError(f"minutes must be a positive budget, got {minutes!r}")
    if stop_after is not None and not stop_after > 0:
        raise SymgenError(f"stop_after must be a positive number of minutes, got {stop_after!r}")
    if not isinstance(seed, int):
        raise SymgenError(f"seed must be an integer, got {seed!r}")
    if not weight_decay >= 0:
        raise SymgenError(f"weight_decay must be >= 0, got {weight_decay!r}")
    if schedule not in SCHEDULES:
        raise SymgenError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    if select is not None and not callable(select):
        raise SymgenError(f"select must be a callable model -> validation loss, or None; got {select!r}")
    from tqdm.auto import tqdm

    world = distributed.world_size(cuda=any(p.is_cuda for p in model.parameters()))
    net = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = _schedule(opt, schedule, epochs)
    generator = torch.Generator().manual_seed(seed)
    history, best = History(), None
    if checkpoint is not None and os.path.exists(checkpoint):
        history, epochs, best = _load(checkpoint, model, opt, sched, generator)
    t0, seconds0 = time.perf_counter(), history.seconds
    last = t0
    bar = tqdm(total=epochs, initial=history.epochs, desc=label or type(model).__name__,
               disable=not (progress and distributed.is_main()))
    while history.epochs < epochs:
        sse, count = torch.zeros(()), 0
        for inputs, target in batches(generator):
            loss, part = _squared_error(net, inputs, target, world / target.numel())
            if regularizer is not None:
                loss = loss + regularizer(model)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sse, count = sse + part, count + target.numel()
        sched.step()
        history.losses.append(float(distributed.all_sum(sse)) / count)
        history.epochs += 1
        bar.update()
        if evaluate is not None and evaluate_every_epoch:
            with torch.no_grad():
                _record(history.evaluations, history.epochs, evaluate(model))
        if select is not None:
            with torch.no_grad():
                _record(history.validations, history.epochs, float(select(model)))
            if _improves(history.validations, best is None):
                best = {k: t.detach().clone() for k, t in model.state_dict().items()}
                history.best_epoch = history.epochs
        now = time.perf_counter()
        history.seconds, pace, last = seconds0 + now - t0, now - last, now
        if minutes is not None and history.epochs <= 2:
            fits = distributed.broadcast_int(_fits(history.epochs, minutes * 60 - history.seconds, pace))
            if fits < epochs:
                epochs = bar.total = fits
                _cut(sched, fits)
        if checkpoint is not None and distributed.is_main():
            _save(checkpoint, {"model": model.state_dict(), "optimizer": opt.state_dict(),
                               "scheduler": sched.state_dict(), "generator": generator.get_state(),
                               "torch_rng": torch.get_rng_state(), "epochs": epochs,
                               "history": dataclasses.asdict(history), "best": best})
        if stop_after is not None and distributed.broadcast_int(int(now - t0 >= stop_after * 60)):
            break
    bar.close()
    if best is not None:
        model.load_state_dict(best)
    if evaluate is not None:
        with torch.no_grad():
            history.test = evaluate(model)
    history.seconds, history.planned = seconds0 + time.perf_counter() - t0, epochs
    distributed.barrier()
    return history
