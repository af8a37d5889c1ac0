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
from ..._validate import check_int
from ...errors import PDEError, PDEParseError
from .jet import Jet
from .parse import ParsedPDE, parse_pde
from .residuals import residual_gradient_ir, residual_ir
from .symmetries import (Symmetries, VectorField, leading_derivative, point_symmetries, prolonged_action,
                         substitute_leading)

__all__ = ["PDE"]


def _name(v) -> str:
    """Name of a variable given as a string, a symbol, a function or an applied ``u(t, x)``."""
    return str(v.func) if isinstance(v, sympy.core.function.AppliedUndef) else str(v)


def _from_sympy(equations, independent, dependent) -> ParsedPDE:
    if independent is None or dependent is None:
        raise PDEParseError("SymPy input needs independent=[...] and dependent=[...]")
    independent, dependent = ([str(v) for v in names.replace(",", " ").split()] if isinstance(names, str)
                              else names for names in (independent, dependent))
    for what, names in (("independent", independent), ("dependent", dependent)):
        if not names or any(not _name(v).isidentifier() for v in names):
            raise PDEParseError(f"{what} variables must be a non-empty list of names or symbols, "
                                f"got {names!r}")
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
    unknown = sorted({str(f.func) for e in eqs for f in e.atoms(sympy.core.function.AppliedUndef)}
                     - {str(f.func) for f in funcs})
    if unknown:
        raise PDEParseError(f"unknown function {unknown[0]!r} in the equations; dependent variables: "
                            f"{', '.join(str(f.func) for f in funcs)}")
    params = tuple(sorted(set().union(*(e.free_symbols for e in eqs)) - set(xs), key=str))
    return ParsedPDE(tuple(eqs), xs, funcs, params)


#: Largest polynomial degree of the symmetry ansatz (the solve grows fast with it).
MAX_DEGREE = 12


def _check_derivatives(parsed: ParsedPDE) -> None:
    """Every equation contains a derivative of a dependent variable (else it is no PDE)."""
    funcs = set(parsed.dependent)
    if not parsed.equations:
        raise PDEError("no equation given")
    for e in parsed.equations:
        if not any(d.expr in funcs for d in e.atoms(sympy.Derivative)):
            names = ", ".join(str(f.func) for f in parsed.dependent)
            raise PDEError(f"equation {e} = 0 has no derivative of {names}; a PDE needs at least "
                           f"one derivative such as {str(parsed.dependent[0].func)}_"
                           f"{parsed.independent[0] if parsed.independent else 'x'}")


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
        _check_derivatives(self.parsed)
        self._symmetries: dict = {}

    @property
    def equations(self):
        return self.parsed.equations

    def __repr__(self):
        return "PDE(" + "; ".join(f"{e} = 0" for e in self.parsed.equations) + ")"

    def symmetries(self, max_degree: int = 4, factors=()) -> Symmetries:
        """Lie point symmetries by differential elimination of the determining equations
        (no ansatz; see :func:`~symgen.algebra.pde.symmetries.point_symmetries`).

        ``max_degree`` bounds the polynomial solutions tried for a finite-type remainder
        the elimination cannot integrate, and, with ``factors`` (SymPy expressions such as
        ``exp(t)``), the polynomial sample listed as ``generators`` when the algebra is
        infinite and no finite part separates (wave, KP).

        >>> fp = PDE("u_t = u_xx + x*u_x + u")          # Ornstein–Uhlenbeck / Fokker–Planck
        >>> fp.symmetries().dimension, fp.symmetries().infinite
        (6, True)
        """
        max_degree = check_int(max_degree, "max_degree", PDEError, 1, MAX_DEGREE)
        if isinstance(factors, (str, sympy.Basic)) or not hasattr(factors, "__iter__"):
            raise PDEError(f"factors must be a list of SymPy expressions such as [exp(t)], got {factors!r}")
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
        found = self.__dict__.get("_residual_ir")    # built once: PINN losses ask every step
        if found is None:
            found = self.__dict__["_residual_ir"] = residual_ir(self.parsed)
        return found

    def residual_gradient_ir(self):
        """``D_i Δ`` of each equation along each independent variable as IR on jet
        variables (gradient-enhanced PINNs, :func:`symgen.nn.residual_gradient`).

        >>> PDE("u_t = u_xx").residual_gradient_ir().ir
        Pointwise(residual_gradient(t, x, u_tt, u_tx, u_txx, u_xxx) -> 2 outputs)
        """
        found = self.__dict__.get("_residual_gradient_ir")
        if found is None:
            found = self.__dict__["_residual_gradient_ir"] = residual_gradient_ir(self.parsed)
        return found

    def is_symmetry(self, field: VectorField) -> bool:
        """Whether ``pr v (Δ)`` vanishes on solutions, exactly (symbolic zero).

        The field's symbols are matched to the PDE's variables and parameters by name (see
        :meth:`VectorField.renamed`), so ``sympy.Symbol("x")`` means the PDE's ``x``; a
        name the PDE does not have raises :class:`~symgen.errors.PDEError`.

        >>> x = sympy.Symbol("x")
        >>> PDE("u_t = (u**2*u_x)_x").is_symmetry(VectorField({x: x}))
        False
        >>> PDE("u_t = (u**2*u_x)_x").is_symmetry(VectorField({x: x, sympy.Symbol("u"): sympy.Symbol("u")}))
        True
        """
        if not isinstance(field, VectorField):
            raise PDEError(f"is_symmetry takes a VectorField, got {field!r}")
        jet = Jet(self.parsed.independent, [str(f.func) for f in self.parsed.dependent])
        eqs = [sympy.expand(jet.from_sympy(e, list(self.parsed.dependent))) for e in self.parsed.equations]
        leads = [leading_derivative(jet, e) for e in eqs]
        us = [jet.var(a, ()) for a in range(len(self.parsed.dependent))]
        coeffs = field.renamed([*jet.x, *us], self.parsed.parameters).coefficients
        xi = [coeffs.get(x, sympy.S.Zero) for x in jet.x]
        phi = [coeffs.get(u, sympy.S.Zero) for u in us]
        return all(sympy.simplify(substitute_leading(jet, prolonged_action(jet, e, xi, phi), leads)) == 0
                   for e in eqs)
