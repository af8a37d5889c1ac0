"""Torch modules built on symgen's algebra objects and their generated kernels."""

from .clifford import (CliffordMessagePassing, FullyConnectedGeometricProductLayer, GeometricProductLayer, MVLayerNorm,
                       MVLinear, MVSiLU)
from .groups import (EMLP, Canonicalize, EMLPBlock, EquivariantBilinear, EquivariantLinear, FrameAveraging,
                     GatedNonlinearity, ImplicitSteerableConv, canonicalization_prior_loss, default_canonicalizer)
from .graphs import knn_graph, radius_graph
from .pde import LieAugmentation, pde_residual, symmetry_loss

__all__: list[str] = ["MVLinear", "MVSiLU", "MVLayerNorm", "GeometricProductLayer",
                      "FullyConnectedGeometricProductLayer", "CliffordMessagePassing",
                      "EquivariantLinear", "EquivariantBilinear", "EMLP", "EMLPBlock", "GatedNonlinearity", "FrameAveraging",
                      "ImplicitSteerableConv", "Canonicalize", "canonicalization_prior_loss", "default_canonicalizer",
                      "pde_residual", "symmetry_loss", "LieAugmentation", "radius_graph", "knn_graph"]
