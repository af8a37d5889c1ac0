"""Tools for testing equivariance: Hypothesis strategies and ``assert_equivariant``.

Users test their own modules with the same tools symgen's tests use.
"""

from . import strategies
from .equivariance import TOLERANCE, assert_equivariant, equivariance_error

__all__ = ["assert_equivariant", "equivariance_error", "strategies", "TOLERANCE"]
