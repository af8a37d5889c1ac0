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
>>> from symgen.algebra.groups.equivariance import equivariant_basis, structured_basis
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
    out = {}
    for q, (off, size, mono) in enumerate(rep.blocks()):
        positions, index = out.setdefault(mono, ([], []))
        positions.append(q)
        index.append(np.arange(off, off + size))
    return {mono: (positions, np.array(index, dtype=np.int64).reshape(len(index), -1))
            for mono, (positions, index) in out.items()}


@dataclasses.dataclass(frozen=True, eq=False)
class BlockType:
    """One pair of summand types ``mono_in → mono_out`` of a :class:`StructuredBasis`.

    ``basis`` ``(k_t, d_out, d_in)``: the maps of one copy; ``out_index`` ``(m_out, d_out)``
    and ``in_index`` ``(m_in, d_in)``: the components of each copy; ``weight_index``
    ``(m_out, m_in, k_t)``: the position of each map in the global order."""

    mono_out: tuple
    mono_in: tuple
    basis: np.ndarray
    out_index: np.ndarray
    in_index: np.ndarray
    weight_index: np.ndarray


class StructuredBasis:
    """A basis of ``Hom_G(rep_in, rep_out)`` stored by block types (see the module docstring).

    Built by :func:`~symgen.algebra.groups.equivariance.structured_basis` from the
    solved blocks ``{(mono_out, mono_in): (k_t, d_out, d_in) array}``.
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, blocks: dict):
        self.rep_in, self.rep_out = rep_in, rep_out
        cin, cout = copies(rep_in), copies(rep_out)
        mono_in = [mono for *_, mono in rep_in.blocks()]
        mono_out = [mono for *_, mono in rep_out.blocks()]
        # maps in each (output summand, input summand) pair; their start in the global order
        count = np.array([[len(blocks[(mo, mi)]) for mi in mono_in] for mo in mono_out],
                         dtype=np.int64).reshape(len(mono_out), len(mono_in))
        start = (np.cumsum(count.ravel()) - count.ravel()).reshape(count.shape)
        self.size = int(count.sum())
        types = []
        for mo, (pos_out, out_index) in cout.items():
            for mi, (pos_in, in_index) in cin.items():
                basis = np.asarray(blocks[(mo, mi)], dtype=np.float64)
                if not len(basis):
                    continue
                first = start[np.ix_(pos_out, pos_in)]
                types.append(BlockType(mo, mi, basis.reshape(len(basis), len(out_index[0]), len(in_index[0])),
                                       out_index, in_index, first[..., None] + np.arange(len(basis))))
        self.types = tuple(types)

    def __len__(self):
        return self.size

    def __repr__(self):
        return (f"StructuredBasis({self.rep_in!r} → {self.rep_out!r}: {self.size} maps in "
                f"{len(self.types)} block types)")

    @property
    def nbytes(self) -> int:
        """Bytes held (small bases and index maps), to set against the dense
        ``8 · len(self) · rep_out.size · rep_in.size``."""
        return sum(t.basis.nbytes + t.out_index.nbytes + t.in_index.nbytes + t.weight_index.nbytes
                   for t in self.types)

    def matrix(self, weights) -> np.ndarray:
        """``W = Σ_l w_l B_l`` ``(rep_out.size, rep_in.size)`` for weights ``(len(self),)``,
        block type by block type."""
        w = np.asarray(weights, dtype=np.float64).reshape(self.size)
        W = np.zeros((self.rep_out.size, self.rep_in.size))
        for t in self.types:
            block = np.einsum("abk,kij->aibj", w[t.weight_index], t.basis)
            W[np.ix_(t.out_index.ravel(), t.in_index.ravel())] = block.reshape(t.out_index.size, t.in_index.size)
        return W

    def dense(self) -> np.ndarray:
        """The dense basis ``(len(self), rep_out.size, rep_in.size)`` in the global order
        (the array :func:`~symgen.algebra.groups.equivariance.equivariant_basis` returns)."""
        out = np.zeros((self.size, self.rep_out.size, self.rep_in.size))
        for t in self.types:   # every index run is contiguous: slices, not fancy indexing
            k, do, di = t.basis.shape
            for b, o in enumerate(t.out_index[:, 0]):
                for a, i in enumerate(t.in_index[:, 0]):
                    w = t.weight_index[b, a, 0]
                    out[w:w + k, o:o + do, i:i + di] = t.basis
        return out
