"""How a symmetry's flow acts on solutions sampled on a periodic grid (symbolic part).

A solution of an evolution equation in one space variable is stored on a time grid
``t_k`` and a uniform periodic space grid ``x_j`` of period ``L``. For
``v = τ ∂t + ξ ∂x + Σ φ_a ∂u_a`` the flow ``exp(ε v)`` maps the graph of a solution to the
graph of another; :func:`grid_flow` decides how to carry that out on the grid, or refuses:

- ``"shift"``: ``x̃ = x + b(t, ε)``, ``t̃ = T(t, ε)``, ``ũ = U(t, u, ε)`` — translations,
  Galilean boosts: a (spectral) shift of each time slice, new time labels and a pointwise
  change of the field;
- ``"scale"``: ``x̃ = a(ε) x + b(t, ε)`` — scalings: the same, on a grid (and period)
  stretched by ``a``;
- ``"resample"``: ``τ = τ(t)``, ``ξ = ξ(t, x)`` and ``φ`` periodic in x — any other flow
  that keeps time slices apart: each target grid point is flowed back by ``-ε``, the
  solution interpolated there and the field flowed forward (closed form if SymPy finds one,
  else numerically); periodicity is checked on the data.

Refused, with the reason: ``τ`` depending on x or u (time slices mix), ``ξ`` depending on u,
a space scale factor depending on t, and coefficients polynomial in x of positive degree
beyond that of a scaling (never periodic).

>>> import sympy
>>> from symgen.pde import PDE
>>> sym = PDE("u_t + u*u_x + u_xxx").symmetries()
>>> t, x, u, eps = sympy.symbols("t x u epsilon", real=True)
>>> boost = grid_flow(sym.generators[2], t, x, [u], eps)
>>> boost.kind, boost.shift, boost.fields
('shift', epsilon*t, (epsilon + u,))
>>> grid_flow(sym.generators[3], t, x, [u], eps).kind
'scale'

The flow hands over the kernels that carry it out as :class:`~symgen.codegen.Pointwise` IR
(the torch side only runs them, :class:`symgen.nn.LieAugmentation`):

>>> boost.pointwise_irs("boost")
{'grid': Pointwise(boost_affine(t, epsilon) -> 5 outputs)}
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ...codegen import Pointwise
from ...errors import PDEError
from .flows import flow

__all__ = ["GridFlow", "grid_flow", "grid_variables", "EPSILON"]

EPSILON = sympy.Symbol("epsilon", real=True)
"""The default flow parameter ``ε``."""


@dataclass(frozen=True)
class GridFlow:
    """The recipe :func:`grid_flow` found for one generator (see the module docstring).

    ``time`` is ``T(t, ε)``, ``scale`` ``a(ε)``, ``shift`` ``b(t, ε)`` and ``fields`` the
    ``U_a(t, u, ε)`` (shift/scale kinds). For ``"resample"``, ``closed`` holds the closed
    form ``exp(εv)`` of every variable (or None: integrate ``v`` numerically) and
    ``field`` the coefficients ``(τ, ξ, φ_1, ...)``. ``affine`` is ``(M, c)`` when the field
    change is affine, ``U = M(t, ε) u + c(t, ε)`` (translations, boosts, scalings, rotations
    of components): it then acts on Fourier coefficients directly.

    ``variables`` are ``(t, x, u_1, ...)``, ``eps`` the flow parameter and ``params`` the
    equation's parameters (such as ``n`` in ``u_t = (u**n*u_x)_x``) the expressions use,
    sorted by name: the kernels take them as scalar parameters.
    """

    kind: str
    generator: object
    time: sympy.Expr
    scale: sympy.Expr = sympy.Integer(1)
    shift: sympy.Expr = sympy.Integer(0)
    fields: tuple = ()
    closed: dict | None = None
    field: tuple = ()
    affine: tuple | None = None
    variables: tuple = ()
    eps: sympy.Symbol | None = None
    params: tuple = ()

    def pointwise_irs(self, name: str) -> dict:
        """The kernels of the flow as Pointwise IR, keyed by their role.

        - ``"grid"`` (shift/scale): ``(t, ε) → (T, a, b)``, followed by the entries of ``M``
          (row by row) and of ``c`` when the field change is affine;
        - ``"field"`` (shift/scale, not affine): ``(t, u_1, ..., ε) → (U_1, ...)``;
        - ``"velocity"`` (resample): ``(t, x, u_1, ...) → (τ, ξ, φ_1, ...)``;
        - ``"map"`` (resample with a closed form): ``(t, x, u_1, ..., ε) → exp(εv)`` of each.

        Every kernel also takes ``self.params`` (scalars) after its inputs.
        """
        t, x, *us = self.variables
        eps = self.eps

        def ir(role, inputs, exprs):
            return Pointwise(f"{name}_{role}", inputs, tuple(exprs), self.params)

        if self.kind != "resample" and self.affine is not None:     # acts on Fourier coefficients
            M, c = self.affine
            outs = (self.time, self.scale, self.shift, *(e for row in M for e in row), *c)
            return {"grid": ir("affine", (t, eps), outs)}
        if self.kind != "resample":
            return {"grid": ir("grid", (t, eps), (self.time, self.scale, self.shift)),
                    "field": ir("field", (t, *us, eps), self.fields)}
        irs = {"velocity": ir("velocity", (t, x, *us), self.field)}
        if self.closed is not None:
            irs["map"] = ir("map", (t, x, *us, eps), [self.closed[z] for z in self.variables])
        return irs


def _x_degree(expr, x):
    """Degree of ``expr`` as a polynomial in ``x`` (None when it is not one)."""
    try:
        return sympy.Poly(expr, x).degree()
    except sympy.PolynomialError:
        return None


def _affine_in(fields, us):
    """``(M, c)`` with ``fields = M us + c`` when every field is affine in ``us``, else None."""
    M, c = [], []
    for U in fields:
        try:
            poly = sympy.Poly(U, *us)
        except sympy.PolynomialError:
            return None
        if poly.total_degree() > 1:
            return None
        M.append(tuple(poly.coeff_monomial(u) for u in us))
        c.append(poly.coeff_monomial(1))
    return tuple(M), tuple(c)


def _parameters(exprs, variables) -> tuple:
    """The symbols of ``exprs`` other than ``variables`` (the equation's parameters), by name."""
    free = set().union(*(e.free_symbols for e in exprs)) - set(variables)
    return tuple(sorted(free, key=str))


def grid_variables(parsed, time: str = "t") -> tuple:
    """``(t, x, (u_1, ...))``: the symbols of the time, space and dependent variables of a
    parsed PDE in one time and one space variable, as the flows use them.

    >>> from symgen.pde import PDE
    >>> grid_variables(PDE("u_t = u_xx").parsed)
    (t, x, (u,))
    """
    names = [str(v) for v in parsed.independent]
    if len(names) != 2 or time not in names:
        raise PDEError(f"periodic grids need one time variable {time!r} and one space "
                       f"variable; the PDE has independent variables {names}")
    space = next(n for n in names if n != time)
    us = tuple(sympy.Symbol(str(f.func), real=True) for f in parsed.dependent)
    return sympy.Symbol(time, real=True), sympy.Symbol(space, real=True), us


def grid_flow(generator, t, x, us, eps=EPSILON) -> GridFlow:
    """Classify ``exp(ε v)`` for periodic grids in ``x`` (see the module docstring).

    Raises :class:`~symgen.errors.PDEError` naming the reason when the flow cannot act on
    gridded solutions.
    """
    variables = (t, x, *us)
    coeffs = {str(k): v for k, v in generator.coefficients.items()}
    names = {str(t), str(x), *map(str, us)}
    if set(coeffs) - names:
        raise PDEError(f"{generator}: LieAugmentation handles one time and one space variable; "
                       f"the field also moves {sorted(set(coeffs) - names)}")
    rename = {sympy.Symbol(n, real=True): s for n, s in zip([str(t), str(x)] + [str(u) for u in us],
                                                            [t, x, *us])}
    tau, xi = (coeffs.get(str(z), sympy.Integer(0)).xreplace(rename) for z in (t, x))
    phi = tuple(coeffs.get(str(u), sympy.Integer(0)).xreplace(rename) for u in us)
    if tau.has(x, *us):
        raise PDEError(f"{generator}: τ = {tau} depends on x or u, so time slices mix; "
                       f"the flow does not preserve the time grid")
    if xi.has(*us):
        raise PDEError(f"{generator}: ξ = {xi} depends on u; the transformed graph is not "
                       f"sampled on a grid")
    deg_xi = _x_degree(xi, x)
    if deg_xi is not None and deg_xi >= 2:
        raise PDEError(f"{generator}: ξ = {xi} is polynomial of degree {deg_xi} in x; the flow "
                       f"does not preserve a uniform periodic grid")
    if deg_xi == 1 and sympy.diff(xi, x).has(t):
        raise PDEError(f"{generator}: the space scale factor ∂ξ/∂x = {sympy.diff(xi, x)} depends "
                       f"on t, so each time slice would need its own grid and period")
    bad = [p for p in phi if (_x_degree(p, x) or 0) > 0]
    if bad:
        raise PDEError(f"{generator}: φ = {bad[0]} grows polynomially in x; the transformed "
                       f"solution is not periodic (e.g. the heat equation's Galilean boost)")
    closed = flow(type(generator)({**{t: tau, x: xi}, **dict(zip(us, phi))}), eps)
    closed = closed if isinstance(closed, dict) else None      # NumericFlow: integrate v
    if closed is not None and deg_xi is not None and not any(U.has(x) for U in (closed[u] for u in us)):
        X = sympy.expand(closed[x])
        a = sympy.simplify(X.coeff(x, 1))
        b = sympy.simplify(X - a * x)
        if not b.has(x) and not a.has(t):
            fields = tuple(closed[u] for u in us)
            return GridFlow("scale" if a != 1 else "shift", generator, closed[t], a, b, fields,
                            affine=_affine_in(fields, us), variables=variables, eps=eps,
                            params=_parameters((closed[t], a, b, *fields), (*variables, eps)))
    if deg_xi == 1:
        raise PDEError(f"{generator}: a scaling whose flow has no closed form, or that changes "
                       f"u depending on x, cannot act on a periodic grid")
    exprs = (tau, xi, *phi, *(closed.values() if closed else ()))
    return GridFlow("resample", generator, closed[t] if closed else tau, closed=closed,
                    field=(tau, xi, *phi), variables=variables, eps=eps,
                    params=_parameters(exprs, (*variables, eps)))
