"""Products of a Clifford algebra split by grade path, for weighted (CGENN) layers.

A grade path ``(r, s, t)`` collects the terms of a product whose inputs have grades
``r``, ``s`` and whose output has grade ``t``. Equivariant layers learn one weight per
path (Ruhe et al., 2023): the geometric product restricted to a path commutes with
the Clifford group action, so any weighted sum of paths does too.

>>> from symgen import CliffordAlgebra
>>> alg = CliffordAlgebra((1, 1))
>>> paths = grade_paths(alg)
>>> paths[:4]
((0, 0, 0), (0, 1, 1), (0, 2, 2), (1, 0, 1))
>>> weighted_product_ir(alg)
Trilinear(weighted_geometric_product: 4 x 4 x 10 -> 4, 16 terms)
"""

from __future__ import annotations

from ...codegen import Bilinear, Trilinear

__all__ = ["grade_paths", "weighted_product_ir", "path_product_ir", "quadratic_form_ir"]


def _terms(alg, op):
    g = alg.grades
    return [(k, i, j, c, (g[i], g[j], g[k])) for k, i, j, c in alg.bilinear_ir(op).terms]


def grade_paths(alg, op: str = "geometric_product") -> tuple:
    """The grade paths ``(r, s, t)`` that carry at least one non-zero term, sorted."""
    return tuple(sorted({p for *_, p in _terms(alg, op)}))


def weighted_product_ir(alg, op: str = "geometric_product") -> Trilinear:
    """``out[k] = sum_paths w[p] <<a>_r <b>_s>_t``: inputs ``a``, ``b`` (dim) and ``w`` (paths)."""
    paths = grade_paths(alg, op)
    index = {p: q for q, p in enumerate(paths)}
    terms = tuple((k, i, j, index[p], c) for k, i, j, c, p in _terms(alg, op))
    return Trilinear(f"weighted_{op}", alg.dim, alg.dim, alg.dim, len(paths), terms,
                     labels=alg.blade_names, doc=f"{op.replace('_', ' ')} of {alg!r} weighted by grade path")


def path_product_ir(alg, op: str = "geometric_product") -> tuple[Bilinear, tuple, tuple]:
    """Per-path products stacked on one axis, for layers that mix channels per path.

    Returns the Bilinear IR (output axis: one slot per (path, output blade)), the path
    of each slot and the output blade of each slot. Slots are grouped by output blade
    (blade-major, paths in order within a blade), so a layer contracts each blade's slots
    with one matrix product.
    """
    paths = grade_paths(alg, op)
    slots = sorted(((p, k) for p in paths for k in alg.grade_indices(p[2])), key=lambda s: (s[1], paths.index(s[0])))
    index = {s: q for q, s in enumerate(slots)}
    terms = tuple((index[(p, k)], i, j, c) for k, i, j, c, p in _terms(alg, op))
    ir = Bilinear(f"path_{op}", len(slots), alg.dim, alg.dim, terms,
                  doc=f"{op.replace('_', ' ')} of {alg!r} split by grade path")
    return ir, tuple(paths.index(p) for p, _ in slots), tuple(k for _, k in slots)


def quadratic_form_ir(alg) -> Bilinear:
    """``q_k(x) = <x̃_k x_k>_0`` for each grade k: invariants of the Clifford group action."""
    rev = {q: (-1) ** (g * (g - 1) // 2) for q, g in enumerate(alg.grades)}
    g = alg.grades
    terms = tuple((g[i], i, j, rev[i] * c) for k, i, j, c in alg.bilinear_ir("scalar_product").terms
                  if g[i] == g[j])
    return Bilinear("grade_quadratic_forms", alg.n + 1, alg.dim, alg.dim, terms,
                    labels=tuple(f"q{k}" for k in range(alg.n + 1)),
                    doc=f"quadratic form of each grade of {alg!r}")


