"""PDEs and their Lie point symmetries (symbolic, SymPy only).

This session: the whitelisting parser. Prolongation, determining equations, their
solution and flows follow (issue 6).
"""

from .parse import FUNCTIONS, ParsedPDE, parse_pde

__all__ = ["parse_pde", "ParsedPDE", "FUNCTIONS"]
