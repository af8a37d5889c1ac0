"""``is_symmetry`` cannot be fooled: user symbols are matched to the PDE's by name, unknown
names are refused, and a vector field that is not a symmetry is always rejected."""

import pytest
import sympy
import torch

from symgen.algebra.pde import VectorField
from symgen.errors import PDEError
from symgen.pde import PDE

PLAIN = dict(zip("txu", sympy.symbols("t x u")))              # no assumptions
REAL = dict(zip("txu", sympy.symbols("t x u", real=True)))    # the parser's symbols
EQUATIONS = ["u_t + u*u_x + u_xxx", "u_t + u*u_x = u_xx", "u_t = (u**2*u_x)_x", "u_t = u_xx"]


def _plain(field):
    """The same field written with assumption-free symbols (prints identically)."""
    rename = {REAL[k]: PLAIN[k] for k in REAL}
    return VectorField({rename.get(z, z): c.xreplace(rename) for z, c in field.coefficients.items()})


def test_the_reported_case():
    eq = PDE("u_t = (u**2*u_x)_x")
    x, u = PLAIN["x"], PLAIN["u"]
    assert str(VectorField({x: x})) == str(VectorField({REAL["x"]: REAL["x"]}))
    assert not eq.is_symmetry(VectorField({x: x}))                 # was True
    assert not eq.is_symmetry(VectorField({REAL["x"]: REAL["x"]}))
    assert eq.is_symmetry(VectorField({x: x, u: u}))               # the scaling x∂x + u∂u


@pytest.mark.parametrize("text", EQUATIONS)
def test_plain_and_real_symbols_agree(text):
    eq = PDE(text)
    for g in eq.symmetries().generators:
        assert eq.is_symmetry(g) and eq.is_symmetry(_plain(g)), str(g)


@pytest.mark.parametrize("text", EQUATIONS)
def test_broken_fields_are_rejected(text):
    """Every generator plus a non-symmetry (u²∂u) is not a symmetry, in either symbols."""
    eq = PDE(text)
    for g in eq.symmetries().generators:
        broken = VectorField({**g.coefficients, REAL["u"]: g.coefficients[REAL["u"]] + REAL["u"] ** 2})
        assert not eq.is_symmetry(broken), str(broken)
        assert not eq.is_symmetry(_plain(broken)), str(broken)


def test_unknown_names_are_refused():
    eq = PDE("u_t = nu*u_xx")
    y = sympy.Symbol("y")
    with pytest.raises(PDEError, match="uses y; the PDE's variables are t, x, u and its parameters nu"):
        eq.is_symmetry(VectorField({y: 1}))
    with pytest.raises(PDEError, match="uses y"):
        eq.is_symmetry(VectorField({PLAIN["x"]: y}))
    nu = sympy.Symbol("nu", positive=True)                  # a parameter, matched by name too
    assert eq.is_symmetry(VectorField({PLAIN["x"]: nu}))


def test_augmentation_with_plain_symbols_acts_like_the_real_ones():
    from symgen.nn import LieAugmentation
    sym = PDE("u_t + u*u_x + u_xxx").symmetries()
    t, x, u = (PLAIN[k] for k in "txu")
    boost = VectorField({t: 0, x: t, u: 1})
    real = VectorField({REAL["t"]: 0, REAL["x"]: REAL["t"], REAL["u"]: 1})
    grid_t, grid_x = torch.linspace(0, 1, 4, dtype=torch.float64), torch.arange(32, dtype=torch.float64) * 0.2
    field = torch.sin(grid_x).expand(2, 4, 32)
    eps = torch.full((2, 1), 0.3, dtype=torch.float64)
    a = LieAugmentation(sym, generators=[boost])(field, grid_t, grid_x, eps)
    b = LieAugmentation(sym, generators=[real])(field, grid_t, grid_x, eps)
    for p, q in zip(a, b):
        torch.testing.assert_close(p, q)
