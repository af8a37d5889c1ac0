"""Finite transformations ``exp(ε v)`` of symmetry generators, and their action on solutions.

Closed forms come from the Lie series ``Σ εᵏ/k! vᵏ(z)`` when it terminates (translations,
Galilean boosts), from the matrix exponential when ``v`` is affine in the variables
(scalings, rotations, boosts), and from SymPy's ``dsolve`` of the characteristic system
otherwise. A field none of these solves gets a :class:`NumericFlow`: the characteristic
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
    field = type(field)({z: sympy.sympify(c) for z, c in field.coefficients.items()})
    value = sympy.sympify(eps)
    param = value if isinstance(value, sympy.Symbol) else sympy.Symbol("epsilon", real=True)
    for method in (_lie_series, _affine, _dsolve):
        result = method(field, param)
        if result is not None:
            return {z: sympy.simplify(e.subs(param, value)) for z, e in result.items()}
    return NumericFlow(field)


def transform_solution(transformation, solution, independent, dependent):
    """The solution ``ũ`` obtained by transforming the graph of ``u = solution(x)``.

    Needs the independent variables to transform among themselves (``ξ`` free of u, as
    for every generator of evolution equations here) and SymPy to invert that map.
    """
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
