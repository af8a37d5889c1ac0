"""Generated backward for torch: an ``autograd.Function`` per op, kernel and backend.

The backward of a multilinear op is one multilinear op per input (its gradient IR,
:func:`~symgen.codegen.ir.gradient_ir`), run through the runtime like any op, so it is
differentiable again and takes the Numba kernels where the forward did. Faster than
autograd through the unrolled forward, eager and compiled (benchmarks/RESULTS.md).
Under ``torch.compile`` the gradient ops run as plain torch kernels, which the compiler
traces (and autograd differentiates).
"""

from __future__ import annotations

import torch

from ..errors import CodegenError

__all__ = ["function"]


def function(name: str, kernel, grads, traced_grads, linear: bool = True):
    """An ``autograd.Function`` named after ``name`` whose forward is ``kernel(*inputs)``.

    Its backward runs ``grads[m](*args)`` for input ``m`` (the gradient op through the
    runtime, with the backend the caller asked for; ``args`` the inputs with the output's
    gradient in place of input ``m`` when the op is ``linear`` in each input, else every
    input and then the output's gradient), or ``traced_grads[m]`` (the plain
    torch kernel, listed by the runtime's ``prepare``) under ``torch.compile``. The closures hold plain functions only: torch.compile
    traces them.
    """

    class Product(torch.autograd.Function):
        generate_vmap_rule = True

        forward = staticmethod(_explicit(kernel, len(grads)))

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        @staticmethod
        def backward(ctx, g):
            inputs = ctx.saved_tensors
            result = []
            for m, x in enumerate(inputs):
                if not ctx.needs_input_grad[m]:
                    result.append(None)
                    continue
                args = [g if q == m else y for q, y in enumerate(inputs)] if linear else [*inputs, g]
                if not torch.compiler.is_compiling():
                    out = grads[m](*args)
                elif m < len(traced_grads):
                    out = traced_grads[m](*args)
                else:
                    raise CodegenError(f"the gradient kernels of {name} are not built; call "
                                       f"alg.prepare([...]) (codegen.runtime.prepare) before torch.compile")
                result.append(out.sum_to_size(x.shape))
            return tuple(result)

    Product.__name__ = Product.__qualname__ = "".join(p.title() for p in name.split("_"))
    return Product


_FORWARDS = {
    1: lambda kernel: lambda a: kernel(a),
    2: lambda kernel: lambda a, b: kernel(a, b),
    3: lambda kernel: lambda a, b, w: kernel(a, b, w),
    4: lambda kernel: lambda a, b, w, c: kernel(a, b, w, c),
}


def _explicit(kernel, arity: int):
    """``kernel`` as a function of exactly ``arity`` named tensors: torch.compile binds the
    arguments of an ``autograd.Function.forward`` by its signature, and ``*inputs`` misbinds."""
    if arity not in _FORWARDS:
        raise CodegenError(f"torch products take at most {max(_FORWARDS)} inputs; got {arity}")
    return _FORWARDS[arity](kernel)
