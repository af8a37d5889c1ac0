"""Representations and equivariant bases (public face of :mod:`symgen.algebra.groups`).

>>> from symgen import groups, reps
>>> V = reps.V(groups.SO(3))
>>> reps.equivariant_basis(V ** 2, V ** 2).shape
(3, 9, 9)
"""

from .algebra.groups import (Certificate, Rep, Scalar, StructuredBasis, TensorRep, V, certificate,
                             certified_dimension, constraint_error, equivariant_basis, structured_basis)
from .algebra.groups.composite import DirectSum, Dual, ExternalProduct, RealForm, TensorProduct

__all__ = ["Rep", "TensorRep", "DirectSum", "TensorProduct", "Dual", "ExternalProduct", "RealForm", "V", "Scalar",
           "equivariant_basis", "structured_basis", "StructuredBasis", "certified_dimension", "certificate",
           "Certificate", "constraint_error"]
