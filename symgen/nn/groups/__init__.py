"""Equivariant layers for any declared group and representation (EMLP-style)."""

from .emlp import EMLP, EMLPBlock, EquivariantBilinear, GatedNonlinearity
from .equivariant_linear import EquivariantLinear
from .canonicalize import Canonicalize, canonicalization_prior_loss, default_canonicalizer
from .frame_averaging import FrameAveraging
from .steerable_conv import ImplicitSteerableConv

__all__ = ["EquivariantLinear", "EquivariantBilinear", "EMLP", "EMLPBlock", "GatedNonlinearity", "FrameAveraging",
           "ImplicitSteerableConv", "Canonicalize", "canonicalization_prior_loss", "default_canonicalizer"]
