"""Numeric dispatch of algebra ops: numpy → Numba kernels, torch → torch kernels.

This module checks inputs at the public boundary (shape, dtype, device) and calls
the kernels that codegen compiled from the algebra's IR. It imports neither numba nor
torch: a torch tensor is recognised by its type's module.
"""

from __future__ import annotations

import sys

import numpy as np

from ... import codegen
from ...errors import CodegenError, DeviceError, DTypeError, NotInvertibleError, ShapeError

__all__ = ["bilinear", "linear", "versor_inverse", "sandwich", "is_torch"]


def is_torch(x) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def kernel(alg, op: str, backend: str, k=None):
    """The compiled kernel of ``op`` (bilinear or linear) for ``alg``, built once per algebra."""
    key = (op, k, backend)
    if key not in alg._kernels:
        if backend == "torch" and _compiling():
            raise CodegenError(
                f"the torch kernel of {op!r} for {alg!r} is built on first use, which cannot "
                f"happen while torch.compile traces; call alg.prepare([{op!r}]) (or the op once, "
                f"eagerly) before compiling")
        ir = alg.linear_ir(op, k) if (k is not None or op in _LINEAR) else alg.bilinear_ir(op)
        alg._kernels[key] = codegen.compile(ir, backend)
    return alg._kernels[key]


_LINEAR = {"reverse", "grade_involution", "clifford_conjugate", "dual", "undual",
           "complement", "uncomplement", "grade_projection"}


def _check_last_axis(alg, x, what):
    shape = tuple(x.shape)
    if not shape or shape[-1] != alg.dim:
        got = shape[-1] if shape else "no"
        raise ShapeError(f"{what}: last axis has {got} components; {alg!r} needs {alg.dim} "
                         f"(shape {shape})")


def _as_numpy(x, what):
    arr = np.asarray(x)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    if arr.dtype not in (np.float32, np.float64):
        raise DTypeError(f"{what} has dtype {arr.dtype}; use float32 or float64")
    return arr


def _check_torch(xs, names):
    torch = sys.modules["torch"]
    for x, name in zip(xs, names):
        if not is_torch(x):
            raise DTypeError(f"{name} is a {type(x).__name__} while the other operand is a torch "
                             f"tensor; pass both as torch tensors or both as numpy arrays")
        if x.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
            raise DTypeError(f"{name} has dtype {x.dtype}; use a floating dtype")
    if len({x.dtype for x in xs}) > 1:
        raise DTypeError("operands have different dtypes: "
                         + ", ".join(f"{n}={x.dtype}" for x, n in zip(xs, names)))
    if len({x.device for x in xs}) > 1:
        raise DeviceError("operands are on different devices: "
                          + ", ".join(f"{n}={x.device}" for x, n in zip(xs, names)))


def bilinear(alg, op, a, b):
    if is_torch(a) or is_torch(b):
        _check_torch((a, b), ("a", "b"))
        _check_last_axis(alg, a, "a")
        _check_last_axis(alg, b, "b")
        _batch_shape(a.shape, b.shape)
        return kernel(alg, op, "torch")(a, b)
    a, b = _as_numpy(a, "a"), _as_numpy(b, "b")
    if a.dtype != b.dtype:
        raise DTypeError(f"operands have different dtypes: a={a.dtype}, b={b.dtype}; "
                         f"cast one of them")
    _check_last_axis(alg, a, "a")
    _check_last_axis(alg, b, "b")
    batch = _batch_shape(a.shape, b.shape)
    a2 = np.broadcast_to(a, batch + (alg.dim,)).reshape(-1, alg.dim)
    b2 = np.broadcast_to(b, batch + (alg.dim,)).reshape(-1, alg.dim)
    out = np.empty((a2.shape[0], alg.dim), dtype=a.dtype)
    kernel(alg, op, "numba")(a2, b2, out)
    return out.reshape(batch + (alg.dim,))


def _batch_shape(sa, sb):
    try:
        return tuple(np.broadcast_shapes(tuple(sa[:-1]), tuple(sb[:-1])))
    except ValueError as exc:
        raise ShapeError(f"batch shapes {tuple(sa[:-1])} and {tuple(sb[:-1])} do not "
                         f"broadcast") from exc


def linear(alg, op, a, k=None):
    if is_torch(a):
        _check_torch((a,), ("a",))
        _check_last_axis(alg, a, "a")
        return kernel(alg, op, "torch", k)(a)
    a = _as_numpy(a, "a")
    _check_last_axis(alg, a, "a")
    a2 = np.ascontiguousarray(a.reshape(-1, alg.dim))
    out = np.empty_like(a2)
    kernel(alg, op, "numba", k)(a2, out)
    return out.reshape(a.shape)


def _compiling() -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and torch.compiler.is_compiling()


def versor_inverse(alg, w, rtol):
    rev = alg.reverse(w)
    norm = alg.geometric_product(w, rev)
    if not (is_torch(w) and _compiling()):
        lib = np if not is_torch(w) else sys.modules["torch"]
        value = norm.detach() if is_torch(w) else norm
        scal = lib.abs(value[..., 0])
        rest = lib.abs(value[..., 1:]).max() if alg.dim > 1 else 0.0
        if bool((scal == 0).any()) or bool(rest > rtol * max(float(scal.min()), 1e-300) + 1e-12):
            raise NotInvertibleError(
                f"w w̃ is not an invertible scalar (min |<w w̃>_0| = {float(scal.min()):.3g}, "
                f"max non-scalar part = {float(rest):.3g}); w is not a versor of {alg!r}")
    return rev / norm[..., :1]


def sandwich(alg, w, x):
    inv = alg.versor_inverse(w)
    xh = alg.grade_involution(x)
    even, odd = (x + xh) / 2, (x - xh) / 2
    left = alg.geometric_product(w, even) + alg.geometric_product(alg.grade_involution(w), odd)
    return alg.geometric_product(left, inv)
