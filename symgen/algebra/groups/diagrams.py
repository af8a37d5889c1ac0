"""Closed-form spanning sets of invariant tensors: Brauer and walled-Brauer diagrams.

For a tensor space with legs ``legs`` (``+1`` = V, ``-1`` = V*), the invariants of a
group preserving a bilinear form ``B`` (O(p,q) with ``η``, Sp(2n) with ``J``) are spanned
by the Brauer diagrams: perfect matchings of the legs, each pair carrying ``B⁻¹`` (V,V),
``B`` (V*,V*) or ``δ`` (mixed) — the first fundamental theorem of invariant theory. The
special groups SO(p,q) add diagrams with one Levi-Civita symbol on ``d`` legs (two of
them reduce to δ's). GL(n) invariants pair each V leg with a V* leg (walled Brauer);
SL(n) adds Levi-Civita symbols on groups of ``n`` legs of the same kind.

Spanning sets may be linearly dependent when ``d`` is small; the caller picks a basis.
They are built sparse (a diagram has ``d^(K/2)`` non-zeros out of ``d^K``) as
``scipy.sparse`` rows; entries are integers for the named groups.

>>> import numpy as np
>>> brauer(np.eye(3), (1, 1, -1, -1), levi_civita=False).shape   # 3 matchings of 4 legs
(3, 81)
>>> walled(3, (1, 1, -1, -1), levi_civita=True).shape            # 2 V-V* bijections
(2, 81)
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.sparse
from sympy.combinatorics import Permutation

from ...errors import RepresentationError

__all__ = ["brauer", "walled", "levi_civita_tensor", "perfect_matchings"]

MAX_DIAGRAMS = 200_000


def perfect_matchings(items):
    """All perfect matchings of ``items`` (a tuple), as tuples of pairs."""
    if not items:
        yield ()
        return
    first, rest = items[0], items[1:]
    for q, partner in enumerate(rest):
        for m in perfect_matchings(rest[:q] + rest[q + 1:]):
            yield ((first, partner),) + m


def levi_civita_tensor(d) -> np.ndarray:
    """The ``d``-index Levi-Civita tensor (entries 0, ±1)."""
    eps = np.zeros((d,) * d)
    for p in itertools.permutations(range(d)):
        eps[p] = Permutation(list(p)).signature()
    return eps


def _guard(count):
    if count > MAX_DIAGRAMS:
        raise RepresentationError(f"the diagram spanning set has {count} tensors (limit {MAX_DIAGRAMS}); "
                                  f"too many to build")


def _contract(K, d, factors):
    """Sparse outer product of ``factors`` = [(legs, array)]: ``(flat indices, values)`` of
    the tensor with ``K`` legs (only the non-zeros of each factor are combined)."""
    flat, vals = np.zeros(1, dtype=np.int64), np.ones(1)
    for legs, a in factors:
        coords = np.nonzero(a)
        f = sum(c.astype(np.int64) * d ** (K - 1 - q) for c, q in zip(coords, legs))
        flat = (flat[:, None] + f[None, :]).ravel()
        vals = (vals[:, None] * a[coords][None, :]).ravel()
    return flat, vals


def _stack(tensors, size):
    """Sparse rows ``(N, size)`` from ``(flat indices, values)`` pairs."""
    if not tensors:
        return scipy.sparse.csr_matrix((0, size))
    rows = np.concatenate([np.full(len(f), r) for r, (f, _) in enumerate(tensors)])
    cols = np.concatenate([f for f, _ in tensors])
    vals = np.concatenate([v for _, v in tensors])
    return scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(len(tensors), size))


def brauer(form, legs, levi_civita: bool):
    """Brauer diagrams for the group preserving ``form`` (``(d, d)`` array), stacked ``(N, d^K)``."""
    form = np.asarray(form, dtype=float)
    d, K = form.shape[0], len(legs)
    inv = np.linalg.inv(form)
    if K == 0:
        return scipy.sparse.csr_matrix(np.ones((1, 1)))
    pair = {(1, 1): inv, (-1, -1): form, (1, -1): np.eye(d), (-1, 1): np.eye(d)}
    eps_sets = [()]
    if levi_civita and d <= K and (K - d) % 2 == 0:
        eps_sets += list(itertools.combinations(range(K), d))
    _guard(sum(_n_matchings(K - len(e)) for e in eps_sets))
    eps, out = None, []
    for e in eps_sets:
        rest = tuple(q for q in range(K) if q not in e)
        if len(rest) % 2:
            continue
        factors0 = []
        if e:
            eps = levi_civita_tensor(d) if eps is None else eps
            t = eps
            for axis, q in enumerate(e):
                if legs[q] < 0:  # lower the index with the form
                    t = np.moveaxis(np.tensordot(form, t, axes=([1], [axis])), 0, axis)
            factors0 = [(e, t)]
        for m in perfect_matchings(rest):
            factors = factors0 + [((a, b), pair[(legs[a], legs[b])]) for a, b in m]
            out.append(_contract(K, d, factors))
    return _stack(out, d ** K)



def _n_matchings(k):
    if k % 2:
        return 0
    n = 1
    for q in range(k - 1, 0, -2):
        n *= q
    return n


def _eps_groups(items, d):
    """Partitions of ``items`` into blocks of size ``d`` (each block keeps its order)."""
    if not items:
        yield ()
        return
    first, rest = items[0], items[1:]
    for others in itertools.combinations(rest, d - 1):
        remaining = tuple(q for q in rest if q not in others)
        for tail in _eps_groups(remaining, d):
            yield ((first,) + others,) + tail


def walled(d, legs, levi_civita: bool):
    """GL(d) (δ between V and V* legs) or SL(d) (plus Levi-Civita) invariants ``(N, d^K)``."""
    K = len(legs)
    if K == 0:
        return scipy.sparse.csr_matrix(np.ones((1, 1)))
    up = tuple(q for q in range(K) if legs[q] > 0)
    down = tuple(q for q in range(K) if legs[q] < 0)
    excess = len(up) - len(down)
    major = up if excess > 0 else down
    if excess and not (levi_civita and abs(excess) % d == 0):
        return _stack([], d ** K)
    groups_of_legs = []
    for k in itertools.combinations(major, abs(excess)):
        groups_of_legs += list(_eps_groups(k, d)) if excess else [()]
    if not excess:
        groups_of_legs = [()]
    _guard(len(groups_of_legs) * int(np.prod(range(1, min(len(up), len(down)) + 1))))
    eps = levi_civita_tensor(d) if excess else None
    out = []
    for blocks in groups_of_legs:
        used = {q for b in blocks for q in b}
        ups = [q for q in up if q not in used]
        downs = [q for q in down if q not in used]
        for perm in itertools.permutations(downs):
            factors = [(b, eps) for b in blocks] + [((a, b), np.eye(d)) for a, b in zip(ups, perm)]
            out.append(_contract(K, d, factors))
    return _stack(out, d ** K)
