"""Finite transformations ``exp(ε v)`` of symmetry generators, and their action on solutions.

Closed forms come from the Lie series ``Σ εᵏ/k! vᵏ(z)`` when it terminates (translations,
Galilean boosts), from the matrix exponential when ``v`` is affine in the variables
(scalings, rotations, boosts), from SymPy's ``dsolve`` of the characteristic equations one
variable at a time when they are triangular (projective generators), and of the whole
characteristic system otherwise. A field none of these solves gets a :class:`NumericFlow`: the characteristic
ODEs integrated numerically (mpmath's Taylor-series solver, to 15 digits).

>>> import sympy
>>> from symgen.algebra.pde.symmetries import VectorField
>>> t, x, u, eps = sympy.symbols("t x u epsilon", real=True)
>>> flow(VectorField({t: 0, x: t, u: 1}), eps)
{t: t, x: epsilon*t + x, u: epsilon + u}
>>> flow(VectorField({t: 3*t, x: x, u: -2*u}), eps)
{t: t*exp(3*epsilon), x: x*exp(epsilon), u: u*exp(-2*epsilon)}
"""

from __future__ import annotations

import sympy

from ..._sympify import strict_sympify
from ..._validate import NON_FINITE
from ...errors import PDEError

__all__ = ["flow", "NumericFlow", "transform_solution"]


def _lie_series(field, eps, max_terms=12):
    out = {}
    for z in field.coefficients:
        term, total = z, z
        for k in range(1, max_terms):
            term = field(term)
            if term == 0:
                break
            if sympy.count_ops(term) > 400:   # not terminating: give up before it explodes
                return None
            total += eps ** k / sympy.factorial(k) * term
        else:
            return None
        out[z] = sympy.expand(total)
    return out


def _affine(field, eps):
    zs = list(field.coefficients)
    try:
        polys = [sympy.Poly(field.coefficients[z], *zs) for z in zs]
    except sympy.PolynomialError:
        return None
    if any(p.total_degree() > 1 for p in polys):
        return None
    A = sympy.Matrix([[p.coeff_monomial(z) for z in zs] for p in polys])
    b = sympy.Matrix([p.coeff_monomial(1) for p in polys])
    z0 = sympy.Matrix(zs)
    # z' = A z + b  =>  z(ε) = e^{εA} z0 + ∫_0^ε e^{sA} ds b
    s = sympy.Dummy("s")
    E = (eps * A).exp()
    integral = ((s * A).exp() * b).applyfunc(lambda e: sympy.integrate(e, (s, 0, eps)))
    z = E * z0 + integral
    return {zz: sympy.simplify(v) for zz, v in zip(zs, z)}


def _solves(candidate, rhs, z, eps) -> bool:
    """``z(ε) = candidate`` solves ``z' = rhs(z)`` with ``z(0) = z``: exactly when SymPy can
    show it, else at three sample points to 1e-10 (dsolve may return a wrong branch)."""
    residuals = [candidate.diff(eps) - rhs.xreplace({z: candidate}), candidate.subs(eps, 0) - z]
    if all(sympy.simplify(r) == 0 for r in residuals):
        return True
    symbols = sorted(set().union(*(r.free_symbols for r in residuals)), key=str)
    for point in ((0.13, 0.37, 0.29, 0.41), (0.31, 0.17, 0.43, 0.23), (0.21, 0.47, 0.11, 0.35)):
        values = {q: sympy.Float(point[i % 4] + 0.01 * i) for i, q in enumerate(symbols)}
        if any(abs(complex(r.xreplace(values).evalf(30))) > 1e-10 for r in residuals):
            return False
    return True


def _triangular(field, eps):
    """Characteristic ODEs solved one at a time: each step takes a variable whose velocity,
    with the variables already solved substituted as functions of ε, involves only itself
    (``t' = -t²``, then ``x' = -t(ε) x``, then ``u' = t(ε) u + x(ε)`` for Burgers' projective
    generator)."""
    solved = {z: z for z, c in field.coefficients.items() if c == 0}
    pending = [z for z in field.coefficients if z not in solved]
    Z = sympy.Function("Z")(eps)
    while pending:
        for z in pending:
            rhs = field.coefficients[z].xreplace(solved)
            if not rhs.free_symbols & set(pending) - {z}:
                break
        else:
            return None
        try:
            sol = sympy.dsolve(sympy.Eq(Z.diff(eps), rhs.xreplace({z: Z})), Z, ics={Z.subs(eps, 0): z})
        except Exception:  # noqa: BLE001 -- dsolve fails in many ways; the caller falls back
            return None
        sols = [sympy.simplify(q.rhs) for q in (sol if isinstance(sol, list) else [sol])
                if q.lhs == Z and not q.rhs.has(Z)]
        sols = [q for q in sols if _solves(q, rhs, z, eps)]
        if not sols:                                  # implicit, or a wrong branch
            return None
        solved[z] = sols[0]
        pending.remove(z)
    return {z: solved[z] for z in field.coefficients}


def _dsolve(field, eps):
    moving = [z for z, c in field.coefficients.items() if c != 0]
    funcs = [sympy.Function(f"Z{q}")(eps) for q in range(len(moving))]
    sub = dict(zip(moving, funcs))
    system = [sympy.Eq(f.diff(eps), field.coefficients[z].xreplace(sub)) for z, f in zip(moving, funcs)]
    try:
        sols = sympy.dsolve(system if len(system) > 1 else system[0], funcs if len(funcs) > 1 else funcs[0],
                            ics={f.subs(eps, 0): z for f, z in zip(funcs, moving)})
    except Exception:  # noqa: BLE001 -- dsolve fails in many ways; the caller falls back
        return None
    sols = sols if isinstance(sols, list) else [sols]
    if len(sols) != len(moving) or any(s.lhs not in funcs or s.rhs.has(*funcs) for s in sols):
        return None
    out = {z: z for z in field.coefficients}
    out.update({z: sympy.simplify(s.rhs) for z, s in zip(moving, sols)})
    return out


class NumericFlow:
    """``exp(ε v)`` where SymPy finds no closed form, evaluated at numeric points.

    >>> from symgen.algebra.pde.symmetries import VectorField
    >>> x, eps = sympy.symbols("x epsilon", real=True)
    >>> phi = flow(VectorField({x: 1 / (2 + sympy.cos(x))}), eps)
    >>> phi
    NumericFlow(1/(cos(x) + 2)∂x)
    >>> x1 = phi({x: 0.0}, 0.5)[x]        # exact: 2 x1 + sin(x1) = 0.5
    >>> abs(2 * x1 + sympy.sin(x1) - 0.5) < 1e-14
    True
    """

    def __init__(self, field):
        self.field = field
        self.variables = list(field.coefficients)
        self._rhs = sympy.lambdify(self.variables, [field.coefficients[z] for z in self.variables],
                                   modules="mpmath")

    def __repr__(self):
        return f"NumericFlow({self.field})"

    def __call__(self, point: dict, eps: float) -> dict:
        """The image of ``point`` ({variable: number}) under ``exp(eps v)``, as floats."""
        import mpmath

        sign = 1 if eps >= 0 else -1
        start = [mpmath.mpf(float(point.get(z, point.get(str(z), 0)))) for z in self.variables]
        solution = mpmath.odefun(lambda s, z: [sign * c for c in self._rhs(*z)], 0, start)
        return {z: float(v) for z, v in zip(self.variables, solution(abs(float(eps))))}


def flow(field, eps):
    """``exp(ε v)``: the image of each variable after flowing for time ``ε``, as SymPy
    expressions, or a :class:`NumericFlow` when no closed form is found."""
    value = strict_sympify(eps, "flow parameter eps", PDEError)
    if not hasattr(field, "coefficients"):
        raise PDEError(f"flow takes a VectorField, got {field!r}")
    if not isinstance(value, sympy.Expr) or value.has(*NON_FINITE):
        raise PDEError(f"flow parameter eps is {eps!r}; expected a finite number or a SymPy symbol")
    param = value if isinstance(value, sympy.Symbol) else sympy.Symbol("epsilon", real=True)
    for method in (_lie_series, _affine, _triangular, _dsolve):
        result = method(field, param)
        if result is not None:
            return {z: sympy.simplify(e.subs(param, value)) for z, e in result.items()}
    return NumericFlow(field)


def transform_solution(transformation, solution, independent, dependent):
    """The solution ``ũ`` obtained by transforming the graph of ``u = solution(x)``.

    Needs the independent variables to transform among themselves (``ξ`` free of u, as
    for every generator of evolution equations here) and SymPy to invert that map.
    """
    if isinstance(transformation, NumericFlow):
        raise PDEError(f"{transformation} has no closed form to transform a symbolic solution "
                       f"with; evaluate it at points instead")
    new = {x: sympy.Symbol(f"{x}_new", real=True) for x in independent}
    on_graph = {dependent: solution}
    eqs = [sympy.Eq(transformation[x].xreplace(on_graph), new[x]) for x in independent]
    if any(transformation[x].has(dependent) for x in independent):
        raise PDEError("the transformation mixes the dependent variable into the independent "
                       "ones; cannot invert it on a graph")
    inverse = sympy.solve(eqs, list(independent), dict=True)
    if not inverse:
        raise PDEError("could not invert the transformation of the independent variables")
    value = transformation[dependent].xreplace(on_graph).xreplace(inverse[0])
    return sympy.simplify(value.xreplace({v: k for k, v in new.items()}))
