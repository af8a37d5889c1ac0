"""The scripts in ``examples/`` run end to end on tiny budgets (their full numbers are in
``benchmarks/RESULTS.md``)."""

import importlib.util
import pathlib

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, argv", [
    ("kdv_lie_augmentation", ["--train", "2", "--test", "2", "--steps", "60", "--batch", "4"]),
    ("emlp_invariant_regression", ["--steps", "5", "--n-train", "20"]),
    ("pinn_symmetry_losses", ["--quick"]),
])
def test_example_runs(name, argv, tmp_path, capsys):
    load(name).main(argv + ["--out", str(tmp_path / "plot.png")])
    assert (tmp_path / "plot.png").exists()
    assert "saved" in capsys.readouterr().out.lower()
