"""PINN losses from a PDE's symbolic form: the residual, its gradient and the symmetry residual.

``pde_residual`` evaluates ``Δ(x, u_θ, ∂u_θ, ...)`` at collocation points,
``residual_gradient`` its total derivatives ``D_i Δ`` (gradient-enhanced PINNs) and
``symmetry_residual`` / ``symmetry_loss`` the symmetry residual of every generator, in the
characteristic form ``pr v_Q(Δ) = Σ_J D_J Q ∂Δ/∂u_J`` (the default) or the prolonged form
``pr v(Δ)`` (Akhound-Sadegh et al., 2023). All run ops of generated kernels whose IR comes
from the symbolic side (``eq.residual_ir()``, ``eq.residual_gradient_ir()``,
``sym.residual_ir(form)``); here the network's derivatives are taken by autograd (the
inputs carry autograd graphs) and fed to the kernels, with the equation's parameters from
``params``.

>>> import torch
>>> from symgen.pde import PDE
>>> eq = PDE("u_t = u_xx")
>>> heat = lambda p: torch.exp(-p[:, 0]) * torch.sin(p[:, 1])    # an exact solution
>>> points = torch.rand(16, 2, dtype=torch.float64)
>>> bool(pde_residual(eq, heat, points).abs().max() < 1e-12)
True
>>> burgers = PDE("u_t + u*u_x = nu*u_xx")
>>> solution = lambda p: p[:, 1] / (1 + p[:, 0])                  # u = x / (1 + t)
>>> bool(pde_residual(burgers, solution, points, params={"nu": 0.1}).abs().max() < 1e-12)
True
"""

from __future__ import annotations

import torch

from ...algebra.pde.parameters import parameter_values
from ...codegen import runtime
from ...errors import DTypeError, PDEError, ShapeError

__all__ = ["pde_residual", "residual_gradient", "symmetry_residual", "symmetry_loss"]


def _derivatives(out, points, derivatives):
    """``∂_J u_a`` of the network output ``out`` at ``points`` for each ``(a, J)`` (autograd)."""
    cache = {}

    def deriv(a, J):
        if (a, J) not in cache:
            if not J:
                cache[(a, J)] = out[:, a]
            else:
                grad, = torch.autograd.grad(deriv(a, J[:-1]).sum(), points, create_graph=True)
                cache[(a, J)] = grad[:, J[-1]]
        return cache[(a, J)]

    return [deriv(a, J) for a, J in derivatives]


def _evaluate(jet_ir, parsed, model, points, params):
    """The outputs of ``jet_ir`` (a :class:`~symgen.algebra.pde.residuals.JetIR`) for
    ``u = model(points)``, stacked on the last axis."""
    values = parameter_values(jet_ir.ir.params, params, parsed.parameters, jet_ir.ir.name)
    points = points.detach().requires_grad_(True)
    out = _output(parsed, model(points), len(points))
    coords = [points[:, i] for i in range(jet_ir.n_independent)]
    derivatives = _derivatives(out, points, jet_ir.derivatives)
    return torch.stack(runtime.op(jet_ir.ir).run(*coords, *derivatives, params=values), dim=-1)


def _output(parsed, out, n):
    """The model's output as ``(n, dependent variables)``: a 1-D output serves one variable."""
    names = ", ".join(str(d.func) for d in parsed.dependent)
    m = len(parsed.dependent)
    if not isinstance(out, torch.Tensor):
        raise PDEError(f"the model must return a torch tensor (n, {m}) of ({names}); got "
                       f"{type(out).__name__}")
    out = out[:, None] if out.dim() == 1 and m == 1 else out
    if tuple(out.shape) != (n, m):
        raise ShapeError(f"the model's output must have shape ({n}, {m}): one column per dependent "
                         f"variable ({names}); got {tuple(out.shape)}")
    return out


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
    """``Δ`` of each equation at ``points`` (n, independent) for ``u = model(points)``;
    ``params`` gives the equation's parameters, e.g. ``{"nu": 0.1}``."""
    _check_points(eq.parsed, model, points)
    return _evaluate(eq.residual_ir(), eq.parsed, model, points, params)


def residual_gradient(eq, model, points, params=None):
    """``D_i Δ`` of each equation along each independent variable at ``points`` for
    ``u = model(points)``: ``(n, equations × independent)``, the residual that
    gradient-enhanced PINNs (gPINN, Yu et al., 2022) penalise.

    >>> import torch
    >>> from symgen.pde import PDE
    >>> wrong = lambda p: p[:, 1] ** 3                    # Δ = u_t - u_xx = -6x
    >>> residual_gradient(PDE("u_t = u_xx"), wrong, torch.tensor([[0.5, 1.0]], dtype=torch.float64))
    tensor([[ 0., -6.]], dtype=torch.float64, grad_fn=<StackBackward0>)
    """
    _check_points(eq.parsed, model, points)
    return _evaluate(eq.residual_gradient_ir(), eq.parsed, model, points, params)


def symmetry_residual(sym, model, points, params=None, form="characteristic"):
    """The symmetry residual of each generator ``v_i`` of ``sym`` (and each equation) at
    ``points`` for ``u = model(points)``: a tensor ``(n, generators × equations)``.

    ``form="characteristic"`` (the default) evaluates ``Σ_J D_J Q_i ∂Δ/∂u_J`` with
    ``Q_i = φ_i − ξ_i^j u_j``; it equals ``pr v_i(Δ) − ξ_i^j D_j Δ``, so it holds the
    derivatives ``D_j Δ`` (one derivative order more of the network, about 1.5–2× the time
    of a step). ``form="prolonged"`` evaluates ``pr v_i(Δ)``; for a scalar PDE this is
    ``λ_i·Δ`` identically (:func:`~symgen.algebra.pde.residuals.residual_multipliers`): a
    reweighted residual, zero for translations, with no information beyond ``Δ``.

    The default follows the measurement in ``benchmarks/RESULTS.md`` ("Symmetry losses for
    PINNs"): on the heat equation over a family of initial conditions, added with weight
    0.1, the characteristic loss cut a plain PINN's test error by a third (0.28 → 0.19), as
    much as gPINN and no more; the prolonged one did not help (0.32). On viscous Burgers no
    extra term changed the error beyond the seed spread. The gain is weight-sensitive: with
    weight 1.0 both forms made heat worse than the plain PINN (0.33, 0.35), gPINN did not.

    >>> import torch
    >>> from symgen.pde import PDE
    >>> sym = PDE("u_t = u_xx").symmetries()
    >>> wrong = lambda p: p[:, 1] ** 3                    # Δ = -6x: not a solution
    >>> points = torch.tensor([[0.5, 1.0]], dtype=torch.float64)
    >>> symmetry_residual(sym, wrong, points, form="prolonged")     # λ = 0, 0, -2, 1, x, 10t + x²
    tensor([[  0.,   0.,  12.,  -6.,  -6., -36.]], dtype=torch.float64, grad_fn=<StackBackward0>)
    >>> symmetry_residual(sym, wrong, points)[0, 1]                 # ∂x: -D_x Δ = 6
    tensor(6., dtype=torch.float64, grad_fn=<SelectBackward0>)
    """
    _check_points(sym.parsed, model, points)
    return _evaluate(sym.residual_ir(form), sym.parsed, model, points, params)


def symmetry_loss(sym, model, points, params=None, form="characteristic"):
    """Mean square of :func:`symmetry_residual` over the generators of ``sym`` and the
    points (zero on exact solutions; differentiable in the model's parameters); ``params``
    gives the equation's parameters, e.g. ``{"nu": 0.1}``; ``form`` is ``"characteristic"``
    (default) or ``"prolonged"`` (see :func:`symmetry_residual` for the difference and the
    evidence for the default).

    >>> import torch
    >>> from symgen.pde import PDE
    >>> sym = PDE("u_t = u_xx").symmetries()
    >>> heat = lambda p: torch.exp(-p[:, 0]) * torch.sin(p[:, 1])    # an exact solution
    >>> points = torch.rand(16, 2, dtype=torch.float64)
    >>> [bool(symmetry_loss(sym, heat, points, form=f) < 1e-20) for f in ("prolonged", "characteristic")]
    [True, True]
    """
    return symmetry_residual(sym, model, points, params, form).square().mean()
