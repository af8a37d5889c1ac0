"""SymPy values from user data, never from strings.

``sympy.sympify`` evaluates a string as Python, so a coefficient, expression or parameter
that arrives as a string is refused here with the error class of the caller; strings are
parsed only by the whitelisting parser of :mod:`symgen.algebra.pde.parse`.

>>> from symgen.errors import CodegenError
>>> strict_sympify(0.5, "coefficient", CodegenError)
0.500000000000000
>>> strict_sympify("__import__('os')", "coefficient", CodegenError)
Traceback (most recent call last):
...
symgen.errors.CodegenError: coefficient is the string "__import__('os')"; pass a number or a SymPy expression (strings are never evaluated)
"""

from __future__ import annotations

import sympy

__all__ = ["strict_sympify", "substitution"]


def strict_sympify(value, what: str, error: type[Exception]):
    """``value`` as a SymPy object (``sympify(strict=True)``); a string raises ``error``."""
    if isinstance(value, str):
        raise error(f"{what} is the string {value!r}; pass a number or a SymPy expression "
                    f"(strings are never evaluated)")
    try:
        return sympy.sympify(value, strict=True)
    except (sympy.SympifyError, TypeError) as exc:
        raise error(f"{what} is {value!r}; expected a number or a SymPy expression") from exc


def substitution(values, symbols, owner: str, error: type[Exception]) -> dict:
    """``{symbol: SymPy value}`` for a user's ``subs`` dict, keys matched to ``symbols`` by name.

    Keys may be the symbols or their names; an unknown key, a non-dict or a string value
    raises ``error`` naming it (SymPy's ``subs`` would evaluate a string).

    >>> from symgen.errors import MetricError
    >>> g = sympy.Symbol("g")
    >>> substitution({"g": -1}, {g}, "the metric", MetricError)
    {g: -1}
    >>> substitution({"h": 1}, {g}, "the metric", MetricError)
    Traceback (most recent call last):
    ...
    symgen.errors.MetricError: 'h' is not a symbol of the metric; its symbols: g
    """
    if not isinstance(values, dict):
        raise error(f"subs takes a dict {{symbol: value}}, got {values!r}")
    by_name = {str(s): s for s in symbols}
    out = {}
    for key, value in values.items():
        if str(key) not in by_name:
            raise error(f"{key!r} is not a symbol of {owner}; its symbols: "
                        f"{', '.join(sorted(by_name)) or 'none'}")
        out[by_name[str(key)]] = strict_sympify(value, f"value of {key}", error)
    return out
