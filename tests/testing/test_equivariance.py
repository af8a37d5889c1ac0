"""The equivariance checkers cannot be fooled.

One test per way they were fooled (NaN modules, plain symbols, mixed algebras and groups,
multi-channel networks, Hypothesis-drawn elements), and for every checker a deliberately
broken module of every kind that it must reject.
"""

import math

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given, settings

from symgen import CliffordAlgebra, groups, reps
from symgen.errors import AlgebraMismatchError, CheckerError, RepresentationError, ShapeError
from symgen.nn import (EMLP, CliffordMessagePassing, EquivariantLinear, FullyConnectedGeometricProductLayer,
                       GeometricProductLayer, MVLayerNorm, MVLinear, MVSiLU)
from symgen.testing import assert_equivariant, equivariance_error
from symgen.testing import strategies as st

CL3 = CliffordAlgebra((1, 1, 1))
STA = CliffordAlgebra.from_signature(1, 3)
PGA = CliffordAlgebra.from_signature(3, 0, 1)
SO3 = groups.SO(3)
V = reps.V(SO3)

CLIFFORD_LAYERS = {
    "MVLinear": lambda alg: MVLinear(alg, 3, 2),
    "MVSiLU": lambda alg: MVSiLU(alg, 3),
    "MVLayerNorm": lambda alg: MVLayerNorm(alg, 3),
    "GeometricProductLayer": lambda alg: GeometricProductLayer(alg, 3),
    "FullyConnected": lambda alg: FullyConnectedGeometricProductLayer(alg, 3, 2),
}

GROUP_LAYERS = {
    "EquivariantLinear": lambda: EquivariantLinear(V ** 2, V + reps.Scalar(SO3)),
    "EquivariantLinear-kernel": lambda: EquivariantLinear(V, V ** 2, strategy="kernel"),
    "EMLP": lambda: EMLP(V * 2, reps.Scalar(SO3), hidden=12, depth=1),
}


def _seeded(make, *args):
    torch.manual_seed(0)
    module = make(*args).double()
    with torch.no_grad():                      # off the initialisation, still equivariant
        for p in module.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return module


# ------------------------------------------------------------------ NaN and inf
class _Poison(torch.nn.Module):
    """Output ``value`` everywhere (NaN or inf): used to compare equal to anything before."""

    def __init__(self, inner, value):
        super().__init__()
        self.inner, self.value = inner, value
        for name in ("alg", "channels", "rep_in", "rep_out"):
            if hasattr(inner, name):
                setattr(self, name, getattr(inner, name))

    def forward(self, x):
        return torch.full_like(self.inner(x), self.value)


@pytest.mark.parametrize("value", [math.nan, math.inf], ids=["nan", "inf"])
@pytest.mark.parametrize("make", [lambda: MVLinear(CL3, 3, 2), lambda: EquivariantLinear(V, V)],
                         ids=["clifford", "group"])
def test_non_finite_outputs_fail(make, value):
    module = _Poison(make().double(), value)
    err, info = equivariance_error(module)
    assert err == math.inf and "NaN or inf" in info["reason"]
    with pytest.raises(AssertionError, match="NaN or inf"):
        assert_equivariant(module)


def test_a_single_nan_output_fails():
    class OneNaN(MVLinear):
        def forward(self, x):
            y = super().forward(x)
            return torch.where(x[:, :1, :1] > 0, y, torch.nan)       # NaN only for some inputs

    with pytest.raises(AssertionError, match="NaN or inf"):
        assert_equivariant(OneNaN(CL3, 3, 2).double(), batch=8, seed=0)


def test_elements_outside_the_group_are_refused():
    """A false alarm is a fooled checker too: elements must be group elements."""
    with pytest.raises(CheckerError, match="mixes even and odd"):
        assert_equivariant(MVLinear(CL3, 3, 2).double(), elements=np.eye(8)[0] + np.eye(8)[1])
    with pytest.raises(CheckerError, match=r"not in SO\(3\)"):
        assert_equivariant(EquivariantLinear(V, V).double(), elements=2 * np.eye(3))
    with pytest.raises(CheckerError, match="determinant"):
        assert_equivariant(EquivariantLinear(V, V).double(), elements=-np.eye(3))


def test_non_finite_inputs_and_elements_are_refused():
    layer = MVLinear(CL3, 3, 2).double()
    with pytest.raises(CheckerError, match="NaN or inf"):
        assert_equivariant(layer, inputs=torch.full((2, 3, 8), math.inf, dtype=torch.float64))
    with pytest.raises(CheckerError, match="NaN or inf"):
        assert_equivariant(EquivariantLinear(V, V).double(), elements=np.full((3, 3), np.nan))


# ------------------------------------------------------------------ mixed algebras and groups
def test_multivectors_of_two_algebras_do_not_combine():
    e0_pga = PGA.multivector([0, 1] + [0] * 14)
    e0_sta = STA.multivector([0, 1] + [0] * 14)
    for combine in (lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a ^ b,
                    lambda a, b: a | b, lambda a, b: a & b):
        with pytest.raises(AlgebraMismatchError, match=r"Cl\(3,0,1\).*Cl\(1,3,0\)"):
            combine(e0_pga, e0_sta)
    assert e0_pga != e0_sta


def test_checker_refuses_another_algebra_or_its_versors():
    layer = MVLinear(CL3, 3, 2).double()
    with pytest.raises(AlgebraMismatchError, match=r"Cl\(1,3,0\)"):
        assert_equivariant(layer, alg=STA)
    with pytest.raises(ShapeError, match="versors of Cl"):
        assert_equivariant(layer, elements=np.eye(16)[1])     # a vector of Cl(1,3)


def test_reps_of_two_groups_do_not_combine():
    W = reps.V(groups.O(3))
    with pytest.raises(RepresentationError, match=r"SO\(3\).*O\(3\)"):
        EquivariantLinear(V, W)
    with pytest.raises(RepresentationError, match=r"O\(3\)"):
        V + W
    assert (V * W).G == SO3 * groups.O(3)      # a product is the external product, of SO(3)×O(3)
    layer = EquivariantLinear(V, V).double()
    with pytest.raises(RepresentationError, match=r"not of the group O\(3\)"):
        assert_equivariant(layer, group=groups.O(3))
    with pytest.raises(RepresentationError, match=r"not of the group SO\(3\)"):
        assert_equivariant(layer, group=SO3, rep_in=W, rep_out=W)


# ------------------------------------------------------------------ input shapes
class _Net(torch.nn.Module):
    """A user's multi-channel network: documented ``alg`` and ``in_channels``, no ``channels``."""

    def __init__(self, alg, in_channels=5):
        super().__init__()
        self.alg, self.in_channels = alg, in_channels
        self.body = torch.nn.Sequential(MVLinear(alg, in_channels, 4), MVSiLU(alg, 4),
                                        GeometricProductLayer(alg, 4), MVLinear(alg, 4, 1))

    def forward(self, x):
        return self.body(x)


def test_multichannel_network_inputs_are_inferred():
    net = _seeded(_Net, STA)
    assert assert_equivariant(net, n_elements=4) < 1e-9          # inputs (batch, 5, 16)


def test_input_shape_explicit_and_refusal():
    plain = _seeded(lambda: torch.nn.Sequential(MVLinear(CL3, 5, 2)))
    with pytest.raises(CheckerError, match=r"input_shape=\(channels, 8\)"):
        assert_equivariant(plain, alg=CL3)
    assert assert_equivariant(plain, alg=CL3, input_shape=(5, 8)) < 1e-9
    assert assert_equivariant(plain, alg=CL3, inputs=torch.randn(3, 5, 8, dtype=torch.float64)) < 1e-9
    with pytest.raises(ShapeError, match="ending in 8"):
        assert_equivariant(plain, alg=CL3, input_shape=(5, 4))
    group_net = torch.nn.Sequential(EquivariantLinear(V, V)).double()
    with pytest.raises(CheckerError, match="rep_in"):
        assert_equivariant(group_net)
    assert assert_equivariant(group_net, group=SO3, rep_in=V, rep_out=V) < 1e-9


def test_module_with_several_inputs():
    block = _seeded(CliffordMessagePassing, STA, 2, 1)
    shapes = ((4, 2, STA.dim), (4, 4, 1, STA.dim))            # nodes h and edges e
    assert assert_equivariant(block, input_shape=shapes, n_elements=3, batch=2) < 1e-9


# ------------------------------------------------------------------ Hypothesis-drawn elements
PERTURBED = {}


@settings(max_examples=10, deadline=None)
@given(st.clifford_group_elements(STA))
def test_hypothesis_versors(w):
    layer = PERTURBED.setdefault("gp", _seeded(GeometricProductLayer, STA, 3))
    assert assert_equivariant(layer, elements=w) < 1e-8


@settings(max_examples=10, deadline=None)
@given(st.clifford_group_elements(PGA, parity=0))
def test_hypothesis_rotors_in_pga(w):
    layer = PERTURBED.setdefault("fc", _seeded(FullyConnectedGeometricProductLayer, PGA, 3, 2))
    assert assert_equivariant(layer, elements=torch.from_numpy(w)) < 1e-8


@settings(max_examples=10, deadline=None)
@given(st.group_elements(SO3))
def test_hypothesis_group_elements(g):
    layer = PERTURBED.setdefault("el", _seeded(EquivariantLinear, V ** 2, V))
    assert assert_equivariant(layer, elements=g) < 1e-9


# ------------------------------------------------------------------ broken modules of every kind
def _break_clifford(layer):
    """Copy each output's e0 component onto e1: a map off the equivariant subspace."""
    e0, e1 = 1, 2

    def hook(module, args, out):
        return out + 0.5 * torch.nn.functional.one_hot(torch.tensor(e1), out.shape[-1]).to(out) * out[..., e0:e0 + 1]
    layer.register_forward_hook(hook)
    return layer


def _break_group(layer):
    """Add a random (non-equivariant) matrix to the layer's map."""
    torch.manual_seed(1)
    extra = torch.randn(layer.rep_out.size, layer.rep_in.size, dtype=torch.float64)
    layer.register_forward_hook(lambda module, args, out: out + 0.3 * args[0] @ extra.T)
    return layer


@pytest.mark.parametrize("alg", [CL3, STA, PGA], ids=str)
@pytest.mark.parametrize("name", CLIFFORD_LAYERS)
def test_broken_clifford_layers_fail(name, alg):
    layer = _seeded(CLIFFORD_LAYERS[name], alg)
    assert assert_equivariant(layer, n_elements=4, seed=0) < 1e-8       # the intact layer passes
    broken = _break_clifford(layer)
    assert equivariance_error(broken, n_elements=4, seed=0)[0] > 1e-3
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(broken, n_elements=4, seed=0)


def test_broken_mvlinear_weight_off_the_grade_subspace_fails():
    class PerBlade(MVLinear):
        """MVLinear whose weight of one blade (e01) differs from the rest of grade 2."""

        def forward(self, x):
            y = super().forward(x)
            return y + 0.3 * torch.einsum("bc,oc->bo", x[..., 4], self.weight[..., 2])[..., None] * \
                torch.nn.functional.one_hot(torch.tensor(4), x.shape[-1]).to(x)

    layer = _seeded(PerBlade, CL3, 3, 2)
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(layer, seed=0)


@pytest.mark.parametrize("name", GROUP_LAYERS)
def test_broken_group_layers_fail(name):
    layer = _seeded(GROUP_LAYERS[name])
    assert assert_equivariant(layer, n_elements=4, seed=0) < 1e-8
    broken = _break_group(layer)
    assert equivariance_error(broken, n_elements=4, seed=0)[0] > 1e-3
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(broken, group=SO3, n_elements=4, seed=0)


def test_broken_group_layer_fails_for_drawn_elements():
    broken = _break_group(_seeded(EquivariantLinear, V, V))
    g = groups.SO(3).sample(5, seed=3)
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(broken, elements=g)
    assert equivariance_error(broken, elements=sympy.matrix2numpy(sympy.eye(3)).astype(float))[0] < 1e-12


def test_broken_message_passing_block_fails():
    """A module with several inputs (nodes and edges), broken after its last layer."""
    block = _seeded(CliffordMessagePassing, STA, 2, 1)
    shapes = ((3, 2, STA.dim), (3, 3, 1, STA.dim))
    assert assert_equivariant(block, input_shape=shapes, n_elements=3, batch=2, seed=0) < 1e-9
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(_break_clifford(block), input_shape=shapes, n_elements=3, batch=2, seed=0)


@settings(max_examples=25, deadline=None)
@given(st.clifford_group_elements(STA), st.clifford_group_elements(STA, dtype=np.float32, max_entry=1.5))
def test_drawn_versors_stay_within_the_checkers_bound(w64, w32):
    """Large boosts are rejected, so a drawn versor never has round-off beyond the tolerance."""
    assert np.abs(w64).max() <= 4.0 and np.abs(w32).max() <= 1.5 and w32.dtype == np.float32
    for w in (w64.astype(np.float64), w32.astype(np.float64)):
        assert abs(abs(float(STA.norm_squared(w))) - 1) < 1e-5
