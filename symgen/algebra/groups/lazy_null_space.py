"""Invariant tensors of a group declared by its generators, without the dense constraint matrix.

The invariants with legs ``(±1, …)`` are the common null space of ``dρ(A)`` (Lie generators:
a Kronecker *sum* of ``A`` or ``-Aᵀ`` over the legs) and ``ρ(h) − 1`` (discrete generators: a
Kronecker *product*). Both are applied leg by leg to a block of vectors (``K · d · D`` per
vector, ``D = d^K``), never formed. The space is found in two steps:

1. **weights of one generator.** A generator ``M`` diagonalisable by a well-conditioned ``P``
   (antisymmetric and orthogonal ones always are) acts on the tensor with eigenvectors
   ``P^{⊗K} e_I`` and eigenvalues ``Σ_q λ_{I_q}`` (Lie) or ``Π_q μ_{I_q}`` (discrete), so its
   null space is spanned by the ``I`` of weight zero (eigenvalue one) — counted in ``O(D)``,
   built leg by leg. The generator with the fewest such ``I`` seeds the subspace ``Y``
   (SE(3) on 6 legs: 924 of 4096 dimensions by a rotation).
2. **restriction.** Each generator's constraint applied to ``Y`` (``D × n``), its null space
   by an SVD of that ``D × n`` block, ``Y ← Y · null``: the space shrinks generator by
   generator and each constraint holds on every later subspace, so one pass suffices (the
   seeding generator comes last, on the smallest space: its weights were only compared to a
   tolerance).

A complex seed (rotations have eigenvalues ``±iθ``) of a real group spans a subspace closed under
conjugation (its weights come in conjugate pairs, ``I ↔ I*``); the restriction runs on its real
basis, ``Re`` and ``Im`` of one vector per pair. Cost ``O(generators · D · n²)`` and memory ``O(D · n)``, ``n`` the seed's
dimension, instead of the dense path's ``O(D³)`` and ``O(generators · D²)``.

>>> from symgen import groups
>>> G = groups.SE(3)
>>> lazy_null_space(G, (1, 1, 1)).shape        # the invariant 3-tensors of SE(3) on ℝ⁴
(1, 64)
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ...errors import RepresentationError
from .group import Group

__all__ = ["lazy_null_space", "leg_actions", "MAX_SEED_CONDITION", "MAX_SEED_ENTRIES"]

#: A generator seeds the subspace only when its eigenvector matrix has at most this
#: condition number (the error of ``P^{⊗K}`` grows as its K-th power).
MAX_SEED_CONDITION = 10.0


#: The seed ``Y`` ``(D, n)`` may hold at most this many entries (1 GiB in complex128).
MAX_SEED_ENTRIES = 1 << 26


def leg_actions(G: Group):
    """``(kind, {leg: matrix})`` per generator, Lie ones first: ``"lie"`` acts by ``A`` on V,
    ``-Aᵀ`` on V*; ``"discrete"`` by ``h`` on V, ``h⁻ᵀ`` on V*.

    >>> from symgen import groups
    >>> [(kind, base[-1].shape) for kind, base in leg_actions(groups.C(3))]
    [('discrete', (2, 2))]
    """
    out = [("lie", {1: a, -1: -a.T}) for a in G.lie_basis()]
    out += [("discrete", {1: h, -1: np.linalg.inv(h).T}) for h in G.discrete_basis()]
    return out


def _apply_leg(M, X, q, d, K):
    """``M`` on leg ``q`` of the columns of ``X`` ``(d^K, n)``."""
    n = X.shape[1]
    T = X.reshape(d ** q, d, d ** (K - q - 1) * n)
    return np.einsum("ij,ajb->aib", M, T).reshape(d ** K, n)


def _constraint(kind, base, legs, X, d):
    """``dρ(A) X`` or ``ρ(h) X − X`` for the columns of ``X``."""
    K = len(legs)
    if kind == "lie":
        return sum(_apply_leg(base[t], X, q, d, K) for q, t in enumerate(legs))
    Y = X
    for q, t in enumerate(legs):
        Y = _apply_leg(base[t], Y, q, d, K)
    return Y - X


def _seed(actions, legs, d, tol, complex_group):
    """The smallest null space of one generator by its weights: ``(Y orthonormal, index used)``,
    or None when no generator is diagonalisable with a well-conditioned eigenbasis."""
    K, best, lam_of = len(legs), None, {}
    for q, (kind, base) in enumerate(actions):
        lam, P = np.linalg.eig(base[1])
        lam_of[q] = lam
        if not np.isfinite(lam).all() or np.linalg.cond(P) > MAX_SEED_CONDITION:
            continue
        dual = {1: lam, -1: -lam if kind == "lie" else 1 / lam}
        weight = np.zeros(1, dtype=complex) if kind == "lie" else np.ones(1, dtype=complex)
        for t in legs:   # weight of every multi-index, last leg fastest (the layout of the tensor)
            weight = (np.add.outer if kind == "lie" else np.multiply.outer)(weight, dual[t]).reshape(-1)
        scale = max(1.0, np.abs(lam).max()) * K
        chosen = np.flatnonzero(np.abs(weight - (0 if kind == "lie" else 1)) <= tol * scale)
        if best is None or len(chosen) < len(best[1]):
            best = (q, chosen, {1: P, -1: np.linalg.inv(P).T})
    if best is None:
        return None
    q, chosen, vectors = best
    if not complex_group:
        pairs = _conjugate_pairs(chosen, vectors[1], lam_of[q], d, K)
        if pairs is None:
            return None
        chosen, split = pairs
    if d ** K * len(chosen) > MAX_SEED_ENTRIES:
        raise RepresentationError(f"the invariants with legs {legs} need a seed of {d ** K} × {len(chosen)} "
                                  f"entries, more than MAX_SEED_ENTRIES = {MAX_SEED_ENTRIES}")
    Y = np.zeros((d ** K, len(chosen)), dtype=complex)
    Y[chosen, np.arange(len(chosen))] = 1
    for leg, t in enumerate(legs):
        Y = _apply_leg(vectors[t], Y, leg, d, K)
    if not complex_group:   # Re and Im of each conjugate pair, the real vector of a self-conjugate index
        Y = np.concatenate([Y.real, Y[:, split].imag], axis=1)
    return np.linalg.qr(Y)[0], q


def _conjugate_pairs(chosen, P, lam, d, K):
    """For a real generator (``eig`` returns conjugate eigenvectors for conjugate eigenvalues), the
    indices of ``chosen`` up to conjugation (``I ≤ I*``) and a mask of those with ``I < I*``; None
    when the eigenvectors are not conjugate in pairs."""
    partner = np.array([int(np.argmin(np.abs(lam - np.conj(x)) + np.abs(P - P[:, [j]].conj()).sum(0)))
                        for j, x in enumerate(lam)])
    if np.abs(P[:, partner] - P.conj()).max() > 1e-12:
        return None
    digits = np.array(np.unravel_index(chosen, (d,) * K))
    star = np.ravel_multi_index(tuple(partner[digits]), (d,) * K)
    keep = chosen <= star
    return chosen[keep], (chosen < star)[keep]


def _restrict(Y, Z, tol):
    """``Y · (null space of Z)`` for ``Z = C Y`` ``(D, n)``: an SVD of its ``n × n`` triangular factor."""
    if Y.shape[1] == 0 or np.linalg.norm(Z) <= tol:   # every singular value ≤ ‖Z‖_F ≤ tol: all of Y
        return Y
    R = scipy.linalg.qr(Z, mode="r", overwrite_a=True)[0][:Y.shape[1]] if Z.shape[0] > Z.shape[1] else Z
    _, s, vh = scipy.linalg.svd(R, full_matrices=True)
    s = np.concatenate([s, np.zeros(Y.shape[1] - len(s))])
    return Y @ vh[s <= tol * max(1.0, s.max(initial=0))].conj().T


def lazy_null_space(G: Group, legs, tol: float = 1e-9, max_start: int = 4096) -> np.ndarray:
    """Orthonormal rows spanning the invariant tensors of ``G`` with ``legs`` (``1``: V,
    ``-1``: V*), from the generators applied leg by leg (module docstring); singular values
    below ``tol`` (relative) count as zero, as in the dense null space. Real rows for a real
    group, complex ones for a complex group. Without a generator to seed it, the restriction
    starts from the whole space, refused (:class:`~symgen.errors.RepresentationError`) above
    ``max_start`` dimensions.

    >>> from symgen import groups
    >>> lazy_null_space(groups.C(5), (1, -1)).shape    # C(5) on ℝ²: V ⊗ V* has 2 invariants
    (2, 4)
    """
    if not isinstance(G, Group):
        raise RepresentationError(f"lazy_null_space takes a symgen group, got {G!r}")
    legs = tuple(legs)
    if any(t not in (1, -1) or isinstance(t, bool) for t in legs):
        raise RepresentationError(f"legs are 1 (V) or -1 (V*), got {legs}")
    d, K = G.d, len(legs)
    actions = leg_actions(G)
    seeded = _seed(actions, legs, d, tol, G.is_complex) if K else None
    if seeded is None:
        if d ** K > max_start:
            raise RepresentationError(f"{G} has no generator diagonalisable by a well-conditioned basis to "
                                      f"seed the invariants with legs {legs}, and the {d ** K}-dimensional "
                                      f"space is too large to start from (max_start = {max_start})")
        Y, skip = np.eye(d ** K, dtype=complex if G.is_complex else float), None
    else:
        Y, skip = seeded
    # the seed's own generator last (cheap on the smallest space): its weights were compared to a
    # tolerance, so the constraint is still imposed exactly
    for q in sorted(range(len(actions)), key=lambda q: q == skip):
        kind, base = actions[q]
        if Y.shape[1]:
            Y = _restrict(Y, _constraint(kind, base, legs, Y, d), tol)
    return np.ascontiguousarray(Y.T)
