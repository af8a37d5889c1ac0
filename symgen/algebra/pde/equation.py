"""The ``PDE`` object: parsed equations and their Lie point symmetries.

>>> eq = PDE("u_t + u*u_x + u_xxx")
>>> sym = eq.symmetries()
>>> sym.dimension
4
>>> print(sym.generators[2])
t∂x + ∂u
>>> eq.is_symmetry(sym.generators[3])
True
"""

from __future__ import annotations

import sympy

from ..._sympify import strict_sympify
from ...errors import PDEParseError
from .jet import Jet
from .parse import ParsedPDE, parse_pde
from .residuals import residual_ir
from .symmetries import (Symmetries, VectorField, leading_derivative, point_symmetries, prolonged_action,
                         substitute_leading)

__all__ = ["PDE"]


def _from_sympy(equations, independent, dependent) -> ParsedPDE:
    if independent is None or dependent is None:
        raise PDEParseError("SymPy input needs independent=[...] and dependent=[...]")
    xs = tuple(sympy.Symbol(str(x), real=True) for x in independent)
    funcs = tuple(sympy.Function(str(getattr(u, "func", u)))(*xs) for u in dependent)
    rename = {sympy.Symbol(str(x)): s for x, s in zip(independent, xs)}
    eqs = []
    for e in equations:
        e = e.lhs - e.rhs if isinstance(e, sympy.Equality) else strict_sympify(e, "equation", PDEParseError)
        e = e.xreplace(rename)
        for u, f in zip(dependent, funcs):
            old = u if isinstance(u, sympy.Expr) and not isinstance(u, sympy.Symbol) else \
                sympy.Function(str(u))(*[rename.get(sympy.Symbol(str(x)), x) for x in independent])
            e = e.subs(old, f)
        eqs.append(sympy.expand(e.doit()))
    params = tuple(sorted(set().union(*(e.free_symbols for e in eqs)) - set(xs), key=str))
    return ParsedPDE(tuple(eqs), xs, funcs, params)


class PDE:
    """A PDE (or system) given as a string, a SymPy expression/equation, or a list of them.

    Strings (one, ``;``-separated for a system, or a list of strings) are parsed with a
    whitelist (see :mod:`symgen.algebra.pde.parse`); SymPy input needs ``independent`` and
    ``dependent``.
    """

    def __init__(self, equation, independent=None, dependent=None, params=None):
        if isinstance(equation, (list, tuple)) and equation and all(isinstance(e, str) for e in equation):
            equation = "; ".join(equation)
        if isinstance(equation, str):
            self.parsed = parse_pde(equation, independent, dependent, params)
        else:
            items = equation if isinstance(equation, (list, tuple)) else [equation]
            self.parsed = _from_sympy(items, independent, dependent)
        self._symmetries: dict = {}

    @property
    def equations(self):
        return self.parsed.equations

    def __repr__(self):
        return "PDE(" + "; ".join(f"{e} = 0" for e in self.parsed.equations) + ")"

    def symmetries(self, max_degree: int = 4, factors=()) -> Symmetries:
        """Lie point symmetries, polynomial in the variables up to ``max_degree``; ``factors``
        (SymPy expressions such as ``exp(t)``) widen the ansatz to polynomials times each.

        >>> import sympy
        >>> t = sympy.Symbol("t")
        >>> fp = PDE("u_t = u_xx + x*u_x + u")          # Ornstein–Uhlenbeck / Fokker–Planck
        >>> fp.symmetries().dimension, fp.symmetries(factors=[sympy.exp(k * t) for k in (-2, -1, 1, 2)]).dimension
        (2, 6)
        """
        key = (max_degree, tuple(factors))
        if key not in self._symmetries:
            self._symmetries[key] = point_symmetries(self.parsed, max_degree, factors)
        return self._symmetries[key]

    def residual_ir(self):
        """``Δ`` of each equation as IR on jet variables (PINN losses,
        :func:`symgen.nn.pde_residual`); see :mod:`.residuals`.

        >>> PDE("u_t = u_xx").residual_ir().ir
        Pointwise(pde_residual(t, x, u_t, u_xx) -> 1 outputs)
        """
        return residual_ir(self.parsed)

    def is_symmetry(self, field: VectorField) -> bool:
        """Whether ``pr v (Δ)`` vanishes on solutions, exactly (symbolic zero)."""
        jet = Jet(self.parsed.independent, [str(f.func) for f in self.parsed.dependent])
        eqs = [sympy.expand(jet.from_sympy(e, list(self.parsed.dependent))) for e in self.parsed.equations]
        leads = [leading_derivative(jet, e) for e in eqs]
        us = [jet.var(a, ()) for a in range(len(self.parsed.dependent))]
        coeffs = {str(k): v for k, v in field.coefficients.items()}
        xi = [coeffs.get(str(x), sympy.S.Zero) for x in jet.x]
        phi = [coeffs.get(str(u), sympy.S.Zero) for u in us]
        return all(sympy.simplify(substitute_leading(jet, prolonged_action(jet, e, xi, phi), leads)) == 0
                   for e in eqs)
