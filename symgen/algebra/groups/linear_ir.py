"""Equivariant linear maps as IR: ``y[o] = Σ c · x[i] · w[l]`` over an exact basis.

Each non-zero ``c = B_l[o, i]`` of the exact basis ``B`` of ``Hom_G(rep_in, rep_out)`` is
one term ``(o, i, l, c)`` of a :class:`~symgen.codegen.Bilinear` op in the input ``x``
and the weights ``w`` (one per basis map): the dense ``W = Σ w_l B_l`` is never formed
(:class:`symgen.nn.EquivariantLinear` with ``strategy="kernel"``).

>>> from symgen import groups, reps
>>> V = reps.V(groups.SO(3))
>>> equivariant_linear_ir(V, V ** 2)                    # the cross product
Bilinear(equivariant_linear: 3 x 1 -> 9, 6 terms)
"""

from __future__ import annotations

from ...codegen import Bilinear
from .equivariance import equivariant_basis
from .reps import Rep

__all__ = ["equivariant_linear_ir"]


def equivariant_linear_ir(rep_in: Rep, rep_out: Rep, basis=None) -> Bilinear:
    """``y[o] = Σ_terms c x[i] w[l]`` for ``basis`` (default: the exact basis of
    :func:`~symgen.algebra.groups.equivariance.equivariant_basis`, a list of SymPy sparse
    matrices ``(rep_out.size, rep_in.size)``)."""
    basis = equivariant_basis(rep_in, rep_out, exact=True) if basis is None else basis
    terms = [(o, i, l, c) for l, W in enumerate(basis) for (o, i), c in W.todok().items()]
    return Bilinear("equivariant_linear", rep_out.size, rep_in.size, max(len(basis), 1), terms,
                    doc=f"equivariant linear map {rep_in!r} -> {rep_out!r}")
