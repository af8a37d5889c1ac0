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

from ...codegen import Pointwise
from ...errors import GroupError
from .group import Group, MatrixGroup
from .steerable import check_orthogonal

__all__ = ["pair_invariants", "PairInvariants", "InvariantCertificate", "certify_invariants", "orbit_grid",
           "octahedral_rotations", "repulsion_grid"]


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


def pair_invariants(G: Group) -> PairInvariants:
    """The PONITA invariants for ``G ⊂ O(n)`` acting on ``ℝⁿ × Sⁿ⁻¹``: ``o·r`` and the length of
    ``r``'s component orthogonal to ``o`` (for ``SO(2)``, its signed length ``o × r``, which
    tells the two sides of ``o`` apart), and ``o·p`` for two orientations; both certified."""
    check_orthogonal(G)
    n = G.d
    if n < 2:
        raise GroupError(f"position–orientation space needs n ≥ 2; {G} acts on ℝ^{n}")
    r, o, p = (sympy.symbols(f"{c}0:{n}", real=True) for c in "rop")
    along = sum(a * b for a, b in zip(o, r))
    connected_plane = n == 2 and not G.discrete_generators
    # |r|² − (o·r)² written as Lagrange's sum of squares (|o| = 1): never negative in floats
    across = o[0] * r[1] - o[1] * r[0] if connected_plane else sympy.sqrt(
        sum((o[a] * r[b] - o[b] * r[a]) ** 2 for a in range(n) for b in range(a + 1, n)))
    spatial, spherical = (along, across), (sum(a * b for a, b in zip(o, p)),)
    return PairInvariants(G, r, o, p, spatial, spherical,
                          certify_invariants(G, spatial, [r, o], spheres=[o]),
                          certify_invariants(G, spherical, [o, p], spheres=[o, p]))


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
