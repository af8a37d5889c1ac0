"""CliffordMessagePassing's options (the official CGENN N-body layer and each of its differences):
equivariance under the Clifford group, f64 and f32; the mean aggregation; the original block's
parameters unchanged (old checkpoints load)."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as hst

from symgen import CliffordAlgebra
from symgen.nn import CliffordMessagePassing
from symgen.testing import assert_equivariant

PAPER = {"blocks": 2, "message": "difference", "aggregation": "mean", "normalization": "learned"}
OPTIONS = {"paper": PAPER, "blocks": {"blocks": 2}, "difference-mean": {"message": "difference", "aggregation": "mean"},
           "learned": {"normalization": "learned"}}
NODES, CHANNELS, EDGES = 3, 2, 1


def _flat(block):
    """The block on ``(batch, channels, dim)`` rows (nodes, then edges) for the checker."""
    nodes = NODES * CHANNELS

    class Flat(torch.nn.Module):
        alg, channels = block.alg, nodes + NODES * NODES * EDGES

        def forward(self, x):
            d = block.alg.dim
            h = x[:, :nodes].reshape(-1, NODES, CHANNELS, d)
            e = x[:, nodes:].reshape(-1, NODES, NODES, EDGES, d)
            return block(h, e).reshape(len(x), nodes, d)

    return Flat()


def _perturbed(alg, seed, **options):
    torch.manual_seed(seed)
    block = CliffordMessagePassing(alg, CHANNELS, EDGES, **options).double()
    with torch.no_grad():
        for p in block.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return block


@pytest.mark.parametrize("signature", [(3,), (1, 3)], ids=str)
@pytest.mark.parametrize("name", OPTIONS)
def test_options_are_equivariant_f64_and_f32(name, signature):
    block = _perturbed(CliffordAlgebra.from_signature(*signature), 0, **OPTIONS[name])
    assert_equivariant(_flat(block), n_elements=3, batch=2)
    assert_equivariant(_flat(block.float()), n_elements=2, batch=2)


@settings(max_examples=5, deadline=None)
@given(seed=hst.integers(0, 2 ** 16), nodes=hst.integers(1, 4))
def test_mean_aggregation_is_the_mean_of_the_other_nodes_messages(seed, nodes):
    block = _perturbed(CliffordAlgebra.from_signature(3), seed, **PAPER)
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(2, nodes, CHANNELS, 8, generator=g, dtype=torch.float64)
    e = torch.randn(2, nodes, nodes, EDGES, 8, generator=g, dtype=torch.float64)
    seen = {}
    block.message.register_forward_hook(lambda m, args, out: seen.__setitem__("messages", out))
    block.update.register_forward_hook(lambda m, args, out: seen.__setitem__("update_in", args[0]))
    with torch.no_grad():
        block(h, e)
    msg = seen["messages"].reshape(2, nodes, nodes, CHANNELS, 8)
    others = ~torch.eye(nodes, dtype=torch.bool)
    expected = torch.stack([msg[:, i, others[i]].mean(1) if nodes > 1 else torch.zeros_like(msg[:, i, 0])
                            for i in range(nodes)], 1)
    torch.testing.assert_close(seen["update_in"].reshape(2, nodes, 2 * CHANNELS, 8)[:, :, CHANNELS:], expected)


def test_difference_messages_see_only_differences():
    """Moving every node feature by one multivector leaves ``h_i − h_j``, so the messages."""
    block = _perturbed(CliffordAlgebra.from_signature(3), 1, message="difference")
    h, e = torch.randn(2, NODES, CHANNELS, 8, dtype=torch.float64), torch.randn(2, NODES, NODES, EDGES, 8, dtype=torch.float64)
    seen = []
    block.message.register_forward_hook(lambda m, args, out: seen.append(out))
    with torch.no_grad():
        block(h, e)
        block(h + torch.randn(1, 1, CHANNELS, 8, dtype=torch.float64), e)
    torch.testing.assert_close(seen[0], seen[1])


def test_default_block_keeps_its_parameter_names():
    """``symgen nbody --model cgenn`` checkpoints hold these keys; the options must not rename them."""
    block = CliffordMessagePassing(CliffordAlgebra.from_signature(3), 4, 2)
    expected = {f"{mlp}.{k}" for mlp in ("message", "update") for k in (
        "0.weight", "0.bias", "1.weight", "1.right.weight", "1.left.weight", "1.left.bias", "1.norm.a", "2.a", "2.b")}
    assert set(block.state_dict()) == expected
    assert block.message[0].channels == 2 * 4 + 2
