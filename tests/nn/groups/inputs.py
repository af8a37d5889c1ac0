"""Hypothesis inputs shared by the wrapper tests (frame averaging, canonicalization)."""

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from symgen import groups


def point_cloud(G, rep):
    """Gaussian inputs of ``rep``; for SE/E its V channels are points (homogeneous coordinate 1)."""
    def make(seed):
        x = np.random.default_rng(seed).normal(size=(3, rep.size))
        if isinstance(G, groups.SE):
            for off, n, mono in rep.blocks():
                if mono == (1,):
                    x[:, off + n - 1] = 1.0
        return torch.tensor(x)
    return st.integers(0, 2**31 - 1).map(make)


def integer_features(G, rep):
    """Small integers: exact ties between nodes of S(n), inputs fixed by elements of D(4)."""
    return arrays(np.float64, (3, rep.size), elements=st.integers(-2, 2).map(float)).map(torch.tensor)
