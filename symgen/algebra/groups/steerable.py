"""Steerable kernels on point clouds: which groups qualify, and the IR of a kernel acting on
features.

A steerable kernel maps a relative position ``r ∈ ℝⁿ`` to a matrix ``K(r) ∈ Hom(rep_in,
rep_out)`` with ``K(g r) = ρ_out(g) K(r) ρ_in(g)⁻¹``: a G-equivariant map from ``V`` to
``rep_out ⊗ rep_in*`` (Zhdanov, Hoffmann and Cesa, NeurIPS 2023). Its values arrive in the
layout of the representation ``rep_out * rep_in.T`` (summand by summand);
:func:`kernel_apply_ir` is the bilinear op ``(k, x) ↦ K x`` reading ``k`` in that layout, so
no permutation runs at training time.

>>> from symgen import groups, reps
>>> G = groups.SO(2)
>>> kernel_apply_ir(reps.V(G), reps.V(G) + reps.Scalar(G))
Bilinear(steerable_apply: 6 x 2 -> 3, 6 terms)

The simplest steerable kernel from ``V`` to ``V`` for any ``G ⊂ O(n)`` is isotropic,
``K(r) = φ(r) I`` with an invariant ``φ``: :func:`isotropic_apply_ir` applies it from one
number per edge (EGNN's coordinate message ``φ(m_ij) x_j``).
"""

from __future__ import annotations

import sympy

from ...codegen import Bilinear
from ..._validate import check_int
from ...errors import RepresentationError
from .group import Group
from .reps import Rep

__all__ = ["kernel_rep", "kernel_apply_ir", "isotropic_apply_ir", "check_orthogonal"]


def check_orthogonal(G: Group) -> None:
    """Raise unless ``G ⊂ O(n)`` exactly (antisymmetric Lie generators, orthogonal discrete
    generators): only then is ``|r|`` invariant and a radial profile allowed."""
    eye = sympy.eye(G.d)
    for A in G.lie_generators:
        if not sympy.simplify(A + A.T).is_zero_matrix:
            raise RepresentationError(f"steerable point kernels need G ⊂ O({G.d}); {G} has the Lie "
                                      f"generator {A.tolist()}, which is not antisymmetric")
    for g in G.discrete_generators:
        if not sympy.simplify(g.T * g - eye).is_zero_matrix:
            raise RepresentationError(f"steerable point kernels need G ⊂ O({G.d}); {G} has the "
                                      f"generator {g.tolist()}, which is not orthogonal")


def kernel_rep(rep_in: Rep, rep_out: Rep) -> Rep:
    """``rep_out ⊗ rep_in*``, the representation of the kernel's values."""
    if rep_in.G != rep_out.G:
        raise RepresentationError(f"rep_in of {rep_in.G} and rep_out of {rep_out.G}: one group please")
    return rep_out * rep_in.T


def kernel_apply_ir(rep_in: Rep, rep_out: Rep) -> Bilinear:
    """``(k, x) ↦ K x`` for ``k`` in the layout of :func:`kernel_rep` and ``x`` in ``rep_in``'s.

    The summand ``A ⊗ B*`` of ``rep_out ⊗ rep_in*`` (``A`` of ``rep_out`` at offset ``a0``,
    ``B`` of ``rep_in`` at ``b0``) holds ``K[a0 + i, b0 + j]`` at position ``i·|B| + j`` of its
    block: a monomial's components are ordered factor by factor, as in ``rep.rho``.
    """
    rep = kernel_rep(rep_in, rep_out)
    terms, k = [], 0
    for a0, a_size, _ in rep_out.blocks():
        for b0, b_size, _ in rep_in.blocks():
            terms += [(a0 + i, k + i * b_size + j, b0 + j, 1) for i in range(a_size) for j in range(b_size)]
            k += a_size * b_size
    assert k == rep.size
    return Bilinear("steerable_apply", rep_out.size, rep.size, rep_in.size, tuple(terms),
                    doc=f"steerable kernel K ∈ Hom({rep_in!r}, {rep_out!r}) applied to features")


def isotropic_apply_ir(n: int) -> Bilinear:
    """``(φ, x) ↦ φ x``: the isotropic steerable kernel ``φ · I ∈ Hom(V, V)`` of one invariant
    ``φ`` applied to a vector ``x ∈ ℝⁿ``; equivariant under all of ``O(n)``. Summed over edges
    by :func:`symgen.codegen.runtime.message_op`, it is EGNN's ``Σ_j φ(m_ij) x_j``
    (Satorras, Hoogeboom and Welling, ICML 2021).

    >>> isotropic_apply_ir(3)
    Bilinear(isotropic_apply3: 1 x 3 -> 3, 3 terms)
    >>> isotropic_apply_ir(3).terms
    ((0, 0, 0, 1), (1, 0, 1, 1), (2, 0, 2, 1))
    """
    n = check_int(n, "n", RepresentationError)
    return Bilinear(f"isotropic_apply{n}", n, 1, n, tuple((k, 0, k, 1) for k in range(n)),
                    doc=f"isotropic kernel phi * I on R^{n} applied to a vector")
