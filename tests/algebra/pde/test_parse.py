"""The PDE string parser: subscript derivatives, inference, parameters, systems, and a
whitelist that refuses everything else without evaluating anything."""

import builtins

import pytest
import sympy

from symgen.algebra.pde import parse_pde
from symgen.errors import PDEParseError

t, x = sympy.symbols("t x", real=True)
u = sympy.Function("u")(t, x)


def test_kdv_explicit_variables():
    p = parse_pde("u_t + u*u_x + u_xxx", independent="t x", dependent="u")
    assert p.equations == (u.diff(t) + u * u.diff(x) + u.diff(x, 3),)
    assert p.independent == (t, x) and p.dependent == (u,) and p.parameters == ()


def test_heat_inferred_and_equals_sign():
    p = parse_pde("u_t = u_xx")
    assert p.independent == (t, x)
    assert p.equations == (u.diff(t) - u.diff(x, 2),)


def test_parameters_and_functions():
    p = parse_pde("u_t = u**n*u_xx + n*u**(n-1)*u_x**2")
    n = sympy.Symbol("n")
    assert p.parameters == (n,)
    assert sympy.simplify(p.equations[0] - (u.diff(t) - (u ** n * u.diff(x)).diff(x))) == 0
    sg = parse_pde("u_xt = sin(u)")
    assert sg.equations == (sympy.Derivative(u, x, t) - sympy.sin(u),)
    assert parse_pde("u_t = 0.5*u_xx").equations == (u.diff(t) - sympy.Rational(1, 2) * u.diff(x, 2),)


def test_system():
    p = parse_pde("u_t = -v_xx; v_t = u_xx")
    v = sympy.Function("v")(t, x)
    assert p.dependent == (u, v)
    assert p.equations == (u.diff(t) + v.diff(x, 2), v.diff(t) - u.diff(x, 2))


@pytest.mark.parametrize("text, match", [
    ("u_t + __import__('os')", "forbidden token"),
    ("u_t + u.real", "forbidden token '.'"),
    ("u_t + lambda", "forbidden token 'lambda'"),
    ("u_t + 'a'", "forbidden token"),
    ("u_t + u_x[0]", r"forbidden token '\['"),
    ("u_t + w(x)", "unknown function 'w'.*allowed: abs, atan"),
    ("u_t + 1j*u_xx", "not a real decimal"),
    ("u_t + (u_xx", "unbalanced parentheses"),
    ("u_t + (u_xx))", "unbalanced parentheses"),
    ("u_t + )u_xx(", r"unexpected '\)'"),
    ("u_t + sin", "without an argument"),
    ("u_t u_xx", "unexpected 'u_xx'"),
])
def test_refused(text, match):
    with pytest.raises(PDEParseError, match=match):
        parse_pde(text)


def test_unknown_dependent_and_parameter_names():
    with pytest.raises(PDEParseError, match="unknown function 'w' in 'u_t \\+ w_x'; dependent variables: u"):
        parse_pde("u_t + w_x", independent="t x", dependent="u")
    with pytest.raises(PDEParseError, match="unknown variable 'y'"):
        parse_pde("u_t + u_y", independent="t x", dependent="u")
    with pytest.raises(PDEParseError, match="unknown name 'k'.*parameters: n"):
        parse_pde("u_t = k*u_xx", params="n")


def test_never_evaluates(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("evaluation of user input")
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(sympy, "sympify", forbidden)
    monkeypatch.setattr(sympy, "parse_expr", forbidden, raising=False)
    assert parse_pde("u_t + u*u_x - exp(u)*u_xx").equations


def test_divergence_shorthand():
    a = parse_pde("u_t = (u**n*u_x)_x")
    b = parse_pde("u_t = u**n*u_xx + n*u**(n-1)*u_x**2")
    assert sympy.simplify(a.equations[0] - b.equations[0]) == 0
    assert [str(v) for v in parse_pde("(u_x)_t = sin(u)").independent] == ["t", "x"]
    with pytest.raises(PDEParseError, match="unknown variable 'y'"):
        parse_pde("u_t = (u*u_x)_y", independent="t x")


_PAYLOAD = "__import__('os').getpid()"


def test_strings_outside_the_parser_are_refused_not_evaluated(monkeypatch):
    """Strings that do not go through the whitelisting parser (SymPy-input equations,
    vector-field coefficients, flow parameters, IR coefficients and expressions, multivector
    coefficients) raise a SymgenError instead of reaching sympify's eval."""
    from symgen import CliffordAlgebra, SymgenError
    from symgen.algebra.clifford.multivector import Multivector
    from symgen.algebra.pde.symmetries import VectorField
    from symgen.codegen import Linear, Pointwise
    from symgen.pde import PDE

    sym = PDE("u_t = u_xx").symmetries()
    alg = CliffordAlgebra.from_signature(1)

    def forbidden(*args, **kwargs):
        raise AssertionError("evaluation of user input")
    monkeypatch.setattr(builtins, "eval", forbidden)
    cases = [lambda: PDE([sympy.Symbol("a"), _PAYLOAD], independent=[t, x], dependent=["u"]),
             lambda: VectorField({x: _PAYLOAD}),
             lambda: sym.flow(0, _PAYLOAD),
             lambda: Linear("f", 1, 1, ((0, 0, _PAYLOAD),)),
             lambda: Pointwise("f", (x,), (_PAYLOAD,)),
             lambda: Multivector(alg, (1, _PAYLOAD))]
    for case in cases:
        with pytest.raises(SymgenError, match="is the string"):
            case()


def test_a_list_of_strings_is_a_system_parsed_by_the_whitelist():
    from symgen.pde import PDE
    listed = PDE(["u_t = v_xx", "v_t = -u_xx"]).parsed.equations
    assert listed == PDE("u_t = v_xx; v_t = -u_xx").parsed.equations and len(listed) == 2
