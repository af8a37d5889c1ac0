"""Message passing kernels (``codegen.runtime.MessageOp``): gather · op · scatter over an edge
list, against a plain torch reference, with gradients, under ``torch.compile``, on numpy."""

import pickle

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as hs

from symgen.codegen.ir import Bilinear, Linear
from symgen.codegen.runtime import MessageOp, message_op
from symgen.errors import CodegenError


def matvec(n_out: int, n_in: int, name: str = "matvec") -> Bilinear:
    """``out = W x`` with ``W`` (n_out × n_in) flattened row-major as the first input."""
    return Bilinear(name, n_out, n_out * n_in, n_in,
                    tuple((o, o * n_in + i, i, 1) for o in range(n_out) for i in range(n_in)))


def reference(w, x, src, dst, nodes, n_out):
    msg = torch.einsum("eoi,ei->eo", w.reshape(len(w), n_out, -1), x[src])
    return torch.zeros(nodes, n_out, dtype=x.dtype).index_add(0, dst, msg)


def graph(seed, nodes=7, edges=20, n_out=3, n_in=4, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    src, dst = torch.randint(nodes, (edges,), generator=g), torch.randint(nodes, (edges,), generator=g)
    w = torch.randn(edges, n_out * n_in, generator=g, dtype=dtype)
    x = torch.randn(nodes, n_in, generator=g, dtype=dtype)
    return w, x, src, dst


OP = MessageOp(matvec(3, 4))


@pytest.mark.parametrize("backend", ["numba", "torch"])
@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-12), (torch.float32, 1e-5)])
@settings(max_examples=5)
@given(seed=hs.integers(0, 10**6))
def test_matches_gather_einsum_index_add(backend, dtype, tol, seed):
    w, x, src, dst = graph(seed, dtype=dtype)
    out = OP(w, x, src, dst, num_nodes=7, backend=backend)
    torch.testing.assert_close(out, reference(w, x, src, dst, 7, 3), rtol=tol, atol=tol)


@pytest.mark.parametrize("backend", ["numba", "torch"])
def test_gradients(backend):
    w, x, src, dst = graph(1, nodes=4, edges=9)
    w.requires_grad_(), x.requires_grad_()
    assert torch.autograd.gradcheck(lambda w, x: OP(w, x, src, dst, 4, backend=backend), (w, x))


def test_auto_takes_numba_on_cpu_eager_and_torch_when_traced():
    w, x, src, dst = graph(2)
    assert "numba edge kernel" in OP.explain(w, x, src, dst)
    op = MessageOp(matvec(3, 4, "matvec_compiled"))
    op.prepare()

    def loss(w, x):
        return op(w, x, src, dst, 7).square().sum()

    w.requires_grad_(), x.requires_grad_()
    compiled = torch.compile(loss, fullgraph=True, backend="aot_eager")
    got = torch.autograd.grad(compiled(w, x), (w, x))
    want = torch.autograd.grad(loss(w, x), (w, x))
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b)


def test_numpy_arrays_and_pickling():
    w, x, src, dst = graph(3)
    out = OP(w.numpy(), x.numpy(), src.numpy(), dst.numpy(), 7)
    np.testing.assert_allclose(out, reference(w, x, src, dst, 7, 3).numpy(), atol=1e-12)
    again = pickle.loads(pickle.dumps(OP))
    assert again is message_op(OP.ir) is message_op(matvec(3, 4))       # one op per IR content
    torch.testing.assert_close(again(w, x, src, dst, 7), OP(w, x, src, dst, 7))


def test_nodes_without_edges_get_zero_and_empty_graphs_work():
    w, x, _, _ = graph(4)
    none = torch.empty(0, dtype=torch.long)
    for backend in ("numba", "torch"):
        out = OP(w[:0], x, none, none, 5, backend=backend)
        assert out.shape == (5, 3) and not out.any()


@pytest.mark.parametrize("bad,match", [
    (lambda w, x, s, d: (w[:, :5], x, s, d, 7), "edge_values must be"),
    (lambda w, x, s, d: (w, x, s[:3], d, 7), "src must list one node per edge"),
    (lambda w, x, s, d: (w, x.float(), s, d, 7), "same dtype"),
    (lambda w, x, s, d: (w, x, s + 7, d, 7), "source node index is outside"),
    (lambda w, x, s, d: (w, x, s, d, 2), "destination node index is outside"),
])
def test_bad_input_is_named(bad, match):
    with pytest.raises(CodegenError, match=match):
        OP(*bad(*graph(5)), backend="numba")


def test_only_two_input_ops():
    with pytest.raises(CodegenError, match="two-input"):
        MessageOp(Linear("negate", 1, 1, ((0, 0, -1),)))
