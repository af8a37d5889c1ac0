"""A PDE's residuals as Pointwise IR on jet variables (for PINN losses).

``Δ`` of each equation, and ``pr v_i(Δ)`` of each symmetry generator (Akhound-Sadegh et
al., 2023), as :class:`~symgen.codegen.Pointwise` IR. Its inputs are the independent
variables followed by jet variables; :class:`JetIR` says which derivative each one is, so
the torch side (:mod:`symgen.nn.pde.losses`) only feeds them with derivatives of a network.

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
from .jet import Jet
from .symmetries import prolonged_action

__all__ = ["JetIR", "residual_ir", "symmetry_residual_ir"]


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


def symmetry_residual_ir(sym) -> JetIR:
    """``pr v_i(Δ_e)`` for each generator ``v_i`` of ``sym`` and each equation ``Δ_e`` (in
    this order), not reduced on solutions: zero wherever the field solves the PDE.

    >>> from symgen.pde import PDE
    >>> symmetry_residual_ir(PDE("u_t + u*u_x + u_xxx").symmetries()).ir
    Pointwise(symmetry_residual(t, x, u, u_t, u_x, u_xxx) -> 4 outputs)
    """
    jet, eqs = _jet_equations(sym.parsed)
    us = [jet.var(a, ()) for a in range(len(sym.parsed.dependent))]
    rename = {sympy.Symbol(str(s), real=True): s for s in list(jet.x) + us}
    rows = []
    for g in sym.generators:
        coeffs = {str(k): v for k, v in g.coefficients.items()}
        xi = [coeffs.get(str(x), sympy.S.Zero).xreplace(rename) for x in jet.x]
        phi = [coeffs.get(str(u), sympy.S.Zero).xreplace(rename) for u in us]
        rows += [prolonged_action(jet, e, xi, phi) for e in eqs]
    return _jet_ir("symmetry_residual", jet, rows, sym.parsed.parameters)
