"""EMLP (Finzi, Welling, Wilson 2021): equivariant linear layers and gated nonlinearities.

Each hidden block maps ``rep_in`` to ``z ∈ rep ⊕ g·V⁰`` with one extra *gate* scalar
per non-scalar summand of ``rep``, adds the equivariant bilinear layer ``z + bil(z)``
(without it, an O(3) network on vectors could never form an invariant such as
``<u, v>``: there is no invariant linear map ``V → V⁰``), and applies the gated
nonlinearity: every non-scalar summand times ``sigmoid(its gate)``, ``swish`` on the
scalars. Gates are invariant, so blocks are equivariant for any group, compact or not.

>>> import torch
>>> from symgen import groups, reps
>>> G = groups.O(3)
>>> model = EMLP(reps.V(G) * 2, reps.Scalar(G), hidden=24, depth=2)
>>> model.hidden
8V⁰+2V+V²
>>> model(torch.randn(4, 6)).shape
torch.Size([4, 1])
"""

from __future__ import annotations

import torch

from ...algebra.groups.composite import TensorProduct, is_orthogonal, is_trivial, summand_types
from ...algebra.groups.reps import Rep, Scalar, TensorRep, V
from ..._validate import check_finite, check_int
from ...errors import RepresentationError
from ...algebra.groups.equivariance import equivariant_basis, structured_basis
from .equivariant_linear import EquivariantLinear, Float64Constants, check_reps, check_tensor
from .orbit_paths import OrbitPath

#: Dense entries ``k · d_c d_a d_b`` above which a bilinear path on an orbit basis (permutation
#: groups) is contracted by :class:`~.orbit_paths.OrbitPath` instead of its dense basis.
ORBIT_PATH_ENTRIES = 1 << 22

__all__ = ["EMLP", "EMLPBlock", "EquivariantBilinear", "ContractionBilinear", "GatedNonlinearity", "uniform_rep",
           "BILINEAR_KINDS"]

#: The bilinear layers an :class:`EMLPBlock` can hold: ``"contraction"`` (:class:`ContractionBilinear`,
#: the default) or ``"full"`` (:class:`EquivariantBilinear`).
BILINEAR_KINDS = ("contraction", "full")


def uniform_rep(G, channels: int) -> Rep:
    """A hidden representation ``a V⁰ + b V + c V²`` of about ``channels`` dimensions,
    split evenly between the three tensor orders (at least one copy of each). For a complex
    group (SU(n), U(n)) the real forms ``a V⁰ + b ℝ(V) + c ℝ(V⊗V*)`` (twice the size per copy).

    >>> from symgen import groups
    >>> uniform_rep(groups.SO(3), 30), uniform_rep(groups.SU(2), 30)
    (10V⁰+3V+V², 10V⁰+2ℝ(V)+ℝ(V⊗V*))
    """
    if not isinstance(channels, int) or channels < 3:
        raise RepresentationError(f"hidden channels must be an integer ≥ 3, got {channels!r}")
    third = channels // 3
    if G.is_complex:
        return (third * Scalar(G) + max(1, third // (2 * G.d)) * V(G).realify()
                + max(1, third // (2 * G.d ** 2)) * (V(G) * V(G).T).realify())
    return (third * Scalar(G) + max(1, third // G.d) * V(G) + max(1, third // G.d ** 2) * V(G) ** 2)


class GatedNonlinearity(torch.nn.Module):
    """``rep ⊕ gates → rep``: swish on scalars, ``x · sigmoid(gate)`` on other summands."""

    def __init__(self, rep: Rep):
        super().__init__()
        check_reps(rep, rep, "GatedNonlinearity")
        self.rep = rep
        index, gate = [], rep.size
        for off, size, unit in summand_types(rep):
            if not is_trivial(unit):
                index += [gate] * size
                gate += 1
            else:
                index.append(off)
        self.n_gates = gate - rep.size
        self.register_buffer("gate_index", torch.tensor(index, dtype=torch.long))

    def forward(self, z):
        values = z[..., :self.rep.size]
        return values * torch.sigmoid(z[..., self.gate_index])


class EquivariantBilinear(Float64Constants):
    """Equivariant bilinear map ``rep × rep → rep_out``, one weight tensor per *path*.

    Summands are grouped by type (a monomial, or a summand of another kind, e.g. ``ℝ(V)``); a
    path ``(a, b → c)`` uses the basis of ``Hom(a ⊗ b, c)`` with a weight ``(n_c, n_a, n_b, k)``
    over the channels of each type. Paths with more than ``max_legs`` V/V* factors in total are
    skipped (a type that does not say its ``degree`` counts as one). Each path is contracted in
    the cheapest of four pairwise orders (basis or weights first, with either input), never
    forming its ``(n_c d_c, n_a d_a, n_b d_b)`` bilinear form; a large orbit basis (a
    permutation group's, e.g. ``V² ⊗ V² → V⁰`` of the Rubik's cube group) is never formed
    densely either (:class:`~.orbit_paths.OrbitPath`, in ``orbit_paths``).

    >>> from symgen import groups, reps
    >>> G = groups.O(3)
    >>> bil = EquivariantBilinear(reps.V(G) + reps.Scalar(G), reps.Scalar(G))
    >>> bil.paths
    ((('V', 'V', 'V⁰'), 1), (('V⁰', 'V⁰', 'V⁰'), 1))
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, max_legs: int = 4, init_scale: float = 0.1):
        super().__init__()
        check_reps(rep_in, rep_out, "EquivariantBilinear")
        max_legs = check_int(max_legs, "max_legs", RepresentationError, minimum=0)
        init_scale = check_finite(init_scale, "init_scale", RepresentationError)
        self.rep_in, self.rep_out = rep_in, rep_out
        self.orbit_paths = torch.nn.ModuleDict()
        index_in, index_out = _type_index(rep_in), _type_index(rep_out)
        types_in = list(index_in)
        paths, self._paths, self._orders = [], [], []
        for qa, ta in enumerate(types_in):
            for tb in types_in[qa:]:
                for tc in index_out:
                    if _legs(ta) + _legs(tb) + _legs(tc) > max_legs:
                        continue
                    name = f"path{len(paths)}"
                    na, nb, nc = (len(index_in[ta]), len(index_in[tb]), len(index_out[tc]))
                    k = self._register_path(name, ta, tb, tc, nc, na, nb)
                    if not k:
                        continue
                    std = init_scale / (na * nb * k) ** 0.5
                    self.register_parameter(f"{name}_weight", torch.nn.Parameter(torch.randn(nc, na, nb, k) * std))
                    paths.append((tuple(repr(m) for m in (ta, tb, tc)), k))
                    self._paths.append((name, ta, tb, tc))
                    self._orders.append("orbit" if name in self.orbit_paths else
                                        _cheapest_order(nc, na, nb, k, tc.size, ta.size, tb.size))
        self.paths = tuple(paths)
        self._types = {}  # summand type -> buffer name suffix
        for side, index in (("in", index_in), ("out", index_out)):
            for t, chans in index.items():
                q = self._types.setdefault(t, len(self._types))
                self.register_buffer(f"{side}_{q}", torch.tensor(chans, dtype=torch.long))

    def _register_path(self, name, ta, tb, tc, nc, na, nb):
        """The basis of ``Hom(ta ⊗ tb, tc)``: an :class:`~.orbit_paths.OrbitPath` when it is an
        orbit basis of more than :data:`ORBIT_PATH_ENTRIES` dense entries, else a dense
        constant ``(k, d_c, d_a, d_b)``. Returns ``k``."""
        if all(isinstance(t, TensorRep) for t in (ta, tb, tc)):
            S = structured_basis(ta * tb, tc)
            if not len(S):
                return 0
            t = S.types[0]
            if t.orbit is not None and len(S) * tc.size * ta.size * tb.size > ORBIT_PATH_ENTRIES:
                self.orbit_paths[name] = OrbitPath(t.orbit.reshape(tc.size, ta.size, tb.size), t.value, nc, na, nb)
                return len(S)
            B = S.dense()
        else:
            B = equivariant_basis(TensorProduct((ta, tb)), tc)
        if len(B):
            self.register_constant(f"{name}_basis", B.reshape(len(B), tc.size, ta.size, tb.size))
        return len(B)

    def _channels(self, x, t):
        return x[..., getattr(self, f"in_{self._types[t]}")]

    def forward(self, x):
        out = x.new_zeros(x.shape[:-1] + (self.rep_out.size,))
        for (name, ta, tb, tc), order in zip(self._paths, self._orders):
            W, xa, xb = getattr(self, f"{name}_weight"), self._channels(x, ta), self._channels(x, tb)
            if order == "orbit":
                y = self.orbit_paths[name](W, xa, xb)
            else:
                y = _contract(order, W, getattr(self, f"{name}_basis"), xa, xb)
            out = out.index_add(-1, getattr(self, f"out_{self._types[tc]}").reshape(-1), y.flatten(-2))
        return out


class ContractionBilinear(torch.nn.Module):
    """EMLP's cheap bilinear layer ``x ↦ W(x) x``: a channel of type ``t_a ≅ t_c ⊗ t_b*`` read as
    a linear map ``t_b → t_c`` and applied to the channels of type ``t_b`` (the ``BiLinear`` of
    Finzi et al.'s ``emlp/nn/objax.py``, whose weights ``W(x)`` are linear in ``x``).

    A path ``(a, b → c)`` computes ``y[c, o] = Σ_{b, j} P[c, b, j] Σ_q x_j[o, q] x_b[q]`` over the
    first ``min(n_a, dim t_a)`` channels ``x_j`` of type ``t_a`` (reshaped ``(dim t_c, dim t_b)``),
    with weights ``P (n_c, n_b, j)``: one natural contraction per path instead of the whole basis
    of ``Hom(t_a ⊗ t_b, t_c)``, so its cost is ``batch · dim t_a`` per channel pair whatever the
    group (the Rubik's cube group's ``V² ⊗ V² → V⁰``: 48², not 48⁴). ``t_a`` is any non-scalar
    type of ``rep_in``; the paths are those where, for tensor monomials, ``t_a``'s factors are
    ``t_c``'s followed by the duals of ``t_b``'s (V* = V when ``V`` is orthogonal,
    :func:`~symgen.algebra.groups.composite.is_orthogonal`, e.g. ``V² ⊗ V → V``,
    ``V ⊗ V → V⁰``), and for other kinds (real forms, users' classes) ``t ⊗ V⁰ → t`` and, when
    ``t`` is orthogonal, ``t ⊗ t → V⁰``. Equivariant for every group: ``ρ_c x_j ρ_b⁻¹ · ρ_b x_b
    = ρ_c (x_j x_b)``. Fewer maps than :class:`EquivariantBilinear` (which spans all of them).

    >>> import torch
    >>> from symgen import groups, reps
    >>> G = groups.O(3)
    >>> V, S = reps.V(G), reps.Scalar(G)
    >>> bil = ContractionBilinear(2 * S + V + V ** 2, 2 * S + V + V ** 2)
    >>> bil.paths
    (('V', 'V⁰', 'V'), ('V', 'V', 'V⁰'), ('V²', 'V⁰', 'V²'), ('V²', 'V', 'V'), ('V²', 'V²', 'V⁰'))
    >>> bil(torch.randn(4, 14)).shape
    torch.Size([4, 14])
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, init_scale: float = 0.1):
        super().__init__()
        check_reps(rep_in, rep_out, "ContractionBilinear")
        init_scale = check_finite(init_scale, "init_scale", RepresentationError)
        self.rep_in, self.rep_out = rep_in, rep_out
        index_in, index_out = _type_index(rep_in), _type_index(rep_out)
        self._types = {}
        for side, index in (("in", index_in), ("out", index_out)):
            for t, chans in index.items():
                q = self._types.setdefault(t, len(self._types))
                self.register_buffer(f"{side}_{q}", torch.tensor(chans, dtype=torch.long))
        paths, self._paths = [], []
        for ta, chans_a in index_in.items():
            if is_trivial(ta):
                continue
            for tb in index_in:
                for tc in index_out:
                    if not _reads_as_map(ta, tb, tc):
                        continue
                    name, j = f"path{len(paths)}", min(len(chans_a), ta.size)
                    nc, nb = len(index_out[tc]), len(index_in[tb])
                    std = init_scale / (j * nb * tb.size) ** 0.5
                    self.register_parameter(f"{name}_weight", torch.nn.Parameter(torch.randn(nc, nb, j) * std))
                    cost_input = j * nb * tc.size * tb.size + nc * nb * j * tc.size
                    cost_weight = nc * nb * j * tb.size + nc * j * tc.size * tb.size
                    self._paths.append((name, ta, tb, tc, j, "input" if cost_input <= cost_weight else "weight"))
                    paths.append(tuple(repr(t) for t in (ta, tb, tc)))
        self.paths = tuple(paths)

    def _channels(self, x, t):
        return x[..., getattr(self, f"in_{self._types[t]}")]

    def forward(self, x):
        out = x.new_zeros(x.shape[:-1] + (self.rep_out.size,))
        for name, ta, tb, tc, j, order in self._paths:
            P = getattr(self, f"{name}_weight")
            xa = self._channels(x, ta)[..., :j, :].unflatten(-1, (tc.size, tb.size))
            xb = self._channels(x, tb)
            if order == "input":       # (j, b, o) contractions first, then the weights
                y = torch.einsum("cbj,...jbo->...co", P, torch.einsum("...joq,...bq->...jbo", xa, xb))
            else:                      # the weights on x_b first
                y = torch.einsum("...joq,...cjq->...co", xa, torch.einsum("cbj,...bq->...cjq", P, xb))
            out = out.index_add(-1, getattr(self, f"out_{self._types[tc]}").reshape(-1), y.flatten(-2))
        return out


def _reads_as_map(ta, tb, tc) -> bool:
    """A channel of type ``ta`` is naturally a linear map ``tb → tc`` (``ta = tc ⊗ tb*``)."""
    if all(isinstance(t, TensorRep) for t in (ta, tb, tc)):
        a, b, c = (t.terms[0] for t in (ta, tb, tc))
        if is_orthogonal(ta):
            return len(a) == len(c) + len(b)
        return a == c + tuple(-f for f in b)
    return (ta == tc and is_trivial(tb)) or (is_trivial(tc) and ta == tb and is_orthogonal(ta))


#: Ways to evaluate ``y[n, c, o] = Σ W[c, a, b, k] B[k, o, p, q] xa[n, a, p] xb[n, b, q]`` in three
#: pairwise contractions, each never forming the ``(n_c d_o, n_a d_a, n_b d_b)`` bilinear form.
_ORDERS = {
    "basis-b": ("kopq,...bq->...kopb", "...kopb,...ap->...koab", "cabk,...koab->...co"),
    "basis-a": ("kopq,...ap->...koqa", "...koqa,...bq->...koab", "cabk,...koab->...co"),
    "weight-b": ("cabk,...bq->...cakq", "...cakq,...ap->...ckqp", "...ckqp,kopq->...co"),
    "weight-a": ("cabk,...ap->...cbkp", "...cbkp,...bq->...ckpq", "...ckpq,kopq->...co"),
}


def _cheapest_order(nc, na, nb, k, do, da, db):
    """The :data:`_ORDERS` entry with the fewest multiplications per sample."""
    cost = {"basis-b": k * do * da * db * nb + k * do * da * na * nb + nc * na * nb * k * do,
            "basis-a": k * do * da * db * na + k * do * db * na * nb + nc * na * nb * k * do,
            "weight-b": nc * na * nb * k * db + nc * na * k * db * da + nc * k * db * da * do,
            "weight-a": nc * na * nb * k * da + nc * nb * k * da * db + nc * k * da * db * do}
    return min(cost, key=cost.get)


def _contract(order, W, B, xa, xb):
    first, second, third = _ORDERS[order]
    x1, x2 = (xb, xa) if order.endswith("-b") else (xa, xb)
    if order.startswith("basis"):
        return torch.einsum(third, W, torch.einsum(second, torch.einsum(first, B, x1), x2))
    return torch.einsum(third, torch.einsum(second, torch.einsum(first, W, x1), x2), B)


def _type_index(rep):
    """Component indices ``(channels, size)`` of every summand type of ``rep``."""
    index = {}
    for off, size, unit in summand_types(rep):
        index.setdefault(unit, []).append(list(range(off, off + size)))
    return index


def _legs(unit):
    """V/V* factors of a summand type (one when it does not say)."""
    degree = getattr(unit, "degree", None)
    return 1 if degree is None else degree


class EMLPBlock(torch.nn.Module):
    """Equivariant linear ``rep_in → rep_out ⊕ gates``, plus its bilinear self-interaction,
    followed by the gated nonlinearity. ``linear`` builds the linear layer from
    ``(rep_in, rep_out)`` (:class:`EquivariantLinear`; :class:`~symgen.nn.RPPEMLP` passes
    :class:`~symgen.nn.RPPLinear`). ``bilinear``: ``"contraction"`` (default,
    :class:`ContractionBilinear`, EMLP's own) or ``"full"`` (:class:`EquivariantBilinear`, every
    map of at most ``max_legs`` V/V* factors per path)."""

    def __init__(self, rep_in: Rep, rep_out: Rep, linear=EquivariantLinear, max_legs: int = 4,
                 bilinear: str = "contraction"):
        super().__init__()
        if bilinear not in BILINEAR_KINDS:
            raise RepresentationError(f"unknown bilinear layer {bilinear!r}; choose one of {BILINEAR_KINDS}")
        max_legs = check_int(max_legs, "max_legs", RepresentationError, minimum=0)
        self.rep_in, self.rep_out = rep_in, rep_out
        self.nonlinearity = GatedNonlinearity(rep_out)
        gated = rep_out + self.nonlinearity.n_gates * Scalar(rep_out.G)
        self.linear = linear(rep_in, gated)
        self.bilinear = (ContractionBilinear(gated, gated) if bilinear == "contraction" else
                         EquivariantBilinear(gated, gated, max_legs=max_legs))

    def forward(self, x):
        z = self.linear(x)
        return self.nonlinearity(z + self.bilinear(z))


class EMLP(torch.nn.Module):
    """Equivariant MLP ``rep_in → rep_out`` with ``depth`` gated hidden blocks.

    ``hidden`` is a representation of the same group or an integer number of channels
    (turned into :func:`uniform_rep`). ``linear`` builds every linear layer from
    ``(rep_in, rep_out)``: :class:`EquivariantLinear` (default), or e.g. the
    :class:`~symgen.nn.RPPLinear` of :class:`~symgen.nn.RPPEMLP`. ``bilinear`` chooses each
    block's bilinear layer: ``"contraction"`` (default; EMLP's own, :class:`ContractionBilinear`:
    one natural contraction per path, cost ``batch · dim`` of the channel read as a map) or
    ``"full"`` (:class:`EquivariantBilinear`, every equivariant bilinear map; the default before
    issue 16). ``max_legs`` bounds the V/V* factors of a full layer's path; 3 drops the four-leg
    paths such as ``V² ⊗ V² → V⁰``, whose cost grows as ``batch · d⁴`` (the Rubik's cube group: 48⁴).

    >>> import torch
    >>> from symgen import groups, reps
    >>> V = reps.V(groups.S(4))
    >>> full, light = (EMLP(V, reps.Scalar(V.G), 12, bilinear="full", max_legs=k) for k in (4, 3))
    >>> len(light.blocks[0].bilinear.paths) < len(full.blocks[0].bilinear.paths)
    True
    >>> len(EMLP(V, reps.Scalar(V.G), 12).blocks[0].bilinear.paths)
    5
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, hidden=64, depth: int = 2, *, linear=EquivariantLinear,
                 max_legs: int = 4, bilinear: str = "contraction"):
        super().__init__()
        check_reps(rep_in, rep_out, "EMLP")
        G = rep_in.G
        if not isinstance(depth, int) or depth < 0:
            raise RepresentationError(f"depth must be an integer ≥ 0, got {depth!r}")
        self.rep_in, self.rep_out = rep_in, rep_out
        self.hidden = hidden if isinstance(hidden, Rep) else uniform_rep(G, hidden)
        if self.hidden.G != G:
            raise RepresentationError(f"hidden representation {self.hidden!r} is of {self.hidden.G}, "
                                      f"not {G}")
        reps = [rep_in] + [self.hidden] * depth
        self.blocks = torch.nn.Sequential(*[EMLPBlock(a, b, linear, max_legs, bilinear)
                                            for a, b in zip(reps[:-1], reps[1:])])
        self.head = linear(reps[-1], rep_out)

    def forward(self, x):
        check_tensor(self.head, x)
        return self.head(self.blocks(x))
