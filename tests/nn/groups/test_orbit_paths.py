"""Bilinear paths on orbit bases against the dense contraction of the same basis."""

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

from symgen.nn.groups.orbit_paths import OrbitPath


def dense_basis(label, value):
    k = len(value)
    B = np.zeros((k,) + label.shape)
    for m in range(k):
        B[m][label == m] = value[m]
    return B


shapes = st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("order", ["gather", "segment"])
@given(shape=shapes, channels=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
       k=st.integers(1, 5), seed=st.integers(0, 2 ** 16))
def test_orbit_path_equals_the_dense_contraction(order, dtype, shape, channels, k, seed):
    rng = np.random.default_rng(seed)
    label = rng.integers(-1, k, size=shape)
    value = rng.uniform(0.5, 2, size=k)
    nc, na, nb = channels
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        W = torch.randn(nc, na, nb, k, dtype=dtype, requires_grad=True)
        xa = torch.randn(2, 3, na, shape[1], dtype=dtype, requires_grad=True)
        xb = torch.randn(2, 3, nb, shape[2], dtype=dtype, requires_grad=True)
    path = OrbitPath(label, value, nc, na, nb, order=order).to(dtype)
    y = path(W, xa, xb)
    B = torch.tensor(dense_basis(label, value), dtype=dtype)
    ref = torch.einsum("cabk,kopq,...ap,...bq->...co", W, B, xa, xb)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == torch.float32 else dict(rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(y, ref, **tol)
    g = torch.randn_like(y)
    grads = torch.autograd.grad(y, (W, xa, xb), g)
    refs = torch.autograd.grad(ref, (W, xa, xb), g)
    for a, b in zip(grads, refs):
        torch.testing.assert_close(a, b, **tol)


def test_orbit_path_refuses_an_unknown_order():
    from symgen.errors import RepresentationError
    with pytest.raises(RepresentationError, match="order"):
        OrbitPath(np.zeros((1, 2, 2), dtype=int), np.ones(1), 1, 1, 1, order="fast")
