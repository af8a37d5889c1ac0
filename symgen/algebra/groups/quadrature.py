"""Exact Haar averages of class functions: Weyl integration and conjugacy classes.

Each rule returns ``(tr, tr_inv, weights)``: the traces ``tr g_i`` and ``tr g_i⁻¹`` of
N elements (complex arrays) and weights summing to 1, such that ``sum_i w_i f(g_i)``
equals the Haar average of any character ``f`` of a tensor representation of degree
≤ ``degree`` (at most ``degree`` factors V or V* per term) — such characters are
polynomials in ``tr g`` and ``tr g⁻¹``, so the traces are all that is needed.

Lie groups are integrated on the maximal torus of their compact form with the Weyl
density ``prod over positive roots |1 - e^{i α(θ)}|²``, on a uniform grid fine enough
to integrate the resulting trigonometric polynomial exactly; non-compact real forms
(O(p,q), SL(n,R), Sp(2n,R), GL(n,R)) have the same invariants in tensor representations
as their compact forms (Weyl's unitarian trick), so they use those tori. The component
``O(2m) \\ SO(2m)`` uses the torus of ``diag(R(θ_1..θ_{m-1}), 1, -1)`` with the density
of type C_{m-1}; ``O(2m+1) = SO(2m+1) × {±1}``. Finite groups sum over conjugacy classes
(partitions of n for S(n)).

>>> tr, tr_inv, w = orthogonal(3, degree=4, special=True)
>>> round(float(w.sum()), 12), round(float(np.sum(w * abs(tr) ** 2)), 12)   # dim Hom(V, V)
(1.0, 1.0)
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from sympy.utilities.iterables import partitions

from ...errors import CertificationError

__all__ = ["orthogonal", "unitary", "symplectic", "symmetric", "permutations", "finite_group",
           "product", "perm_matrices"]

MAX_POINTS = 2_000_000


def _grid(m, degree, density_degree):
    """Uniform grid on the m-torus, exact for trigonometric polynomials whose frequency in
    each angle is at most ``degree`` (character) + ``density_degree`` (Weyl density)."""
    n = degree + density_degree + 1
    if n ** m > MAX_POINTS:
        raise CertificationError(
            f"Weyl integration needs {n}^{m} = {n ** m:.2e} torus points (limit {MAX_POINTS:.0e}) "
            f"for degree {degree}; pass certify=False to skip certification")
    axes = [2 * np.pi * np.arange(n) / n] * m
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, m) if m else np.zeros((1, 0))


def _density(theta, roots):
    roots = np.asarray(roots, dtype=float).reshape(len(roots), theta.shape[1])
    return np.prod(2 - 2 * np.cos(theta @ roots.T), axis=1)


def _roots(m, kind):
    r = []
    for i, j in itertools.combinations(range(m), 2):
        e = np.zeros(m)
        e[i], e[j] = 1, -1
        r.append(e.copy())
        e[j] = 1
        r.append(e)
    for i in range(m):
        e = np.zeros(m)
        e[i] = {"B": 1, "C": 2, "D": 0}[kind]
        if kind != "D":
            r.append(e)
    return np.array(r).reshape(len(r), m)


def _traces(eigs, w):
    return eigs.sum(axis=1), (1 / eigs).sum(axis=1), w


def _torus(m, kind, degree, fixed=()):
    """Elements with eigenvalues z_j^{±1} (j < m) and the ``fixed`` ones, Weyl weights."""
    theta = _grid(m, degree, 2 * m)  # each angle is in ≤ 2m positive roots' terms (types B, C, D)
    z = np.exp(1j * theta)
    eigs = np.concatenate([z, 1 / z, np.broadcast_to(np.array(fixed, dtype=complex),
                                                     (len(z), len(fixed)))], axis=1)
    w = _density(theta, _roots(m, kind))
    return _traces(eigs, w / w.sum())


def orthogonal(d, degree, special):
    """SO(d) (``special``) or O(d); also the compact forms of SO(p,q), O(p,q)."""
    m = d // 2
    if d % 2:
        rule = _torus(m, "B", degree, fixed=(1,))
        minus = tuple(-a for a in rule[:2]) + rule[2:]   # the component -SO(2m+1)
    else:
        rule = _torus(m, "D", degree)
        minus = _torus(m - 1, "C", degree, fixed=(1, -1))
    return rule if special else _mix(rule, minus)


def _mix(rule, other):
    """Half of each rule: the two components of a group with index-2 identity component."""
    tr, tr_inv, w = (np.concatenate([a, b]) for a, b in zip(rule, other))
    return tr, tr_inv, w / 2


def unitary(n, degree, special):
    """U(n), or SU(n) (``special``): compact forms of GL(n,R) and SL(n,R)."""
    m = n - 1 if special else n
    theta = _grid(m, degree, 2 * n)  # SU(n): an angle's total root frequency is ≤ 2n - 2
    full = np.concatenate([theta, -theta.sum(axis=1, keepdims=True)], axis=1) if special else theta
    diffs = [(i, j) for i, j in itertools.combinations(range(n), 2)]
    dens = np.prod([2 - 2 * np.cos(full[:, i] - full[:, j]) for i, j in diffs], axis=0) \
        if diffs else np.ones(len(full))
    return _traces(np.exp(1j * full), dens / dens.sum())


def symplectic(m, degree):
    """USp(2m), the compact form of Sp(2m, R)."""
    return _torus(m, "C", degree)


def perm_matrices(perms) -> np.ndarray:
    """Permutation arrays ``(N, n)`` → matrices ``(N, n, n)`` with ``M e_i = e_{p(i)}``."""
    perms = np.asarray(perms)
    N, n = perms.shape
    out = np.zeros((N, n, n))
    out[np.arange(N)[:, None], perms, np.arange(n)[None, :]] = 1
    return out


def permutations(elements):
    """Uniform average over the listed permutations (all elements of a finite group)."""
    fixed = (np.asarray(elements) == np.arange(np.shape(elements)[1])).sum(axis=1).astype(complex)
    return fixed, fixed, np.full(len(elements), 1 / len(elements))


def symmetric(n):
    """S(n): one permutation per cycle type λ, weight ``1/z_λ`` (the class size over n!)."""
    perms, weights = [], []
    for lam in partitions(n):
        p, start, z = [], 0, 1
        for length, mult in sorted(lam.items()):
            z *= length ** mult * math.factorial(mult)
            for _ in range(mult):
                p += [start + (k + 1) % length for k in range(length)]
                start += length
        perms.append(p)
        weights.append(1 / z)
    return permutations(np.array(perms))[:2] + (np.array(weights),)


def finite_group(elements):
    """Uniform average over all elements ``(|G|, d, d)`` of a finite group, listed once each
    (:func:`symgen.algebra.groups.finite.elements`). The eigenvalues of an element of a
    finite group are roots of unity, so ``tr g⁻¹ = conj(tr g)``."""
    tr = np.trace(elements, axis1=1, axis2=2).astype(complex)
    return tr, np.conj(tr), np.full(len(elements), 1 / len(elements))


def product(rules):
    """Rule for a direct product: traces of block-diagonal elements add, weights multiply."""
    tr, tr_inv, w = rules[0]
    for tr2, tr_inv2, w2 in rules[1:]:
        tr = (tr[:, None] + tr2[None, :]).ravel()
        tr_inv = (tr_inv[:, None] + tr_inv2[None, :]).ravel()
        w = (w[:, None] * w2[None, :]).ravel()
    return tr, tr_inv, w
