"""Compile IR to kernels and run them. Knows nothing of algebras, groups or PDEs.

- :func:`compile` turns one IR into one :class:`Kernel` of one backend: a generated
  module file in the cache (:mod:`.cache`), imported; ``.source`` is that file.
- :mod:`.runtime` is the one place that decides which kernel runs for an input
  (numpy or torch, device, dtype, rows, ``torch.compile``, functorch, gradients) of
  multilinear and pointwise IR, owns the array adaptors and the generated backward, and
  says what it chose (:func:`runtime.explain`).
  The algebra side hands it IR and inputs.

Backends are imported lazily: a user without numba still gets the torch and NumPy paths,
and the reverse.
"""

from .cache import cache_dir
from .ir import Bilinear, Linear, Multilinear, Pointwise, Rowwise, Trilinear
from .kernel import Kernel

__all__ = ["Multilinear", "Linear", "Bilinear", "Trilinear", "Pointwise", "Rowwise", "Kernel", "cache_dir",
           "compile"]

_BACKENDS = ("numba", "torch", "numpy")


def compile(ir, backend: str, strategy: str | None = None) -> Kernel:  # noqa: A001
    """Compile ``ir`` for ``backend`` (``"numba"``, ``"torch"`` or ``"numpy"``) into a Kernel.

    Numba and NumPy kernels of multilinear IR are called ``fn(*inputs, out)`` on 2-D
    arrays ``(batch, dim)``; torch kernels ``fn(*inputs) -> out`` broadcast over leading
    axes (no generated backward: :mod:`.runtime` adds it). Pointwise (numba, torch):
    numba ``fn(*inputs, *params, *outs)`` on 1-D arrays, torch ``fn(*inputs, *params) ->
    tuple``. Rowwise IR is called as multilinear IR is. ``strategy`` is ``"unrolled"``, ``"table"`` or None (chosen by term count);
    the NumPy backend always gathers through tables. A Numba kernel compiles its machine
    code on its first call per dtype (:mod:`.runtime` does it ahead, in the background).

    >>> from symgen.codegen import Linear
    >>> k = compile(Linear("negate", 2, 2, ((0, 0, -1), (1, 1, -1))), "torch")
    >>> print(k.source.splitlines()[-3].strip())
    -a0,
    """
    from ..errors import CodegenError

    if backend not in _BACKENDS:
        raise CodegenError(f"unknown backend {backend!r}; choose one of {', '.join(map(repr, _BACKENDS))}")
    if backend == "numba":
        from . import numba_backend as mod
    elif backend == "torch":
        from . import torch_backend as mod
    else:
        from . import numpy_backend as mod
    if isinstance(ir, Multilinear):
        return mod.compile_multilinear(ir) if backend == "numpy" else mod.compile_multilinear(ir, strategy)
    if isinstance(ir, Rowwise):
        return mod.compile_rowwise(ir)
    if isinstance(ir, Pointwise) and backend != "numpy":
        return mod.compile_pointwise(ir)
    raise CodegenError(f"cannot compile {ir!r} for {backend!r}; expected a Linear, Bilinear, "
                       f"Trilinear or Rowwise IR (any backend) or a Pointwise IR (numba, torch)")
