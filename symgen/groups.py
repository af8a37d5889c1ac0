"""Matrix groups declared symbolically (public face of :mod:`symgen.algebra.groups`).

>>> from symgen import groups
>>> groups.SO(3), groups.O(1, 3), groups.Sp(4), groups.S(5), groups.SO(3) * groups.S(3)
(SO(3), O(1,3), Sp(4), S(5), SO(3)×S(3))
"""

from .algebra.groups import (GL, SE, SL, SO, SU, C, D, DirectProduct, E, Group, MatrixGroup, O, PlaneRotations,
                             S, Sp, U, Unitary, Z)

__all__ = ["Group", "MatrixGroup", "SO", "O", "SE", "E", "SL", "GL", "Sp", "SU", "U", "S", "Z", "C", "D",
           "PlaneRotations", "Unitary", "DirectProduct"]
