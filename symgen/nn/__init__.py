"""Torch modules built on symgen's algebra objects and their generated kernels."""

from .clifford import (CliffordMessagePassing, FullyConnectedGeometricProductLayer, GeometricProductLayer, MVLayerNorm,
                       MVLinear, MVSiLU)
from .groups import (EMLP, EMLPBlock, EquivariantBilinear, EquivariantLinear, FrameAveraging, GatedNonlinearity,
                     RelaxedGroupConv, RPPEMLP, RPPLinear, equivariance_penalty, project_equivariant, regular_action,
                     relaxation_penalty, rpp_prior_loss)
from .pde import LieAugmentation, pde_residual, symmetry_loss

__all__: list[str] = ["MVLinear", "MVSiLU", "MVLayerNorm", "GeometricProductLayer",
                      "FullyConnectedGeometricProductLayer", "CliffordMessagePassing",
                      "EquivariantLinear", "EquivariantBilinear", "EMLP", "EMLPBlock", "GatedNonlinearity", "FrameAveraging",
                      "RPPLinear", "RPPEMLP", "rpp_prior_loss", "equivariance_penalty", "project_equivariant",
                      "RelaxedGroupConv", "relaxation_penalty", "regular_action",
                      "pde_residual", "symmetry_loss", "LieAugmentation"]
