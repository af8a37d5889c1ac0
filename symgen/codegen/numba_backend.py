"""Numba backend: IR → a ``.py`` module of ``@njit(parallel=True, cache=True)`` loops.

Each function loops over the batch with ``prange``. Small ops are unrolled into
straight-line code, one line per output component; ops with more than
``UNROLL_MAX_TERMS`` terms become a loop over constant tables (CSR by output),
which compiles in constant time. Functions write into a caller-provided ``out``.

>>> import numpy as np
>>> from symgen.codegen.ir import Bilinear
>>> ir = Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)))
>>> k = compile_bilinear(ir)
>>> a = np.array([[1.0, 2.0]]); b = np.array([[3.0, 4.0]]); out = np.empty((1, 2))
>>> k(a, b, out); out            # (1 + 2i)(3 + 4i)
array([[-5., 10.]])
>>> print(k.source.splitlines()[-1].strip())
out[t, 1] = a0*b1 + a1*b0
"""

from __future__ import annotations

import numpy as np
import sympy

from .kernel import Kernel, build, choose_strategy
from .printing import bilinear_rows, header, label_comment, linear_rows, pointwise_printer

__all__ = ["compile_bilinear", "compile_linear", "compile_pointwise", "UNROLL_MAX_TERMS"]

#: Above this many terms an op is emitted as a table-driven loop instead of unrolled code.
UNROLL_MAX_TERMS = 1024

_DECORATOR = "@numba.njit(parallel=True, cache=True)"


def _table(name: str, values, dtype: str) -> str:
    return f"{name} = np.array({np.asarray(values).tolist()!r}, dtype=np.{dtype})\n"


def _csr(k: np.ndarray, out_dim: int) -> np.ndarray:
    ptr = np.zeros(out_dim + 1, dtype=np.int64)
    np.add.at(ptr, k + 1, 1)
    return np.cumsum(ptr)


def _unrolled(ir, rows, inputs: list[str], dims: list[int]) -> str:
    args = ", ".join(inputs)
    lines = [f"{_DECORATOR}\ndef {ir.name}({args}, out):\n",
             "    for t in numba.prange(out.shape[0]):\n"]
    for name, dim in zip(inputs, dims):
        lines += [f"        {name}{q} = {name}[t, {q}]\n" for q in range(dim)]
    lines += [f"        out[t, {k}] = {row}{label_comment(ir, k)}\n" for k, row in enumerate(rows)]
    return "".join(lines)


def _bilinear_source(ir, strategy: str) -> str:
    src = header(ir, "numba") + "import numba\nimport numpy as np\n\n"
    if strategy == "unrolled":
        return src + "\n" + _unrolled(ir, bilinear_rows(ir), ["a", "b"], [ir.in1_dim, ir.in2_dim])
    k, i, j, c = ir.numeric_terms()
    order = np.lexsort((j, i, k))
    k, i, j, c = k[order], i[order], j[order], c[order]
    src += (_table("PTR", _csr(k, ir.out_dim), "int64") + _table("I", i, "int64")
            + _table("J", j, "int64") + _table("C", c, "float64"))
    return src + f"""

{_DECORATOR}
def {ir.name}(a, b, out):
    for t in numba.prange(out.shape[0]):
        for k in range(PTR.shape[0] - 1):
            acc = 0.0
            for q in range(PTR[k], PTR[k + 1]):
                acc += C[q] * a[t, I[q]] * b[t, J[q]]
            out[t, k] = acc
"""


def _linear_source(ir, strategy: str) -> str:
    src = header(ir, "numba") + "import numba\nimport numpy as np\n\n"
    if strategy == "unrolled":
        return src + "\n" + _unrolled(ir, linear_rows(ir), ["a"], [ir.in_dim])
    k, i, c = ir.numeric_terms()
    order = np.lexsort((i, k))
    k, i, c = k[order], i[order], c[order]
    src += _table("PTR", _csr(k, ir.out_dim), "int64") + _table("I", i, "int64") + _table("C", c, "float64")
    return src + f"""

{_DECORATOR}
def {ir.name}(a, out):
    for t in numba.prange(out.shape[0]):
        for k in range(PTR.shape[0] - 1):
            acc = 0.0
            for q in range(PTR[k], PTR[k + 1]):
                acc += C[q] * a[t, I[q]]
            out[t, k] = acc
"""


def _pointwise_source(ir) -> str:
    printer = pointwise_printer("numba")
    names = [f"in{q}" for q in range(len(ir.inputs))]
    subs = {s: sympy.Symbol(f"v{q}") for q, s in enumerate(ir.inputs)}
    subs.update({p: sympy.Symbol(f"p{q}") for q, p in enumerate(ir.params)})
    exprs = [e.xreplace(subs) for e in ir.exprs]
    temps, reduced = sympy.cse(exprs, symbols=sympy.numbered_symbols("x"))
    body = [f"        v{q} = {n}[t]\n" for q, n in enumerate(names)]
    body += [f"        {s} = {printer.doprint(e)}\n" for s, e in temps]
    body += [f"        out{q}[t] = {printer.doprint(e)}\n" for q, e in enumerate(reduced)]
    args = names + [f"p{q}" for q in range(len(ir.params))] + [f"out{q}" for q in range(len(exprs))]
    imports = "".join(f"import {m}\n" for m in sorted(printer.module_imports) if m != "numba")
    return (header(ir, "numba") + "import numba\n" + imports + "\n\n"
            + f"{_DECORATOR}\ndef {ir.name}({', '.join(args)}):\n"
            + f"    for t in numba.prange({names[0]}.shape[0]):\n" + "".join(body))


def compile_bilinear(ir, strategy: str | None = None) -> Kernel:
    """Kernel ``fn(a, b, out)`` for a Bilinear IR; ``a``, ``b``, ``out`` are 2-D (batch, dim)."""
    strategy = choose_strategy(ir, strategy, UNROLL_MAX_TERMS)
    return build(ir, "numba", strategy, lambda: _bilinear_source(ir, strategy))


def compile_linear(ir, strategy: str | None = None) -> Kernel:
    """Kernel ``fn(a, out)`` for a Linear IR; ``a`` and ``out`` are 2-D (batch, dim)."""
    strategy = choose_strategy(ir, strategy, UNROLL_MAX_TERMS)
    return build(ir, "numba", strategy, lambda: _linear_source(ir, strategy))


def compile_pointwise(ir) -> Kernel:
    """Kernel ``fn(*inputs, *params, *outs)`` over 1-D arrays of equal length."""
    return build(ir, "numba", "pointwise", lambda: _pointwise_source(ir))
