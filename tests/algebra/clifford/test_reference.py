"""Every Clifford op against kingdon and clifford (diagonal metrics) and galgebra
(non-diagonal), on fresh random inputs in float64 and float32.

Conventions: symgen orders blades by grade then lexicographically, ``(i, j)`` meaning
``e_i ∧ e_j``; blade bitmasks agree with kingdon's keys (bit i = e_i, null vectors first
when built with ``from_signature``). clifford is given the same explicit signature, so
its blade order is the same. ``dual`` is kingdon's polarity (``x I⁻¹``) for a
non-degenerate metric and its Hodge dual (our metric-free complement) otherwise; the
regressive product matches kingdon's ``rp``.
"""

import builtins

import clifford
import numpy as np
import pytest
import sympy
from kingdon import Algebra
from sympy.printing.defaults import Printable

# galgebra rebinds SymPy's ``repr`` and ``builtins.print`` for the whole process on import;
# undo that, or every later doctest that shows a SymPy result fails in the full run.
_PRINTING = Printable.__repr__, builtins.print
from galgebra.ga import Ga  # noqa: E402
Printable.__repr__, builtins.print = _PRINTING

from symgen import CliffordAlgebra

from tests.algebras import NONDIAGONAL, SIGNATURES, algebra, diagonal

BILINEAR = {  # symgen name -> kingdon name
    "geometric_product": "gp", "outer_product": "op", "left_contraction": "lc",
    "right_contraction": "rc", "scalar_product": "sp", "commutator": "cp",
    "regressive_product": "rp", "inner_product": "ip",
}
UNARY = {"reverse": "reverse", "grade_involution": "involute",
         "clifford_conjugate": "conjugate", "complement": "hodge"}
TOL = {np.float64: 1e-11, np.float32: 2e-4}


def _keys(alg):
    return tuple(sum(1 << i for i in b) for b in alg.blades)


def to_kingdon(kalg, alg, arr):
    return kalg.multivector(values=arr.T.astype(np.float64).copy(), keys=_keys(alg))


def from_kingdon(alg, mv, n):
    out = np.zeros((n, alg.dim))
    index = {k: q for q, k in enumerate(_keys(alg))}
    for key, value in zip(mv.keys(), mv.values()):
        out[:, index[key]] = value
    return out


def _inputs(alg, dtype, n=16, seed=None):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, alg.dim)).astype(dtype),
            rng.standard_normal((n, alg.dim)).astype(dtype))


def _close(ours, ref, dtype):
    scale = max(1.0, float(np.abs(ref).max()))
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, ref, rtol=0, atol=TOL[dtype] * scale)


#: float32 on a subset: each (algebra, op, dtype) is a separate Numba compilation.
CASES = [(s, np.float64) for s in SIGNATURES] + [(s, np.float32) for s in SIGNATURES[3:6]]
CASE_IDS = [f"{s}-{'f64' if d is np.float64 else 'f32'}" for s, d in CASES]


@pytest.mark.parametrize("sig, dtype", CASES, ids=CASE_IDS)
def test_against_kingdon(sig, dtype):
    alg, kalg = algebra(sig), Algebra(signature=list(diagonal(sig)))
    a, b = _inputs(alg, dtype)
    ka, kb = to_kingdon(kalg, alg, a), to_kingdon(kalg, alg, b)
    for ours, theirs in BILINEAR.items():
        _close(getattr(alg, ours)(a, b), from_kingdon(alg, getattr(kalg, theirs)(ka, kb), len(a)), dtype)
    for ours, theirs in UNARY.items():
        _close(getattr(alg, ours)(a), from_kingdon(alg, getattr(kalg, theirs)(ka), len(a)), dtype)
    dual = "hodge" if sig[2] else "polarity"
    _close(alg.dual(a), from_kingdon(alg, getattr(kalg, dual)(ka), len(a)), dtype)


@pytest.mark.parametrize("sig, dtype", CASES, ids=CASE_IDS)
def test_against_clifford(sig, dtype):
    alg = algebra(sig)
    layout, _ = clifford.Cl(sig=list(diagonal(sig)))
    assert [tuple(b) for b in layout.bladeTupList] == [tuple(i + 1 for i in b) for b in alg.blades]
    a, b = _inputs(alg, dtype, n=8)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    for ours, fn in (("geometric_product", layout.gmt_func), ("outer_product", layout.omt_func),
                     ("left_contraction", layout.lcmt_func)):
        ref = np.array([fn(x, y) for x, y in zip(a64, b64)])
        _close(getattr(alg, ours)(a, b), ref, dtype)
    mvs = [layout.MultiVector(x) for x in a64]
    _close(alg.reverse(a), np.array([(~m).value for m in mvs]), dtype)
    _close(alg.grade_involution(a), np.array([m.gradeInvol().value for m in mvs]), dtype)
    _close(alg.clifford_conjugate(a), np.array([m.conjugate().value for m in mvs]), dtype)
    for k in range(alg.n + 1):
        _close(alg.grade_projection(a, k), np.array([m(k).value for m in mvs]), dtype)


def _galgebra_table(metric):
    n = metric.rows
    ga = Ga(" ".join(f"e_{i}" for i in range(n)), g=metric)
    return [b for grade in ga.mv_blades for b in grade]


@pytest.mark.parametrize("metric", NONDIAGONAL, ids=lambda m: str(m.tolist()))
def test_nondiagonal_against_galgebra(metric):
    """Exact Cayley tables of geometric, outer and left-contraction products."""
    alg = CliffordAlgebra(metric)
    basis = _galgebra_table(metric)
    assert [str(b) for b in basis[1:alg.n + 1]] == [f"e_{i}" for i in range(alg.n)]
    ops = {"geometric_product": lambda x, y: x * y, "outer_product": lambda x, y: x ^ y,
           "left_contraction": lambda x, y: x < y, "right_contraction": lambda x, y: x > y}
    for op, fn in ops.items():
        table = np.zeros((alg.dim, alg.dim, alg.dim), dtype=object)
        for k, i, j, c in alg.bilinear_ir(op).terms:
            table[i, j, k] = c
        for i in range(alg.dim):
            for j in range(alg.dim):
                ref = fn(basis[i], basis[j]).blade_coefs(basis)
                assert [sympy.simplify(v) for v in ref] == list(table[i, j]), (op, i, j)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("metric", NONDIAGONAL[:2], ids=lambda m: str(m.tolist()))
def test_nondiagonal_numeric_against_galgebra(metric, dtype):
    """Numeric kernels of a non-diagonal metric on random inputs vs galgebra's products."""
    alg = CliffordAlgebra(metric)
    basis = _galgebra_table(metric)
    a, b = _inputs(alg, dtype, n=3)
    ours = alg.geometric_product(a, b)
    for q in range(len(a)):
        x = sum((sympy.Float(float(v)) * e for v, e in zip(a[q], basis)), basis[0] * 0)
        y = sum((sympy.Float(float(v)) * e for v, e in zip(b[q], basis)), basis[0] * 0)
        ref = np.array([float(v) for v in (x * y).blade_coefs(basis)])
        _close(ours[q:q + 1], ref[None], dtype)


def test_large_algebra_uses_table_kernels_and_matches_clifford():
    """Cl(4,2): 4096 terms, above the unroll limit: Numba and NumPy run table-driven code,
    torch contracts the dense 64³ tensor."""
    import torch

    alg = CliffordAlgebra.from_signature(4, 2)
    layout, _ = clifford.Cl(sig=list(diagonal((4, 2, 0))))
    a, b = _inputs(alg, np.float64, n=4)
    ref = np.array([layout.gmt_func(x, y) for x, y in zip(a, b)])
    for backend in ("numba", "numpy"):
        _close(alg.geometric_product(a, b, backend=backend), ref, np.float64)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    for backend, strategy in (("numba", "table"), ("torch", "dense")):
        _close(alg.geometric_product(ta, tb, backend=backend).numpy(), ref, np.float64)
        assert alg.kernel("geometric_product", like=ta, backend=backend).strategy == strategy


def test_n8_associativity():
    alg = CliffordAlgebra.from_signature(5, 3)
    a, b, c = np.random.default_rng().standard_normal((3, 2, alg.dim))
    gp = alg.geometric_product
    np.testing.assert_allclose(gp(gp(a, b), c), gp(a, gp(b, c)), atol=1e-9)


@pytest.mark.parametrize("sig", [s for s in SIGNATURES if sum(s) <= 4], ids=str)
def test_sandwich_against_kingdon(sig):
    """For an even versor R: sandwich(R, x) = R x R̃ / (R R̃), computed with kingdon's products."""
    alg, kalg = algebra(sig), Algebra(signature=list(diagonal(sig)))
    rng = np.random.default_rng()
    vectors = np.zeros((2, alg.dim))
    for v in vectors:
        while abs(alg.norm_squared(v)) < 0.3:
            v[list(alg.grade_indices(1))] = rng.standard_normal(alg.n)
    rotor = alg.geometric_product(vectors[0], vectors[1])
    x = rng.standard_normal((5, alg.dim))
    even = [q for q, g in enumerate(alg.grades) if g % 2 == 0]
    kr = kalg.multivector(values=rotor[even], keys=tuple(_keys(alg)[q] for q in even))
    _close(alg.geometric_product(rotor, alg.versor_inverse(rotor)), np.eye(alg.dim)[0], np.float64)
    kx = to_kingdon(kalg, alg, x)
    norm = from_kingdon(alg, kalg.gp(kr, kalg.reverse(kr)), 1)[0, 0]
    ref = from_kingdon(alg, kalg.gp(kalg.gp(kr, kx), kalg.reverse(kr)), len(x)) / norm
    _close(alg.sandwich(rotor, x), ref, np.float64)
