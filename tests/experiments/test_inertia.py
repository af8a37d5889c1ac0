"""The RPP paper's inertia tasks: the targets against a direct computation, Inertia exactly
O(3)-equivariant and ModifiedInertia not, and a smoke run of the three models."""

import numpy as np
import torch

from symgen import groups, reps
from symgen.experiments import inertia


def test_inertia_matches_the_definition_and_the_modified_task_scales_the_third_column():
    x, y = inertia.dataset("Inertia", 4, k=3, seed=0)
    x64 = x.double()
    for n in range(4):
        m, r = x64[n, :3].numpy(), x64[n, 3:].reshape(3, 3).numpy()
        expected = sum(m[i] * (r[i] @ r[i] * np.eye(3) - np.outer(r[i], r[i])) for i in range(3))
        np.testing.assert_allclose(y[n].reshape(3, 3).numpy(), expected, rtol=1e-5, atol=1e-5)
    assert (x[:, :3] > 0).all()
    modified = inertia.modified_inertia(x64, k=3).reshape(-1, 3, 3)
    torch.testing.assert_close(modified, inertia.inertia(x64, k=3).reshape(-1, 3, 3) @ torch.diag(
        torch.tensor([1.0, 1.0, 1.0 + inertia.BREAK], dtype=torch.float64)))


def test_inertia_is_o3_equivariant_and_modified_inertia_is_not():
    G = groups.O(3)
    rep_in, rep_out = 5 * reps.Scalar(G) + 5 * reps.V(G), reps.V(G) ** 2
    x = inertia.dataset("Inertia", 16, seed=1)[0].double()
    g = torch.from_numpy(G.sample(16, seed=2))
    for f, equivariant in ((inertia.inertia, True), (inertia.modified_inertia, False)):
        err = (f(rep_in.act(g, x)) - rep_out.act(g, f(x))).abs().max() / f(x).abs().max()
        assert (err < 1e-12) == equivariant, float(err)


def test_run_trains_the_three_models():
    out = inertia.run("ModifiedInertia", steps=3, n_train=64, n_test=32, batch=16, hidden=6, mlp_width=16)
    assert set(out) == {"MLP", "EMLP", "RPP"}
    assert out["EMLP"]["equivariance_error"] < 1e-5 < out["MLP"]["equivariance_error"]
    assert all(np.isfinite(r["test_mse"]) and r["parameters"] > 0 for r in out.values())


def test_the_equivariant_models_have_the_outer_product_the_inertia_tensor_needs():
    # Σ m_i (|r_i|² I − r_i r_iᵀ) needs V ⊗ V → V²: a path of the full bilinear layer,
    # not of EMLP's contraction layer W(x) x (symgen.nn.EMLP's default)
    models = inertia.models(k=2, hidden=4 * reps.Scalar(groups.O(3)) + 2 * reps.V(groups.O(3))
                            + reps.V(groups.O(3)) ** 2, mlp_width=8)
    for name in ("EMLP", "RPP"):
        paths = {p for block in models[name].blocks for p, _ in block.bilinear.paths}
        assert ("V", "V", "V²") in paths, (name, sorted(paths))
    contraction = inertia.models(k=2, hidden=8 * reps.Scalar(groups.O(3)) + 2 * reps.V(groups.O(3))
                                 + reps.V(groups.O(3)) ** 2, mlp_width=8, bilinear="contraction")
    assert ("V", "V", "V²") not in {p for block in contraction["EMLP"].blocks for p in block.bilinear.paths}
