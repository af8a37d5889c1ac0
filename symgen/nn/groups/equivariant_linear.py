"""``EquivariantLinear``: a linear layer whose weight lives in the equivariant basis.

``W = sum_k w_k B_k`` with ``B_k`` from :func:`symgen.reps.equivariant_basis`, plus an
equivariant bias ``b = sum_j v_j c_j`` (``c_j`` spanning the invariants of ``rep_out``).
Three ways to apply it, chosen by ``strategy``:

- ``"dense"``: rebuild ``W`` from the orthonormal basis (one matrix-vector product) and
  apply it with ``torch.nn.functional.linear``;
- ``"kernel"``: a generated torch kernel of the sparse map ``y[o] = sum c · x[i] · w[l]``
  over the non-zeros of the exact (integer) basis, its IR from
  :func:`~symgen.algebra.groups.linear_ir.equivariant_linear_ir` — the dense ``W`` is
  never formed;
- ``"structured"``: the same ``W`` assembled block type by block type from the small
  bases of a :class:`~symgen.algebra.groups.structured.StructuredBasis` (one einsum per
  pair of summand types, scattered into ``W``), then ``linear``: the dense
  ``(k, n_out, n_in)`` basis is never held, so wide layers (``uniform_rep(256)``) fit;
- ``"auto"`` (default): ``"dense"`` while the dense basis has at most
  :data:`AUTO_DENSE_ENTRIES` entries, else ``"structured"``. Measured on the 2-core CPU
  (``benchmarks/bench_groups.py``), the batched matmul beats the generated sparse kernel
  for every case tried, because the basis is re-expanded once per call while the batch
  dominates the cost; ``benchmarks/bench_scale.py`` measures dense against structured.

The weight vector means the same map under every strategy (the global order of
:func:`~symgen.algebra.groups.equivariance.equivariant_basis`).

>>> import torch
>>> from symgen import groups, reps
>>> G = groups.SO(3)
>>> layer = EquivariantLinear(reps.V(G) ** 2, reps.V(G) + reps.Scalar(G))
>>> layer
EquivariantLinear(V² → V+V⁰, 2 weights + 1 bias, dense)
>>> layer(torch.randn(5, 9)).shape
torch.Size([5, 4])
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ...codegen import runtime
from ...algebra.groups.equivariance import equivariant_basis, structured_basis
from ...algebra.groups.linear_ir import equivariant_linear_ir
from ...algebra.groups.reps import Rep, Scalar, TensorRep
from ...errors import DeviceError, DTypeError, RepresentationError, ShapeError

__all__ = ["EquivariantLinear", "Float64Constants", "check_reps", "check_tensor"]

STRATEGIES = ("auto", "dense", "structured", "kernel")

#: ``strategy="auto"`` keeps the dense basis up to this many entries (8 MB in float64).
AUTO_DENSE_ENTRIES = 2 ** 20


def check_reps(rep_in, rep_out, who: str) -> None:
    """``rep_in`` and ``rep_out`` are representations of one group, else
    :class:`~symgen.errors.RepresentationError` naming both.

    >>> from symgen import groups, reps
    >>> check_reps(reps.V(groups.SO(3)), reps.V(groups.O(3)), "EquivariantLinear")
    Traceback (most recent call last):
    ...
    symgen.errors.RepresentationError: EquivariantLinear: rep_in V is a representation of SO(3) but rep_out V of O(3); both must represent the same group
    """
    for name, rep in (("rep_in", rep_in), ("rep_out", rep_out)):
        if not isinstance(rep, Rep):
            raise RepresentationError(f"{who}: {name} must be a symgen representation "
                                      f"(reps.V(G), reps.Scalar(G), ...), got {rep!r}")
    if rep_in.G != rep_out.G:
        raise RepresentationError(f"{who}: rep_in {rep_in!r} is a representation of {rep_in.G} but "
                                  f"rep_out {rep_out!r} of {rep_out.G}; both must represent the same group")
    for name, rep in (("rep_in", rep_in), ("rep_out", rep_out)):
        if rep.is_complex:
            raise RepresentationError(f"{who}: {name} {rep!r} of {rep.G} is complex; layers are real: pass "
                                      f"its real form {name}.realify()")


def check_tensor(module, x) -> None:
    """Inputs are floating tensors on the module's device (DTypeError / DeviceError).

    >>> from symgen import groups, reps
    >>> layer = EquivariantLinear(reps.V(groups.SO(2)), reps.V(groups.SO(2)))
    >>> check_tensor(layer, torch.ones(4, 2, dtype=torch.int64))
    Traceback (most recent call last):
    ...
    symgen.errors.DTypeError: EquivariantLinear input has dtype torch.int64; use a floating dtype (float32 or float64)
    """
    who = type(module).__name__
    if not isinstance(x, torch.Tensor):
        raise DTypeError(f"{who} takes a torch tensor, got {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise DTypeError(f"{who} input has dtype {x.dtype}; use a floating dtype (float32 or float64)")
    for p in module.parameters(recurse=False):
        if p.device != x.device:
            raise DeviceError(f"{who} input is on {x.device} but its parameters are on {p.device}")
        break


class Float64Constants(torch.nn.Module):
    """Buffers re-derived from their float64 values on every dtype/device change, so a
    module built in float32 and cast to float64 keeps its bases exact to float64."""

    def __init__(self):
        super().__init__()
        self._float64 = {}

    def register_constant(self, name: str, array) -> None:
        """Register ``array`` as buffer ``name``, kept exact in float64 across casts."""
        self._float64[name] = np.asarray(array, dtype=np.float64)
        self.register_buffer(name, torch.tensor(self._float64[name], dtype=torch.get_default_dtype()))

    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        for name, value in self._float64.items():
            old = getattr(self, name)
            setattr(self, name, torch.tensor(value, dtype=old.dtype, device=old.device))
        return self


class EquivariantLinear(Float64Constants):
    """Equivariant linear map ``rep_in → rep_out`` on inputs ``(..., rep_in.size)``.

    ``rep_in`` and ``rep_out`` (of one group) are documented attributes that
    :func:`symgen.testing.assert_equivariant` reads; inputs are floating tensors on the
    module's device."""

    def __init__(self, rep_in: Rep, rep_out: Rep, bias: bool = True, strategy: str = "auto"):
        super().__init__()
        if strategy not in STRATEGIES:
            raise RepresentationError(f"unknown strategy {strategy!r}; choose one of {STRATEGIES}")
        check_reps(rep_in, rep_out, type(self).__name__)
        self.rep_in, self.rep_out = rep_in, rep_out
        # structured bases hold tensor representations; other kinds (user, composite) are dense
        tensor = isinstance(rep_in, TensorRep) and isinstance(rep_out, TensorRep)
        if strategy == "structured" and not tensor:
            raise RepresentationError(f"strategy 'structured' needs tensor representations; {rep_in!r} → "
                                      f"{rep_out!r} involves another kind: use 'dense' or 'auto'")
        basis = structured_basis(rep_in, rep_out) if tensor else equivariant_basis(rep_in, rep_out)
        k = len(basis)
        if strategy == "auto":
            wide = tensor and k * rep_out.size * rep_in.size > AUTO_DENSE_ENTRIES
            strategy = "structured" if wide else "dense"
        self.strategy = strategy
        dtype = torch.get_default_dtype()
        if self.strategy == "kernel":
            exact = equivariant_basis(rep_in, rep_out, exact=True)
            norms = np.array([math.sqrt(float(sum(c * c for c in W.values()))) for W in exact])
            self.kernel = runtime.op(equivariant_linear_ir(rep_in, rep_out, exact))   # pickles as its IR
            self.kernel.prepare("torch")
            self.register_constant("scale", 1 / norms if k else np.ones(1))
        elif self.strategy == "structured":
            self._register_blocks(basis)
        else:
            self.register_constant("basis", basis.dense() if tensor else basis)
        # orthonormal B_k: |W|_F^2 = sum w_k^2 ≈ rep_out.size, i.e. unit-variance outputs
        self.weight = torch.nn.Parameter(torch.randn(k, dtype=dtype) * math.sqrt(rep_out.size / max(k, 1)))
        if bias:
            bias_basis = equivariant_basis(Scalar(rep_out.G), rep_out)[:, :, 0]
            self.register_constant("bias_basis", bias_basis)
            self.bias = torch.nn.Parameter(torch.zeros(len(bias_basis), dtype=dtype))
        else:
            self.bias = None

    def _register_blocks(self, basis):
        """Per block type: its small basis (a float64 constant) or, for an orbit basis, the maps'
        values; the weights of the type (``weight[index]``, ``(m_out, m_in, k_t)``). One index
        ``entry`` ``(n_out, n_in)`` (int32) says where each entry of ``W`` sits in the
        concatenation of every type's values (a dense type's ``(m_out, d_out, m_in, d_in)`` block;
        an orbit type's ``(m_out, m_in, k_t + 1)`` weighted values, the last one zero for entries
        in no orbit), then one zero for entries outside every block: ``W`` is a single gather."""
        self.n_types = len(basis.types)
        entry = np.full((self.rep_out.size, self.rep_in.size), -1, dtype=np.int64)
        offset = 0
        for q, t in enumerate(basis.types):
            (m_out, d_out), (m_in, d_in) = t.out_index.shape, t.in_index.shape
            if t.basis is not None:
                self.register_constant(f"block{q}", t.basis)
                local = np.arange(m_out * d_out * m_in * d_in).reshape(m_out, d_out, m_in, d_in)
            else:       # entries in no orbit read the zero appended after the k_t maps
                self.register_constant(f"block{q}", t.value)
                orbit = np.where(t.orbit < 0, t.k, t.orbit)
                copy = (np.arange(m_out)[:, None] * m_in + np.arange(m_in)) * (t.k + 1)   # (m_out, m_in)
                local = copy[:, None, :, None] + orbit[None, :, None, :]
            self.register_buffer(f"block{q}_weights", torch.tensor(t.weight_index))
            entry[t.out_index.reshape(-1, 1), t.in_index.reshape(1, -1)] = \
                (offset + local).reshape(m_out * d_out, m_in * d_in)
            offset += local.size if t.basis is not None else m_out * m_in * (t.k + 1)
        entry[entry < 0] = offset
        self.register_buffer("entry", torch.from_numpy(entry.astype(np.int32 if offset < 2 ** 31 else np.int64)))

    def _structured_matrix(self):
        parts = []
        for q in range(self.n_types):
            w = self.weight[getattr(self, f"block{q}_weights")]
            basis = getattr(self, f"block{q}")
            if basis.dim() == 3:
                parts.append(torch.einsum("abk,kij->aibj", w, basis).reshape(-1))
            else:
                parts.append(torch.nn.functional.pad(w * basis, (0, 1)).reshape(-1))
        parts.append(self.weight.new_zeros(1))
        # index_select: its backward is an index_add, no sort
        return torch.cat(parts).index_select(0, self.entry.reshape(-1)).reshape(self.entry.shape)

    def __setstate__(self, state):
        """Rebuild the torch kernels after unpickling (the code cache makes it quick), so a
        loaded layer runs under ``torch.compile`` too.

        >>> import copy
        >>> from symgen import groups, reps
        >>> V = reps.V(groups.SO(2))
        >>> layer = EquivariantLinear(V, V, strategy="kernel")
        >>> x = torch.randn(3, 2)
        >>> torch.equal(copy.deepcopy(layer)(x), layer(x))
        True
        """
        super().__setstate__(state)
        if self.strategy == "kernel":
            self.kernel.prepare("torch")

    def __repr__(self):
        nb = 0 if self.bias is None else len(self.bias)
        return (f"EquivariantLinear({self.rep_in!r} → {self.rep_out!r}, {len(self.weight)} weights + "
                f"{nb} bias, {self.strategy})")

    def matrix(self) -> torch.Tensor:
        """The current dense weight ``(rep_out.size, rep_in.size)``."""
        if self.strategy == "kernel":
            eye = torch.eye(self.rep_in.size, dtype=self.weight.dtype, device=self.weight.device)
            return self._apply_kernel(eye).T
        if self.strategy == "structured":
            return self._structured_matrix()
        k, dout, din = self.basis.shape
        return (self.weight @ self.basis.reshape(k, dout * din)).reshape(dout, din)

    def _apply_kernel(self, x):
        if len(self.weight) == 0:
            return x.new_zeros(x.shape[:-1] + (self.rep_out.size,))
        return self.kernel(x, self.weight * self.scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(self, x)
        if x.shape[-1] != self.rep_in.size:
            raise ShapeError(f"last axis has {x.shape[-1]} components; rep_in {self.rep_in!r} of "
                             f"{self.rep_in.G} needs {self.rep_in.size}")
        bias = None if self.bias is None else self.bias @ self.bias_basis
        if self.strategy == "kernel":
            y = self._apply_kernel(x)
            return y if bias is None else y + bias
        return torch.nn.functional.linear(x, self.matrix(), bias)
