"""Geometric-product layers with one learned weight per grade path (CGENN).

The weighted product runs through a generated :class:`~symgen.codegen.Trilinear`
kernel: one straight-line expression per output blade, weights indexed by grade path,
so no ``(dim, dim, dim)`` Cayley tensor is ever formed; the fully connected layer runs
the same IR contracted over input channels (channel mixing).
"""

from __future__ import annotations

import math

import torch

from ...algebra.clifford.grade_paths import grade_paths, path_product_ir, weighted_product_ir
from ..._validate import check_int
from ...errors import ShapeError
from ._base import CliffordModule
from .linear import MVLinear
from .norm import MVGradeNorm, MVLayerNorm

__all__ = ["GeometricProductLayer", "FullyConnectedGeometricProductLayer", "BladeContraction"]


class GeometricProductLayer(CliffordModule):
    """Steerable geometric-product layer: ``y_c = sum_p w[c, p] <<x_c>_r <(Lx)_c>_s>_t``.

    ``L`` is an :class:`MVLinear` mixing channels; the product pairs each channel with
    its mixed partner, weighted per channel and grade path ``p = (r, s, t)``; a second
    ``MVLinear`` adds the linear path and :class:`MVLayerNorm` normalises the product
    (``normalize``). With ``normalize_right`` the mixed partner ``Lx`` is divided by a learned
    interpolation between 1 and its grade norms first (:class:`MVGradeNorm`): the official
    CGENN layer is ``normalize=False, normalize_right=True``.

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> layer = GeometricProductLayer(CliffordAlgebra((1, 1, 1)), 4)
    >>> layer(torch.randn(8, 4, 8)).shape
    torch.Size([8, 4, 8])
    >>> GeometricProductLayer(CliffordAlgebra((1, 1, 1)), 4, normalize=False, normalize_right=True)(
    ...     torch.randn(8, 4, 8)).shape
    torch.Size([8, 4, 8])
    """

    def __init__(self, alg, channels: int, normalize: bool = True, normalize_right: bool = False):
        super().__init__(alg, channels)
        self.paths = grade_paths(alg)
        self.weight = torch.nn.Parameter(torch.randn(channels, len(self.paths)) / math.sqrt(len(self.paths)))
        self.right = MVLinear(alg, channels, channels, bias=False)
        self.left = MVLinear(alg, channels, channels, bias=True)
        self.norm = MVLayerNorm(alg, channels) if normalize else None
        self.right_norm = MVGradeNorm(alg, channels) if normalize_right else None

    def kernel_irs(self):
        return {"product": weighted_product_ir(self.alg)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        xb = x.permute(2, 0, 1).contiguous()                    # (dim, batch, channels)
        # the weights broadcast over the batch inside the kernel (and their gradient is
        # summed there): no (batch, channels, paths) copy
        right = self.right.blade_major(xb)
        if self.right_norm is not None:
            right = self.right_norm.blade_major(right)
        y = self.kernels["product"].run_blade_major(xb, right, self.weight.to(x.dtype).T)
        if self.norm is not None:
            y = self.norm.blade_major(y)
        return ((self.left.blade_major(xb) + y) / math.sqrt(2)).permute(1, 2, 0).contiguous()


class BladeContraction(torch.autograd.Function):
    """``y[d] = P_d @ W_d.T`` for each blade ``d``: ``P_d`` the ``(batch, slots_d·in)`` view of
    the per-path products ``(batch, slots, in)`` whose slots belong to ``d``, ``W_d`` the
    matching ``(out, slots_d·in)`` weights. Forward and backward write each blade's GEMM
    into its slice of one output (no ``stack``, and no ``cat`` of ``split``'s backward,
    which copied the whole ``(batch, slots, in)`` gradient); with ``create_graph`` the
    backward is built from differentiable ops instead.

    >>> p, w = torch.randn(4, 3, 2), torch.randn(5, 3, 2)
    >>> y = BladeContraction.apply(p, w, (1, 2))
    >>> torch.allclose(y[1], p[:, 1:].reshape(4, -1) @ w[:, 1:].reshape(5, -1).T)
    True
    """

    @staticmethod
    def forward(ctx, per_path, w, blade_slots):
        ctx.save_for_backward(per_path, w)
        ctx.blade_slots = blade_slots
        batch, out = per_path.shape[0], w.shape[0]
        y = per_path.new_empty(len(blade_slots), batch, out)
        for k, (p, q) in enumerate(zip(per_path.split(blade_slots, 1), w.split(blade_slots, 1))):
            torch.mm(p.reshape(batch, -1), q.reshape(out, -1).T, out=y[k])
        return y

    @staticmethod
    def backward(ctx, gy):
        per_path, w = ctx.saved_tensors
        slots, batch, out = ctx.blade_slots, per_path.shape[0], w.shape[0]
        pairs = list(zip(gy.unbind(0), per_path.split(slots, 1), w.split(slots, 1)))
        if torch.is_grad_enabled():                 # double backward: differentiable ops
            gp = torch.cat([(g @ q.reshape(out, -1)).reshape(p.shape) for g, p, q in pairs], 1)
            gw = torch.cat([(g.T @ p.reshape(batch, -1)).reshape(q.shape) for g, p, q in pairs], 1)
            return gp, gw, None
        # contiguous, so that each blade's slice reshapes to a view mm writes into
        gp = torch.empty_like(per_path, memory_format=torch.contiguous_format) if ctx.needs_input_grad[0] else None
        gw = torch.empty_like(w, memory_format=torch.contiguous_format) if ctx.needs_input_grad[1] else None
        for (g, p, q), gp_d, gw_d in zip(pairs, gp.split(slots, 1) if gp is not None else [None] * len(slots),
                                         gw.split(slots, 1) if gw is not None else [None] * len(slots)):
            if gp_d is not None:
                torch.mm(g, q.reshape(out, -1), out=gp_d.reshape(batch, -1))
            if gw_d is not None:
                torch.mm(g.T, p.reshape(batch, -1), out=gw_d.reshape(out, -1))
        return gp, gw, None


class FullyConnectedGeometricProductLayer(CliffordModule):
    """``y_o = sum_c sum_p W[o, c, p] <<x_c>_r <(Lx)_c>_s>_t``: weights per output channel,
    input channel and grade path.

    On the CPU (eager or ``torch.compile``) the product is one generated loop
    (:meth:`~symgen.codegen.runtime.Op.run_mixing` of the weighted product): each input
    channel's per-path products are mixed into the output channels as they are made,
    forward and backward, with no ``(batch, slots, in)`` tensor. Elsewhere (CUDA, or until
    that loop has compiled in the background) the per-path products are contracted by one
    matrix product per blade.

    >>> import torch
    >>> from symgen import CliffordAlgebra
    >>> layer = FullyConnectedGeometricProductLayer(CliffordAlgebra((1, -1)), 3, 5)
    >>> layer(torch.randn(2, 3, 4)).shape
    torch.Size([2, 5, 4])
    """

    def __init__(self, alg, in_channels: int, out_channels: int, normalize: bool = True):
        super().__init__(alg, check_int(in_channels, "in_channels", ShapeError))
        self.out_channels = check_int(out_channels, "out_channels", ShapeError)
        ir, slot_path, slot_blade = path_product_ir(alg)
        self.paths = grade_paths(alg)
        self.register_buffer("slot_path", torch.tensor(slot_path), persistent=False)
        # slots come grouped by output blade: one matrix product per blade contracts them
        self.blade_slots = torch.bincount(torch.tensor(slot_blade), minlength=alg.dim).tolist()
        self.weight = torch.nn.Parameter(torch.randn(out_channels, in_channels, len(self.paths))
                                         / math.sqrt(in_channels * len(self.paths)))
        self.right = MVLinear(alg, in_channels, in_channels, bias=False)
        self.left = MVLinear(alg, in_channels, out_channels, bias=True)
        self.norm = MVLayerNorm(alg, out_channels) if normalize else None

    def kernel_irs(self):
        return {"paths": path_product_ir(self.alg)[0], "mixing": weighted_product_ir(self.alg)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        xb = x.permute(2, 0, 1).contiguous()                    # (dim, batch, in)
        right = self.right.blade_major(xb)
        mixing = self.kernels["mixing"]
        weight = self.weight.to(x.dtype).permute(2, 1, 0)       # (paths, in, out)
        if mixing.choose_mixing(xb, right, weight)[0] == "numba":
            # eager CPU: one generated loop makes each channel's per-path products and
            # mixes them into the output channels at once (and back)
            y = mixing.run_mixing(xb, right, weight)
        else:
            y = self._per_blade(xb, right)
        if self.norm is not None:
            y = self.norm.blade_major(y)
        return ((self.left.blade_major(xb) + y) / math.sqrt(2)).permute(1, 2, 0).contiguous()

    def _per_blade(self, xb: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
        """The product in two steps, for torch.compile and CUDA: the per-path products,
        then one matrix product per blade; ``(dim, batch, out)``."""
        # per-path products laid out (batch, slots, in) in memory, so the slots of one
        # blade with all input channels are one matrix (batch, slots_d * in), a view
        per_path = self.kernels["paths"].run_blade_major(xb, right, out_order=(1, 0, 2)).transpose(0, 1)
        w = self.weight.to(xb.dtype).index_select(-1, self.slot_path).transpose(1, 2).contiguous()  # (out, slots, in)
        # y[d, b, o] = Σ_{slots s of blade d} Σ_c per_path[b, s, c] w[o, s, c]: a GEMM per blade
        if torch.compiler.is_compiling():       # the compiler fuses these; it cannot trace mm(out=)
            return torch.stack([p.reshape(len(p), -1) @ q.reshape(len(q), -1).T for p, q in
                                zip(per_path.split(self.blade_slots, 1), w.split(self.blade_slots, 1))], 0)
        return BladeContraction.apply(per_path, w, tuple(self.blade_slots))

    def extra_repr(self) -> str:
        return f"{self.alg!r}, {self.channels} -> {self.out_channels}, {len(self.paths)} grade paths"
