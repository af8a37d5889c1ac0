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

__all__ = ["strict_sympify"]


def strict_sympify(value, what: str, error: type[Exception]):
    """``value`` as a SymPy object (``sympify(strict=True)``); a string raises ``error``."""
    if isinstance(value, str):
        raise error(f"{what} is the string {value!r}; pass a number or a SymPy expression "
                    f"(strings are never evaluated)")
    try:
        return sympy.sympify(value, strict=True)
    except (sympy.SympifyError, TypeError) as exc:
        raise error(f"{what} is {value!r}; expected a number or a SymPy expression") from exc
