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
symgen.errors.RepresentationError: cannot combine V of O(3) with V of SO(3): they represent different groups. A sum needs one group (or a product G1×G2 and its factors); multiply to get a representation of G1×G2 (R1 * R2, or R1 * reps.Scalar(G2))
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

__all__ = ["Rep", "TensorRep", "V", "Scalar"]

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
    """A representation ``ρ`` of a group ``G``: the base class of every kind of representation.

    Built-in kinds: :class:`TensorRep` (sums of tensor monomials in V and V*, made by
    :func:`V`, :func:`Scalar` and the operators below; ``Rep(G, terms)`` builds one) and the
    composite kinds of :mod:`.composite` (sums, products and duals mixing other kinds, the
    external product ``R1 ⊠ R2`` of reps of two groups, the real form of a complex rep).
    Operators: ``+`` (direct sum), ``*`` (tensor product; an integer is a multiplicity; for
    representations of *different* groups it is the external product, a representation of
    ``G1 × G2`` as in EMLP's ``T(2)(G1) * T(1)(G2)``), ``**`` (tensor power), ``.T`` (dual),
    :meth:`realify` (the real form of a complex representation). A sum needs one group, except
    that a representation of a factor joins a sum with one of the product (it acts trivially on
    the other factors); ``V(G1) + V(G2)`` alone raises (write ``V(G1) * Scalar(G2) + …``).
    Products of sums are distributed and laid out term by term, as for tensor representations.

    **Your own representation.** Subclass ``Rep``, call ``super().__init__(G)`` and define

    - ``size``: the dimension (an ``int`` attribute or property);
    - ``rho(g)``: ``g`` is ``(d, d)`` or a batch ``(n, d, d)`` of NumPy group elements; return
      ``(size, size)`` or ``(n, size, size)`` (write it with ``...`` indexing for both);
    - ``drho(A)`` when ``G`` has Lie generators: the Lie-algebra action, same shapes;
    - ``__eq__`` and ``__hash__`` for value semantics (bases are cached per equal representation;
      the default is identity).

    Optional: ``character_from_traces(tr, tr_inv)`` (certificates by character integrals) and
    ``rho``/``drho`` accepting SymPy matrices (exact bases). Equivariant bases of your class are
    the null space of its constraints on the group's generators, certified by characters on the
    elements of a finite group, else by the modular count when the constraints are integer, else
    not (a :class:`~symgen.errors.CertificationWarning` says why). Layers take it like any
    representation (``EquivariantLinear``, ``EMLP``'s input and output, ``FrameAveraging`` with
    the whole-group frame of a finite group).

    >>> import numpy as np
    >>> from symgen import groups, reps
    >>> class Frequency(reps.Rep):
    ...     \"\"\"SO(2) on R^2 rotating k times as fast.\"\"\"
    ...     size = 2
    ...     def __init__(self, G, k):
    ...         super().__init__(G)
    ...         self.k = k
    ...     def __eq__(self, other):
    ...         return type(other) is Frequency and (other.G, other.k) == (self.G, self.k)
    ...     def __hash__(self):
    ...         return hash((self.G, self.k))
    ...     def __repr__(self):
    ...         return f"ψ{self.k}"
    ...     def rho(self, g):
    ...         t = self.k * np.arctan2(g[..., 1, 0], g[..., 0, 0])
    ...         c, s = np.cos(t), np.sin(t)
    ...         return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)
    ...     def drho(self, A):
    ...         return self.k * np.asarray(A, dtype=float)
    >>> G = groups.SO(2)
    >>> reps.equivariant_basis(Frequency(G, 2), Frequency(G, 2)).shape
    (2, 2, 2)
    >>> reps.equivariant_basis(Frequency(G, 2), reps.V(G) ** 2).shape
    (2, 4, 2)
    """

    def __new__(cls, *args, **kwargs):
        if cls is Rep:   # Rep(G, terms): a tensor representation (the built-in kind)
            return object.__new__(TensorRep)
        return object.__new__(cls)

    def __init__(self, G: Group):
        if not isinstance(G, Group):
            raise RepresentationError(f"a representation needs a symgen group, got {G!r}")
        self.G = G

    # -- the protocol's defaults -----------------------------------------------------------
    def rho(self, g):
        """Matrices of group elements (defined by each kind)."""
        raise RepresentationError(f"{type(self).__name__} does not define rho(g); a Rep subclass must")

    def drho(self, A):
        """Lie-algebra action (defined by each kind whose group has Lie generators)."""
        raise RepresentationError(f"{type(self).__name__} does not define drho(A); a Rep subclass of a "
                                  f"group with Lie generators ({self.G}) must")

    @property
    def is_complex(self) -> bool:
        """True when ``ρ`` has complex matrices (a representation of a complex group)."""
        return self.G.is_complex

    def act(self, g, x):
        """``ρ(g) x`` for elements ``(..., d, d)`` and vectors ``(..., size)``, NumPy arrays or torch
        tensors (leading axes broadcast), through the matrices ``rho(g)`` (no gradient through ``g``).

        >>> import numpy as np
        >>> from symgen import groups, reps
        >>> R = reps.V(groups.SU(2)).realify()
        >>> R.act(np.eye(2), np.arange(4.0))
        array([0., 1., 2., 3.])
        """
        d, n = self.G.d, self.size
        if type(x).__module__.startswith("torch"):
            import torch
            gn = g.detach().cpu().numpy() if isinstance(g, torch.Tensor) else np.asarray(g)
            r = np.asarray(self.rho(gn.reshape(-1, d, d))).reshape(gn.shape[:-2] + (n, n))
            return torch.einsum("...ij,...j->...i", torch.as_tensor(r, dtype=x.dtype, device=x.device), x)
        g = np.asarray(g)
        r = np.asarray(self.rho(g.reshape(-1, d, d))).reshape(g.shape[:-2] + (n, n))
        return np.einsum("...ij,...j->...i", r, x)

    def summands(self):
        """``(offset, size, rep)`` of each direct summand, in layout order.

        >>> from symgen import groups, reps
        >>> [(o, n, r) for o, n, r in (reps.V(groups.SU(2)).realify() + reps.V(groups.SU(2))).summands()]
        [(0, 4, ℝ(V)), (4, 2, V)]
        """
        return ((0, self.size, self),)

    # -- algebra of representations ----------------------------------------------------------
    def __add__(self, other):
        from . import composite
        if isinstance(other, int) and other == 0:  # so that sum() works
            return self
        return composite.direct_sum(self, other)

    def __radd__(self, other):
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    def __mul__(self, other):
        from . import composite
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            if other < 0:
                raise RepresentationError(f"multiplicity must be ≥ 0, got {other}")
            return composite.direct_sum(*([self] * int(other))) if other else composite.zero(self.G)
        return composite.tensor_product(self, other)

    def __rmul__(self, other):
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            return self * other
        return NotImplemented

    def __pow__(self, k):
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 0:
            raise RepresentationError(f"tensor power must be an integer ≥ 0, got {k!r}")
        out = Scalar(self.G)
        for _ in range(int(k)):
            out = out * self
        return out

    @property
    def T(self) -> "Rep":
        """The dual representation ``g ↦ ρ(g)⁻ᵀ``."""
        from . import composite
        return composite.Dual(self)

    def realify(self) -> "Rep":
        """The real form: ``ρ(g)`` acting on ``(Re x, Im x)`` by ``[[Re ρ, -Im ρ], [Im ρ, Re ρ]]``,
        a real representation of twice the size (for real layers on a complex group).

        >>> from symgen import groups, reps
        >>> R = reps.V(groups.SU(2)).realify(); R, R.size, R.is_complex
        (ℝ(V), 4, False)
        """
        from . import composite
        return composite.RealForm(self)


class TensorRep(Rep):
    """A representation of ``G``: a direct sum of tensor monomials in V and V*.

    Build with :func:`V`, :func:`Scalar` and ``*`` (tensor product, or an integer
    multiplicity), ``+`` (direct sum), ``.T`` (dual), ``**`` (tensor power).
    """

    __slots__ = ("G", "terms")

    def __init__(self, G: Group, terms=None):
        if not isinstance(G, Group):
            raise RepresentationError(f"a representation needs a symgen group, got {G!r}")
        if terms is None:
            raise RepresentationError("Rep(G) alone is no representation: build tensor representations with "
                                      "reps.V(G), reps.Scalar(G) (or Rep(G, terms)), or subclass Rep")
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
        return isinstance(other, TensorRep) and self.G == other.G and self.terms == other.terms

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
        return (TensorRep, (self.G, self.terms))

    @property
    def is_complex(self) -> bool:
        """True when a non-trivial summand has complex matrices (``V`` of a complex group)."""
        return self.G.is_complex and any(self.terms)

    # -- algebra of representations --------------------------------------------------------
    def _tensor_partner(self, other):
        """``other`` is a tensor representation of the same group (else the composite kinds
        of the base class combine them)."""
        return isinstance(other, TensorRep) and other.G == self.G

    def __add__(self, other):
        if self._tensor_partner(other):
            return Rep(self.G, self.terms + other.terms)
        return super().__add__(other)

    def __mul__(self, other):
        if isinstance(other, (int, np.integer)) and not isinstance(other, bool):
            if other < 0:
                raise RepresentationError(f"multiplicity must be ≥ 0, got {other}")
            return Rep(self.G, self.terms * int(other))
        if self._tensor_partner(other):
            return Rep(self.G, tuple(a + b for a in self.terms for b in other.terms))
        return super().__mul__(other)

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
        complex_ = g.dtype.kind == "c" or self.G.is_complex
        g = np.ascontiguousarray(g, dtype=np.complex128 if complex_ else
                                 g.dtype if g.dtype in (np.float32, np.float64) else np.float64)
        d = self.G.d
        base = {1: g}
        if any(-1 in mono for mono in self.terms):
            base[-1] = np.ascontiguousarray(np.swapaxes(np.linalg.inv(g), -1, -2))
        flat = {t: b.reshape(n, d * d) for t, b in base.items()}
        out = np.zeros((n, self.size, self.size), dtype=g.dtype if any(self.terms) or g.dtype.kind != "c" else np.float64)
        for off, k, mono in self.blocks():
            if len(mono) <= 1:
                out[:, off:off + k, off:off + k] = base[mono[0]] if mono else 1
                continue
            m = None
            for start in range(0, len(mono), MAX_KERNEL_INPUTS):   # Kronecker product of chunks
                part = mono[start:start + MAX_KERNEL_INPUTS]
                size = d ** len(part)
                if complex_:    # the generated kernels are real: complex elements by Kronecker products
                    r = functools.reduce(_kron, (base[t] for t in part))
                else:
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
