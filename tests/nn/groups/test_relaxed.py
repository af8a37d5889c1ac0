"""RelaxedGroupConv on finite groups: exactly equivariant (float64 and float32, Hypothesis-drawn
elements) when the relaxed weights are equal, not when they differ, the relaxation penalty
zero exactly then and positive otherwise, gradients, Cayley tables and errors."""

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given, settings, strategies as st

from symgen import groups
from symgen.errors import GroupError, ShapeError
from symgen.nn import RelaxedGroupConv, regular_action, relaxation_penalty

c8, s8 = sympy.cos(sympy.pi / 4), sympy.sin(sympy.pi / 4)
GROUPS = [groups.Z(5), groups.D(4), groups.S(4),
          groups.MatrixGroup(discrete_generators=[sympy.Matrix([[c8, -s8], [s8, c8]]), sympy.diag(1, -1)])]
IDS = ["Z(5)", "D(4)", "S(4)", "D8-rotations"]
TOL = {torch.float32: 1e-5, torch.float64: 1e-12}


def error(conv, G, u, x):
    """Relative error of conv(u·x) against u·conv(x)."""
    with torch.no_grad():
        lhs, rhs = conv(regular_action(G, u, x)), regular_action(G, u, conv(x))
    return float((lhs - rhs).abs().max() / rhs.abs().max())


def conv_with_equal_weights(G, dtype, seed=0):
    torch.manual_seed(seed)
    conv = RelaxedGroupConv(G, 3, 4, banks=3).to(dtype)
    with torch.no_grad():
        conv.relaxed_weights.copy_(torch.randn(1, 3).expand_as(conv.relaxed_weights))   # equal over G
        conv.bias.normal_()
    return conv


@pytest.mark.parametrize("G", GROUPS, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@settings(max_examples=8, deadline=None)
@given(which=st.integers(0, 10 ** 6), seed=st.integers(0, 2 ** 31 - 1))
def test_equal_relaxed_weights_are_exactly_equivariant(G, dtype, which, seed):
    conv = conv_with_equal_weights(G, dtype)
    u = G.elements()[which % G.order()]
    x = torch.from_numpy(np.random.default_rng(seed).normal(size=(2, 3, G.order()))).to(dtype)
    assert error(conv, G, u, x) <= TOL[dtype]
    assert conv.relaxation_penalty().item() == 0.0


@pytest.mark.parametrize("G", GROUPS, ids=IDS)
def test_unequal_weights_break_equivariance_and_the_penalty_sees_it(G):
    conv = conv_with_equal_weights(G, torch.float64)
    x = torch.randn(2, 3, G.order(), dtype=torch.float64)
    with torch.no_grad():
        conv.relaxed_weights.add_(0.3 * torch.randn_like(conv.relaxed_weights))
    assert conv.relaxation_penalty().item() > 0
    assert max(error(conv, G, u, x) for u in G.elements()) > 1e-3
    # descent on the penalty alone restores equal weights, hence equivariance
    opt = torch.optim.SGD([conv.relaxed_weights], lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        conv.relaxation_penalty().backward()
        opt.step()
    assert conv.relaxation_penalty().item() < 1e-20
    assert max(error(conv, G, u, x) for u in G.elements()) < 1e-9


def test_equal_weights_reduce_to_the_group_convolution():
    G = groups.D(4)
    conv = conv_with_equal_weights(G, torch.float64)
    table, n = G.cayley_table(), G.order()
    e = int(G.index_of(np.eye(4)))
    inverse = [int(np.flatnonzero(table[a] == e)[0]) for a in range(n)]
    psi = torch.einsum("l,loih->oih", conv.relaxed_weights[0], conv.filters)
    x = torch.randn(2, 3, n, dtype=torch.float64)
    expected = torch.stack([sum(psi[:, :, table[inverse[g], h]] @ x[:, :, h].T for h in range(n)).T
                            for g in range(n)], -1) + conv.bias[:, None]
    torch.testing.assert_close(conv(x), expected)


def test_penalty_is_the_cayley_graph_smoothness_and_sums_over_a_model():
    G = groups.Z(4)
    conv = RelaxedGroupConv(G, 1, 1, banks=1).double()
    with torch.no_grad():
        conv.relaxed_weights.copy_(torch.tensor([[0.0], [1.0], [2.0], [3.0]], dtype=torch.float64))
    table = G.cayley_table()
    s = int(G.index_of(G.discrete_basis()[0]))
    w = conv.relaxed_weights.detach()[:, 0]
    assert conv.relaxation_penalty().item() == pytest.approx(sum((w[table[h, s]] - w[h]) ** 2 for h in range(4)))
    net = torch.nn.Sequential(conv, torch.nn.Tanh(), RelaxedGroupConv(G, 1, 1).double())
    assert relaxation_penalty(net).item() == pytest.approx(conv.relaxation_penalty().item())
    net(torch.randn(5, 1, 4, dtype=torch.float64)).sum().backward()
    assert conv.relaxed_weights.grad is not None


def test_cayley_table_is_a_latin_square_matching_the_matrices():
    G = GROUPS[3]
    T, els = G.cayley_table(), G.elements()
    assert all(sorted(row) == list(range(16)) for row in T) and all(sorted(col) == list(range(16)) for col in T.T)
    a, b = 5, 11
    np.testing.assert_allclose(els[a] @ els[b], els[T[a, b]], atol=1e-12)


@pytest.mark.parametrize("call, error, text", [
    (lambda: RelaxedGroupConv(groups.SO(2), 1, 1), GroupError, "Lie generators"),
    (lambda: RelaxedGroupConv("D4", 1, 1), GroupError, "'D4'"),
    (lambda: RelaxedGroupConv(groups.Z(3), 0, 1), ShapeError, "in_channels"),
    (lambda: RelaxedGroupConv(groups.Z(3), 1, 1, banks=-2), ShapeError, "-2"),
    (lambda: RelaxedGroupConv(groups.Z(3), 2, 1)(torch.ones(4, 2, 5)), ShapeError, "(4, 2, 5)"),
    (lambda: groups.Z(3).index_of(np.eye(3) * 2), GroupError, "not an element"),
    (lambda: regular_action(groups.Z(3), np.eye(3), torch.ones(4)), ShapeError, "4 entries"),
    (lambda: relaxation_penalty(3), GroupError, "int"),
], ids=["lie-group", "not-a-group", "channels", "banks", "shape", "not-an-element", "action-shape", "penalty-arg"])
def test_bad_input(call, error, text):
    with pytest.raises(error, match=text.replace("(", r"\(").replace(")", r"\)")):
        call()
