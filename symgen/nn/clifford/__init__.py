"""Clifford group equivariant layers (CGENN, Ruhe et al. 2023) on generated kernels."""

from ._base import CliffordModule
from .activation import MVSiLU
from .linear import MVLinear
from .message_passing import CliffordMessagePassing
from .norm import MVGradeNorm, MVLayerNorm
from .product import FullyConnectedGeometricProductLayer, GeometricProductLayer

__all__ = ["CliffordModule", "MVLinear", "MVSiLU", "MVLayerNorm", "MVGradeNorm", "GeometricProductLayer",
           "FullyConnectedGeometricProductLayer", "CliffordMessagePassing"]
