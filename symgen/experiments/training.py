"""The one training loop of the experiments: Adam with cosine decay, a wall-clock budget,
a tqdm progress bar, evaluation, and a returned :class:`History`.

An experiment hands over its model, a ``batches()`` callable that yields the
``(inputs, target)`` pairs of one epoch (it owns shuffling and augmentation, and so its
random numbers), and an ``evaluate(model)`` callable; the loss is the mean squared error of
``model(*inputs)`` against ``target``, plus ``regularizer(model)`` when one is given
(e.g. the priors of residual pathway models, :func:`symgen.nn.rpp_prior_loss`).

>>> import torch
>>> torch.manual_seed(0)  # doctest: +ELLIPSIS
<torch._C.Generator object at ...>
>>> x = torch.randn(64, 2)
>>> y = x @ torch.tensor([[1.0], [-2.0]])
>>> model = torch.nn.Linear(2, 1)
>>> history = train(model, lambda: [((x,), y)], epochs=200, lr=0.05, progress=False,
...                 evaluate=lambda m: float((m(x) - y).square().mean()))
>>> history.epochs, len(history.losses), history.test < 1e-3
(200, 200, True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import torch

from ..errors import SymgenError

__all__ = ["History", "train"]


@dataclass
class History:
    """What a run left: the mean train loss of every epoch, ``evaluate(model)`` after every
    epoch (when asked) and at the end, the epochs run and the wall time in seconds."""

    losses: list = field(default_factory=list)
    evaluations: list = field(default_factory=list)
    test: object = None
    epochs: int = 0
    seconds: float = 0.0


def _mse(model, inputs, target) -> torch.Tensor:
    return (model(*inputs) - target).square().mean()


def train(model: torch.nn.Module, batches: Callable[[], Iterable], epochs: int, lr: float, *,
          minutes: float | None = None, evaluate: Callable | None = None, evaluate_every_epoch: bool = False,
          label: str = "", progress: bool = True, regularizer: Callable | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``batches()`` with Adam (learning rate
    ``lr``) and a cosine schedule stepped once per epoch.

    With ``minutes``, the epoch count is cut after the first epoch to what fits in that
    wall-clock budget, and the schedule is stretched to the new count. ``evaluate(model)``
    runs without gradients at the end (``History.test``) and, with ``evaluate_every_epoch``,
    after each epoch (``History.evaluations``).

    >>> train(torch.nn.Linear(1, 1), list, epochs=0, lr=0.1)
    Traceback (most recent call last):
    ...
    symgen.errors.SymgenError: epochs must be an integer >= 1, got 0
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise SymgenError(f"epochs must be an integer >= 1, got {epochs!r}")
    if minutes is not None and not minutes > 0:
        raise SymgenError(f"minutes must be a positive budget, got {minutes!r}")
    from tqdm.auto import tqdm

    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    history, t0 = History(), time.perf_counter()
    bar = tqdm(total=epochs, desc=label or type(model).__name__, disable=not progress)
    while history.epochs < epochs:
        total, count = 0.0, 0
        for inputs, target in batches():
            loss = _mse(model, inputs, target)
            if regularizer is not None:
                loss = loss + regularizer(model)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, count = total + float(loss.detach()) * len(target), count + len(target)
        sched.step()
        history.losses.append(total / count)
        history.epochs += 1
        bar.update()
        if evaluate is not None and evaluate_every_epoch:
            with torch.no_grad():
                history.evaluations.append(evaluate(model))
        if minutes is not None and history.epochs == 1:
            fits = max(1, int(minutes * 60 / (time.perf_counter() - t0)))
            if fits < epochs:
                epochs = bar.total = sched.T_max = fits
    bar.close()
    if evaluate is not None:
        with torch.no_grad():
            history.test = evaluate(model)
    history.seconds = time.perf_counter() - t0
    return history
