"""IR of products and sandwiches specialised by grade.

An input that holds only some grades (a vector, a bivector, an even versor) is passed as
the components of those grades' blades, in the algebra's blade order; the product's
IR is the full product restricted to those blades, and its output holds only the
grades that can be non-zero (:func:`product_grades`). Sub-IRs are ordinary
:class:`~symgen.codegen.Bilinear` records: codegen sees smaller dimensions and fewer
terms, nothing else.

The sandwich ``w x w⁻¹ = w x w̃ / <w w̃>_0`` of a versor ``w`` is one
:class:`~symgen.codegen.Rowwise` IR of ``(w, x)``: per output component of the grades of
``x`` (a versor's action preserves grades) the SymPy expression ``Σ_j x_j M_kj(w) /
<w w̃>_0``, whose matrix entries ``M_kj`` are sums of products ``w_i w_l`` (terms that
differ only by swapping the two ``w`` indices merged): the rotation-matrix form, with the
norm, its reciprocal and the products shared by every output computed once in one kernel
(``sympy.cse`` in codegen). With ``w w̃ = 1`` assumed (``unit``) it is the same IR
without the norm, ``w x w̃``.

>>> from symgen import CliffordAlgebra
>>> alg = CliffordAlgebra.from_signature(3)
>>> parse_grades(alg, ((0, 2), 1))
((0, 2), (1,))
>>> product_grades(alg, "geometric_product", (2, 1))
(1, 3)
>>> graded_ir(alg, "geometric_product", (2, 1))
Bilinear(geometric_product_g2_g1: 3 x 3 -> 4, 9 terms)
>>> sandwich_ir(alg, ((0, 2), 1))
Rowwise(sandwich_g02_g1: 4 x 3 -> 3)
>>> sandwich_ir(alg, ((0, 2), 1), unit=True)
Rowwise(unit_sandwich_g02_g1: 4 x 3 -> 3)
"""

from __future__ import annotations

import numbers

import sympy

from ...codegen import Bilinear, Rowwise
from ...errors import GradeError

__all__ = ["parse_grades", "blade_positions", "product_grades", "graded_ir", "sandwich_ir",
           "versor_norm_ir"]


def _grade_set(alg, g, where: str) -> tuple:
    if type(g) is int and 0 <= g <= alg.n:         # the common cases, checked without ABCs
        return (g,)
    if type(g) is tuple and g and all(type(k) is int and 0 <= k <= alg.n for k in g):
        return tuple(sorted(set(g)))
    items = (g,) if isinstance(g, numbers.Integral) and not isinstance(g, bool) else g
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise GradeError(f"{where}: grades {g!r} must be an int or a sequence of ints, "
                         f"e.g. 1 or (0, 2)")
    items = tuple(items)
    if not items:
        raise GradeError(f"{where}: no grades given; name at least one grade of 0..{alg.n}")
    for k in items:
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or not 0 <= k <= alg.n:
            raise GradeError(f"{where}: grade {k!r} out of range; {alg!r} has grades 0..{alg.n}")
    return tuple(sorted({int(k) for k in items}))


def parse_grades(alg, grades, arity: int = 2) -> tuple:
    """``grades`` as one sorted tuple of grades per input: ``(2, 1)`` → ``((2,), (1,))``."""
    if isinstance(grades, (str, bytes)) or not hasattr(grades, "__len__") or len(grades) != arity:
        raise GradeError(f"grades={grades!r}: give the grades of each of the {arity} inputs, "
                         f"e.g. grades=((0, 2), 1) for an even versor and a vector")
    return tuple(_grade_set(alg, g, f"input {q}") for q, g in enumerate(grades))


def blade_positions(alg, grades) -> tuple:
    """Positions in the full component axis of the blades of ``grades`` (an int or a
    sequence), in blade order: where a grade-specialised array's components belong."""
    chosen = set(_grade_set(alg, grades, "blade_positions"))
    return tuple(q for q, g in enumerate(alg.grades) if g in chosen)


def _restricted_terms(alg, op, ga, gb):
    """Terms of ``op`` with input blades of grades ``ga``, ``gb``, re-indexed."""
    ia, ib = blade_positions(alg, ga), blade_positions(alg, gb)
    pa, pb = {q: s for s, q in enumerate(ia)}, {q: s for s, q in enumerate(ib)}
    return [(k, pa[i], pb[j], c) for k, i, j, c in alg.bilinear_ir(op).terms if i in pa and j in pb]


def product_grades(alg, op: str, grades) -> tuple:
    """The grades the output of ``op`` on inputs of ``grades`` can hold (not identically
    zero); the output of a grade-specialised product holds exactly these grades' blades."""
    ga, gb = parse_grades(alg, grades)
    key = ("product_grades", op, ga, gb)
    if key not in alg._ir_cache:
        g = alg.grades
        alg._ir_cache[key] = tuple(sorted({g[k] for k, *_ in _restricted_terms(alg, op, ga, gb)}))
    return alg._ir_cache[key]


def _tag(grades) -> str:
    return "g" + "".join(map(str, grades))


def graded_ir(alg, op: str, grades) -> Bilinear:
    """The IR of ``op`` on inputs holding only ``grades``, output on :func:`product_grades`."""
    ga, gb = parse_grades(alg, grades)
    key = ("graded", op, ga, gb)
    if key in alg._ir_cache:
        return alg._ir_cache[key]
    grades_out = product_grades(alg, op, (ga, gb))
    if not grades_out:
        raise GradeError(f"{op} of grades {ga} and {gb} is identically zero in {alg!r}; "
                         f"there is no kernel to run")
    out = blade_positions(alg, grades_out)
    po = {q: s for s, q in enumerate(out)}
    terms = tuple((po[k], i, j, c) for k, i, j, c in _restricted_terms(alg, op, ga, gb))
    ir = Bilinear(f"{op}_{_tag(ga)}_{_tag(gb)}", len(out), len(blade_positions(alg, ga)),
                  len(blade_positions(alg, gb)), terms, labels=tuple(alg.blade_names[q] for q in out),
                  doc=f"{op.replace('_', ' ')} of {alg!r}, grades {ga} x {gb}")
    alg._ir_cache[key] = ir
    return ir


def sandwich_ir(alg, grades, unit: bool = False) -> Rowwise:
    """``out = <w x̂^p w̃> / <w w̃>_0`` on the grades of ``x`` (``w x̂^p w⁻¹`` for a versor),
    a :class:`~symgen.codegen.Rowwise` IR of ``(w, x)``; with ``unit``, ``<w x̂^p w̃>``
    (``w⁻¹ = w̃`` when ``w w̃ = 1``).

    ``x̂^p``: odd-grade blades of ``x`` meet the grade involution of ``w`` (the twisted
    action of CGENN, ``ŵ x₁ w̃``), which for a versor of parity ``p`` is ``w x̂^p w̃``.
    """
    gw, gx = parse_grades(alg, grades)
    key = ("sandwich", gw, gx, unit)
    if key in alg._ir_cache:
        return alg._ir_cache[key]
    w = sympy.symbols(f"w:{len(blade_positions(alg, gw))}")
    x = sympy.symbols(f"x:{len(blade_positions(alg, gx))}")
    matrix = _sandwich_matrix(alg, gw, gx, w)
    rows = [sympy.Add(*(x[j] * m for (k, j), m in matrix.items() if k == out)) for out in range(len(x))]
    if unit:
        exprs, doc = tuple(rows), "sandwich w x w~"
    else:
        norm = sum(c * w[i] * w[j] for _, i, j, c in versor_norm_ir(alg, gw).terms)
        exprs, doc = tuple(sympy.Mul(r, sympy.Pow(norm, -1)) for r in rows), "sandwich w x w~ / <w w~>_0"
    ir = Rowwise(f"{'unit_' * unit}sandwich_{_tag(gw)}_{_tag(gx)}", (w, x), exprs,
                 labels=tuple(alg.blade_names[q] for q in blade_positions(alg, gx)),
                 doc=f"{doc} of {alg!r}, w of grades {gw}, x of grades {gx}")
    alg._ir_cache[key] = ir
    return ir


def _sandwich_matrix(alg, gw, gx, w) -> dict:
    """``{(k, j): M_kj}``: ``<w x̂^p w̃>_k = Σ_j x_j M_kj(w)``, each ``M_kj`` a sum of
    ``c w_i w_l`` (``i <= l``, the two orders merged), in the symbols ``w``."""
    g, gp = alg.grades, alg._geometric
    masks, index = alg._masks, alg._index
    iw, ix = blade_positions(alg, gw), blade_positions(alg, gx)
    px = {q: s for s, q in enumerate(ix)}
    acc: dict = {}
    for a, i in enumerate(iw):
        for b, j in enumerate(ix):
            twist = (-1) ** g[i] if g[j] % 2 else 1
            for m, c1 in gp[(masks[i], masks[j])].items():
                for c, l in enumerate(iw):
                    rev = (-1) ** (g[l] * (g[l] - 1) // 2)
                    for k, c2 in gp[(m, masks[l])].items():
                        if index[k] in px:
                            t = (px[index[k]], b, min(a, c), max(a, c))
                            acc[t] = acc.get(t, 0) + twist * rev * c1 * c2
    matrix: dict = {}
    for (k, j, i, l), v in sorted(acc.items()):
        v = sympy.expand(v)
        if v != 0:
            matrix[(k, j)] = matrix.get((k, j), 0) + v * w[i] * w[l]
    return matrix


def versor_norm_ir(alg, grades) -> Bilinear:
    """``<w w̃>_0`` for ``w`` holding only ``grades``: one output component."""
    gw = _grade_set(alg, grades, "versor_norm_ir")
    key = ("versor_norm", gw)
    if key in alg._ir_cache:
        return alg._ir_cache[key]
    g = alg.grades
    iw = blade_positions(alg, gw)
    pw = {q: s for s, q in enumerate(iw)}
    terms = tuple((0, pw[i], pw[j], c * (-1) ** (g[j] * (g[j] - 1) // 2))
                  for k, i, j, c in alg.bilinear_ir("scalar_product").terms if i in pw and j in pw)
    ir = Bilinear(f"versor_norm_{_tag(gw)}", 1, len(iw), len(iw), terms, labels=("1",),
                  doc=f"scalar part of w w~ of {alg!r}, w of grades {gw}")
    alg._ir_cache[key] = ir
    return ir
