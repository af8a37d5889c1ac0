"""Groups declared by their generators, their representations and equivariant bases.

``group.py`` (matrix, finite, complex and product groups), ``finite.py`` (exact enumeration of
finite groups), ``reps.py`` (representations as values: the ``Rep`` base class and tensor
representations), ``composite.py`` (sums, products, duals of any kinds, external products,
real forms), ``equivariance.py`` (equivariant bases and their certificates), ``hom.py`` (bases
between non-tensor representations), ``linear_ir.py``
(equivariant linear maps as IR for the layers), with the
diagram, partition and quadrature helpers the bases and certificates use.
"""

from .equivariance import (Certificate, certificate, certified_dimension, constraint_error, equivariant_basis,
                           modular_dimension)
from .group import (GL, E, SE, SL, SO, SU, C, D, DirectProduct, Group, MatrixGroup, O, PlaneRotations, S, Sp, U,
                    Unitary, Z)
from .linear_ir import equivariant_linear_ir
from .reps import Rep, Scalar, TensorRep, V

__all__ = ["Group", "MatrixGroup", "SO", "O", "SE", "E", "SL", "GL", "Sp", "SU", "U", "S", "Z", "C", "D",
           "PlaneRotations", "Unitary", "DirectProduct", "Rep", "TensorRep", "V", "Scalar", "equivariant_basis",
           "certified_dimension", "modular_dimension", "certificate", "Certificate", "constraint_error",
           "equivariant_linear_ir"]
