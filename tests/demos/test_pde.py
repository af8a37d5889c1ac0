"""``symgen pde``: the README's commands run as shown; parameters get values."""

import pytest

from symgen.cli import main


def test_default_equation(capsys):
    assert main(["pde"]) == 0
    text = capsys.readouterr().out
    assert "dimension 4" in text and "u → epsilon + u" in text
    assert "t∂x + ∂u: shift" in text and "def lie_flow" in text      # the generated kernel
    assert main(["pde", "u_t + os.system(1)"]) == 2
    assert "PDEParseError" in capsys.readouterr().err


def test_readme_equation_with_a_parameter(capsys):
    """The README's ``symgen pde "u_t = (u**n*u_x)_x"``: n gets a default, printed."""
    assert main(["pde", "u_t = (u**n*u_x)_x"]) == 0
    text = capsys.readouterr().out
    assert "n = 1 (default)" in text and "-n*t∂t + u∂u: shift" in text
    assert main(["pde", "u_t = (u**n*u_x)_x", "--param", "n=2"]) == 0
    assert "n = 2 (--param)" in capsys.readouterr().out


@pytest.mark.parametrize("option, message", [
    ("m=2", "--param m: unknown parameter; the equation's parameters: n"),
    ("n2", "--param expects NAME=VALUE with a finite number, e.g. --param n=2; got 'n2'"),
    ("n=two", "got 'n=two'"),
    ("n=inf", "got 'n=inf'"),
])
def test_bad_parameter_option(capsys, option, message):
    assert main(["pde", "u_t = (u**n*u_x)_x", "--param", option]) == 2
    assert message in capsys.readouterr().err
