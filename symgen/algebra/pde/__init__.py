"""PDEs and their Lie point symmetries (symbolic, SymPy only).

Parsing with a whitelist, prolongation on jet variables, determining equations and an
exact polynomial solver; flows and generated augmentation kernels follow (issue 6); group
classification by a parameter or an arbitrary function (:mod:`.classification`).
"""

from .classification import ClassificationCase, GroupClassification, group_classification
from .equation import PDE
from .parse import FUNCTIONS, ParsedPDE, parse_pde
from .symmetries import InfiniteFamily, Symmetries, VectorField, point_symmetries

__all__ = ["PDE", "parse_pde", "ParsedPDE", "FUNCTIONS", "Symmetries", "InfiniteFamily", "VectorField",
           "point_symmetries", "group_classification", "GroupClassification", "ClassificationCase"]
