"""Hypothesis strategies for equivariance tests: multivectors, versors, signatures, group elements.

>>> from hypothesis import given, settings
>>> from symgen import CliffordAlgebra
>>> alg = CliffordAlgebra((1, 1, 1))
>>> @settings(max_examples=5)
... @given(clifford_group_elements(alg, parity=0))
... def rotors_are_even(w):
...     assert abs(w[list(alg.grade_indices(1))]).max() < 1e-12
>>> rotors_are_even()

Drawn elements go straight to :func:`~symgen.testing.assert_equivariant`:

>>> from symgen.nn import MVLinear
>>> from symgen.testing import assert_equivariant
>>> layer = MVLinear(alg, 2, 2).double()
>>> @settings(max_examples=3)
... @given(clifford_group_elements(alg))
... def layer_is_equivariant(w):
...     assert assert_equivariant(layer, elements=w) < 1e-9
>>> layer_is_equivariant()
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, strategies as st
from hypothesis.extra.numpy import arrays

from .._validate import check_finite, check_int
from ..errors import GroupError, MetricError
from .equivariance import MAX_VERSOR_ENTRY

__all__ = ["multivectors", "vectors", "clifford_group_elements", "signatures", "group_elements"]


def _floats(dtype, bound):
    width = 32 if np.dtype(dtype) == np.float32 else 64
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=width)


def multivectors(alg, grades=None, dtype=np.float64, shape=(), bound: float = 3.0):
    """Arrays ``shape + (alg.dim,)`` with components only in ``grades`` (default all)."""
    if grades is not None:
        for k in np.atleast_1d(grades):
            alg.grade_indices(int(k) if isinstance(k, np.integer) else k)   # GradeError if out of range
    keep = np.ones(alg.dim, dtype=bool) if grades is None else np.isin(alg.grades, list(np.atleast_1d(grades)))
    return arrays(dtype, tuple(shape) + (alg.dim,), elements=_floats(dtype, bound)).map(
        lambda x: np.where(keep, x, 0).astype(dtype))


def vectors(alg, dtype=np.float64, min_norm: float = 0.25):
    """Grade-1 multivectors with ``|q(v)| >= min_norm`` (invertible, also when the metric is
    indefinite or degenerate)."""
    return multivectors(alg, grades=1, dtype=np.float64).filter(
        lambda v: abs(float(alg.norm_squared(v))) >= min_norm).map(lambda v: v.astype(dtype))


@st.composite
def clifford_group_elements(draw, alg, parity: int | None = None, max_factors: int = 4,
                            dtype=np.float64, max_entry: float | None = None):
    """Versors: products of 1..``max_factors`` invertible vectors, normalised to |w w̃| = 1.

    ``parity`` 0 keeps an even number of factors (rotors, ``SO``-like), 1 an odd number
    (reflections), None either. Indefinite metrics have boosts of any size, and round-off
    in ``f(g·x)`` grows with them; versors with an entry above ``max_entry`` are rejected
    (default: the checker's own bound for ``dtype``,
    :data:`~symgen.testing.equivariance.MAX_VERSOR_ENTRY`, 4 in float64 and 2 below).
    """
    if parity not in (None, 0, 1):
        raise GroupError(f"parity must be None, 0 (even versors) or 1 (odd), got {parity!r}")
    check_int(max_factors, "max_factors", GroupError)
    if max_entry is not None:
        check_finite(max_entry, "max_entry", GroupError, positive=True)
    count = draw(st.integers(1, max_factors))
    if parity is not None and count % 2 != parity:
        count = count + 1 if count < max_factors else count - 1
    if parity == 0 and count == 0:
        count = 2
    w = np.zeros(alg.dim)
    w[0] = 1.0
    for _ in range(count):
        w = alg.geometric_product(w, draw(vectors(alg)))
    w = w / np.sqrt(abs(float(alg.norm_squared(w))))
    bound = MAX_VERSOR_ENTRY[np.dtype(dtype) == np.float64] if max_entry is None else max_entry
    assume(np.abs(w).max() <= bound)
    return w.astype(dtype)


def signatures(max_n: int = 4, degenerate: bool = True, min_n: int = 1):
    """Diagonal metrics with entries in {1, -1} (and 0 when ``degenerate``)."""
    min_n = check_int(min_n, "min_n", MetricError)
    max_n = check_int(max_n, "max_n", MetricError, minimum=min_n)
    entries = (1, -1, 0) if degenerate else (1, -1)
    return st.lists(st.sampled_from(entries), min_size=min_n, max_size=max_n).map(tuple)


def group_elements(G):
    """Numeric elements ``(d, d)`` of a matrix group, drawn through ``G.sample`` from a
    Hypothesis seed; pass them to ``assert_equivariant(..., elements=g)``."""
    from ..algebra.groups.group import Group
    if not isinstance(G, Group):
        raise GroupError(f"group_elements needs a symgen group, got {G!r}")
    return st.integers(0, 2**32 - 1).map(lambda seed: np.asarray(G.sample(1, seed=seed))[0])
