"""ImplicitSteerableConv: the kernel constraint K(g r) = ρ_out(g) K(r) ρ_in(g)⁻¹ for every
group family (SO(2), O(2), a user's dihedral MatrixGroup, SO(3), O(3)), and the layer's
equivariance under G ⋉ translations on Hypothesis-drawn point clouds."""

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given, settings, strategies as hs

from symgen import groups, reps
from symgen.errors import RepresentationError, ShapeError
from symgen.nn import ImplicitSteerableConv, radius_graph
from symgen.testing import assert_equivariant


def dihedral(k: int):
    """D_k declared by a user: rotation by 2π/k and a reflection, exact 2×2 matrices."""
    c, s = sympy.cos(2 * sympy.pi / k), sympy.sin(2 * sympy.pi / k)
    return groups.MatrixGroup(discrete_generators=[sympy.Matrix([[c, -s], [s, c]]), sympy.Matrix([[1, 0], [0, -1]])])


GROUPS = {"SO(2)": lambda: groups.SO(2), "O(2)": lambda: groups.O(2), "D6 (user)": lambda: dihedral(6),
          "SO(3)": lambda: groups.SO(3), "O(3)": lambda: groups.O(3)}


def layer(G, seed=0):
    torch.manual_seed(seed)
    S, V = reps.Scalar(G), reps.V(G)
    return ImplicitSteerableConv(S + V, V + S, hidden=12).double()


def elements(G, n, seed):
    return np.asarray(G.elements()[:n] if G.is_finite else G.sample(n, seed=seed), dtype=np.float64)


@pytest.mark.parametrize("name", GROUPS)
@settings(max_examples=3)
@given(seed=hs.integers(0, 10**6))
def test_kernel_constraint(name, seed):
    G = GROUPS[name]()
    conv = layer(G)
    g = torch.from_numpy(elements(G, 6, seed))
    r = torch.from_numpy(np.random.default_rng(seed).standard_normal((len(g), G.d)))
    rho_in = torch.from_numpy(np.asarray(conv.rep_in.rho(g.numpy()), dtype=np.float64))
    rho_out = torch.from_numpy(np.asarray(conv.rep_out.rho(g.numpy()), dtype=np.float64))
    with torch.no_grad():
        turned = conv.kernel_matrices(torch.einsum("nij,nj->ni", g, r))
        moved = rho_out @ conv.kernel_matrices(r) @ torch.linalg.inv(rho_in)
    assert (turned - moved).abs().max() <= 1e-10 * max(1.0, float(moved.abs().max()))


class Cloud(torch.nn.Module):
    """``points`` positions then their features in, features out, on the radius graph: the
    (batch, size) view that ``assert_equivariant`` checks."""

    def __init__(self, conv, points):
        super().__init__()
        self.conv, self.points = conv, points

    def forward(self, flat):
        d, m = self.conv.rep_in.G.d, self.points
        out = []
        for row in flat:
            pos, x = row[:m * d].reshape(m, d), row[m * d:].reshape(m, -1)
            src, dst = radius_graph(pos, 1.8)
            out.append(self.conv(x, pos, src, dst).reshape(-1))
        return torch.stack(out)


@pytest.mark.parametrize("name", GROUPS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@settings(max_examples=3)
@given(seed=hs.integers(0, 10**6))
def test_layer_is_equivariant_on_point_clouds(name, dtype, seed):
    G = GROUPS[name]()
    conv = layer(G, seed % 7).to(dtype)
    points = 6
    cloud = Cloud(conv, points)
    rep_in, rep_out = points * reps.V(G) + points * conv.rep_in, points * conv.rep_out
    g = elements(G, 4, seed)
    assert_equivariant(cloud, rep_in=rep_in, rep_out=rep_out, elements=g, batch=2, seed=seed,
                       tolerance=1e-10 if dtype == torch.float64 else 1e-4)


def test_translations_leave_the_output_unchanged():
    conv = layer(groups.SO(3))
    pos, x = torch.randn(8, 3, dtype=torch.float64), torch.randn(8, 4, dtype=torch.float64)
    src, dst = radius_graph(pos, 2.0)
    shift = torch.tensor([3.0, -1.0, 0.5], dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(conv(x, pos + shift, src, dst), conv(x, pos, src, dst), rtol=1e-12, atol=1e-12)


def test_edge_attributes_and_gradients():
    G = groups.O(3)
    conv = ImplicitSteerableConv(reps.V(G), reps.Scalar(G), hidden=8, edge_rep=reps.Scalar(G)).double()
    pos = torch.randn(7, 3, dtype=torch.float64, requires_grad=True)
    x = torch.randn(7, 3, dtype=torch.float64)
    src, dst = radius_graph(pos, 2.0)
    conv(x, pos, src, dst, torch.randn(len(src), 1, dtype=torch.float64)).square().sum().backward()
    assert pos.grad is not None and all(p.grad is not None for p in conv.kernel.parameters())


def test_bad_input_is_named():
    with pytest.raises(RepresentationError, match="need G ⊂ O"):
        ImplicitSteerableConv(reps.V(groups.SL(2)), reps.V(groups.SL(2)))
    conv = layer(groups.SO(2))
    with pytest.raises(ShapeError, match=r"expects x \(points, 3\) and pos \(points, 2\)"):
        conv(torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64),
             torch.tensor([0]), torch.tensor([1]))
    with pytest.raises(ShapeError, match="no edge_attr"):
        conv(torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64),
             torch.tensor([0]), torch.tensor([1]), torch.randn(1, 1))
