"""Equivariant maps between representations that are not both tensor representations.

``Hom_G(⊕ A_i, ⊕ B_j)`` splits into blocks ``(A_i, B_j)`` of summands, each solved by the
best rule that applies, each certified:

- both tensor representations: :func:`.equivariance.equivariant_basis` (closed forms);
- two external products of one product group ``G1 × … × G_F``: since
  ``(X ⊗ Y)^{G1×G2} = X^{G1} ⊗ Y^{G2}``, the basis is the Kronecker product of the factors'
  bases ``Hom_{G_f}(A_f, B_f)`` (each solved and certified for its own group), and the
  dimension is the product of the factors' dimensions;
- otherwise: the null space of the constraints ``dρ_B(A) W − W dρ_A(A)`` (Lie generators)
  and ``ρ_B(h) W − W ρ_A(h)`` (discrete generators) — dense SVD, or ``DomainMatrix.nullspace``
  for ``exact=True`` — certified by the character integral when both representations have
  ``character_from_traces`` and the group an integration rule, else by the characters of the
  exactly enumerated elements of a finite group, else by the modular count of the integer
  constraints; when none applies the certificate says why (:class:`~.equivariance.Certificate`).

>>> from symgen import groups, reps
>>> G1, G2 = groups.SO(3), groups.S(5)
>>> R = reps.V(G1) ** 2 * reps.V(G2)
>>> reps.equivariant_basis(R, R).shape[0]          # 3 (SO(3) on V²) x 2 (S(5) on V)
6
>>> reps.certificate(R, R)
Certificate(dimension=6, method='characters', reason='')
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.linalg
import sympy
from sympy.physics.quantum import TensorProduct as SymTensorProduct
from sympy.polys.matrices import DomainMatrix

from ...errors import CertificationError, GroupError, RepresentationError
from . import composite, equivariance
from .composite import ExternalProduct, is_trivial
from .group import DirectProduct
from .equivariance import MAX_DENSE, MODULAR_MAX_UNKNOWNS, RANK_TOL, Certificate
from .reps import Rep, Scalar, TensorRep

__all__ = ["composite_basis", "composite_certificate"]

#: Group elements per batch when a finite group's characters are summed from ``rho``.
CHUNK = 1024


def _atoms(rep):
    """``(indices, summand)`` of ``rep``: tensor representations split into monomials, and a
    monomial of a product group ``G1 × … × G_F`` into its *sectors* (each leg in one factor's
    block: an external product of that factor's V or V* per leg, on the coordinates whose
    index along each leg lies in its factor's block)."""
    out = []
    for off, size, s in rep.summands():
        if not isinstance(s, TensorRep):
            out.append((off + np.arange(size), s))
            continue
        for o, n, mono in s.blocks():
            if isinstance(s.G, DirectProduct):
                out += [(off + o + idx, r) for idx, r in _sectors(s.G, mono)]
            else:
                out.append((off + o + np.arange(n), TensorRep(s.G, (mono,))))
    return out


def _sectors(P, mono):
    k, factors = len(mono), P.factors
    offsets = np.cumsum([0] + [f.d for f in factors])
    for assign in itertools.product(range(len(factors)), repeat=k):
        axes = [np.arange(offsets[f], offsets[f] + factors[f].d) for f in assign]
        idx = np.zeros(1, dtype=np.int64)
        for ax in axes:
            idx = (idx[:, None] * P.d + ax[None, :]).ravel()
        parts = tuple(TensorRep(factors[f], ((t,),)) for f, t in zip(assign, mono))
        yield idx, ExternalProduct(parts, P)


def _as_external(r):
    if isinstance(r, ExternalProduct):
        return r
    if is_trivial(r) and isinstance(r.G, DirectProduct):
        return ExternalProduct((), r.G)
    return None


def _rule(a, b):
    if isinstance(a, TensorRep) and isinstance(b, TensorRep):
        return "tensor"
    ea, eb = _as_external(a), _as_external(b)
    return "external" if ea is not None and eb is not None and ea.G == eb.G else "constraints"


# -- certificates ----------------------------------------------------------------------------

def _by_characters(a, b):
    da, db = getattr(a, "degree", None), getattr(b, "degree", None)
    if da is None or db is None or not hasattr(a, "character_from_traces") or not hasattr(b, "character_from_traces"):
        return None, "no character formula"
    try:
        rule = a.G.quadrature(da + db)
    except (CertificationError, GroupError) as exc:
        return None, f"no exact Haar integration rule could be built ({exc})"
    if rule is None:
        return None, f"no exact Haar integration rule is known for {a.G}"
    tr, tr_inv, w = rule
    value = np.sum(w * np.conj(a.character_from_traces(tr, tr_inv)) * b.character_from_traces(tr, tr_inv))
    return _integer(value, a, b), ""


def _integer(value, a, b):
    dim = round(float(np.real(value)))
    if abs(value - dim) > 1e-6 * max(1.0, abs(value)):
        raise CertificationError(f"character integral for {a!r} → {b!r} of {a.G} is {value:.6g}, not an "
                                 f"integer: the representations or the integration rule are wrong")
    return int(dim)


def _by_elements(a, b):
    """``mean conj(χ_a(g)) χ_b(g)`` over the exactly enumerated elements of a finite group."""
    G = a.G
    if not G.is_finite:
        return None, f"{G} is not finite"
    try:
        els = G.elements()
    except GroupError as exc:
        return None, f"its elements could not be enumerated ({exc})"
    total = 0
    for start in range(0, len(els), CHUNK):
        g = els[start:start + CHUNK]
        ta = np.trace(np.asarray(a.rho(g)).reshape(len(g), a.size, a.size), axis1=1, axis2=2)
        tb = np.trace(np.asarray(b.rho(g)).reshape(len(g), b.size, b.size), axis1=1, axis2=2)
        total = total + np.sum(np.conj(ta) * tb)
    return _integer(total / len(els), a, b), ""


def _integer_generators(G):
    """``(matrix, "drho" | "rho")`` with Lie generators scaled to integer entries, or a reason."""
    gens = []
    for q, A in enumerate(G.lie_generators):
        if not all(e.is_Rational for e in A):
            return None, f"the modular count needs rational Lie generators; A{q} is not"
        scale = sympy.ilcm(*[e.q for e in A]) if len(A) else 1
        gens.append((np.array((A * scale).tolist(), dtype=np.float64), "drho"))
    gens += [(np.array(h.tolist(), dtype=np.float64) if all(e.is_Rational for e in h) else None, "rho")
             for h in G.discrete_generators]
    if any(m is None for m, _ in gens):
        return None, "the modular count needs rational discrete generators"
    return gens, ""


def _by_modular(a, b):
    n = a.size * b.size
    if n > MODULAR_MAX_UNKNOWNS:
        return None, (f"the modular count of {a!r} → {b!r} has {n} unknowns, more than "
                      f"MODULAR_MAX_UNKNOWNS = {MODULAR_MAX_UNKNOWNS}")
    gens, reason = _integer_generators(a.G)
    if gens is None:
        return None, reason
    C = _constraints(a, b, gens)
    R = np.rint(C.real) if np.iscomplexobj(C) else np.rint(C)
    if np.iscomplexobj(C) and np.any(C.imag) or np.any(np.abs(C - R) > 1e-9):
        return None, f"the modular count needs integer constraints; those of {a!r} → {b!r} are not"
    R = R.astype(np.int64)
    return min(equivariance.nullity_mod(R.copy(), p) for p in equivariance.PRIMES), ""


def _block_certificate(a, b):
    rule = _rule(a, b)
    if rule == "tensor":
        return equivariance.certificate(a, b)
    if rule == "external":
        ea, eb = _as_external(a), _as_external(b)
        dim, methods = 1, set()
        for A, B in _factor_pairs(ea, eb):
            cert = equivariance.certificate(A, B)
            if cert.dimension is None:
                return Certificate(None, "none", f"factor {A.G}: {cert.reason}")
            dim *= cert.dimension
            methods.add(cert.method)
        return Certificate(dim, equivariance.joint_method(methods))
    key = ("composite-certificate", a, b)
    if key not in a.G.cache:
        reasons = []
        for method, count in (("characters", _by_characters), ("characters", _by_elements),
                              ("modular", _by_modular)):
            dim, why = count(a, b)
            if dim is not None:
                a.G.cache[key] = Certificate(dim, method)
                break
            reasons.append(why)
        else:
            a.G.cache[key] = Certificate(None, "none", "; ".join(reasons))
    return a.G.cache[key]


def composite_certificate(rep_in: Rep, rep_out: Rep) -> Certificate:
    """The certificate of ``rep_in → rep_out``: the sum over pairs of summands of each block's
    (see the module docstring); ``"none"`` with the first reason when a block has none.

    >>> from symgen import groups, reps
    >>> R = reps.V(groups.U(2)).realify()
    >>> composite_certificate(R, R)
    Certificate(dimension=2, method='characters', reason='')
    """
    dim, methods = 0, set()
    for _, b in _atoms(rep_out):
        for _, a in _atoms(rep_in):
            cert = _block_certificate(a, b)
            if cert.dimension is None:
                return cert
            dim += cert.dimension
            methods.add(cert.method)
    return Certificate(dim, equivariance.joint_method(methods))


# -- bases -------------------------------------------------------------------------------------

def _factor_pairs(ea, eb):
    """Per factor ``G_f``: the in and out representations acting through it (Kronecker product of
    its parts in the order written; the trivial representation if there are none)."""
    out = []
    for f, qa, qb in zip(ea.G.factors, ea.factor_parts(), eb.factor_parts()):
        out.append((_group_parts(f, [ea.parts[q] for q in qa]), _group_parts(f, [eb.parts[q] for q in qb])))
    return out


def _group_parts(f, parts):
    if not parts:
        return Scalar(f)
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, TensorRep) and len(p.terms) == 1 for p in parts):
        return TensorRep(f, (sum((p.terms[0] for p in parts), ()),))
    return composite.TensorProduct(tuple(parts))


def _grouped_order(e):
    """Positions of ``e.parts`` sorted by factor (the order of the Kronecker product of the
    factors' bases)."""
    return [q for qs in e.factor_parts() for q in qs]


def _external_basis(ea, eb, exact, certify):
    pairs = _factor_pairs(ea, eb)
    bases = [equivariance.equivariant_basis(A, B, exact=exact, certify=certify) for A, B in pairs]
    k = int(np.prod([len(B) for B in bases]))
    if k == 0:
        return [] if exact else np.zeros((0, eb.size, ea.size))
    oa, ob = _grouped_order(ea), _grouped_order(eb)
    sa, sb = [ea.parts[q].size for q in oa], [eb.parts[q].size for q in ob]
    perm_rows = [1 + ob.index(q) for q in range(len(ob))]
    perm_cols = [1 + len(ob) + oa.index(q) for q in range(len(oa))]
    if exact:
        mats = [sympy.ones(1, 1)]
        for B in bases:
            mats = [SymTensorProduct(m, sympy.Matrix(h)) for m in mats for h in B]
        W = np.array([np.array(m.tolist(), dtype=object) for m in mats], dtype=object)
    else:
        W = np.ones((1, 1, 1))
        for B in bases:
            B = np.asarray(B)
            W = np.einsum("kij,lab->kliajb", W, B).reshape(len(W) * len(B), W.shape[1] * B.shape[1],
                                                            W.shape[2] * B.shape[2])
    W = W.reshape((k,) + tuple(sb) + tuple(sa)).transpose([0] + perm_rows + perm_cols).reshape(k, eb.size, ea.size)
    if exact:
        return [sympy.ImmutableSparseMatrix(sympy.Matrix(w.tolist())) for w in W]
    return W


def _constraints(a, b, gens):
    """Stacked ``M_b ⊗ I − I ⊗ M_aᵀ`` (row-major ``vec W``) for each generator ``(X, kind)``."""
    rows = []
    for X, kind in gens:
        ma = np.asarray(getattr(a, kind)(X)).reshape(a.size, a.size)
        mb = np.asarray(getattr(b, kind)(X)).reshape(b.size, b.size)
        rows.append(np.kron(mb, np.eye(a.size)) - np.kron(np.eye(b.size), ma.T))
    return np.concatenate(rows) if rows else np.zeros((0, a.size * b.size))


def _exact_constraints(a, b):
    G, blocks = a.G, []
    for X, kind in [(A, "drho") for A in G.lie_generators] + [(h, "rho") for h in G.discrete_generators]:
        ma, mb = getattr(a, kind)(sympy.Matrix(X)), getattr(b, kind)(sympy.Matrix(X))
        if not (isinstance(ma, sympy.MatrixBase) and isinstance(mb, sympy.MatrixBase)):
            bad = a if not isinstance(ma, sympy.MatrixBase) else b
            raise RepresentationError(f"exact bases need {kind} on SymPy matrices; {type(bad).__name__} "
                                      f"{bad!r} returns {type(ma if bad is a else mb).__name__}. Use exact=False")
        blocks.append(SymTensorProduct(mb, sympy.eye(a.size)) - SymTensorProduct(sympy.eye(b.size), ma.T))
    return sympy.Matrix.vstack(*blocks) if blocks else sympy.zeros(0, a.size * b.size)


def _null_basis(a, b, exact):
    n = a.size * b.size
    if n > MAX_DENSE:
        raise RepresentationError(f"{a!r} → {b!r} of {a.G}: {n} unknowns, more than the dense solver's "
                                  f"MAX_DENSE = {MAX_DENSE}")
    if exact:
        C = _exact_constraints(a, b)
        rows = (np.eye(n, dtype=np.int64).tolist() if C.rows == 0 else
                DomainMatrix.from_Matrix(C, extension=True).to_field().nullspace(divide_last=True)
                .to_Matrix().tolist())   # algebraic entries in their number field, not SymPy's EX domain
        return [sympy.ImmutableSparseMatrix(sympy.Matrix(b.size, a.size, list(r))) for r in rows]
    G = a.G
    C = _constraints(a, b, [(X, "drho") for X in G.lie_basis()] + [(h, "rho") for h in G.discrete_basis()])
    if C.shape[0] == 0:
        return np.eye(n).reshape(n, b.size, a.size)
    if np.iscomplexobj(C) and not np.any(C.imag):
        C = C.real
    R = scipy.linalg.qr(C, mode="r")[0][:n] if C.shape[0] > n else C
    _, s, vh = scipy.linalg.svd(R, full_matrices=True)
    s = np.concatenate([s, np.zeros(n - len(s))])
    null = s <= RANK_TOL * max(1.0, s.max(initial=0))
    return vh[null].conj().reshape(-1, b.size, a.size)


def _block_basis(a, b, exact, certify):
    rule = _rule(a, b)
    if rule == "tensor":
        return equivariance.equivariant_basis(a, b, exact=exact, certify=certify)
    if rule == "external":
        return _external_basis(_as_external(a), _as_external(b), exact, certify)
    B = _null_basis(a, b, exact)
    if certify is not False:
        equivariance.enforce_certificate(_block_certificate(a, b), len(B), f"{a!r} → {b!r} of {a.G}", certify,
                                         stacklevel=4)
    return B


def composite_basis(rep_in: Rep, rep_out: Rep, exact: bool, certify):
    """Basis of ``Hom_G(rep_in, rep_out)`` block by block (see the module docstring), in the
    format of :func:`~.equivariance.equivariant_basis`: ``(k, rep_out.size, rep_in.size)``
    (complex when a block is), or a list of SymPy sparse matrices.

    >>> from symgen import groups, reps
    >>> R = reps.V(groups.SO(2)) * reps.V(groups.C(4))
    >>> composite_basis(R, R, exact=False, certify=None).shape      # 2 (SO(2)) x 2 (C(4) on the plane)
    (4, 4, 4)
    """
    parts = []
    for oi, b in _atoms(rep_out):
        for ii, a in _atoms(rep_in):
            parts.append((oi, ii, _block_basis(a, b, exact, certify)))
    if exact:
        out = []
        for oi, ii, B in parts:
            for W in B:
                out.append(sympy.ImmutableSparseMatrix(rep_out.size, rep_in.size,
                                                       {(int(oi[i]), int(ii[j])): v for (i, j), v in W.todok().items()}))
        return out
    k = sum(len(B) for *_, B in parts)
    dtype = np.result_type(np.float64, *[np.asarray(B).dtype for *_, B in parts])
    out, q = np.zeros((k, rep_out.size, rep_in.size), dtype=dtype), 0
    for oi, ii, B in parts:
        out[q:q + len(B)][:, oi[:, None], ii[None, :]] = np.asarray(B).reshape(len(B), len(oi), len(ii))
        q += len(B)
    return out
