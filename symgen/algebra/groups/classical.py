"""Recognising a group declared by its generators as a classical group, exactly.

The named groups get their invariants from closed forms (Brauer and walled-Brauer
diagrams, :mod:`.diagrams`) and their certificates from the Weyl integration formula
(:mod:`.quadrature`). A :class:`~symgen.groups.MatrixGroup` that *is* one of them — the
user wrote the Lie algebra of Sp(4) or SO(1,2) in their own coordinates — gets the same
shortcuts once it is recognised, decided in exact arithmetic from the generators alone:

- ``m = d²`` Lie generators span ``gl(d)``; ``m = d² − 1`` traceless ones span ``sl(d)``;
- ``m = d(d−1)/2`` (resp. ``d(d+1)/2``) generators preserving a nondegenerate symmetric
  (resp. antisymmetric) form ``J`` span ``so(J)`` (resp. ``sp(J)``): the invariant forms
  are the exact null space of ``AᵀJ + JA = 0``, and a subalgebra of ``so(J)`` of full
  dimension is ``so(J)``.

The group's tensor invariants are then those of its identity component (Brauer diagrams of
``J``, plus Levi-Civita for ``so``/``sl``: the first fundamental theorem over ℂ, which the
real forms share) that its discrete generators fix. A discrete generator must preserve
``J`` exactly; one with ``det = −1`` removes the Levi-Civita diagrams of ``so(J)`` (the
group is then ``O(J)``). Anything else (a discrete generator scaling ``J``, ``sl(d)`` with
a ``det ≠ 1`` element, complex entries) is not recognised and takes the generic solver.

>>> import sympy
>>> from symgen import groups
>>> user = groups.MatrixGroup(lie_generators=groups.Sp(4).lie_generators)
>>> kind = recognise(user); kind.kind, kind.special, kind.form == groups.Sp(4).form
('symplectic', False, True)
>>> boost = sympy.Matrix([[0, 1], [1, 0]])                    # SO(1,1)⁺ and the flip of O(1,1)
>>> recognise(groups.MatrixGroup(lie_generators=[boost], discrete_generators=[sympy.diag(1, -1)]))
Classical(kind='orthogonal', form=Matrix([
[1,  0],
[0, -1]]), special=False)
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import numpy as np
import sympy
from sympy.polys.matrices import DomainMatrix

from . import quadrature
from ...errors import GroupError
from .group import Group

__all__ = ["Classical", "recognise", "classical_quadrature"]

#: Largest matrix size for which the invariant form is solved (``d²`` unknowns, exactly).
MAX_RECOGNISE_D = 12


@dataclasses.dataclass(frozen=True)
class Classical:
    """A recognised classical group: ``kind`` is ``"orthogonal"``, ``"symplectic"``,
    ``"general_linear"`` or ``"special_linear"``; ``form`` the invariant form ``J`` (integer
    entries when the generators are rational; ``None`` for ``gl``/``sl``); ``special``:
    whether the Levi-Civita invariants belong to the group.

    >>> from symgen import groups
    >>> recognise(groups.MatrixGroup(lie_generators=groups.SL(3).lie_generators))
    Classical(kind='special_linear', form=None, special=True)
    """

    kind: str
    form: sympy.ImmutableMatrix | None
    special: bool


def recognise(G: Group) -> Classical | None:
    """The :class:`Classical` type of ``G`` (see the module docstring), or ``None``.
    Kept in ``G.cache``.

    >>> from symgen import groups
    >>> recognise(groups.MatrixGroup(lie_generators=groups.SE(2).lie_generators)) is None
    True
    """
    if not isinstance(G, Group):
        raise GroupError(f"recognise takes a symgen group, got {G!r}")
    if "classical" not in G.cache:
        G.cache["classical"] = _recognise(G)
    return G.cache["classical"]


def classical_quadrature(G: Group, degree: int):
    """The exact integration rule of the compact form of a recognised group
    (:meth:`~symgen.groups.Group.quadrature`'s ``(tr, tr_inv, weights)``), else ``None``.

    >>> from symgen import groups
    >>> user = groups.MatrixGroup(lie_generators=groups.SO(1, 2).lie_generators)
    >>> tr, tr_inv, w = classical_quadrature(user, 4); round(float(w.sum()), 12)
    1.0
    """
    kind = recognise(G)
    if kind is None:
        return None
    if kind.kind == "orthogonal":
        return quadrature.orthogonal(G.d, degree, special=kind.special)
    if kind.kind == "symplectic":
        return quadrature.symplectic(G.d // 2, degree)
    return quadrature.unitary(G.d, degree, special=kind.kind == "special_linear")


def _real(G):
    return all(e.is_real is True for m in G.lie_generators + G.discrete_generators for e in m.todok().values())


def _recognise(G):
    A, H, d = G.lie_generators, G.discrete_generators, G.d
    if not A or not _real(G):
        return None
    m = len(A)
    if m == d * d:
        return Classical("general_linear", None, False)
    if m == d * d - 1 and all(a.trace() == 0 for a in A):
        return Classical("special_linear", None, True) if all(h.det() == 1 for h in H) else None
    if d > MAX_RECOGNISE_D:
        return None
    for kind, sign, dim in (("orthogonal", 1, d * (d - 1) // 2), ("symplectic", -1, d * (d + 1) // 2)):
        if m != dim or (kind == "symplectic" and d % 2):
            continue
        J = _invariant_form(A, d, sign)
        if J is None or not all(_is_zero(h.T * J * h - J) for h in H):
            return None
        special = kind == "orthogonal" and all(_is_zero(sympy.Matrix([h.det() - 1])) for h in H)
        return Classical(kind, J, special)
    return None


def _is_zero(M):
    """``M == 0`` exactly: by its entries when they are rational, else after ``simplify``."""
    entries = M.todok().values()
    if all(e.is_Rational for e in entries):
        return not entries
    return sympy.simplify(M) == sympy.zeros(*M.shape)


def _invariant_form(A, d, sign):
    """A nondegenerate ``J = sign · Jᵀ`` with ``AᵀJ + JA = 0`` for every ``A`` (integer
    entries when rational), else ``None``. For rational generators a float null vector
    rounded to small rationals is tried first and kept only if it solves the equations
    exactly in integer arithmetic (any such ``J`` will do: the dimension count then gives
    the whole ``so(J)``/``sp(J)``); otherwise the exact null space, which must be
    one-dimensional."""
    J = _rounded_form(A, d, sign)
    if J is not None:
        return J
    rows = {}   # row (A, i, j) of AᵀJ + JA = 0: A[p, i] J[p, j] + J[i, q] A[q, j]; column p·d + q of J[p, q]
    for r, a in enumerate(A):
        for (p, i), v in a.todok().items():
            for j in range(d):
                rows.setdefault((r * d + i) * d + j, {})[p * d + j] = v
        for (q, j), v in a.todok().items():
            for i in range(d):
                row = rows.setdefault((r * d + i) * d + j, {})
                row[i * d + q] = row.get(i * d + q, 0) + v
    for i in range(d):          # J = sign · Jᵀ
        for j in range(d):
            row = rows.setdefault((len(A) * d + i) * d + j, {})
            row[i * d + j] = row.get(i * d + j, 0) + 1
            row[j * d + i] = row.get(j * d + i, 0) - sign
    rows = {r: {c: v for c, v in row.items() if v != 0} for r, row in rows.items()}
    M = DomainMatrix.from_dict_sympy((len(A) + 1) * d * d, d * d, {r: row for r, row in rows.items() if row})
    null = M.to_field().nullspace().to_Matrix()
    if null.rows != 1:
        return None
    J = null.reshape(d, d)
    if all(e.is_Rational for e in J):
        scale = sympy.ilcm(*[e.q for e in J]) if J else 1
        J = J * scale
        J = J / sympy.igcd(0, *[int(e) for e in J])
    if J.det() == 0:
        return None
    return sympy.ImmutableMatrix(J)


def _rounded_form(A, d, sign):
    """``J`` from the float null vector of the form equations rounded to small rationals
    and scaled to integers, checked exactly (integer matrices); ``None`` if the generators
    are not rational, the rounding fails, or the check fails."""
    ints = []
    for m in A:
        nonzero = m.todok()             # only the nonzero entries become SymPy numbers
        if not all(e.is_Rational for e in nonzero.values()):
            return None
        scale = math.lcm(1, *[int(e.q) for e in nonzero.values()])
        a = np.zeros((d, d), dtype=np.int64)
        for (i, j), e in nonzero.items():  # numerators and denominators as ints: no SymPy arithmetic
            a[i, j] = int(e.p) * (scale // int(e.q))
        ints.append(a)
    if max(int(np.abs(a).max()) for a in ints) > 2 ** 20:
        return None
    aT = np.swapaxes(np.array(ints, dtype=float), 1, 2)
    eye = np.eye(d)
    swap = np.eye(d * d).reshape(d, d, d, d).transpose(0, 1, 3, 2).reshape(d * d, d * d)
    rows = (np.einsum("mij,kl->mikjl", aT, eye)                # Aᵀ⊗I + I⊗Aᵀ per generator
            + np.einsum("ij,mkl->mikjl", eye, aT)).reshape(-1, d * d)
    rows = np.vstack([rows, np.eye(d * d) - sign * swap])
    v = np.linalg.eigh(rows.T @ rows)[1][:, 0]      # the normal equations' null vector: checked exactly below
    v = v / v[np.argmax(np.abs(v) > (1 - 1e-6) * np.abs(v).max())]     # the first largest entry becomes 1
    values, where = np.unique(np.round(v, 12), return_inverse=True)    # few distinct entries (0, ±1, …)
    q = [Fraction(float(x)).limit_denominator(64) for x in values]
    if max(abs(float(f) - x) for f, x in zip(q, values)) > 1e-9:
        return None
    scale = math.lcm(*[f.denominator for f in q])
    J = np.array([f.numerator * (scale // f.denominator) for f in q], dtype=np.int64)[where.ravel()].reshape(d, d)
    ints = np.array(ints)
    if np.any(np.swapaxes(ints, 1, 2) @ J + J @ ints) or np.any(J - sign * J.T):
        return None
    J = sympy.ImmutableMatrix(J.tolist())
    return J if DomainMatrix.from_Matrix(J).det() != 0 else None
