"""The Lie derivative of a model: how far from equivariant it is, generator by generator.

For a model ``f`` from ``rep_in`` to ``rep_out`` of a group ``G`` and a Lie-algebra
generator ``A`` of ``G`` (Gruver et al., ICLR 2023, "The Lie derivative for measuring
learned equivariance"):

``(L_A f)(x) = d/dt ρ_out(e^{-tA}) f(ρ_in(e^{tA}) x) |_{t=0} = J_f(x) dρ_in(A) x - dρ_out(A) f(x)``

zero for every ``x`` exactly when ``f`` commutes with the identity component of ``G``. The
directional derivative ``J_f(x) v`` is one forward-mode AD pass
(:mod:`torch.autograd.forward_ad`), so the model's ops need forward-mode formulas (torch's
built-in ops have them). Discrete generators ``h`` (reflections, permutations, the
generators of a finite group) have no derivative; for them the result is the finite
equivariance error ``f(ρ_in(h) x) - ρ_out(h) f(x)``. Together the two cover the whole group.

Each result's ``error`` is ``max |L_A f(x)| / max |f(x)|`` over the batch (relative, as in
:func:`~symgen.testing.equivariance_error`): about 1e-16 for an exactly equivariant
float64 model (EMLP, FrameAveraging, Canonicalize), of order 1 for a plain MLP.

>>> import torch
>>> from symgen import groups, reps
>>> from symgen.nn import EMLP
>>> G = groups.O(3)
>>> rep_in, rep_out = 3 * reps.V(G), reps.V(G)
>>> mlp = torch.nn.Sequential(torch.nn.Linear(9, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)).double()
>>> [(r.name, r.kind, r.error > 0.01) for r in lie_derivative(mlp, rep_in, rep_out, seed=0).values()]
[('A0', 'lie', True), ('A1', 'lie', True), ('A2', 'lie', True), ('h0', 'discrete', True)]
>>> emlp = EMLP(rep_in, rep_out, hidden=24, depth=1).double()
>>> max(r.error for r in lie_derivative(emlp, seed=0).values()) < 1e-10
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.autograd.forward_ad as fwAD

from .._validate import check_int
from ..errors import CheckerError, RepresentationError, ShapeError

__all__ = ["lie_derivative", "GeneratorError"]


@dataclass(frozen=True)
class GeneratorError:
    """The equivariance defect of a model along one generator of its group.

    ``name``: ``"A<k>"`` for the k-th Lie-algebra generator, ``"h<k>"`` for the k-th
    discrete one; ``kind``: ``"lie"`` or ``"discrete"``; ``generator``: its ``(d, d)``
    matrix; ``value``: the Lie derivative ``(batch, rep_out.size)`` (or, discrete, the
    difference ``f(ρ_in(h) x) - ρ_out(h) f(x)``); ``error``: ``max |value| / max |f(x)|``.
    """

    name: str
    kind: str
    generator: np.ndarray
    value: torch.Tensor
    error: float


def _dtype_device(model):
    for p in model.parameters():
        return p.dtype, p.device
    return torch.float64, torch.device("cpu")


def lie_derivative(model, rep_in=None, rep_out=None, inputs=None, batch: int = 8,
                   seed=None) -> dict[str, GeneratorError]:
    """The Lie derivative of ``model`` along each Lie-algebra generator of ``rep_in.G``
    (through ``rep.drho``), and the equivariance error of each discrete generator, on a
    batch: ``inputs`` ``(batch, rep_in.size)`` or ``batch`` standard-normal rows drawn with
    ``seed`` in the model's dtype. ``rep_in``/``rep_out`` default to the model's
    attributes. Returns ``{name: GeneratorError}`` in generator order.

    >>> import torch
    >>> from symgen import groups, reps
    >>> from symgen.nn import FrameAveraging
    >>> G = groups.SO(2)
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
    >>> fa = FrameAveraging(net, 2 * reps.V(G), reps.V(G))
    >>> result = lie_derivative(fa, seed=0)
    >>> list(result), result["A0"].value.shape, result["A0"].error < 1e-10
    (['A0'], torch.Size([8, 2]), True)
    """
    from ..algebra.groups.reps import Rep

    rep_in = rep_in if rep_in is not None else getattr(model, "rep_in", None)
    rep_out = rep_out if rep_out is not None else getattr(model, "rep_out", None)
    if not isinstance(rep_in, Rep) or not isinstance(rep_out, Rep):
        raise CheckerError(f"{type(model).__name__} has no rep_in/rep_out; pass rep_in= and rep_out= "
                           f"(symgen representations)")
    if rep_in.G != rep_out.G:
        raise RepresentationError(f"rep_in {rep_in!r} is a representation of {rep_in.G} but rep_out "
                                  f"{rep_out!r} of {rep_out.G}")
    dtype, device = _dtype_device(model)
    if inputs is None:
        batch = check_int(batch, "batch", CheckerError)
        rng = np.random.default_rng(seed)
        x = torch.tensor(rng.standard_normal((batch, rep_in.size)), dtype=dtype, device=device)
    else:
        x = inputs
        if not isinstance(x, torch.Tensor) or not x.dtype.is_floating_point:
            raise CheckerError(f"inputs must be a floating torch tensor, got {getattr(x, 'dtype', type(x).__name__)}")
        if x.dim() != 2 or x.shape[-1] != rep_in.size:
            raise ShapeError(f"inputs have shape {tuple(x.shape)}; lie_derivative takes (batch, {rep_in.size}) "
                             f"of rep_in {rep_in!r}")
        if not bool(torch.isfinite(x).all()):
            raise CheckerError("inputs contain NaN or inf; the Lie derivative needs finite inputs")
    G = rep_in.G

    def matrix(m):
        return torch.as_tensor(np.asarray(m), dtype=x.dtype, device=x.device)

    with torch.no_grad():
        fx = model(x)
    if not isinstance(fx, torch.Tensor) or fx.shape != (len(x), rep_out.size):
        raise ShapeError(f"{type(model).__name__} returned {tuple(getattr(fx, 'shape', ()))}; lie_derivative "
                         f"needs ({len(x)}, {rep_out.size}) for rep_out {rep_out!r}")
    scale = float(fx.abs().max()) + 1e-12

    def error(value):     # NaN or inf anywhere fails, as in equivariance_error
        err = float(value.abs().max()) / scale
        return err if np.isfinite(err) and bool(torch.isfinite(fx).all()) else float("inf")

    results = {}
    for k, A in enumerate(G.lie_basis()):
        with torch.no_grad(), fwAD.dual_level(), warnings.catch_warnings():
            # torch's forward-AD decompositions call the deprecated torch.jit.script on first use
            warnings.filterwarnings("ignore", "`torch.jit.script` is deprecated", DeprecationWarning)
            _, jv = fwAD.unpack_dual(model(fwAD.make_dual(x, x @ matrix(rep_in.drho(A)).T)))
        value = jv - fx @ matrix(rep_out.drho(A)).T
        results[f"A{k}"] = GeneratorError(f"A{k}", "lie", A, value, error(value))
    for k, h in enumerate(G.discrete_basis()):
        with torch.no_grad():
            value = model(rep_in.act(matrix(h), x)) - rep_out.act(matrix(h), fx)
        results[f"h{k}"] = GeneratorError(f"h{k}", "discrete", h, value, error(value))
    return results
