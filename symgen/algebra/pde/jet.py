"""Jet space: derivatives as plain symbols, and the total derivative.

``u_J`` for a multi-index ``J`` (a tuple of independent-variable positions, sorted) is
the symbol ``u_tx`` etc.; :meth:`Jet.total_derivative` is ``D_i = ∂_i + Σ u_{J+i} ∂_{u_J}``.

>>> import sympy
>>> t, x = sympy.symbols("t x", real=True)
>>> jet = Jet((t, x), ("u",))
>>> u, ux = jet.var(0, ()), jet.var(0, (1,))
>>> jet.total_derivative(u * ux, 1)
u*u_xx + u_x**2
"""

from __future__ import annotations

import sympy

__all__ = ["Jet"]


class Jet:
    """Jet variables of ``dependent`` names over ``independent`` symbols."""

    def __init__(self, independent, dependent):
        self.x = tuple(independent)
        self.names = tuple(dependent)
        self._vars: dict = {}

    def var(self, a: int, J: tuple) -> sympy.Symbol:
        J = tuple(sorted(J))
        if (a, J) not in self._vars:
            suffix = "".join(str(self.x[i]) for i in J)
            self._vars[(a, J)] = sympy.Symbol(f"{self.names[a]}_{suffix}" if J else self.names[a],
                                              real=True)
        return self._vars[(a, J)]

    def index(self) -> dict:
        """``{symbol: (a, J)}`` for every jet variable made so far."""
        return {s: key for key, s in self._vars.items()}

    def from_sympy(self, expr, functions) -> sympy.Expr:
        """Replace ``u(t, x)`` and its ``Derivative`` objects by jet symbols."""
        reps = {}
        for d in expr.atoms(sympy.Derivative):
            if d.expr not in functions:         # f'(u) of an arbitrary f(u): kept, see below
                continue
            a = functions.index(d.expr)
            J = tuple(i for v, k in d.variable_count for i in [self.x.index(v)] * k)
            reps[d] = self.var(a, J)
        expr = expr.xreplace(reps)
        expr = expr.xreplace({f: self.var(a, ()) for a, f in enumerate(functions)})
        return expr.doit() if expr.has(sympy.Subs) else expr     # Subs(f'(ξ), ξ, u) -> f'(u)

    def total_derivative(self, expr, i: int) -> sympy.Expr:
        """``D_i expr``, expanded. Polynomials are differentiated term by term on their
        exponent dictionaries (the prolongation's hot path); anything else via ``diff``."""
        fast = self._total_derivative_poly(expr, i)
        if fast is not None:
            return fast
        out = sympy.diff(expr, self.x[i])
        for s, (a, J) in list(self.index().items()):
            if expr.has(s):
                out += sympy.diff(expr, s) * self.var(a, J + (i,))
        return sympy.expand(out)

    def _total_derivative_poly(self, expr, i: int):
        gens = sorted(expr.free_symbols, key=str)
        if not gens:
            return sympy.Integer(0)
        try:
            terms = sympy.Poly(expr, *gens).as_dict()
        except sympy.PolynomialError:
            return None
        index = self.index()
        # d/dg for each generator g that D_i touches, times what D_i multiplies it by
        targets = [(q, sympy.Integer(1)) for q, g in enumerate(gens) if g == self.x[i]]
        targets += [(q, self.var(*index[g][:1], index[g][1] + (i,))) for q, g in enumerate(gens)
                    if g in index]
        out: dict = {}
        for monom, c in terms.items():
            for q, factor in targets:
                k = monom[q]
                if k:
                    m = monom[:q] + (k - 1,) + monom[q + 1:]
                    key = (m, factor)
                    out[key] = out.get(key, 0) + c * k
        return sympy.Add(*(c * factor * sympy.Mul(*(g ** e for g, e in zip(gens, m) if e))
                           for (m, factor), c in out.items()))
