"""Lie point symmetries of equations from the literature, by differential elimination.

Each case: the equation, the published dimension of the finite part (``None`` when the
algebra is infinite and the infinite part is not an ideal of ``∂u`` superpositions, so no
finite part is separated), whether an infinite part exists, and the source. Every
generator is checked to satisfy the determining equations exactly and to be a symmetry
(prolongation on solutions), and the brackets of the finite part close.

Sources (abbreviations used below):
  Olver    P. J. Olver, Applications of Lie Groups to Differential Equations, 2nd ed., 1993, §2.4
  CRC1/2   N. H. Ibragimov (ed.), CRC Handbook of Lie Group Analysis of Differential
           Equations, vol. 1 (1994), vol. 2 (1995)
  Ovs      L. V. Ovsiannikov, Group Analysis of Differential Equations, 1982 (nonlinear
           heat equation u_t = (K(u)u_x)_x: 3 for generic K, 4 for u^n and e^u, 5 for u^(-4/3))
  Dor      V. A. Dorodnitsyn, Zh. Vychisl. Mat. Mat. Fiz. 22 (1982) 1393: u_t = u_xx + f(u)
           (3 for u^p and e^u, 4 for u ln u, 2 for generic f)
  BK       G. W. Bluman, S. Kumei, Symmetries and Differential Equations, 1989
  BA       G. W. Bluman, S. C. Anco, Symmetry and Integration Methods for Differential Equations, 2002
  ALA      W. F. Ames, R. J. Lohner, E. Adams, Int. J. Non-Linear Mech. 16 (1981) 439:
           u_tt = (f(u)u_x)_x (4 for u^n and e^u)
  GI       R. K. Gazizov, N. H. Ibragimov, Nonlinear Dynamics 17 (1998) 387 (Black–Scholes)
  Blu71    G. W. Bluman, Int. J. Non-Linear Mech. 6 (1971) 143 (Fokker–Planck)
"""

import time

import pytest
import sympy

from symgen.pde import PDE

CASES = [
    # equation, finite dimension, infinite part, source
    ("u_t = u_xx", 6, True, "Olver: heat equation"),
    ("u_t + u*u_x = u_xx", 5, False, "Olver: Burgers"),
    ("u_t + u*u_x + u_xxx", 4, False, "Olver: KdV"),
    ("u_tt = u_xx", None, True, "Olver: wave equation (conformal)"),
    ("u_t = u_xx + u_x**2", 6, True, "Olver: potential Burgers, plus α e^(-u)∂u"),
    ("u_xt = sin(u)", 3, False, "CRC1: sine-Gordon"),
    ("u_xt = sinh(u)", 3, False, "CRC1: sinh-Gordon"),
    ("u_xt = exp(u)", None, True, "CRC1: Liouville, f(x)∂x + g(t)∂t − (f' + g')∂u"),
    ("u_xt = exp(u) - exp(-2*u)", 3, False, "CRC1: Tzitzeica"),
    ("u_tt - u_xx = u**3", 4, False, "CRC1: nonlinear Klein–Gordon u^3"),
    ("u_tt = u_xx - u", 4, True, "CRC1: linear Klein–Gordon"),
    ("u_tt + u_t = u_xx", 4, True, "CRC1/BK: telegraph (Klein–Gordon after u = e^(-t/2)w)"),
    ("u_t = (u**n*u_x)_x", 4, False, "Ovs: nonlinear diffusion, generic n"),
    ("u_t = (u**(-4/3)*u_x)_x", 5, False, "Ovs: exceptional exponent -4/3"),
    ("u_t = (exp(u)*u_x)_x", 4, False, "Ovs: exponential diffusivity"),
    ("u_t = (u**(-2)*u_x)_x", 4, False, "Ovs: n = -2 (point symmetries as generic n)"),
    ("u_t = u*u_xx + u_x**2", 4, False, "Ovs: n = 1"),
    ("u_t = u_xx + u**2", 3, False, "Dor: power source"),
    ("u_t = u_xx + u**n", 3, False, "Dor: power source, generic n"),
    ("u_t = u_xx + exp(u)", 3, False, "Dor: exponential source"),
    ("u_t = u_xx + u*log(u)", 4, False, "Dor: u ln u source"),
    ("u_t = u_xx + u*(1 - u)", 2, False, "Dor/CRC1: Fisher–KPP"),
    ("u_t = u_xx + u - u**3", 2, False, "Dor/CRC1: Newell–Whitehead"),
    ("u_t + u**2*u_x + u_xxx = 0", 3, False, "CRC1: mKdV"),
    ("u_t + u**n*u_x + u_xxx", 3, False, "CRC1: generalised KdV, generic n"),
    ("u_t + 3*u_x**2 + u_xxx = 0", 5, False, "CRC1: potential KdV"),
    ("u_t + u_xxx - 6*u*u_x + u/(2*t)", 4, False, "CRC2: cylindrical KdV"),
    ("u_t + u*u_x + u/(2*t) = u_xx", 3, False, "CRC2: cylindrical Burgers"),
    ("u_t + u*u_x + u_xxx = u_xx", 3, False, "CRC2: KdV–Burgers"),
    ("u_t + u*u_x + u_xx + u_xxxx = 0", 3, False, "CRC2: Kuramoto–Sivashinsky"),
    ("u_t + u_x + u*u_x - u_xxt = 0", 3, False, "CRC2: Benjamin–Bona–Mahony"),
    ("u_t - u_xxt + 3*u*u_x - 2*u_x*u_xx - u*u_xxx = 0", 3, False, "CRC2: Camassa–Holm"),
    ("u_tt + u*u_xx + u_x**2 + u_xxxx = 0", 3, False, "CRC1: Boussinesq"),
    ("u_t = u**3*u_xxx", 5, False, "CRC1: Harry Dym"),
    ("u_t = u_xx/u", 4, False, "Ovs: n = -1"),
    ("u_tt = (u**n*u_x)_x", 4, False, "ALA: nonlinear wave, generic n"),
    ("u_tt = (exp(u)*u_x)_x", 4, False, "ALA: nonlinear wave, exponential"),
    ("u_t = u_xx + x*u_x + u", 6, True, "Blu71: Fokker–Planck (Ornstein–Uhlenbeck)"),
    ("u_t + x**2*u_xx/2 + x*u_x - u = 0", 6, True, "GI: Black–Scholes"),
    ("u_t = x**2*u_xx", 6, True, "BK: Euler-type heat equation (x = e^y maps it to heat)"),
    ("u_t = u_xx - x**2*u", 6, True, "BK: heat equation with harmonic potential (Niederer)"),
    ("u_t = u_xx + 2*u_x/x", 6, True, "BK: radial heat in 3D (u = w/x maps it to heat)"),
    ("u_t = u_xx + u_x/x", 4, True, "BK: radial heat in 2D"),
    ("u_t + u*u_x = 0", None, True, "CRC1: inviscid Burgers (first order)"),
    ("u_xy**2 - u_xx*u_yy = 0", 15, False, "CRC1: homogeneous Monge–Ampère, projective sl(4)"),
    ("v_t = -w_xx - (v**2 + w**2)*w; w_t = v_xx + (v**2 + w**2)*v", 5, False, "CRC2: cubic NLS"),
    ("v_t + w_xx = 0; w_t - v_xx = 0", 7, True, "CRC2: free Schrödinger as a real system"),
    ("h_t + u*h_x + h*u_x = 0; u_t + u*u_x + h_x = 0", None, True, "CRC2: shallow water (hodograph)"),
    ("u_t = u_xx + u_yy", 9, True, "CRC1: 2D heat"),
    ("u_xx + u_yy = 0", None, True, "CRC1: 2D Laplace (conformal)"),
    ("u_xt + u_x**2 + u*u_xx + u_xxxx + u_yy = 0", None, True, "CRC2: KP, arbitrary functions of t"),
    ("u_xt - (u*u_x)_x - u_yy = 0", None, True, "CRC2: Khokhlov–Zabolotskaya, arbitrary functions of t"),
    ("u_t + u*u_x + u_xxx + u_xyy = 0", 5, False, "CRC2: Zakharov–Kuznetsov"),
    ("u_t = u_xxx", 4, True, "CRC1: linear Airy equation"),
    ("u_t = u_xx + u_yy + u_zz", 13, True, "CRC1: 3D heat (n = 3: 13 + superposition)"),
    ("u_xx + u_yy + u_zz = 0", 11, True, "CRC1: 3D Laplace, conformal so(4,1) and u∂u"),
    ("u_tt = u_xx + u_yy", 11, True, "CRC1: 2+1 wave, conformal so(3,2) and u∂u"),
    ("u_tt = u_xx + u_yy - u", 7, True, "CRC1: 2+1 Klein–Gordon, Poincaré and u∂u"),
    ("u_t = (u**n*u_x)_x + (u**n*u_y)_y", 6, False, "Ovs/CRC1: 2D nonlinear diffusion, generic n"),
    ("u_t = (u_x/u)_x + (u_y/u)_y", None, True, "CRC1: 2D diffusion with n = -1 (infinite, conformal)"),
    ("w_t + p_x*w_y - p_y*w_x = w_xx + w_yy; p_xx + p_yy = w", None, True,
     "CRC2: 2D Navier–Stokes, vorticity–stream function (f(t)∂x − y f'(t)∂p, ...)"),
]

def _check(text, dim, infinite):
    eq = PDE(text)
    start = time.perf_counter()
    sym = eq.symmetries()
    elapsed = time.perf_counter() - start
    assert (sym.dimension, sym.infinite) == (dim, infinite), (sym.dimension, sym.infinite)
    assert bool(sym.infinite_part) == infinite
    for g in sym.generators:
        assert set(sym.determining_residuals(g)) <= {0}, str(g)
        assert eq.is_symmetry(g), str(g)
    if dim is not None:
        assert len(sym.generators) == dim
        table = sym.commutator_table()          # raises when a bracket leaves the span
        assert len(table) == dim
    return elapsed


@pytest.mark.parametrize("text, dim, infinite, source", CASES, ids=[c[0] for c in CASES])
def test_literature(text, dim, infinite, source):
    assert _check(text, dim, infinite) < 10      # none is slow: ≤ 1.3 s each in bench_pde.py


def test_exceptional_exponent_is_recorded_as_an_assumption():
    # generic n: 4 generators, valid for n ≠ 0 and 3n + 4 ≠ 0 (n = -4/3 gives 5)
    sym = PDE("u_t = (u**n*u_x)_x").symmetries()
    assert "3*n + 4 ≠ 0" in sym.assumptions


def test_monge_ampere_states_its_branch():
    sym = PDE("u_xy**2 - u_xx*u_yy = 0").symmetries()
    assert any("u_yy ≠ 0" in a for a in sym.assumptions)


def test_heat_infinite_part_is_the_heat_equation():
    t, x = sympy.symbols("t x", real=True)
    (fam,) = PDE("u_t = u_xx").symmetries().infinite_part
    (f,) = fam.functions
    (e,) = fam.equations
    assert sympy.simplify(e - (f.diff(x, 2) - f.diff(t))) == 0 or sympy.simplify(e + f.diff(x, 2) - f.diff(t)) == 0
    assert fam.field.coefficients[sympy.Symbol("u", real=True)] == f
