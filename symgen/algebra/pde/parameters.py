"""Numbers for a PDE's parameters, where a kernel needs them.

Parameters (``n`` in ``u_t = (u**n*u_x)_x``, ``nu`` in ``u_t = nu*u_xx``) stay symbolic
in the symmetries and flows; the generated kernels take them as scalar parameters, and
the user supplies their values as ``params={"n": 2}``.

>>> import sympy
>>> n = sympy.Symbol("n")
>>> parameter_values((n,), {"n": 2}, (n,), "lie_flow3")
(2.0,)
>>> parameter_values((n,), None, (n,), "lie_flow3")
Traceback (most recent call last):
    ...
symgen.errors.PDEError: lie_flow3 uses the equation's parameter n: give its value, e.g. params={'n': 1.0}
"""

from __future__ import annotations

import math
import numbers

import sympy

from ...errors import PDEError

__all__ = ["parameter_values"]


def _number(name, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, sympy.Number)):
        raise PDEError(f"parameter {name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise PDEError(f"parameter {name} must be finite, got {value}")
    return value


def parameter_values(needed, given, parameters, what: str) -> tuple:
    """Floats for the symbols ``needed``, in order, from ``given`` ({name or Symbol: number}).

    ``parameters`` are all the equation's parameters (the valid keys); ``what`` names the
    kernel or module asking, for the error. Raises :class:`~symgen.errors.PDEError` naming
    an unknown parameter, a value that is not a finite real number, or the missing ones.
    """
    given = {} if given is None else given
    if not isinstance(given, dict):
        raise PDEError(f"params must be a dict {{name: number}}, got {given!r}")
    valid = sorted(str(p) for p in parameters)
    values = {}
    for key, value in given.items():
        name = str(key)
        if name not in valid:
            raise PDEError(f"unknown parameter {name!r}; the equation's parameters: "
                           f"{', '.join(valid) or 'none'}")
        values[name] = _number(name, value)
    missing = [str(p) for p in needed if str(p) not in values]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        example = ", ".join(f"{name!r}: 1.0" for name in missing)
        raise PDEError(f"{what} uses the equation's parameter{plural} {', '.join(missing)}: "
                       f"give {'their values' if plural else 'its value'}, e.g. params={{{example}}}")
    return tuple(values[str(p)] for p in needed)
