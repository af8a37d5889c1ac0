"""Position–orientation space ``ℝⁿ × Sⁿ⁻¹`` (PONITA, Bekkers et al., ICLR 2024): the
invariants of point pairs, derived symbolically and certified by a dimension count, and the
orientation grids a PONITA network samples the sphere with.

A PONITA convolution splits into a *spatial* part (a point ``x_j`` seen from ``(x_i, o)``:
the invariants of ``(r = x_j − x_i, o)``) and a *spherical* part (two orientations ``o, o'``
at one point). :func:`pair_invariants` returns both as SymPy expressions and as
:class:`~symgen.codegen.ir.Pointwise` IR, with a :class:`InvariantCertificate` per part:
the expressions are G-invariant (Lie derivatives along every generator vanish
symbolically, discrete generators leave them unchanged) and there are exactly as many
functionally independent ones as the orbit space has dimensions (manifold dimension minus
the rank of the group's infinitesimal action at a generic point).

>>> from symgen import groups
>>> inv = pair_invariants(groups.SO(3))
>>> inv.spatial
(o0*r0 + o1*r1 + o2*r2, sqrt((o0*r1 - o1*r0)**2 + (o0*r2 - o2*r0)**2 + (o1*r2 - o2*r1)**2))
>>> inv.spatial_certificate
InvariantCertificate(invariants=2, manifold=5, orbit=3, complete=True)
>>> inv.spherical, inv.spherical_certificate.complete
((o0*p0 + o1*p1 + o2*p2,), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from ...codegen import Bilinear, Pointwise
from ...errors import GroupError
from .group import Group, MatrixGroup
from .steerable import check_orthogonal

__all__ = ["pair_invariants", "PairInvariants", "oriented_pair_invariants", "OrientedPairInvariants",
           "InvariantCertificate", "certify_invariants", "message_ir", "orbit_grid", "octahedral_rotations",
           "repulsion_grid"]


@dataclass(frozen=True)
class InvariantCertificate:
    """Dimension count of a set of invariants: ``complete`` when ``invariants`` equals
    ``manifold − orbit`` (functionally independent and as many as the orbit space has
    dimensions)."""

    invariants: int
    manifold: int
    orbit: int
    complete: bool


def _sphere_tangent(o: np.ndarray) -> np.ndarray:
    """An orthonormal basis (rows) of the tangent space of the sphere at the unit vector ``o``."""
    q, _ = np.linalg.qr(np.column_stack([o, np.eye(len(o))]))
    return q[:, 1:].T


def certify_invariants(G: Group, exprs, points, spheres=(), seed: int = 0) -> InvariantCertificate:
    """Check that ``exprs`` (SymPy expressions in the coordinates of the vector variables
    ``points``, each a tuple of n symbols; those listed in ``spheres`` are unit vectors) are
    invariant under ``G`` acting on every variable, and count them against the orbit space.

    Raises :class:`GroupError` when an expression is not invariant; ``complete`` in the
    result says whether they span the orbit space's dimensions (at a random point)."""
    n = G.d
    variables = [s for p in points for s in p]
    for A in G.lie_generators:
        flow = {s: sum(A[a, b] * p[b] for b in range(n)) for p in points for a, s in enumerate(p)}
        for e in exprs:
            lie = sum(sympy.diff(e, s) * v for s, v in flow.items())
            if sympy.simplify(lie) != 0:
                raise GroupError(f"{e} is not invariant under {G}: its Lie derivative along {A.tolist()} is {lie}")
    for g in G.discrete_generators:
        moved = {s: sum(g[a, b] * p[b] for b in range(n)) for p in points for a, s in enumerate(p)}
        for e in exprs:
            if sympy.simplify(e.xreplace(moved) - e) != 0:
                raise GroupError(f"{e} is not invariant under the generator {g.tolist()} of {G}")
    rng = np.random.default_rng(seed)
    values = {}
    tangent = []                          # rows: a basis of the manifold's tangent space
    for q, p in enumerate(points):
        v = rng.standard_normal(n)
        if p in spheres:
            v /= np.linalg.norm(v)
        values.update(zip(p, v))
        basis = _sphere_tangent(v) if p in spheres else np.eye(n)
        for row in basis:
            t = np.zeros(len(variables))
            t[q * n:(q + 1) * n] = row
            tangent.append(t)
    tangent = np.array(tangent)
    point = np.array([values[s] for s in variables])
    action = np.array([np.concatenate([np.array(A, dtype=float) @ point[q * n:(q + 1) * n]
                                       for q in range(len(points))]) for A in G.lie_generators]).reshape(-1, len(variables))
    orbit = int(np.linalg.matrix_rank(action)) if len(action) else 0
    jac = np.array([[float(sympy.diff(e, s).subs(values)) for s in variables] for e in exprs])
    independent = int(np.linalg.matrix_rank(jac @ tangent.T, tol=1e-9))
    manifold = len(tangent)
    return InvariantCertificate(len(exprs), manifold, orbit,
                                independent == len(exprs) == manifold - orbit)


@dataclass(frozen=True)
class PairInvariants:
    """The spatial invariants of ``(r, o)`` and the spherical ones of ``(o, p)``, with their
    certificates and their Pointwise IR (inputs ``r0.., o0..`` and ``o0.., p0..``)."""

    G: Group
    r: tuple
    o: tuple
    p: tuple
    spatial: tuple
    spherical: tuple
    spatial_certificate: InvariantCertificate
    spherical_certificate: InvariantCertificate

    def spatial_ir(self) -> Pointwise:
        return Pointwise("ponita_spatial", self.r + self.o, self.spatial,
                         doc=f"invariants of (r, o) under {self.G}")

    def spherical_ir(self) -> Pointwise:
        return Pointwise("ponita_spherical", self.o + self.p, self.spherical,
                         doc=f"invariants of two orientations under {self.G}")


def _spatial(G: Group, r, o) -> tuple:
    """``o·r`` and the length of ``r``'s component orthogonal to ``o`` (for ``SO(2)``, its signed
    length ``o × r``, which tells the two sides of ``o`` apart)."""
    n = G.d
    along = sum(a * b for a, b in zip(o, r))
    connected_plane = n == 2 and not G.discrete_generators
    # |r|² − (o·r)² written as Lagrange's sum of squares (|o| = 1): never negative in floats
    across = o[0] * r[1] - o[1] * r[0] if connected_plane else sympy.sqrt(
        sum((o[a] * r[b] - o[b] * r[a]) ** 2 for a in range(n) for b in range(a + 1, n)))
    return along, across


def _symbols(G: Group) -> tuple:
    check_orthogonal(G)
    if G.d < 2:
        raise GroupError(f"position–orientation space needs n ≥ 2; {G} acts on ℝ^{G.d}")
    return tuple(sympy.symbols(f"{c}0:{G.d}", real=True) for c in "rop")


def pair_invariants(G: Group) -> PairInvariants:
    """The PONITA invariants for ``G ⊂ O(n)`` acting on ``ℝⁿ × Sⁿ⁻¹``: ``o·r`` and the length of
    ``r``'s component orthogonal to ``o`` (for ``SO(2)``, its signed length ``o × r``, which
    tells the two sides of ``o`` apart), and ``o·p`` for two orientations; both certified."""
    r, o, p = _symbols(G)
    spatial, spherical = _spatial(G, r, o), (sum(a * b for a, b in zip(o, p)),)
    return PairInvariants(G, r, o, p, spatial, spherical,
                          certify_invariants(G, spatial, [r, o], spheres=[o]),
                          certify_invariants(G, spherical, [o, p], spheres=[o, p]))


@dataclass(frozen=True)
class OrientedPairInvariants:
    """The invariants of an oriented point ``(x, o)`` receiving from ``(x + r, p)``, with their
    certificate and their Pointwise IR (inputs ``r0.., o0.., p0..``)."""

    G: Group
    r: tuple
    o: tuple
    p: tuple
    exprs: tuple
    certificate: InvariantCertificate

    def ir(self) -> Pointwise:
        return Pointwise("ponita_oriented_pair", self.r + self.o + self.p, self.exprs,
                         doc=f"invariants of two oriented points under {self.G}")


def oriented_pair_invariants(G: Group) -> OrientedPairInvariants:
    """The invariants of two points of ``ℝⁿ × Sⁿ⁻¹``, ``(x, o)`` and ``(x + r, p)``, under ``G``
    (PONITA's grid-free variant, where every point has its own orientation): the spatial
    pair ``o·r`` and ``|r ⊥ o|`` (signed for ``SO(2)``), ``o·p``, and for ``n ≥ 3`` also ``p·r``
    (the orbit space of ``(r, o, p)`` has ``3n − 2 − (3n − 6) = 4`` dimensions for ``n ≥ 3``, 3
    in the plane); certified by the dimension count. For ``n ≥ 3`` they are entries of the Gram
    matrix of ``(r, o, p)``, so they also cannot tell a pair from its mirror image: under
    ``SO(n)`` the count is complete, but chirality (a discrete piece of the orbit space) is
    not seen.

    >>> from symgen import groups
    >>> inv = oriented_pair_invariants(groups.O(3))
    >>> inv.exprs[2:]
    (o0*p0 + o1*p1 + o2*p2, p0*r0 + p1*r1 + p2*r2)
    >>> inv.certificate
    InvariantCertificate(invariants=4, manifold=7, orbit=3, complete=True)
    """
    r, o, p = _symbols(G)
    exprs = _spatial(G, r, o) + (sum(a * b for a, b in zip(o, p)),)
    if G.d >= 3:
        exprs += (sum(a * b for a, b in zip(p, r)),)
    return OrientedPairInvariants(G, r, o, p, exprs, certify_invariants(G, exprs, [r, o, p], spheres=[o, p]))


def message_ir(channels: int) -> Bilinear:
    """PONITA's depthwise message ``(k, f) ↦ k ⊙ f``: a kernel value per channel times the
    sender's feature in that channel, as the two-input IR that
    :func:`symgen.codegen.runtime.message_op` gathers and sums over edges.

    >>> message_ir(3).terms
    ((0, 0, 0, 1), (1, 1, 1, 1), (2, 2, 2, 1))
    """
    if not isinstance(channels, (int, np.integer)) or isinstance(channels, bool) or channels < 1:
        raise GroupError(f"a PONITA message needs an integer channel count ≥ 1, got {channels!r}")
    c = int(channels)
    return Bilinear(f"ponita_message{c}", c, c, c, tuple((k, k, k, 1) for k in range(c)),
                    doc=f"depthwise PONITA message over {c} channels")


def octahedral_rotations() -> Group:
    """The 24 rotations of the cube (the rotation octahedral group), declared by two exact
    quarter turns: a finite subgroup of SO(3) whose orbit grids make PONITA exactly
    equivariant under it.

    >>> octahedral_rotations().order()
    24
    """
    def quarter_turn(i, j):             # the rotation by π/2 taking axis i to axis j
        m = sympy.eye(3)
        m[i, i] = m[j, j] = 0
        m[j, i], m[i, j] = 1, -1
        return m
    return MatrixGroup(discrete_generators=[quarter_turn(0, 1), quarter_turn(1, 2)])


def orbit_grid(G: Group, start=None) -> np.ndarray:
    """The orbit of the unit vector ``start`` (default: the first axis) under the finite
    group ``G``, as rows: a grid on which ``G`` acts by permutations, so a PONITA network on it
    is exactly ``G``-equivariant.

    >>> orbit_grid(octahedral_rotations()).shape          # the 6 face centres ±e_i
    (6, 3)
    >>> orbit_grid(octahedral_rotations(), start=[1.0, 2.0, 3.0]).shape   # a generic start: 24
    (24, 3)
    """
    if not G.is_finite:
        raise GroupError(f"an orbit grid needs a finite group; {G} is not finite")
    v = np.eye(G.d)[0] if start is None else np.asarray(start, dtype=float)
    v = v / np.linalg.norm(v)
    points = np.asarray(G.elements(), dtype=float) @ v
    keep = []
    for x in points:
        if not any(np.allclose(x, y, atol=1e-9) for y in keep):
            keep.append(x)
    return np.array(keep)


def repulsion_grid(count: int, dim: int = 3, steps: int = 300, seed: int = 0) -> np.ndarray:
    """``count`` nearly uniform unit vectors in ``ℝ^dim``: random starts pushed apart by
    gradient steps on the Coulomb energy ``Σ 1/|x_a − x_b|`` (deterministic for a seed).

    >>> grid = repulsion_grid(12)
    >>> grid.shape, bool(np.allclose(np.linalg.norm(grid, axis=1), 1))
    ((12, 3), True)
    """
    if not isinstance(count, (int, np.integer)) or count < 2:
        raise GroupError(f"a sphere grid needs an integer count ≥ 2, got {count!r}")
    x = np.random.default_rng(seed).standard_normal((count, dim))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    step = 0.1 / count
    for _ in range(steps):
        d = x[:, None] - x[None]
        dist = np.linalg.norm(d, axis=-1) + np.eye(count)
        force = (d / dist[..., None] ** 3).sum(1)
        force -= (force * x).sum(1, keepdims=True) * x          # along the sphere
        x = x + step * force / max(1.0, float(np.abs(force).max()) * step * count)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x
