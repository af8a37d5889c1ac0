"""What every Clifford layer shares: the algebra, input checks and its generated ops."""

from __future__ import annotations

import torch

from ..._validate import check_int
from ...algebra.clifford.algebra import CliffordAlgebra
from ...codegen import runtime
from ...errors import AlgebraMismatchError, DeviceError, DTypeError, ShapeError

__all__ = ["CliffordModule", "expand_grades"]


class CliffordModule(torch.nn.Module):
    """Base of the Clifford layers: keeps ``alg``, checks inputs ``(batch, channels, dim)``.

    ``alg`` and ``channels`` (the number of input channels) are documented attributes:
    :func:`symgen.testing.assert_equivariant` reads them (a user's network that sets
    ``alg`` and ``in_channels`` or ``channels`` is checked the same way).

    Subclasses list the IR of their kernels in ``kernel_irs()`` (built by
    :mod:`symgen.algebra.clifford`); ``self.kernels[name]`` runs each: a runtime op
    (:class:`~symgen.codegen.runtime.Op`, which pickles as its IR) that picks the kernel
    for its inputs. The torch kernels are built when the module is built and again after
    unpickling, so ``torch.compile`` traces a fresh or loaded module; modules copy,
    pickle, ``torch.save`` and wrap in DDP like any other.

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> from symgen.algebra.clifford.grade_paths import quadratic_form_ir
    >>> class GradeNorms(CliffordModule):
    ...     def kernel_irs(self):
    ...         return {"q": quadratic_form_ir(self.alg)}
    ...     def forward(self, x):
    ...         self.check_input(x)
    ...         return self.kernels["q"](x, x)
    >>> GradeNorms(CliffordAlgebra((1, 1)), 2)(torch.ones(5, 2, 4)).shape
    torch.Size([5, 2, 3])
    """

    def __init__(self, alg, channels: int):
        super().__init__()
        if not isinstance(alg, CliffordAlgebra):
            raise AlgebraMismatchError(f"{type(self).__name__} needs a CliffordAlgebra as alg, got {alg!r}")
        self.alg, self.channels = alg, check_int(channels, "channels", ShapeError)
        self.kernels = {name: runtime.op(ir) for name, ir in self.kernel_irs().items()}
        self._prepare()

    def kernel_irs(self) -> dict:
        """``{name: IR}`` of the kernels this layer runs (none by default)."""
        return {}

    def _prepare(self):
        for op in self.kernels.values():
            op.prepare("torch")

    def __setstate__(self, state):
        super().__setstate__(state)
        self._prepare()

    def check_input(self, x: torch.Tensor, channels: int | None = None) -> None:
        """Inputs are floating tensors ``(batch, channels, alg.dim)`` on the module's device."""
        channels = self.channels if channels is None else channels
        if not isinstance(x, torch.Tensor):
            raise DTypeError(f"{type(self).__name__} takes a torch tensor, got {type(x).__name__}")
        if not x.dtype.is_floating_point:
            raise DTypeError(f"{type(self).__name__} input has dtype {x.dtype}; use a floating "
                             f"dtype (float32 or float64)")
        for p in self.parameters(recurse=False):
            if p.device != x.device:
                raise DeviceError(f"{type(self).__name__} input is on {x.device} but its "
                                  f"parameters are on {p.device}")
            break
        if x.dim() != 3 or x.shape[1] != channels or x.shape[2] != self.alg.dim:
            raise ShapeError(f"{type(self).__name__} expects (batch, {channels}, {self.alg.dim}) "
                             f"for {self.alg!r}; got {tuple(x.shape)}")

    def check_blade_major(self, xb: torch.Tensor, channels: int | None = None) -> None:
        """The same checks for a blade-major input ``(alg.dim, batch, channels)``."""
        channels = self.channels if channels is None else channels
        if not isinstance(xb, torch.Tensor) or xb.dim() != 3 or xb.shape[0] != self.alg.dim \
                or xb.shape[2] != channels:
            raise ShapeError(f"{type(self).__name__}.blade_major expects ({self.alg.dim}, batch, {channels}) "
                             f"for {self.alg!r}; got {tuple(getattr(xb, 'shape', ()))}")
        self.check_input(xb.permute(1, 2, 0), channels)

    def extra_repr(self) -> str:
        return f"{self.alg!r}, channels={self.channels}"


def expand_grades(alg, per_grade: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Repeat axis ``dim`` (one entry per grade) over the blades of each grade."""
    index = torch.tensor(alg.grades, device=per_grade.device)
    return per_grade.index_select(dim, index)
