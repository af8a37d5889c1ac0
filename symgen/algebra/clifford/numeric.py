"""Numeric ops of an algebra: its IR handed to the codegen runtime, and the ops derived
from them (versor inverse, sandwich). Imports neither numba nor torch."""

from __future__ import annotations

import sys

import numpy as np

from ...codegen import runtime
from ...codegen.adaptors import is_torch
from ...errors import CodegenError, NotInvertibleError, ShapeError

__all__ = ["op_ir", "run", "versor_inverse", "sandwich"]

_LINEAR = {"reverse", "grade_involution", "clifford_conjugate", "dual", "undual",
           "complement", "uncomplement", "grade_projection"}


def op_ir(alg, op: str, k=None):
    """The IR of ``op`` (a product, or a linear map with grade ``k`` for grade_projection).

    Built on first use, which ``torch.compile`` cannot trace: then the op must have been
    prepared (:meth:`CliffordAlgebra.prepare`).
    """
    linear = k is not None or op in _LINEAR
    if runtime.compiling() and ((op, k) if linear else op) not in alg._ir_cache:
        what = op if k is None else f"{op} (grade {k})"
        raise CodegenError(f"the kernel of {what} for {alg!r} is built on first use, which cannot "
                           f"happen while torch.compile traces; call alg.prepare([{op!r}]) (or the "
                           f"op once, eagerly) before compiling")
    return alg.linear_ir(op, k) if linear else alg.bilinear_ir(op)


def run(alg, op: str, *inputs, k=None, backend: str = "auto"):
    """``op`` of ``alg`` on arrays ``(..., dim)``: shapes checked here, the rest by the runtime."""
    for name, x in zip("ab", inputs):
        shape = tuple(np.shape(x)) if not is_torch(x) else tuple(x.shape)
        if not shape or shape[-1] != alg.dim:
            got = shape[-1] if shape else "no"
            raise ShapeError(f"{name}: last axis has {got} components; {alg!r} needs {alg.dim} "
                             f"(shape {shape})")
    return runtime.run(op_ir(alg, op, k), *inputs, backend=backend)


def versor_inverse(alg, w, rtol, backend="auto"):
    rev = alg.reverse(w, backend=backend)
    norm = alg.geometric_product(w, rev, backend=backend)
    if not (is_torch(w) and runtime.compiling()):
        lib = np if not is_torch(w) else sys.modules["torch"]
        value = norm.detach() if is_torch(w) else norm
        scal = lib.abs(value[..., 0])
        rest = lib.abs(value[..., 1:]).max() if alg.dim > 1 else 0.0
        if bool((scal == 0).any()) or bool(rest > rtol * max(float(scal.min()), 1e-300) + 1e-12):
            raise NotInvertibleError(
                f"w w̃ is not an invertible scalar (min |<w w̃>_0| = {float(scal.min()):.3g}, "
                f"max non-scalar part = {float(rest):.3g}); w is not a versor of {alg!r}")
    return rev / norm[..., :1]


def sandwich(alg, w, x, backend="auto"):
    inv = alg.versor_inverse(w, backend=backend)
    xh = alg.grade_involution(x, backend=backend)
    even, odd = (x + xh) / 2, (x - xh) / 2
    gp = alg.geometric_product
    left = gp(w, even, backend=backend) + gp(alg.grade_involution(w, backend=backend), odd, backend=backend)
    return gp(left, inv, backend=backend)
