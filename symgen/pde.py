"""Public face of the PDE pillar: ``from symgen.pde import PDE``.

>>> from symgen.pde import PDE
>>> PDE("u_t = u_xx").symmetries().dimension
6
"""

from .algebra.pde import (PDE, ClassificationCase, GroupClassification, InfiniteFamily, Symmetries, VectorField,
                          group_classification, parse_pde)

__all__ = ["PDE", "Symmetries", "InfiniteFamily", "VectorField", "parse_pde", "group_classification",
           "GroupClassification", "ClassificationCase"]
