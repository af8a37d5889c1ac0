"""Torch modules built on symgen's algebra objects and their generated kernels."""

from .clifford import (CliffordMessagePassing, FullyConnectedGeometricProductLayer, GeometricProductLayer, MVGradeNorm,
                       MVLayerNorm, MVLinear, MVSiLU)
from .groups import (EGNN, EMLP, EGNNLayer, RPPEMLP, Canonicalize, EMLPBlock, ContractionBilinear, EquivariantBilinear, EquivariantLinear, FrameAveraging,
                     GatedNonlinearity, ImplicitSteerableConv, Ponita, PonitaKernels, PonitaLayer, PonitaPointCloud, RelaxedGroupConv, RPPLinear, canonicalization_prior_loss,
                     default_canonicalizer, equivariance_penalty, project_equivariant, regular_action,
                     relaxation_penalty, rpp_prior_loss)
from .graphs import LiftedGraph, in_degree, knn_graph, lift_to_orientations, radius_graph
from .pde import LieAugmentation, pde_residual, residual_gradient, symmetry_loss, symmetry_residual

__all__: list[str] = ["MVLinear", "MVSiLU", "MVLayerNorm", "MVGradeNorm", "GeometricProductLayer",
                      "FullyConnectedGeometricProductLayer", "CliffordMessagePassing",
                      "EquivariantLinear", "EquivariantBilinear", "ContractionBilinear", "EMLP", "EMLPBlock", "GatedNonlinearity", "FrameAveraging",
                      "ImplicitSteerableConv", "Canonicalize", "canonicalization_prior_loss", "default_canonicalizer",
                      "RPPLinear", "RPPEMLP", "rpp_prior_loss", "equivariance_penalty", "project_equivariant",
                      "RelaxedGroupConv", "relaxation_penalty", "regular_action", "Ponita", "PonitaLayer", "PonitaKernels", "PonitaPointCloud", "EGNN", "EGNNLayer",
                      "pde_residual", "residual_gradient", "symmetry_residual", "symmetry_loss", "LieAugmentation",
                      "radius_graph", "knn_graph", "in_degree", "lift_to_orientations", "LiftedGraph"]
