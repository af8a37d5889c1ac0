"""Tools for testing equivariance: Hypothesis strategies, ``assert_equivariant`` and ``lie_derivative``.

Users test their own modules with the same tools symgen's tests use.
"""

from . import strategies
from .equivariance import TOLERANCE, assert_equivariant, equivariance_error
from .lie_derivative import GeneratorError, lie_derivative

__all__ = ["assert_equivariant", "equivariance_error", "lie_derivative", "GeneratorError", "strategies", "TOLERANCE"]
