"""Torch modules built on symgen's algebra objects and their generated kernels."""

from .emlp import EMLP, EMLPBlock, EquivariantBilinear, GatedNonlinearity
from .equivariant_linear import EquivariantLinear

__all__: list[str] = ["EquivariantLinear", "EquivariantBilinear", "EMLP", "EMLPBlock", "GatedNonlinearity"]
