"""``EquivariantLinear``: a linear layer whose weight lives in the equivariant basis.

``W = sum_k w_k B_k`` with ``B_k`` from :func:`symgen.reps.equivariant_basis`, plus an
equivariant bias ``b = sum_j v_j c_j`` (``c_j`` spanning the invariants of ``rep_out``).
Two ways to apply it, chosen by ``strategy``:

- ``"dense"``: rebuild ``W`` from the orthonormal basis (one matrix-vector product) and
  apply it with ``torch.nn.functional.linear``;
- ``"kernel"``: a generated torch kernel of the sparse trilinear map
  ``y[o] = sum c · x[i] · w[l]`` over the non-zeros of the exact (integer) basis — the
  dense ``W`` is never formed;
- ``"auto"`` (default): ``"dense"``. Measured on the 2-core CPU (``benchmarks/bench_groups.py``),
  the batched matmul beats the generated sparse kernel for every case tried, because
  the basis is re-expanded once per call while the batch dominates the cost.

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

from ...algebra.groups.equivariance import equivariant_basis
from ...algebra.groups.reps import Rep, Scalar
from ...errors import RepresentationError, ShapeError

__all__ = ["EquivariantLinear", "Float64Constants"]

STRATEGIES = ("auto", "dense", "kernel")


def _kernel(rep_in, rep_out, exact):
    """Compile ``y[o] = sum_terms c x[i] w[l]`` for the exact basis ``exact``."""
    from ...codegen import Bilinear, compile

    terms = []
    for l, W in enumerate(exact):
        terms += [(o, i, l, c) for (o, i), c in W.todok().items()]
    ir = Bilinear("equivariant_linear", rep_out.size, rep_in.size, max(len(exact), 1), terms,
                  doc=f"equivariant linear map {rep_in!r} -> {rep_out!r}")
    return compile(ir, "torch")


class Float64Constants(torch.nn.Module):
    """Buffers re-derived from their float64 values on every dtype/device change, so a
    module built in float32 and cast to float64 keeps its bases exact to float64."""

    def __init__(self):
        super().__init__()
        self._float64 = {}

    def _constant(self, name, array):
        self._float64[name] = np.asarray(array, dtype=np.float64)
        self.register_buffer(name, torch.tensor(self._float64[name], dtype=torch.get_default_dtype()))

    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        for name, value in self._float64.items():
            old = getattr(self, name)
            setattr(self, name, torch.tensor(value, dtype=old.dtype, device=old.device))
        return self


class EquivariantLinear(Float64Constants):
    """Equivariant linear map ``rep_in → rep_out`` on inputs ``(..., rep_in.size)``."""

    def __init__(self, rep_in: Rep, rep_out: Rep, bias: bool = True, strategy: str = "auto"):
        super().__init__()
        if strategy not in STRATEGIES:
            raise RepresentationError(f"unknown strategy {strategy!r}; choose one of {STRATEGIES}")
        self.rep_in, self.rep_out = rep_in, rep_out
        self.strategy = "dense" if strategy == "auto" else strategy
        basis = equivariant_basis(rep_in, rep_out)
        dtype = torch.get_default_dtype()
        k = len(basis)
        if self.strategy == "kernel":
            exact = equivariant_basis(rep_in, rep_out, exact=True)
            norms = np.array([math.sqrt(float(sum(c * c for c in W.values()))) for W in exact])
            self.kernel = _kernel(rep_in, rep_out, exact)
            self._constant("scale", 1 / norms if k else np.ones(1))
        else:
            self._constant("basis", basis)
        # orthonormal B_k: |W|_F^2 = sum w_k^2 ≈ rep_out.size, i.e. unit-variance outputs
        self.weight = torch.nn.Parameter(torch.randn(k, dtype=dtype) * math.sqrt(rep_out.size / max(k, 1)))
        if bias:
            bias_basis = equivariant_basis(Scalar(rep_out.G), rep_out)[:, :, 0]
            self._constant("bias_basis", bias_basis)
            self.bias = torch.nn.Parameter(torch.zeros(len(bias_basis), dtype=dtype))
        else:
            self.bias = None

    def __getstate__(self):
        """Pickle without the compiled kernel (a generated module is not picklable)."""
        state = self.__dict__.copy()
        state.pop("kernel", None)
        return state

    def __setstate__(self, state):
        """Recompile the kernel from the representations (the code cache makes it quick).

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
            self.kernel = _kernel(self.rep_in, self.rep_out, equivariant_basis(self.rep_in, self.rep_out, exact=True))

    def __repr__(self):
        nb = 0 if self.bias is None else len(self.bias)
        return (f"EquivariantLinear({self.rep_in!r} → {self.rep_out!r}, {len(self.weight)} weights + "
                f"{nb} bias, {self.strategy})")

    def matrix(self) -> torch.Tensor:
        """The current dense weight ``(rep_out.size, rep_in.size)``."""
        if self.strategy == "kernel":
            eye = torch.eye(self.rep_in.size, dtype=self.weight.dtype, device=self.weight.device)
            return self._apply_kernel(eye).T
        k, dout, din = self.basis.shape
        return (self.weight @ self.basis.reshape(k, dout * din)).reshape(dout, din)

    def _apply_kernel(self, x):
        if len(self.weight) == 0:
            return x.new_zeros(x.shape[:-1] + (self.rep_out.size,))
        return self.kernel.fn(x, self.weight * self.scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.rep_in.size:
            raise ShapeError(f"last axis has {x.shape[-1]} components; rep_in {self.rep_in!r} of "
                             f"{self.rep_in.G} needs {self.rep_in.size}")
        bias = None if self.bias is None else self.bias @ self.bias_basis
        if self.strategy == "kernel":
            y = self._apply_kernel(x)
            return y if bias is None else y + bias
        return torch.nn.functional.linear(x, self.matrix(), bias)
