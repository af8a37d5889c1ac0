"""Representations beyond tensors in V and V*: what the operators build when a user's own
representation class, a real form or a second group takes part.

- :class:`DirectSum`, :class:`TensorProduct`, :class:`Dual`: ``+``, ``*``, ``.T`` of any kinds of
  one group (products of sums are distributed, as for tensor representations);
- :class:`ExternalProduct` ``R1 ⊠ R2 ⊠ …``: representations of different groups multiplied
  (EMLP's ``T(2)(G1) * T(1)(G2)``), a representation of ``G1 × G2 × …`` (:class:`DirectProduct`)
  acting on each part by its own factor; a representation of one factor added to one of the
  product is lifted into the product (trivial on the other factors);
- :class:`RealForm`: a complex representation on ``ℂᴺ`` as a real one on ``ℝ²ᴺ = (Re x, Im x)``.

Each is a value (equal, hashable, picklable) with ``rho``, ``drho`` and — when every part has one —
``character_from_traces``; the equivariant bases between them are in :mod:`.hom`.

>>> from symgen import groups, reps
>>> G1, G2 = groups.SO(3), groups.S(5)
>>> R = reps.V(G1) ** 2 * reps.V(G2); R, R.G, R.size
(V²[SO(3)]⊠V[S(5)], SO(3)×S(5), 45)
>>> R + reps.V(G1)
V²[SO(3)]⊠V[S(5)]+V[SO(3)]
>>> reps.V(groups.SU(2)).realify().size
4
"""

from __future__ import annotations

import numpy as np
import sympy
from sympy.physics.quantum import TensorProduct as _SymTensorProduct

from ...errors import RepresentationError
from .group import DirectProduct, Group
from .reps import Rep, TensorRep

__all__ = ["DirectSum", "TensorProduct", "Dual", "ExternalProduct", "RealForm", "direct_sum",
           "tensor_product", "zero", "is_trivial", "is_orthogonal", "summand_types"]


def _batch(x):
    """``(n, a, b)`` view of a single matrix or a batch, and whether it was single."""
    x = np.asarray(x)
    return (x[None], True) if x.ndim == 2 else (x, False)


def _kron(a, b):
    n = a.shape[0]
    return np.einsum("nij,nkl->nikjl", a, b).reshape(n, a.shape[1] * b.shape[1], a.shape[2] * b.shape[2])


def _block_diag(mats, n, size, dtype):
    out, off = np.zeros((n, size, size), dtype=dtype), 0
    for m in mats:
        k = m.shape[-1]
        out[:, off:off + k, off:off + k] = m
        off += k
    return out


def _dtype(*arrays):
    return np.result_type(*arrays, np.float64)


def _check_rep(r, who):
    if not isinstance(r, Rep):
        raise RepresentationError(f"cannot combine {who!r} with {r!r}: not a representation")
    size = getattr(r, "size", None)
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 0:
        raise RepresentationError(f"{type(r).__name__} {r!r} has size {size!r}; a Rep subclass must define "
                                  f"size, a non-negative int")


def _combine(values, how):
    return None if None in values else how(values, default=0) if how is max else how(values)


def summand_types(rep):
    """``(offset, size, unit)`` of each summand of ``rep``: tensor representations split into their
    monomials (``unit`` a one-monomial :class:`TensorRep`), other kinds into their summands — the
    *types* that layers group channels by.

    >>> from symgen import groups, reps
    >>> G = groups.SU(2)
    >>> [(o, n, u) for o, n, u in summand_types(2 * reps.V(G).realify() + reps.Scalar(G))]
    [(0, 4, ℝ(V)), (4, 4, ℝ(V)), (8, 1, V⁰)]
    """
    out = []
    for off, size, s in rep.summands():
        if isinstance(s, TensorRep):
            out += [(off + o, n, TensorRep(s.G, (mono,))) for o, n, mono in s.blocks()]
        else:
            out.append((off, size, s))
    return out


def is_trivial(r) -> bool:
    """``r`` is the one-dimensional trivial representation ``V⁰`` (a tensor monomial of degree 0).

    >>> from symgen import groups, reps
    >>> is_trivial(reps.Scalar(groups.SO(3))), is_trivial(reps.V(groups.SO(3)))
    (True, False)
    """
    return isinstance(r, TensorRep) and r.terms == ((),)


def is_orthogonal(r) -> bool:
    """``ρ(g)`` is orthogonal for every ``g`` of the group, so ``ρ* = ρ`` by the identity and
    ``<x, y>`` is invariant: checked on the generators (``drho`` antisymmetric on the Lie
    generators, ``rho`` orthogonal on the discrete ones, to 1e-12 relative). A tensor
    representation is orthogonal when ``V`` is (its monomials are Kronecker products of ``ρ_V``
    and ``ρ_V⁻ᵀ``); a complex one never is. Kept in the group's cache.

    >>> from symgen import groups, reps
    >>> is_orthogonal(reps.V(groups.O(3)) ** 2), is_orthogonal(reps.V(groups.O(1, 3)))
    (True, False)
    >>> is_orthogonal(reps.V(groups.SU(2)).realify())
    True
    """
    if not isinstance(r, Rep):
        raise RepresentationError(f"is_orthogonal takes a symgen representation, got {r!r}")
    G = r.G
    if r.is_complex:
        return False
    if isinstance(r, TensorRep):
        if all(not mono for mono in r.terms):
            return True
        r = TensorRep(G, ((1,),))
    key = ("is_orthogonal", r)
    if key not in G.cache:
        checks = []
        if G.lie_generators:
            D = np.asarray(r.drho(G.lie_basis()), dtype=np.float64)
            checks.append((D + np.swapaxes(D, -1, -2), D))
        if G.discrete_generators:
            R = np.asarray(r.rho(G.discrete_basis()), dtype=np.float64)
            checks.append((np.swapaxes(R, -1, -2) @ R - np.eye(r.size), R))
        G.cache[key] = all(np.abs(err).max(initial=0) <= 1e-12 * max(1.0, np.abs(m).max(initial=0))
                           for err, m in checks)
    return G.cache[key]


def zero(G: Group) -> Rep:
    """The zero representation of ``G`` (size 0).

    >>> from symgen import groups
    >>> zero(groups.SO(3)).size
    0
    """
    return TensorRep(G, ())


def _atoms(r):
    """The direct summands of ``r`` that are not themselves sums (tensor reps stay whole)."""
    return list(r.parts) if isinstance(r, DirectSum) else [r]


def _factors_of(G):
    return G.factors if isinstance(G, DirectProduct) else (G,)


def _lift(r, P):
    """``r`` as a representation of the product ``P`` (it is one, or of one of its factors)."""
    if r.G == P:
        return r
    if r.G in _factors_of(P):
        return ExternalProduct((r,), P)
    raise RepresentationError(f"cannot combine {r!r} of {r.G} with a representation of {P}: they represent "
                              f"different groups (and {r.G} is not a factor of {P})")


def _common_group(reps):
    """The group of a sum: all the same, or a product of which every other group is a factor."""
    groups = list(dict.fromkeys(r.G for r in reps))
    if len(groups) == 1:
        return groups[0]
    for P in groups:
        if isinstance(P, DirectProduct) and all(H == P or H in P.factors for H in groups):
            return P
    a, b = reps[0], next(r for r in reps if r.G != reps[0].G)
    raise RepresentationError(f"cannot combine {a!r} of {a.G} with {b!r} of {b.G}: they represent different "
                              f"groups. A sum needs one group (or a product G1×G2 and its factors); "
                              f"multiply to get a representation of G1×G2 (R1 * R2, or R1 * reps.Scalar(G2))")


def direct_sum(*reps) -> Rep:
    """``r1 ⊕ r2 ⊕ …``: a :class:`TensorRep` when all are tensor representations of one group,
    else a :class:`DirectSum` (representations of the factors of a product group are lifted).

    >>> from symgen import groups, reps
    >>> G = groups.SU(2)
    >>> direct_sum(reps.V(G), reps.V(G)), direct_sum(reps.V(G).realify(), reps.Scalar(G))
    (2V, ℝ(V)+V⁰)
    """
    for r in reps:
        _check_rep(r, reps[0])
    G = _common_group(reps)
    reps = [_lift(r, G) for r in reps]
    if all(isinstance(r, TensorRep) for r in reps):
        return TensorRep(G, tuple(m for r in reps for m in r.terms))
    atoms = [a for r in reps for a in _atoms(r) if a.size or not isinstance(a, TensorRep)]
    return atoms[0] if len(atoms) == 1 else DirectSum(atoms)


def _split_tensor(r):
    """A tensor representation as its monomials (each a summand), other kinds as their atoms."""
    if isinstance(r, TensorRep):
        return [TensorRep(r.G, (m,)) for m in r.terms]
    return _atoms(r)


def tensor_product(a: Rep, b: Rep) -> Rep:
    """``a ⊗ b``, distributed over sums. Of one group: a :class:`TensorProduct` (trivial factors
    dropped); of different groups: the :class:`ExternalProduct`, a representation of their product.

    >>> from symgen import groups, reps
    >>> tensor_product(reps.V(groups.SO(3)) + reps.Scalar(groups.SO(3)), reps.V(groups.S(3)))
    V[SO(3)]⊠V[S(3)]+V⁰[SO(3)]⊠V[S(3)]
    """
    _check_rep(a, a)
    _check_rep(b, a)
    if a.G == b.G and isinstance(a, TensorRep) and isinstance(b, TensorRep):
        return a * b
    terms = [_product_atom(x, y) for x in _split_tensor(a) for y in _split_tensor(b)]
    if not terms:
        raise RepresentationError(f"{a!r} ⊗ {b!r}: a factor is the zero representation")
    return direct_sum(*terms)


def _own_factors(r):
    """The factor groups a part of an external product with ``r`` acts through."""
    if isinstance(r, ExternalProduct):
        return r.G.factors
    if isinstance(r.G, DirectProduct):
        raise RepresentationError(f"{r!r} is a representation of the product group {r.G} that is not an "
                                  f"external product: build representations of a larger product from "
                                  f"the representations of its factors")
    return (r.G,)


def _product_atom(x, y):
    """``x ⊗ y`` of two summands (neither a sum)."""
    if is_trivial(y) and (y.G == x.G or y.G in _factors_of(x.G)):
        return x
    if is_trivial(x) and (x.G == y.G or x.G in _factors_of(y.G)):
        return y
    if x.G == y.G:
        if isinstance(x, TensorRep) and isinstance(y, TensorRep):
            return x * y
        if isinstance(x, ExternalProduct) and isinstance(y, ExternalProduct):
            return ExternalProduct(x.parts + y.parts, x.G)
        return TensorProduct(tuple(_factors(x) + _factors(y)))
    if y.G in _factors_of(x.G):
        P = x.G
    elif x.G in _factors_of(y.G):
        P = y.G
    else:
        factors = tuple(dict.fromkeys(_own_factors(x) + _own_factors(y)))
        P = DirectProduct(*factors)
    return ExternalProduct(tuple(_parts(x, P) + _parts(y, P)), P)


def _factors(r):
    return list(r.factors) if isinstance(r, TensorProduct) else [r]


def _parts(r, P):
    if isinstance(r, ExternalProduct) and all(p.G in P.factors for p in r.parts):
        return list(r.parts)
    if r.G in _factors_of(P):
        return [r]
    raise RepresentationError(f"{r!r} is a representation of {r.G}, which is not a factor of {P}: build "
                              f"representations of a product group from its factors' representations")


# -- the kinds -----------------------------------------------------------------------------------

class _Value(Rep):
    """Shared value semantics of the composite kinds: equality, hash and pickling by ``_args``."""

    def _args(self):
        raise NotImplementedError

    def __eq__(self, other):
        return type(other) is type(self) and other._args() == self._args()

    def __hash__(self):
        return hash((type(self).__name__,) + self._args())

    def __reduce__(self):
        return (type(self), self._args())


class DirectSum(_Value):
    """``parts[0] ⊕ parts[1] ⊕ …`` of one group, laid out part by part (built by ``+``).

    >>> import numpy as np
    >>> from symgen import groups, reps
    >>> R = reps.V(groups.SU(2)).realify() + reps.Scalar(groups.SU(2)); R, R.size
    (ℝ(V)+V⁰, 5)
    """

    def __init__(self, parts):
        parts = tuple(parts)
        super().__init__(parts[0].G)
        self.parts = parts
        self.size = sum(p.size for p in parts)

    def _args(self):
        return (self.parts,)

    def __repr__(self):
        out, q = [], 0
        while q < len(self.parts):       # runs of equal parts print once with their count
            r = q
            while r < len(self.parts) and self.parts[r] == self.parts[q]:
                r += 1
            text = repr(self.parts[q])
            text = f"({text})" if r - q > 1 and "+" in text else text
            out.append((f"{r - q}" if r - q > 1 else "") + text)
            q = r
        return "+".join(out)

    @property
    def degree(self):
        """Largest number of V/V* factors in a summand (None if a part does not say)."""
        return _combine([getattr(p, "degree", None) for p in self.parts], max)

    @property
    def is_complex(self):
        return any(p.is_complex for p in self.parts)

    def summands(self):
        out, off = [], 0
        for p in self.parts:
            for o, n, s in p.summands():
                out.append((off + o, n, s))
            off += p.size
        return tuple(out)

    def _apply(self, method, x):
        if isinstance(x, sympy.MatrixBase):
            return sympy.diag(*[getattr(p, method)(x) for p in self.parts])
        x, single = _batch(x)
        mats = [np.asarray(getattr(p, method)(x)).reshape(len(x), p.size, p.size) for p in self.parts]
        out = _block_diag(mats, len(x), self.size, _dtype(*mats))
        return out[0] if single else out

    def rho(self, g):
        return self._apply("rho", g)

    def drho(self, A):
        return self._apply("drho", A)

    @property
    def T(self):
        return direct_sum(*[p.T for p in self.parts])

    def __getattr__(self, name):
        if name == "character_from_traces" and all(hasattr(p, name) for p in self.__dict__.get("parts", ())):
            return lambda tr, tr_inv: sum(p.character_from_traces(tr, tr_inv) for p in self.parts)
        raise AttributeError(name)


class TensorProduct(_Value):
    """``factors[0] ⊗ factors[1] ⊗ …`` of one group, in Kronecker (C) order (built by ``*``).

    >>> from symgen import groups, reps
    >>> V = reps.V(groups.SU(2))
    >>> R = V.realify() * V.realify(); R, R.size
    (ℝ(V)⊗ℝ(V), 16)
    """

    def __init__(self, factors):
        factors = tuple(factors)
        super().__init__(factors[0].G)
        self.factors = factors
        self.size = int(np.prod([f.size for f in factors]))

    def _args(self):
        return (self.factors,)

    @property
    def degree(self):
        """Number of V/V* factors (None if a factor does not say)."""
        return _combine([getattr(f, "degree", None) for f in self.factors], sum)

    def __repr__(self):
        return "⊗".join(f"({f!r})" if isinstance(f, DirectSum) else repr(f) for f in self.factors)

    @property
    def is_complex(self):
        return any(f.is_complex for f in self.factors)

    def rho(self, g):
        if isinstance(g, sympy.MatrixBase):
            return _SymTensorProduct(*[f.rho(g) for f in self.factors])
        g, single = _batch(g)
        out = None
        for f in self.factors:
            m = np.asarray(f.rho(g)).reshape(len(g), f.size, f.size)
            out = m if out is None else _kron(out, m)
        return out[0] if single else out

    def drho(self, A):
        if isinstance(A, sympy.MatrixBase):
            out = sympy.zeros(self.size, self.size)
            for q, f in enumerate(self.factors):
                left = int(np.prod([h.size for h in self.factors[:q]]))
                right = self.size // (left * f.size)
                out += _SymTensorProduct(sympy.eye(left), f.drho(A), sympy.eye(right))
            return out
        A, single = _batch(A)
        n = len(A)
        mats = [np.asarray(f.drho(A)).reshape(n, f.size, f.size) for f in self.factors]
        out = np.zeros((n, self.size, self.size), dtype=_dtype(*mats))
        for q, m in enumerate(mats):
            left = int(np.prod([h.size for h in self.factors[:q]]))
            right = self.size // (left * self.factors[q].size)
            out += _kron(_kron(np.broadcast_to(np.eye(left), (n, left, left)), m),
                         np.broadcast_to(np.eye(right), (n, right, right)))
        return out[0] if single else out

    def __getattr__(self, name):
        if name == "character_from_traces" and all(hasattr(f, name) for f in self.__dict__.get("factors", ())):
            return lambda tr, tr_inv: np.prod([f.character_from_traces(tr, tr_inv) for f in self.factors], axis=0)
        raise AttributeError(name)


class Dual(_Value):
    """The dual ``g ↦ ρ(g)⁻ᵀ`` (``dρ(A) ↦ -dρ(A)ᵀ``) of a representation (built by ``.T``).

    >>> from symgen import groups, reps
    >>> R = reps.V(groups.SU(2)).realify().T; R, R.T
    ((ℝ(V))*, ℝ(V))
    """

    def __init__(self, base):
        super().__init__(base.G)
        self.base = base
        self.size = base.size

    def _args(self):
        return (self.base,)

    def __repr__(self):
        return f"({self.base!r})*"

    @property
    def is_complex(self):
        return self.base.is_complex

    @property
    def T(self):
        return self.base

    @property
    def degree(self):
        return getattr(self.base, "degree", None)

    def rho(self, g):
        if isinstance(g, sympy.MatrixBase):
            return self.base.rho(g).inv().T
        m = np.asarray(self.base.rho(g))
        return np.swapaxes(np.linalg.inv(m), -1, -2)

    def drho(self, A):
        if isinstance(A, sympy.MatrixBase):
            return -self.base.drho(A).T
        return -np.swapaxes(np.asarray(self.base.drho(A)), -1, -2)

    def __getattr__(self, name):
        base = self.__dict__.get("base")
        if name == "character_from_traces" and hasattr(base, name):
            return lambda tr, tr_inv: base.character_from_traces(tr_inv, tr)
        raise AttributeError(name)


class ExternalProduct(_Value):
    """``parts[0] ⊠ parts[1] ⊠ …``: each part a representation of one factor of the product
    group ``G`` (a :class:`~symgen.groups.DirectProduct`), acting on it through that factor's
    block of ``g``; Kronecker (C) order in the order written. Factors of ``G`` without a part
    act trivially. Built by ``*`` between representations of different groups.

    >>> import numpy as np
    >>> from symgen import groups, reps
    >>> G1, G2 = groups.SO(3), groups.S(4)
    >>> R = reps.V(G1) * reps.V(G2)
    >>> g = R.G.sample(2, seed=0)
    >>> np.allclose(R.rho(g), np.einsum("nij,nkl->nikjl", g[:, :3, :3], g[:, 3:, 3:]).reshape(2, 12, 12))
    True
    """

    def __init__(self, parts, G=None):
        parts = tuple(parts)
        G = G if G is not None else DirectProduct(*[p.G for p in parts])
        if not isinstance(G, DirectProduct):
            raise RepresentationError(f"an external product is a representation of a product group, not {G}")
        super().__init__(G)
        self.parts = parts
        self.size = int(np.prod([p.size for p in parts]))
        offsets = np.cumsum([0] + [f.d for f in G.factors])
        self.blocks = tuple((int(offsets[G.factors.index(p.G)]), p.G.d) for p in parts)

    def _args(self):
        return (self.parts, self.G)

    def __repr__(self):
        if not self.parts:
            return "V⁰"
        return "⊠".join(f"({p!r})[{p.G}]" if isinstance(p, (DirectSum, TensorProduct)) or "+" in repr(p)
                        else f"{p!r}[{p.G}]" for p in self.parts)

    @property
    def is_complex(self):
        return any(p.is_complex for p in self.parts)

    @property
    def degree(self):
        return _combine([getattr(p, "degree", None) for p in self.parts], sum)

    @property
    def T(self):
        """The dual: the external product of the parts' duals."""
        return ExternalProduct(tuple(p.T for p in self.parts), self.G)

    def factor_parts(self):
        """For each factor of ``G``: the positions of the parts acting through it."""
        return tuple(tuple(q for q, p in enumerate(self.parts) if p.G == f) for f in self.G.factors)

    def _sub(self, x, q):
        off, d = self.blocks[q]
        return x[off:off + d, off:off + d] if isinstance(x, sympy.MatrixBase) else x[..., off:off + d, off:off + d]

    def rho(self, g):
        if isinstance(g, sympy.MatrixBase):
            return _SymTensorProduct(sympy.eye(1), *[p.rho(self._sub(g, q)) for q, p in enumerate(self.parts)])
        g, single = _batch(g)
        out = np.ones((len(g), 1, 1), dtype=g.dtype)
        for q, p in enumerate(self.parts):
            out = _kron(out, np.asarray(p.rho(self._sub(g, q))).reshape(len(g), p.size, p.size))
        return out[0] if single else out

    def drho(self, A):
        if isinstance(A, sympy.MatrixBase):
            out = sympy.zeros(self.size, self.size)
            for q, p in enumerate(self.parts):
                left = int(np.prod([h.size for h in self.parts[:q]]))
                out += _SymTensorProduct(sympy.eye(left), p.drho(self._sub(A, q)),
                                         sympy.eye(self.size // (left * p.size)))
            return out
        A, single = _batch(A)
        n = len(A)
        out = np.zeros((n, self.size, self.size), dtype=_dtype(A))
        for q, p in enumerate(self.parts):
            sub = self._sub(A, q)
            m = (np.zeros((n, p.size, p.size)) if not np.any(sub) else
                 np.asarray(p.drho(sub)).reshape(n, p.size, p.size))
            left = int(np.prod([h.size for h in self.parts[:q]]))
            right = self.size // (left * p.size)
            out = out + _kron(_kron(np.broadcast_to(np.eye(left), (n, left, left)), m),
                              np.broadcast_to(np.eye(right), (n, right, right)))
        return out[0] if single else out


class RealForm(_Value):
    """A complex representation ``ρ`` on ``ℂᴺ`` as a real one on ``ℝ²ᴺ``: ``x = (Re z, Im z)``,
    ``ρ_ℝ(g) = [[Re ρ(g), -Im ρ(g)], [Im ρ(g), Re ρ(g)]]`` (its character is ``2 Re χ``).
    Built by :meth:`Rep.realify`; real layers on a complex group use it.

    >>> import numpy as np
    >>> from symgen import groups, reps
    >>> G = groups.U(2)
    >>> B = reps.equivariant_basis(reps.V(G).realify(), reps.V(G).realify())
    >>> B.shape, B.dtype                     # multiplication by 1 and by i
    ((2, 4, 4), dtype('float64'))
    """

    def __init__(self, base):
        super().__init__(base.G)
        self.base = base
        self.size = 2 * base.size

    def _args(self):
        return (self.base,)

    def __repr__(self):
        return f"ℝ({self.base!r})"

    @property
    def is_complex(self):
        return False

    @property
    def degree(self):
        return getattr(self.base, "degree", None)

    @staticmethod
    def _realify(m):
        if isinstance(m, sympy.MatrixBase):
            re, im = m.applyfunc(sympy.re), m.applyfunc(sympy.im)
            return sympy.Matrix(sympy.BlockMatrix([[re, -im], [im, re]]))
        m = np.asarray(m)
        re, im = m.real, m.imag
        return np.concatenate([np.concatenate([re, -im], -1), np.concatenate([im, re], -1)], -2)

    def rho(self, g):
        return self._realify(self.base.rho(g))

    def drho(self, A):
        return self._realify(self.base.drho(A))

    def __getattr__(self, name):
        base = self.__dict__.get("base")
        if name == "character_from_traces" and hasattr(base, name):
            return lambda tr, tr_inv: 2 * np.real(base.character_from_traces(tr, tr_inv))
        raise AttributeError(name)
