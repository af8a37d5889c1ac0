"""Clifford algebras Cl(V, g) for any symmetric metric: blades, products, multivectors, IR."""

from .algebra import CliffordAlgebra
from .multivector import Multivector

__all__ = ["CliffordAlgebra", "Multivector"]
