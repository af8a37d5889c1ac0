"""Compile Numba kernels of generated modules in a separate process.

The runtime's background compiles run here, in a child process, so that they neither
hold the parent's GIL (measured: a compiling thread doubled the first call's time, Cl(6)
torch forward + backward 1.0 → 1.7 s) nor block it; ``cache=True`` leaves the machine
code beside each module, and the parent then loads it in a fraction of a second.
Imports neither symgen nor torch: it is run as a script,

    python numba_worker.py PATH:DTYPE:ARITY [...]

(``DTYPE`` ending in ``-strided``: the module's blade-major ``STRIDED`` kernels instead;
ending in ``-mixing``: the forward and backward channel-mixing kernels.)

>>> [str(array) for array in signature("float32", 1)]
['array(float32, 2d, C)', 'array(float32, 2d, C)']
>>> [str(t) for t in pointwise_signature("float64", 1, 1, 2)]
['array(float64, 1d, C)', 'float64', 'array(float64, 1d, C)', 'array(float64, 1d, C)']
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

__all__ = ["signature", "strided_signature", "mixing_signatures", "pointwise_signature", "compile_file"]


def signature(dtype: str, arity: int) -> tuple:
    """The one Numba signature the runtime calls a kernel with: ``arity`` inputs and the
    output, C-contiguous writable 2-D arrays of ``dtype``."""
    import numba
    import numpy as np
    array = numba.types.Array(numba.from_dtype(np.dtype(dtype)), 2, "C")
    return (array,) * (arity + 1)


def strided_signature(dtype: str, arity: int) -> tuple:
    """The signature of the blade-major kernels (``STRIDED``): ``arity`` inputs and the
    output as writable 3-D arrays ``(dim, n, m)`` of ``dtype`` with any strides."""
    import numba
    import numpy as np
    array = numba.types.Array(numba.from_dtype(np.dtype(dtype)), 3, "A")
    return (array,) * (arity + 1)


def mixing_signatures(dtype: str) -> dict:
    """``{"forward": signature, "backward": signature}`` of the channel-mixing kernels
    (:mod:`symgen.codegen.numba_mixing`): ``a``, ``b`` 3-D of any strides, every other
    array 3-D C-contiguous, all of ``dtype``."""
    import numba
    import numpy as np
    t = numba.from_dtype(np.dtype(dtype))
    free, c = numba.types.Array(t, 3, "A"), numba.types.Array(t, 3, "C")
    return {"forward": (free, free, c, c), "backward": (free, free, c, c, c, c, c, c)}


def pointwise_signature(dtype: str, inputs: int, params: int, outputs: int) -> tuple:
    """The Numba signature of a Pointwise kernel as the runtime calls it: C-contiguous 1-D
    arrays of ``dtype`` in and out, float64 scalar parameters between them."""
    import numba
    import numpy as np
    array = numba.types.Array(numba.from_dtype(np.dtype(dtype)), 1, "C")
    return (array,) * inputs + (numba.types.float64,) * params + (array,) * outputs


def compile_file(path: str, dtype: str, arity: int) -> None:
    """Import the generated module at ``path`` and compile its kernel for ``dtype``.

    The module is registered in ``sys.modules`` under the name the parent gives it
    (:func:`symgen.codegen.cache.import_module`): Numba's cache entries refer to it.
    """
    name = f"symgen_generated_{Path(path).stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if dtype.endswith("-mixing"):
        for kind, sig in mixing_signatures(dtype.removesuffix("-mixing")).items():
            module.KERNELS[kind].compile(sig)
    elif dtype.endswith("-strided"):
        for fn in module.STRIDED.values():
            fn.compile(strided_signature(dtype.removesuffix("-strided"), arity))
    else:
        module.KERNELS[dtype].compile(signature(dtype, arity))


if __name__ == "__main__":
    for job in sys.argv[1:]:
        file, kind, inputs = job.rsplit(":", 2)
        compile_file(file, kind, int(inputs))
