"""Equivariant bases by blocks: one small basis per pair of summand types, shared by copies.

``Hom_G(⊕_a A_a, ⊕_b B_b)`` is the direct sum of the blocks ``Hom_G(A_a, B_b)``, and a
block depends only on the *types* (tensor monomials) of ``A_a`` and ``B_b``. A hidden
representation such as ``85 V⁰ + 28 V + 9 V²`` has three types, so its self-maps need
nine small bases (``Hom(V², V²)`` of SO(3) is ``(3, 9, 9)``) instead of one dense
``(k, n_out, n_in)`` array (``k`` ≈ 14 000 maps of 287 × 250 matrices: 8 GB in float64).

A :class:`StructuredBasis` keeps, for each type pair ``t = (B, A)``, the small basis
``β_t`` ``(k_t, d_B, d_A)``, the component indices of the ``m_B`` output and ``m_A`` input
copies, and where each of its ``m_B · m_A · k_t`` maps sits in the global order of
:func:`~symgen.algebra.groups.equivariance.equivariant_basis` (output summand, then input
summand, then the block's maps). So a weight vector ``w`` means the same map
``W = Σ_l w_l B_l`` in both forms, and ``W``'s block at copies ``(b, a)`` is
``Σ_k w[b, a, k] β_t[k]``: memory ``O(Σ_t k_t d_B d_A + k)``, never ``O(k · n_out · n_in)``.

>>> import numpy as np
>>> from symgen import groups, reps
>>> from symgen.reps import equivariant_basis, structured_basis
>>> G = groups.SO(3)
>>> R = 4 * reps.Scalar(G) + 2 * reps.V(G) + reps.V(G) ** 2
>>> S = structured_basis(R, R); S
StructuredBasis(4V⁰+2V+V² → 4V⁰+2V+V²: 35 maps in 7 block types)
>>> np.array_equal(S.dense(), equivariant_basis(R, R))
True
>>> w = np.random.default_rng(0).normal(size=len(S))
>>> np.allclose(S.matrix(w), np.einsum("k,kij->ij", w, S.dense()))
True
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse

from ...errors import RepresentationError
from .reps import Rep

__all__ = ["BlockType", "StructuredBasis", "copies"]


def copies(rep: Rep) -> dict:
    """``{monomial: (summand positions, component indices (m, d^len))}`` of each summand type
    of ``rep``, in layout order.

    >>> from symgen import groups, reps
    >>> V = reps.V(groups.SO(2))
    >>> positions, index = copies(V + reps.Scalar(V.G) + V)[(1,)]
    >>> positions, index.tolist()
    ([0, 2], [[0, 1], [3, 4]])
    """
    if not isinstance(rep, Rep):
        raise RepresentationError(f"copies takes a symgen representation, got {rep!r}")
    out = {}
    for q, (off, size, mono) in enumerate(rep.blocks()):
        positions, index = out.setdefault(mono, ([], []))
        positions.append(q)
        index.append(np.arange(off, off + size))
    return {mono: (positions, np.array(index, dtype=np.int64).reshape(len(index), -1))
            for mono, (positions, index) in out.items()}


def _orbit_map(rows):
    """``(orbit of each entry (-1: none), value of each row)`` when the sparse ``rows``
    have disjoint supports and are constant on them (normalised orbit indicators), else None."""
    rows = scipy.sparse.csr_matrix(rows)
    if np.any(np.bincount(rows.indices, minlength=rows.shape[1]) > 1):
        return None
    counts = np.diff(rows.indptr)
    if np.any(counts == 0):
        return None
    value = rows.data[rows.indptr[:-1]]
    spread = np.abs(rows.data - np.repeat(value, counts))
    if np.any(spread > 1e-15 * np.repeat(np.abs(value), counts)):
        return None
    orbit = np.full(rows.shape[1], -1, dtype=np.int64)
    orbit[rows.indices] = np.repeat(np.arange(rows.shape[0]), counts)
    return orbit, value


def _shared_orbit_map(G, rows):
    """:func:`_orbit_map` kept in ``G.cache`` beside the cached ``rows`` (keyed by their
    identity), so every basis built on one orbit basis shares its orbit array."""
    key = ("orbit-map", id(rows))
    if key not in G.cache or G.cache[key][0] is not rows:
        G.cache[key] = (rows, _orbit_map(rows))
    return G.cache[key][1]


@dataclasses.dataclass(frozen=True, eq=False)
class BlockType:
    """One pair of summand types ``mono_in → mono_out`` of a :class:`StructuredBasis`.

    The ``k_t`` maps of one copy are either ``basis`` ``(k_t, d_out, d_in)`` (dense), or,
    for the orbit bases of permutation groups, ``orbit`` ``(d_out, d_in)`` (which map is
    non-zero at each entry, ``-1`` for none) with ``value`` ``(k_t,)`` (its entry there);
    the other form is ``None``. ``out_index`` ``(m_out, d_out)`` and ``in_index``
    ``(m_in, d_in)``: the components of each copy; ``weight_index`` ``(m_out, m_in, k_t)``:
    the position of each map in the global order.

    >>> from symgen import groups, reps
    >>> V = reps.V(groups.S(3))
    >>> t = reps.structured_basis(2 * V, V).types[0]
    >>> t.k, t.orbit.tolist(), t.weight_index.tolist()       # S(3) on V: diagonal, off-diagonal
    (2, [[0, 1, 1], [1, 0, 1], [1, 1, 0]], [[[0, 1], [2, 3]]])
    >>> t.block([1.0, 0.0]).round(3).tolist()
    [[0.577, 0.0, 0.0], [0.0, 0.577, 0.0], [0.0, 0.0, 0.577]]
    """

    mono_out: tuple
    mono_in: tuple
    basis: np.ndarray | None
    orbit: np.ndarray | None
    value: np.ndarray | None
    out_index: np.ndarray
    in_index: np.ndarray
    weight_index: np.ndarray

    @property
    def k(self) -> int:
        """Number of maps of one copy."""
        return self.weight_index.shape[-1]

    def block(self, w) -> np.ndarray:
        """``Σ_k w[..., k] β[k]`` ``(..., d_out, d_in)`` for weights ``(..., k_t)``."""
        w = np.asarray(w)
        if self.basis is not None:
            return np.einsum("...k,kij->...ij", w, self.basis)
        padded = np.concatenate([w * self.value, np.zeros(w.shape[:-1] + (1,))], axis=-1)
        return padded[..., self.orbit]      # orbit -1 picks the zero column


class StructuredBasis:
    """A basis of ``Hom_G(rep_in, rep_out)`` stored by block types (see the module docstring).

    Built by :func:`~symgen.algebra.groups.equivariance.structured_basis` from the
    solved blocks ``{(mono_out, mono_in): rows (k_t, d_out · d_in)}`` (dense arrays, or
    sparse orbit indicators).

    >>> import numpy as np
    >>> from symgen import groups, reps
    >>> V = reps.V(groups.SO(2))
    >>> S = reps.structured_basis(3 * V, 2 * V); S
    StructuredBasis(3V → 2V: 12 maps in 1 block types)
    >>> S.matrix(np.ones(12)).shape, S.dense().shape, S.nbytes < S.dense().nbytes
    ((4, 6), (12, 4, 6), True)
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, blocks: dict):
        self.rep_in, self.rep_out = rep_in, rep_out
        cin, cout = copies(rep_in), copies(rep_out)
        if rep_in.G != rep_out.G:
            raise RepresentationError(f"rep_in {rep_in!r} and rep_out {rep_out!r} represent different groups")
        for mo, (_, out_index) in cout.items():
            for mi, (_, in_index) in cin.items():
                rows = blocks.get((mo, mi)) if isinstance(blocks, dict) else None
                if rows is None or np.ndim(rows) != 2 or rows.shape[1] != out_index.shape[1] * in_index.shape[1]:
                    raise RepresentationError(f"blocks needs the rows (k, {out_index.shape[1] * in_index.shape[1]}) "
                                              f"of the maps {mi} → {mo}; got {rows!r}"[:300])
        mono_in = [mono for *_, mono in rep_in.blocks()]
        mono_out = [mono for *_, mono in rep_out.blocks()]
        # maps in each (output summand, input summand) pair; their start in the global order
        count = np.array([[blocks[(mo, mi)].shape[0] for mi in mono_in] for mo in mono_out],
                         dtype=np.int64).reshape(len(mono_out), len(mono_in))
        start = (np.cumsum(count.ravel()) - count.ravel()).reshape(count.shape)
        self.size = int(count.sum())
        types = []
        for mo, (pos_out, out_index) in cout.items():
            for mi, (pos_in, in_index) in cin.items():
                rows = blocks[(mo, mi)]
                k = rows.shape[0]
                if not k:
                    continue
                shape = (len(out_index[0]), len(in_index[0]))
                orbit = _shared_orbit_map(rep_in.G, rows) if scipy.sparse.issparse(rows) else None
                if orbit is None:
                    dense = rows.toarray() if scipy.sparse.issparse(rows) else np.asarray(rows)
                    dense = dense.astype(np.result_type(dense.dtype, np.float64))   # complex groups stay complex
                    forms = (dense.reshape((k,) + shape), None, None)
                else:
                    forms = (None, orbit[0].reshape(shape), orbit[1])
                first = start[np.ix_(pos_out, pos_in)]
                types.append(BlockType(mo, mi, *forms, out_index, in_index, first[..., None] + np.arange(k)))
        self.types = tuple(types)

    def __len__(self):
        return self.size

    def __repr__(self):
        return (f"StructuredBasis({self.rep_in!r} → {self.rep_out!r}: {self.size} maps in "
                f"{len(self.types)} block types)")

    @property
    def nbytes(self) -> int:
        """Bytes held (small bases or orbit maps, and index maps), to set against the dense
        ``8 · len(self) · rep_out.size · rep_in.size``."""
        return sum(sum(a.nbytes for a in (t.basis, t.orbit, t.value, t.out_index, t.in_index, t.weight_index)
                       if a is not None) for t in self.types)

    @property
    def dtype(self):
        """complex128 when a block's basis is complex (a complex group's null space), else float64."""
        return np.result_type(np.float64, *[t.basis.dtype for t in self.types if t.basis is not None])

    def matrix(self, weights) -> np.ndarray:
        """``W = Σ_l w_l B_l`` ``(rep_out.size, rep_in.size)`` for weights ``(len(self),)``,
        block type by block type."""
        w = np.asarray(weights, dtype=np.float64).reshape(self.size)
        W = np.zeros((self.rep_out.size, self.rep_in.size), dtype=self.dtype)
        for t in self.types:
            block = t.block(w[t.weight_index]).transpose(0, 2, 1, 3)
            W[np.ix_(t.out_index.ravel(), t.in_index.ravel())] = block.reshape(t.out_index.size, t.in_index.size)
        return W

    def dense(self) -> np.ndarray:
        """The dense basis ``(len(self), rep_out.size, rep_in.size)`` in the global order
        (the array :func:`~symgen.algebra.groups.equivariance.equivariant_basis` returns)."""
        out = np.zeros((self.size, self.rep_out.size, self.rep_in.size), dtype=self.dtype)
        for t in self.types:   # every index run is contiguous: slices, not fancy indexing
            do, di = t.out_index.shape[1], t.in_index.shape[1]
            if t.orbit is not None:
                entry = np.flatnonzero(t.orbit.ravel() >= 0)
                label = t.orbit.ravel()[entry]
            for b, o in enumerate(t.out_index[:, 0]):
                for a, i in enumerate(t.in_index[:, 0]):
                    w = t.weight_index[b, a, 0]
                    if t.orbit is None:
                        out[w:w + t.k, o:o + do, i:i + di] = t.basis
                    else:
                        out[w + label, o + entry // di, i + entry % di] = t.value[label]
        return out
