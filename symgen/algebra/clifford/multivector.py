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

from ..._sympify import strict_sympify
from ...errors import DTypeError, ShapeError

__all__ = ["Multivector"]


class Multivector:
    """An element of ``alg`` with SymPy coefficients in ``alg.blades`` order."""

    __slots__ = ("alg", "values")

    def __init__(self, alg, values):
        values = tuple(strict_sympify(v, "multivector coefficient", DTypeError) for v in values)
        if len(values) != alg.dim:
            raise ShapeError(f"{len(values)} coefficients given; {alg!r} needs {alg.dim}")
        self.alg, self.values = alg, values

    @classmethod
    def make(cls, alg, values, grades=None):
        if isinstance(values, str):
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
        if not isinstance(other, Multivector):
            other = Multivector(self.alg, [other] + [0] * (self.alg.dim - 1))
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

    def subs(self, *args, **kwargs) -> Multivector:
        return Multivector(self.alg, [v.subs(*args, **kwargs) for v in self.values])

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
    if isinstance(other, Multivector):
        return other
    return Multivector(mv.alg, [other] + [0] * (mv.alg.dim - 1))
