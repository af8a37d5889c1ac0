"""Torch modules built on symgen's algebra objects and their generated kernels."""

from .clifford import (CliffordMessagePassing, FullyConnectedGeometricProductLayer, GeometricProductLayer, MVLayerNorm,
                       MVLinear, MVSiLU)
from .groups import (EMLP, EMLPBlock, EquivariantBilinear, EquivariantLinear, FrameAveraging, GatedNonlinearity,
                     RPPEMLP, RPPLinear, equivariance_penalty, project_equivariant, rpp_prior_loss)
from .pde import LieAugmentation, pde_residual, symmetry_loss

__all__: list[str] = ["MVLinear", "MVSiLU", "MVLayerNorm", "GeometricProductLayer",
                      "FullyConnectedGeometricProductLayer", "CliffordMessagePassing",
                      "EquivariantLinear", "EquivariantBilinear", "EMLP", "EMLPBlock", "GatedNonlinearity", "FrameAveraging",
                      "RPPLinear", "RPPEMLP", "rpp_prior_loss", "equivariance_penalty", "project_equivariant",
                      "pde_residual", "symmetry_loss", "LieAugmentation"]
