"""Types of the ``symgen`` command's numeric options.

Each parses an option's text and refuses a bad value with an
:class:`~symgen.errors.OptionError` naming it; argparse prints the message after the
option's name (``argument --batch: -5 is not an integer ≥ 1``) and the command exits 2.

>>> count("64"), natural("0"), minutes("1.5"), rate("4e-3"), decay("0")
(64, 0, 1.5, 0.004, 0.0)
>>> count("-5")
Traceback (most recent call last):
...
symgen.errors.OptionError: -5 is not an integer ≥ 1
>>> minutes("nan")
Traceback (most recent call last):
...
symgen.errors.OptionError: 'nan' is not a finite number of minutes > 0
"""

from __future__ import annotations

import math

from ..errors import OptionError

__all__ = ["count", "natural", "minutes", "rate", "decay"]


def _integer(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise OptionError(f"{text!r} is not an integer") from None
    if value < minimum:
        raise OptionError(f"{text} is not an integer ≥ {minimum}")
    return value


def count(text: str) -> int:
    """An integer ≥ 1: rows, samples, epochs, channels, layers, a power or a degree."""
    return _integer(text, 1)


def natural(text: str) -> int:
    """An integer ≥ 0: an entry of a signature."""
    return _integer(text, 0)


def _real(text: str, what: str, positive: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and (value > 0 if positive else value >= 0)):
        raise OptionError(f"{text!r} is not a finite {what} {'>' if positive else '≥'} 0")
    return value


def minutes(text: str) -> float:
    """A finite number of minutes > 0: a wall-clock budget."""
    return _real(text, "number of minutes", True)


def rate(text: str) -> float:
    """A finite number > 0: a learning rate."""
    return _real(text, "learning rate", True)


def decay(text: str) -> float:
    """A finite number ≥ 0: a weight decay."""
    return _real(text, "weight decay", False)
