"""Compile IR to kernels. Knows nothing of algebras, groups or PDEs.

Backends are imported lazily: a user without numba still gets the torch path, and
the reverse.
"""

from .cache import cache_dir
from .ir import Bilinear, Linear, Pointwise
from .kernel import Kernel

__all__ = ["Bilinear", "Linear", "Pointwise", "Kernel", "cache_dir", "compile"]


def compile(ir, backend: str, strategy: str | None = None) -> Kernel:  # noqa: A001
    """Compile ``ir`` for ``backend`` (``"numba"`` or ``"torch"``) and return a Kernel."""
    from ..errors import CodegenError

    if backend == "numba":
        from . import numba_backend as mod
    elif backend == "torch":
        from . import torch_backend as mod
    else:
        raise CodegenError(f"unknown backend {backend!r}; choose 'numba' or 'torch'")
    if isinstance(ir, Bilinear):
        return mod.compile_bilinear(ir, strategy)
    if isinstance(ir, Linear):
        return mod.compile_linear(ir, strategy)
    if isinstance(ir, Pointwise):
        return mod.compile_pointwise(ir)
    raise CodegenError(f"cannot compile {type(ir).__name__}; expected Bilinear, Linear or Pointwise")
