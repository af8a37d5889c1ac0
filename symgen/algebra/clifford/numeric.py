"""Numeric ops of an algebra: its IR handed to the codegen runtime, and the ops derived
from them (versor inverse, sandwich), on full multivectors or on inputs holding only
some grades (:mod:`.graded`). Imports neither numba nor torch."""

from __future__ import annotations

import sys

import numpy as np

from ...codegen import runtime
from ...codegen.adaptors import is_torch
from ...errors import CodegenError, NotInvertibleError, ShapeError
from . import graded

__all__ = ["op_ir", "run", "run_graded", "versor_inverse", "sandwich", "sandwich_graded"]

_LINEAR = {"reverse", "grade_involution", "clifford_conjugate", "dual", "undual",
           "complement", "uncomplement", "grade_projection"}


def op_ir(alg, op: str, k=None, grades=None):
    """The IR of ``op`` (a product, or a linear map with grade ``k`` for grade_projection);
    with ``grades`` (one entry per input) the product, or ``"sandwich"``, specialised to
    inputs holding only those grades.

    Built on first use, which ``torch.compile`` cannot trace: then the op must have been
    prepared (:meth:`CliffordAlgebra.prepare`).
    """
    if grades is not None:
        grades = graded.parse_grades(alg, grades)
        sandwich = op in ("sandwich", "unit_sandwich")
        key = ("sandwich",) + grades + (op == "unit_sandwich",) if sandwich else ("graded", op) + grades
    else:
        key = (op, k) if k is not None or op in _LINEAR else op
    if runtime.compiling() and key not in alg._ir_cache:
        what = op if k is None else f"{op} (grade {k})"
        where = "" if grades is None else f", grades={grades!r}"
        raise CodegenError(f"the kernel of {what} for {alg!r} is built on first use, which cannot "
                           f"happen while torch.compile traces; call alg.prepare([{op!r}]{where}) "
                           f"(or the op once, eagerly) before compiling")
    if grades is not None:
        if sandwich:
            return graded.sandwich_ir(alg, grades, unit=op == "unit_sandwich")
        return graded.graded_ir(alg, op, grades)
    return alg.linear_ir(op, k) if k is not None or op in _LINEAR else alg.bilinear_ir(op)


def run(alg, op: str, *inputs, k=None, backend: str = "auto"):
    """``op`` of ``alg`` on arrays ``(..., dim)``: shapes checked here, the rest by the runtime."""
    for name, x in zip("ab", inputs):
        shape = tuple(np.shape(x)) if not is_torch(x) else tuple(x.shape)
        if not shape or shape[-1] != alg.dim:
            got = shape[-1] if shape else "no"
            raise ShapeError(f"{name}: last axis has {got} components; {alg!r} needs {alg.dim} "
                             f"(shape {shape})")
    return runtime.run(op_ir(alg, op, k), *inputs, backend=backend)


def graded_irs(alg, op: str, grades) -> tuple:
    """Every IR ``op`` with ``grades`` runs (a sandwich: ``w x w̃ / <w w̃>_0``, and ``w x w̃``
    for unit versors)."""
    if op == "sandwich":
        return (op_ir(alg, op, grades=grades), op_ir(alg, "unit_sandwich", grades=grades))
    return (op_ir(alg, op, grades=grades),)


def run_graded(alg, op: str, a, b, grades, backend: str = "auto"):
    """``op`` on inputs holding only ``grades`` (their blades' components, in blade order);
    the last axes are checked against the blade counts by the runtime."""
    return runtime.run(op_ir(alg, op, grades=grades), a, b, backend=backend)


def sandwich_graded(alg, w, x, grades, backend: str = "auto", unit: bool = False):
    """``w x̂^p w⁻¹ = w x̂^p w̃ / <w w̃>_0`` on the grades of ``x`` (``w`` a versor, not
    checked): one kernel of ``(w, x)``; ``w x̂^p w̃`` when ``unit`` says ``w w̃ = 1``."""
    return runtime.run(op_ir(alg, "unit_sandwich" if unit else "sandwich", grades=grades), w, x, backend=backend)


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


def sandwich(alg, w, x, backend="auto", unit=False):
    inv = alg.reverse(w, backend=backend) if unit else alg.versor_inverse(w, backend=backend)
    xh = alg.grade_involution(x, backend=backend)
    even, odd = (x + xh) / 2, (x - xh) / 2
    gp = alg.geometric_product
    left = gp(w, even, backend=backend) + gp(alg.grade_involution(w, backend=backend), odd, backend=backend)
    return gp(left, inv, backend=backend)
