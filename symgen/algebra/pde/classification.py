"""Group classification: how a PDE's symmetry algebra depends on a free parameter.

For a constant parameter (``n`` in ``u_t = (u**n*u_x)_x``) the determining equations are
solved once with the parameter symbolic. Every division by an expression of the
parameter is recorded by the solver (``Symmetries.nonzero``); the algebra can only grow
where such an expression vanishes, or where splitting the determining equations over
``u**n`` as a function independent of the integer powers of ``u`` fails: where ``n - k``
(``k`` = 0, 1, 2: derivatives of the power) is an integer in -2..2 or equals another such
exponent (``u**n`` → ``u``; Burgers at n = 1 in ``u_t = u_xx + u**n*u_x``), and where a
symbolic exponential's argument loses its variable. Each real root is substituted and the
equation solved again; the values where the algebra grows are the special cases, the
others are kept in ``rejected``.

For an arbitrary function (``f(u)`` in ``u_t = u_xx + f(u)``) see
:func:`.function_classification.function_classification`.

>>> from symgen.algebra.pde.classification import group_classification
>>> table = group_classification("u_t = (u**n*u_x)_x", "n")
>>> [(str(c.condition), c.dimension, c.infinite) for c in (table.generic, *table.cases)]
[('n arbitrary', 4, False), ('n = -4/3', 5, False), ('n = 0', 6, True)]
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ...errors import PDEError
from .parse import ParsedPDE
from .symmetries import Symmetries, point_symmetries

__all__ = ["ClassificationCase", "GroupClassification", "group_classification", "grows",
           "substituted", "candidate_values"]


@dataclass(frozen=True)
class ClassificationCase:
    """One row of a classification table: the ``parameter`` (a symbol, or an applied
    function ``f(u)``) equal to ``value`` (``None``: arbitrary), and the
    :class:`~.symmetries.Symmetries` of the equation there."""

    parameter: sympy.Expr
    value: sympy.Expr | None
    symmetries: Symmetries

    @property
    def condition(self) -> str:
        return f"{self.parameter} arbitrary" if self.value is None else f"{self.parameter} = {self.value}"

    @property
    def dimension(self):
        return self.symmetries.dimension

    @property
    def infinite(self) -> bool:
        return self.symmetries.infinite

    @property
    def generators(self) -> tuple:
        return self.symmetries.generators

    @property
    def infinite_part(self) -> tuple:
        return self.symmetries.infinite_part

    def __str__(self):
        size = "?" if self.dimension is None else str(self.dimension)
        size += " + ∞" if self.infinite else ""
        gens = ", ".join(map(str, self.generators))
        extra = f"; ∞: {self.symmetries.infinite_description}" if self.infinite else ""
        return f"{self.condition}: {size}  [{gens}{extra}]"


@dataclass(frozen=True)
class GroupClassification:
    """The table: ``generic`` (parameter arbitrary), the special ``cases`` where the
    algebra grows, the candidate values that turned out not to extend it (``rejected``),
    and, for a function parameter, the ``classifying_equations`` and the candidates the
    solver could not decide (``unresolved``: pairs ``(value, reason)``)."""

    parameter: sympy.Expr
    generic: ClassificationCase
    cases: tuple
    rejected: tuple = ()
    classifying_equations: tuple = ()
    unresolved: tuple = ()

    def __str__(self):
        rows = [str(self.generic), *map(str, self.cases)]
        if self.unresolved:
            rows += [f"{self.parameter} = {v}: not decided ({why})" for v, why in self.unresolved]
        return "\n".join(rows)


def grows(special: Symmetries, generic: Symmetries) -> bool:
    """Whether ``special`` is a larger algebra than ``generic``: an infinite part that
    ``generic`` lacks, or more finite generators.

    >>> from symgen.pde import PDE
    >>> grows(PDE("u_t = u_xx").symmetries(), PDE("u_t = (u**2*u_x)_x").symmetries())
    True
    """
    if special.infinite != generic.infinite:
        return special.infinite
    if special.dimension is None or generic.dimension is None:
        return False
    return special.dimension > generic.dimension


def substituted(parsed: ParsedPDE, old, new) -> ParsedPDE:
    """The parsed PDE with ``old`` replaced by ``new``: a parameter by a value, or an
    arbitrary function (``sympy.Function("f")``) by a ``sympy.Lambda``; parameters are
    those left in the equations.

    >>> from symgen.algebra.pde.parse import parse_pde
    >>> n = sympy.Symbol("n")
    >>> substituted(parse_pde("u_t = (u**n*u_x)_x"), n, 0).equations
    (Derivative(u(t, x), t) - Derivative(u(t, x), (x, 2)),)
    """
    if isinstance(old, sympy.core.function.UndefinedFunction):
        eqs = tuple(sympy.expand(e.replace(old, new).doit()) for e in parsed.equations)
    else:
        eqs = tuple(sympy.expand(e.subs(old, new)) for e in parsed.equations)
    variables = set(parsed.independent)
    params = sorted(set().union(*(e.free_symbols for e in eqs)) - variables, key=str)
    return ParsedPDE(eqs, parsed.independent, parsed.dependent, tuple(params))


#: Shifts ``k`` of a symbolic exponent ``n`` (derivatives bring ``u**(n - k)``) and the
#: integer exponents ``j`` it is compared with: where ``n - k = j`` the split of the
#: determining equations (``u**n`` as a function independent of the powers of ``u``) fails.
SHIFTS, INTEGER_POWERS = range(3), range(-2, 3)


def candidate_values(sym: Symmetries, parsed: ParsedPDE, p) -> list:
    """Real values of ``p`` where a recorded divisor vanishes, or where a symbolic power of
    the equation coincides with another (``u**n`` with ``u``: Burgers at n = 1 in
    ``u_t = u_xx + u**n*u_x``), or a symbolic exponential argument with 0.

    >>> from symgen.pde import PDE
    >>> eq = PDE("u_t = (u**n*u_x)_x")
    >>> candidate_values(eq.symmetries(), eq.parsed, sympy.Symbol("n"))
    [-2, -4/3, -1, 0, 1, 2, 3, 4]
    """
    exprs = [a for a in sym.nonzero if a.has(p)]
    exponents = {w.exp for e in parsed.equations for w in e.atoms(sympy.Pow) if w.exp.has(p)}
    shifted = {e - k for e in exponents for k in SHIFTS} | {sympy.Integer(j) for j in INTEGER_POWERS}
    exprs += [a - b for a in shifted for b in shifted if (a - b).has(p)]
    exprs += [sympy.diff(a.args[0], v) for e in parsed.equations for a in e.atoms(sympy.exp) if a.has(p)
              for v in a.args[0].free_symbols - set(parsed.parameters)]
    values = []
    for e in exprs:
        for r in sympy.solve(e, p, dict=False):
            r = sympy.nsimplify(r) if r.is_Float else r
            if r.is_real is not False and r not in values:
                values.append(r)
    return sorted(values, key=lambda r: (not r.is_number, float(r) if r.is_number else 0, str(r)))


def _parameter(parsed: ParsedPDE, parameter):
    if isinstance(parameter, sympy.Symbol):
        parameter = parameter.name
    if not isinstance(parameter, str):
        raise PDEError(f"the parameter to classify by is a name such as 'n', got {parameter!r}")
    found = [p for p in parsed.parameters if p.name == parameter]
    if not found:
        names = ", ".join(p.name for p in parsed.parameters) or "none"
        raise PDEError(f"{parameter!r} is not a parameter of the equation; its parameters: {names}")
    return found[0]


def group_classification(pde, parameter, max_degree: int = 4) -> GroupClassification:
    """Classify the Lie point symmetries of ``pde`` by its ``parameter``.

    ``pde``: a :class:`~.equation.PDE` or a PDE string; ``parameter``: the name of a
    constant parameter (``"n"``) or of an arbitrary function written as a call in the
    string (``"f"`` in ``"u_t = u_xx + f(u)"``, see
    :mod:`.function_classification`). Returns a :class:`GroupClassification`: the generic
    algebra and every special value where it grows (module docstring).

    >>> table = group_classification("u_tt = (u**n*u_x)_x", "n")     # nonlinear wave equation
    >>> [(str(c.value), c.dimension) for c in table.cases]
    [('-4', 5), ('-4/3', 5), ('0', None)]
    """
    from .equation import PDE
    if isinstance(pde, str):
        from .function_classification import arbitrary_functions, function_classification
        if arbitrary_functions(pde, parameter):
            return function_classification(pde, parameter, max_degree)
        pde = PDE(pde)
    if not isinstance(pde, PDE):
        raise PDEError(f"group_classification takes a PDE or a PDE string, got {pde!r}")
    parsed = pde.parsed
    p = _parameter(parsed, parameter)
    generic = pde.symmetries(max_degree)
    cases, rejected, unresolved = [], [], []
    for value in candidate_values(generic, parsed, p):
        try:
            sym = point_symmetries(substituted(parsed, p, value), max_degree)
        except PDEError as exc:
            unresolved.append((value, str(exc).split("\n")[0][:200]))
            continue
        case = ClassificationCase(p, value, sym)
        (cases if grows(sym, generic) else rejected).append(case)
    return GroupClassification(p, ClassificationCase(p, None, generic), tuple(cases), tuple(rejected),
                               unresolved=tuple(unresolved))
