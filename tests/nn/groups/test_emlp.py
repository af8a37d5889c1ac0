"""EquivariantLinear and EMLP: equivariance (float32/float64), gradients, training, errors."""

import copy
import io

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

from symgen import groups, reps
from symgen.errors import RepresentationError, ShapeError
from symgen.nn import EMLP, ContractionBilinear, EquivariantBilinear, EquivariantLinear, GatedNonlinearity
from symgen.testing import assert_equivariant, strategies as sst

TOL = {torch.float32: 2e-4, torch.float64: 1e-10}


def _assert_equivariant(module, group, rep_in, rep_out, dtype=torch.float64, seed=0):
    """symgen.testing.assert_equivariant on the module cast to ``dtype``, with our tolerance."""
    return assert_equivariant(module.to(dtype), group=group, rep_in=rep_in, rep_out=rep_out, seed=seed,
                              tolerance=TOL[dtype])


CASES = [
    (groups.SO(3), lambda V, S: (V ** 2 + V, V + S)),
    (groups.O(3), lambda V, S: (2 * V, V ** 2 + S)),
    (groups.O(1, 3), lambda V, S: (V + V.T * V, V + S)),
    (groups.S(5), lambda V, S: (V ** 2, V + S)),
    (groups.Sp(4), lambda V, S: (V * V, V.T * V)),
    (groups.SE(2), lambda V, S: (V, V + S)),
    (groups.SO(2) * groups.S(3), lambda V, S: (V + S, V ** 2)),
]
IDS = [str(G) for G, _ in CASES]


@pytest.mark.parametrize("G, make", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_equivariant_linear_is_equivariant(G, make, dtype):
    rep_in, rep_out = make(reps.V(G), reps.Scalar(G))
    torch.manual_seed(0)
    layer = EquivariantLinear(rep_in, rep_out)
    with torch.no_grad():
        layer.bias.normal_()
    _assert_equivariant(layer, G, rep_in, rep_out, dtype)


@pytest.mark.parametrize("G, make", CASES[:4], ids=IDS[:4])
def test_kernel_strategy_matches_its_dense_matrix(G, make):
    rep_in, rep_out = make(reps.V(G), reps.Scalar(G))
    torch.manual_seed(1)
    layer = EquivariantLinear(rep_in, rep_out, strategy="kernel").double()
    x = torch.randn(6, rep_in.size, dtype=torch.float64)
    expected = x @ layer.matrix().T + layer.bias @ layer.bias_basis
    torch.testing.assert_close(layer(x), expected)
    _assert_equivariant(layer, G, rep_in, rep_out)


def test_weight_is_in_the_span_of_the_basis_and_init_is_unit_scale():
    G = groups.SO(3)
    V = reps.V(G)
    torch.manual_seed(0)
    layer = EquivariantLinear(V ** 2, V ** 2).double()
    W = layer.matrix().detach().numpy()
    B = reps.equivariant_basis(V ** 2, V ** 2).reshape(3, -1)
    np.testing.assert_allclose(B.T @ (B @ W.ravel()), W.ravel(), atol=1e-12)
    with torch.no_grad():
        y = EquivariantLinear(V ** 3, V ** 3)(torch.randn(4096, 27))
    assert 0.3 < float(y.std()) < 3


def test_gradients_reach_weights_and_inputs():
    G = groups.O(1, 3)
    V = reps.V(G)
    layer = EquivariantLinear(V, V ** 2 + reps.Scalar(G)).double()
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(layer, (x,))
    layer(x).pow(2).sum().backward()
    assert layer.weight.grad is not None and layer.bias.grad is not None


class _Square(torch.nn.Module):
    def __init__(self, bil):
        super().__init__()
        self.bil = bil

    def forward(self, x):
        return self.bil(x)


@pytest.mark.parametrize("G", [groups.SO(3), groups.O(1, 3), groups.S(4)], ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_bilinear_layer_is_equivariant_and_quadratic(G, dtype):
    V, S = reps.V(G), reps.Scalar(G)
    rep = 2 * S + 2 * V + V ** 2
    torch.manual_seed(0)
    bil = EquivariantBilinear(rep, rep)
    assert len(bil.paths) >= 3
    _assert_equivariant(_Square(bil), G, rep, rep, dtype)
    x = torch.randn(3, rep.size, dtype=torch.float64)
    bil = bil.double()
    torch.testing.assert_close(bil(2 * x), 4 * bil(x))


def test_gated_nonlinearity_is_swish_on_scalars_and_gates_tensors():
    G = groups.SO(3)
    V, S = reps.V(G), reps.Scalar(G)
    gate = GatedNonlinearity(S + V)
    assert gate.n_gates == 1
    z = torch.tensor([[2.0, 1.0, -1.0, 0.5, 0.0]])
    out = gate(z)
    torch.testing.assert_close(out[0, 0], 2.0 * torch.sigmoid(torch.tensor(2.0)))
    torch.testing.assert_close(out[0, 1:], torch.tensor([1.0, -1.0, 0.5]) * 0.5)


@pytest.mark.parametrize("G", [groups.O(3), groups.O(1, 3), groups.S(4), groups.SO(2) * groups.Z(3)], ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_emlp_is_equivariant(G, dtype):
    V, S = reps.V(G), reps.Scalar(G)
    torch.manual_seed(0)
    model = EMLP(V + V ** 2, V + S, hidden=30, depth=2)
    _assert_equivariant(model, G, V + V ** 2, V + S, dtype)


_O3 = groups.O(3)
_MODEL = EMLP(2 * reps.V(_O3), reps.Scalar(_O3), hidden=15, depth=1).double()


@given(sst.group_elements(_O3), st.integers(0, 2**31 - 1))
def test_emlp_invariance_property(g, seed):
    V, S = reps.V(_O3), reps.Scalar(_O3)
    x = torch.randn(3, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    gx = x @ torch.from_numpy((2 * V).rho(g)).T
    with torch.no_grad():
        torch.testing.assert_close(_MODEL(gx), _MODEL(x) @ torch.from_numpy(S.rho(g)).T, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("G", [groups.SO(3), groups.O(1, 3), groups.S(5)], ids=str)
def test_equivariant_linear_property_with_group_element_strategy(G):
    V, S = reps.V(G), reps.Scalar(G)
    layer = EquivariantLinear(V ** 2 + S, V + S).double()

    @given(sst.group_elements(G))
    def check(g):
        x = torch.randn(4, layer.rep_in.size, dtype=torch.float64)
        lhs = layer(x @ torch.from_numpy(layer.rep_in.rho(g)).T)
        rhs = layer(x) @ torch.from_numpy(layer.rep_out.rho(g)).T
        torch.testing.assert_close(lhs, rhs, rtol=1e-9, atol=1e-9 * float(1 + rhs.abs().max()))

    with torch.no_grad():
        check()


def test_emlp_learns_an_invariant_target():
    G = groups.O(3)
    V, S = reps.V(G), reps.Scalar(G)
    torch.manual_seed(0)
    x = torch.randn(128, 6)
    y = (x[:, :3] * x[:, 3:]).sum(1, keepdim=True)  # <u, v>
    model = EMLP(2 * V, S, hidden=30, depth=1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(60):
        loss = torch.nn.functional.mse_loss(model(x), y)
        first = float(loss.detach()) if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss.detach()) < 0.1 * first


def test_modules_are_copyable_and_state_dicts_round_trip():
    G = groups.S(4)
    V = reps.V(G)
    model = EMLP(V, reps.Scalar(G), hidden=12, depth=1)
    clone = copy.deepcopy(model)
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    buf.seek(0)
    clone.load_state_dict(torch.load(buf))
    x = torch.randn(3, 4)
    torch.testing.assert_close(model(x), clone(x))
    assert clone.rep_in == model.rep_in


def test_bad_inputs_raise():
    G = groups.SO(3)
    V = reps.V(G)
    with pytest.raises(ShapeError, match="last axis has 4 components; rep_in V of SO\\(3\\) needs 3"):
        EquivariantLinear(V, V)(torch.randn(2, 4))
    with pytest.raises(RepresentationError, match="unknown strategy 'fast'"):
        EquivariantLinear(V, V, strategy="fast")
    with pytest.raises(RepresentationError, match="same group"):
        EquivariantLinear(V, reps.V(groups.O(3)))
    with pytest.raises(RepresentationError, match="hidden channels"):
        EMLP(V, V, hidden=2)
    with pytest.raises(RepresentationError, match="depth"):
        EMLP(V, V, depth=-1)


class _Broken(torch.nn.Module):
    """An equivariant layer plus a small non-equivariant term (x² read as a vector)."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        return self.layer(x) + 1e-3 * x[..., :3] ** 2


def test_a_broken_layer_is_caught():
    G = groups.SO(3)
    V = reps.V(G)
    layer = _Broken(EquivariantLinear(V ** 2, V))
    with pytest.raises(AssertionError, match="not equivariant"):
        _assert_equivariant(layer, G, V ** 2, V)


def _composite_cases():
    from tests.algebra.groups.test_composite import Frequency
    SO2, SO3, S4, SU2 = groups.SO(2), groups.SO(3), groups.S(4), groups.SU(2)
    psi = lambda k: Frequency(SO2, k)   # noqa: E731
    R = reps.V(SU2).realify()
    return {
        "user-SO(2)": (psi(1) + psi(2) * psi(1), psi(3) + reps.V(SO2) + reps.Scalar(SO2)),
        "product-SO(3)xS(4)": (reps.V(SO3) ** 2 * reps.V(S4) + reps.V(SO3), reps.V(SO3) * reps.V(S4) + reps.V(S4)),
        "real-SU(2)": (R + R * R, R + reps.Scalar(SU2)),
    }


@pytest.mark.parametrize("case", ["user-SO(2)", "product-SO(3)xS(4)", "real-SU(2)"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_layers_on_composite_representations(case, dtype):
    """A user's Rep subclass, external products of two groups' reps, real forms of a complex group."""
    rep_in, rep_out = _composite_cases()[case]
    torch.manual_seed(0)
    _assert_equivariant(EquivariantLinear(rep_in, rep_out), rep_in.G, rep_in, rep_out, dtype)
    _assert_equivariant(EMLP(rep_in, rep_out, hidden=16, depth=1), rep_in.G, rep_in, rep_out, dtype)


def test_layers_refuse_complex_representations():
    G = groups.SU(2)
    with pytest.raises(RepresentationError, match="realify"):
        EquivariantLinear(reps.V(G), reps.V(G))


@pytest.mark.parametrize("G", [groups.SU(2), groups.U(2)], ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_emlp_on_a_complex_group_runs_on_real_forms(G, dtype):
    """uniform_rep of a complex group is made of real forms; gates and bilinear paths group by them."""
    R = reps.V(G).realify()
    torch.manual_seed(0)
    model = EMLP(2 * R, reps.Scalar(G) + R, hidden=24, depth=2)
    assert str(model.hidden) == "8V⁰+2ℝ(V)+ℝ(V⊗V*)"
    _assert_equivariant(model, G, 2 * R, reps.Scalar(G) + R, dtype)


@pytest.mark.parametrize("frame", ["group", "auto"])
def test_frame_averaging_on_a_user_representation(frame):
    """Frame averaging reads any representation through rho (Rep.act): the whole-group frame."""
    from symgen.nn import FrameAveraging
    from tests.algebra.groups.test_composite import Frequency
    G = groups.C(4)
    rep_in, rep_out = Frequency(G, 1) + reps.V(G), Frequency(G, 2)
    torch.manual_seed(0)
    backbone = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
    _assert_equivariant(FrameAveraging(backbone, rep_in, rep_out, frame=frame), G, rep_in, rep_out)


def test_tensor_frames_refuse_other_representations():
    from symgen.errors import FrameError
    from symgen.nn import FrameAveraging
    G = groups.O(3)
    rep = reps.V(G) + reps.V(G).realify()
    with pytest.raises(FrameError, match="tensor summands"):
        FrameAveraging(torch.nn.Linear(rep.size, 1), rep, reps.Scalar(G))

@pytest.mark.parametrize("G", [groups.SO(3), groups.S(4)], ids=str)
def test_every_bilinear_contraction_order_gives_the_bilinear_form(G):
    V, S = reps.V(G), reps.Scalar(G)
    rep = 3 * S + 2 * V + V ** 2
    bil = EquivariantBilinear(rep, rep).double()
    with torch.no_grad():
        for p in bil.parameters():
            p.normal_()
    x = torch.randn(4, rep.size, dtype=torch.float64)
    expected = x.new_zeros(4, rep.size)
    for name, ta, tb, tc in bil._paths:
        B, W = getattr(bil, f"{name}_basis"), getattr(bil, f"{name}_weight")
        M = torch.einsum("ijlk,kopq->iojplq", W, B).reshape(W.shape[0] * B.shape[1], W.shape[1] * B.shape[2],
                                                            W.shape[2] * B.shape[3])
        y = torch.nn.functional.bilinear(bil._channels(x, ta).flatten(-2), bil._channels(x, tb).flatten(-2), M)
        expected = expected.index_add(-1, getattr(bil, f"out_{bil._types[tc]}").reshape(-1), y)
    for order in ("basis-b", "basis-a", "weight-b", "weight-a"):
        bil._orders = [order] * len(bil._paths)
        torch.testing.assert_close(bil(x), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_orbit_paths_of_a_permutation_group_match_the_dense_paths(dtype, monkeypatch):
    """D(5) by its permutation matrices: every path on an orbit basis (threshold 0), in either
    contraction order, gives the dense layer's output and stays equivariant."""
    import symgen.nn.groups.emlp as emlp_module
    G = groups.D(5)
    V, S = reps.V(G), reps.Scalar(G)
    rep = 3 * S + 2 * V + V ** 2
    torch.manual_seed(0)
    dense = EquivariantBilinear(rep, rep).double()
    assert not len(dense.orbit_paths)
    monkeypatch.setattr(emlp_module, "ORBIT_PATH_ENTRIES", 0)
    x = torch.randn(4, rep.size, dtype=torch.float64)
    for order in ("gather", "segment"):
        monkeypatch.setattr(emlp_module.OrbitPath.__init__, "__defaults__", (order,))
        orbit = EquivariantBilinear(rep, rep)
        assert len(orbit.orbit_paths) == len(orbit.paths) and orbit.paths == dense.paths
        assert {p.order for p in orbit.orbit_paths.values()} == {order}
        orbit.load_state_dict(dense.state_dict(), strict=False)
        torch.testing.assert_close(orbit.double()(x), dense(x), rtol=1e-12, atol=1e-12)
        _assert_equivariant(_Square(orbit), G, rep, rep, dtype)


# -- ContractionBilinear (EMLP's own bilinear layer, the default) --------------------------------------
def _contraction_cases():
    from tests.algebra.groups.test_composite import Frequency
    out = []
    for G in (groups.O(3), groups.O(1, 3), groups.Sp(4), groups.Z(6), groups.SO(2) * groups.S(3)):
        V, S = reps.V(G), reps.Scalar(G)
        out.append((str(G), 2 * S + 2 * V + V ** 2 + V.T + V * V.T))
    R = reps.V(groups.SU(2)).realify()
    out.append(("SU(2)-real-forms", 2 * reps.Scalar(R.G) + 2 * R + (reps.V(R.G) * reps.V(R.G).T).realify()))
    G = groups.SO(2)
    out.append(("SO(2)-user-rep", 2 * reps.Scalar(G) + Frequency(G, 1) + Frequency(G, 2) + reps.V(G)))
    return out


CONTRACTION_CASES = _contraction_cases()


@pytest.mark.parametrize("name, rep", CONTRACTION_CASES, ids=[c[0] for c in CONTRACTION_CASES])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_contraction_bilinear_is_equivariant(name, rep, dtype):
    torch.manual_seed(0)
    bil = ContractionBilinear(rep, rep, init_scale=1.0)
    assert bil.paths
    _assert_equivariant(_Square(bil), rep.G, rep, rep, dtype)


@pytest.mark.parametrize("name, rep", CONTRACTION_CASES, ids=[c[0] for c in CONTRACTION_CASES])
def test_every_contraction_path_is_an_equivariant_bilinear_map(name, rep):
    """Each path's contraction tensor C[o, p, q] (x_a[p] read as a (d_c, d_b) matrix) lies in the
    span of the equivariant basis of Hom(t_a ⊗ t_b, t_c), to 1e-12 (an independent check)."""
    bil = ContractionBilinear(rep, rep)
    for _, ta, tb, tc, _, _ in bil._paths:
        C = np.einsum("oO,qQ->oOqQ", np.eye(tc.size), np.eye(tb.size)).reshape(tc.size, ta.size, tb.size)
        B = reps.equivariant_basis(ta * tb, tc).reshape(-1, C.size)
        coef, *_ = np.linalg.lstsq(B.T, C.reshape(-1), rcond=None)
        assert np.abs(B.T @ coef - C.reshape(-1)).max() < 1e-12, (ta, tb, tc)


@given(st.integers(0, 2**31 - 1))
def test_contraction_bilinear_matches_its_formula(seed):
    """y[c] = Σ_{b, j} P[c, b, j] x_j x_b, written out channel by channel (O(3): V*=V), in both orders."""
    G = groups.O(3)
    V, S = reps.V(G), reps.Scalar(G)
    rep = 2 * S + 3 * V + V ** 2
    torch.manual_seed(seed % 1000)
    bil = ContractionBilinear(rep, rep, init_scale=1.0).double()
    x = torch.randn(3, rep.size, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    s, v, m = x[:, :2], x[:, 2:11].reshape(3, 3, 3), x[:, 11:].reshape(3, 3, 3)
    P = {p: getattr(bil, f"{name}_weight") for p, (name, *_) in zip(bil.paths, bil._paths)}
    expected = torch.cat([
        torch.einsum("cbj,njq,nbq->nc", P["V", "V", "V⁰"], v, v)
        + torch.einsum("cbj,nop,nop->nc", P["V²", "V²", "V⁰"], m, m),
        (torch.einsum("cbj,njo,nb->nco", P["V", "V⁰", "V"], v, s)
         + torch.einsum("cbj,noq,nbq->nco", P["V²", "V", "V"], m, v)).flatten(1),
        torch.einsum("cbj,nop,nb->ncop", P["V²", "V⁰", "V²"], m, s).flatten(1)], dim=1)
    for order in ("input", "weight"):
        bil._paths = [path[:5] + (order,) for path in bil._paths]
        torch.testing.assert_close(bil(x), expected, rtol=1e-12, atol=1e-12)


def test_emlp_bilinear_option_keeps_the_full_layer():
    G = groups.S(4)
    V, S = reps.V(G), reps.Scalar(G)
    default, full = EMLP(V, S, hidden=12, depth=1), EMLP(V, S, hidden=12, depth=1, bilinear="full")
    assert isinstance(default.blocks[0].bilinear, ContractionBilinear)
    assert isinstance(full.blocks[0].bilinear, EquivariantBilinear)
    params = [sum(p.numel() for p in m.blocks[0].bilinear.parameters()) for m in (default, full)]
    assert params[0] < params[1]
    with pytest.raises(RepresentationError, match="'cheap'"):
        EMLP(V, S, bilinear="cheap")
