"""Matrix groups declared symbolically (public face of :mod:`symgen.algebra.groups`).

>>> from symgen import groups
>>> groups.SO(3), groups.O(1, 3), groups.Sp(4), groups.S(5), groups.SO(3) * groups.S(3)
(SO(3), O(1,3), Sp(4), S(5), SO(3)×S(3))
"""

from .algebra.groups import (D, GL, O, E, SE, SL, SO, DirectProduct, Group, MatrixGroup, S, Sp,
                             Z)

__all__ = ["Group", "MatrixGroup", "SO", "O", "SE", "E", "SL", "GL", "Sp", "S", "Z", "D",
           "DirectProduct"]
