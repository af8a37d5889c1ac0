"""Lie point symmetry data augmentation (LPSDA, Brandstetter et al. 2022), generated.

:class:`LieAugmentation` applies random elements of one-parameter symmetry groups to
batches of solutions on periodic grids. Where LPSDA hand-writes each PDE's transforms,
here they come from the symbolic flows (:func:`symgen.algebra.pde.grid.grid_flow`), whose
Pointwise IR (``GridFlow.pointwise_irs``) runs as runtime ops (:class:`~symgen.codegen.runtime.PointwiseOp`:
torch or Numba kernels, chosen by the runtime unless ``backend=`` asks for one):

- translations and Galilean boosts: spectral (FFT) shifts of each time slice by ``b(t, ε)``,
  new time labels ``T(t, ε)`` and the field change ``U(t, u, ε)``;
- scalings: the same on a grid stretched by ``a(ε)`` (the period changes with it);
- other flows that keep time slices apart: each grid point flowed back by ``-ε``, the
  solution interpolated there by its Fourier series and the field flowed forward (closed
  form, or fourth-order Runge–Kutta on the generated vector field).

>>> import math, torch
>>> from symgen.pde import PDE
>>> sym = PDE("u_t + u*u_x + u_xxx").symmetries()          # ∂t, ∂x, t∂x + ∂u, scaling
>>> aug = LieAugmentation(sym, generators=[1, 2], ranges={1: (0.0, 0.0), 2: (0.5, 0.5)})
>>> t, x = torch.linspace(0, 1, 5), torch.arange(64) * (2 * math.pi / 64)
>>> u = torch.sin(x).expand(1, 5, 64)                     # (batch, time, space)
>>> v, t2, x2 = aug(u, t, x)
>>> torch.allclose(v[0, 0], u[0, 0] + 0.5, atol=1e-5)      # boost at t = 0: u + ε
True

Parameters of the equation become parameters of the kernels, with values given by the user:

>>> aug = LieAugmentation(PDE("u_t = (u**n*u_x)_x"), params={"n": 2})
>>> aug.params
{'n': 2.0}
"""

from __future__ import annotations

import math
import numbers

import torch

from ..._validate import check_int
from ...algebra.pde.grid import grid_flow, grid_variables
from ...algebra.pde.parameters import parameter_values
from ...codegen import runtime
from ...errors import PDEError, ShapeError

__all__ = ["LieAugmentation"]

def _select(sym, generators):
    if generators is None:
        return list(enumerate(sym.generators)), True
    chosen = []
    for g in generators:
        if isinstance(g, int):
            if not 0 <= g < len(sym.generators):
                raise PDEError(f"generator index {g} out of range: the PDE has "
                               f"{len(sym.generators)} generators (0..{len(sym.generators) - 1})")
            chosen.append((g, sym.generators[g]))
        else:
            chosen.append((str(g), g))
    return chosen, False


def _finite(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


def _check_range(r, key):
    if _finite(r) or (isinstance(r, (tuple, list)) and len(r) == 2 and all(map(_finite, r))):
        return r
    raise PDEError(f"range {r!r} for generator {key} must be a finite number r (for (-r, r)) or a "
                   f"pair (lo, hi) of finite numbers")


def _check_arguments(sym, generators, ranges, steps, time):
    """The constructor's arguments checked; user vector fields renamed onto the PDE's symbols."""
    from ...algebra.pde.symmetries import Symmetries, VectorField

    if not isinstance(sym, Symmetries):
        raise PDEError(f"LieAugmentation takes a PDE or its symmetries, got {sym!r}")
    if not isinstance(time, str):
        raise PDEError(f"time must be the name of the time variable, got {time!r}")
    steps = check_int(steps, "steps", PDEError, 1, 10_000)
    if generators is not None:
        if isinstance(generators, (str, VectorField)) or not hasattr(generators, "__iter__") \
                or not len(generators):
            raise PDEError(f"generators must be a non-empty list of indices or VectorFields, got "
                           f"{generators!r}")
        variables = [*sym.parsed.independent, *grid_variables(sym.parsed, time)[2]]
        checked = []
        for g in generators:
            if isinstance(g, VectorField):
                g = g.renamed(variables, sym.parsed.parameters)
            elif isinstance(g, numbers.Integral) and not isinstance(g, bool):
                g = int(g)
            else:
                raise PDEError(f"generator {g!r} is neither an index into sym.generators nor a VectorField")
            checked.append(g)
        generators = checked
    if isinstance(ranges, dict):
        ranges = {k: _check_range(r, k) for k, r in ranges.items()}
    else:
        _check_range(ranges, "(all)")
    return generators, ranges, steps


class _Field:
    """A batch of gridded fields, held in x-space or as Fourier coefficients, converted
    lazily; shifts are accumulated and applied as one phase, so consecutive shifts, scalings
    and affine field changes cost one FFT pair and one complex exponential."""

    def __init__(self, u=None, spec=None, n=None, shift=None, wave=None, offset=None):
        self.u, self.spec, self.n = u, spec, u.shape[-1] if n is None else n
        # pending: u(x - shift) + offset; wave numbers of the current grid
        self.shift, self.wave, self.offset = shift, wave, offset

    def spectral(self):
        """Fourier coefficients *before* the pending shift (it commutes with what follows)."""
        if self.spec is None:
            self.spec = torch.fft.rfft(self.u, dim=-1)
        return self.spec

    def physical(self):
        if self.u is None:
            angle = -self.wave[:, None, None, :] * self.shift[:, None, :, None]
            phase = torch.complex(torch.cos(angle), torch.sin(angle))
            self.u = torch.fft.irfft(self.spec * phase, n=self.n, dim=-1)
            if self.offset is not None:
                self.u = self.u + self.offset[..., None]
        return self.u


class LieAugmentation(torch.nn.Module):
    """Random symmetry transformations of gridded solutions.

    Args:
        sym: the :class:`~symgen.algebra.pde.Symmetries` of the PDE (or the PDE itself).
        generators: indices into ``sym.generators`` or ``VectorField`` objects, applied in
            this order. Default: every generator whose flow acts on periodic grids; the
            others are listed in ``.refused`` with the reason. An explicitly requested
            generator that cannot act raises :class:`~symgen.errors.PDEError`.
        ranges: ``ε`` is drawn uniformly per sample from ``(-r, r)`` for a number ``r``, from
            ``(lo, hi)`` for a pair, or per generator from a dict keyed like ``generators``.
        backend: ``"auto"`` (the runtime's choice for each input,
            :class:`~symgen.codegen.runtime.PointwiseOp`), ``"torch"`` (any device) or
            ``"numba"`` (CPU tensors).
        steps: Runge–Kutta steps for flows without a closed form.
        time: name of the time variable; the other independent variable is space.
        params: values of the equation's parameters, ``{"n": 2}``; needed for those that
            the chosen flows use (a :class:`~symgen.errors.PDEError` names any missing).

    ``forward(u, t, x, eps=None)`` takes ``u`` of shape ``(batch, time, space)`` (or
    ``(batch, fields, time, space)`` for systems), the time grid ``t`` and the uniform
    periodic space grid ``x`` (1-D, or one row per sample) and returns ``(u, t, x)`` with a
    row per sample: scalings stretch ``x`` and move ``t``, time translations move ``t``.
    """

    def __init__(self, sym, generators=None, ranges=0.1, backend: str = "auto", steps: int = 16,
                 time: str = "t", params: dict | None = None):
        super().__init__()
        if hasattr(sym, "symmetries") and not hasattr(sym, "generators"):
            sym = sym.symmetries()
        if backend not in ("auto", "torch", "numba"):
            raise PDEError(f"unknown backend {backend!r}; choose 'auto', 'torch' or 'numba'")
        generators, ranges, steps = _check_arguments(sym, generators, ranges, steps, time)
        self.t, self.x, self.us = grid_variables(sym.parsed, time)
        self.backend, self.steps = backend, steps
        chosen, lenient = _select(sym, generators)
        self.flows, self.keys, self.refused = [], [], {}
        for key, g in chosen:
            try:
                self.flows.append(grid_flow(g, self.t, self.x, self.us))
                self.keys.append(key)
            except PDEError as exc:
                if not lenient:
                    raise
                self.refused[str(g)] = str(exc)
        if not self.flows:
            raise PDEError(f"no generator acts on periodic grids: {self.refused}")
        self.ranges = [self._range(ranges, k) for k in self.keys]
        needed = sorted({p for f in self.flows for p in f.params}, key=str)
        values = parameter_values(needed, params, sym.parsed.parameters, "LieAugmentation: the flows")
        self.params = {str(p): v for p, v in zip(needed, values)}
        #: per flow, its runtime ops by role (``"grid"``, ``"field"``, ``"velocity"``, ``"map"``);
        #: they pickle as their IR
        self.ops = [{role: runtime.op(ir) for role, ir in f.pointwise_irs(f"lie_flow{q}").items()}
                    for q, f in enumerate(self.flows)]

    def _run(self, op, *inputs):
        return op.run(*inputs, params=self.params, backend=self.backend)

    @staticmethod
    def _range(ranges, key):
        r = ranges.get(key, 0.1) if isinstance(ranges, dict) else ranges
        lo, hi = (-r, r) if isinstance(r, (int, float)) else r
        if not lo <= hi:
            raise PDEError(f"range for generator {key} must satisfy lo <= hi, got {(lo, hi)}")
        return float(lo), float(hi)

    def source(self, i: int, like=None) -> str:
        """The generated source of the kernels that act for the ``i``-th chosen generator on
        inputs like ``like`` (default: float32 CPU tensors)."""
        return "\n".join(op.kernel(like, self.backend).source for op in self.ops[i].values())

    def extra_repr(self):
        parts = [f"{f.generator} [{f.kind}] ε∈{r}" for f, r in zip(self.flows, self.ranges)]
        if self.params:
            parts.append("params: " + ", ".join(f"{k}={v:g}" for k, v in self.params.items()))
        return "\n".join(parts)

    def sample(self, batch: int, generator: torch.Generator | None = None, dtype=torch.float64):
        """``ε`` of shape ``(batch, len(generators))`` drawn from the ranges."""
        lo = torch.tensor([r[0] for r in self.ranges], dtype=dtype)
        hi = torch.tensor([r[1] for r in self.ranges], dtype=dtype)
        return lo + (hi - lo) * torch.rand(batch, len(self.ranges), generator=generator, dtype=dtype)

    def forward(self, u, t, x, eps=None):
        u, t, x, scalar = self._check(u, t, x)
        if eps is None:
            eps = self.sample(u.shape[0], dtype=u.dtype).to(u.device)
        if eps.shape != (u.shape[0], len(self.flows)):
            raise ShapeError(f"eps must have shape (batch, generators) = "
                             f"{(u.shape[0], len(self.flows))}, got {tuple(eps.shape)}")
        with torch.no_grad():
            field = _Field(u)
            for f, k, e in zip(self.flows, self.ops, eps.to(u.dtype).unbind(-1)):
                if f.kind == "resample":
                    u, t, x = self._resample(f, k, field.physical(), t, x, e)
                    field = _Field(u)
                else:
                    field, t, x = self._shift(f, k, field, t, x, e)
            u = field.physical()
        return (u[:, 0] if scalar else u), t, x

    def _check(self, u, t, x):
        m = len(self.us)
        scalar = m == 1 and u.dim() == 3
        if not scalar and (u.dim() != 4 or u.shape[1] != m):
            want = "(batch, time, space)" if m == 1 else f"(batch, {m}, time, space)"
            raise ShapeError(f"u must have shape {want}, got {tuple(u.shape)}")
        u = u[:, None] if scalar else u
        b, _, nt, nx = u.shape
        t = torch.as_tensor(t, dtype=u.dtype, device=u.device).expand(b, nt)
        x = torch.as_tensor(x, dtype=u.dtype, device=u.device).expand(b, nx)
        if nx < 4:
            raise ShapeError(f"the space grid needs at least 4 points, got {nx}")
        dx = x[:, 1:] - x[:, :-1]
        if (dx - dx[:, :1]).abs().max() > 64 * torch.finfo(u.dtype).eps * x.abs().max():
            raise ShapeError("x must be a uniform grid (one period, endpoint excluded)")
        return u, t, x, scalar

    @staticmethod
    def _wavenumbers(x):
        nx = x.shape[-1]
        dx = x[:, 1] - x[:, 0]
        return 2 * math.pi * torch.fft.rfftfreq(nx, device=x.device, dtype=x.dtype) / dx[:, None], dx * nx

    def _shift(self, f, k, field, t, x, e):
        T, a, b, *rest = self._run(k["grid"], t, e[:, None])
        a = a[:, :1]                                          # a(ε) is constant in t
        # on the stretched grid a·x the wave numbers are k / a and a pending shift s is a·s
        pending = field.shift * a if field.shift is not None else 0
        wave = self._wavenumbers(x)[0] / a
        spec, offset = field.spectral(), field.offset
        if f.affine is None:                                  # pointwise change in x-space
            u = _Field(spec=spec, n=field.n, shift=pending + b, wave=wave, offset=offset).physical()
            fields = self._run(k["field"], t[:, :, None], *u.unbind(1), e[:, None, None])
            return _Field(torch.stack([v.expand(u.shape[0], *u.shape[2:]) for v in fields], 1)), T, a * x
        m = len(self.us)                                      # U = M u + c, per time slice
        M, c = rest[:m * m], rest[m * m:]
        if f.affine[0] != tuple(tuple(int(i == j) for j in range(m)) for i in range(m)):
            spec = torch.stack([sum(M[i * m + j][:, :, None] * spec[:, j] for j in range(m))
                                for i in range(m)], 1)
            if offset is not None:
                offset = torch.stack([sum(M[i * m + j] * offset[:, j] for j in range(m))
                                      for i in range(m)], 1)
        if any(v != 0 for v in f.affine[1]):
            offset = torch.stack(c, 1) + (0 if offset is None else offset)
        return _Field(spec=spec, n=field.n, shift=pending + b, wave=wave, offset=offset), T, a * x

    def _flow(self, k, z, e):
        """``exp(e v)`` applied to the list of variables ``z`` (closed form or RK4)."""
        if "map" in k:
            return list(self._run(k["map"], *z, e))
        h = e / self.steps
        for _ in range(self.steps):
            k1 = self._run(k["velocity"], *z)
            k2 = self._run(k["velocity"], *[zi + h / 2 * ki for zi, ki in zip(z, k1)])
            k3 = self._run(k["velocity"], *[zi + h / 2 * ki for zi, ki in zip(z, k2)])
            k4 = self._run(k["velocity"], *[zi + h * ki for zi, ki in zip(z, k3)])
            z = [zi + h / 6 * (a + 2 * b + 2 * c + d) for zi, a, b, c, d in zip(z, k1, k2, k3, k4)]
        return z

    def _resample(self, f, k, u, t, x, e):
        B, m, nt, nx = u.shape
        wave, period = self._wavenumbers(x)
        e3 = e[:, None, None]
        zeros = [torch.zeros(B, nt, nx, dtype=u.dtype, device=u.device)] * m
        grid_t, grid_x = t[:, :, None].expand(B, nt, nx), x[:, None, :].expand(B, nt, nx)
        self._check_periodic(f, k, grid_t, grid_x, u, period)
        T = self._flow(k, [t[:, :, None], x[:, :1, None], *[z[:, :, :1] for z in zeros]], e3)[0][:, :, 0]
        # flow each target point (T_k, x_j) back by -ε: it lands on (t_k, x*)
        _, xs, *_ = self._flow(k, [T[:, :, None].expand(B, nt, nx), grid_x, *zeros], -e3)
        # the Fourier series of each time slice, evaluated at x*
        coef = torch.fft.rfft(u, dim=-1) / nx
        weight = torch.full((coef.shape[-1],), 2.0, dtype=u.dtype, device=u.device)
        weight[0] = 1.0
        if nx % 2 == 0:
            weight[-1] = 1.0
        basis = torch.exp(1j * wave[:, None, None, :] * (xs - x[:, :1, None])[..., None])
        values = torch.einsum("bmtk,btjk->bmtj", coef * weight, basis).real
        fields = self._flow(k, [grid_t, xs, *values.unbind(1)], e3)[2:]
        return torch.stack(fields, 1), T, x

    def _check_periodic(self, f, k, t, x, u, period):
        here = self._run(k["velocity"], t, x, *u.unbind(1))
        there = self._run(k["velocity"], t, x + period[:, None, None], *u.unbind(1))
        scale = max(1.0, max(float(v.abs().max()) for v in here))
        tol = 1e-9 if u.dtype == torch.float64 else 1e-4
        for name, a, b in zip(["τ", "ξ", *(f"φ_{v}" for v in self.us)], here, there):
            if float((a - b).abs().max()) > tol * scale:
                raise PDEError(f"{f.generator}: {name} is not periodic in {self.x} with the grid's "
                               f"period {float(period.max()):g}; the flow does not preserve "
                               f"periodic solutions")
