"""Equivariant linear maps: bases by closed forms or sparse null spaces, certified.

``equivariant_basis(rep_in, rep_out)`` returns the maps ``W`` with
``ρ_out(g) W = W ρ_in(g)`` for all ``g``. ``Hom(⊕ A_i, ⊕ B_j)`` splits into blocks
``B_j ⊗ A_i*``, each a space of invariant tensors with legs V/V*, solved separately:

1. closed forms where the invariant theory is known — Brauer diagrams (+ Levi-Civita)
   for O(p,q), SO(p,q), Sp(2n); walled Brauer (+ Levi-Civita) for GL(n), SL(n); set
   partitions (Bell) for S(n); orbit indicators for other permutation groups
   (:mod:`.diagrams`, :mod:`.partitions`); a dependent spanning set is reduced to a
   basis through its small integer Gram matrix (:func:`_reduce`); products of eigenvectors
   of total weight zero for a one-parameter group (:mod:`.weights`, e.g. SO(1,1)⁺);
2. otherwise the null space of the constraint operators ``dρ(A)`` (Kronecker sums) and
   ``ρ(h) - I`` (Kronecker products): above ``LAZY_MIN`` dimensions in floats by
   :mod:`.lazy_null_space` (the weight-zero space of one diagonalisable generator, then
   restricted generator by generator, the operators applied leg by leg), else an SVD after a
   QR of the stacked constraints; ``DomainMatrix.nullspace`` over the number field of the
   entries for ``exact=True``.

The total size is then **certified** (:func:`certificate`, independent of the solver): the
characters integrated over the group (:mod:`.quadrature`), else for a group of (signed)
permutation matrices the orbits on index tuples counted from the generators
(:mod:`.orbit_count`, the Rubik's cube group), else the nullity of the exact constraints
modulo two primes; a disagreement raises :class:`~symgen.errors.CertificationError` instead
of thresholding.

>>> from symgen import groups, reps
>>> V = reps.V(groups.SO(3))
>>> [equivariant_basis(V ** k, V ** k).shape[0] for k in (1, 2, 3, 4)]
[1, 3, 15, 91]
>>> certified_dimension(V ** 4, V ** 4)
91
>>> B = equivariant_basis(V, V ** 2, exact=True); B       # the cross product
[Matrix([
[ 0,  0,  0],
[ 0,  0,  1],
[ 0, -1,  0],
[ 0,  0, -1],
[ 0,  0,  0],
[ 1,  0,  0],
[ 0,  1,  0],
[-1,  0,  0],
[ 0,  0,  0]])]
"""

from __future__ import annotations

import dataclasses
import itertools
import warnings

import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.sparse
import sympy
from sympy.polys.matrices import DomainMatrix

from ...errors import CertificationError, CertificationWarning, GroupError, RepresentationError
from . import diagrams, partitions
from .classical import classical_quadrature, recognise
from .group import GL, SL, DirectProduct, Group, Orthogonal, Sp, Symmetric, Unitary
from .reps import Rep, TensorRep
from .structured import StructuredBasis
from .lazy_null_space import lazy_null_space, leg_actions
from .orbit_count import invariant_count, signed_permutations
from .weights import weight_invariants

__all__ = ["equivariant_basis", "structured_basis", "certified_dimension", "modular_dimension", "orbit_dimension",
           "certificate", "Certificate", "joint_method", "enforce_certificate", "constraint_error", "nullity_mod",
           "PRIMES"]

RANK_TOL = 1e-9
MAX_DENSE = 4096
#: Float invariants of a group without closed-form ones take :func:`.lazy_null_space.lazy_null_space`
#: (generators applied leg by leg, no dense constraint matrix) above ``LAZY_MIN`` dimensions, up to
#: ``MAX_LAZY``; the dense SVD of the stacked constraints below (and for exact bases).
LAZY_MIN = 256
MAX_LAZY = 1 << 16


def _tensor_pair(rep_in, rep_out):
    """Both are tensor representations (solved here); other kinds are solved by :mod:`.hom`."""
    return isinstance(rep_in, TensorRep) and isinstance(rep_out, TensorRep)


def _tensor_count(name, count, rep_in, rep_out):
    """``count(rep_in, rep_out)[0]`` (a ``(dimension or None, reason)`` counter) for two tensor
    representations; other kinds are refused with a pointer to :func:`certificate`."""
    _check_pair(rep_in, rep_out)
    if not _tensor_pair(rep_in, rep_out):
        raise RepresentationError(f"{name} counts maps between tensor representations; for "
                                  f"{rep_in!r} → {rep_out!r} use certificate()")
    return count(rep_in, rep_out)[0]


def _check_pair(rep_in, rep_out):
    for r in (rep_in, rep_out):
        if not isinstance(r, Rep):
            raise RepresentationError(f"expected a symgen representation, got {r!r}")
    if rep_in.G != rep_out.G:
        raise RepresentationError(f"rep_in {rep_in!r} is a representation of {rep_in.G} but rep_out "
                                  f"{rep_out!r} of {rep_out.G}; both must be of the same group")


def certified_dimension(rep_in: Rep, rep_out: Rep) -> int:
    """``dim Hom_G(rep_in, rep_out) = ∫ conj(χ_in(g)) χ_out(g) dg``, integrated exactly, or for
    a group of (signed) permutation matrices without an integration rule (too large to
    enumerate) the exact count of orbits on index tuples (:func:`orbit_dimension`).

    Raises :class:`~symgen.errors.CertificationError` naming the reason when neither applies.

    >>> from symgen import groups, reps
    >>> V = reps.V(groups.S(10))
    >>> certified_dimension(V ** 2, V ** 2), certified_dimension(V, V)
    (15, 2)
    """
    _check_pair(rep_in, rep_out)
    if not _tensor_pair(rep_in, rep_out):
        cert = certificate(rep_in, rep_out)
        if cert.dimension is None or "modular" in cert.method:
            raise CertificationError(f"{rep_in!r} → {rep_out!r} of {rep_in.G}: no character integral or orbit "
                                     f"count ({cert.reason or cert.method}); pass certify=False to use the "
                                     f"solver's rank alone")
        return cert.dimension
    dim, reason = _character_dimension(rep_in, rep_out)
    if dim is None:
        dim, why = _orbit_dimension(rep_in, rep_out)
        reason = f"{reason}; {why}"
    if dim is None:
        raise CertificationError(f"{rep_in!r} → {rep_out!r} of {rep_in.G}: {reason}; "
                                 f"pass certify=False to use the solver's rank alone")
    return dim


def _character_dimension(rep_in, rep_out):
    """``(dimension, "")`` by integrating characters, or ``(None, reason)`` when no exact rule
    is available. A rule whose integral is not an integer is broken: that raises."""
    G = rep_in.G
    try:
        rule = G.quadrature(rep_in.degree + rep_out.degree)
    except (CertificationError, GroupError) as exc:
        return None, f"no exact Haar integration rule could be built ({exc})"
    if rule is None:
        rule = classical_quadrature(G, rep_in.degree + rep_out.degree)
    if rule is None:
        return None, f"no exact Haar integration rule is known for {G}"
    tr, tr_inv, w = rule
    value = np.sum(w * np.conj(rep_in.character_from_traces(tr, tr_inv))
                   * rep_out.character_from_traces(tr, tr_inv))
    dim = round(value.real)
    if abs(value - dim) > 1e-6 * max(1.0, abs(value)):
        raise CertificationError(f"character integral for {rep_in!r} → {rep_out!r} of {G} is "
                                 f"{value:.6g}, not an integer: the integration rule is wrong")
    return int(dim), ""


@dataclasses.dataclass(frozen=True)
class Certificate:
    """An independent count of the equivariant maps ``rep_in → rep_out``.

    ``dimension`` is ``dim Hom_G(rep_in, rep_out)``, or ``None`` when it was not computed;
    ``method`` says how: ``"characters"`` (the character integral), ``"orbits"``
    (:func:`orbit_dimension`), ``"modular"`` (:func:`modular_dimension`), several joined by
    ``+`` when blocks of a composite representation were counted differently, or ``"none"``;
    ``reason`` says why it was not computed (empty otherwise). :func:`equivariant_basis` checks
    its basis against it.

    >>> import sympy
    >>> from symgen import groups, reps
    >>> certificate(reps.V(groups.SO(3)) ** 2, reps.V(groups.SO(3)) ** 2)
    Certificate(dimension=3, method='characters', reason='')
    >>> certificate(reps.V(groups.SE(2)), reps.V(groups.SE(2)))
    Certificate(dimension=1, method='modular', reason='')
    >>> G = groups.MatrixGroup(discrete_generators=[sympy.Matrix([[0.6, -0.8], [0.8, 0.6]])])
    >>> s48 = groups.MatrixGroup(discrete_generators=[sympy.eye(48)[list(range(1, 48)) + [0], :],
    ...                                               sympy.eye(48)[[1, 0] + list(range(2, 48)), :]])
    >>> certificate(reps.V(s48) ** 2, reps.V(s48) ** 2)      # S(48) declared: 48! elements, 48⁴ tuples
    Certificate(dimension=15, method='orbits', reason='')
    >>> cert = certificate(reps.V(G), reps.V(G)); cert.dimension, cert.method
    (None, 'none')
    >>> print(cert.reason)       # doctest: +ELLIPSIS
    no exact Haar integration rule could be built (discrete generator h0 has the floating-point entry 0.6...
    """

    dimension: int | None
    method: str
    reason: str = ""


def certificate(rep_in: Rep, rep_out: Rep) -> Certificate:
    """The :class:`Certificate` of ``rep_in → rep_out``: the character integral when the
    group has an exact rule, else the orbit count for a group of (signed) permutation
    matrices, else the modular count, else why none was computed. Kept in the group's
    :attr:`~symgen.groups.Group.cache`."""
    _check_pair(rep_in, rep_out)
    if not _tensor_pair(rep_in, rep_out):
        from .hom import composite_certificate   # hom.py builds on this module
        return composite_certificate(rep_in, rep_out)
    G = rep_in.G
    key = ("certificate", rep_in.terms, rep_out.terms)
    if key not in G.cache:
        reasons = []
        for method, count in (("characters", _character_dimension), ("orbits", _orbit_dimension),
                              ("modular", _modular)):
            dim, reason = count(rep_in, rep_out)
            if dim is not None:
                G.cache[key] = Certificate(dim, method)
                break
            reasons.append(reason)
        else:
            G.cache[key] = Certificate(None, "none", "; ".join(reasons))
    return G.cache[key]


def joint_method(methods) -> str:
    """The ``method`` of a certificate summed from blocks certified by ``methods``: the one
    method when they agree, else the distinct ones joined by ``+``.

    >>> joint_method(["characters", "characters"]), joint_method({"orbits", "characters"})
    ('characters', 'characters+orbits')
    """
    return "+".join(sorted({m for method in methods for m in method.split("+")})) or "characters"


def orbit_dimension(rep_in: Rep, rep_out: Rep):
    """``dim Hom_G(rep_in, rep_out)`` of a group of (signed) permutation matrices as a count of
    orbits on index tuples (:mod:`.orbit_count`: exact, from the generators alone, for groups
    too large to enumerate such as the Rubik's cube group): the sum over pairs of summands of
    the count on their ``K`` legs. None when the group is no such group or a count would take
    more than :data:`.orbit_count.MAX_TUPLES` tuples (:func:`certificate` says which).

    >>> from symgen import groups, reps
    >>> V = reps.V(groups.Z(6))
    >>> orbit_dimension(V ** 2, V + reps.Scalar(V.G)), certified_dimension(V ** 2, V + reps.Scalar(V.G))
    (42, 42)
    """
    return _tensor_count("orbit_dimension", _orbit_dimension, rep_in, rep_out)


def _orbit_dimension(rep_in, rep_out):
    """``(orbit count, "")`` or ``(None, reason)``; each leg count kept in the group's cache."""
    G = rep_in.G
    gens = signed_permutations(G)
    if gens is None:
        return None, f"no orbit count: {G} is not a finite group of (signed) permutation matrices"
    total = 0
    for K in (len(mi) + len(mo) for mo in rep_out.terms for mi in rep_in.terms):
        key = ("orbit count", K)
        if key not in G.cache:
            try:
                G.cache[key] = invariant_count(*gens, K)
            except CertificationError as exc:
                G.cache[key] = f"no orbit count: {exc}"
        if isinstance(G.cache[key], str):
            return None, G.cache[key]
        total += G.cache[key]
    return total, ""


PRIMES = (2147483629, 2147483587)     # two primes below 2³¹: products fit in int64
MODULAR_MAX_UNKNOWNS = 1024


def _integer_matrix(M):
    """Round a float matrix whose entries are integers (None if some entry is not)."""
    R = np.rint(M)
    return R.astype(np.int64) if np.all(np.abs(M - R) < 1e-9) else None


def _integer_generator(A):
    """A rational SymPy generator scaled to integer entries (None if irrational)."""
    entries = list(A)
    if not all(e.is_Rational for e in entries):
        return None
    scale = sympy.ilcm(*[e.q for e in entries]) if entries else 1
    return np.array((A * scale).tolist(), dtype=np.float64)


def nullity_mod(M, p):
    """``columns - rank`` of the integer matrix ``M`` over GF(p): forward elimination that
    touches only the rows below the pivot with a nonzero in its column, and only the
    columns right of it (everything left of it is already zero there)."""
    A = M[np.any(M != 0, axis=1)] % p
    rank = 0
    for col in range(A.shape[1]):
        below = rank + np.nonzero(A[rank:, col])[0]
        if not len(below):
            continue
        r = below[0]
        A[[rank, r]] = A[[r, rank]]
        pivot = A[rank, col:] * pow(int(A[rank, col]), p - 2, p) % p
        others = below[1:]          # rows under the pivot with a nonzero in its column
        if len(others):
            A[others, col:] = (A[others, col:] - np.outer(A[others, col], pivot) % p) % p
        rank += 1
        if rank == A.shape[0]:
            break
    return A.shape[1] - rank


def modular_dimension(rep_in: Rep, rep_out: Rep):
    """``dim Hom_G(rep_in, rep_out)`` as the nullity of the exact constraint system
    ``dρ_out(A) W − W dρ_in(A) = 0`` (Lie generators) and ``ρ_out(h) W − W ρ_in(h) = 0``
    (discrete generators), computed over two prime fields in integer arithmetic.

    The certificate for groups without an integration rule (SE(n), user-defined groups with
    rational generators). The rank over GF(p) is at most the rank over Q, so the nullity is
    exact unless both primes divide the relevant minors; the smaller of the two is returned.
    The system splits into one block per pair of summands, each solved once per distinct
    pair of leg multisets. None when the generators are irrational or a block has more
    than ``MODULAR_MAX_UNKNOWNS`` unknowns (:func:`certificate` says which).

    >>> from symgen import groups, reps
    >>> V = reps.V(groups.SE(2))
    >>> modular_dimension(V, V), modular_dimension(V ** 2, V)
    (1, 3)
    """
    return _tensor_count("modular_dimension", _modular, rep_in, rep_out)


def _modular(rep_in, rep_out):
    """``(modular dimension, "")`` or ``(None, reason)``. The constraints are block diagonal
    (one block per pair of summands), so the nullity is a sum over blocks; a block's depends
    only on the multisets of legs on each side (permuting tensor factors is an isomorphism),
    so each distinct block is solved once and kept in the group's cache."""
    total = 0
    for mo in rep_out.terms:
        for mi in rep_in.terms:
            dim, reason = _modular_block(rep_in.G, tuple(sorted(mi)), tuple(sorted(mo)))
            if dim is None:
                return None, reason
            total += dim
    return total, ""


def _modular_block(G, mi, mo):
    """Nullity of ``ρ_mo(h) W − W ρ_mi(h)``, ``dρ_mo(A) W − W dρ_mi(A)`` over two primes."""
    key = ("modular", mi, mo)
    if key in G.cache:
        return G.cache[key]
    rep_in, rep_out = Rep(G, (mi,)), Rep(G, (mo,))
    di, do = rep_in.size, rep_out.size
    if di * do > MODULAR_MAX_UNKNOWNS:
        return None, (f"the modular count of {rep_in!r} → {rep_out!r} has {di * do} unknowns, "
                      f"more than MODULAR_MAX_UNKNOWNS = {MODULAR_MAX_UNKNOWNS}")
    blocks = []
    gens = [(q, A, "drho") for q, A in enumerate(G.lie_generators)]
    gens += [(q, h, "rho") for q, h in enumerate(G.discrete_generators)]
    for q, A, rho in gens:
        name = f"Lie generator A{q}" if rho == "drho" else f"discrete generator h{q}"
        A = _integer_generator(A) if rho == "drho" else np.array(A.tolist(), dtype=np.float64)
        if A is None:
            return None, f"the modular count needs rational Lie generators; {name} is not"
        a_in, a_out = getattr(rep_in, rho)(A), getattr(rep_out, rho)(A)
        C = _integer_matrix(np.kron(a_out, np.eye(di)) - np.kron(np.eye(do), a_in.T))
        if C is None:
            return None, f"the modular count needs integer constraints; those of {name} are not"
        blocks.append(C)
    M = np.concatenate(blocks) if blocks else np.zeros((0, di * do), dtype=np.int64)
    G.cache[key] = min(nullity_mod(M.copy(), p) for p in PRIMES), ""
    return G.cache[key]


def _perms(G):
    mats = G.discrete_basis()
    ok = len(mats) and np.all((mats == 0) | (mats == 1)) and np.all(mats.sum(axis=1) == 1) \
        and np.all(mats.sum(axis=2) == 1)
    return [np.argmax(m, axis=0) for m in mats] if ok else None


def _orbit_group(G):
    """A finite group of permutation matrices other than S(n): its invariants are orbit indicators."""
    return not isinstance(G, (Symmetric, DirectProduct)) and G.is_finite and _perms(G) is not None


def _spanning(G: Group, legs, exact):
    """A closed-form spanning set ``(rows, orthogonal)`` of invariants, or None: by the
    named group's type, or by the classical type :func:`.classical.recognise` finds for a
    group declared by its generators (exact rows need integer ``J`` and ``J⁻¹``)."""
    if isinstance(G, Orthogonal):
        return diagrams.brauer(np.array(G.form, dtype=float), legs, levi_civita=G.special), False
    if isinstance(G, Sp):
        return diagrams.brauer(np.array(G.form, dtype=float), legs, levi_civita=False), False
    if isinstance(G, (GL, SL, Unitary)):   # U(n), SU(n): V* is the conjugate, same invariants as GL, SL
        return diagrams.walled(G.d, legs, levi_civita=isinstance(G, SL) or getattr(G, "special", False)), False
    if isinstance(G, Symmetric):
        return partitions.bell(G.d, len(legs)), True
    if _orbit_group(G):
        return partitions.orbits(_perms(G), G.d, len(legs)), True
    kind = recognise(G)
    if kind is None:
        return None
    if kind.form is None:
        return diagrams.walled(G.d, legs, levi_civita=kind.special), False
    if exact and not all(e.is_Integer for e in list(kind.form) + list(kind.form.inv())):
        return None
    return diagrams.brauer(np.array(kind.form.tolist(), dtype=float), legs, levi_civita=kind.special), False


def _constraints(G, legs, exact):
    """Stacked constraint operators on the tensor space with ``legs``."""
    rep = Rep(G, (legs,))
    if exact:
        blocks = [rep.drho(a) for a in G.lie_generators]
        blocks += [rep.rho(h) - sympy.eye(rep.size) for h in G.discrete_generators]
        return sympy.Matrix.vstack(*blocks) if blocks else sympy.zeros(0, rep.size)
    d, K = G.d, len(legs)
    eye = [scipy.sparse.identity(d ** q, format="csr") for q in range(K + 1)]
    rows = []
    for kind, base in leg_actions(G):
        base = {t: scipy.sparse.csr_matrix(m) for t, m in base.items()}
        if kind == "lie":
            rows.append(sum(scipy.sparse.kron(scipy.sparse.kron(eye[q], base[t]), eye[K - q - 1])
                            for q, t in enumerate(legs)) if K else scipy.sparse.csr_matrix((1, 1)))
            continue
        m = scipy.sparse.csr_matrix(np.ones((1, 1)))
        for t in legs:
            m = scipy.sparse.kron(m, base[t], format="csr")
        rows.append(m - eye[K] if K else scipy.sparse.csr_matrix((1, 1)))
    return scipy.sparse.vstack(rows, format="csr") if rows else scipy.sparse.csr_matrix((0, d ** K))


def _null_space(G, legs, exact):
    D = G.d ** len(legs)
    if not exact and LAZY_MIN < D <= MAX_LAZY:
        return lazy_null_space(G, legs, RANK_TOL, max_start=MAX_DENSE)
    if D > MAX_DENSE:
        raise RepresentationError(f"{G} has no closed-form invariants for legs {legs} and the "
                                  f"{D}-dimensional constraint is too large to solve densely")
    if exact:
        C = _constraints(G, legs, exact=True)
        if C.rows == 0:
            return np.eye(D, dtype=np.int64)
        # extension=True: algebraic entries (C(5)'s cos 2π/5, sin 2π/5) in one number field QQ<α>, not
        # the expression domain EX, whose every operation is a cancel() (C(5) V²→V²: 14 s → 0.5 s)
        return np.array(DomainMatrix.from_Matrix(C, extension=True).to_field().nullspace(divide_last=True)
                        .to_Matrix().tolist(), dtype=object).reshape(-1, D)
    C = _constraints(G, legs, exact=False).toarray()
    if C.shape[0] == 0:
        return np.eye(D)
    R = scipy.linalg.qr(C, mode="r")[0][:D] if C.shape[0] > D else C
    _, s, vh = scipy.linalg.svd(R, full_matrices=True)
    s = np.concatenate([s, np.zeros(D - len(s))])
    null = s <= RANK_TOL * max(1.0, s.max(initial=0))
    return vh[null].conj()


def _invariants(G, legs, exact):
    """Basis of the invariant tensors with ``legs``: orthonormal rows, or exact rows. The
    normalised orbit indicators of a permutation group stay sparse (CSR; a row per orbit,
    disjoint supports), which :class:`StructuredBasis` keeps as an orbit map."""
    # a permutation group's orbits on multi-indices do not depend on the legs' directions
    key = ("invariants", len(legs) if _orbit_group(G) else legs, exact)
    if key in G.cache:
        return G.cache[key]
    weights = None if exact or isinstance(G, DirectProduct) else weight_invariants(G, legs)
    span = None if isinstance(G, DirectProduct) or weights is not None else _spanning(G, legs, exact)
    if isinstance(G, DirectProduct):
        result = _product_invariants(G, legs, exact)
    elif weights is not None:
        result = weights
    elif span is None:
        result = _null_space(G, legs, exact)
    elif span[1]:  # disjoint supports: already a basis; normalise
        rows = span[0]
        rows = rows[np.flatnonzero(np.asarray(rows.getnnz(axis=1)))]
        if exact:
            result = rows.astype(np.int64).toarray()
        else:
            norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
            result = scipy.sparse.csr_matrix(scipy.sparse.diags(1 / norms) @ rows)
    elif not exact and _redundant(G, span[0].shape[0], len(legs)):
        result = _null_space(G, legs, exact)
    else:
        result = _reduce(span[0], exact)
    G.cache[key] = result
    return result


def _redundant(G, n, K):
    """A spanning set of ``n`` diagrams whose Gram eigensolve (``n³``) costs more than the
    dense null space of the constraints (``(generators) · D³``, ``D = d^K``): small ``d``
    at high rank, e.g. SO(2) on T(10), 5670 diagrams for a 1024-dimensional space."""
    D = G.d ** K
    gens = len(G.lie_generators) + len(G.discrete_generators)
    return D <= MAX_DENSE and max(gens, 1) * D ** 3 < n ** 3


def _product_invariants(G, legs, exact):
    """Invariants of ``G_1 × … × G_F``: each leg lies in one factor's block (a *sector*);
    a sector's invariants are the Kronecker products of the factors' invariants on their
    legs, so the result is orthonormal (numeric) / independent (exact) by construction."""
    K, F = len(legs), len(G.factors)
    rows = []
    for assign in itertools.product(range(F), repeat=K):
        order = [q for f in range(F) for q in range(K) if assign[q] == f]
        T = np.ones((1, 1), dtype=object if exact else float)
        for f, factor in enumerate(G.factors):
            sub = tuple(legs[q] for q in range(K) if assign[q] == f)
            B = _invariants(factor, sub, exact)
            B = B.toarray() if scipy.sparse.issparse(B) else np.asarray(B)
            if len(B) == 0:
                break
            T = (T[:, None, :, None] * B[None, :, None, :]).reshape(len(T) * len(B), -1)
        else:
            rows.append(_embed(G, assign, order, T))
    return np.concatenate(rows) if rows else np.zeros((0, G.d ** K), dtype=np.int64 if exact else float)


def _embed(G, assign, order, T):
    """Place sector tensors (legs grouped by factor, in ``order``) into the full space."""
    K = len(assign)
    offsets = np.cumsum([0] + [f.d for f in G.factors])
    dims = [G.factors[assign[q]].d for q in order]
    T = T.reshape((len(T),) + tuple(dims)).transpose([0] + [1 + order.index(q) for q in range(K)])
    full = np.zeros((len(T),) + (G.d,) * K, dtype=T.dtype)
    full[(slice(None),) + tuple(slice(offsets[assign[q]], offsets[assign[q] + 1])
                                for q in range(K))] = T
    return full.reshape(len(T), -1)


def _reduce(rows, exact):
    """A basis from a spanning set of sparse integer tensors, through its Gram matrix
    (small: one row per diagram): orthonormal rows ``Λ^{-1/2} Uᵀ M`` from its
    eigendecomposition (numeric), or the independent subset chosen by pivoted Cholesky
    and checked exactly over the integers (``exact=True``)."""
    M = scipy.sparse.csr_matrix(rows)
    if M.shape[0] == 0:
        return np.zeros(M.shape, dtype=np.int64 if exact else float)
    gram = (M @ M.T).toarray()
    if not exact:
        w, U = np.linalg.eigh(gram)
        keep = w > RANK_TOL * w.max()
        return np.asarray((M.T @ (U[:, keep] / np.sqrt(w[keep]))).T)
    _, piv, rank, _ = scipy.linalg.lapack.dpstrf(gram, tol=RANK_TOL * np.abs(gram).max())
    chosen = np.sort(piv[:rank] - 1)
    sub = np.rint(gram[np.ix_(chosen, chosen)]).astype(np.int64)
    if DomainMatrix.from_list(sub.tolist(), sympy.ZZ).rank() != rank:
        raise CertificationError(f"the {rank} chosen diagrams are not exactly independent")
    return np.rint(M[chosen].toarray()).astype(np.int64)


def equivariant_basis(rep_in: Rep, rep_out: Rep, exact: bool = False, certify=None):
    """Basis of the equivariant maps ``rep_in → rep_out``.

    Returns a float64 array ``(k, rep_out.size, rep_in.size)`` whose elements are
    orthonormal in the Frobenius inner product (for permutation groups also sparse:
    normalised orbit indicators), or with ``exact=True`` a list of ``k`` SymPy sparse
    matrices with exact (integer for named groups) entries that satisfy the constraints
    symbolically. ``certify``: ``None`` checks ``k`` against :func:`certified_dimension`
    when the group has an integration rule, else against :func:`modular_dimension` (exact
    integer arithmetic; SE(n) and user groups with rational generators) when that applies,
    and when neither applies warns (:class:`~symgen.errors.CertificationWarning`, naming
    the reason); ``True`` raises :class:`~symgen.errors.CertificationError` instead of
    warning; ``False`` skips the certificate. A certificate is never skipped silently:
    :func:`certificate` returns it, with the reason when it was not computed.

    The dense array has ``k · rep_out.size · rep_in.size`` entries; for wide
    representations :func:`structured_basis` holds the same basis by block types.

    >>> from symgen import groups, reps
    >>> V = reps.V(groups.S(5))
    >>> equivariant_basis(V, V).shape
    (2, 5, 5)
    """
    if not _tensor_pair(rep_in, rep_out):
        _check_pair(rep_in, rep_out)
        _check_certify(certify)
        from .hom import composite_basis   # hom.py builds on this module
        return composite_basis(rep_in, rep_out, exact, certify)
    blocks = _certified_blocks(rep_in, rep_out, exact, certify)
    if exact:
        return _assemble_exact(blocks, rep_in, rep_out)
    return StructuredBasis(rep_in, rep_out, blocks).dense()


def structured_basis(rep_in: Rep, rep_out: Rep, certify=None) -> StructuredBasis:
    """The float basis of :func:`equivariant_basis` (same maps, same order), held as one
    small basis per pair of summand types with the index maps of their copies
    (:class:`~symgen.algebra.groups.structured.StructuredBasis`): memory grows with the
    number of types, not with ``k · rep_out.size · rep_in.size``. Certified like
    :func:`equivariant_basis` (``certify`` has the same meaning).

    >>> from symgen import groups, reps
    >>> G = groups.SO(3)
    >>> hidden = 85 * reps.Scalar(G) + 28 * reps.V(G) + 9 * reps.V(G) ** 2
    >>> S = structured_basis(hidden, hidden)
    >>> len(S), S.nbytes < 2 ** 20, 8 * len(S) * hidden.size ** 2 / 2 ** 30 > 4
    (10286, True, True)
    """
    if not _tensor_pair(rep_in, rep_out):
        raise RepresentationError(f"structured bases hold maps between tensor representations; {rep_in!r} → "
                                  f"{rep_out!r} involves another kind: use equivariant_basis")
    return StructuredBasis(rep_in, rep_out, _certified_blocks(rep_in, rep_out, False, certify))


def _check_certify(certify) -> None:
    if certify not in (None, True, False):
        raise CertificationError(f"certify must be None, True or False, got {certify!r}")


def _certified_blocks(rep_in, rep_out, exact, certify):
    """``{(mono_out, mono_in): basis rows}`` for every pair of summand types, after checking
    their total against the certificate."""
    _check_pair(rep_in, rep_out)
    _check_certify(certify)
    G = rep_in.G
    types_in = dict.fromkeys(mono for *_, mono in rep_in.blocks())
    types_out = dict.fromkeys(mono for *_, mono in rep_out.blocks())
    blocks = {(mo, mi): _invariants(G, mo + tuple(-t for t in mi), exact)
              for mo in types_out for mi in types_in}
    k = sum(blocks[(mo, mi)].shape[0] for *_, mo in rep_out.blocks() for *_, mi in rep_in.blocks())
    if certify is not False:
        enforce_certificate(certificate(rep_in, rep_out), k, f"{rep_in!r} → {rep_out!r} of {G}", certify,
                            stacklevel=3)
    return blocks


def enforce_certificate(cert: Certificate, found: int, what: str, certify, stacklevel: int) -> None:
    """Judge ``found`` solver maps against ``cert``: pass when they agree, raise
    :class:`CertificationError` when they differ (or when nothing was certified and
    ``certify`` is True), else warn with the reason (:class:`CertificationWarning`,
    ``stacklevel`` counted from the caller). ``what`` names the maps in the message."""
    if cert.dimension is None:
        message = f"{what}: not certified: {cert.reason}"
        if certify:
            raise CertificationError(message)
        warnings.warn(message + "; pass certify=False to silence this", CertificationWarning,
                      stacklevel=stacklevel + 1)
    elif cert.dimension != found:
        raise CertificationError(f"{what}: the solver found {found} independent maps but the certified "
                                 f"dimension is {cert.dimension} ({cert.method})")


def _assemble_exact(blocks, rep_in, rep_out):
    out = []
    for oo, osz, mo in rep_out.blocks():
        for io, isz, mi in rep_in.blocks():
            for row in blocks[(mo, mi)]:
                entries = {(oo + p // isz, io + p % isz): sympy.sympify(v)
                           for p, v in enumerate(row.tolist()) if v != 0}
                out.append(sympy.ImmutableSparseMatrix(rep_out.size, rep_in.size, entries))
    return out


def constraint_error(basis, rep_in: Rep, rep_out: Rep, n: int = 16, seed=0) -> float:
    """Largest ``|ρ_out(g) W - W ρ_in(g)|`` over ``n`` sampled ``g`` and the basis maps,
    divided by ``max(1, |ρ_out(g)|, |ρ_in(g)|)`` (max-norms; relative for large boosts),
    together with the Lie-algebra residuals ``dρ_out(A) W - W dρ_in(A)``.
    """
    _check_pair(rep_in, rep_out)
    G = rep_in.G
    B = np.asarray(basis, dtype=np.complex128 if rep_in.is_complex or rep_out.is_complex
                   or np.iscomplexobj(np.asarray(basis)) else np.float64)
    if len(B) == 0:
        return 0.0
    g = G.sample(n, seed=seed)
    ro, ri = rep_out.rho(g), rep_in.rho(g)
    scale = np.maximum(1.0, np.maximum(np.abs(ro).max(axis=(1, 2)), np.abs(ri).max(axis=(1, 2))))
    err = 0.0
    for q in range(len(g)):
        diff = np.einsum("ij,kjl->kil", ro[q], B) - np.einsum("kij,jl->kil", B, ri[q])
        err = max(err, np.abs(diff).max() / scale[q])
    A = G.lie_basis()
    if len(A):
        do, di = rep_out.drho(A), rep_in.drho(A)
        diff = np.einsum("aij,kjl->akil", do, B) - np.einsum("kij,ajl->akil", B, di)
        err = max(err, np.abs(diff).max())
    return float(err)
