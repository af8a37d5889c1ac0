"""Symmetry residuals in both forms, exactly (SymPy): the prolonged form is λ·Δ, the
characteristic form is the prolonged one minus ξ^i D_i Δ and is not a multiple of Δ, and
both vanish on exact solutions (heat kernel, Cole–Hopf Burgers)."""

import functools

import pytest
import sympy

from symgen.algebra.pde.jet import Jet
from symgen.algebra.pde.residuals import (FORMS, residual_multipliers, symmetry_residual_ir,
                                          symmetry_residuals)
from symgen.errors import PDEError
from symgen.pde import PDE

HEAT, BURGERS = "u_t = u_xx", "u_t + u*u_x = nu*u_xx"


@functools.cache
def sym(text):
    return PDE(text).symmetries()


t, x = sym(HEAT).parsed.independent
nu, = sym(BURGERS).parsed.parameters


def jet_and_delta(text):
    s = sym(text)
    jet = Jet(s.parsed.independent, ["u"])
    return jet, sympy.expand(jet.from_sympy(s.parsed.equations[0], list(s.parsed.dependent)))


def jet_values(jet, u, order=3):
    """``{u_J: ∂_J u}`` for every multi-index ``J`` up to ``order``."""
    out = {jet.var(0, ()): u}
    frontier = [((), u)]
    for _ in range(order):
        frontier = [(tuple(sorted(J + (i,))), sympy.diff(f, jet.x[i])) for J, f in frontier for i in range(2)]
        out.update({jet.var(0, J): f for J, f in frontier})
    return out


# -- the prolonged form is λ·Δ, with λ from theory ---------------------------------------------
@pytest.mark.parametrize("text, expected", [
    # ∂t, ∂x: φ^J = 0; 2t∂t + x∂x: φ^t = -2u_t, φ^xx = -2u_xx; u∂u: φ^J = u_J; the Galilean
    # and projective generators: λ = φ_u - ξ^t_t = x and x² + 2t + 8t = x² + 10t
    (HEAT, [0, 0, -2, 1, x, x ** 2 + 10 * t]),
    (BURGERS, [0, 0, 0, 3, 3 * t]),                     # the Galilean boost t∂x + ∂u: λ = 0
], ids=["heat", "burgers"])
def test_prolonged_form_is_lambda_times_delta(text, expected):
    jet, delta = jet_and_delta(text)
    rows = symmetry_residuals(sym(text))
    lams = residual_multipliers(sym(text))
    assert [sympy.expand(lam - e) for lam, e in zip(lams, expected)] == [0] * len(expected)
    for g, row, lam in zip(sym(text).generators, rows, lams):
        assert sympy.expand(row - lam * delta) == 0, str(g)


@pytest.mark.parametrize("text", [HEAT, BURGERS], ids=["heat", "burgers"])
def test_characteristic_is_prolonged_minus_xi_total_derivatives(text):
    """pr v = pr v_Q + Σ ξ^i D_i, generator by generator."""
    jet, delta = jet_and_delta(text)
    s = sym(text)
    u = jet.var(0, ())
    for g, pro, cha in zip(s.generators, symmetry_residuals(s), symmetry_residuals(s, "characteristic")):
        coeffs = {str(k): v.xreplace({sympy.Symbol("u", real=True): u}) for k, v in g.coefficients.items()}
        xi_D = sum(coeffs.get(str(z), 0) * jet.total_derivative(delta, i) for i, z in enumerate(jet.x))
        assert sympy.expand(pro - cha - xi_D) == 0, str(g)


def test_characteristic_form_is_not_a_multiple_of_delta():
    """Heat, v = ∂x: pr v_Q(Δ) = -D_x Δ = u_xxx - u_tx. On the jet point u_t = u_xx (Δ = 0)
    with u_tx = 0, u_xxx = 1 it is 1, so it cannot be λ·Δ; the prolonged form is 0 there."""
    jet, delta = jet_and_delta(HEAT)
    s = sym(HEAT)
    i = [str(g) for g in s.generators].index("∂x")
    cha, pro = symmetry_residuals(s, "characteristic")[i], symmetry_residuals(s)[i]
    assert sympy.expand(cha + jet.total_derivative(delta, 1)) == 0
    point = {jet.var(0, (0,)): 2, jet.var(0, (1, 1)): 2, jet.var(0, (0, 1)): 0, jet.var(0, (1, 1, 1)): 1}
    assert delta.subs(point) == 0 and cha.subs(point) == 1 and pro.subs(point) == 0
    assert residual_multipliers(s, "characteristic")[i] is None
    # every generator that moves t or x gives a characteristic form that is no multiple
    for g, lam in zip(s.generators + sym(BURGERS).generators,
                      residual_multipliers(s, "characteristic") + residual_multipliers(sym(BURGERS), "characteristic")):
        moves = any(c != 0 for z, c in g.coefficients.items() if str(z) in "tx")
        assert (lam is None) == moves, str(g)


# -- both forms vanish on exact solutions ------------------------------------------------------
def cole_hopf(a=sympy.Rational(1, 2), k=2):
    """u = -2ν θ_x/θ with θ = 1 + a e^{-ν k² t} cos(kx), θ_t = ν θ_xx."""
    theta = 1 + a * sympy.exp(-nu * k ** 2 * t) * sympy.cos(k * x)
    return -2 * nu * sympy.diff(theta, x) / theta


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("text, solution", [
    (HEAT, sympy.exp(-x ** 2 / (4 * t)) / sympy.sqrt(4 * sympy.pi * t)),       # the heat kernel
    (BURGERS, cole_hopf()),
], ids=["heat-kernel", "cole-hopf"])
def test_both_forms_vanish_on_exact_solutions(text, solution, form):
    jet, delta = jet_and_delta(text)
    values = jet_values(jet, solution)
    assert sympy.simplify(delta.xreplace(values)) == 0
    for g, row in zip(sym(text).generators, symmetry_residuals(sym(text), form)):
        assert sympy.simplify(row.xreplace(values)) == 0, str(g)


def test_ir_inputs_and_names():
    pro, cha = (symmetry_residual_ir(sym(BURGERS), f) for f in FORMS)
    assert pro.ir.name == "symmetry_residual" and cha.ir.name == "characteristic_residual"
    assert max(len(J) for _, J in pro.derivatives) == 2 and max(len(J) for _, J in cha.derivatives) == 3
    assert pro.ir.params == cha.ir.params == (nu,)
    assert sym(BURGERS).residual_ir("characteristic") is sym(BURGERS).residual_ir("characteristic")


def test_multipliers_need_one_equation():
    system = PDE("u_t = v_x; v_t = u_x").symmetries()
    with pytest.raises(PDEError, match="scalar PDE"):
        residual_multipliers(system)
