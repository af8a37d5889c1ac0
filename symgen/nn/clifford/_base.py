"""What every Clifford layer shares: the algebra, input checks and its generated ops."""

from __future__ import annotations

import torch

from ...codegen import runtime
from ...errors import ShapeError

__all__ = ["CliffordModule", "expand_grades"]


class CliffordModule(torch.nn.Module):
    """Base of the Clifford layers: keeps ``alg``, checks inputs ``(batch, channels, dim)``.

    Subclasses list the IR of their kernels in ``_kernel_irs()``; ``self._ops`` holds
    their runtime ops (:class:`~symgen.codegen.runtime.Op`, which pickle as their IR).
    The torch kernels are built when the module is built and again after unpickling, so
    ``torch.compile`` traces a fresh or loaded module; modules copy, pickle, ``torch.save``
    and wrap in DDP like any other.
    """

    def __init__(self, alg, channels: int):
        super().__init__()
        self.alg, self.channels = alg, int(channels)
        self._ops = {name: runtime.op(ir) for name, ir in self._kernel_irs().items()}
        self._prepare()

    def _kernel_irs(self) -> dict:
        return {}

    def _prepare(self):
        for op in self._ops.values():
            op.prepare("torch")

    def __setstate__(self, state):
        super().__setstate__(state)
        self._prepare()

    def check_input(self, x: torch.Tensor, channels: int | None = None) -> None:
        channels = self.channels if channels is None else channels
        if x.dim() != 3 or x.shape[1] != channels or x.shape[2] != self.alg.dim:
            raise ShapeError(f"{type(self).__name__} expects (batch, {channels}, {self.alg.dim}) "
                             f"for {self.alg!r}; got {tuple(x.shape)}")

    def extra_repr(self) -> str:
        return f"{self.alg!r}, channels={self.channels}"


def expand_grades(alg, per_grade: torch.Tensor) -> torch.Tensor:
    """Repeat the last axis (one entry per grade) over the blades of each grade."""
    index = torch.tensor(alg.grades, device=per_grade.device)
    return per_grade.index_select(-1, index)
