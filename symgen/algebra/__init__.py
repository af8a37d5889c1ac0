"""Symbolic side of symgen (SymPy only): algebras, groups, representations, PDEs."""

from .clifford import CliffordAlgebra
from .multivector import Multivector

__all__ = ["CliffordAlgebra", "Multivector"]
