"""An algebra and its layers pickle and ``torch.save`` *after use* (products on small and
large batches, numpy and torch, ``assert_equivariant``) and load in a fresh process."""

import pickle
import subprocess
import sys

import numpy as np
import torch

from symgen import CliffordAlgebra
from symgen.nn import GeometricProductLayer, MVSiLU
from symgen.testing import assert_equivariant

LOAD = r"""
import pickle, sys
import numpy as np, torch
alg, layer_path = pickle.load(open(sys.argv[1], "rb")), sys.argv[2]
layer = torch.load(layer_path, weights_only=False)
a = np.random.default_rng(0).standard_normal((300, alg.dim))
print(repr(alg), alg.geometric_product(a, a).shape, alg.sandwich(np.eye(alg.dim)[1], a[:2]).shape,
      tuple(layer(torch.randn(5, 2, alg.dim, dtype=torch.float64)).shape))
"""


def test_algebra_and_layer_pickle_after_use_and_load_in_a_fresh_process(tmp_path):
    alg = CliffordAlgebra((1, 1, 1))
    a = np.random.default_rng(0).standard_normal((300, alg.dim))
    alg.geometric_product(a[:3], a[:3])                          # < 256 rows
    alg.geometric_product(a, a, backend="numba")                 # compiled Numba kernel
    t = torch.from_numpy(a).requires_grad_()
    alg.geometric_product(t, t).sum().backward()
    alg.grade_projection(t, 1)
    alg.prepare(["reverse"])
    layer = torch.nn.Sequential(GeometricProductLayer(alg, 2), MVSiLU(alg, 2)).double()
    layer.alg, layer.channels = alg, 2
    assert_equivariant(layer, n_elements=2)
    clone = pickle.loads(pickle.dumps(alg))
    np.testing.assert_allclose(clone.geometric_product(a, a), alg.geometric_product(a, a))
    (tmp_path / "alg.pkl").write_bytes(pickle.dumps(alg))
    torch.save(layer, tmp_path / "layer.pt")
    out = subprocess.run([sys.executable, "-c", LOAD, str(tmp_path / "alg.pkl"), str(tmp_path / "layer.pt")],
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["Cl(3,0,0)", "(300,", "8)", "(2,", "8)", "(5,", "2,", "8)"]
