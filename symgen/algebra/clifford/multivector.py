"""Multivectors with SymPy coefficients: the symbolic view of an algebra.

Operators evaluate the algebra's exact IR on SymPy coefficients: ``*`` geometric,
``^`` outer, ``|`` left contraction, ``~`` reverse, ``&`` regressive product.

>>> from symgen import CliffordAlgebra
>>> alg = CliffordAlgebra((1, 1, 1))
>>> R = alg.multivector([sympy.Symbol("c"), 0, 0, 0, sympy.Symbol("s"), 0, 0, 0])
>>> R
c + s*e01
>>> (R * ~R).simplify()
c**2 + s**2
>>> R.grade(2)
s*e01
"""

from __future__ import annotations

import sympy

from ..._sympify import strict_sympify, substitution
from ..._validate import is_finite_expr
from ...errors import AlgebraMismatchError, DTypeError, ShapeError

__all__ = ["Multivector"]


class Multivector:
    """An element of ``alg`` with SymPy coefficients in ``alg.blades`` order."""

    __slots__ = ("alg", "values")

    def __init__(self, alg, values):
        from .algebra import CliffordAlgebra
        if not isinstance(alg, CliffordAlgebra):
            raise AlgebraMismatchError(f"a multivector needs a CliffordAlgebra, got {alg!r}")
        if isinstance(values, str) or not hasattr(values, "__iter__"):
            raise ShapeError(f"multivector coefficients must be a sequence of {alg.dim} numbers or "
                             f"SymPy expressions, got {values!r}")
        values = tuple(strict_sympify(v, "multivector coefficient", DTypeError) for v in values)
        bad = [v for v in values if not is_finite_expr(v)]
        if bad:
            raise DTypeError(f"multivector coefficient {bad[0]} is not finite; coefficients are "
                             f"finite numbers or SymPy expressions")
        if len(values) != alg.dim:
            raise ShapeError(f"{len(values)} coefficients given; {alg!r} needs {alg.dim}")
        self.alg, self.values = alg, values

    @classmethod
    def make(cls, alg, values, grades=None):
        if isinstance(values, str):
            if not values.isidentifier():
                raise DTypeError(f"multivector name {values!r} must be an identifier (symbols "
                                 f"{values}0, {values}1, ... are made from it)")
            if grades is None:
                grades = range(alg.n + 1)
            elif isinstance(grades, int):
                grades = (grades,)
            chosen = sorted({q for k in grades for q in alg.grade_indices(k)})      # checks each k
            syms = sympy.symbols(f"{values}0:{len(chosen)}", real=True)
            vals = [sympy.Integer(0)] * alg.dim
            for q, s in zip(chosen, syms):
                vals[q] = s
            return cls(alg, vals)
        return cls(alg, values)

    def _bilinear(self, other, op):
        other = _coerce(self, other)
        out = [sympy.Integer(0)] * self.alg.dim
        for k, i, j, c in self.alg.bilinear_ir(op).terms:
            if self.values[i] != 0 and other.values[j] != 0:
                out[k] += c * self.values[i] * other.values[j]
        return Multivector(self.alg, [sympy.expand(v) for v in out])

    def _linear(self, op, k=None):
        out = [sympy.Integer(0)] * self.alg.dim
        for o, i, c in self.alg.linear_ir(op, k).terms:
            out[o] += c * self.values[i]
        return Multivector(self.alg, out)

    def __mul__(self, other):
        return self._bilinear(other, "geometric_product")

    def __rmul__(self, other):
        other = strict_sympify(other, "scalar factor", DTypeError)
        return Multivector(self.alg, [other * v for v in self.values])

    def __xor__(self, other):
        return self._bilinear(other, "outer_product")

    def __or__(self, other):
        return self._bilinear(other, "left_contraction")

    def __and__(self, other):
        return self._bilinear(other, "regressive_product")

    def __invert__(self):
        return self._linear("reverse")

    def __add__(self, other):
        return Multivector(self.alg, [x + y for x, y in zip(self.values, _coerce(self, other).values)])

    __radd__ = __add__

    def __sub__(self, other):
        return Multivector(self.alg, [x - y for x, y in zip(self.values, _coerce(self, other).values)])

    def __neg__(self):
        return Multivector(self.alg, [-v for v in self.values])

    def __eq__(self, other):
        return isinstance(other, Multivector) and self.alg == other.alg and all(
            sympy.simplify(x - y) == 0 for x, y in zip(self.values, other.values))

    __hash__ = None

    def grade(self, k: int) -> Multivector:
        """Grade-``k`` part."""
        return self._linear("grade_projection", k)

    def grade_involution(self) -> Multivector:
        return self._linear("grade_involution")

    def dual(self) -> Multivector:
        return self._linear("dual")

    def simplify(self):
        """Coefficients simplified; a pure scalar comes back as a SymPy expression."""
        vals = [sympy.simplify(v) for v in self.values]
        if all(v == 0 for v in vals[1:]):
            return vals[0]
        return Multivector(self.alg, vals)

    def subs(self, values, new=None) -> Multivector:
        """Symbols (or their names) replaced by numbers or SymPy expressions: ``subs({a0: 2})``
        or ``subs(a0, 2)``; strings are refused as values (SymPy's ``subs`` would evaluate them).

        >>> from symgen import CliffordAlgebra
        >>> CliffordAlgebra((1, 1)).multivector("a", grades=1).subs({"a0": 2})
        2*e0 + a1*e1
        """
        if new is not None:
            values = {values: new}
        symbols = {s for v in self.values for s in v.free_symbols}
        out = substitution(values, symbols, "this multivector", DTypeError)
        return Multivector(self.alg, [v.xreplace(out) for v in self.values])

    def __repr__(self):
        parts = []
        for name, v in zip(self.alg.blade_names, self.values):
            if v == 0:
                continue
            if name == "1":
                parts.append(str(v))
            else:
                parts.append(f"({v})*{name}" if isinstance(v, sympy.Add) else
                             (name if v == 1 else f"{v}*{name}"))
        return " + ".join(parts).replace("+ -", "- ") if parts else "0"


def _coerce(mv, other):
    """``other`` as a multivector of ``mv.alg``: a scalar becomes one; a multivector of another
    algebra is refused (the same blade indices mean different blades there).

    >>> from symgen import CliffordAlgebra
    >>> pga, vga = CliffordAlgebra((0, 1, 1)), CliffordAlgebra((1, 1, 1))
    >>> pga.multivector("a", grades=1) * vga.multivector("b", grades=1)
    Traceback (most recent call last):
    ...
    symgen.errors.AlgebraMismatchError: cannot combine a multivector of Cl(2,0,1) with one of Cl(3,0,0); convert one of them explicitly
    """
    if isinstance(other, Multivector):
        if other.alg != mv.alg:
            raise AlgebraMismatchError(f"cannot combine a multivector of {mv.alg!r} with one of "
                                       f"{other.alg!r}; convert one of them explicitly")
        return other
    return Multivector(mv.alg, [other] + [0] * (mv.alg.dim - 1))
