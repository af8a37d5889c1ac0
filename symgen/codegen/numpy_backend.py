"""NumPy backend: IR → a ``.py`` module that gathers the operands of every term.

It needs no compiler, so it is ready as soon as the file is written: the runtime serves
numpy inputs from it while the Numba kernel of the same IR compiles, and where numba
is not installed. Terms are sorted by output; a call multiplies the gathered operands
``a[:, IA] * b[:, IB] * C`` in chunks of rows and sums each output's run of terms with
``np.add.reduceat``. Kernels take 2-D inputs ``(batch, dim)`` and write into ``out``,
like the Numba kernels.

>>> import numpy as np
>>> from symgen.codegen.ir import Bilinear
>>> ir = Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)))
>>> k = compile_multilinear(ir)
>>> a = np.array([[1.0, 2.0]]); b = np.array([[3.0, 4.0]]); out = np.empty((1, 2))
>>> k(a, b, out); out            # (1 + 2i)(3 + 4i)
array([[-5., 10.]])
"""

from __future__ import annotations

import numpy as np

from .kernel import Kernel, build
from .printing import INPUT_NAMES, header, label_comment, pointwise_printer, rowwise_body

__all__ = ["compile_multilinear", "compile_rowwise", "CHUNK_ELEMENTS"]

#: Rows are processed in chunks of about this many gathered products (bounds the memory).
CHUNK_ELEMENTS = 1 << 20


def _table(name: str, values, dtype: str) -> str:
    return f"{name} = np.array({np.asarray(values).tolist()!r}, dtype=np.{dtype})\n"


def _source(ir) -> str:
    cols = ir.numeric_terms()
    order = np.lexsort(cols[-2::-1])            # by output, then inputs
    k, idx, c = cols[0][order], [col[order] for col in cols[1:-1]], cols[-1][order]
    outs, starts = np.unique(k, return_index=True)
    names = INPUT_NAMES[:ir.arity]
    args = ", ".join(names) + ", out"
    src = header(ir, "numpy") + "import numpy as np\n\n"
    src += _table("C", c, "float64") + _table("OUTS", outs, "int64") + _table("STARTS", starts, "int64")
    src += "".join(_table(f"I{n.upper()}", col, "int64") for n, col in zip(names, idx))
    src += f"CHUNK = {max(1, CHUNK_ELEMENTS // max(len(c), 1))}\n\n\n"
    src += f"def {ir.name}({args}):\n"
    if len(outs) < ir.out_dim:                  # outputs without terms are zero
        src += "    out[:] = 0\n"
    if not len(c):
        return src
    gathers = " * ".join(f"{n}[t0:t0 + CHUNK, I{n.upper()}]" for n in names)
    return src + f"""    coef = C.astype(out.dtype)
    for t0 in range(0, out.shape[0], CHUNK):
        out[t0:t0 + CHUNK, OUTS] = np.add.reduceat({gathers} * coef, STARTS, axis=1)
"""


def compile_multilinear(ir) -> Kernel:
    """Kernel ``fn(*inputs, out)`` (gather strategy) for a multilinear IR on 2-D arrays."""
    return build(ir, "numpy", "table", lambda: _source(ir))


def _rowwise_source(ir) -> str:
    printer = pointwise_printer("numba", reciprocals=True)     # NumPy functions, on whole columns
    temps, rows = rowwise_body(ir, printer)
    names = INPUT_NAMES[:ir.arity]
    body = [f"    {n}{q} = {n}[:, {q}]\n" for n, dim in zip(names, ir.in_dims) for q in range(dim)]
    body += [f"    {tmp} = {expr}\n" for tmp, expr in temps]
    body += [f"    out[:, {k}] = {row}{label_comment(ir, k)}\n" for k, row in enumerate(rows)]
    imports = "".join(f"import {m}\n" for m in sorted(printer.module_imports) if m != "numpy")
    return (header(ir, "numpy") + "import numpy\n" + imports + "\n\n"
            + f"def {ir.name}({', '.join(names)}, out):\n" + "".join(body))


def compile_rowwise(ir) -> Kernel:
    """Kernel ``fn(*inputs, out)`` for a Rowwise IR on 2-D arrays: each expression on
    whole columns (NumPy), no compiler needed.

    >>> import numpy as np, sympy
    >>> from symgen.codegen.ir import Rowwise
    >>> a = sympy.symbols("a:2")
    >>> out = np.empty((1, 1)); compile_rowwise(Rowwise("ratio", (a,), (a[0] / a[1],)))(np.array([[3.0, 4.0]]), out); out
    array([[0.75]])
    """
    return build(ir, "numpy", "rowwise", lambda: _rowwise_source(ir))
