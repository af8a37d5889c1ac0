"""Array adaptors of the runtime: input checks, broadcasting and rows.

Multilinear kernels see 2-D inputs ``(rows, dim)`` (Numba, NumPy) or tensors broadcasting
over leading axes (torch); pointwise kernels see flat 1-D arrays (Numba) or broadcasting
tensors (torch), and their outputs are given the inputs' broadcast shape. These helpers check what a user passed (dtype, device, the last
axis against the IR) and raise :class:`~symgen.errors.SymgenError` subclasses naming the
bad value; they import torch only when given a tensor.

>>> import numpy as np
>>> lead, rows = numpy_rows([np.ones((2, 3, 4)), np.ones(4)])
>>> lead, [r.shape for r in rows]
((2, 3), [(6, 4), (6, 4)])
>>> shape, flat = elementwise_rows([np.ones((2, 1)), np.ones(3)])
>>> shape, [f.shape for f in flat]
((2, 3), [(6,), (6,)])
"""

from __future__ import annotations

import math
import sys

import numpy as np

from ..errors import DeviceError, DTypeError, ShapeError

__all__ = ["is_torch", "check_last_axes", "as_numpy", "check_torch", "batch_shape", "numpy_rows",
           "torch_rows", "rows_of", "elementwise_shape", "elementwise_rows", "from_rows"]

_NAMES = "abwcdefg"


def is_torch(x) -> bool:
    """True for a torch tensor (recognised by its type's module: torch is not imported)."""
    return type(x).__module__.split(".")[0] == "torch"


def check_last_axes(ir, xs) -> None:
    """Each input's last axis has the length the IR expects."""
    for name, x, dim in zip(_NAMES, xs, ir.in_dims):
        shape = tuple(x.shape)
        if not shape or shape[-1] != dim:
            got = shape[-1] if shape else "no"
            raise ShapeError(f"{name}: last axis has {got} components; {ir.doc or ir.name} needs "
                             f"{dim} (shape {shape})")


def as_numpy(xs) -> list:
    """Float arrays of one dtype (integers become float64)."""
    out = []
    for name, x in zip(_NAMES, xs):
        if is_torch(x):
            raise DTypeError(f"{name} is a torch tensor while the other operand is a "
                             f"{type(xs[0]).__name__}; pass all as torch tensors or all as numpy arrays")
        arr = np.asarray(x)
        if arr.dtype.kind in "biu":
            arr = arr.astype(np.float64)
        if arr.dtype not in (np.float32, np.float64):
            raise DTypeError(f"{name} has dtype {arr.dtype}; use float32 or float64")
        out.append(arr)
    if len({a.dtype for a in out}) > 1:
        raise DTypeError("operands have different dtypes: "
                         + ", ".join(f"{n}={a.dtype}" for n, a in zip(_NAMES, out)) + "; cast one of them")
    return out


def check_torch(xs) -> None:
    """Torch tensors of one floating dtype on one device."""
    torch = sys.modules["torch"]
    for name, x in zip(_NAMES, xs):
        if not is_torch(x):
            raise DTypeError(f"{name} is a {type(x).__name__} while another operand is a torch "
                             f"tensor; pass all as torch tensors or all as numpy arrays")
        if x.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
            raise DTypeError(f"{name} has dtype {x.dtype}; use a floating dtype")
    if len({x.dtype for x in xs}) > 1:
        raise DTypeError("operands have different dtypes: "
                         + ", ".join(f"{n}={x.dtype}" for n, x in zip(_NAMES, xs)))
    if len({x.device for x in xs}) > 1:
        raise DeviceError("operands are on different devices: "
                          + ", ".join(f"{n}={x.device}" for n, x in zip(_NAMES, xs)))


def batch_shape(xs) -> tuple:
    """The broadcast leading shape of the inputs (all axes but the last)."""
    shapes = [tuple(x.shape[:-1]) for x in xs]
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError as exc:
        raise ShapeError(f"batch shapes {' and '.join(map(str, shapes))} do not broadcast") from exc


def rows_of(xs) -> int:
    """Rows a kernel runs over: the product of the broadcast leading shape."""
    return math.prod(batch_shape(xs))


def numpy_rows(xs):
    """Leading shape and the inputs as C-contiguous, writable 2-D arrays ``(rows, dim)``.

    Always the same array type, so a Numba kernel compiles once per dtype.
    """
    lead = batch_shape(xs)
    rows = [np.require((x if x.shape[:-1] == lead else np.broadcast_to(x, lead + x.shape[-1:]))
                       .reshape(-1, x.shape[-1]), requirements="CW") for x in xs]
    return lead, rows


def torch_rows(xs):
    """Leading shape and CPU tensors as 2-D numpy rows (shared memory where possible)."""
    lead = batch_shape(xs)
    rows = [np.require(x.detach().expand(*lead, x.shape[-1]).reshape(-1, x.shape[-1]).numpy(),
                       requirements="CW") for x in xs]
    return lead, rows


def elementwise_shape(xs) -> tuple:
    """The broadcast shape of the inputs of a pointwise kernel (all axes)."""
    shapes = [tuple(x.shape) for x in xs]
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError as exc:
        raise ShapeError(f"input shapes {' and '.join(map(str, shapes))} do not broadcast") from exc


def elementwise_rows(xs):
    """Broadcast shape and the inputs (numpy arrays or CPU tensors) as C-contiguous,
    writable 1-D numpy arrays: one array type, so a Numba kernel compiles once per dtype."""
    shape = elementwise_shape(xs)
    flat = [(x.detach().expand(shape).reshape(-1).numpy() if is_torch(x)
             else np.broadcast_to(x, shape).reshape(-1)) for x in xs]
    return shape, [np.require(f, requirements="CW") for f in flat]


def from_rows(outs, shape, like):
    """Flat numpy outputs back in ``shape``, as torch tensors if ``like`` is one."""
    if is_torch(like):
        torch = sys.modules["torch"]
        return tuple(torch.from_numpy(o).reshape(shape) for o in outs)
    return tuple(o.reshape(shape) for o in outs)
