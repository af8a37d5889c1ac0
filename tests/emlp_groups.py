"""The groups of EMLP's test matrix (mfinzi/equivariant-MLP, tests/equivariance_tests.py and the
issue's list), declared in symgen: named groups where symgen has them, ``MatrixGroup`` from
generators (as a user would declare them) for SO(1,1)⁺, SO(1,3)⁺, the cube, the Rubik's cube and
ℤₖ⋉(ℤₙ×ℤₙ). The permutation generators are built here from the geometry (sticker positions
rotated by quarter turns), not copied; their group orders are checked in the tests.

``EMLP_GROUPS`` maps an id (EMLP's name for the group, with its ``d``) to a zero-argument builder.
"""

import itertools

import numpy as np
import sympy

from symgen import groups


def _perm_matrix(p):
    m = sympy.zeros(len(p), len(p))
    for i, j in enumerate(p):
        m[j, i] = 1          # e_i -> e_p(i)
    return m


def _quarter_turn(axis):
    """Integer 3x3 rotation by +90° about coordinate axis 0, 1 or 2."""
    R = np.eye(3, dtype=int)
    a, b = [k for k in range(3) if k != axis]
    R[[a, a, b, b], [a, b, a, b]] = [0, -1, 1, 0]
    return R


def _permutation(points, move):
    index = {tuple(p): i for i, p in enumerate(points)}
    return [index[tuple(move(np.array(p)))] for p in points]


def cube_faces():
    """The 24 rotations of a cube permuting its 6 faces (quarter turns about two axes)."""
    faces = [tuple(s * np.eye(3, dtype=int)[k]) for k in range(3) for s in (1, -1)]
    gens = [_permutation(faces, lambda p, R=_quarter_turn(a): R @ p) for a in (0, 2)]
    return groups.MatrixGroup(discrete_generators=[_perm_matrix(p) for p in gens])


def rubiks_cube():
    """The Rubik's cube group on its 48 moving facelets: a facelet is (cubie position, outward
    normal); a quarter turn of the face with normal n rotates every facelet of a cubie with
    position · n = 1 by 90° about n."""
    facelets = []
    for pos in itertools.product((-1, 0, 1), repeat=3):
        if sum(map(abs, pos)) < 2:          # centres and the core do not move
            continue
        for k in range(3):
            if pos[k]:
                normal = [0, 0, 0]
                normal[k] = pos[k]
                facelets.append(tuple(pos) + tuple(normal))
    gens = []
    for k in range(3):
        for s in (1, -1):
            R = _quarter_turn(k) if s > 0 else _quarter_turn(k).T

            def move(f, k=k, s=s, R=R):
                pos, normal = f[:3], f[3:]
                return np.concatenate([R @ pos, R @ normal]) if pos[k] == s else f
            gens.append(_permutation(facelets, move))
    return groups.MatrixGroup(discrete_generators=[_perm_matrix(p) for p in gens])


def rotations_and_translations(k, n):
    """ℤₖ⋉(ℤₙ×ℤₙ) on k·n² coordinates (orientation r, pixel x, y): the two cyclic translations,
    and the rotation of the grid by 360°/k that also shifts the orientation channel."""
    points = [(r, x, y) for r in range(k) for x in range(n) for y in range(n)]

    def rot(p):
        r, x, y = p
        for _ in range(4 // k):
            x, y = n - 1 - y, x
        return ((r + 1) % k, x, y)
    gens = [_permutation(points, lambda p: (p[0], (p[1] + 1) % n, p[2])),
            _permutation(points, lambda p: (p[0], p[1], (p[2] + 1) % n)),
            _permutation(points, rot)]
    return groups.MatrixGroup(discrete_generators=[_perm_matrix(p) for p in gens])


def lorentz_identity_component(p, q):
    """SO⁺(p, q) declared by its Lie algebra alone (rotations and boosts)."""
    d, eta = p + q, [1] * p + [-1] * q
    gens = []
    for i in range(d):
        for j in range(i + 1, d):
            A = sympy.zeros(d, d)
            A[i, j], A[j, i] = 1, -eta[i] * eta[j]
            gens.append(A)
    return groups.MatrixGroup(lie_generators=gens)


EMLP_GROUPS = {
    **{f"SO({n})": (lambda n=n: groups.SO(n)) for n in (2, 3, 4)},
    **{f"O({n})": (lambda n=n: groups.O(n)) for n in (2, 3, 4)},
    **{f"SU({n})": (lambda n=n: groups.SU(n)) for n in (2, 3, 4)},
    **{f"U({n})": (lambda n=n: groups.U(n)) for n in (2, 3, 4)},
    **{f"SL({n})": (lambda n=n: groups.SL(n)) for n in (2, 3, 4)},
    **{f"GL({n})": (lambda n=n: groups.GL(n)) for n in (2, 3, 4)},
    **{f"C({k})": (lambda k=k: groups.C(k)) for k in (2, 3, 4, 8)},
    **{f"D({k})": (lambda k=k: groups.D(k, action="plane")) for k in (2, 3, 4, 8)},
    **{f"S({n})": (lambda n=n: groups.S(n)) for n in (2, 4, 6)},
    **{f"Z({n})": (lambda n=n: groups.Z(n)) for n in (2, 4, 6)},
    "SO(1,1)+": lambda: lorentz_identity_component(1, 1),
    "SO(1,3)+": lambda: lorentz_identity_component(1, 3),
    "SO(1,3)": lambda: groups.SO(1, 3),
    "O(1,3)": lambda: groups.O(1, 3),
    "Sp(2)": lambda: groups.Sp(2),
    "Sp(6)": lambda: groups.Sp(6),
    "Cube": cube_faces,
    "RubiksCube": rubiks_cube,
    "Z2⋉(Z3×Z3)": lambda: rotations_and_translations(2, 3),
    "Z4⋉(Z3×Z3)": lambda: rotations_and_translations(4, 3),
}

#: Orders of the finite groups declared from generators, known independently.
ORDERS = {"Cube": 24, "RubiksCube": 43252003274489856000, "Z2⋉(Z3×Z3)": 18, "Z4⋉(Z3×Z3)": 36}
