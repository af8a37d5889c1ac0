"""Numba kernels of a trilinear op contracted over channels: the op and the channel mixing
in one loop, forward and backward.

For a :class:`~symgen.codegen.ir.Trilinear` op ``T`` with terms ``(k, i, j, l, c)``, the
*mixing* of ``T`` maps blade-major inputs ``a (A, n, m)``, ``b (B, n, m)`` and a weight
``w (L, m, o)`` to

    y[k, n, o] = sum_m T(a[:, n, m], b[:, n, m], w[:, m, o])[k]
               = sum_m sum_{(k, l)} P_kl[n, m] w[l, m, o],   P_kl = sum c a_i b_j,

a product per channel ``m`` whose parts ``P_kl`` (one per pair of output component and
weight index, "slots") are mixed into ``o`` output channels. The generated loop computes
the slots of a block of :data:`BLOCK` rows and one input channel into a scratch array and
accumulates them into the output at once, so the ``(n, slots, m)`` tensor of the two-step
form (slot products, then a matrix product per output component) never exists; the
backward recomputes the slots the same way. The rows of a block are the innermost,
vectorised axis.

``KERNELS = {"forward": f, "backward": g}``:

- ``f(a, b, w, out)``: ``a``, ``b`` 3-D of any strides, ``w (L, m, o)`` and ``out (K, n, o)``
  C-contiguous; ``out`` is written.
- ``g(a, b, w, wt, gy, ga, gb, gw)``: ``wt = w.transpose(0, 2, 1)`` C-contiguous ``(L, o, m)``,
  ``gy (K, n, o)``, ``ga``, ``gb`` C-contiguous (written), ``gw`` C-contiguous (added to:
  zero it first).

>>> import numpy as np
>>> from symgen.codegen.ir import Trilinear
>>> ir = Trilinear("scaled", 1, 1, 1, 1, ((0, 0, 0, 0, 2),))      # y = 2 a b w
>>> k = compile_mixing(ir)
>>> a = np.ones((1, 3, 2)); w = np.arange(4.0).reshape(1, 2, 2); out = np.empty((1, 3, 2))
>>> k(a, a, w, out); out[0, 0]                      # 2 (w[0, 0, :] + w[0, 1, :])
array([4., 8.])
"""

from __future__ import annotations

from ..errors import CodegenError
from . import cache
from .kernel import Kernel, build
from .printing import header, label_comment, term_sum

__all__ = ["compile_mixing", "mixing_module_file", "slots"]

_STRATEGY = "mixing"


def slots(ir) -> dict:
    """``{(k, l): [(c, i, j), ...]}``: the terms of each slot (output component ``k``,
    weight index ``l``), sorted by ``(k, l)``.

    >>> from symgen.codegen.ir import Trilinear
    >>> slots(Trilinear("t", 1, 2, 2, 2, ((0, 0, 1, 1, 1), (0, 1, 0, 1, -1), (0, 0, 0, 0, 1))))
    {(0, 0): [(1.0, 0, 0)], (0, 1): [(1.0, 0, 1), (-1.0, 1, 0)]}
    """
    if ir.arity != 3:
        raise CodegenError(f"channel mixing takes a trilinear op (a, b, w); got {ir!r}")
    k, i, j, l, c = ir.numeric_terms()
    found: dict = {}
    for q in range(len(k)):
        found.setdefault((int(k[q]), int(l[q])), []).append((float(c[q]), int(i[q]), int(j[q])))
    return dict(sorted(found.items()))


#: Rows per block. The vectorised loops run over a block of rows copied to flat scratch
#: arrays, each row of a component at a constant offset (``X[base + q * BLOCK + s]``):
#: with 2-D scratch arrays LLVM could not tell their rows apart (run-time strides) and left
#: the loops scalar, 9x slower (a 16-slot test loop: 12.4 vs 1.3 ns per row).
BLOCK = 64


def _indent(lines, depth: int) -> list:
    return [" " * (4 * depth) + line for line in lines]


def _copy(dst: str, src: str, rows: int, inner: str, base: str) -> list:
    """Copy ``src[q, t0 + s, inner]`` to the flat block ``dst`` (zero past the last row)."""
    return [f"for {inner} in range({src}.shape[2]):\n",
            f"    base = {base}\n",
            f"    for q in range({rows}):\n",
            "        for s in range(nb):\n",
            f"            {dst}[base + q * BLOCK + s] = {src}[q, t0 + s, {inner}]\n",
            "        for s in range(nb, BLOCK):\n",
            f"            {dst}[base + q * BLOCK + s] = 0.0\n"]


def _source(ir) -> str:
    parts = slots(ir)
    s_of = {kl: s for s, kl in enumerate(parts)}
    dim_a, dim_b, _ = ir.in_dims
    K, S, B = ir.out_dim, len(parts), BLOCK
    ls = sorted({l for _, l in parts})
    load_ab = ([f"a{q} = A[ia + {q * B} + s]\n" for q in range(dim_a)]
               + [f"b{q} = B[ib + {q * B} + s]\n" for q in range(dim_b)])
    slot_lines = [f"P[{s * B} + s] = {term_sum([(c, f'a{i}*b{j}') for c, i, j in terms])}\n"
                  for s, terms in enumerate(parts.values())]
    scratch = [f"A = np.empty(n_in * {dim_a * B}, DTYPE)\n", f"B = np.empty(n_in * {dim_b * B}, DTYPE)\n",
               f"P = np.empty({S * B}, DTYPE)\n"]
    block = ["for t0 in range(0, n_rows, BLOCK):\n", "    nb = min(BLOCK, n_rows - t0)\n"]
    copy_in = (_copy("A", "a", dim_a, "m", f"m * {dim_a * B}") + _copy("B", "b", dim_b, "m", f"m * {dim_b * B}"))
    per_m = ["for m in range(n_in):\n", f"    ia = m * {dim_a * B}\n", f"    ib = m * {dim_b * B}\n"]
    # forward: acc[o, k, s] = sum_m sum over the slots (k, l) of P[slot, s] w[l, m, o];
    # one loop per k (a loop storing to many rows needs too many run-time alias checks)
    by_k: dict = {}
    for (k, l), s in s_of.items():
        by_k.setdefault(k, []).append((1.0, f"P[{s * B} + s]*w{l}"))
    fwd = (["n_rows, n_out = a.shape[1], out.shape[2]\n", "n_in = a.shape[2]\n"]
           + [line.replace("DTYPE", "out.dtype") for line in scratch]
           + [f"acc = np.empty(n_out * {K * B}, out.dtype)\n"] + block
           + _indent(copy_in + ["acc[:] = 0.0\n"] + per_m + ["    for s in range(BLOCK):\n"]
                     + _indent(load_ab + slot_lines, 2)
                     + ["    for o in range(n_out):\n", f"        io = o * {K * B}\n"]
                     + _indent([f"w{l} = w[{l}, m, o]\n" for l in ls], 2)
                     + [line for k, row in sorted(by_k.items()) for line in
                        ("        for s in range(BLOCK):\n",
                         f"            acc[io + {k * B} + s] += {term_sum(row)}{label_comment(ir, k)}\n")]
                     + ["for o in range(n_out):\n", f"    io = o * {K * B}\n", f"    for k in range({K}):\n",
                        "        for s in range(nb):\n", "            out[k, t0 + s, o] = acc[io + k * BLOCK + s]\n"], 1))
    # backward: G[slot, s] = sum_o w[l, m, o] gy[k, n, o]; ga, gb from G; gw from the slots
    grad_a, grad_b = [[] for _ in range(dim_a)], [[] for _ in range(dim_b)]
    for s, terms in enumerate(parts.values()):
        for c, i, j in terms:
            grad_a[i].append((c, f"b{j}*G[{s * B} + s]"))
            grad_b[j].append((c, f"a{i}*G[{s * B} + s]"))
    by_l: dict = {}
    for (k, l), s in s_of.items():
        by_l.setdefault(l, []).append((1.0, f"P[{s * B} + s]*GY[io + {k * B} + s]"))
    by_slot_k: dict = {}
    for (k, l), s in s_of.items():
        by_slot_k.setdefault(k, []).append((s, l))
    bwd = (["n_rows, n_out = a.shape[1], gy.shape[2]\n", "n_in = a.shape[2]\n"]
           + [line.replace("DTYPE", "gy.dtype") for line in scratch]
           + [f"G = np.empty({S * B}, gy.dtype)\n", f"GY = np.empty(n_out * {K * B}, gy.dtype)\n",
              f"GA = np.empty(n_in * {dim_a * B}, gy.dtype)\n", f"GB = np.empty(n_in * {dim_b * B}, gy.dtype)\n",
              "zero = np.zeros(1, gy.dtype)[0]\n"] + block
           + _indent(copy_in + _copy("GY", "gy", K, "o", f"o * {K * B}") + per_m
                     + ["    G[:] = 0.0\n", "    for o in range(n_out):\n", f"        io = o * {K * B}\n"]
                     + _indent([f"w{l} = wt[{l}, o, m]\n" for l in ls], 2)
                     + [line for k, pairs in sorted(by_slot_k.items()) for line in
                        ["        for s in range(BLOCK):\n", f"            g = GY[io + {k * B} + s]\n"]
                        + [f"            G[{s * B} + s] += w{l}*g\n" for s, l in pairs]]
                     + ["    for s in range(BLOCK):\n"]
                     + _indent(load_ab[dim_a:]
                               + [f"GA[ia + {i * B} + s] = {term_sum(row)}\n" for i, row in enumerate(grad_a)], 2)
                     + ["    for s in range(BLOCK):\n"]
                     + _indent(load_ab[:dim_a]
                               + [f"GB[ib + {j * B} + s] = {term_sum(row)}\n" for j, row in enumerate(grad_b)], 2)
                     + ["    for s in range(BLOCK):\n"] + _indent(load_ab + slot_lines, 2)
                     + ["    for o in range(n_out):\n", f"        io = o * {K * B}\n"]
                     + [line for l, row in sorted(by_l.items()) for line in
                        ("        r = zero\n", "        for s in range(BLOCK):\n",
                         f"            r += {term_sum(row)}\n", f"        gw[{l}, m, o] += r\n")]
                     + ["for m in range(n_in):\n", f"    ia = m * {dim_a * B}\n", f"    ib = m * {dim_b * B}\n",
                        f"    for q in range({dim_a}):\n", "        for s in range(nb):\n",
                        "            ga[q, t0 + s, m] = GA[ia + q * BLOCK + s]\n",
                        f"    for q in range({dim_b}):\n", "        for s in range(nb):\n",
                        "            gb[q, t0 + s, m] = GB[ib + q * BLOCK + s]\n"], 1))
    name = ir.name
    return (header(ir, "numba, channel mixing") + f"import numba\nimport numpy as np\n\nBLOCK = {B}\n\n\n"
            f"@numba.njit(cache=True, fastmath=True)\ndef _{name}_mixing(a, b, w, out):\n"
            + "".join(_indent(fwd, 1))
            + f"\n\n@numba.njit(cache=True, fastmath=True)\ndef _{name}_mixing_grad(a, b, w, wt, gy, ga, gb, gw):\n"
            + "".join(_indent(bwd, 1))
            + f'\n\nKERNELS = {{"forward": _{name}_mixing, "backward": _{name}_mixing_grad}}\n\n\n'
            f"def {name}(a, b, w, out):\n    _{name}_mixing(a, b, w, out)\n")


def compile_mixing(ir) -> Kernel:
    """Kernel ``fn(a, b, w, out)``: the forward mixing of the trilinear ``ir`` (module doc);
    its module's ``KERNELS`` holds the backward too.

    >>> from symgen.codegen.ir import Trilinear
    >>> compile_mixing(Trilinear("scaled", 1, 1, 1, 1, ((0, 0, 0, 0, 2),))).strategy
    'mixing'
    """
    slots(ir)
    return build(ir, "numba", _STRATEGY, lambda: _source(ir))


def mixing_module_file(ir):
    """The module file of :func:`compile_mixing`, written if missing but not imported
    (for :mod:`.numba_worker` to compile in a child process).

    >>> from symgen.codegen.ir import Trilinear
    >>> mixing_module_file(Trilinear("scaled", 1, 1, 1, 1, ((0, 0, 0, 0, 2),))).suffix
    '.py'
    """
    slots(ir)
    return cache.get_or_create(ir.name, cache.hash_key(ir, "numba", _STRATEGY), lambda: _source(ir))[0]

