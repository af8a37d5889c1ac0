"""symgen: symbolic algebras and symmetries compiled to fast, tested equivariant layers.

>>> from symgen import CliffordAlgebra
>>> CliffordAlgebra.from_signature(3, 0, 1)
Cl(3,0,1)
"""

from ._version import __version__
from .algebra import CliffordAlgebra, Multivector
from .errors import SymgenError

_LAZY = ("groups", "reps", "nn", "testing", "pde")


def __getattr__(name):
    """Import the heavier subpackages (scipy, torch) on first use, not with ``import symgen``."""
    if name in _LAZY:
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["__version__", "CliffordAlgebra", "Multivector", "SymgenError", "groups", "reps"]
