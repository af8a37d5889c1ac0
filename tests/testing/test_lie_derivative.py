"""lie_derivative: ~0 for exactly equivariant modules (EMLP, FrameAveraging, Canonicalize) along
every Lie and discrete generator, > 0 for a plain MLP, and equal to a finite difference of the
group action."""

import numpy as np
import pytest
import scipy.linalg
import torch
from hypothesis import given, settings, strategies as st

from symgen import groups, reps
from symgen.errors import CheckerError, RepresentationError, ShapeError
from symgen.nn import EMLP, Canonicalize, FrameAveraging
from symgen.testing import lie_derivative

V, S = reps.V, reps.Scalar


def mlp(n_in, n_out, seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(n_in, 32), torch.nn.SiLU(), torch.nn.Linear(32, n_out)).double()


def models(G, rep_in, rep_out):
    torch.manual_seed(0)
    return {"EMLP": EMLP(rep_in, rep_out, hidden=24, depth=1).double(),
            "FrameAveraging": FrameAveraging(mlp(rep_in.size, rep_out.size), rep_in, rep_out),
            "Canonicalize": Canonicalize(mlp(rep_in.size, rep_out.size), "auto", rep_in, rep_out).double()}


O3 = groups.O(3)
O3_MODELS = models(O3, 4 * V(O3), V(O3) + V(O3) ** 2 + S(O3))


@pytest.mark.parametrize("name", O3_MODELS)
def test_equivariant_modules_have_zero_lie_derivative(name):
    model = O3_MODELS[name]

    @settings(max_examples=10)
    @given(seed=st.integers(0, 2**31 - 1))
    def check(seed):
        result = lie_derivative(model, seed=seed, batch=4)
        assert list(result) == ["A0", "A1", "A2", "h0"]
        assert [r.kind for r in result.values()] == ["lie"] * 3 + ["discrete"]
        assert max(r.error for r in result.values()) <= 1e-10

    check()


def test_a_plain_mlp_is_not_equivariant_along_any_generator():
    result = lie_derivative(mlp(12, 13), 4 * V(O3), V(O3) + V(O3) ** 2 + S(O3), seed=0)
    assert min(r.error for r in result.values()) > 1e-2


@pytest.mark.parametrize("k", [0, 1, 2])
def test_matches_a_central_difference_of_the_group_action(k):
    """L_A f(x) = d/dt ρ_out(e^{-tA}) f(ρ_in(e^{tA}) x) at t = 0, by a central difference."""
    rep_in, rep_out = 4 * V(O3), V(O3) + S(O3)
    f = mlp(rep_in.size, rep_out.size)
    x = torch.tensor(np.random.default_rng(1).normal(size=(5, rep_in.size)))
    A, t = O3.lie_basis()[k], 1e-5

    def moved(s):
        g = scipy.linalg.expm(s * A)
        with torch.no_grad():
            return rep_out.act(torch.tensor(np.linalg.inv(g)), f(rep_in.act(torch.tensor(g), x)))

    expected = (moved(t) - moved(-t)) / (2 * t)
    got = lie_derivative(f, rep_in, rep_out, inputs=x)[f"A{k}"].value
    torch.testing.assert_close(got, expected, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("G, rep_in, rep_out", [
    (groups.O(1, 3), 5 * V(groups.O(1, 3)), V(groups.O(1, 3)) + S(groups.O(1, 3))),
    (groups.SO(3), 2 * V(groups.SO(3)), V(groups.SO(3)) ** 2),
    (groups.S(5), V(groups.S(5)) + V(groups.S(5)) ** 2, V(groups.S(5))),
    (groups.D(4), V(groups.D(4)), V(groups.D(4))),
], ids=str)
def test_other_groups(G, rep_in, rep_out):
    n_lie, n_discrete = len(G.lie_generators), len(G.discrete_generators)
    for name, model in models(G, rep_in, rep_out).items():
        result = lie_derivative(model, seed=3)
        assert len(result) == n_lie + n_discrete
        assert max(r.error for r in result.values()) <= 1e-10, (name, {k: r.error for k, r in result.items()})
    plain = lie_derivative(mlp(rep_in.size, rep_out.size), rep_in, rep_out, seed=3)
    assert max(r.error for r in plain.values()) > 1e-2


def test_float32():
    model = EMLP(4 * V(O3), V(O3), hidden=24, depth=1)
    result = lie_derivative(model, seed=0)
    assert result["A0"].value.dtype == torch.float32
    assert max(r.error for r in result.values()) <= 1e-5


def test_bad_arguments():
    with pytest.raises(CheckerError, match="rep_in/rep_out"):
        lie_derivative(mlp(3, 3))
    with pytest.raises(RepresentationError, match="SO\\(3\\)"):
        lie_derivative(mlp(3, 3), V(O3), V(groups.SO(3)))
    with pytest.raises(ShapeError, match=r"\(batch, 12\)"):
        lie_derivative(O3_MODELS["EMLP"], inputs=torch.zeros(2, 11, dtype=torch.float64))
    with pytest.raises(CheckerError, match="NaN"):
        lie_derivative(O3_MODELS["EMLP"], inputs=torch.full((2, 12), float("nan"), dtype=torch.float64))
    with pytest.raises(ShapeError, match="returned"):
        lie_derivative(mlp(12, 2), 4 * V(O3), V(O3))
