"""Measure and assert equivariance of a module (Clifford layers or group representations).

``equivariance_error`` measures, ``assert_equivariant`` judges (as in e3nn). Both
compare in float64 with a tolerance chosen by the module's dtype.

What the checker reads from the module (its documented attributes):

- **Clifford modules**: ``alg`` (a :class:`~symgen.CliffordAlgebra`) and the number of
  input channels, ``in_channels`` or else ``channels``; inputs are
  ``(batch, channels, alg.dim)`` and every multivector is acted on by ``alg.sandwich``.
- **group modules**: ``rep_in`` and ``rep_out`` (:class:`~symgen.reps.Rep`); inputs are
  ``(batch, rep_in.size)``, acted on by ``rep_in.rho(g)``, outputs by ``rep_out.rho(g)``.

A module without them is checked when told: ``alg=``/``group=``, ``rep_in=``/``rep_out=``,
and ``input_shape=`` (the shape of one sample, or a tuple of shapes for a module taking
several tensors) or ``inputs=`` (tensors, acted on along their last axis). Group elements
are drawn at random, or given with ``elements=``: one versor or a batch (Clifford), one
matrix or a batch (groups), e.g. drawn by :mod:`symgen.testing.strategies`.

Any NaN or inf in an output fails the check (the error is ``inf``), and non-finite inputs
or elements are refused with :class:`~symgen.errors.CheckerError`.

>>> import torch
>>> from symgen import CliffordAlgebra
>>> from symgen.nn import MVLinear
>>> layer = MVLinear(CliffordAlgebra((1, -1, -1, -1)), 3, 2).double()
>>> assert_equivariant(layer) < 1e-10
True
>>> class Broken(torch.nn.Module):                   # all-NaN output: never passes
...     alg, channels = layer.alg, 3
...     def forward(self, x):
...         return x * float("nan")
>>> equivariance_error(Broken())[0]
inf
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .._validate import check_finite, check_int
from ..errors import AlgebraMismatchError, CheckerError, RepresentationError, ShapeError

__all__ = ["equivariance_error", "assert_equivariant", "TOLERANCE"]

#: Relative error allowed per dtype.
TOLERANCE = {torch.float64: 1e-9, torch.float32: 2e-3, torch.float16: 5e-2, torch.bfloat16: 5e-2}


def _dtype_device(module):
    for p in module.parameters():
        return p.dtype, p.device
    return torch.float64, torch.device("cpu")


#: Largest entry of a drawn versor (normalised to |w w̃| = 1), for float64 and for lower
#: precision. Indefinite metrics have boosts of any size, and a layer's float32 round-off
#: grows with their entries: over 40 seeds the fully connected layer of the non-diagonal
#: metric (1 1 0; 1 2 0; 0 0 -1) reached 7e-4 with entries ≤ 4 (once 1.5e-2, above the
#: 2e-3 tolerance) and 2e-5 with entries ≤ 2.
MAX_VERSOR_ENTRY = {True: 4.0, False: 2.0}


def _versors(alg, count, rng, max_entry: float = 4.0):
    """Products of 1..4 invertible vectors (both parities), normalised.

    For indefinite metrics the group is non-compact; versors with entries above
    ``max_entry`` (large boosts) are redrawn so that float32 round-off stays bounded.
    """
    out = []
    vec = list(alg.grade_indices(1))
    while len(out) < count:
        w = np.eye(alg.dim)[0]
        for _ in range(1 + len(out) % 4):
            while True:
                v = np.zeros(alg.dim)
                v[vec] = rng.standard_normal(alg.n)
                if abs(float(alg.norm_squared(v))) > 0.25:
                    break
            w = alg.geometric_product(w, v)
        w = w / np.sqrt(abs(float(alg.norm_squared(w))))
        if np.abs(w).max() <= max_entry:
            out.append(w)
    return out


def _given_elements(elements, shape, what):
    """User-given elements as a list of float64 arrays of ``shape`` (one element or a batch)."""
    g = elements.detach().cpu().numpy() if isinstance(elements, torch.Tensor) else elements
    try:
        g = np.asarray(g, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CheckerError(f"elements must be numeric arrays of shape {shape} or (k, *{shape}) "
                           f"({what}), got {elements!r}") from exc
    if g.shape == shape:
        g = g[None]
    if g.ndim != len(shape) + 1 or g.shape[1:] != shape or not len(g):
        raise ShapeError(f"elements have shape {g.shape}; {what} need {shape} (one element) "
                         f"or (k, *{shape})")
    if not np.isfinite(g).all():
        raise CheckerError(f"elements contain NaN or inf ({what}); pass finite group elements")
    return list(g)


def _check_parity(alg, elements):
    """Versors are even or odd; a mixed element is not a Clifford-group element and the
    twisted sandwich by it is no group action (an equivariant module would fail)."""
    odd = np.array(alg.grades) % 2 == 1
    for q, w in enumerate(elements):
        scale = np.abs(w).max()
        if np.abs(w[odd]).max(initial=0) > 1e-9 * scale and np.abs(w[~odd]).max() > 1e-9 * scale:
            raise CheckerError(f"element {q} mixes even and odd grades; a versor of {alg!r} is a "
                               f"product of invertible vectors (see strategies.clifford_group_elements)")


def _check_form(group, elements):
    """Elements of a form-preserving group (O(p,q), Sp) preserve its form ``J``: ``gᵀ J g = J``;
    those of SO(p, q) have determinant 1."""
    if getattr(group, "special", False):
        for q, g in enumerate(elements):
            if np.linalg.det(g) < 0:
                raise CheckerError(f"element {q} has determinant {np.linalg.det(g):.3g}; elements of "
                                   f"{group} have determinant 1")
    if group.form is None:
        return
    J = np.array(group.form, dtype=np.float64)
    for q, g in enumerate(elements):
        if np.abs(g.T @ J @ g - J).max() > 1e-6 * max(1.0, np.abs(g).max() ** 2):
            raise CheckerError(f"element {q} is not in {group}: it does not preserve the form "
                               f"{J.astype(int).tolist()} (draw elements with group.sample or "
                               f"strategies.group_elements)")


def _as_inputs(inputs, last, what):
    """``inputs`` as a tuple of finite floating tensors whose last axis is ``last``."""
    xs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for q, x in enumerate(xs):
        if not isinstance(x, torch.Tensor) or not x.dtype.is_floating_point:
            raise CheckerError(f"inputs[{q}] must be a floating torch tensor, got "
                               f"{getattr(x, 'dtype', type(x).__name__)}")
        if not x.dim() or x.shape[-1] != last:
            raise ShapeError(f"inputs[{q}] has shape {tuple(x.shape)}; its last axis must have "
                             f"{last} components ({what})")
        if not bool(torch.isfinite(x).all()):
            raise CheckerError(f"inputs[{q}] contains NaN or inf; the checker needs finite inputs")
    return xs


def _shapes(input_shape, default, last, what, module):
    """Per-sample input shapes: ``input_shape`` (one shape or a tuple of shapes) or ``default``;
    ``module`` is None when inputs are given (nothing needs inferring)."""
    if input_shape is None:
        if default is None and module is not None:
            raise CheckerError(
                f"cannot infer the input shape of {type(module).__name__}: it has neither "
                f"in_channels nor channels; pass input_shape=(channels, {last}) or inputs=")
        return (default,)
    shapes = (tuple(input_shape),) if all(isinstance(s, (int, np.integer)) for s in input_shape) \
        else tuple(tuple(s) for s in input_shape)
    for s in shapes:
        if not s or s[-1] != last or any(not isinstance(k, (int, np.integer)) or k < 1 for k in s):
            raise ShapeError(f"input_shape {tuple(input_shape)}: each shape is positive integers "
                             f"ending in {last} ({what})")
    return shapes


def _clifford_setup(module, alg, input_shape, given):
    own = getattr(module, "alg", None)
    alg = alg if alg is not None else own
    if own is not None and alg is not None and own != alg:
        raise AlgebraMismatchError(f"alg={alg!r} but the module works in {own!r}; check it with "
                                   f"its own algebra")
    channels = getattr(module, "in_channels", getattr(module, "channels", None))
    default = None if channels is None else (int(channels), alg.dim)
    return alg, _shapes(input_shape, default, alg.dim, f"multivectors of {alg!r}", None if given else module)


def _group_setup(module, group, rep_in, rep_out, input_shape):
    from ..algebra.groups.group import Group
    from ..algebra.groups.reps import Rep

    rep_in = rep_in if rep_in is not None else getattr(module, "rep_in", None)
    rep_out = rep_out if rep_out is not None else getattr(module, "rep_out", None)
    if not isinstance(rep_in, Rep) or not isinstance(rep_out, Rep):
        raise CheckerError(f"{type(module).__name__} has no rep_in/rep_out; pass rep_in= and rep_out= "
                           f"(symgen representations), or alg= for a Clifford module")
    group = group if group is not None else rep_in.G
    if not isinstance(group, Group):
        raise CheckerError(f"group must be a symgen group, got {group!r}")
    for name, rep in (("rep_in", rep_in), ("rep_out", rep_out)):
        if rep.G != group:
            raise RepresentationError(f"{name} {rep!r} is a representation of {rep.G}, not of the "
                                      f"group {group} being checked")
    shapes = _shapes(input_shape, (rep_in.size,), rep_in.size, f"rep_in {rep_in!r}", module)
    return group, rep_in, rep_out, shapes


def equivariance_error(module, group=None, rep_in=None, rep_out=None, alg=None, inputs=None,
                       n_elements: int = 8, batch: int = 4, seed=None, *, elements=None,
                       input_shape=None):
    """Worst relative error ``|f(g·x) - g·f(x)| / |g·f(x)|`` and where it happened.

    Clifford modules (``alg`` or ``module.alg``): ``g`` are versors acting by
    ``alg.sandwich`` on every input multivector. Group modules (``group`` with
    ``rep_in``/``rep_out``, or ``module.rep_in``/``module.rep_out``; ``group`` defaults to
    ``rep_in.G``): ``g`` from ``group.sample`` acting by ``rep.rho(g)`` on the last axis.
    Inputs are ``inputs`` (a tensor or a tuple of tensors passed as ``module(*inputs)``),
    or random of ``input_shape`` per sample, or inferred (see the module docstring).
    ``elements`` replaces the random elements (one element or a batch).

    Returns ``(error, info)``; ``info`` holds the element, input, dtype and, when an
    output is NaN or inf (error ``inf``), the ``reason``.

    >>> import torch
    >>> from symgen import groups, reps
    >>> from symgen.nn import EquivariantLinear
    >>> G = groups.SO(3)
    >>> layer = EquivariantLinear(reps.V(G), reps.V(G)).double()
    >>> err, info = equivariance_error(layer, elements=G.sample(3, seed=0))
    >>> err < 1e-12, info["element"].shape
    (True, (3, 3))
    """
    n_elements = check_int(n_elements, "n_elements", CheckerError)
    batch = check_int(batch, "batch", CheckerError)
    rng = np.random.default_rng(seed)
    dtype, device = _dtype_device(module)
    if group is None and (alg is not None or getattr(module, "alg", None) is not None):
        alg, shapes = _clifford_setup(module, alg, input_shape, inputs is not None)
        last, what = alg.dim, f"multivectors of {alg!r}"
        if elements is None:
            elements = _versors(alg, n_elements, rng, MAX_VERSOR_ENTRY[dtype == torch.float64])
        else:
            elements = _given_elements(elements, (alg.dim,), f"versors of {alg!r}")
            _check_parity(alg, elements)

        def act_in(g, y):
            return alg.sandwich(torch.as_tensor(g, dtype=y.dtype, device=y.device), y)
        act_out = act_in
    else:
        if alg is not None:
            raise CheckerError("pass alg= (Clifford module) or group= (representation module), not both")
        group, rep_in, rep_out, shapes = _group_setup(module, group, rep_in, rep_out, input_shape)
        last, what = rep_in.size, f"rep_in {rep_in!r}"
        if elements is None:
            elements = list(np.asarray(group.sample(n_elements, seed=int(rng.integers(2**31)))))
        else:
            elements = _given_elements(elements, (group.d, group.d), f"elements of {group}")
            _check_form(group, elements)

        def act(rep):
            return lambda g, y: y @ torch.as_tensor(np.asarray(rep.rho(g)), dtype=y.dtype,
                                                    device=y.device).T
        act_in, act_out = act(rep_in), act(rep_out)
    if inputs is not None:
        xs = _as_inputs(inputs, last, what)
    else:
        xs = tuple(torch.tensor(rng.standard_normal((batch, *s)), dtype=dtype, device=device)
                   for s in shapes)
    worst, info = -1.0, {}
    with torch.no_grad():
        fx = module(*xs)
        if not isinstance(fx, torch.Tensor):
            raise CheckerError(f"{type(module).__name__} returned {type(fx).__name__}; the checker "
                               f"compares one output tensor")
        for g in elements:
            lhs = module(*(act_in(g, x) for x in xs)).double()
            rhs = act_out(g, fx).double()
            finite = bool(torch.isfinite(fx).all() and torch.isfinite(lhs).all())
            err = float((lhs - rhs).abs().max() / (rhs.abs().max() + 1e-12)) if finite else math.inf
            if not math.isfinite(err):       # NaN compares false with everything: make it fail
                err = math.inf
            if err > worst:
                worst, info = err, {"element": g, "input": xs[0], "dtype": dtype}
                if not finite:
                    info["reason"] = "the module returned NaN or inf"
                if err == math.inf:
                    break
    return worst, info


def assert_equivariant(module, group=None, rep_in=None, rep_out=None, alg=None, inputs=None,
                       n_elements: int = 8, batch: int = 4, seed=None, tolerance: float | None = None,
                       *, elements=None, input_shape=None):
    """Raise ``AssertionError`` with the worst case unless ``module`` is equivariant.

    Arguments as in :func:`equivariance_error`. Returns the worst relative error when it
    is within ``tolerance`` (default: :data:`TOLERANCE` for the module's dtype); NaN or
    inf outputs always fail. With Hypothesis, pass the drawn elements::

        @given(st.clifford_group_elements(alg))
        def test_layer(w):
            assert_equivariant(layer, elements=w)

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> from symgen.nn import MVLinear
    >>> net = torch.nn.Sequential(MVLinear(CliffordAlgebra((1, 1, 1)), 5, 3)).double()
    >>> assert_equivariant(net, alg=CliffordAlgebra((1, 1, 1)), input_shape=(5, 8)) < 1e-10
    True
    """
    __tracebackhide__ = True
    if tolerance is not None:
        tolerance = check_finite(tolerance, "tolerance", CheckerError, positive=True)
    err, info = equivariance_error(module, group, rep_in, rep_out, alg, inputs, n_elements, batch, seed,
                                   elements=elements, input_shape=input_shape)
    tol = tolerance if tolerance is not None else TOLERANCE.get(info.get("dtype"), 1e-9)
    if not err <= tol:
        g = np.array2string(np.asarray(info["element"]), precision=3, threshold=40)
        reason = f" ({info['reason']})" if "reason" in info else ""
        raise AssertionError(
            f"{type(module).__name__} is not equivariant: worst relative error {err:.3e} > "
            f"{tol:.1e} ({info['dtype']}){reason} for the element\n{g}\nand input of shape "
            f"{tuple(info['input'].shape)}")
    return err
