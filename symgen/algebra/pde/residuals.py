"""A PDE's residuals as Pointwise IR on jet variables (for PINN losses).

``Δ`` of each equation, and the symmetry residual of each generator ``v_i`` in one of two
:data:`FORMS`, as :class:`~symgen.codegen.Pointwise` IR:

- ``"prolonged"``: ``pr v_i(Δ)`` (Akhound-Sadegh et al., 2023). For a scalar PDE of
  maximal rank it is ``λ_i·Δ`` identically on the jet space (Hadamard's lemma; Olver,
  *Applications of Lie Groups to Differential Equations*, Thm 2.31), with ``λ_i`` a
  function of the jet (:func:`residual_multipliers` computes it): on a network it is a
  reweighted residual, zero wherever ``Δ`` is, and zero for translations;
- ``"characteristic"``: ``pr v_Q(Δ) = Σ_J D_J Q ∂Δ/∂u_J`` with the characteristic
  ``Q = φ − ξ^i u_i``: the linearised equation applied to ``Q``, equal to
  ``pr v(Δ) − ξ^i D_i Δ``, so it carries the derivatives ``D_i Δ`` that gradient-enhanced
  PINNs penalise, weighted by ``ξ^i`` (``−D_x Δ`` for ``∂x``).

Both vanish on exact solutions. The IR's inputs are the independent variables followed by
jet variables; :class:`JetIR` says which derivative each one is, so the torch side
(:mod:`symgen.nn.pde.losses`) only feeds them with derivatives of a network.

>>> from symgen.pde import PDE
>>> heat = residual_ir(PDE("u_t = nu*u_xx").parsed)
>>> heat.ir
Pointwise(pde_residual(t, x, u_t, u_xx, nu) -> 1 outputs)
>>> heat.derivatives                  # u differentiated along t, then along x twice
((0, (0,)), (0, (1, 1)))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ...codegen import Pointwise
from ...errors import PDEError
from .jet import Jet
from .symmetries import characteristic_action, prolonged_action

__all__ = ["FORMS", "JetIR", "residual_ir", "residual_gradient_ir", "symmetry_residuals", "symmetry_residual_ir",
           "residual_multipliers", "check_form"]

#: The forms of a symmetry residual: ``pr v(Δ)`` and ``pr v_Q(Δ)``.
FORMS = ("prolonged", "characteristic")
_ACTIONS = {"prolonged": prolonged_action, "characteristic": characteristic_action}
_IR_NAMES = {"prolonged": "symmetry_residual", "characteristic": "characteristic_residual"}


def check_form(form) -> str:
    """``form`` if it is one of :data:`FORMS`, else :class:`~symgen.errors.PDEError`.

    >>> check_form("evolutionary")
    Traceback (most recent call last):
    ...
    symgen.errors.PDEError: unknown symmetry residual form 'evolutionary'; choose 'prolonged' or 'characteristic'
    """
    if not isinstance(form, str) or form not in FORMS:
        raise PDEError(f"unknown symmetry residual form {form!r}; choose "
                       + " or ".join(repr(f) for f in FORMS))
    return form


@dataclass(frozen=True)
class JetIR:
    """Pointwise IR whose inputs are the independent variables, then jet variables.

    ``derivatives[k]`` is ``(a, J)`` for input ``n_independent + k``: the ``a``-th
    dependent variable differentiated along the independent positions ``J`` (``()``: the
    field itself). The equation's parameters are the kernel's scalar ``ir.params``.
    """

    ir: Pointwise
    derivatives: tuple

    @property
    def n_independent(self) -> int:
        return len(self.ir.inputs) - len(self.derivatives)


def _jet_equations(parsed):
    jet = Jet(parsed.independent, [str(f.func) for f in parsed.dependent])
    return jet, [sympy.expand(jet.from_sympy(e, list(parsed.dependent))) for e in parsed.equations]


def _jet_ir(name, jet, exprs, parameters) -> JetIR:
    params = tuple(p for p in parameters if any(e.has(p) for e in exprs))
    index = jet.index()
    used = sorted(set().union(*(e.free_symbols for e in exprs)) & set(index), key=str)
    ir = Pointwise(name, tuple(jet.x) + tuple(used), tuple(exprs), params)
    return JetIR(ir, tuple(index[s] for s in used))


def residual_ir(parsed) -> JetIR:
    """``Δ`` of each equation of the parsed PDE, one output per equation."""
    jet, eqs = _jet_equations(parsed)
    return _jet_ir("pde_residual", jet, eqs, parsed.parameters)


def residual_gradient_ir(parsed) -> JetIR:
    """``D_i Δ_e`` for each equation ``Δ_e`` and independent variable ``x^i`` (in this
    order): the residual of gradient-enhanced PINNs (Yu et al., 2022), zero on solutions.

    >>> from symgen.pde import PDE
    >>> ir = residual_gradient_ir(PDE("u_t = u_xx").parsed).ir
    >>> ir, ir.exprs
    (Pointwise(residual_gradient(t, x, u_tt, u_tx, u_txx, u_xxx) -> 2 outputs), (u_tt - u_txx, u_tx - u_xxx))
    """
    jet, eqs = _jet_equations(parsed)
    rows = [jet.total_derivative(e, i) for e in eqs for i in range(len(jet.x))]
    return _jet_ir("residual_gradient", jet, rows, parsed.parameters)


def symmetry_residuals(sym, form: str = "prolonged") -> tuple:
    """The symmetry residual of each generator ``v_i`` of ``sym`` on each equation ``Δ_e``
    (in this order) as SymPy expressions of the jet variables, in ``form`` (see
    :data:`FORMS`); not reduced on solutions: zero wherever the field solves the PDE.

    >>> from symgen.pde import PDE
    >>> sym = PDE("u_t = u_xx").symmetries()
    >>> print(sym.generators[1], "|", *symmetry_residuals(sym, "characteristic")[1:2])
    ∂x | -u_tx + u_xxx
    >>> symmetry_residuals(sym)[1], symmetry_residuals(sym)[2]      # ∂x and 2t∂t + x∂x
    (0, -2*u_t + 2*u_xx)
    """
    action = _ACTIONS[check_form(form)]
    jet, eqs = _jet_equations(sym.parsed)
    return tuple(_symmetry_rows(sym, jet, eqs, action))


def _symmetry_rows(sym, jet, eqs, action):
    us = [jet.var(a, ()) for a in range(len(sym.parsed.dependent))]
    rename = {sympy.Symbol(str(s), real=True): s for s in list(jet.x) + us}
    rows = []
    for g in sym.generators:
        coeffs = {str(k): v for k, v in g.coefficients.items()}
        xi = [coeffs.get(str(x), sympy.S.Zero).xreplace(rename) for x in jet.x]
        phi = [coeffs.get(str(u), sympy.S.Zero).xreplace(rename) for u in us]
        rows += [action(jet, e, xi, phi) for e in eqs]
    return rows


def symmetry_residual_ir(sym, form: str = "prolonged") -> JetIR:
    """:func:`symmetry_residuals` as IR on jet variables, one output per generator and
    equation.

    >>> from symgen.pde import PDE
    >>> symmetry_residual_ir(PDE("u_t + u*u_x + u_xxx").symmetries()).ir
    Pointwise(symmetry_residual(t, x, u, u_t, u_x, u_xxx) -> 4 outputs)
    >>> symmetry_residual_ir(PDE("u_t = u_xx").symmetries(), "characteristic").derivatives
    ((0, (0,)), (0, (0, 0)), (0, (0, 1)), (0, (0, 1, 1)), (0, (1, 1)), (0, (1, 1, 1)))
    """
    action = _ACTIONS[check_form(form)]
    jet, eqs = _jet_equations(sym.parsed)
    return _jet_ir(_IR_NAMES[form], jet, _symmetry_rows(sym, jet, eqs, action), sym.parsed.parameters)


def residual_multipliers(sym, form: str = "prolonged") -> tuple:
    """For a scalar PDE ``Δ = 0``: per generator ``v_i``, the multiplier ``λ_i`` with
    residual ``= λ_i·Δ`` identically on the jet space (``λ_i`` polynomial in the jet
    variables, rational in the independent variables and parameters), or ``None`` where the
    residual in ``form`` is no such multiple of ``Δ``.

    The prolonged form of a point symmetry is always a multiple (see the module docstring);
    the characteristic form in general is not (``−D_x Δ`` for ``∂x``).

    >>> from symgen.pde import PDE
    >>> sym = PDE("u_t = u_xx").symmetries()
    >>> residual_multipliers(sym)
    (0, 0, -2, 1, x, 10*t + x**2)
    >>> residual_multipliers(sym, "characteristic")[:4]
    (None, None, None, 1)
    """
    parsed = sym.parsed
    if len(parsed.equations) != 1:
        raise PDEError(f"residual_multipliers takes a scalar PDE (one equation); this system has "
                       f"{len(parsed.equations)}")
    _, (eq,) = _jet_equations(parsed)
    known = set(parsed.independent) | set(parsed.parameters)
    out = []
    for row in symmetry_residuals(sym, form):
        lam = sympy.factor(sympy.cancel(row / eq))
        _, den = sympy.fraction(lam)
        out.append(None if den.free_symbols - known else sympy.expand(lam))
    return tuple(out)
