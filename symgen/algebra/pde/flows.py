"""Finite transformations ``exp(ε v)`` of symmetry generators, and their action on solutions.

Closed forms come from the Lie series ``Σ εᵏ/k! vᵏ(z)`` when it terminates (translations,
Galilean boosts), from the matrix exponential when ``v`` is affine in the variables
(scalings, rotations, boosts), and from SymPy's ``dsolve`` of the characteristic system
otherwise; a field none of these solves raises :class:`~symgen.errors.PDEError`.

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

__all__ = ["flow", "transform_solution"]


def _lie_series(field, eps, max_terms=12):
    out = {}
    for z in field.coefficients:
        term, total = z, z
        for k in range(1, max_terms):
            term = field(term)
            if term == 0:
                break
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
    zs = list(field.coefficients)
    funcs = [sympy.Function(f"Z{q}")(eps) for q in range(len(zs))]
    sub = dict(zip(zs, funcs))
    system = [sympy.Eq(f.diff(eps), field.coefficients[z].xreplace(sub)) for z, f in zip(zs, funcs)]
    try:
        sols = sympy.dsolve(system, funcs, ics={f.subs(eps, 0): z for f, z in zip(funcs, zs)})
    except (NotImplementedError, ValueError, TypeError):
        return None
    sols = sols if isinstance(sols, list) else [sols]
    return {z: sympy.simplify(s.rhs) for z, s in zip(zs, sols)}


def flow(field, eps):
    """``exp(ε v)``: the image of each variable after flowing for time ``ε``."""
    value = sympy.sympify(eps)
    param = value if isinstance(value, sympy.Symbol) else sympy.Symbol("epsilon", real=True)
    for method in (_lie_series, _affine, _dsolve):
        result = method(field, param)
        if result is not None:
            return {z: sympy.simplify(e.subs(param, value)) for z, e in result.items()}
    raise PDEError(f"no closed-form flow found for {field}; a numeric flow is not available yet")


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
