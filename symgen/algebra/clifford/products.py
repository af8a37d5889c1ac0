"""Cayley tables of Clifford algebras: one generator, a predicate per product.

Basis blades are bitmasks (bit ``i`` set means ``e_i`` is a factor) and stand for the
outer products ``e_i ∧ e_j ∧ ...`` with increasing indices. :func:`geometric_table`
computes ``e_A e_B`` for every pair of blades for any symmetric metric (a fast
reordering-sign rule when the metric is diagonal, Chevalley's recursion
``e_i B = e_i ⌋ B + e_i ∧ B`` otherwise). Every other product keeps the terms of the
geometric product whose output grade its predicate accepts (:data:`GRADE_RULES`).

>>> import sympy
>>> table = geometric_table(sympy.diag(1, 1))
>>> table[(0b01, 0b10)]          # e0 e1 = e01
{3: 1}
>>> table[(0b11, 0b11)]          # e01 e01 = -1
{0: -1}
"""

from __future__ import annotations

import sympy

__all__ = ["geometric_table", "GRADE_RULES", "reorder_sign", "popcount"]


def popcount(x: int) -> int:
    return bin(x).count("1")


def reorder_sign(a: int, b: int) -> int:
    """Sign of moving the factors of blade ``b`` past those of ``a`` into canonical order."""
    a >>= 1
    swaps = 0
    while a:
        swaps += popcount(a & b)
        a >>= 1
    return -1 if swaps & 1 else 1


def _diagonal_table(diag, n):
    table = {}
    dim = 1 << n
    for a in range(dim):
        for b in range(dim):
            c = sympy.Integer(reorder_sign(a, b))
            common = a & b
            i = 0
            while common:
                if common & 1:
                    c = c * diag[i]
                common >>= 1
                i += 1
            table[(a, b)] = {a ^ b: c} if c != 0 else {}
    return table


def _add(acc: dict, blade: int, coeff):
    value = acc.get(blade, 0) + coeff
    if value == 0:
        acc.pop(blade, None)
    else:
        acc[blade] = value


def _vector_times_blade(i: int, b: int, metric) -> dict:
    """``e_i e_B = e_i ⌋ e_B + e_i ∧ e_B`` for any symmetric metric."""
    out: dict = {}
    bit = 1 << i
    if not b & bit:
        _add(out, b | bit, -1 if popcount(b & (bit - 1)) & 1 else 1)
    pos, rest, j = 0, b, 0
    while rest:
        if rest & 1:
            g = metric[i, j]
            if g != 0:
                _add(out, b & ~(1 << j), g if pos % 2 == 0 else -g)
            pos += 1
        rest >>= 1
        j += 1
    return out


def _general_table(metric, n):
    dim = 1 << n
    table: dict = {}

    def product(a: int, b: int) -> dict:
        if (a, b) in table:
            return table[(a, b)]
        if a == 0:
            result = {b: sympy.Integer(1)}
        else:
            low = (a & -a).bit_length() - 1   # e_A = e_low ∧ e_rest = e_low e_rest - e_low ⌋ e_rest
            rest = a & ~(1 << low)
            result: dict = {}
            for blade, c in product(rest, b).items():
                for blade2, c2 in _vector_times_blade(low, blade, metric).items():
                    _add(result, blade2, c * c2)
            contraction = _vector_times_blade(low, rest, metric)
            contraction.pop(rest | (1 << low), None)   # keep only e_low ⌋ e_rest
            for blade, c in contraction.items():
                for blade2, c2 in product(blade, b).items():
                    _add(result, blade2, -c * c2)
            result = {k: sympy.expand(v) for k, v in result.items() if sympy.expand(v) != 0}
        table[(a, b)] = result
        return result

    for a in range(dim):
        for b in range(dim):
            product(a, b)
    return table


def geometric_table(metric: sympy.Matrix) -> dict:
    """``{(A, B): {C: coeff}}``: the geometric product of blades ``e_A e_B``."""
    n = metric.shape[0]
    if metric.is_diagonal():
        return _diagonal_table([metric[i, i] for i in range(n)], n)
    return _general_table(metric, n)


#: Which output grades each product keeps from ``e_A e_B`` (grades r, s; output grade k).
GRADE_RULES = {
    "geometric_product": lambda r, s, k: True,
    "outer_product": lambda r, s, k: k == r + s,
    "left_contraction": lambda r, s, k: k == s - r,
    "right_contraction": lambda r, s, k: k == r - s,
    "scalar_product": lambda r, s, k: k == 0,
    "inner_product": lambda r, s, k: k == abs(r - s),
}
