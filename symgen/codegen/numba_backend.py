"""Numba backend: IR → a ``.py`` module of ``@njit(cache=True)`` loops.

Each op is one serial loop over the batch per dtype (unrolled ops in blade-major blocks
or row by row, see :func:`_unrolled`); a call compiles only the function of its dtype,
once, and ``cache=True`` keeps the machine code beside the module file for the next
process. Serial, not ``parallel=True``: it compiles 2–3x faster (Cl(1,4)
product 6 s vs 15 s) and on a shared 2-core box the parallel loop was 16x slower
(Cl(1,3), 20 000 rows: 12 ms on 2 threads vs 0.73 ms on one; benchmarks/RESULTS.md);
re-measured for issue 15 with ``prange`` at 10 000 and 100 000 rows on Cl(3,0), Cl(1,3),
Cl(3,0,1), Cl(5,0): 0.8-1.1x of serial at best, 18-27 ms per call when the cores are
shared (thread wake-ups), so serial stays. Small ops are unrolled into
straight-line code, one line per output component; ops with more than
``UNROLL_MAX_TERMS`` terms become a loop over constant tables (sorted by output,
CSR row pointers), which compiles in constant time. Multilinear kernels take 2-D
inputs ``(batch, dim)`` and write into a caller-provided ``out``; each module also holds
``STRIDED``, the blade-major kernels on 3-D ``(dim, n, m)`` arrays of any strides (a zero
stride broadcasts an input; the ``"add"`` variant sums into an output with zero strides),
which :meth:`symgen.codegen.runtime.Op.run_blade_major` runs.

>>> import numpy as np
>>> from symgen.codegen.ir import Bilinear
>>> ir = Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)))
>>> k = compile_multilinear(ir)
>>> a = np.array([[1.0, 2.0]]); b = np.array([[3.0, 4.0]]); out = np.empty((1, 2))
>>> k(a, b, out); out            # (1 + 2i)(3 + 4i)
array([[-5., 10.]])
>>> print([line.strip() for line in k.source.splitlines() if "OUT[2 * t + 1]" in line][0])
OUT[2 * t + 1] = a0*b1 + a1*b0
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sympy

from . import cache
from ..errors import CodegenError
from .kernel import Kernel, build, choose_strategy
from .ir import Rowwise
from .printing import (INPUT_NAMES, header, label_comment, multilinear_body, multilinear_rows, pointwise_printer,
                       rowwise_body)

__all__ = ["compile_multilinear", "compile_rowwise", "compile_pointwise", "compile_edge", "module_file", "UNROLL_MAX_TERMS",
           "BLOCK", "BLOCKS_MIN_TERMS_PER_FLOAT", "FLAT_MAX_COMPONENTS"]

#: Above this many terms an op is emitted as a table-driven loop instead of unrolled code.
UNROLL_MAX_TERMS = 1024

_IMPORTS = "import numba\nimport numpy as np\n\n"


def _variants(name: str, args: str, layout: str, body: str, key: str = "out", options: str = "") -> str:
    """The njit function ``_<name>_<layout>`` (``options``: more ``njit`` keywords) and a
    dispatcher by dtype.

    The body loops ``for t in LOOP(...)`` (LOOP becomes ``range``: serial, see the module
    doc). The table ``KERNELS`` maps ``"float32"`` and ``"float64"`` to the function, so the
    runtime compiles exactly the signature it needs (``KERNELS[dtype].compile(signature)``)
    and nothing else.
    """
    return (f"@numba.njit(cache=True{options})\ndef _{name}_{layout}({args}):\n{body.replace('LOOP(', 'range(')}\n\n"
            f"KERNELS = {{'float32': _{name}_{layout}, 'float64': _{name}_{layout}}}\n\n\n"
            f"def {name}({args}):\n    KERNELS[{key}.dtype.name]({args})\n")


def _table(name: str, values, dtype: str) -> str:
    return f"{name} = np.array({np.asarray(values).tolist()!r}, dtype=np.{dtype})\n"


#: Rows per block of the blade-major unrolled kernels (see :func:`_unrolled`): measured
#: best or within noise of the best among 8, 16, 32, 64 and 128 on the geometric products
#: of Cl(3,0), Cl(1,3), Cl(3,0,1), Cl(5,0) at 1 000 and 100 000 rows, float32 and float64;
#: 64 and 128 were up to 2.7x slower in float64 at 100 000 rows (benchmarks/RESULTS.md).
BLOCK = 16


#: Unrolled ops with at least this many terms per float a row moves (inputs and output)
#: run in blade-major blocks, fewer in a scalar loop over the row-major rows: measured on
#: the geometric products and the grade-specialised products and sandwiches of Cl(3,0),
#: Cl(1,3), Cl(3,0,1), Cl(4,1), Cl(5,0), where blocks were 1.1-2.6x faster from 2.7 terms
#: per float (Cl(3,0) geometric product) up and rows 1.2-1.6x faster at 1.3-1.7 (bivector
#: x vector, the Cl(3,0) and Cl(3,0,1) rotor sandwiches): there the copies into blocks
#: cost more than the arithmetic they vectorise (benchmarks/RESULTS.md, issue 15).
BLOCKS_MIN_TERMS_PER_FLOAT = 2.5


def _unrolled(ir) -> str:
    """Straight-line code, one line per output component, in one of two layouts.

    ``blocks``: each block of :data:`BLOCK` rows is copied into blade-major scratch arrays
    (allocated once per call, flat, at constant offsets), so the body reads contiguous
    memory across rows and LLVM vectorises it across rows; the outputs are copied back the
    same way. ``rows``: the body reads each row's components straight from the row-major
    inputs (no copies; vectorised only for narrow rows, :func:`_rows`).
    :data:`BLOCKS_MIN_TERMS_PER_FLOAT` picks one for both dtypes.
    """
    names = INPUT_NAMES[:ir.arity]
    args = ", ".join(names) + ", out"
    temps, body = multilinear_body(ir)
    rows = [f"{row}{label_comment(ir, k)}" for k, row in enumerate(body)]
    layout = "blocks" if len(ir.terms) >= BLOCKS_MIN_TERMS_PER_FLOAT * (sum(ir.in_dims) + ir.out_dim) else "rows"
    lines = (_blocks if layout == "blocks" else _rows)(names, ir.in_dims, ir.out_dim, temps, rows)
    strided = [f"        {name}{q} = {name}[{q}, i, j]\n" for name, dim in zip(names, ir.in_dims) for q in range(dim)]
    strided += [f"        {tmp} = {expr}\n" for tmp, expr in temps]
    strided += [f"        out[{k}, i, j] ASSIGN {row}{label_comment(ir, k)}\n" for k, row in enumerate(body)]
    return (_variants(ir.name, args, layout, "".join(lines))
            + _strided(ir.name, args, "".join(strided)))


def _blocks(names, in_dims, out_dim: int, temps, rows) -> list:
    """The loop over blocks of :data:`BLOCK` rows copied into blade-major scratch arrays
    (see :func:`_unrolled`); ``rows`` the printed output expressions."""
    lines = ["    n = out.shape[0]\n"]
    lines += [f"    {name.upper()} = np.empty({dim * BLOCK}, {name}.dtype)\n" for name, dim in zip(names, in_dims)]
    lines += [f"    OUT = np.empty({out_dim * BLOCK}, out.dtype)\n",
              f"    for t0 in LOOP(0, n, {BLOCK}):\n",
              f"        m = min({BLOCK}, n - t0)\n"]
    for name, dim in zip(names, in_dims):
        lines += ["        for s in range(m):\n"]
        lines += [f"            {name.upper()}[{q * BLOCK} + s] = {name}[t0 + s, {q}]\n" for q in range(dim)]
    lines += ["        for s in range(m):\n"]
    for name, dim in zip(names, in_dims):
        lines += [f"            {name}{q} = {name.upper()}[{q * BLOCK} + s]\n" for q in range(dim)]
    lines += [f"            {tmp} = {expr}\n" for tmp, expr in temps]
    lines += [f"            OUT[{k * BLOCK} + s] = {row}\n" for k, row in enumerate(rows)]
    lines += ["        for s in range(m):\n"]
    lines += [f"            out[t0 + s, {k}] = OUT[{k * BLOCK} + s]\n" for k in range(out_dim)]
    return lines


#: Row loops whose inputs and output all have at most this many components read flat views
#: at constant offsets, which LLVM vectorises across rows (interleaved loads and stores):
#: 1.5-3.5x faster than the scalar loop on Cl(3,0) bivector x vector and rotor sandwiches
#: (3-4 components). With 6-16 components LLVM vectorised some loops too, 1.5-1.8x
#: *slower* than scalar code (Cl(1,3), Cl(3,0,1) normalised sandwiches; benchmarks/RESULTS.md,
#: issue 15), so wider rows keep the scalar loop (or blocks).
FLAT_MAX_COMPONENTS = 4


def _rows(names, in_dims, out_dim: int, temps, rows) -> list:
    """The loop over the row-major rows. With at most :data:`FLAT_MAX_COMPONENTS` components
    per input and output, flat views of the C-contiguous ``(n, dim)`` arrays read at
    ``dim * t + q`` (constant strides: vectorised across rows); else ``a[t, q]`` (a run-time
    row stride: scalar code)."""
    if max(*in_dims, out_dim) > FLAT_MAX_COMPONENTS:
        lines = ["    for t in LOOP(out.shape[0]):\n"]
        for name, dim in zip(names, in_dims):
            lines += [f"        {name}{q} = {name}[t, {q}]\n" for q in range(dim)]
        lines += [f"        {tmp} = {expr}\n" for tmp, expr in temps]
        return lines + [f"        out[t, {k}] = {row}\n" for k, row in enumerate(rows)]
    lines = ["    n = out.shape[0]\n"]
    lines += [f"    {name.upper()} = {name}.reshape(n * {dim})\n" for name, dim in zip(names, in_dims)]
    lines += [f"    OUT = out.reshape(n * {out_dim})\n", "    for t in LOOP(n):\n"]
    for name, dim in zip(names, in_dims):
        lines += [f"        {name}{q} = {name.upper()}[{dim} * t + {q}]\n" for q in range(dim)]
    lines += [f"        {tmp} = {expr}\n" for tmp, expr in temps]
    lines += [f"        OUT[{out_dim} * t + {k}] = {row}\n" for k, row in enumerate(rows)]
    return lines


def _strided(name: str, args: str, body: str) -> str:
    """The blade-major kernels: inputs and output ``(dim, n, m)`` with any strides (a zero
    stride broadcasts an input), ``STRIDED["set"]`` writes ``out``, ``STRIDED["add"]``
    adds to it (a zero stride in ``out`` then sums over that axis)."""
    src = ""
    for tag, assign in (("set", "="), ("add", "+=")):
        src += (f"\n\n@numba.njit(cache=True)\ndef _{name}_strided_{tag}({args}):\n"
                f"    for i in range(out.shape[1]):\n      for j in range(out.shape[2]):\n"
                + body.replace("ASSIGN", assign))
    return src + f'\n\nSTRIDED = {{"set": _{name}_strided_set, "add": _{name}_strided_add}}\n'


def _tabled(ir) -> str:
    cols = ir.numeric_terms()
    order = np.lexsort(cols[-2::-1])          # by output, then inputs
    k, idx, c = cols[0][order], [col[order] for col in cols[1:-1]], cols[-1][order]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(k, minlength=ir.out_dim))])
    names = INPUT_NAMES[:ir.arity]
    src = _table("PTR", ptr, "int64") + _table("C", c, "float64")
    src += "".join(_table(f"I{name.upper()}", col, "int64") for name, col in zip(names, idx))
    product = " * ".join(f"{name}[t, I{name.upper()}[q]]" for name in names)
    body = f"""    for t in LOOP(out.shape[0]):
        for k in range(PTR.shape[0] - 1):
            acc = 0.0
            for q in range(PTR[k], PTR[k + 1]):
                acc += C[q] * {product}
            out[t, k] = acc
"""
    strided = f"""        for k in range(PTR.shape[0] - 1):
            acc = 0.0
            for q in range(PTR[k], PTR[k + 1]):
                acc += C[q] * {" * ".join(f"{name}[I{name.upper()}[q], i, j]" for name in names)}
            out[k, i, j] ASSIGN acc
"""
    args = ", ".join(names) + ", out"
    return (src + "\n\n" + _variants(ir.name, args, "rows", body)
            + _strided(ir.name, args, strided))


def _multilinear_source(ir, strategy: str) -> str:
    body = _unrolled(ir) if strategy == "unrolled" else _tabled(ir)
    return header(ir, "numba") + _IMPORTS + "\n" + body


def _pointwise_source(ir) -> str:
    printer = pointwise_printer("numba")
    names = [f"in{q}" for q in range(len(ir.inputs))]
    subs = {s: sympy.Symbol(f"v{q}") for q, s in enumerate(ir.inputs)}
    subs.update({p: sympy.Symbol(f"p{q}") for q, p in enumerate(ir.params)})
    exprs = [e.xreplace(subs) for e in ir.exprs]
    temps, reduced = sympy.cse(exprs, symbols=sympy.numbered_symbols("x"))
    body = ["    for t in LOOP(in0.shape[0]):\n"]
    body += [f"        v{q} = {n}[t]\n" for q, n in enumerate(names)]
    body += [f"        {s} = {printer.doprint(e)}\n" for s, e in temps]
    body += [f"        out{q}[t] = {printer.doprint(e)}\n" for q, e in enumerate(reduced)]
    args = names + [f"p{q}" for q in range(len(ir.params))] + [f"out{q}" for q in range(len(exprs))]
    imports = "".join(f"import {m}\n" for m in sorted(printer.module_imports) if m != "numba")
    return (header(ir, "numba") + "import numba\n" + imports + "\n\n"
            + _variants(ir.name, ", ".join(args), "rows", "".join(body), key="out0"))


def compile_multilinear(ir, strategy: str | None = None) -> Kernel:
    """Kernel ``fn(*inputs, out)`` for a Linear/Bilinear/Trilinear IR on 2-D arrays."""
    strategy = choose_strategy(ir, strategy, UNROLL_MAX_TERMS)
    return build(ir, "numba", strategy, lambda: _multilinear_source(ir, strategy))


def _rowwise_source(ir) -> str:
    """The loop of :func:`_rows` over a Rowwise IR's CSE'd expressions, vectorised across
    rows of at most :data:`FLAT_MAX_COMPONENTS` components; wider rows in :func:`_blocks`
    (measured on the normalised sandwiches of Cl(1,3), Cl(3,0,1), Cl(4,1): blocks 1.0-2.2x
    faster than the scalar loop, benchmarks/RESULTS.md, issue 15)."""
    layout = "rows" if max(*ir.in_dims, ir.out_dim) <= FLAT_MAX_COMPONENTS else "blocks"
    printer = pointwise_printer("numba", reciprocals=True)
    temps, rows = rowwise_body(ir, printer)
    names = INPUT_NAMES[:ir.arity]
    lines = (_blocks if layout == "blocks" else _rows)(
        names, ir.in_dims, ir.out_dim, temps, [f"{row}{label_comment(ir, k)}" for k, row in enumerate(rows)])
    imports = "".join(f"import {m}\n" for m in sorted(printer.module_imports) if m not in ("numba", "numpy"))
    # NumPy's error model: a division is not checked for a zero divisor (which yields inf or
    # nan, as in NumPy); Python's check is a branch that keeps the loop from vectorising
    return (header(ir, "numba") + _IMPORTS + imports + "\n"
            + _variants(ir.name, ", ".join(names) + ", out", layout, "".join(lines),
                        options=", error_model='numpy'"))


def compile_rowwise(ir) -> Kernel:
    """Kernel ``fn(*inputs, out)`` for a Rowwise IR on C-contiguous 2-D arrays, as
    :func:`compile_multilinear` (one vectorised row loop, no blade-major kernels).

    >>> import numpy as np, sympy
    >>> a, b = sympy.symbols("a:2"), sympy.symbols("b:1")
    >>> k = compile_rowwise(Rowwise("scale", (a, b), (a[0] * b[0] / (a[0]**2 + a[1]**2),)))
    >>> out = np.empty((1, 1)); k(np.array([[3.0, 4.0]]), np.array([[5.0]]), out); out
    array([[0.6]])
    """
    return build(ir, "numba", "rowwise", lambda: _rowwise_source(ir))


def module_file(ir, strategy: str | None = None) -> Path:
    """The module file :func:`compile_multilinear` (or :func:`compile_rowwise`) imports,
    written if missing but not imported (numba is not imported): for :mod:`.numba_worker`
    to compile elsewhere."""
    if isinstance(ir, Rowwise):
        key = cache.hash_key(ir, "numba", "rowwise")
        return cache.get_or_create(ir.name, key, lambda: _rowwise_source(ir))[0]
    strategy = choose_strategy(ir, strategy, UNROLL_MAX_TERMS)
    key = cache.hash_key(ir, "numba", strategy)
    return cache.get_or_create(ir.name, key, lambda: _multilinear_source(ir, strategy))[0]


def compile_pointwise(ir) -> Kernel:
    """Kernel ``fn(*inputs, *params, *outs)`` over 1-D arrays of equal length."""
    return build(ir, "numba", "pointwise", lambda: _pointwise_source(ir))


def _edge_source(ir, strategy: str) -> str:
    """``out[io[e]] += ir(a[ia[e]], b[ib[e]])`` for every edge ``e``, in one serial loop:
    gather, bilinear op and scatter-add without an intermediate per edge."""
    head = ["    for e in range(ia.shape[0]):\n", "        p = ia[e]\n", "        q = ib[e]\n", "        i = io[e]\n"]
    if strategy == "unrolled":
        body = head + [f"        a{k} = a[p, {k}]\n" for k in range(ir.in_dims[0])]
        body += [f"        b{k} = b[q, {k}]\n" for k in range(ir.in_dims[1])]
        body += [f"        out[i, {k}] += {row}{label_comment(ir, k)}\n"
                 for k, row in enumerate(multilinear_rows(ir)) if row != "0.0"]
        tables = ""
    else:
        cols = ir.numeric_terms()
        order = np.lexsort(cols[-2::-1])
        k, ia, ib, c = cols[0][order], cols[1][order], cols[2][order], cols[3][order]
        ptr = np.concatenate([[0], np.cumsum(np.bincount(k, minlength=ir.out_dim))])
        tables = (_table("PTR", ptr, "int64") + _table("C", c, "float64") + _table("IA", ia, "int64")
                  + _table("IB", ib, "int64") + "\n\n")
        body = head + ["        for k in range(PTR.shape[0] - 1):\n",
                       "            acc = 0.0\n",
                       "            for t in range(PTR[k], PTR[k + 1]):\n",
                       "                acc += C[t] * a[p, IA[t]] * b[q, IB[t]]\n",
                       "            out[i, k] += acc\n"]
    return (header(ir, "numba") + _IMPORTS + "\n" + tables
            + f"@numba.njit(cache=True)\ndef {ir.name}(a, b, ia, ib, io, out):\n" + "".join(body))


def compile_edge(ir, strategy: str | None = None) -> Kernel:
    """Kernel ``fn(a, b, ia, ib, io, out)`` of a two-input IR over an edge list: for every
    ``e``, ``out[io[e]] += ir(a[ia[e]], b[ib[e]])`` (``out`` zeroed by the caller; int64
    index arrays of equal length). Message passing is ``fn(edge_values, node_values,
    arange(E), src, dst, out)``; its gradients are the same kernel of the gradient IRs.

    >>> import numpy as np
    >>> from symgen.codegen.ir import Bilinear
    >>> mul = Bilinear("scale", 1, 1, 1, ((0, 0, 0, 1),))
    >>> k = compile_edge(mul)
    >>> out = np.zeros((2, 1))
    >>> idx = lambda *v: np.array(v, dtype=np.int64)
    >>> k(np.array([[2.0], [3.0]]), np.array([[10.0], [100.0]]), idx(0, 1), idx(1, 1), idx(0, 0), out); out
    array([[500.],
           [  0.]])
    """
    if ir.arity != 2:
        raise CodegenError(f"edge kernels take a two-input IR; {ir!r} has {ir.arity} inputs")
    strategy = choose_strategy(ir, strategy, UNROLL_MAX_TERMS)
    return build(ir, "numba", f"edge-{strategy}", lambda: _edge_source(ir, strategy))
