"""Representations of a matrix group as immutable values: ``V``, ``V*``, ``⊗``, ``⊕``.

A representation is a direct sum of tensor monomials; a monomial is a tuple of factors,
``+1`` for the defining representation V and ``-1`` for its dual V* (``g ↦ g^{-T}``);
the empty monomial is the trivial representation ``V⁰``. The components of a vector are
laid out summand by summand, each monomial in Kronecker (C) order. A product of sums is
distributed, ``(A+B)⊗(C+D) = A⊗C + A⊗D + B⊗C + B⊗D``, and laid out in that order.

>>> from symgen import groups, reps
>>> G = groups.SO(3)
>>> V = reps.V(G)
>>> W = V * V.T + reps.Scalar(G); W
V⊗V*+V⁰
>>> W.size, (V ** 3).size, 2 * V + V ** 2
(10, 27, 2V+V²)
>>> reps.V(groups.O(3)) + V
Traceback (most recent call last):
...
symgen.errors.RepresentationError: cannot combine V of O(3) with V of SO(3): they represent different groups
"""

from __future__ import annotations

import functools
from itertools import product

import numpy as np
import sympy
from sympy.physics.quantum import TensorProduct

from ... import codegen
from ...codegen import runtime
from ...codegen.printing import INPUT_NAMES
from ...errors import DTypeError, RepresentationError, ShapeError
from .group import Group

__all__ = ["Rep", "V", "Scalar"]

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

#: Most factors one generated ``ρ`` kernel takes (one input per factor); a longer monomial
#: is the Kronecker product of its chunks of at most this many factors.
MAX_KERNEL_INPUTS = len(INPUT_NAMES)


def _monomial_str(mono):
    if not mono:
        return "V⁰"
    parts, q = [], 0
    while q < len(mono):
        r = q
        while r < len(mono) and mono[r] == mono[q]:
            r += 1
        base = "V" if mono[q] > 0 else "V*"
        parts.append(base + (str(r - q).translate(_SUP) if r - q > 1 else ""))
        q = r
    return "⊗".join(parts)


@functools.cache
def _rho_ir(k, d):
    """IR of ``ρ`` on a degree-k tensor monomial of a d-dim representation: the k-linear
    map ``ρ[(i_1..i_k), (j_1..j_k)] = Π_q h_q[i_q, j_q]`` of k flattened matrices (``g``
    for V, ``g⁻ᵀ`` for V*). Plain data, built once per (k, d); the runtime runs it with
    the table strategy: it compiles in about a second, where the unrolled one takes ~30 s
    for k = 3 (``benchmarks/bench_rho.py``)."""
    terms = []
    for rows in product(range(d), repeat=k):
        r = sum(i * d ** (k - 1 - q) for q, i in enumerate(rows))
        for cols in product(range(d), repeat=k):
            c = sum(j * d ** (k - 1 - q) for q, j in enumerate(cols))
            terms.append((r * d ** k + c, *(i * d + j for i, j in zip(rows, cols)), 1))
    return codegen.Multilinear(f"rho_tensor{k}_d{d}", d ** (2 * k), (d * d,) * k, terms,
                               doc=f"rho(g) on a degree-{k} tensor monomial, d = {d}")


def _kron(a, b):
    n = a.shape[0]
    return np.einsum("nij,nkl->nikjl", a, b).reshape(n, a.shape[1] * b.shape[1], a.shape[2] * b.shape[2])


class Rep:
    """A representation of ``G``: a direct sum of tensor monomials in V and V*.

    Build with :func:`V`, :func:`Scalar` and ``*`` (tensor product, or an integer
    multiplicity), ``+`` (direct sum), ``.T`` (dual), ``**`` (tensor power).
    """

    __slots__ = ("G", "terms")

    def __init__(self, G: Group, terms):
        if not isinstance(G, Group):
            raise RepresentationError(f"a representation needs a symgen group, got {G!r}")
        terms = tuple(tuple(int(t) for t in mono) for mono in terms)
        for mono in terms:
            if any(t not in (1, -1) for t in mono):
                raise RepresentationError(f"monomial {mono} has factors other than 1 (V) and -1 (V*)")
        object.__setattr__(self, "G", G)
        object.__setattr__(self, "terms", terms)

    def __setattr__(self, name, value):
        raise AttributeError("representations are immutable")

    # -- values --------------------------------------------------------------------------
    def __eq__(self, other):
        return isinstance(other, Rep) and self.G == other.G and self.terms == other.terms

    def __hash__(self):
        return hash((self.G, self.terms))

    def __repr__(self):
        if not self.terms:
            return "0"
        out, q = [], 0
        while q < len(self.terms):
            r = q
            while r < len(self.terms) and self.terms[r] == self.terms[q]:
                r += 1
            out.append((str(r - q) if r - q > 1 else "") + _monomial_str(self.terms[q]))
            q = r
        return "+".join(out)

    def __reduce__(self):
        return (Rep, (self.G, self.terms))

    # -- algebra of representations --------------------------------------------------------
    def _same_group(self, other):
        if not isinstance(other, Rep):
            raise RepresentationError(f"cannot combine {self!r} of {self.G} with {other!r}: "
                                      f"not a representation")
        if other.G != self.G:
            raise RepresentationError(f"cannot combine {self!r} of {self.G} with {other!r} of "
                                      f"{other.G}: they represent different groups")

    def __add__(self, other):
        if isinstance(other, int) and other == 0:  # so that sum() works
            return self
        self._same_group(other)
        return Rep(self.G, self.terms + other.terms)

    __radd__ = __add__

    def __mul__(self, other):
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            if other < 0:
                raise RepresentationError(f"multiplicity must be ≥ 0, got {other}")
            return Rep(self.G, self.terms * int(other))
        self._same_group(other)
        return Rep(self.G, tuple(a + b for a in self.terms for b in other.terms))

    def __rmul__(self, other):
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            return self * other
        return NotImplemented

    def __pow__(self, k):
        if not isinstance(k, (int, np.integer)) or k < 0:
            raise RepresentationError(f"tensor power must be an integer ≥ 0, got {k!r}")
        out = Scalar(self.G)
        for _ in range(int(k)):
            out = out * self
        return out

    @property
    def T(self) -> "Rep":
        """The dual representation (``V ↔ V*``)."""
        return Rep(self.G, tuple(tuple(-t for t in mono) for mono in self.terms))

    # -- sizes and layout --------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Dimension of the representation space."""
        return sum(self.G.d ** len(mono) for mono in self.terms)

    @property
    def degree(self) -> int:
        """Largest number of V/V* factors in a summand."""
        return max((len(m) for m in self.terms), default=0)

    def blocks(self):
        """``(offset, size, monomial)`` of each summand, in layout order."""
        out, off = [], 0
        for mono in self.terms:
            n = self.G.d ** len(mono)
            out.append((off, n, mono))
            off += n
        return out

    # -- numerics ----------------------------------------------------------------------------
    def _group_array(self, g, what):
        g = np.asarray(g)
        d = self.G.d
        if g.ndim not in (2, 3) or g.shape[-2:] != (d, d):
            raise ShapeError(f"{what} must have shape (n, {d}, {d}) or ({d}, {d}) for {self.G}, "
                             f"got {g.shape}")
        if g.dtype.kind not in "biufc":
            raise DTypeError(f"{what} have dtype {g.dtype}; pass real (or complex) numbers")
        if not np.isfinite(g).all():
            raise ShapeError(f"{what} of {self.G} contain NaN or inf entries")
        return g

    def _exact_shape(self, m, what):
        d = self.G.d
        if m.shape != (d, d):
            raise ShapeError(f"{what} of shape {m.shape}; {self.G} acts by ({d}, {d}) matrices")

    def rho(self, g):
        """Matrices of group elements: ``(n, d, d) → (n, size, size)``, ``(d, d) → (size, size)``.

        A SymPy matrix gives the exact SymPy matrix.

        >>> from symgen import groups, reps
        >>> import sympy
        >>> reps.V(groups.SO(2)).T.rho(sympy.Matrix([[0, -1], [1, 0]]))
        Matrix([
        [0, -1],
        [1,  0]])

        Any tensor degree: a monomial of more than :data:`MAX_KERNEL_INPUTS` factors is the
        Kronecker product of generated kernels on its chunks.

        >>> (reps.V(groups.SO(2)) ** 10).rho(np.eye(2)).shape
        (1024, 1024)
        """
        if isinstance(g, sympy.MatrixBase):
            self._exact_shape(g, "group element")
            return self._rho_exact(sympy.Matrix(g))
        g = self._group_array(g, "group elements")
        single = g.ndim == 2
        g = g[None] if single else g
        n = len(g)
        g = np.ascontiguousarray(g, dtype=g.dtype if g.dtype in (np.float32, np.float64) else np.float64)
        d = self.G.d
        base = {1: g}
        if any(-1 in mono for mono in self.terms):
            base[-1] = np.ascontiguousarray(np.swapaxes(np.linalg.inv(g), -1, -2))
        flat = {t: b.reshape(n, d * d) for t, b in base.items()}
        out = np.zeros((n, self.size, self.size), dtype=g.dtype)
        for off, k, mono in self.blocks():
            if len(mono) <= 1:
                out[:, off:off + k, off:off + k] = base[mono[0]] if mono else 1
                continue
            m = None
            for start in range(0, len(mono), MAX_KERNEL_INPUTS):   # Kronecker product of chunks
                part = mono[start:start + MAX_KERNEL_INPUTS]
                size = d ** len(part)
                r = (base[part[0]] if len(part) == 1 else runtime.op(_rho_ir(len(part), d), "table").run(
                    *(flat[t] for t in part)).reshape(n, size, size))
                m = r if m is None else _kron(m, r)
            out[:, off:off + k, off:off + k] = m
        return out[0] if single else out

    def _rho_exact(self, g):
        base = {1: g, -1: g.inv().T}
        mats = []
        for mono in self.terms:
            m = sympy.Matrix([[1]])
            for t in mono:
                m = TensorProduct(m, base[t])
            mats.append(m)
        return sympy.diag(*mats) if mats else sympy.zeros(0, 0)

    def act(self, g, x):
        """``ρ(g) x`` without forming ``ρ(g)``: each degree-k summand of ``x`` is reshaped to a
        ``d x … x d`` tensor and ``g`` (V) or ``g⁻ᵀ`` (V*) is applied along each axis.

        ``g`` is ``(..., d, d)`` and ``x`` is ``(..., size)``, NumPy arrays or torch tensors
        (autograd flows through both); leading axes broadcast.

        >>> import numpy as np
        >>> from symgen import groups, reps
        >>> G = groups.SO(3)
        >>> W = reps.V(G) ** 2 + reps.Scalar(G)
        >>> g, x = G.sample(2, seed=0), np.random.default_rng(0).normal(size=(2, 10))
        >>> np.allclose(W.act(g, x), np.einsum("nij,nj->ni", W.rho(g), x))
        True
        """
        torch_like = type(x).__module__.startswith("torch")
        if g.shape[-2:] != (self.G.d, self.G.d) or x.shape[-1] != self.size:
            raise ShapeError(f"act takes elements (..., {self.G.d}, {self.G.d}) and vectors "
                             f"(..., {self.size}) of {self!r}; got {tuple(g.shape)} and {tuple(x.shape)}")
        if torch_like:
            import torch as xp
        else:
            xp = np
        base = {1: g}
        if any(-1 in mono for mono in self.terms):
            base[-1] = xp.swapaxes(xp.linalg.inv(g), -1, -2)
        lead = tuple(np.broadcast_shapes(tuple(g.shape[:-2]), tuple(x.shape[:-1])))
        parts, d = [], self.G.d
        for off, n, mono in self.blocks():
            t = x[..., off:off + n]
            if mono:
                t = xp.broadcast_to(t, lead + (n,)).reshape(lead + (d,) * len(mono))
                axes = "abcdefghijklmnopqrstuvwxy"[:len(mono)]
                for q, f in enumerate(mono):
                    t = xp.einsum(f"...z{axes[q]},...{axes}->...{axes.replace(axes[q], 'z')}", base[f], t)
                t = t.reshape(lead + (n,))
            parts.append(xp.broadcast_to(t, lead + (n,)))
        return xp.concatenate(parts, -1) if parts else x

    def drho(self, A):
        """Lie-algebra action ``dρ(A)``: Kronecker sums of ``A`` (V) and ``-Aᵀ`` (V*).

        >>> from symgen import groups, reps
        >>> G = groups.SO(3)
        >>> (reps.V(G) ** 2).drho(G.lie_generators[0]).shape
        (9, 9)
        """
        if isinstance(A, sympy.MatrixBase):
            self._exact_shape(A, "Lie algebra element")
            return self._drho_exact(sympy.Matrix(A))
        A = self._group_array(A, "Lie algebra elements")
        single = A.ndim == 2
        A = A[None] if single else A
        n, d = len(A), self.G.d
        base = {1: A, -1: -np.swapaxes(A, -1, -2)}
        out = np.zeros((n, self.size, self.size), dtype=A.dtype if A.dtype.kind in "fc" else float)
        for off, k, mono in self.blocks():
            m = np.zeros((n, k, k), dtype=out.dtype)
            for q, t in enumerate(mono):
                left = np.broadcast_to(np.eye(d ** q), (n, d ** q, d ** q))
                right = np.broadcast_to(np.eye(d ** (len(mono) - q - 1)), (n,) + (d ** (len(mono) - q - 1),) * 2)
                m += _kron(_kron(left, base[t]), right)
            out[:, off:off + k, off:off + k] = m
        return out[0] if single else out

    def _drho_exact(self, A):
        d = self.G.d
        base = {1: A, -1: -A.T}
        mats = []
        for mono in self.terms:
            m = sympy.zeros(d ** len(mono), d ** len(mono))
            for q, t in enumerate(mono):
                m += TensorProduct(TensorProduct(sympy.eye(d ** q), base[t]),
                                   sympy.eye(d ** (len(mono) - q - 1)))
            mats.append(m)
        return sympy.diag(*mats) if mats else sympy.zeros(0, 0)

    def character(self, g) -> np.ndarray:
        """Traces ``tr ρ(g)`` for elements ``(n, d, d)`` (complex allowed), without forming ρ."""
        g = self._group_array(g, "group elements")
        g = g[None] if g.ndim == 2 else g
        return self.character_from_traces(np.trace(g, axis1=-2, axis2=-1),
                                          np.trace(np.linalg.inv(g), axis1=-2, axis2=-1))

    def character_from_traces(self, tr, tr_inv) -> np.ndarray:
        """``tr ρ(g)`` from ``tr g`` and ``tr g⁻¹``: V contributes ``tr g``, V* ``tr g⁻¹``,
        tensor products multiply, direct sums add."""
        tr, tr_inv = np.asarray(tr), np.asarray(tr_inv)
        out = np.zeros(tr.shape, dtype=np.result_type(tr.dtype, tr_inv.dtype, float))
        for mono in self.terms:
            pos = sum(1 for t in mono if t > 0)
            out = out + tr ** pos * tr_inv ** (len(mono) - pos)
        return out


def V(G: Group) -> Rep:
    """The defining representation of ``G`` on ``R^d``.

    >>> from symgen import groups, reps
    >>> reps.V(groups.S(4)).size
    4
    """
    return Rep(G, ((1,),))


def Scalar(G: Group) -> Rep:
    """The trivial one-dimensional representation ``V⁰``."""
    return Rep(G, ((),))
