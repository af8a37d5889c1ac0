"""Measure and assert equivariance of a module (Clifford layers or group representations).

``equivariance_error`` measures, ``assert_equivariant`` judges (as in e3nn). Both
compare in float64 with a tolerance chosen by the module's dtype.

>>> import torch
>>> from symgen import CliffordAlgebra
>>> from symgen.nn import MVLinear
>>> layer = MVLinear(CliffordAlgebra((1, -1, -1, -1)), 3, 2).double()
>>> assert_equivariant(layer) < 1e-10
True
"""

from __future__ import annotations

import numpy as np
import torch

from ..errors import SymgenError

__all__ = ["equivariance_error", "assert_equivariant", "TOLERANCE"]

#: Relative error allowed per dtype.
TOLERANCE = {torch.float64: 1e-9, torch.float32: 2e-3, torch.float16: 5e-2, torch.bfloat16: 5e-2}


def _dtype(module):
    for p in module.parameters():
        return p.dtype
    return torch.float64


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


def equivariance_error(module, group=None, rep_in=None, rep_out=None, alg=None, inputs=None,
                       n_elements: int = 8, batch: int = 4, seed=None):
    """Worst relative error ``|f(g·x) - g·f(x)| / |g·f(x)|`` and where it happened.

    Clifford modules (``alg`` or ``module.alg``): ``g`` are versors acting by
    ``alg.sandwich`` on every channel of inputs ``(batch, channels, dim)``. Group modules
    (``group`` with ``rep_in``/``rep_out`` or ``module.rep_in``/``module.rep_out``): ``g``
    from ``group.sample`` acting by ``rep.rho(g)`` on inputs ``(batch, rep_in.size)``.
    Returns ``(error, info)``; ``info`` holds the element, input and dtype of the worst case.
    """
    rng = np.random.default_rng(seed)
    dtype = _dtype(module)
    alg = alg if alg is not None else (getattr(module, "alg", None) if group is None else None)
    if alg is not None:
        channels = getattr(module, "channels", 1)
        x = inputs if inputs is not None else torch.tensor(
            rng.standard_normal((batch, channels, alg.dim)), dtype=dtype)
        elements = _versors(alg, n_elements, rng)
        act_in = act_out = lambda g, y: alg.sandwich(torch.as_tensor(g, dtype=y.dtype), y)
    else:
        if group is None:
            raise SymgenError("pass alg= for a Clifford module or group= (with rep_in/rep_out) "
                              "for a representation module")
        rep_in = rep_in if rep_in is not None else module.rep_in
        rep_out = rep_out if rep_out is not None else module.rep_out
        x = inputs if inputs is not None else torch.tensor(
            rng.standard_normal((batch, rep_in.size)), dtype=dtype)
        elements = list(np.asarray(group.sample(n_elements, seed=int(rng.integers(2**31)))))

        def act(rep):
            return lambda g, y: y @ torch.as_tensor(np.asarray(rep.rho(g)), dtype=y.dtype).T
        act_in, act_out = act(rep_in), act(rep_out)
    worst, info = 0.0, {}
    with torch.no_grad():
        fx = module(x)
        for g in elements:
            lhs = module(act_in(g, x)).double()
            rhs = act_out(g, fx).double()
            err = float((lhs - rhs).abs().max() / (rhs.abs().max() + 1e-12))
            if err >= worst:
                worst, info = err, {"element": g, "input": x, "dtype": dtype}
    return worst, info


def assert_equivariant(module, group=None, rep_in=None, rep_out=None, alg=None, inputs=None,
                       n_elements: int = 8, batch: int = 4, seed=None, tolerance: float | None = None):
    """Raise ``AssertionError`` with the worst case unless ``module`` is equivariant.

    Returns the worst relative error when it is within ``tolerance`` (default:
    :data:`TOLERANCE` for the module's dtype).
    """
    __tracebackhide__ = True
    err, info = equivariance_error(module, group, rep_in, rep_out, alg, inputs, n_elements, batch, seed)
    tol = tolerance if tolerance is not None else TOLERANCE.get(info.get("dtype"), 1e-9)
    if not err <= tol:
        g = np.array2string(np.asarray(info["element"]), precision=3, threshold=40)
        raise AssertionError(
            f"{type(module).__name__} is not equivariant: worst relative error {err:.3e} > "
            f"{tol:.1e} ({info['dtype']}) for the element\n{g}\nand input of shape "
            f"{tuple(info['input'].shape)}")
    return err
