"""Torch backend: IR → a ``.py`` module of functions on tensor slices.

The ``unrolled`` strategy writes one expression per output component on slices of
the last axis; ``torch.compile(fullgraph=True)`` fuses it into one kernel. The runtime
(:mod:`symgen.codegen.runtime`) gives products their generated backward, the kernels of
their gradient IRs. The ``table`` strategy gathers the operands of every term through
constant index tables padded per output and sums them (for ops with many terms, where
unrolled code is long to trace); the ``dense`` strategy contracts a dense coefficient
tensor with ``einsum``, for ops above the unroll limit whose tensor is small
(:data:`DENSE_MAX_ENTRIES`). Both broadcast over leading axes, on any device.

>>> import torch
>>> from symgen.codegen.ir import Bilinear
>>> ir = Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)))
>>> compile_multilinear(ir)(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
tensor([-5., 10.])
>>> compile_multilinear(ir, "table")(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
tensor([-5., 10.])
>>> compile_multilinear(ir, "dense")(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
tensor([-5., 10.])
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .kernel import Kernel, build, choose_strategy
from .printing import INPUT_NAMES, header, label_comment, multilinear_body, pointwise_printer, rowwise_body

__all__ = ["compile_multilinear", "compile_rowwise", "compile_pointwise", "UNROLL_MAX_TERMS", "DENSE_MAX_ENTRIES"]

#: Above this many terms an op is emitted with gather tables or a dense tensor instead of
#: unrolled code.
UNROLL_MAX_TERMS = 1024

#: Ops above the unroll limit whose dense coefficient tensor has at most this many entries
#: contract it with ``einsum`` (e.g. Cl(6) products: 64³): measured 2.7x faster forward +
#: backward than the gather tables (4096 rows, float32, benchmarks/RESULTS.md "First call").
DENSE_MAX_ENTRIES = 1 << 18


def _unpack(name: str, dim: int) -> str:
    """Components as contiguous tensors: one blade-major copy makes every later op contiguous."""
    names = ", ".join(f"{name}{q}" for q in range(dim))
    return f"    {names}{',' if dim == 1 else ''} = {name}.movedim(-1, 0).contiguous().unbind(0)\n"


def _unrolled(ir) -> str:
    return _straight_line(ir, *multilinear_body(ir))


def _constant(row: str) -> bool:
    """Whether a printed output is a number (no input in it)."""
    try:
        float(row)
    except ValueError:
        return False
    return True


def _straight_line(ir, temps, rows) -> str:
    """One expression per output component on the inputs' components, stacked last."""
    names = INPUT_NAMES[:ir.arity]
    src = f"\ndef {ir.name}({', '.join(names)}):\n"
    src += "".join(_unpack(n, d) for n, d in zip(names, ir.in_dims))
    src += "".join(f"    {tmp} = {expr}\n" for tmp, expr in temps)
    if any(map(_constant, rows)):   # an output of no input must still broadcast like the others
        src += "    zero = " + " * ".join(f"{n}[..., 0]" for n in names) + " * 0.0\n"
        rows = [("zero" if float(r) == 0 else f"zero + {r}") if _constant(r) else r for r in rows]
    body = "".join(f"        {row},{label_comment(ir, k)}\n" for k, row in enumerate(rows))
    return src + f"    return torch.stack(torch.broadcast_tensors(\n{body}    ), dim=-1)\n"


def _table(name, values, dtype) -> str:
    return f"{name} = torch.tensor({np.asarray(values).tolist()!r}, dtype=torch.{dtype})\n"


def _tabled(ir) -> str:
    """Gather tables padded per output: ``out[k] = sum_t C[k,t] prod_m x_m[I_m[k,t]]``."""
    cols = ir.numeric_terms()
    k, idx, c = cols[0], cols[1:-1], cols[-1]
    counts = np.bincount(k, minlength=ir.out_dim)
    width = max(int(counts.max()) if len(k) else 0, 1)
    slot = np.zeros(len(k), dtype=np.int64)
    order = np.argsort(k, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot[order] = np.arange(len(k)) - starts[k[order]]
    coef = np.zeros((ir.out_dim, width))
    coef[k, slot] = c
    names = INPUT_NAMES[:ir.arity]
    src = _table("C", coef, "float64")
    for name, col in zip(names, idx):
        table = np.zeros((ir.out_dim, width), dtype=np.int64)
        table[k, slot] = col
        src += _table(f"I{name.upper()}", table, "int64")
    gathers = " * ".join(f"{n}[..., I{n.upper()}]" for n in names)
    return src + f"""

def {ir.name}({', '.join(names)}):
    coef = C.to(device={names[0]}.device, dtype={names[0]}.dtype)
    return ({gathers} * coef).sum(-1)
"""


def _dense(ir) -> str:
    """``out = einsum(D, a, b, ...)`` with the dense coefficient tensor ``D``, built at import
    from the sparse terms."""
    cols = ir.numeric_terms()
    names = INPUT_NAMES[:ir.arity]
    letters = "ijlmnopq"[:ir.arity]
    src = _table("C", cols[-1], "float64") + _table("K", cols[0], "int64")
    src += "".join(_table(f"I{n.upper()}", col, "int64") for n, col in zip(names, cols[1:-1]))
    shape = (ir.out_dim,) + ir.in_dims
    index = ", ".join(["K"] + [f"I{n.upper()}" for n in names])
    spec = f"k{letters},{','.join('...' + q for q in letters)}->...k"
    return src + f"""D64 = torch.zeros({shape}, dtype=torch.float64).index_put_(({index},), C, accumulate=True)
D32 = D64.float()


def {ir.name}({', '.join(names)}):
    coef = (D32 if {names[0]}.dtype == torch.float32 else D64).to(device={names[0]}.device, dtype={names[0]}.dtype)
    return torch.einsum("{spec}", coef, {', '.join(names)})
"""


def _multilinear_source(ir, strategy: str) -> str:
    body = {"table": _tabled, "dense": _dense, "unrolled": _unrolled}[strategy](ir)
    return header(ir, "torch") + "import torch\n\n" + body


def _pointwise_source(ir) -> str:
    printer = pointwise_printer("torch")
    subs = {s: sympy.Symbol(f"v{q}") for q, s in enumerate(ir.inputs)}
    subs.update({p: sympy.Symbol(f"p{q}") for q, p in enumerate(ir.params)})
    exprs = [e.xreplace(subs) for e in ir.exprs]
    temps, reduced = sympy.cse(exprs, symbols=sympy.numbered_symbols("x"))
    args = [f"v{q}" for q in range(len(ir.inputs))] + [f"p{q}" for q in range(len(ir.params))]
    # scalar params become tensors so that torch functions accept them
    body = [f"    p{q} = torch.as_tensor(p{q}, dtype=v0.dtype, device=v0.device)\n"
            for q in range(len(ir.params))]
    body += [f"    {s} = {printer.doprint(e)}\n" for s, e in temps]
    params = {sympy.Symbol(f"p{q}") for q in range(len(ir.params))}
    # an output that depends on no input (nor temporary) must still broadcast like them
    outs = ", ".join(printer.doprint(e) + ("" if e.free_symbols - params else " + 0 * v0")
                     for e in reduced)
    imports = "".join(f"import {m}\n" for m in sorted(printer.module_imports) if m != "torch")
    return (header(ir, "torch") + "import torch\n" + imports + "\n\n"
            + f"def {ir.name}({', '.join(args)}):\n" + "".join(body)
            + f"    return ({outs},)\n")


def compile_multilinear(ir, strategy: str | None = None) -> Kernel:
    """Kernel ``fn(*inputs) -> out`` for a Linear/Bilinear/Trilinear IR (broadcasting)."""
    dense = math.prod((ir.out_dim,) + ir.in_dims) <= DENSE_MAX_ENTRIES
    strategy = choose_strategy(ir, strategy, UNROLL_MAX_TERMS, ("unrolled", "table", "dense"),
                               "dense" if dense else "table")
    return build(ir, "torch", strategy, lambda: _multilinear_source(ir, strategy))


def _rowwise_source(ir) -> str:
    printer = pointwise_printer("torch")
    body = _straight_line(ir, *rowwise_body(ir, printer))
    imports = "".join(f"import {m}\n" for m in sorted(printer.module_imports) if m != "torch")
    return header(ir, "torch") + "import torch\n" + imports + "\n" + body


def compile_rowwise(ir) -> Kernel:
    """Kernel ``fn(*inputs) -> out`` for a Rowwise IR (broadcasting, as the multilinear ones).

    >>> import sympy, torch
    >>> from symgen.codegen.ir import Rowwise
    >>> a = sympy.symbols("a:2")
    >>> compile_rowwise(Rowwise("ratio", (a,), (a[0] / a[1],)))(torch.tensor([[3.0, 4.0]]))
    tensor([[0.7500]])
    """
    return build(ir, "torch", "rowwise", lambda: _rowwise_source(ir))


def compile_pointwise(ir) -> Kernel:
    """Kernel ``fn(*inputs, *params) -> tuple of outputs`` on broadcastable tensors."""
    return build(ir, "torch", "pointwise", lambda: _pointwise_source(ir))
