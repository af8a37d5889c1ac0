"""Symbolic side of symgen (SymPy only), one folder a pillar: ``clifford/`` (algebras),
``groups/`` (groups, representations, equivariant bases), ``pde/`` (Lie point symmetries).
Each builds the IR of its pillar and asks :mod:`symgen.codegen` to run it."""

from .clifford import CliffordAlgebra, Multivector

__all__ = ["CliffordAlgebra", "Multivector"]
