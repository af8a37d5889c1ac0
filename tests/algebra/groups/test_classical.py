"""Groups declared by their generators are recognised as classical groups and get their shortcuts."""

import time

import numpy as np
import pytest
import sympy

from symgen import groups, reps
from symgen.algebra.groups.classical import classical_quadrature, recognise
from symgen.algebra.groups.equivariance import certificate, constraint_error, equivariant_basis

NAMED = [(groups.Sp(4), "symplectic"), (groups.SO(1, 2), "orthogonal"), (groups.SO(3), "orthogonal"),
         (groups.O(3), "orthogonal"), (groups.O(1, 3), "orthogonal"), (groups.SO(1, 3), "orthogonal"),
         (groups.SO(2), "orthogonal"), (groups.GL(2), "general_linear"), (groups.SL(3), "special_linear")]


def _user(G):
    return groups.MatrixGroup(lie_generators=G.lie_generators, discrete_generators=G.discrete_generators)


@pytest.mark.parametrize("G, kind", NAMED, ids=[str(G) for G, _ in NAMED])
def test_a_user_declaration_matches_the_named_group(G, kind):
    U = _user(G)
    assert recognise(U).kind == kind
    for k_in, k_out in ((1, 1), (2, 1), (2, 2), (3, 1)):
        Vu, Vn = reps.V(U), reps.V(G)
        B = equivariant_basis(Vu ** k_in, Vu ** k_out, certify=True)
        assert len(B) == len(equivariant_basis(Vn ** k_in, Vn ** k_out))
        assert constraint_error(B, Vu ** k_in, Vu ** k_out) < 1e-12
        assert certificate(Vu ** k_in, Vu ** k_out).method == "characters"


def test_exact_bases_of_a_recognised_group_solve_the_constraints_exactly():
    U = _user(groups.SO(1, 2))
    V = reps.V(U)
    basis = equivariant_basis(V ** 2, V, exact=True)
    assert len(basis) == 1
    for W in basis:
        for A in U.lie_generators:
            assert V.drho(A) * sympy.Matrix(W) - sympy.Matrix(W) * (V ** 2).drho(A) == sympy.zeros(3, 9)


def test_a_user_symplectic_group_is_as_fast_as_the_named_one():
    U = groups.MatrixGroup(lie_generators=groups.Sp(4).lie_generators)    # was 154 s by the dense null space
    V = reps.V(U)
    t = time.perf_counter()
    assert len(equivariant_basis(V ** 3, V ** 3)) == 14
    assert time.perf_counter() - t < 3


def test_a_reflection_removes_the_levi_civita_invariants():
    boost = sympy.Matrix([[0, 1], [1, 0]])
    plus = groups.MatrixGroup(lie_generators=[boost])
    full = groups.MatrixGroup(lie_generators=[boost], discrete_generators=[sympy.diag(1, -1)])
    assert recognise(plus).special and not recognise(full).special
    assert len(equivariant_basis(reps.V(plus), reps.V(plus))) == 2       # δ and ε
    assert len(equivariant_basis(reps.V(full), reps.V(full))) == 1


def test_a_form_in_other_coordinates_is_found():
    P = sympy.Matrix([[1, 1, 0], [0, 1, 0], [0, 0, 2]])                 # so(3) conjugated by P
    gens = [P * A * P.inv() for A in groups.SO(3).lie_generators]
    U = groups.MatrixGroup(lie_generators=gens)
    J = recognise(U).form
    assert all((A.T * J + J * A).is_zero_matrix for A in gens) and J.det() != 0
    V = reps.V(U)
    B = equivariant_basis(V ** 2, V ** 2, certify=True)
    assert len(B) == 3 and constraint_error(B, V ** 2, V ** 2) < 1e-12


@pytest.mark.parametrize("G", [
    groups.MatrixGroup(lie_generators=groups.SE(2).lie_generators),                      # degenerate form
    groups.MatrixGroup(lie_generators=groups.SO(3).lie_generators, discrete_generators=[2 * sympy.eye(3)]),
    groups.MatrixGroup(lie_generators=groups.SL(2).lie_generators, discrete_generators=[sympy.diag(-1, 1)]),
    groups.MatrixGroup(lie_generators=[sympy.Matrix([[0, 1, 0], [0, 0, 0], [0, 0, 0]]),   # Heisenberg
                                       sympy.Matrix([[0, 0, 0], [0, 0, 1], [0, 0, 0]]),
                                       sympy.Matrix([[0, 0, 1], [0, 0, 0], [0, 0, 0]])]),
    groups.MatrixGroup(discrete_generators=groups.D(4).discrete_generators),
], ids=["SE(2)", "scaled", "SL(2)-det-1", "heisenberg", "finite"])
def test_other_groups_are_not_recognised(G):
    assert recognise(G) is None and classical_quadrature(G, 2) is None


def test_the_compact_forms_rule_integrates_to_one():
    tr, tr_inv, w = classical_quadrature(_user(groups.Sp(4)), 4)
    assert abs(w.sum() - 1) < 1e-12 and tr.shape == w.shape
