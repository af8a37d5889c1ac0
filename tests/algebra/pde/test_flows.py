"""Flows of symmetry generators map exact solutions to exact solutions."""

import numpy as np
import sympy

from symgen.algebra.pde.flows import flow, transform_solution
from symgen.pde import PDE

t, x = sympy.symbols("t x", real=True)
u = sympy.Symbol("u", real=True)
eps = sympy.Symbol("epsilon", real=True)


def residual(eq, solution):
    f = sympy.Function("u")(t, x)
    expr = eq.parsed.equations[0]
    return expr.subs(f, solution).doit()


def assert_solves(eq, solution, points=((0.3, 0.2), (1.1, -0.7), (0.6, 1.9))):
    r = residual(eq, solution)
    for tv, xv in points:
        assert abs(complex(r.subs({t: tv, x: xv}).evalf(30))) < 1e-12, (solution, tv, xv)


def test_kdv_soliton_under_every_flow():
    eq = PDE("u_t + u*u_x + u_xxx")
    c = sympy.Rational(3, 2)
    soliton = 3 * c / sympy.cosh(sympy.sqrt(c) / 2 * (x - c * t)) ** 2
    assert_solves(eq, soliton)
    sym = eq.symmetries()
    for i in range(sym.dimension):
        moved = transform_solution(sym.flow(i, sympy.Rational(1, 3)), soliton, (t, x), u)
        assert_solves(eq, moved)
        assert abs(float((moved - soliton).subs({t: 0.37, x: 0.91}))) > 1e-6   # a new solution


def test_heat_kernel_under_galilean_boost():
    eq = PDE("u_t = u_xx")
    # centred off the origin: the kernel at the origin is itself boost-invariant
    kernel = sympy.exp(-(x - sympy.Rational(3, 10)) ** 2 / (4 * t)) / sympy.sqrt(t)
    assert_solves(eq, kernel)
    galilean = [g for g in eq.symmetries().generators if g.coefficients[x] != 0
                and g.coefficients[t] == 0 and g.coefficients[u] != 0][0]
    moved = transform_solution(flow(galilean, sympy.Rational(1, 2)), kernel, (t, x), u)
    assert_solves(eq, moved)
    assert sympy.simplify(moved - kernel) != 0


def test_burgers_scaling_flow_closed_form():
    sym = PDE("u_t + u*u_x = u_xx").symmetries()
    scaling = [i for i, g in enumerate(sym.generators) if g.coefficients[u] == u or g.coefficients[u] == -u]
    f = sym.flow(scaling[0], eps)
    assert f[t].has(sympy.exp) and f[u].has(sympy.exp)


def test_burgers_cole_hopf_front_under_every_flow():
    # u = -2 θ_x / θ with θ = 1 + exp(-k x + k² t) solving the heat equation (Cole–Hopf)
    eq = PDE("u_t + u*u_x = u_xx")
    k = sympy.Rational(3, 2)
    theta = 1 + sympy.exp(-k * x + k ** 2 * t)
    front = sympy.simplify(-2 * sympy.diff(theta, x) / theta)
    assert_solves(eq, front)
    sym = eq.symmetries()
    for i in range(sym.dimension):
        moved = transform_solution(sym.flow(i, sympy.Rational(1, 5)), front, (t, x), u)
        assert_solves(eq, moved)
        assert abs(complex((moved - front).subs({t: 0.37, x: 0.91}).evalf())) > 1e-6, i
