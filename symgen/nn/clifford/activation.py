"""Gated non-linearity on grade invariants (CGENN's MVSiLU)."""

from __future__ import annotations

import torch

from ...algebra.clifford.grade_paths import quadratic_form_ir
from ._base import CliffordModule, expand_grades

__all__ = ["MVSiLU", "grade_invariants"]


class MVSiLU(CliffordModule):
    """``x^(k) ↦ x^(k) σ(a_k q_k(x) + b_k)``, with the scalar part gating itself.

    ``q_k(x) = <x̃_k x_k>_0`` is invariant under the Clifford group, so scaling each
    grade by a function of it is equivariant (indefinite and degenerate metrics too).

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> MVSiLU(CliffordAlgebra((1, -1)), 3)(torch.randn(2, 3, 4)).shape
    torch.Size([2, 3, 4])
    """

    def __init__(self, alg, channels: int):
        super().__init__(alg, channels)
        self.a = torch.nn.Parameter(torch.ones(channels, alg.n + 1))
        self.b = torch.nn.Parameter(torch.zeros(channels, alg.n + 1))

    def _kernel_irs(self):
        return {"q": quadratic_form_ir(self.alg)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        q = self._ops["q"].run(x, x)                             # (batch, channels, n + 1)
        q = torch.cat([x[..., :1], q[..., 1:]], dim=-1)          # the scalar gates itself
        gate = torch.sigmoid(self.a.to(x.dtype) * q + self.b.to(x.dtype))
        return x * expand_grades(self.alg, gate)


def grade_invariants(module: CliffordModule, x: torch.Tensor) -> torch.Tensor:
    """``q_k(x)`` for each grade through the module's generated kernel."""
    return module._ops["q"].run(x, x)
