"""Groups declared by their generators, their representations and equivariant bases.

``group.py`` (matrix, finite, complex and product groups), ``finite.py`` (exact enumeration of
finite groups), ``reps.py`` (representations as values: the ``Rep`` base class and tensor
representations), ``orbit_count.py`` (exact invariant counts of signed permutation groups from
their generators), ``composite.py`` (sums, products, duals of any kinds, external products,
real forms), ``equivariance.py`` (equivariant bases and their certificates), ``hom.py`` (bases
between non-tensor representations), ``structured.py`` (bases held by block types and orbit
maps), ``classical.py`` (recognising a declared group as a classical one), ``steerable.py``
(steerable point kernels), ``linear_ir.py``
(equivariant linear maps as IR for the layers), ``projector.py`` (the orthogonal projector
onto the equivariant maps as IR), with the
diagram, partition and quadrature helpers the bases and certificates use.
"""

from .equivariance import (Certificate, certificate, certified_dimension, constraint_error, equivariant_basis,
                           modular_dimension, orbit_dimension, structured_basis)
from .group import (GL, E, SE, SL, SO, SU, C, D, DirectProduct, Group, MatrixGroup, O, PlaneRotations, S, Sp, U,
                    Unitary, Z)
from .linear_ir import equivariant_linear_ir
from .projector import equivariant_projector_ir
from .reps import Rep, Scalar, TensorRep, V
from .steerable import check_orthogonal, isotropic_apply_ir, kernel_apply_ir, kernel_rep
from .structured import StructuredBasis

__all__ = ["Group", "MatrixGroup", "SO", "O", "SE", "E", "SL", "GL", "Sp", "SU", "U", "S", "Z", "C", "D",
           "PlaneRotations", "Unitary", "DirectProduct", "Rep", "TensorRep", "V", "Scalar", "equivariant_basis",
           "structured_basis", "StructuredBasis", "certified_dimension", "modular_dimension", "orbit_dimension",
           "certificate",
           "Certificate", "constraint_error", "equivariant_linear_ir", "equivariant_projector_ir", "kernel_rep",
           "kernel_apply_ir", "isotropic_apply_ir", "check_orthogonal"]
