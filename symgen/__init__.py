"""symgen: symbolic algebras and symmetries compiled to fast, tested equivariant layers.

>>> from symgen import CliffordAlgebra
>>> CliffordAlgebra.from_signature(3, 0, 1)
Cl(3,0,1)
"""

from ._version import __version__
from .algebra import CliffordAlgebra, Multivector
from .errors import SymgenError
from . import groups, reps

__all__ = ["__version__", "CliffordAlgebra", "Multivector", "SymgenError", "groups", "reps"]
