"""Torch backend: IR → a ``.py`` module of functions on tensor slices.

The ``unrolled`` strategy writes one expression per output component on slices of
the last axis; autograd differentiates it and ``torch.compile(fullgraph=True)`` fuses
it into one kernel. The ``table`` strategy gathers the operands of every term through
constant index tables and sums them (for ops with many terms, where unrolled code
would be long to trace). Both broadcast over leading axes and run on any device.

>>> import torch
>>> from symgen.codegen.ir import Bilinear
>>> ir = Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)))
>>> k = compile_bilinear(ir)
>>> k(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
tensor([-5., 10.])
>>> compile_bilinear(ir, "table")(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
tensor([-5., 10.])
"""

from __future__ import annotations

import numpy as np
import sympy

from .kernel import Kernel, build, choose_strategy
from .printing import bilinear_rows, header, label_comment, linear_rows, pointwise_printer

__all__ = ["compile_bilinear", "compile_linear", "compile_pointwise", "UNROLL_MAX_TERMS"]

#: Above this many terms an op is emitted with gather tables instead of unrolled code.
UNROLL_MAX_TERMS = 1024


def _unpack(name: str, dim: int) -> str:
    names = ", ".join(f"{name}{q}" for q in range(dim))
    return f"    {names}{',' if dim == 1 else ''} = {name}.unbind(-1)\n"


def _stack(ir, rows) -> str:
    body = "".join(f"        {row},{label_comment(ir, k)}\n" for k, row in enumerate(rows))
    # a row without any input (all-zero output) must still broadcast like the others
    return f"    return torch.stack(torch.broadcast_tensors(\n{body}    ), dim=-1)\n"


def _padded(k, cols, c, out_dim):
    """Per-output padded index tables (out_dim, m) and coefficients (zero padding)."""
    counts = np.bincount(k, minlength=out_dim)
    m = max(int(counts.max()) if len(k) else 0, 1)
    idx = [np.zeros((out_dim, m), dtype=np.int64) for _ in cols]
    coef = np.zeros((out_dim, m))
    fill = np.zeros(out_dim, dtype=np.int64)
    for q in range(len(k)):
        r = k[q]
        for table, col in zip(idx, cols):
            table[r, fill[r]] = col[q]
        coef[r, fill[r]] = c[q]
        fill[r] += 1
    return idx, coef


def _table(name, values, dtype) -> str:
    return f"{name} = torch.tensor({np.asarray(values).tolist()!r}, dtype=torch.{dtype})\n"


def _bilinear_source(ir, strategy: str) -> str:
    src = header(ir, "torch") + "import torch\n\n"
    if strategy == "unrolled":
        zero = "    zero = (a[..., 0] * b[..., 0]) * 0.0\n"
        rows = [r if r != "0.0" else "zero" for r in bilinear_rows(ir)]
        return (src + f"\ndef {ir.name}(a, b):\n" + _unpack("a", ir.in1_dim) + _unpack("b", ir.in2_dim)
                + (zero if "zero" in rows else "") + _stack(ir, rows))
    k, i, j, c = ir.numeric_terms()
    (ti, tj), coef = _padded(k, (i, j), c, ir.out_dim)
    src += _table("I", ti, "int64") + _table("J", tj, "int64") + _table("C", coef, "float64")
    return src + f"""

def {ir.name}(a, b):
    coef = C.to(device=a.device, dtype=a.dtype)
    return (a[..., I] * b[..., J] * coef).sum(-1)
"""


def _linear_source(ir, strategy: str) -> str:
    src = header(ir, "torch") + "import torch\n\n"
    if strategy == "unrolled":
        zero = "    zero = a[..., 0] * 0.0\n"
        rows = [r if r != "0.0" else "zero" for r in linear_rows(ir)]
        return (src + f"\ndef {ir.name}(a):\n" + _unpack("a", ir.in_dim)
                + (zero if "zero" in rows else "") + _stack(ir, rows))
    k, i, c = ir.numeric_terms()
    (ti,), coef = _padded(k, (i,), c, ir.out_dim)
    src += _table("I", ti, "int64") + _table("C", coef, "float64")
    return src + f"""

def {ir.name}(a):
    coef = C.to(device=a.device, dtype=a.dtype)
    return (a[..., I] * coef).sum(-1)
"""


def _pointwise_source(ir) -> str:
    printer = pointwise_printer("torch")
    subs = {s: sympy.Symbol(f"v{q}") for q, s in enumerate(ir.inputs)}
    subs.update({p: sympy.Symbol(f"p{q}") for q, p in enumerate(ir.params)})
    exprs = [e.xreplace(subs) for e in ir.exprs]
    temps, reduced = sympy.cse(exprs, symbols=sympy.numbered_symbols("x"))
    args = [f"v{q}" for q in range(len(ir.inputs))] + [f"p{q}" for q in range(len(ir.params))]
    body = [f"    {s} = {printer.doprint(e)}\n" for s, e in temps]
    # an output that does not depend on the inputs must still broadcast like them
    outs = ", ".join(printer.doprint(e) + ("" if e.free_symbols - set(subs.values()) != e.free_symbols
                                           else " + 0 * v0") for e in reduced)
    imports = "".join(f"import {m}\n" for m in sorted(printer.module_imports) if m != "torch")
    return (header(ir, "torch") + "import torch\n" + imports + "\n\n"
            + f"def {ir.name}({', '.join(args)}):\n" + "".join(body)
            + f"    return ({outs},)\n")


def compile_bilinear(ir, strategy: str | None = None) -> Kernel:
    """Kernel ``fn(a, b) -> out`` for a Bilinear IR, broadcasting over leading axes."""
    strategy = choose_strategy(ir, strategy, UNROLL_MAX_TERMS)
    return build(ir, "torch", strategy, lambda: _bilinear_source(ir, strategy))


def compile_linear(ir, strategy: str | None = None) -> Kernel:
    """Kernel ``fn(a) -> out`` for a Linear IR, broadcasting over leading axes."""
    strategy = choose_strategy(ir, strategy, UNROLL_MAX_TERMS)
    return build(ir, "torch", strategy, lambda: _linear_source(ir, strategy))


def compile_pointwise(ir) -> Kernel:
    """Kernel ``fn(*inputs, *params) -> tuple of outputs`` on broadcastable tensors."""
    return build(ir, "torch", "pointwise", lambda: _pointwise_source(ir))
