"""The orthogonal projector onto the equivariant maps, as two linear IR ops.

A weight ``W`` (``rep_out.size x rep_in.size``), flattened row-major to ``w``, is
projected onto ``Hom_G(rep_in, rep_out)`` in the Frobenius inner product by

    P(w) = Bᵀ (B Bᵀ)⁻¹ B w

where the rows of ``B`` are the exact basis maps of
:func:`~symgen.algebra.groups.equivariance.equivariant_basis` (``exact=True``). The
Gram matrix ``B Bᵀ`` couples only maps with overlapping supports, so it is inverted
exactly (SymPy, rational or algebraic entries) block by block, and ``P`` is applied as
two sparse ops — never as a dense ``(n_out n_in)²`` matrix:

- ``coefficients``: ``c = (B Bᵀ)⁻¹ B w``, a :class:`~symgen.codegen.Linear` from
  ``n_out n_in`` to ``k`` components;
- ``synthesis``: ``P(w) = Bᵀ c``, a :class:`~symgen.codegen.Linear` from ``k`` back to
  ``n_out n_in`` (the basis itself, integer for named groups).

The pair is the IR behind :func:`symgen.nn.equivariance_penalty` (Kim et al., ICML 2023).
It is built once per pair of representations and kept in the group's ``cache``.

>>> from symgen import groups, reps
>>> V = reps.V(groups.SO(3))
>>> coefficients, synthesis = equivariant_projector_ir(V, V)
>>> coefficients, synthesis
(Linear(equivariant_coefficients: 9 -> 1, 3 terms), Linear(equivariant_synthesis: 1 -> 9, 3 terms))
>>> [t[-1] for t in coefficients.terms]          # c = trace(W) / 3
[1/3, 1/3, 1/3]
"""

from __future__ import annotations

import sympy

from ...codegen import Linear
from .equivariance import equivariant_basis
from .reps import Rep

__all__ = ["equivariant_projector_ir"]


def _components(supports):
    """Groups of basis indices whose supports overlap (union–find over shared positions)."""
    parent = list(range(len(supports)))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    owner = {}
    for l, support in enumerate(supports):
        for p in support:
            if p in owner:
                parent[find(l)] = find(owner[p])
            else:
                owner[p] = l
    groups = {}
    for l in range(len(supports)):
        groups.setdefault(find(l), []).append(l)
    return list(groups.values())


def equivariant_projector_ir(rep_in: Rep, rep_out: Rep) -> tuple[Linear, Linear]:
    """``(coefficients, synthesis)``: the orthogonal projection of flattened weights
    ``(rep_out.size * rep_in.size,)`` onto the equivariant maps is
    ``synthesis(coefficients(w))`` (see the module docstring). With no equivariant map
    both ops have one component and no terms (the projection is zero).

    >>> from symgen import groups, reps
    >>> V = reps.V(groups.S(4))
    >>> coefficients, synthesis = equivariant_projector_ir(V, V)       # a I + b 11ᵀ
    >>> coefficients.out_dim, synthesis.out_dim
    (2, 16)
    """
    key = ("projector", rep_in, rep_out)
    cache = rep_in.G.cache
    if key not in cache:
        cache[key] = _build(rep_in, rep_out)
    return cache[key]


def _build(rep_in, rep_out):
    basis = equivariant_basis(rep_in, rep_out, exact=True)
    n_in, n = rep_in.size, rep_in.size * rep_out.size
    flat = [{o * n_in + i: c for (o, i), c in B.todok().items()} for B in basis]
    analysis, synthesis = [], []
    for block in _components([set(b) for b in flat]):
        gram = sympy.Matrix(len(block), len(block), lambda a, b: sum(
            c * flat[block[b]].get(p, 0) for p, c in flat[block[a]].items()))
        inverse = gram.inv()
        for a, l in enumerate(block):
            row = {}
            for b, m in enumerate(block):
                if inverse[a, b] != 0:
                    for p, c in flat[m].items():
                        row[p] = row.get(p, 0) + inverse[a, b] * c
            analysis += [(l, p, c) for p, c in row.items()]
            synthesis += [(p, l, c) for p, c in flat[l].items()]
    k = max(len(basis), 1)
    doc = f"orthogonal projection onto the equivariant maps {rep_in!r} -> {rep_out!r}"
    return (Linear("equivariant_coefficients", k, n, analysis, doc=doc + ": coefficients"),
            Linear("equivariant_synthesis", n, k, synthesis, doc=doc + ": synthesis"))
