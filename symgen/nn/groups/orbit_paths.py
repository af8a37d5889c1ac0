"""Bilinear paths on orbit bases: the equivariant bilinear maps of permutation groups without
their dense ``(k, d_c, d_a, d_b)`` basis.

For a permutation group the basis of ``Hom(a ⊗ b, c)`` consists of orbit indicators: entry
``(o, p, q)`` belongs to orbit ``L[o, p, q]`` and map ``k`` is ``value[k]`` there. A path with
weights ``W (n_c, n_a, n_b, k)`` computes

    y[n, c, o] = Σ_{a, b, p, q} W[c, a, b, L[o, p, q]] · value · xa[n, a, p] · xb[n, b, q]

in one of two ways (``order``), never forming the ``k · d_c d_a d_b`` dense basis (for the
Rubik's cube group's ``V² ⊗ V² → V⁰``: 350 maps of 48⁴ entries, 14.8 GB in float64):

- ``"gather"``: ``M = W[..., L]`` ``(n_c, n_a, n_b, d_c, d_a, d_b)`` per call, then two
  contractions (GEMMs); for paths with one or two channel triples.
- ``"segment"``: the entries grouped by row ``r = (o, p, k)`` as a sparse matrix ``R`` over
  ``q``: ``Y = R xb`` (one sparse product), then ``xa[p_r] Y[r]`` summed into ``(o, k)`` and
  contracted with ``W``; when ``d_a = 1`` (a scalar leg, e.g. 85 scalar channels times
  ``V² → V²``) the scalars are contracted with ``W`` first. Memory ``O(entries)`` of int32
  indices, time ``O(batch · entries)``.

The legs are ordered so that ``q`` is the longer input leg.

>>> import numpy as np, torch
>>> L = np.array([[[0, 1], [1, 0]]])                 # C2 swapping two points: V ⊗ V → V⁰
>>> path = OrbitPath(L, np.array([0.5, 0.5]), nc=3, na=1, nb=1, order="segment")
>>> W, xa, xb = torch.randn(3, 1, 1, 2), torch.randn(4, 1, 2), torch.randn(4, 1, 2)
>>> dense = torch.zeros(2, 1, 2, 2); dense[0, 0, 0, 0] = dense[0, 0, 1, 1] = dense[1, 0, 0, 1] = dense[1, 0, 1, 0] = 0.5
>>> ref = torch.einsum("cabk,kopq,nap,nbq->nco", W, dense, xa, xb)
>>> torch.allclose(path(W, xa, xb), ref)
True
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse
import torch

from ...errors import RepresentationError
from .equivariant_linear import Float64Constants

__all__ = ["OrbitPath", "GATHER_MAX", "GATHER_CHANNELS"]

#: ``"auto"`` gathers ``W[..., L]`` (``n_c n_a n_b · d_c d_a d_b`` entries) when the channel
#: product is at most ``GATHER_CHANNELS`` and the entries at most ``GATHER_MAX``: its GEMMs cost
#: ``batch · n_c n_a n_b · d_c d_a d_b``, the segment order's sparse product ``batch · n_b · d_c d_a d_b``.
GATHER_MAX = 1 << 24
GATHER_CHANNELS = 2


class OrbitPath(Float64Constants):
    """One bilinear path on an orbit basis (see the module docstring).

    ``label`` ``(d_c, d_a, d_b)``: the map of each entry (``-1``: none); ``value`` ``(k,)``:
    each map's entry; ``nc, na, nb``: channels of the output and input types. ``order``
    ``"gather"``, ``"segment"`` or ``"auto"`` (see :data:`GATHER_MAX`). Called with ``W (nc, na, nb, k)``, ``xa (..., na, d_a)``, ``xb (..., nb, d_b)``,
    it returns ``(..., nc, d_c)``.
    """

    def __init__(self, label, value, nc: int, na: int, nb: int, order: str = "auto"):
        super().__init__()
        label = np.asarray(label)
        k = len(value)
        do, da, db = label.shape
        self.swap = da > db                       # q runs over the longer input leg
        if self.swap:
            label, (da, db), (na, nb) = label.transpose(0, 2, 1), (db, da), (nb, na)
        if order == "auto":
            order = "gather" if nc * na * nb <= GATHER_CHANNELS and nc * na * nb * label.size <= GATHER_MAX \
                else "segment"
        if order not in ("gather", "segment"):
            raise RepresentationError(f"order must be 'auto', 'gather' or 'segment', got {order!r}")
        self.order, self.k, self.shape = order, k, (do, da, db)
        self.register_constant("value", value)
        if order == "gather":     # a label array with every entry in an orbit is used as it is (shared)
            label = label if label.min(initial=0) >= 0 else np.where(label < 0, k, label)
            self.register_buffer("label", torch.from_numpy(np.ascontiguousarray(label)))
            return
        flat = label.reshape(do * da, db)
        op, q = np.nonzero(flat >= 0)
        # rows r = (o, p, k) in order, entries q ascending within a row: scipy's counting sort
        grouped = scipy.sparse.csr_matrix((np.ones(len(q), dtype=np.int8), (op * k + flat[op, q], q)),
                                          shape=(do * da * k, db))
        counts = np.diff(grouped.indptr)
        rows = np.flatnonzero(counts)
        counts = counts[rows]
        r_o, r_p, r_k = rows // (da * k), rows // k % da, rows % k
        cells, cell_of = np.unique(r_o * k + r_k, return_inverse=True)    # s = (o, k)
        index = np.int32 if max(db, len(q)) < 2 ** 31 else np.int64
        self.register_buffer("crow", torch.from_numpy(np.concatenate([[0], np.cumsum(counts)]).astype(index)))
        self.register_buffer("col", torch.from_numpy(grouped.indices.astype(index)))
        self.register_buffer("row_count", torch.from_numpy(counts))
        for name, a in (("row_o", r_o), ("row_p", r_p), ("row_k", r_k), ("row_cell", cell_of),
                        ("cell_o", cells // k), ("cell_k", cells % k)):
            self.register_buffer(name, torch.from_numpy(a.astype(np.int64)))

    def _sparse(self, db):
        """``R`` ``(rows, d_b)`` and ``Rᵀ`` as sparse CSR tensors, built once per dtype and
        device (not saved): torch's own backward of ``R @ X`` re-sorts ``Rᵀ`` on every call."""
        R = self.__dict__.get("_csr")
        if R is None or R[0].dtype != self.value.dtype or R[0].device != self.value.device:
            values = torch.repeat_interleave(self.value[self.row_k], self.row_count, output_size=len(self.col))
            shape = (len(self.row_k), db)
            forward = torch.sparse_csr_tensor(self.crow, self.col, values, shape, check_invariants=False)
            t = scipy.sparse.csr_matrix((np.arange(len(self.col)), self.col.cpu().numpy(), self.crow.cpu().numpy()),
                                        shape=shape).T.tocsr()     # entry order of Rᵀ: data holds positions
            backward = torch.sparse_csr_tensor(torch.from_numpy(t.indptr.astype(self.crow.numpy().dtype)),
                                               torch.from_numpy(t.indices.astype(self.col.numpy().dtype)),
                                               values[torch.from_numpy(t.data)], shape[::-1], check_invariants=False)
            R = self.__dict__["_csr"] = (forward, backward.to(self.value.device))
        return R

    def __getstate__(self):
        return {key: value for key, value in super().__getstate__().items() if key != "_csr"}

    def __repr__(self):
        return f"OrbitPath({self.k} maps on {'×'.join(map(str, self.shape))} entries, {self.order})"

    def forward(self, W, xa, xb):
        if self.swap:
            W, xa, xb = W.transpose(1, 2), xb, xa
        if self.order == "gather":
            Wv = torch.nn.functional.pad(W * self.value, (0, 1))        # index_select: backward without a sort
            M = Wv.index_select(-1, self.label.reshape(-1)).reshape(*Wv.shape[:3], *self.label.shape)   # (c, a, b, o, p, q)
            z = torch.einsum("cabopq,...bq->...caop", M, xb)
            return torch.einsum("...caop,...ap->...co", z, xa)
        batch = xa.shape[:-2]
        xa, xb = xa.reshape(-1, *xa.shape[-2:]), xb.reshape(-1, *xb.shape[-2:])
        n, nb, db = xb.shape
        do = self.shape[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")        # "sparse CSR support is in beta"
            Y = _SparseProduct.apply(*self._sparse(db), xb.permute(2, 0, 1).reshape(db, n * nb))
        Y = Y.reshape(-1, n, nb)                                                           # (r, n, b)
        if xa.shape[-1] == 1:       # scalar leg: weights times scalars first
            U = torch.einsum("cabk,na->nbck", W, xa[..., 0])                              # (n, b, c, k)
            terms = (Y[..., None] * U[..., self.row_k].permute(3, 0, 1, 2)).sum(2)                # (r, n, c)
            y = terms.new_zeros(do, n, W.shape[0]).index_add(0, self.row_o, terms)
        else:
            X = Y[:, :, None, :] * xa[..., self.row_p].permute(2, 0, 1)[..., None]        # (r, n, a, b)
            T = X.new_zeros(len(self.cell_o), *X.shape[1:]).index_add(0, self.row_cell, X)   # (s, n, a, b)
            terms = torch.einsum("snab,cabs->snc", T, W[..., self.cell_k])
            y = terms.new_zeros(do, n, W.shape[0]).index_add(0, self.cell_o, terms)
        return y.permute(1, 2, 0).reshape(*batch, W.shape[0], do)


class _SparseProduct(torch.autograd.Function):
    """``R @ X`` for a constant sparse ``R`` with ``Rᵀ`` given: the backward is ``Rᵀ @ dY``."""

    @staticmethod
    def forward(ctx, R, RT, X):
        ctx.RT = RT
        return R @ X

    @staticmethod
    def backward(ctx, grad):
        return None, None, ctx.RT @ grad
