"""Hypothesis properties of the Clifford ops, over random inputs and random signatures.

Random signatures use the torch backend (no compile step per algebra); the fixed list
of algebras runs through the Numba kernels as well.
"""

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from symgen import CliffordAlgebra

from tests.algebras import ALGEBRAS

SMALL = [a for a in ALGEBRAS if a.n <= 4]
_ALGEBRAS: dict = {}


def cached_algebra(diag):
    if diag not in _ALGEBRAS:
        _ALGEBRAS[diag] = CliffordAlgebra(diag)
    return _ALGEBRAS[diag]


signatures = st.lists(st.sampled_from((1, -1, 0)), min_size=1, max_size=4).map(tuple)


def mv_arrays(dim, batch=4):
    return arrays(np.float64, (batch, dim), elements=st.floats(-2, 2, allow_nan=False))


@st.composite
def algebra_and_inputs(draw, count=3, algebras=None):
    alg = draw(st.sampled_from(algebras)) if algebras else cached_algebra(draw(signatures))
    xs = [draw(mv_arrays(alg.dim)) for _ in range(count)]
    return alg, xs


def close(x, y, tol=1e-9):
    x, y = np.asarray(x), np.asarray(y)
    np.testing.assert_allclose(x, y, rtol=0, atol=tol * max(1.0, float(np.abs(y).max())))


@given(algebra_and_inputs())
def test_associative_and_distributive_random_signature(case):
    alg, (a, b, c) = case
    ta, tb, tc = map(torch.from_numpy, (a, b, c))
    gp = alg.geometric_product
    close(gp(gp(ta, tb), tc), gp(ta, gp(tb, tc)))
    close(gp(ta, tb + tc), gp(ta, tb) + gp(ta, tc))
    op = alg.outer_product
    close(op(op(ta, tb), tc), op(ta, op(tb, tc)))


@given(algebra_and_inputs(count=2))
def test_involutions_random_signature(case):
    alg, (a, b) = case
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    gp = alg.geometric_product
    close(alg.reverse(gp(ta, tb)), gp(alg.reverse(tb), alg.reverse(ta)))
    close(alg.clifford_conjugate(gp(ta, tb)), gp(alg.clifford_conjugate(tb), alg.clifford_conjugate(ta)))
    close(alg.grade_involution(gp(ta, tb)), gp(alg.grade_involution(ta), alg.grade_involution(tb)))
    close(alg.reverse(alg.reverse(ta)), ta)


@given(algebra_and_inputs(count=2, algebras=SMALL))
def test_numba_properties_fixed_algebras(case):
    alg, (a, b) = case
    gp = alg.geometric_product
    close(alg.reverse(gp(a, b)), gp(alg.reverse(b), alg.reverse(a)))
    close(alg.grade_involution(gp(a, b)), gp(alg.grade_involution(a), alg.grade_involution(b)))
    close(sum(alg.grade_projection(a, k) for k in range(alg.n + 1)), a)
    v = alg.grade_projection(a, 1)
    close(alg.outer_product(v, v), np.zeros_like(v))
    # a vector squares to its quadratic form
    close(gp(v, v)[:, 1:], np.zeros((len(v), alg.dim - 1)))
    close(alg.complement(alg.uncomplement(a)), a)
    if not alg.is_degenerate:
        close(alg.dual(alg.undual(a)), a)
        close(alg.undual(alg.dual(a)), a)
    # commutator is the antisymmetric half of the geometric product
    close(alg.commutator(a, b), (gp(a, b) - gp(b, a)) / 2)


@st.composite
def versors(draw, alg, factors=3):
    """Products of random vectors that are far from null (invertible)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    w = np.zeros(alg.dim)
    w[0] = 1.0
    for _ in range(draw(st.integers(1, factors))):
        while True:
            v = np.zeros(alg.dim)
            v[list(alg.grade_indices(1))] = rng.standard_normal(alg.n)
            if abs(alg.norm_squared(v)) > 0.3:
                break
        w = alg.geometric_product(w, v)
    return w


@given(st.data())
def test_sandwich_preserves_grades_and_quadratic_form(data):
    alg = data.draw(st.sampled_from(SMALL))
    w = data.draw(versors(alg))
    x = data.draw(mv_arrays(alg.dim, batch=3))
    y = alg.sandwich(w, x)
    for k in range(alg.n + 1):
        close(alg.grade_projection(y, k), alg.sandwich(w, alg.grade_projection(x, k)), 1e-7)
    v = alg.grade_projection(x, 1)
    close(alg.norm_squared(alg.sandwich(w, v)), alg.norm_squared(v), 1e-7)
    # the action is a homomorphism of the geometric product: rho(w)(ab) = rho(w)(a) rho(w)(b)
    a, b = x[:1], x[1:2]
    close(alg.sandwich(w, alg.geometric_product(a, b)),
          alg.geometric_product(alg.sandwich(w, a), alg.sandwich(w, b)), 1e-6)


@pytest.mark.parametrize("alg", SMALL, ids=str)
def test_symbolic_vector_square_is_quadratic_form(alg):
    x = alg.multivector("x", grades=1)
    xs = [x.values[q] for q in alg.grade_indices(1)]
    quadratic = sum(alg.metric[i, j] * xs[i] * xs[j] for i in range(alg.n) for j in range(alg.n))
    assert sympy.expand((x * x).simplify() - quadratic) == 0


def test_symbolic_metric_stays_symbolic():
    g = sympy.Symbol("g")
    alg = CliffordAlgebra((1, g))
    terms = {(k, i, j): c for k, i, j, c in alg.bilinear_ir("geometric_product").terms}
    assert terms[(0, 2, 2)] == g            # e1 e1 = g
    assert terms[(0, 3, 3)] == -g           # e01 e01 = -g
    numeric = alg.subs({g: -1})
    assert numeric.signature == (1, 1, 0)


def test_inverse_of_versor():
    alg = CliffordAlgebra((1, -1, -1, -1))
    rng = np.random.default_rng(0)
    v = np.zeros((2, alg.dim))
    v[:, 1:5] = rng.standard_normal((2, 4))
    w = alg.geometric_product(v[0], v[1])
    one = alg.geometric_product(w, alg.versor_inverse(w))
    close(one, np.eye(alg.dim)[0])
