"""Clifford group equivariant layers (CGENN, Ruhe et al. 2023) on generated kernels."""

from .activation import MVSiLU
from .linear import MVLinear
from .message_passing import CliffordMessagePassing
from .norm import MVLayerNorm
from .product import FullyConnectedGeometricProductLayer, GeometricProductLayer

__all__ = ["MVLinear", "MVSiLU", "MVLayerNorm", "GeometricProductLayer",
           "FullyConnectedGeometricProductLayer", "CliffordMessagePassing"]
