"""Checks of user values shared by the public constructors: integers, finite numbers, SymPy
entries. Each takes the error class of its caller, so a bad value raises the
:class:`~symgen.errors.SymgenError` subclass of the object being built.

>>> from symgen.errors import ShapeError
>>> check_int(3, "channels", ShapeError)
3
>>> check_int(-2, "in_channels", ShapeError)
Traceback (most recent call last):
...
symgen.errors.ShapeError: in_channels must be an integer ≥ 1, got -2
>>> check_finite(float("nan"), "eps", ShapeError)
Traceback (most recent call last):
...
symgen.errors.ShapeError: eps must be a finite real number, got nan
"""

from __future__ import annotations

import math
import numbers

import sympy

__all__ = ["check_int", "check_finite", "is_finite_expr", "NON_FINITE"]

#: SymPy atoms that are not finite numbers.
NON_FINITE = (sympy.nan, sympy.oo, -sympy.oo, sympy.zoo)


def check_int(value, name: str, error: type[Exception], minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an ``int`` in ``minimum .. maximum``; bools, floats and strings are refused."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if ok and value >= minimum and (maximum is None or value <= maximum):
        return int(value)
    kind = ("a non-negative integer" if minimum == 0 else f"an integer ≥ {minimum}") if maximum is None \
        else f"an integer in {minimum}..{maximum}"
    raise error(f"{name} must be {kind}, got {value!r}")


def check_finite(value, name: str, error: type[Exception], positive: bool = False) -> float:
    """``value`` as a finite ``float`` (``> 0`` when ``positive``); NaN, inf, strings refused."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok and math.isfinite(float(value)) and (not positive or value > 0):
        return float(value)
    raise error(f"{name} must be a finite {'positive ' if positive else ''}real number, got {value!r}")


def is_finite_expr(expr) -> bool:
    """Whether a SymPy expression contains none of NaN, ±∞, complex ∞.

    >>> import sympy
    >>> is_finite_expr(sympy.Symbol("g") + 1), is_finite_expr(sympy.nan * sympy.Symbol("g"))
    (True, False)
    """
    return not (isinstance(expr, sympy.Basic) and expr.has(*NON_FINITE))
