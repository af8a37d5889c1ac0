"""Frames: for an input ``x``, a weighted set of group elements ``F(x)`` with ``F(g·x) = g F(x)``.

Frame averaging (Puny et al., ICLR 2022) makes any map ``Φ`` equivariant:
``⟨Φ⟩(x) = Σ_{h ∈ F(x)} w_h ρ_out(h) Φ(ρ_in(h)⁻¹ x)``. A frame here is called on a batch
``(B, rep.size)`` (a NumPy array or a torch tensor; autograd flows through the frames that
depend smoothly on ``x``) and returns a :class:`FrameSet`: ``elements (B, K, d, d)``,
``weights (B, K)`` (each row sums to 1; zero weights pad rows with fewer elements) and,
for the PCA frame, the stabilizer the output is also averaged over.

The rules, by group (``frame_for`` picks one from ``rep.G``):

- :class:`PCAFrame`, O(n) / SO(n): eigenvectors ``U`` of ``C = Σ v vᵀ`` over the vector
  channels ``v`` of the input, all ``2ⁿ`` column signs (O(n)) or the ``2ⁿ⁻¹`` of
  determinant 1 (SO(n)). SE(n) / E(n): the same on the centred points, the centroid as
  translation. Needs distinct nonzero eigenvalues; a zero eigenvalue of multiplicity
  ``m ≥ 2`` (too few vectors, zero vectors) fixes one basis of the null space and averages
  the output exactly over its stabilizer O(m) (SO(m)) by a projector.
- :class:`GramSchmidtFrame`, O(p, q) (e.g. the Lorentz group O(1, 3)), also O(n): a minimal
  frame of one element (Lin et al., ICML 2024) — Gram–Schmidt in the metric η over the
  vector channels in their order, skipping a channel whose remainder is null or zero,
  until ``d`` vectors are found; vectors of norm ``+1`` go first, then those of norm ``-1``.
  SO(p, q): the last column is negated when the determinant is negative.
- :class:`SortFrame`, S(n): the permutations that sort the nodes lexicographically by their
  features (the V channels, and the diagonal, row and column sums of degree-2 channels);
  tied nodes (exactly equal features) give every tie-breaking permutation, equally weighted.
- :class:`GroupFrame`, finite groups (D(k), Z(n), a finite :class:`MatrixGroup`): every element.
- :class:`CallableFrame`: a user function ``x ↦ elements``, trusted to be equivariant.

For canonicalization (``symgen.nn.Canonicalize``), :func:`canonicalization_frame` reads the
output of an equivariant canonicalizer network (of :func:`canonicalizer_rep`) instead of the
input: Gram–Schmidt for O(p, q) and, after centring, SE(n) / E(n) (the SE(2) example in
:class:`GramSchmidtFrame`); :class:`ArgsortFrame`, the permutation sorting one score per
node, for S(n); :class:`ArgmaxFrame`, the element maximising an invariant score, for
finite groups. Ties give every tied element, equally weighted.

Vector channels are the V summands of ``rep``; for groups with an invariant form ``J``
(O(p, q)) the V* summands too, as ``J⁻¹ w``. Where a frame is undefined on an input it
raises :class:`~symgen.errors.DegenerateFrameError` naming the sample and the reason,
never returning a wrong frame.

>>> import numpy as np
>>> from symgen import groups, reps
>>> G = groups.O(3)
>>> frame = frame_for(reps.V(G) * 4, "auto"); frame
PCAFrame(4V of O(3), 8 elements)
>>> x = np.random.default_rng(0).normal(size=(2, 12))
>>> elements, weights, stabilizer = frame(x)
>>> elements.shape, weights.sum(-1), stabilizer
((2, 8, 3, 3), array([1., 1.]), array([0, 0]))
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np
import sympy

from ..._validate import check_finite, check_int
from ...errors import DegenerateFrameError, FrameError, GroupError, ShapeError
from .equivariance import equivariant_basis
from .group import SE, Group, MatrixGroup, Orthogonal, PermutationGroup, Symmetric
from .reps import Rep, Scalar, TensorRep

__all__ = ["FrameSet", "Frame", "PCAFrame", "GramSchmidtFrame", "SortFrame", "GroupFrame", "ArgsortFrame",
           "ArgmaxFrame", "CallableFrame", "frame_for", "canonicalizer_rep", "canonicalization_frame", "centre",
           "FRAMES", "MAX_ELEMENTS"]

#: Frame names accepted by :func:`frame_for` (besides a callable).
FRAMES = ("auto", "pca", "gram_schmidt", "sort", "group")

#: Largest frame enumerated: the order of a finite group, the tie-breaking permutations of a row.
MAX_ELEMENTS = 5040


def _namespace(x):
    """``torch`` for torch tensors (recognised by their type's module), else NumPy."""
    if type(x).__module__.startswith("torch"):
        import torch
        return torch
    return np


def _like(a, ref):
    """The NumPy array ``a`` in ``ref``'s namespace, dtype and device."""
    if isinstance(ref, np.ndarray):
        return np.asarray(a, dtype=ref.dtype)
    import torch
    return torch.as_tensor(np.array(a), dtype=ref.dtype, device=ref.device)


def _tolerance(tol, x, double, single):
    """``tol``, or by the dtype of ``x``: ``double`` for float64, ``single`` for lower precision."""
    return tol if tol is not None else double if str(x.dtype).endswith("float64") else single


def _numpy(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def centre(X):
    """Points ``X (B, n + 1, k)`` of SE(n) / E(n) in homogeneous coordinates ``(p, w)`` →
    their centroid ``c = Σ w p / Σ w² (B, n)`` (moved by ``g`` as ``c ↦ R c + t``) and the
    centred ``p - w c (B, n, k)`` (moved as ``R (p - w c)``). All ``w = 0`` in a sample (only
    directions, no point) raises :class:`~symgen.errors.DegenerateFrameError`.

    >>> import numpy as np
    >>> c, centred = centre(np.array([[[0., 2.], [0., 0.], [1., 1.]]]))   # points (0, 0), (2, 0)
    >>> c, centred[0].T
    (array([[1., 0.]]), array([[-1.,  0.],
           [ 1.,  0.]]))
    """
    n = X.shape[1] - 1
    p, w = X[:, :n], X[:, n]
    mass = (w * w).sum(-1)
    if not bool((_numpy(mass) > 0).all()):
        bad = int(np.argmin(_numpy(mass)))
        raise DegenerateFrameError(f"sample {bad}: every vector channel has homogeneous "
                                   f"coordinate 0, so no centroid fixes the translations")
    centroid = (p * w[:, None]).sum(-1) / mass[:, None]
    return centroid, p - centroid[:, :, None] * w[:, None]


def _affine(rotation, translation):
    """``[[R, c], [0, 1]]`` from rotations ``(..., n, n)`` and translations ``(..., n)``."""
    n = rotation.shape[-1]
    h = _like(np.zeros(tuple(rotation.shape[:-2]) + (n + 1, n + 1)), rotation)
    h[..., :n, :n] = rotation
    h[..., :n, n] = translation
    h[..., n, n] = 1.0
    return h


class FrameSet(NamedTuple):
    """A frame on a batch: ``elements (B, K, d, d)`` with ``weights (B, K)`` (rows sum to 1;
    zero weights pad), and ``stabilizer``: None, or per input an integer ``m`` — when
    ``m > 0`` the output of each element is also averaged over a compact subgroup of the
    input's stabilizer, by ``frame.stabilizer_average(rep_out, m)`` (see :class:`PCAFrame`)."""

    elements: object
    weights: object
    stabilizer: np.ndarray | None = None


class Frame:
    """Base class: ``frame(x) -> FrameSet`` for ``x`` ``(B, rep.size)``."""

    def __init__(self, rep: Rep):
        if not isinstance(rep, Rep):
            raise FrameError(f"a frame needs a symgen representation (reps.V(G), ...), got {rep!r}")
        self.rep = rep

    def __repr__(self):
        return f"{type(self).__name__}({self.rep!r} of {self.rep.G}, {self.size} elements)"

    @property
    def size(self):
        """Number ``K`` of elements per input (the largest, for frames whose size varies)."""
        raise NotImplementedError

    def __call__(self, x):
        if x.ndim != 2 or x.shape[-1] != self.rep.size:
            raise ShapeError(f"{type(self).__name__} takes inputs (batch, {self.rep.size}) of "
                             f"{self.rep!r}; got shape {tuple(x.shape)}")
        return self.elements(x)

    def elements(self, x):
        raise NotImplementedError

    def vector_channels(self, x):
        """The vector channels of ``x`` as columns ``(B, d, k)``: V summands, and V* ones
        through ``J⁻¹`` for groups with an invariant form ``J``."""
        d, form = self.rep.G.d, self.rep.G.form
        cols = []
        for off, n, mono in self.rep.blocks():
            if mono == (1,):
                cols.append(x[:, off:off + n])
            elif mono == (-1,) and form is not None:
                cols.append(x[:, off:off + n] @ _like(np.linalg.inv(np.array(form, dtype=float)).T, x))
        if not cols:
            raise FrameError(f"{type(self).__name__} reads the vector channels of rep_in, and "
                             f"{self.rep!r} of {self.rep.G} has none; add a V summand or pass frame= "
                             f"a callable")
        return _namespace(x).stack(cols, -1)


class PCAFrame(Frame):
    """Principal axes of the vector channels with every sign choice (O(n), SO(n), SE(n), E(n)).

    ``tol`` (default 1e-6 in float64, 1e-3 in float32): eigenvalues within ``tol · λ_max``
    of each other count as equal, those below ``tol · λ_max`` as zero. Nonzero eigenvalues must be distinct, else
    :class:`~symgen.errors.DegenerateFrameError` (the axes, hence the frame, are not
    determined). A zero eigenvalue of multiplicity ``m ≥ 2`` (fewer independent vectors
    than dimensions, or all vectors zero) is the null space of the input, on which the
    stabilizer O(m) (SO(m)) acts: the frame takes one basis of it and ``stabilizer = m``
    asks the caller to average the output over that subgroup exactly, with
    :meth:`stabilizer_average` (the input does not move under it when ``rep`` has only
    vector and scalar channels; other channels raise DegenerateFrameError then).
    """

    def __init__(self, rep: Rep, tol: float | None = None):
        super().__init__(rep)
        G = rep.G
        if not (isinstance(G, Orthogonal) and 0 in (G.p, G.q) or isinstance(G, SE)):
            raise FrameError(f"the PCA frame serves O(n), SO(n), SE(n) and E(n), not {G}; "
                             f"choose one of {FRAMES} that fits, or a callable")
        self.tol = None if tol is None else check_finite(tol, "tol", FrameError, positive=True)
        self.affine = isinstance(G, SE)
        self.n = G.n if self.affine else G.d
        self.special = G.special
        self.averages = {}   # (rep terms, m) -> Haar average of ρ over the stabilizer O(m) / SO(m)

    @property
    def size(self):
        """Elements per input: ``2ⁿ`` (O(n)), ``2ⁿ⁻¹`` (SO(n)); ``2ⁿ⁻ᵐ`` with a null space of
        dimension ``m ≥ 2`` (a batch carries as many as its largest frame)."""
        return 2 ** (self.n - self.special)

    def elements(self, x):
        xp, n = _namespace(x), self.n
        X = self.vector_channels(x)
        if self.affine:
            centroid, X = centre(X)
        lam, U = xp.linalg.eigh(X @ xp.swapaxes(X, -1, -2))      # ascending: null space first
        null = self._null_dims(_numpy(lam), _tolerance(self.tol, x, 1e-6, 1e-3))
        signs, weights = self._signs(null, np.sign(np.linalg.det(_numpy(U))))
        h = U[:, None] * _like(signs, U)[:, :, None, :]
        if self.affine:  # [[U S, c], [0, 1]]
            h = _affine(h, centroid[:, None])
        return FrameSet(h, _like(weights, U), np.where(null >= 2, null, 0))

    def _null_dims(self, lam, tol):
        """Multiplicity of the zero eigenvalue per sample, after checking the nonzero ones."""
        scale = np.maximum(lam[:, -1], 0)
        zero = lam <= tol * scale[:, None]
        null = zero.sum(-1)
        gaps = np.diff(lam, axis=-1) <= tol * scale[:, None]
        equal = (gaps & ~zero[:, :-1]).any(-1)
        if equal.any():
            q = int(np.argmax(equal))
            raise DegenerateFrameError(
                f"sample {q}: the covariance of its vector channels has eigenvalues "
                f"{np.array2string(lam[q], precision=4)}, nonzero ones equal within tol={tol:g} "
                f"(relative); the principal axes are not determined. The PCA frame needs distinct "
                f"nonzero eigenvalues; pass frame='gram_schmidt', 'group' or a callable")
        moving = [mono for mono in self.rep.terms if mono not in ((), (1,), (-1,))
                  or mono == (-1,) and self.rep.G.form is None]
        if (null >= 2).any() and moving:
            q = int(np.argmax(null >= 2))
            raise DegenerateFrameError(
                f"sample {q}: its vector channels span {self.n - null[q]} of {self.n} dimensions, and "
                f"the stabilizer of the {null[q]}-dimensional rest would move its "
                f"{', '.join(sorted({repr(Rep(self.rep.G, (t,))) for t in moving}))} channels; the PCA "
                f"frame handles such inputs only when "
                f"rep_in has vector and scalar channels alone")
        return null

    def _signs(self, null, det):
        """Column signs ``(B, K, n)`` and weights ``(B, K)``: every sign of the ``n - m`` axes
        outside a null space of dimension ``m ≥ 2`` (of all ``n`` axes when ``m ≤ 1``), with
        determinant +1 for SO(n) (fixed by the first null column when ``m ≥ 2``)."""
        B, n = len(null), self.n
        free = np.where(null <= 1, n - self.special, n - null)
        K = 2 ** int(free.max(initial=0))
        signs, weights = np.ones((B, K, n)), np.zeros((B, K))
        for m in np.unique(null):   # one table per null-space dimension, then per determinant
            f = n if m <= 1 else n - m
            s = np.ones((2 ** f, n))
            s[:, n - f:] = list(itertools.product((1.0, -1.0), repeat=f))
            for det_sign in (1.0, -1.0):
                rows = (null == m) & (det == det_sign)
                t = s.copy()
                if self.special and m <= 1:
                    t = t[np.prod(t, -1) == det_sign]
                elif self.special:
                    t[:, 0] = det_sign * np.prod(t, -1)
                signs[rows, :len(t)], weights[rows, :len(t)] = t, 1 / len(t)
        return signs, weights

    def stabilizer_average(self, rep: Rep, m: int) -> np.ndarray:
        """``∫ ρ(k) dk`` over the stabilizer ``O(m)`` (``SO(m)``) of the first ``m`` axes: the
        orthogonal projector onto the vectors of ``rep`` it fixes, from the equivariant basis."""
        key = (rep.terms, int(m))
        if key not in self.averages:
            d = self.rep.G.d
            lie = []
            for i in range(m):
                for j in range(i + 1, m):
                    a = sympy.zeros(d, d)
                    a[i, j], a[j, i] = 1, -1
                    lie.append(a)
            reflection = [] if self.special else [sympy.diag(-1, *([1] * (d - 1)))]
            H = MatrixGroup(lie, reflection, d=d)
            basis = equivariant_basis(Scalar(H), Rep(H, rep.terms))[:, :, 0]
            self.averages[key] = basis.T @ basis
        return self.averages[key]


class GramSchmidtFrame(Frame):
    """One element: Gram–Schmidt in the metric η of O(p, q) over the vector channels.

    A channel whose remainder ``w`` has ``|η(w, w)| ≤ tol · |v|²`` (null, or dependent on
    the channels before it) is skipped; fewer than ``d`` vectors found raises
    :class:`~symgen.errors.DegenerateFrameError`. ``tol``: one value, or by default
    ``default_tol`` = (float64, lower precision) = (1e-8, 1e-4); a smaller tolerance raises
    on fewer inputs, and the round-off of ``h`` grows as ``1/√tol`` near the threshold.

    SE(n) / E(n) (homogeneous coordinates ``(p, w)``): the translation is the centroid
    ``c = Σ w p / Σ w²`` of the channels (moved as ``c ↦ R c + t``; all ``w = 0`` raises
    DegenerateFrameError), the rotation Gram–Schmidt of the centred ``p - w c`` in the
    Euclidean metric, and the element ``[[R, c], [0, 1]]``.

    >>> import numpy as np
    >>> from symgen import groups, reps
    >>> G = groups.SE(2)
    >>> points = np.array([[0., 0., 1., 2., 0., 1., 0., 1., 1.]])     # (0,0), (2,0), (0,1)
    >>> GramSchmidtFrame(3 * reps.V(G))(points).elements[0, 0].round(3)
    array([[-0.894,  0.447,  0.667],
           [-0.447, -0.894,  0.333],
           [ 0.   ,  0.   ,  1.   ]])
    """

    def __init__(self, rep: Rep, tol: float | None = None, default_tol: tuple[float, float] = (1e-8, 1e-4)):
        super().__init__(rep)
        G = rep.G
        self.default_tol = tuple(check_finite(t, "default_tol", FrameError, positive=True) for t in default_tol)
        if not isinstance(G, (Orthogonal, SE)):
            raise FrameError(f"the Gram–Schmidt frame serves O(p, q), SO(p, q), SE(n) and E(n), not {G}; "
                             f"choose one of {FRAMES} that fits, or a callable")
        self.tol = None if tol is None else check_finite(tol, "tol", FrameError, positive=True)
        self.affine = isinstance(G, SE)
        self.eta = np.ones(G.n) if self.affine else np.diag(np.array(G.form, dtype=float))

    @property
    def size(self):
        return 1

    def elements(self, x):
        xp = _namespace(x)
        X = self.vector_channels(x)
        if self.affine:
            centroid, X = centre(X)
        d = len(self.eta)
        eta = _like(self.eta, x)
        B = len(x)
        basis = _like(np.zeros((B, d, d)), x)                      # accepted vectors, by slot
        norms = np.zeros((B, d))                                    # η(e, e) = ±1 per slot, 0 if empty
        count = np.zeros(B, dtype=int)
        tol = _tolerance(self.tol, x, *self.default_tol)
        for j in range(X.shape[-1]):
            if (count == d).all():   # every sample has its d vectors: the later channels are not read
                break
            v = X[:, :, j]
            w = v
            for _ in range(2):   # twice is enough (re-orthogonalised Gram–Schmidt)
                coef = ((basis * (eta * w)[:, :, None]).sum(1)) * _like(norms, x)
                w = w - (basis * coef[:, None, :]).sum(-1)
            q = (eta * w * w).sum(-1)
            qn = _numpy(q)
            accept = (np.abs(qn) > tol * (_numpy(v) ** 2).sum(-1)) & (count < d)
            slot = np.zeros((B, d))
            slot[np.flatnonzero(accept), count[accept]] = 1.0
            scale = _like(np.where(accept, 1.0, 0.0), x) / xp.sqrt(xp.abs(q) + _like(~accept, x))
            basis = basis + (w * scale[:, None])[:, :, None] * _like(slot, x)[:, None, :]
            norms = norms + np.sign(qn)[:, None] * slot
            count = count + accept
        if (count < d).any():
            q = int(np.argmin(count))
            raise DegenerateFrameError(
                f"sample {q}: only {count[q]} of the {X.shape[-1]} vector channels are independent and "
                f"non-null in the metric {self.eta.astype(int).tolist()}; the Gram–Schmidt frame of "
                f"{self.rep.G} needs {d}")
        # vectors of norm +1 into the +1 slots of η, those of norm -1 into the -1 slots
        order = np.argsort(-norms, axis=-1, kind="stable")
        perm = np.zeros((B, d, d))
        perm[np.arange(B)[:, None], order, np.arange(d)[None, :]] = 1.0
        h = basis @ _like(perm, x)
        if self.rep.G.special:
            flip = np.ones((B, d))
            flip[:, -1] = np.sign(np.linalg.det(_numpy(h)))
            h = h * _like(flip, x)[:, None, :]
        if self.affine:
            h = _affine(h, centroid)
        return FrameSet(h[:, None], _like(np.ones((B, 1)), x))


class SortFrame(Frame):
    """The permutations sorting the nodes of S(n) lexicographically by their features; tied
    nodes give every tie-breaking permutation (``MAX_ELEMENTS`` at most per input)."""

    def __init__(self, rep: Rep, max_elements: int = MAX_ELEMENTS):
        super().__init__(rep)
        if not isinstance(rep.G, Symmetric):
            raise FrameError(f"the sort frame serves S(n), not {rep.G}; choose one of {FRAMES} "
                             f"that fits, or a callable")
        self.max_elements = check_int(max_elements, "max_elements", FrameError)

    @property
    def size(self):
        return self.max_elements

    def __repr__(self):
        return f"SortFrame({self.rep!r} of {self.rep.G}, ties: up to {self.max_elements} elements)"

    def node_features(self, x):
        """Per-node features ``(B, n, c)``: V and V* channels, and the diagonal, row and column
        sums of degree-2 channels (each moved by a permutation as a vector)."""
        n, B = self.rep.G.d, len(x)
        feats = []
        for off, k, mono in self.rep.blocks():
            if len(mono) == 1:
                feats.append(x[:, off:off + k])
            elif len(mono) == 2:
                A = x[:, off:off + k].reshape(B, n, n)
                # sums of sorted entries: the same floats in any order, so exactly equivariant
                feats += [np.diagonal(A, axis1=1, axis2=2), np.sort(A, 2).sum(2), np.sort(A, 1).sum(1)]
        return np.stack(feats, -1) if feats else np.zeros((B, n, 0))

    def elements(self, x):
        feats = self.node_features(_numpy(x))
        n = self.rep.G.d
        blocks = []
        for f in feats:
            order = np.lexsort(f.T[::-1]) if f.shape[1] else np.arange(n)
            rows = f[order]
            tied = [np.array_equal(rows[i], rows[i - 1]) for i in range(1, n)]
            blocks.append(_blocks(order, tied))
        return _sorting_permutations(blocks, x, self.max_elements,
                                     "give the nodes distinguishing features or raise max_elements")


def _blocks(order, tied):
    """The runs of ``order`` (node indices, sorted) whose neighbours are ``tied`` (n - 1 flags)."""
    starts = [0] + [i + 1 for i, t in enumerate(tied) if not t] + [len(order)]
    return [order[a:b] for a, b in zip(starts[:-1], starts[1:])]


def _sorting_permutations(blocks, x, max_elements, advice):
    """Frame of S(n) from sorted node blocks per sample: every tie-breaking permutation of
    each sample's blocks (runs of tied nodes), equally weighted, at most ``max_elements``."""
    n = sum(len(b) for b in blocks[0])
    perms = []
    for q, bs in enumerate(blocks):
        count = math.prod(math.factorial(len(b)) for b in bs)
        if count > max_elements:
            sizes = sorted((len(b) for b in bs if len(b) > 1), reverse=True)
            raise DegenerateFrameError(
                f"sample {q}: tied nodes in groups of sizes {sizes} give {count} tie-breaking "
                f"permutations, more than max_elements={max_elements}; {advice}")
        perms.append([np.concatenate(c) for c in itertools.product(*(itertools.permutations(b) for b in bs))])
    K = max(len(p) for p in perms)
    h = np.zeros((len(x), K, n, n))
    weights = np.zeros((len(x), K))
    for q, ps in enumerate(perms):
        h[q, :, np.arange(n), np.arange(n)] = 1.0      # padding: identity, weight 0
        for k, order in enumerate(ps):
            h[q, k] = 0.0
            h[q, k, order, np.arange(n)] = 1.0         # h e_i = e_order[i]: (h⁻¹x)_i = x_order[i]
            weights[q, k] = 1 / len(ps)
    return FrameSet(_like(h, x), _like(weights, x))


def _finite_elements(G: Group) -> np.ndarray:
    """Every element of a finite group as matrices ``(|G|, d, d)``, enumerated exactly
    (:meth:`~symgen.groups.Group.elements`), at most ``MAX_ELEMENTS``."""
    order = G.order() if isinstance(G, PermutationGroup) else None   # Schreier–Sims: no listing
    if order is not None and order > MAX_ELEMENTS:
        raise FrameError(f"{G} has {order} elements, more than {MAX_ELEMENTS}; the group frame "
                         f"enumerates it. Choose one of {FRAMES} that fits, or a callable")
    try:
        elements = G.elements()
    except GroupError as exc:
        raise FrameError(f"{G}: {exc}; the group frame enumerates it. Pass frame= a callable") from exc
    if len(elements) > MAX_ELEMENTS:
        raise FrameError(f"{G} has {len(elements)} elements, more than {MAX_ELEMENTS}; the group "
                         f"frame enumerates it. Pass frame= a callable")
    return elements


class GroupFrame(Frame):
    """Every element of a finite group, equally weighted: exact group averaging."""

    def __init__(self, rep: Rep):
        super().__init__(rep)
        if not rep.G.is_finite:
            raise FrameError(f"the group frame enumerates a finite group; {rep.G} has "
                             f"{len(rep.G.lie_generators)} Lie generators. Choose one of {FRAMES} "
                             f"that fits, or a callable")
        self.group_elements = _finite_elements(rep.G)

    @property
    def size(self):
        return len(self.group_elements)

    def elements(self, x):
        h = _like(self.group_elements, x)
        B, K = len(x), self.size
        xp = _namespace(x)
        return FrameSet(xp.broadcast_to(h[None], (B,) + tuple(h.shape)), _like(np.full((B, K), 1 / K), x))


class ArgsortFrame(Frame):
    """S(n) from one score per node (``rep`` = V): the permutation sorting the scores
    ascending — canonicalization (Kaba et al., ICML 2023) by an equivariant score network.

    Ties: sorted neighbours within ``tol · max|s|`` (default 1e-9 in float64, 1e-4 in
    float32) are tied, as equal nodes get equal scores from an equivariant network up to
    round-off, and give every tie-breaking permutation, equally weighted (at most
    ``max_elements``, else :class:`~symgen.errors.DegenerateFrameError`), so the wrapped
    model stays exactly equivariant on inputs with equal nodes. The permutation is
    piecewise constant in the scores: no gradient reaches them through it.

    >>> import numpy as np
    >>> from symgen import groups, reps
    >>> frame = ArgsortFrame(reps.V(groups.S(3)))
    >>> h, w, _ = frame(np.array([[0.5, -1.0, 2.0], [1.0, 1.0, 0.0]]))
    >>> h[0, 0].T @ [0.5, -1.0, 2.0], w        # h⁻¹ s: the scores sorted
    (array([-1. ,  0.5,  2. ]), array([[1. , 0. ],
           [0.5, 0.5]]))
    """

    def __init__(self, rep: Rep, tol: float | None = None, max_elements: int = MAX_ELEMENTS):
        super().__init__(rep)
        if not isinstance(rep.G, Symmetric) or rep.terms != ((1,),):
            raise FrameError(f"the argsort frame reads one score per node, V of S(n); got {rep!r} of {rep.G}")
        self.tol = None if tol is None else check_finite(tol, "tol", FrameError, positive=True)
        self.max_elements = check_int(max_elements, "max_elements", FrameError)

    @property
    def size(self):
        return self.max_elements

    def __repr__(self):
        return f"ArgsortFrame({self.rep!r} of {self.rep.G}, ties: up to {self.max_elements} elements)"

    def scores(self, x):
        """The scores ``(B, n)``, sorted ascending by the identity element."""
        return x

    def elements(self, x):
        s = _numpy(x)
        order = np.argsort(s, axis=-1, kind="stable")
        gaps = np.diff(np.take_along_axis(s, order, -1), axis=-1)
        tied = gaps <= _tolerance(self.tol, x, 1e-9, 1e-4) * np.abs(s).max(-1, keepdims=True)
        return _sorting_permutations([_blocks(o, t) for o, t in zip(order, tied)], x, self.max_elements,
                                     "the scores of that many nodes are equal (within tol)")


class ArgmaxFrame(Frame):
    """Finite groups: the element ``h`` maximising the score ``⟨ρ(h)⁻¹ y, u⟩`` over the
    enumerated group, for a fixed generic reference vector ``u`` (a seeded normal draw kept
    on the frame). ``h(ρ(g) y) = g h(y)``, so it canonicalizes equivariantly.

    Ties: every element whose score is within ``tol · max_h |score|`` (default 1e-9 in
    float64, 1e-4 in float32) of the best, equally weighted — ``y`` with a nontrivial
    stabilizer (e.g. ``y = 0``: the whole group) gives its coset, so the wrapped model stays
    exactly equivariant. Elements are piecewise constant in ``y``; :meth:`scores` are smooth.

    >>> import numpy as np
    >>> from symgen import groups, reps
    >>> frame = ArgmaxFrame(reps.V(groups.D(4)))
    >>> h, w, _ = frame(np.array([[1.0, 2.0, 4.0, 3.0], [1.0, 1.0, 1.0, 1.0]]))
    >>> h.shape, w.sum(-1), (w > 0).sum(-1)            # an invariant y: all 8 elements tie
    ((2, 8, 4, 4), array([1., 1.]), array([1, 8]))
    """

    def __init__(self, rep: Rep, tol: float | None = None, seed: int = 0):
        super().__init__(rep)
        if not rep.G.is_finite:
            raise FrameError(f"the argmax frame enumerates a finite group; {rep.G} has "
                             f"{len(rep.G.lie_generators)} Lie generators")
        self.tol = None if tol is None else check_finite(tol, "tol", FrameError, positive=True)
        self.group_elements = _finite_elements(rep.G)            # the identity first
        u = np.random.default_rng(check_int(seed, "seed", FrameError, minimum=0)).standard_normal(rep.size)
        self.directions = np.einsum("kij,i->kj", rep.rho(np.linalg.inv(self.group_elements)), u)

    @property
    def size(self):
        return len(self.group_elements)

    def scores(self, x):
        """``⟨ρ(h)⁻¹ x, u⟩`` for every element ``h`` ``(B, |G|)``, the identity's first."""
        return x @ _like(self.directions, x).T

    def elements(self, x):
        s = _numpy(self.scores(x))
        best = s.max(-1, keepdims=True)
        ties = s >= best - _tolerance(self.tol, x, 1e-9, 1e-4) * np.abs(s).max(-1, keepdims=True)
        count = ties.sum(-1)
        B, K, d = len(x), int(count.max()), self.rep.G.d
        h = np.broadcast_to(np.eye(d), (B, K, d, d)).copy()         # padding: identity, weight 0
        weights = np.zeros((B, K))
        for q in range(B):
            h[q, :count[q]] = self.group_elements[ties[q]]
            weights[q, :count[q]] = 1 / count[q]
        return FrameSet(_like(h, x), _like(weights, x))


class CallableFrame(Frame):
    """A user frame: ``fn(x)`` returns elements ``(B, K, d, d)`` or ``(K, d, d)`` (the same for
    every input), equally weighted. Its equivariance, ``fn(g·x) = g fn(x)``, is the user's."""

    def __init__(self, rep: Rep, fn):
        super().__init__(rep)
        if not callable(fn):
            raise FrameError(f"frame must be one of {FRAMES} or a callable, got {fn!r}")
        self.fn = fn

    @property
    def size(self):
        return None

    def __repr__(self):
        return f"CallableFrame({self.rep!r} of {self.rep.G}, {getattr(self.fn, '__name__', self.fn)!r})"

    def elements(self, x):
        h = self.fn(x)
        d, B = self.rep.G.d, len(x)
        if not hasattr(h, "shape") or h.ndim not in (3, 4) or tuple(h.shape[-2:]) != (d, d) \
                or h.ndim == 4 and h.shape[0] != B:
            raise FrameError(f"the frame callable returned {getattr(h, 'shape', type(h).__name__)}; it "
                             f"must return elements ({B}, K, {d}, {d}) or (K, {d}, {d}) for {self.rep.G}")
        h = _like(_numpy(h), x) if _namespace(h) is not _namespace(x) else h
        if h.ndim == 3:
            h = _namespace(x).broadcast_to(h[None], (B,) + tuple(h.shape))
        K = h.shape[1]
        return FrameSet(h, _like(np.full((B, K), 1 / K), x))


def frame_for(rep: Rep, frame="auto") -> Frame:
    """The frame ``frame`` (a name in :data:`FRAMES`, a callable, or a :class:`Frame` of
    ``rep``) for inputs of ``rep``.

    ``"auto"``: PCA for O(n), SO(n), SE(n), E(n); Gram–Schmidt for O(p, q) with p, q > 0;
    sorting for S(n); the whole group for other finite groups, and for every finite group when
    ``rep`` is not a tensor representation (the other frames read its V/V* summands).

    >>> from symgen import groups, reps
    >>> frame_for(reps.V(groups.O(1, 3)) * 4), frame_for(reps.V(groups.D(4)))
    (GramSchmidtFrame(4V of O(1,3), 1 elements), GroupFrame(V of D(4), 8 elements))
    >>> frame_for(reps.V(groups.SL(3)))
    Traceback (most recent call last):
    ...
    symgen.errors.FrameError: no automatic frame for SL(3); frame= takes one of ('auto', 'pca', 'gram_schmidt', 'sort', 'group') or a callable x -> elements (batch, K, 3, 3)
    """
    if not isinstance(rep, Rep):
        raise FrameError(f"a frame needs a symgen representation (reps.V(G), ...), got {rep!r}")
    if isinstance(frame, Frame):
        if frame.rep != rep:
            raise FrameError(f"the frame {frame!r} reads inputs of {frame.rep!r} of {frame.rep.G}, "
                             f"not of {rep!r} of {rep.G}")
        return frame
    if callable(frame) and not isinstance(frame, str):
        return CallableFrame(rep, frame)
    named = {"pca": PCAFrame, "gram_schmidt": GramSchmidtFrame, "sort": SortFrame, "group": GroupFrame}
    if frame not in named and frame != "auto":
        raise FrameError(f"unknown frame {frame!r}; frame= takes one of {FRAMES} or a callable "
                         f"x -> elements (batch, K, {rep.G.d}, {rep.G.d})")
    if not isinstance(rep, TensorRep) and frame != "group" and not (frame == "auto" and rep.G.is_finite):
        raise FrameError(f"the {frame} frame reads the tensor summands (V, V*, ...) of rep_in; {rep!r} is a "
                         f"{type(rep).__name__}: pass frame='group' (a finite group) or a callable "
                         f"x -> elements (batch, K, {rep.G.d}, {rep.G.d})")
    if frame in named:
        return named[frame](rep)
    if not isinstance(rep, TensorRep):       # a finite group: its whole element list
        return GroupFrame(rep)
    G = rep.G
    if isinstance(G, Orthogonal):
        return PCAFrame(rep) if G.q == 0 or G.p == 0 else GramSchmidtFrame(rep)
    if isinstance(G, SE):
        return PCAFrame(rep)
    if isinstance(G, Symmetric):
        return SortFrame(rep)
    if G.is_finite:
        return GroupFrame(rep)
    raise FrameError(f"no automatic frame for {G}; frame= takes one of {FRAMES} or a callable "
                     f"x -> elements (batch, K, {G.d}, {G.d})")


def canonicalizer_rep(G: Group) -> Rep:
    """What a canonicalizer network outputs for :func:`canonicalization_frame`: ``2d`` vectors
    (``2d·V``) for O(p, q), SO(p, q), SE(n) and E(n) (points), one score per node (``V``)
    for S(n), one vector (``V``) for other finite groups.

    ``2d`` rather than the ``d`` Gram–Schmidt needs: it takes the vectors in order and skips
    one whose remainder is (nearly) zero, so a nearly dependent vector is replaced by the
    next. With ``d`` vectors from a fresh default canonicalizer, 3–6 of 2048 float32
    point clouds (16 points; O(3), O(1, 3), E(3)) raised DegenerateFrameError; with ``2d``,
    none.

    >>> from symgen import groups
    >>> canonicalizer_rep(groups.O(1, 3)), canonicalizer_rep(groups.SE(3)), canonicalizer_rep(groups.S(5))
    (8V, 8V, V)
    """
    if isinstance(G, (Orthogonal, SE)):
        return 2 * G.d * Rep(G, ((1,),))
    if G.is_finite:
        return Rep(G, ((1,),))
    raise FrameError(_no_canonicalization(G))


def _no_canonicalization(G):
    return (f"no canonicalization rule for {G}: canonicalization serves O(p, q), SO(p, q), SE(n), E(n), "
            f"S(n) and finite groups; use FrameAveraging with frame= a callable")


def canonicalization_frame(rep: Rep, tol: float | None = None) -> Frame:
    """The frame turning a canonicalizer's output ``y`` of ``rep`` into group elements
    ``h(y)`` with ``h(ρ(g) y) = g h(y)``: one element, or the equally weighted ties.

    Gram–Schmidt in the metric η (:class:`GramSchmidtFrame`) for O(p, q) / SO(p, q) and,
    after centring, for SE(n) / E(n), raising only when a remainder is below ``tol`` (default
    1e-12 in float64, 1e-6 in float32, of the squared norm: a network's output vectors are
    often poorly conditioned, and the element stays exact in exact arithmetic); the argsort of the scores (:class:`ArgsortFrame`) for
    S(n); the argmax of an invariant score (:class:`ArgmaxFrame`) for other finite groups.

    >>> from symgen import groups, reps
    >>> canonicalization_frame(3 * reps.V(groups.SO(3))), canonicalization_frame(reps.V(groups.D(4)))
    (GramSchmidtFrame(3V of SO(3), 1 elements), ArgmaxFrame(V of D(4), 8 elements))
    """
    if not isinstance(rep, Rep):
        raise FrameError(f"a frame needs a symgen representation (reps.V(G), ...), got {rep!r}")
    G = rep.G
    if isinstance(G, (Orthogonal, SE)):
        return GramSchmidtFrame(rep, tol, default_tol=(1e-12, 1e-6))
    if isinstance(G, Symmetric):
        return ArgsortFrame(rep, tol)
    if G.is_finite:
        return ArgmaxFrame(rep, tol)
    raise FrameError(_no_canonicalization(G))
