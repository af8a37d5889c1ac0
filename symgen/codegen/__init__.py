"""Compile IR to kernels. Knows nothing of algebras, groups or PDEs.

Backends are imported lazily: a user without numba still gets the torch path, and
the reverse.
"""

import dataclasses

from .cache import cache_dir
from .ir import Bilinear, Linear, Multilinear, Pointwise, Trilinear
from .kernel import Kernel

__all__ = ["Multilinear", "Linear", "Bilinear", "Trilinear", "Pointwise", "Kernel", "cache_dir",
           "compile"]


def compile(ir, backend: str, strategy: str | None = None) -> Kernel:  # noqa: A001
    """Compile ``ir`` for ``backend`` (``"numba"`` or ``"torch"``) and return a Kernel.

    Numba kernels of multilinear IR are called ``fn(*inputs, out)`` on 2-D arrays
    ``(batch, dim)``; torch kernels ``fn(*inputs) -> out`` broadcast over leading axes.
    Pointwise: numba ``fn(*inputs, *params, *outs)`` on 1-D arrays, torch
    ``fn(*inputs, *params) -> tuple``. ``strategy`` is ``"unrolled"``, ``"table"`` or
    None (chosen by term count). Torch products send large eager CPU batches to the
    Numba kernel of the same IR (:mod:`symgen.codegen.cpu_dispatch`).

    >>> from symgen.codegen import Linear
    >>> k = compile(Linear("negate", 2, 2, ((0, 0, -1), (1, 1, -1))), "torch")
    >>> print(k.source.splitlines()[-3].strip())
    -a0,
    """
    from ..errors import CodegenError

    if backend == "numba":
        from . import numba_backend as mod
    elif backend == "torch":
        from . import torch_backend as mod
    else:
        raise CodegenError(f"unknown backend {backend!r}; choose 'numba' or 'torch'")
    if isinstance(ir, Multilinear):
        kernel = mod.compile_multilinear(ir, strategy)
        if backend == "torch" and ir.arity >= 2:        # products: large CPU batches → Numba
            from .cpu_dispatch import cpu_dispatch
            kernel = dataclasses.replace(kernel, fn=cpu_dispatch(kernel.fn, ir))
        return kernel
    if isinstance(ir, Pointwise):
        return mod.compile_pointwise(ir)
    raise CodegenError(f"cannot compile {type(ir).__name__}; expected a Linear, Bilinear, "
                       f"Trilinear or Pointwise IR")
