"""Groups declared by their generators, their representations and equivariant bases.

``group.py`` (matrix, finite and product groups), ``finite.py`` (exact enumeration of
finite groups), ``reps.py`` (representations as
values), ``equivariance.py`` (equivariant bases and their certificates), ``linear_ir.py``
(equivariant linear maps as IR for the layers), ``projector.py`` (the orthogonal projector
onto the equivariant maps as IR), with the
diagram, partition and quadrature helpers the bases and certificates use.
"""

from .equivariance import (Certificate, certificate, certified_dimension, constraint_error, equivariant_basis,
                           modular_dimension)
from .group import GL, E, SE, SL, SO, D, DirectProduct, Group, MatrixGroup, O, S, Sp, Z
from .linear_ir import equivariant_linear_ir
from .projector import equivariant_projector_ir
from .reps import Rep, Scalar, V

__all__ = ["Group", "MatrixGroup", "SO", "O", "SE", "E", "SL", "GL", "Sp", "S", "Z", "D", "DirectProduct",
           "Rep", "V", "Scalar", "equivariant_basis", "certified_dimension", "modular_dimension",
           "certificate", "Certificate", "constraint_error", "equivariant_linear_ir",
           "equivariant_projector_ir"]
