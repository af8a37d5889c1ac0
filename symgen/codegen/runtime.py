"""Which kernel runs for an input: the one place that decides.

Hand the runtime a multilinear IR and inputs; it checks them (:mod:`.adaptors`), picks a
backend, builds that kernel if needed and runs it. ``backend="auto"`` picks

- **numpy arrays**: the Numba kernel of the input's dtype once it is compiled, else the
  NumPy gather kernel (:mod:`.numpy_backend`, ready as soon as it is written). From
  :data:`MIN_ROWS` rows on, a missing Numba kernel starts compiling in the background
  (a child process, :mod:`.numba_worker`, then loaded from Numba's cache by a thread)
  and takes over when ready, so no call waits for Numba.
- **torch tensors**: the torch kernel on CUDA, under ``torch.compile`` or functorch
  transforms, for half precision and for linear maps; on the CPU in eager mode the
  Numba kernel, inside an ``autograd.Function``, once compiled (same background rule):
  measured 2–6x faster forward + backward at every batch size (benchmarks/RESULTS.md).
  Products get a generated backward (:mod:`.autograd`). :meth:`Op.run_mixing` (a
  trilinear op contracted over channels, :mod:`.numba_mixing`) runs its CPU Numba loop as
  the custom op ``symgen::channel_mixing``, which ``torch.compile`` traces as one node.

Pointwise IR (SymPy expressions evaluated elementwise: PDE flows, PINN residuals) runs as
a :class:`PointwiseOp`: torch tensors take the torch kernel (eager CPU tensors too: measured
faster than Numba for flow kernels at 64 x 256 points, benchmarks/RESULTS.md), numpy arrays
the Numba kernel.

``backend="numba"``, ``"torch"`` or ``"numpy"`` asks for one (compiled now if needed);
:func:`explain` says what runs for given inputs and why. Compiled kernels live in a
process-level table keyed by the IR's content hash: they are immutable once built and
never stored on user objects. An :class:`Op` or :class:`PointwiseOp` pickles as its IR.

>>> import numpy as np
>>> from symgen.codegen.ir import Bilinear
>>> cmul = Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)))
>>> run(cmul, np.array([1.0, 2.0]), np.array([3.0, 4.0]))          # (1 + 2i)(3 + 4i)
array([-5., 10.])
>>> print(explain(cmul, np.ones(2), np.ones(2)))
cmul: numpy kernel (1 row < MIN_ROWS = 256 and no Numba kernel for float64 yet)
>>> kernel(cmul, backend="torch").backend
'torch'
"""

from __future__ import annotations

import importlib.util
import math
import os
import queue
import subprocess
import sys
import threading

import numpy as np

from ..errors import CodegenError, SymgenError
from . import adaptors
from .ir import Multilinear, Pointwise, Rowwise, gradient_ir

__all__ = ["op", "run", "kernel", "explain", "prepare", "compiling", "Op", "PointwiseOp", "MessageOp", "message_op", "MIN_ROWS", "STRIDED_COST", "BACKENDS"]

#: Backends a caller may ask for.
BACKENDS = ("auto", "numba", "torch", "numpy")

#: From this many rows (product of the broadcast leading axes) ``auto`` compiles the Numba
#: kernel of an op (in the background); below, tiny calls such as property tests never
#: start a compile. A compiled Numba kernel serves every size (it is faster at all sizes).
MIN_ROWS = 256

#: A torch input whose components are not contiguous (a permuted view, a gradient out of
#: a batched matmul) is copied to rows; ``auto`` takes Numba only while
#: ``STRIDED_COST * (its components) <= terms of the op`` (measured on the CGENN layers).
STRIDED_COST = 4

#: The backend ``auto`` gives a pointwise op on eager CPU tensors that need no gradient, and
#: why: ``python benchmarks/bench_pointwise.py --repeats 3`` (flow kernels, 64 x 256 points)
#: measured Numba 1.0-3.6x slower than torch in float32 and float64 (benchmarks/RESULTS.md).
POINTWISE_CPU = "torch"
POINTWISE_CPU_REASON = "CPU eager: measured faster than Numba (benchmarks/bench_pointwise.py)"

_HAVE_NUMBA = importlib.util.find_spec("numba") is not None
_OPS: dict = {}
_MESSAGE_OPS: dict = {}


def op(ir, strategy: str | None = None):
    """The process-wide :class:`Op` (multilinear or rowwise IR) or :class:`PointwiseOp` of
    ``ir`` (same content, same op)."""
    key = (ir.key(), getattr(ir, "labels", None), ir.doc, strategy)
    found = _OPS.get(key)
    if found is None:
        if isinstance(ir, Pointwise):
            found = _OPS.setdefault(key, PointwiseOp(ir))
        elif isinstance(ir, (Multilinear, Rowwise)):
            found = _OPS.setdefault(key, Op(ir, strategy))
        else:
            raise CodegenError(f"the runtime runs Linear, Bilinear, Trilinear, Rowwise and Pointwise IR; got {ir!r}")
    return found


def message_op(ir):
    """The process-wide :class:`MessageOp` of the two-input IR ``ir`` (same content, same op),
    so that its compiled edge kernels live here, never on a module a user holds."""
    key = (ir.key(), getattr(ir, "labels", None), ir.doc)
    found = _MESSAGE_OPS.get(key)
    if found is None:
        found = _MESSAGE_OPS.setdefault(key, MessageOp(ir))
    return found


def run(ir, *inputs, backend: str = "auto", **options):
    """``ir`` applied to numpy arrays or torch tensors: ``(..., dim)`` for multilinear IR
    (broadcasting), elementwise for Pointwise IR (``params=`` its scalar parameters)."""
    return op(ir).run(*inputs, backend=backend, **options)


def kernel(ir, like=None, backend: str = "auto"):
    """The :class:`~symgen.codegen.Kernel` that runs ``ir`` on inputs like ``like``.

    ``like`` is an array or tensor standing for every input (its dtype, device and rows
    count); without it, a float64 numpy array of :data:`MIN_ROWS` rows (a float32 CPU
    tensor for ``backend="torch"`` and for Pointwise IR). With ``"auto"`` a
    Numba kernel that would take over is compiled now, so the answer holds from now on.
    """
    return op(ir).kernel(like, backend)


def explain(ir, *inputs, backend: str = "auto") -> str:
    """Which kernel ``run(ir, *inputs, backend=backend)`` runs now, and why."""
    return op(ir).explain(*inputs, backend=backend)


def prepare(ir, backend: str = "torch") -> None:
    """Build the kernels of ``ir`` and of its gradients for ``backend`` now.

    ``"torch"``: before ``torch.compile`` traces a call (it cannot build them while
    tracing). ``"numba"``: compile both dtypes, so no call waits or falls back;
    ``"blade_major"``: the same for :meth:`Op.run_blade_major` and its gradients;
    ``"mixing"``: the same for :meth:`Op.run_mixing`.
    """
    op(ir).prepare(backend)


class _Built:
    """An IR's kernels, built on demand: one per backend, the Numba one compiled per dtype."""

    strategy: str | None = None

    def _reset_locks(self):
        self._lock = threading.Lock()
        self._pending: set = set()

    def _kernel(self, backend: str):
        found = self._kernels.get(backend)
        if found is None:
            from . import compile as compile_ir
            found = self._kernels.setdefault(backend, compile_ir(self.ir, backend, self.strategy))
        return found

    def torch_kernel(self):
        """The generated torch function (built before: fails while torch.compile traces)."""
        found = self._kernels.get("torch")
        if found is None:
            if compiling():
                raise CodegenError(
                    f"the torch kernel of {self.ir.doc or self.ir.name} is built on first use, which "
                    f"cannot happen while torch.compile traces; call alg.prepare([...]) (or "
                    f"codegen.runtime.prepare(ir)) or run the op once eagerly before compiling")
            found = self._kernel("torch")
        return found.fn

    def explain(self, *inputs, backend: str = "auto") -> str:
        """Which kernel ``run(*inputs, backend=backend)`` runs now, and why."""
        chosen, why = self.choose(*inputs, backend=backend)
        return f"{self.ir.name}: {chosen} kernel ({why})"

    def _compile_numba(self, dtype: str):
        """Compile the Numba kernel of ``dtype`` now (once; the cache file may serve it)."""
        if dtype in self._numba:
            return self._numba[dtype]
        with self._lock:
            if dtype not in self._numba:
                from . import cache
                if dtype.endswith("-mixing"):           # the channel-mixing kernels of Op
                    from .numba_mixing import compile_mixing
                    from .numba_worker import mixing_signatures
                    fn = cache.import_module(compile_mixing(self.ir).path).KERNELS
                    for kind, sig in mixing_signatures(dtype.removesuffix("-mixing")).items():
                        fn[kind].compile(sig)
                    _MIXING_OPS.setdefault(self.ir.key(), self)
                    _mixing_library()               # registered now: torch.compile cannot trace it
                    self._numba[dtype] = fn
                    return fn
                module = cache.import_module(self._kernel("numba").path)
                if dtype.endswith("-strided"):          # the blade-major kernels of Op
                    from .numba_worker import strided_signature
                    fn = module.STRIDED
                    for variant in fn.values():
                        variant.compile(strided_signature(dtype.removesuffix("-strided"), self.ir.arity))
                else:
                    fn = module.KERNELS[dtype]
                    fn.compile(self._signature(dtype))
                self._numba[dtype] = fn
        return self._numba[dtype]


class Op(_Built):
    """One multilinear or rowwise IR at run time: its kernels, built on demand, and its
    gradient ops (a rowwise IR's take every input and then the output's gradient)."""

    def __init__(self, ir, strategy: str | None = None):
        self.ir, self.strategy = ir, strategy
        self._kernels: dict = {}        # backend -> Kernel
        self._numba: dict = {}          # dtype name -> compiled njit dispatcher
        self._failed: dict = {}         # dtype name -> exception of a background compile
        self._functions: dict = {}      # (forward backend, requested backend) -> autograd.Function
        self._grads: dict = {}
        self._traced_grads: list = []   # gradients' torch kernels, filled by prepare("torch")
        self._reset_locks()

    def __reduce__(self):
        return op, (self.ir, self.strategy)

    def __repr__(self):
        return f"Op({self.ir!r}, numba ready for {sorted(self._numba) or 'no dtype'})"

    def _linear_map(self) -> bool:
        return isinstance(self.ir, Multilinear) and self.ir.arity == 1

    def _multilinear_only(self, what: str) -> None:
        if not isinstance(self.ir, Multilinear):
            raise CodegenError(f"{what} runs multilinear IR; {self.ir!r} is not")

    # ------------------------------------------------------------------ kernels
    def _signature(self, dtype: str) -> tuple:
        from .numba_worker import signature
        return signature(dtype, self.ir.arity)

    def _start_numba(self, dtype: str) -> None:
        """Compile the Numba kernel of ``dtype`` in the background (once)."""
        if dtype in self._numba or dtype in self._failed or dtype in self._pending:
            return
        self._pending.add(dtype)
        _background(self, dtype)

    # ------------------------------------------------------------------ choice
    def _choose_numpy(self, arrays, backend: str) -> tuple[str, str]:
        dtype = _dtype_name(arrays[0])
        if backend == "torch":
            raise CodegenError(f"backend 'torch' needs torch tensors; got numpy arrays of {dtype} "
                               f"(use 'auto', 'numba' or 'numpy')")
        if backend == "numba" and not _HAVE_NUMBA:
            raise CodegenError("backend 'numba' asked for, but numba is not installed; use 'auto' or 'numpy'")
        if backend in ("numba", "numpy"):
            return backend, "asked for"
        if not _HAVE_NUMBA:
            return "numpy", "numba is not installed"
        if dtype in self._numba:
            return "numba", f"compiled for {dtype}"
        rows = adaptors.rows_of(arrays)
        return "numpy", self._fallback_reason(dtype, rows)

    def _fallback_reason(self, dtype: str, rows: int) -> str:
        if dtype in self._failed:
            return f"the Numba kernel failed to compile: {self._failed[dtype]}"
        if rows < MIN_ROWS:
            return f"{rows} row{'s' * (rows != 1)} < MIN_ROWS = {MIN_ROWS} and no Numba kernel for {dtype} yet"
        self._start_numba(dtype)
        return f"the Numba kernel for {dtype} is compiling in the background"

    def _choose_torch(self, xs, backend: str) -> tuple[str, str]:
        if backend == "torch":
            return "torch", "asked for"
        if backend == "numpy":
            raise CodegenError("backend 'numpy' needs numpy arrays; got torch tensors "
                               "(use 'auto', 'torch' or 'numba')")
        why_not = _numba_unfit(xs)
        if backend == "numba":
            if why_not:
                raise CodegenError(f"backend 'numba' cannot run {self.ir.name} here: {why_not}; "
                                   f"use backend='torch' or 'auto'")
            return "numba", "asked for"
        if why_not:
            return "torch", why_not
        if self._linear_map():
            return "torch", "linear maps stay on torch"
        strided = sum(x.shape[-1] for x in xs if x.shape[-1] > 1 and x.stride(-1) != 1)
        work, what = ((len(self.ir.terms), "terms") if isinstance(self.ir, Multilinear)
                      else (self.ir.operations, "operations"))
        if STRIDED_COST * strided > work:
            return "torch", f"strided inputs ({strided} components to copy for {work} {what})"
        dtype = _dtype_name(xs[0])
        if dtype in self._numba:
            return "numba", f"CPU eager, compiled for {dtype}"
        return "torch", self._fallback_reason(dtype, adaptors.rows_of(xs))

    def choose(self, *inputs, backend: str = "auto") -> tuple[str, str]:
        """``(backend that runs, reason)`` for these inputs; checks them as :meth:`run` does."""
        if backend not in BACKENDS:
            raise CodegenError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        if len(inputs) != self.ir.arity:
            raise CodegenError(f"{self.ir.name} takes {self.ir.arity} inputs; got {len(inputs)}")
        if any(adaptors.is_torch(x) for x in inputs):
            adaptors.check_torch(inputs)
            adaptors.check_last_axes(self.ir, inputs)
            adaptors.batch_shape(inputs)
            return self._choose_torch(inputs, backend)
        arrays = adaptors.as_numpy(inputs)
        adaptors.check_last_axes(self.ir, arrays)
        adaptors.batch_shape(arrays)
        return self._choose_numpy(arrays, backend)

    # ------------------------------------------------------------------ running
    def run(self, *inputs, backend: str = "auto"):
        """The op on numpy arrays or torch tensors; see the module doc for the choice."""
        if backend == "auto" and type(inputs[0]) is np.ndarray:
            out = self._run_ready(inputs)
            if out is not None:
                return out
        chosen, _ = self.choose(*inputs, backend=backend)
        if any(adaptors.is_torch(x) for x in inputs):
            return self._run_torch(inputs, chosen, backend)
        arrays = adaptors.as_numpy(inputs)
        lead, rows = adaptors.numpy_rows(arrays)
        return self._rows(chosen, rows).reshape(lead + (self.ir.out_dim,))

    __call__ = run

    def _run_ready(self, xs):
        """The common call, checked in a few attribute reads (per-call cost at small
        batches, benchmarks/RESULTS.md): numpy arrays of one float dtype whose Numba kernel
        is compiled, C-contiguous and writable, with the IR's last axes and one leading
        shape. None when anything differs: :meth:`run` then takes the general path."""
        x0 = xs[0]
        fn = self._numba.get(_FLOAT_NAMES.get(x0.dtype))
        if fn is None or len(xs) != self.ir.arity:
            return None
        lead = x0.shape[:-1]
        for x, dim in zip(xs, self.ir.in_dims):
            if (type(x) is not np.ndarray or x.dtype != x0.dtype or x.shape[:-1] != lead or x.ndim == 0
                    or x.shape[-1] != dim or not (x.flags.c_contiguous and x.flags.writeable)):
                return None
        if len(lead) == 1:
            out = np.empty((lead[0], self.ir.out_dim), dtype=x0.dtype)
            fn(*xs, out)
            return out
        rows = [x.reshape(-1, x.shape[-1]) for x in xs]
        out = np.empty((rows[0].shape[0], self.ir.out_dim), dtype=x0.dtype)
        fn(*rows, out)
        return out.reshape(lead + (self.ir.out_dim,))

    def _rows(self, chosen: str, rows):
        dtype = rows[0].dtype
        out = np.empty((rows[0].shape[0], self.ir.out_dim), dtype=dtype)
        fn = self._compile_numba(_dtype_name(rows[0])) if chosen == "numba" else self._kernel("numpy").fn
        fn(*rows, out)
        return out

    def _run_torch(self, xs, chosen: str, backend: str):
        if chosen == "torch" and self._linear_map():
            return self.torch_kernel()(*xs)         # autograd differentiates a linear map
        # the same tensor twice (a quadratic form) becomes a view, which torch.compile accepts
        xs = [x.view_as(x) if any(x is y for y in xs[:q]) else x for q, x in enumerate(xs)]
        return self._function(chosen, backend).apply(*xs)

    def _function(self, chosen: str, backend: str):
        found = self._functions.get((chosen, backend))
        if found is None:
            from .autograd import function
            eager = tuple(_runner(self, m, backend) for m in range(self.ir.arity))
            forward = self._numba_on_torch if chosen == "numba" else self.torch_kernel()
            found = function(self.ir.name, forward, eager, self._traced_grads,
                             linear=isinstance(self.ir, Multilinear))
            found = self._functions.setdefault((chosen, backend), found)
        return found

    def _numba_on_torch(self, *xs):
        lead, rows = adaptors.torch_rows(xs)
        return _torch().from_numpy(self._rows("numba", rows)).reshape(*lead, self.ir.out_dim)

    # ------------------------------------------------------------------ blade-major
    def run_blade_major(self, *xs, out_lead: tuple | None = None, out_order: tuple = (0, 1, 2),
                        backend: str = "auto"):
        """The op on torch tensors holding their components on the *first* axis:
        ``(dim, *lead)``, leads broadcasting to at most two axes ``(n, m)``.

        The layout of layers that mix channels by matrix products per blade (CGENN):
        ``x.permute(2, 0, 1)`` of a ``(batch, channels, dim)`` tensor is read in place
        (any strides), a per-channel weight ``(paths, channels)`` broadcasts without a
        copy, and ``out_lead`` (a shape the leads broadcast to, e.g. ``(1, channels)``)
        sums the output over the axes it drops inside the kernel. Returns
        ``(out_dim, *out_lead)``, laid out in memory with its axes in ``out_order``
        (outermost first; ``(1, 0, 2)`` puts the components between ``n`` and ``m``, so
        a slice of components reshapes to a matrix ``(n, k·m)`` without a copy);
        differentiable (its gradients are the gradient ops,
        run the same way, summed to each input's shape). Eager CPU float32/float64 runs
        the Numba kernels once compiled (:data:`MIN_ROWS` rule); else the torch kernel on
        ``movedim`` views.

        >>> import torch
        >>> from symgen.codegen.ir import Bilinear
        >>> cmul = op(Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1))))
        >>> a = torch.tensor([[[1.0]], [[2.0]]])                  # 1 + 2i as (dim, 1, 1)
        >>> cmul.run_blade_major(a, torch.tensor([[3.0], [4.0]])).flatten()
        tensor([-5., 10.])
        """
        self._multilinear_only("run_blade_major")
        torch = _torch()
        if len(xs) != self.ir.arity or not all(adaptors.is_torch(x) for x in xs):
            raise CodegenError(f"{self.ir.name}.run_blade_major takes {self.ir.arity} torch tensors")
        adaptors.check_torch(xs)
        for name, x, dim in zip("abwcdefg", xs, self.ir.in_dims):
            if x.dim() < 1 or x.shape[0] != dim:
                raise CodegenError(f"{self.ir.name}: {name} must hold its {dim} components on the "
                                   f"first axis; got shape {tuple(x.shape)}")
        lead = adaptors.batch_shape([x.movedim(0, -1) for x in xs])
        out_lead = lead if out_lead is None else tuple(out_lead)
        try:
            fits = tuple(torch.broadcast_shapes(out_lead, lead)) == lead
        except RuntimeError:
            fits = False
        if not fits:
            raise CodegenError(f"{self.ir.name}: out_lead {out_lead} does not broadcast to {lead}")
        chosen = "torch" if backend == "torch" else self._choose_strided(xs, lead)
        if chosen == "torch":
            out = self.run(*(x.movedim(0, -1) for x in xs), backend="torch" if backend == "torch" else "auto")
            return out.sum_to_size(*out_lead, self.ir.out_dim).movedim(-1, 0)
        return _strided_function(self).apply(out_lead, tuple(out_order), *xs)

    def _choose_strided(self, xs, lead) -> str:
        if _numba_unfit(xs) or len(lead) > 2:
            return "torch"
        dtype = _dtype_name(xs[0]) + "-strided"
        if dtype in self._numba:
            return "numba"
        if not (dtype in self._failed or math.prod(lead) < MIN_ROWS):
            self._start_numba(dtype)
        return "torch"

    def _strided(self, xs, out_lead, out_order, lead):
        """Run the Numba blade-major kernel: ``(out_dim, *out_lead)``."""
        torch = _torch()
        kernels = self._compile_numba(_dtype_name(xs[0]) + "-strided")
        shape = (1,) * (2 - len(lead)) + tuple(lead)
        arrays = [x.detach().reshape(x.shape[0], *(1,) * (3 - x.dim()), *x.shape[1:])
                  .expand(x.shape[0], *shape).numpy() for x in xs]
        full = (1,) * (len(lead) - len(out_lead)) + tuple(out_lead)
        if tuple(full) == tuple(lead):
            dims = (self.ir.out_dim, *shape)
            out = torch.empty([dims[q] for q in out_order], dtype=xs[0].dtype).permute(
                *(list(out_order).index(q) for q in range(3)))
            kernels["set"](*arrays, out.numpy())
        else:
            out = torch.zeros(self.ir.out_dim, *(1,) * (2 - len(full)), *full, dtype=xs[0].dtype)
            kernels["add"](*arrays, out.expand(self.ir.out_dim, *shape).numpy())
        return out.reshape(self.ir.out_dim, *out_lead)

    # ------------------------------------------------------------------ channel mixing
    def run_mixing(self, a, b, w, backend: str = "auto"):
        """A trilinear op contracted over channels and mixed into new ones:
        ``y[k, n, o] = Σ_m op(a[:, n, m], b[:, n, m], w[:, m, o])[k]``.

        ``a (A, n, m)``, ``b (B, n, m)`` blade-major torch tensors (any strides), ``w (L, m,
        o)``; returns ``(out_dim, n, o)``, differentiable. Eager CPU float32/float64 runs
        one generated Numba loop forward and one backward (:mod:`.numba_mixing`: the
        products per channel are mixed as they are made, no ``(n, slots, m)`` tensor),
        once compiled (:data:`MIN_ROWS` rule, in the background; :meth:`choose_mixing`
        says which runs); else the op's torch kernel on broadcast views, summed over
        ``m`` (memory ``n·o·m·out_dim``: a reference, and the double backward of the Numba
        path). The CGENN fully connected product layer is this op with ``w`` its weights.

        >>> import torch
        >>> from symgen.codegen.ir import Trilinear
        >>> scale = op(Trilinear("scaled", 1, 1, 1, 1, ((0, 0, 0, 0, 2),)))     # 2 a b w
        >>> a, w = torch.ones(1, 3, 2), torch.arange(4.0).reshape(1, 2, 2)
        >>> scale.run_mixing(a, a, w)[0, 0]                    # 2 (w[0, 0] + w[0, 1])
        tensor([4., 8.])
        """
        self._multilinear_only("run_mixing")
        chosen, _ = self.choose_mixing(a, b, w, backend)
        if chosen == "torch":
            return self._mixing_torch(a, b, w)
        return _mixing_library().channel_mixing(self.ir.key(), a, b, w)

    def choose_mixing(self, a, b, w, backend: str = "auto") -> tuple[str, str]:
        """``(backend, reason)`` :meth:`run_mixing` takes for these inputs, after checking them;
        a missing Numba kernel starts compiling in the background (:data:`MIN_ROWS` rule)."""
        if backend not in ("auto", "numba", "torch"):
            raise CodegenError(f"unknown backend {backend!r}; choose one of 'auto', 'numba', 'torch'")
        if self.ir.arity != 3:
            raise CodegenError(f"{self.ir.name}.run_mixing takes a trilinear op; this one has {self.ir.arity} inputs")
        xs = (a, b, w)
        if not all(adaptors.is_torch(x) for x in xs):
            raise CodegenError(f"{self.ir.name}.run_mixing takes torch tensors")
        adaptors.check_torch(xs)
        (dim_a, dim_b, dim_w), n, m = self.ir.in_dims, a.shape[1:2], a.shape[2:3]
        for name, x, want in (("a", a, (dim_a, *n, *m)), ("b", b, (dim_b, *n, *m)),
                              ("w", w, (dim_w, *m, *w.shape[2:3]))):
            if x.dim() != 3 or tuple(x.shape) != want:
                raise CodegenError(f"{self.ir.name}.run_mixing: {name} must be {want[0]} components "
                                   f"first: a ({dim_a}, n, m), b ({dim_b}, n, m), w ({dim_w}, m, o); got "
                                   f"a {tuple(a.shape)}, b {tuple(b.shape)}, w {tuple(w.shape)}")
        if backend == "torch":
            return "torch", "asked for"
        why_not = _numba_unfit(xs, traced=True)      # traced: an opaque custom op (fullgraph)
        if backend == "numba" and why_not:
            raise CodegenError(f"backend 'numba' cannot run {self.ir.name}.run_mixing here: {why_not}")
        if why_not:
            return "torch", why_not
        dtype = _dtype_name(a) + "-mixing"
        if backend == "numba":
            self._compile_numba(dtype)
            return "numba", "asked for"
        if dtype in self._numba:
            return "numba", f"CPU eager, compiled for {dtype}"
        if dtype in self._failed:
            return "torch", f"the Numba kernel failed to compile: {self._failed[dtype]}"
        if a.shape[1] < MIN_ROWS:
            return "torch", f"{a.shape[1]} rows < MIN_ROWS = {MIN_ROWS} and no Numba kernel for {dtype} yet"
        self._start_numba(dtype)
        return "torch", f"the Numba kernel for {dtype} is compiling in the background"

    def _mixing_torch(self, a, b, w):
        """:meth:`run_mixing` by the op's torch kernel on ``(n, o, m, ·)`` views, summed over ``m``."""
        out = self.run(a.permute(1, 2, 0)[:, None], b.permute(1, 2, 0)[:, None], w.permute(2, 1, 0)[None],
                       backend="torch")
        return out.sum(2).permute(2, 0, 1)

    def _mixing(self, a, b, w):
        """The Numba forward of :meth:`run_mixing`: ``(out_dim, n, o)``, C-contiguous."""
        torch = _torch()
        kernels = self._compile_numba(_dtype_name(a) + "-mixing")
        out = torch.empty(self.ir.out_dim, a.shape[1], w.shape[2], dtype=a.dtype)
        kernels["forward"](a.detach().numpy(), b.detach().numpy(), w.detach().contiguous().numpy(), out.numpy())
        return out

    def _mixing_grads(self, a, b, w, gy):
        """The Numba backward of :meth:`run_mixing`: gradients for ``a``, ``b`` and ``w``."""
        torch = _torch()
        kernels = self._compile_numba(_dtype_name(a) + "-mixing")
        ga, gb = torch.empty(a.shape, dtype=a.dtype), torch.empty(b.shape, dtype=a.dtype)
        gw = torch.zeros(w.shape, dtype=a.dtype)
        w = w.detach()
        kernels["backward"](a.detach().numpy(), b.detach().numpy(), w.contiguous().numpy(),
                            w.transpose(1, 2).contiguous().numpy(), gy.contiguous().numpy(),
                            ga.numpy(), gb.numpy(), gw.numpy())
        return ga, gb, gw

    def grad(self, m: int) -> Op:
        """The op computing the gradient with respect to input ``m`` (one IR, generated once)."""
        found = self._grads.get(m)
        if found is None:
            found = self._grads.setdefault(m, op(gradient_ir(self.ir, m), self.strategy))
        return found

    # ------------------------------------------------------------------ introspection
    def kernel(self, like=None, backend: str = "auto"):
        """The Kernel that runs for inputs like ``like`` (see :func:`kernel`)."""
        if like is None:
            like = np.empty((MIN_ROWS, 0)) if backend != "torch" else _torch().empty(MIN_ROWS, 0)
        inputs = [_shaped(like, d) for d in self.ir.in_dims]
        chosen, _ = self.choose(*inputs, backend=backend)
        dtype = _dtype_name(inputs[0] if adaptors.is_torch(like) else adaptors.as_numpy(inputs)[0])
        if chosen == "numba" or (backend == "auto" and (dtype in self._pending or dtype in self._numba)):
            self._compile_numba(dtype)       # waits for a background compile: numba from now on
            chosen = "numba"
        return self._kernel(chosen)

    def prepare(self, backend: str = "torch") -> None:
        """Build this op's kernels and its gradients' for ``backend`` now."""
        if backend == "torch":
            self.torch_kernel()
            if self.ir.arity > 1:
                if not self._traced_grads:
                    self._traced_grads.extend(self.grad(m).torch_kernel() for m in range(self.ir.arity))
                for requested in ("auto", "torch"):
                    self._function("torch", requested)
        elif backend == "numba":
            for dtype in ("float32", "float64"):
                self._compile_numba(dtype)
        elif backend == "numpy":
            self._kernel("numpy")
        elif backend == "blade_major":          # run_blade_major's Numba kernels, and its gradients'
            self._multilinear_only("prepare('blade_major')")
            for item in (self, *(self.grad(m) for m in range(self.ir.arity))):
                for dtype in ("float32", "float64"):
                    item._compile_numba(f"{dtype}-strided")
        elif backend == "mixing":               # run_mixing's Numba kernels (forward and backward)
            self._multilinear_only("prepare('mixing')")
            for dtype in ("float32", "float64"):
                self._compile_numba(f"{dtype}-mixing")
        else:
            raise CodegenError(f"cannot prepare backend {backend!r}; choose 'torch', 'numba', 'numpy', "
                               f"'blade_major' or 'mixing'")


class PointwiseOp(_Built):
    """One Pointwise IR at run time: SymPy expressions evaluated elementwise.

    ``run(*inputs, params=..., backend=...)`` takes numpy arrays or torch tensors that
    broadcast together, one per ``ir.inputs``, and ``params`` the values of ``ir.params``
    (a sequence in their order, or a mapping by name); it returns a tuple of outputs of the
    inputs' broadcast shape. ``auto`` picks the torch kernel for tensors (see
    :data:`POINTWISE_CPU` for eager CPU tensors) and the Numba kernel for numpy arrays.

    >>> import sympy, torch
    >>> from symgen.codegen.ir import Pointwise
    >>> u, eps = sympy.symbols("u epsilon")
    >>> flow = op(Pointwise("square_flow", (u,), (u / (1 - eps * u),), (eps,)))
    >>> flow.run(torch.tensor([1.0, 2.0]), params={"epsilon": 0.25})
    (tensor([1.3333, 4.0000]),)
    >>> print(flow.explain(torch.ones(3, requires_grad=True)))
    square_flow: torch kernel (inputs require grad: Numba kernels are not differentiable)
    """

    def __init__(self, ir: Pointwise):
        self.ir = ir
        self._kernels: dict = {}        # backend -> Kernel
        self._numba: dict = {}          # dtype name -> compiled njit dispatcher
        self._reset_locks()

    def __reduce__(self):
        return op, (self.ir,)

    def __repr__(self):
        return f"PointwiseOp({self.ir!r})"

    def _signature(self, dtype: str) -> tuple:
        from .numba_worker import pointwise_signature
        return pointwise_signature(dtype, len(self.ir.inputs), len(self.ir.params), len(self.ir.exprs))

    def values(self, params) -> list:
        """The floats of ``ir.params`` from a sequence in their order or a mapping by name."""
        names = [str(p) for p in self.ir.params]
        if params is None:
            params = {}
        if hasattr(params, "keys"):
            missing = [n for n in names if n not in params]
            if missing:
                raise CodegenError(f"{self.ir.name} needs values for {', '.join(missing)}; got "
                                   f"{sorted(map(str, params)) or 'none'}")
            params = [params[n] for n in names]
        if len(params) != len(names):
            raise CodegenError(f"{self.ir.name} takes {len(names)} parameters "
                               f"({', '.join(names) or 'none'}); got {len(params)}")
        return [float(v) for v in params]

    def choose(self, *inputs, backend: str = "auto") -> tuple[str, str]:
        """``(backend that runs, reason)`` for these inputs; checks them as :meth:`run` does."""
        if backend not in BACKENDS:
            raise CodegenError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        if len(inputs) != len(self.ir.inputs):
            raise CodegenError(f"{self.ir.name} takes {len(self.ir.inputs)} inputs "
                               f"({', '.join(map(str, self.ir.inputs))}); got {len(inputs)}")
        if backend == "numpy":
            raise CodegenError(f"{self.ir.name} is pointwise: it has torch and Numba kernels; "
                               f"use 'auto', 'torch' or 'numba'")
        if any(adaptors.is_torch(x) for x in inputs):
            adaptors.check_torch(inputs)
            adaptors.elementwise_shape(inputs)
            return self._choose_torch(inputs, backend)
        adaptors.elementwise_shape(adaptors.as_numpy(inputs))
        if backend == "torch":
            raise CodegenError("backend 'torch' needs torch tensors; got numpy arrays (use 'auto' or 'numba')")
        if not _HAVE_NUMBA:
            raise CodegenError(f"{self.ir.name} on numpy arrays needs numba, which is not installed; "
                               f"pass torch tensors")
        return "numba", "asked for" if backend == "numba" else "numpy arrays run on Numba"

    def _choose_torch(self, xs, backend: str) -> tuple[str, str]:
        if backend == "torch":
            return "torch", "asked for"
        torch = sys.modules["torch"]
        why_not = _numba_unfit(xs)
        if not why_not and torch.is_grad_enabled() and any(x.requires_grad for x in xs):
            why_not = "inputs require grad: Numba kernels are not differentiable"
        if backend == "numba":
            if why_not:
                raise CodegenError(f"backend 'numba' cannot run {self.ir.name} here: {why_not}; "
                                   f"use backend='torch' or 'auto'")
            return "numba", "asked for"
        return ("torch", why_not) if why_not else (POINTWISE_CPU, POINTWISE_CPU_REASON)

    def run(self, *inputs, params=None, backend: str = "auto") -> tuple:
        """The outputs on numpy arrays or torch tensors; see the class doc for the choice."""
        chosen, _ = self.choose(*inputs, backend=backend)
        values = self.values(params)
        if chosen == "torch":
            shape = _torch().broadcast_shapes(*(x.shape for x in inputs))
            return tuple(o.expand(shape) for o in self.torch_kernel()(*inputs, *values))
        shape, flat = adaptors.elementwise_rows(inputs if adaptors.is_torch(inputs[0])
                                                else adaptors.as_numpy(inputs))
        outs = [np.empty_like(flat[0]) for _ in self.ir.exprs]
        self._compile_numba(flat[0].dtype.name)(*flat, *values, *outs)
        return adaptors.from_rows(outs, shape, inputs[0])

    __call__ = run

    def kernel(self, like=None, backend: str = "auto"):
        """The Kernel that runs for inputs like ``like`` (default: a float32 CPU tensor)."""
        like = _torch().empty(0) if like is None else like
        chosen, _ = self.choose(*[like] * len(self.ir.inputs), backend=backend)
        return self._kernel(chosen)

    def prepare(self, backend: str = "torch") -> None:
        """Build the torch kernel, or compile the Numba one for both dtypes, now."""
        if backend == "torch":
            self.torch_kernel()
        elif backend == "numba":
            for dtype in ("float32", "float64"):
                self._compile_numba(dtype)
        else:
            raise CodegenError(f"cannot prepare backend {backend!r} of {self.ir.name}; choose 'torch' or 'numba'")


class MessageOp:
    """Message passing with a generated two-input op ``ir``: for every node ``i``,
    ``out[i] = Σ_{e : dst[e] = i} ir(edge_values[e], node_values[src[e]])``.

    ``backend="auto"`` runs eager CPU tensors (float32/float64) and numpy arrays through one
    generated Numba loop per direction (gather, op and scatter-add fused, no per-edge
    intermediate; compiled on first use, then cached on disk), and everything else (CUDA,
    ``torch.compile``, functorch) as torch's gather, the op's torch kernel and ``index_add``,
    with gradients either way. Get the process-wide one with :func:`message_op`; it pickles
    as its IR.

    >>> import torch
    >>> from symgen.codegen.ir import Bilinear
    >>> scale = message_op(Bilinear("scale", 1, 1, 1, ((0, 0, 0, 1),)))
    >>> w, x = torch.tensor([[2.0], [3.0]]), torch.tensor([[10.0], [100.0]])
    >>> src, dst = torch.tensor([1, 1]), torch.tensor([0, 0])
    >>> scale(w, x, src, dst, num_nodes=2)                  # node 0 gets 2·100 + 3·100
    tensor([[500.],
            [  0.]])
    >>> scale.explain(w, x, src, dst)
    'scale: numba edge kernel (CPU eager)'
    """

    def __init__(self, ir: Multilinear):
        if not isinstance(ir, Multilinear) or ir.arity != 2:
            raise CodegenError(f"MessageOp takes a two-input multilinear IR; got {ir!r}")
        self.ir = ir
        self._edges: dict = {}          # None (the op) or an input index (its gradient) -> Kernel
        self._autograd = None

    def __reduce__(self):
        return message_op, (self.ir,)

    def __repr__(self):
        return f"MessageOp({self.ir!r})"

    def _edge(self, m: int | None):
        """The Numba edge kernel of the op (``m=None``) or of its gradient for input ``m``."""
        found = self._edges.get(m)
        if found is None:
            from . import numba_backend
            ir = self.ir if m is None else gradient_ir(self.ir, m)
            found = self._edges.setdefault(m, numba_backend.compile_edge(ir))
        return found

    def choose(self, edge_values, node_values, src, dst, backend: str = "auto") -> tuple[str, str]:
        """``(backend that runs, reason)`` for these inputs, after checking them."""
        if backend not in ("auto", "numba", "torch"):
            raise CodegenError(f"unknown backend {backend!r}; choose one of 'auto', 'numba', 'torch'")
        for name, x, dim in (("edge_values", edge_values, self.ir.in_dims[0]),
                             ("node_values", node_values, self.ir.in_dims[1])):
            if x.ndim != 2 or x.shape[1] != dim:
                raise CodegenError(f"{self.ir.name}: {name} must be (rows, {dim}); got {tuple(x.shape)}")
        for name, idx in (("src", src), ("dst", dst)):
            if idx.ndim != 1 or len(idx) != len(edge_values):
                raise CodegenError(f"{self.ir.name}: {name} must list one node per edge "
                                   f"({len(edge_values)} edges); got shape {tuple(idx.shape)}")
        if edge_values.dtype != node_values.dtype:
            raise CodegenError(f"{self.ir.name}: edge_values are {edge_values.dtype} but node_values "
                               f"{node_values.dtype}; give both the same dtype")
        if not adaptors.is_torch(edge_values):
            return "numba", "numpy arrays"
        why_not = _numba_unfit([edge_values, node_values])
        if backend == "torch" or (backend == "auto" and why_not):
            return "torch", "asked for" if backend == "torch" else why_not
        if why_not:
            raise CodegenError(f"backend 'numba' cannot run {self.ir.name} here: {why_not}")
        return "numba", "CPU eager" if backend == "auto" else "asked for"

    def explain(self, edge_values, node_values, src, dst, backend: str = "auto") -> str:
        """Which kernel runs for these inputs, and why."""
        chosen, why = self.choose(edge_values, node_values, src, dst, backend)
        return f"{self.ir.name}: {chosen} {'edge kernel' if chosen == 'numba' else 'gather + op + index_add'} ({why})"

    def __call__(self, edge_values, node_values, src, dst, num_nodes: int, backend: str = "auto"):
        chosen, _ = self.choose(edge_values, node_values, src, dst, backend)
        if chosen == "torch":
            messages = op(self.ir).run(edge_values, node_values.index_select(0, src), backend="torch")
            out = messages.new_zeros(num_nodes, self.ir.out_dim)
            return out.index_add(0, dst, messages)
        if not adaptors.is_torch(edge_values):
            return self._scatter(None, edge_values, node_values, np.arange(len(src)), src, dst, num_nodes)
        return self._function().apply(edge_values, node_values, src, dst, num_nodes)

    def prepare(self) -> None:
        """Build the torch kernels and gradients now, as ``torch.compile`` needs them."""
        prepare(self.ir, "torch")

    def _scatter(self, m, a, b, ia, ib, io, rows: int):
        a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
        ia, ib, io = (np.ascontiguousarray(i, dtype=np.int64) for i in (ia, ib, io))
        for idx, bound, name in ((ib, len(b), "source"), (io, rows, "destination")):
            if len(idx) and (idx.min() < 0 or idx.max() >= bound):
                raise CodegenError(f"{self.ir.name}: a {name} node index is outside 0..{bound - 1} "
                                   f"(min {idx.min()}, max {idx.max()})")
        out = np.zeros((rows, self.ir.out_dim if m is None else self.ir.in_dims[m]), a.dtype)
        self._edge(m)(a, b, ia, ib, io, out)
        return out

    def _function(self):
        if self._autograd is None:
            self._autograd = _message_function(self)
        return self._autograd


def _message_function(message: MessageOp):
    """The ``autograd.Function`` of ``message``'s Numba path: forward and both gradients are
    edge kernels (gradient for the edge values gathered per edge, for the node values
    scattered back onto the source nodes)."""
    torch = _torch()

    def run(m, a, b, ia, ib, io, rows):
        return torch.from_numpy(message._scatter(m, a.detach().numpy(), b.detach().numpy(), ia.numpy(),
                                                 ib.numpy(), io.numpy(), rows))

    class Message(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, src, dst, num_nodes):
            ctx.save_for_backward(a, b, src, dst)
            return run(None, a, b, torch.arange(len(src)), src, dst, num_nodes)

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, g):
            a, b, src, dst = ctx.saved_tensors
            edges = torch.arange(len(src))
            g = g.contiguous()
            ga = run(0, g, b, dst, src, edges, len(a)) if ctx.needs_input_grad[0] else None
            gb = run(1, a, g, edges, dst, src, len(b)) if ctx.needs_input_grad[1] else None
            return ga, gb, None, None, None

    Message.__name__ = Message.__qualname__ = "".join(p.title() for p in message.ir.name.split("_")) + "Message"
    return Message


def _strided_function(op_: Op):
    """The ``autograd.Function`` of ``op_``'s blade-major Numba path (one per op): the
    gradient for input ``m`` is gradient op ``m`` run blade-major, summed to its shape."""
    found = op_._functions.get("strided")
    if found is not None:
        return found
    torch = _torch()

    class BladeMajor(torch.autograd.Function):
        @staticmethod
        def forward(ctx, out_lead, out_order, *xs):
            ctx.save_for_backward(*xs)
            return op_._strided(xs, out_lead, out_order, torch.broadcast_shapes(*(x.shape[1:] for x in xs)))

        @staticmethod
        def backward(ctx, g):
            xs = ctx.saved_tensors
            grads = [None, None]
            for m, x in enumerate(xs):
                if ctx.needs_input_grad[m + 2]:
                    args = [g if q == m else y for q, y in enumerate(xs)]
                    grads.append(op_.grad(m).run_blade_major(*args, out_lead=x.shape[1:]))
                else:
                    grads.append(None)
            return tuple(grads)

    BladeMajor.__name__ = BladeMajor.__qualname__ = "".join(p.title() for p in op_.ir.name.split("_")) + "BladeMajor"
    return op_._functions.setdefault("strided", BladeMajor)


_MIXING_OPS: dict = {}      # IR key -> the Op whose channel mixing the custom ops run
_MIXING_LIBRARY: list = []
_MIXING_LOCK = threading.Lock()


def _mixing_library():
    """The custom ops ``symgen::channel_mixing`` and its backward (registered once per
    process): the Numba mixing of the :class:`Op` named by its IR key, with fake
    implementations, so that ``torch.compile`` traces a call as one opaque node. Under
    ``create_graph`` the backward differentiates the torch formulation instead, so higher
    derivatives exist."""
    if _MIXING_LIBRARY:
        return _MIXING_LIBRARY[0]
    with _MIXING_LOCK:
        if not _MIXING_LIBRARY:
            _MIXING_LIBRARY.append(_register_mixing())
    return _MIXING_LIBRARY[0]


def _register_mixing():
    import types

    torch = _torch()

    @torch.library.custom_op("symgen::channel_mixing", mutates_args=(),
                             schema="(str key, Tensor a, Tensor b, Tensor w) -> Tensor")
    def channel_mixing(key, a, b, w):
        return _MIXING_OPS[key]._mixing(a, b, w)

    @channel_mixing.register_fake
    def _(key, a, b, w):
        return a.new_empty(_MIXING_OPS[key].ir.out_dim, a.shape[1], w.shape[2])

    @torch.library.custom_op("symgen::channel_mixing_backward", mutates_args=(),
                             schema="(str key, Tensor a, Tensor b, Tensor w, Tensor gy) -> (Tensor, Tensor, Tensor)")
    def channel_mixing_backward(key, a, b, w, gy):
        return _MIXING_OPS[key]._mixing_grads(a, b, w, gy)

    @channel_mixing_backward.register_fake
    def _(key, a, b, w, gy):
        return a.new_empty(a.shape), b.new_empty(b.shape), w.new_empty(w.shape)

    def setup_context(ctx, inputs, output):
        ctx.key = inputs[0]
        ctx.save_for_backward(*inputs[1:])

    def backward(ctx, gy):
        a, b, w = ctx.saved_tensors
        if torch.is_grad_enabled():                     # double backward: differentiable ops
            need = ctx.needs_input_grad[1:]
            wanted = [x for x, n in zip((a, b, w), need) if n]
            grads = iter(torch.autograd.grad(_MIXING_OPS[ctx.key]._mixing_torch(a, b, w), wanted, gy,
                                             create_graph=True))
            return (None, *(next(grads) if n else None for n in need))
        return (None, *channel_mixing_backward(ctx.key, a, b, w, gy))

    channel_mixing.register_autograd(backward, setup_context=setup_context)
    return types.SimpleNamespace(channel_mixing=channel_mixing)


def _runner(op_: Op, m: int, backend: str):
    """The gradient op ``m`` of ``op_`` run with ``backend``, as a plain function (what
    torch.compile can hold); its IR is built on the first backward."""
    def run_grad(*inputs):
        return op_.grad(m).run(*inputs, backend=backend)
    return run_grad


def _shaped(like, dim: int):
    """An empty stand-in with ``like``'s dtype, device and rows, and ``dim`` components."""
    rows = int(np.prod(like.shape[:-1])) if len(like.shape) > 1 else 1
    if adaptors.is_torch(like):
        return _torch().empty(rows, dim, dtype=like.dtype, device=like.device)
    return np.empty((rows, dim), dtype=like.dtype)


#: The names of the float dtypes Numba kernels take, by dtype: ``dtype.name`` is Python code
#: in NumPy 2 (about 5 us a call, measured), a dict lookup by dtype is 0.05 us.
_FLOAT_NAMES = {np.dtype("float32"): "float32", np.dtype("float64"): "float64"}


def _dtype_name(x) -> str:
    if adaptors.is_torch(x):
        return str(x.dtype).removeprefix("torch.")
    return _FLOAT_NAMES.get(x.dtype) or np.dtype(x.dtype).name


def _torch():
    import torch
    return torch


def compiling() -> bool:
    """Whether ``torch.compile`` is tracing the current call (False when torch is not imported).

    >>> compiling()
    False
    """
    torch = sys.modules.get("torch")
    return torch is not None and torch.compiler.is_compiling()


def _numba_unfit(xs, traced: bool = False) -> str:
    """Why these torch tensors cannot go to a Numba kernel ('' if they can); ``traced``:
    the kernel runs as a custom op, which torch.compile may trace."""
    torch = sys.modules["torch"]              # imported: these are tensors
    if torch.compiler.is_compiling() and not traced:
        return "traced by torch.compile"
    if torch._C._are_functorch_transforms_active():
        return "inside a functorch transform"
    if not _HAVE_NUMBA:
        return "numba is not installed"
    if xs[0].device.type != "cpu":
        return f"on {xs[0].device}"
    if xs[0].dtype not in (torch.float32, torch.float64):
        return f"{xs[0].dtype} (Numba kernels take float32 and float64)"
    return ""


# ---------------------------------------------------------------------- background compiles
_QUEUE: queue.SimpleQueue = queue.SimpleQueue()
_WORKER: list = []


def _background(op_: Op, dtype: str) -> None:
    """Queue a Numba compile for the one daemon worker thread (started on first use)."""
    _QUEUE.put((op_, dtype))
    if not _WORKER:
        worker = threading.Thread(target=_work, name="symgen-numba-compile", daemon=True)
        _WORKER.append(worker)
        worker.start()


def _work() -> None:
    while True:
        jobs = [_QUEUE.get()]
        while not _QUEUE.empty():
            jobs.append(_QUEUE.get())
        _compile_elsewhere(jobs)
        for op_, dtype in jobs:
            try:
                op_._compile_numba(dtype)          # loads the machine code the child cached
            except Exception as exc:  # noqa: BLE001 - reported by explain(), re-raised by backend="numba"
                op_._failed[dtype] = f"{type(exc).__name__}: {exc}"
            finally:
                op_._pending.discard(dtype)


def _compile_elsewhere(jobs) -> None:
    """Compile ``jobs`` in a child process (:mod:`.numba_worker`), filling Numba's cache.

    A child that fails leaves the work (and the error report) to the in-process compile.
    """
    from .numba_backend import module_file
    try:
        from .numba_mixing import mixing_module_file
        args = [f"{mixing_module_file(op_.ir) if dtype.endswith('-mixing') else module_file(op_.ir, op_.strategy)}"
                f":{dtype}:{op_.ir.arity}" for op_, dtype in jobs]
        worker = os.path.join(os.path.dirname(__file__), "numba_worker.py")
        subprocess.run([sys.executable, worker, *args], capture_output=True, timeout=1800, check=False)
    except (OSError, subprocess.SubprocessError, SymgenError):
        pass


def _after_fork() -> None:
    """A forked child has no worker thread: forget queued work and locks held by it."""
    global _QUEUE
    _QUEUE = queue.SimpleQueue()
    _WORKER.clear()
    for op_ in _OPS.values():
        op_._reset_locks()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
