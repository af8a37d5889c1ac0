"""Torch modules built on symgen's algebra objects and their generated kernels."""

from .clifford import (CliffordMessagePassing, FullyConnectedGeometricProductLayer, GeometricProductLayer, MVLayerNorm,
                       MVLinear, MVSiLU)
from .emlp import EMLP, EMLPBlock, EquivariantBilinear, GatedNonlinearity
from .equivariant_linear import EquivariantLinear
from .pde import pde_residual, symmetry_loss
from .pde_augmentation import LieAugmentation

__all__: list[str] = ["MVLinear", "MVSiLU", "MVLayerNorm", "GeometricProductLayer",
                      "FullyConnectedGeometricProductLayer", "CliffordMessagePassing",
                      "EquivariantLinear", "EquivariantBilinear", "EMLP", "EMLPBlock", "GatedNonlinearity",
                      "pde_residual", "symmetry_loss", "LieAugmentation"]
