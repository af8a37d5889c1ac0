"""Torch modules built on symgen's algebra objects and their generated kernels."""

from .clifford import (CliffordMessagePassing, FullyConnectedGeometricProductLayer, GeometricProductLayer, MVLayerNorm,
                       MVLinear, MVSiLU)
from .groups import (EMLP, Canonicalize, EMLPBlock, EquivariantBilinear, EquivariantLinear, FrameAveraging,
                     GatedNonlinearity, canonicalization_prior_loss, default_canonicalizer)
from .pde import LieAugmentation, pde_residual, symmetry_loss

__all__: list[str] = ["MVLinear", "MVSiLU", "MVLayerNorm", "GeometricProductLayer",
                      "FullyConnectedGeometricProductLayer", "CliffordMessagePassing",
                      "EquivariantLinear", "EquivariantBilinear", "EMLP", "EMLPBlock", "GatedNonlinearity", "FrameAveraging",
                      "Canonicalize", "canonicalization_prior_loss", "default_canonicalizer",
                      "pde_residual", "symmetry_loss", "LieAugmentation"]
