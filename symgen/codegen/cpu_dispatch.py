"""Large CPU batches of torch products through the generated Numba kernels.

In eager torch on the CPU, an unrolled product is hundreds of elementwise ops, each a
pass over memory; the generated Numba kernel computes a row in registers and is several
times faster (benchmarks/RESULTS.md). :func:`cpu_dispatch` wraps a torch product kernel so
that CPU float32/float64 tensors with at least :data:`MIN_ROWS` rows, outside
``torch.compile`` and functorch transforms, take the Numba kernel inside an
``autograd.Function`` whose backward is the gradient ops of the IR, dispatched the same
way (so it is differentiable again). Everything else (CUDA, tracing, small batches, half
precision, component-major inputs of ops with few terms) runs the torch kernel unchanged.

>>> import torch
>>> from symgen.codegen.ir import Bilinear
>>> from symgen.codegen import compile
>>> ir = Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)))
>>> cmul = compile(ir, "torch")
>>> a = torch.randn(MIN_ROWS, 2, dtype=torch.float64, requires_grad=True)
>>> b = torch.randn(2, dtype=torch.float64)
>>> torch.autograd.gradcheck(cmul, (a[:3], b))           # torch kernel (3 rows)
True
>>> torch.allclose(cmul(a, b), torch.view_as_real(torch.view_as_complex(a) * torch.view_as_complex(b)))
True
"""

from __future__ import annotations

import functools
import importlib.util
import math

import numpy as np
import torch

from .ir import Multilinear, gradient_ir

__all__ = ["cpu_dispatch", "MIN_ROWS"]

#: Rows (product of the broadcast leading axes) from which CPU tensors take the Numba kernel.
#: The Numba kernel is faster at every size measured (fwd+bwd geometric product, 64 rows:
#: 2.3x on Cl(3,0), 6.6x on Cl(1,3); benchmarks/RESULTS.md); the threshold keeps tiny calls,
#: such as property tests, from paying a first compile (1-10 s per op and dtype, then cached).
MIN_ROWS = 256

#: An input whose components are not contiguous (a permuted view, a gradient out of a
#: batched matmul) is copied to rows; the Numba kernel is used only while
#: ``STRIDED_COST * (its components) <= terms of the op``.
STRIDED_COST = 4

_DTYPES = (torch.float32, torch.float64)
_HAVE_NUMBA = importlib.util.find_spec("numba") is not None


class _NumbaOp:
    """The Numba kernel of one multilinear IR and, built on demand, its gradient ops
    (dispatched like any torch product: Numba or torch kernel by the inputs)."""

    def __init__(self, ir: Multilinear):
        self.ir = ir
        self._kernel = None
        self._grads: dict = {}

    def run(self, *inputs: torch.Tensor) -> torch.Tensor:
        if self._kernel is None:
            from . import compile as compile_ir
            self._kernel = compile_ir(self.ir, "numba")
        lead = torch.broadcast_shapes(*(x.shape[:-1] for x in inputs))
        rows = [np.ascontiguousarray(x.detach().expand(*lead, x.shape[-1]).reshape(-1, x.shape[-1]).numpy())
                for x in inputs]
        out = np.empty((rows[0].shape[0], self.ir.out_dim), dtype=rows[0].dtype)
        self._kernel(*rows, out)
        return torch.from_numpy(out).reshape(*lead, self.ir.out_dim)

    def grad(self, m: int):
        if m not in self._grads:
            from . import compile as compile_ir
            self._grads[m] = compile_ir(gradient_ir(self.ir, m), "torch").fn
        return self._grads[m]


class _NumbaProduct(torch.autograd.Function):
    @staticmethod
    def forward(ctx, op, *inputs):
        ctx.op = op
        ctx.save_for_backward(*inputs)
        return op.run(*inputs)

    @staticmethod
    def backward(ctx, g):
        inputs = ctx.saved_tensors
        grads = []
        for m, x in enumerate(inputs):
            if ctx.needs_input_grad[m + 1]:
                args = [g if q == m else y for q, y in enumerate(inputs)]
                grads.append(ctx.op.grad(m)(*args).sum_to_size(x.shape))
            else:
                grads.append(None)
        return (None, *grads)


def _numba_eligible(inputs, terms: int) -> bool:
    if not _HAVE_NUMBA or torch.compiler.is_compiling() or torch._C._are_functorch_transforms_active():
        return False
    if any(x.device.type != "cpu" or x.dtype != inputs[0].dtype for x in inputs) \
            or inputs[0].dtype not in _DTYPES:
        return False
    # component-major inputs must be copied to rows first: worth it only for ops with many
    # terms per copied component (measured on the CGENN layers: the steerable product gains,
    # the per-path product of the fully connected layer, 2 terms per output, loses)
    strided = sum(x.shape[-1] for x in inputs if x.shape[-1] > 1 and x.stride(-1) != 1)
    if STRIDED_COST * strided > terms:
        return False
    return math.prod(torch.broadcast_shapes(*(x.shape[:-1] for x in inputs))) >= MIN_ROWS


def cpu_dispatch(torch_fn, ir: Multilinear):
    """``torch_fn`` with large CPU batches sent to the Numba kernel of ``ir`` (see module doc)."""
    op, terms = _NumbaOp(ir), len(ir.terms)

    @functools.wraps(torch_fn)          # keeps the generated module's name; __wrapped__ = torch_fn
    def product(*inputs):
        if _numba_eligible(inputs, terms):
            return _NumbaProduct.apply(op, *inputs)
        return torch_fn(*inputs)

    return product
