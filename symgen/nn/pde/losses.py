"""PINN losses from a PDE's symbolic form: the residual and the symmetry residual.

``pde_residual`` evaluates ``Δ(x, u_θ, ∂u_θ, ...)`` at collocation points and
``symmetry_loss`` the prolonged generators ``pr v(Δ)`` (Akhound-Sadegh et al., 2023),
both through generated torch kernels (:class:`~symgen.codegen.Pointwise`) fed with
derivatives of the network taken by autograd.

>>> import torch
>>> from symgen.pde import PDE
>>> eq = PDE("u_t = u_xx")
>>> heat = lambda p: torch.exp(-p[:, 0]) * torch.sin(p[:, 1])    # an exact solution
>>> points = torch.rand(16, 2, dtype=torch.float64)
>>> float(pde_residual(eq, heat, points).abs().max()) < 1e-12
True
"""

from __future__ import annotations

import sympy
import torch

from ... import codegen
from ...algebra.pde.jet import Jet
from ...algebra.pde.parse import parameter_values
from ...algebra.pde.symmetries import prolonged_action
from ...errors import DTypeError, PDEError, ShapeError

__all__ = ["pde_residual", "symmetry_loss"]


def _jet(parsed):
    jet = Jet(parsed.independent, [str(f.func) for f in parsed.dependent])
    exprs = [sympy.expand(jet.from_sympy(e, list(parsed.dependent))) for e in parsed.equations]
    return jet, exprs


def _derivatives(model, points, jet, needed):
    """Values of every jet variable in ``needed`` for ``u = model(points)`` (autograd)."""
    points = points.detach().requires_grad_(True)
    out = model(points)
    out = out[:, None] if out.dim() == 1 else out
    values = {}
    cache = {}

    def deriv(a, J):
        if (a, J) not in cache:
            if not J:
                cache[(a, J)] = out[:, a]
            else:
                prev = deriv(a, J[:-1])
                grad, = torch.autograd.grad(prev.sum(), points, create_graph=True)
                cache[(a, J)] = grad[:, J[-1]]
        return cache[(a, J)]

    index = jet.index()
    for s in needed:
        if s in index:
            values[s] = deriv(*index[s])
    for i, x in enumerate(jet.x):
        values[x] = points[:, i]
    return values


def _evaluate(exprs, jet, model, points, name):
    symbols = sorted(set().union(*(e.free_symbols for e in exprs)), key=str)
    kernel = codegen.compile(codegen.Pointwise(name, tuple(symbols), tuple(exprs)), "torch")
    values = _derivatives(model, points, jet, symbols)
    args = [values[s] for s in symbols]
    return torch.stack(kernel(*args), dim=-1)


def _check_points(parsed, model, points):
    """``points`` a floating tensor ``(n, number of independent variables)``; ``model`` callable."""
    names = ", ".join(map(str, parsed.independent))
    if not callable(model):
        raise PDEError(f"model must be callable (a torch module or function), got {model!r}")
    if not isinstance(points, torch.Tensor) or not points.dtype.is_floating_point:
        raise DTypeError(f"points must be a floating torch tensor (n, {len(parsed.independent)}) "
                         f"of ({names}), got {getattr(points, 'dtype', type(points).__name__)}")
    if points.dim() != 2 or points.shape[1] != len(parsed.independent):
        raise ShapeError(f"points must have shape (n, {len(parsed.independent)}): one column per "
                         f"independent variable ({names}); got {tuple(points.shape)}")


def pde_residual(eq, model, points, params=None):
    """``Δ`` of each equation at ``points`` (n, independent) for ``u = model(points)``.

    Every parameter of the PDE needs a value in ``params`` (``{name: number}``)."""
    params = parameter_values(eq.parsed, params)
    _check_points(eq.parsed, model, points)
    jet, exprs = _jet(eq.parsed)
    exprs = [e.subs(params or {}) for e in exprs]
    return _evaluate(exprs, jet, model, points, "pde_residual")


def symmetry_loss(sym, model, points, params=None):
    """Mean square of ``pr v_i (Δ)`` over the generators of ``sym`` and the points (zero on
    exact solutions; differentiable in the model's parameters).

    Every parameter of the PDE needs a value in ``params`` (``{name: number}``)."""
    params = parameter_values(sym.parsed, params)
    _check_points(sym.parsed, model, points)
    jet, exprs = _jet(sym.parsed)
    us = [jet.var(a, ()) for a in range(len(sym.parsed.dependent))]
    rows = []
    for g in sym.generators:
        coeffs = {str(k): v for k, v in g.coefficients.items()}
        rename = {sympy.Symbol(str(s), real=True): s for s in list(jet.x) + us}
        xi = [coeffs.get(str(x), sympy.S.Zero).xreplace(rename) for x in jet.x]
        phi = [coeffs.get(str(u), sympy.S.Zero).xreplace(rename) for u in us]
        rows += [prolonged_action(jet, e, xi, phi).subs(params or {}) for e in exprs]
    values = _evaluate(rows, jet, model, points, "symmetry_residual")
    return values.square().mean()
