"""Equivariant layers for any declared group and representation (EMLP-style)."""

from .egnn import EGNN, EGNNLayer
from .emlp import EMLP, ContractionBilinear, EMLPBlock, EquivariantBilinear, GatedNonlinearity
from .equivariant_linear import EquivariantLinear
from .canonicalize import Canonicalize, canonicalization_prior_loss, default_canonicalizer
from .frame_averaging import FrameAveraging
from .ponita import Ponita, PonitaKernels, PonitaLayer
from .ponita_cloud import PonitaPointCloud
from .penalty import equivariance_penalty, project_equivariant
from .relaxed import RelaxedGroupConv, regular_action, relaxation_penalty
from .rpp import RPPEMLP, RPPLinear, rpp_prior_loss
from .steerable_conv import ImplicitSteerableConv

__all__ = ["EquivariantLinear", "EquivariantBilinear", "ContractionBilinear", "EMLP", "EMLPBlock", "GatedNonlinearity", "FrameAveraging",
           "ImplicitSteerableConv", "Canonicalize", "canonicalization_prior_loss", "default_canonicalizer",
           "RPPLinear", "RPPEMLP", "rpp_prior_loss", "equivariance_penalty", "project_equivariant",
           "RelaxedGroupConv", "relaxation_penalty", "regular_action", "Ponita", "PonitaLayer", "PonitaKernels",
           "PonitaPointCloud", "EGNN", "EGNNLayer"]
