"""``Canonicalize``: any backbone made equivariant by a learned canonical group element.

Learned canonicalization (Kaba et al., ICML 2023): an equivariant *canonicalizer* network
``c`` (by default an :class:`~symgen.nn.EMLP` of ``rep_in.G``) reads the input and outputs
``y = c(x)`` in a representation ``rep_c`` of the same group; the frame of
:func:`~symgen.algebra.groups.frames.canonicalization_frame` turns ``y`` into a group
element ``h(y)`` with ``h(ρ_c(g) y) = g h(y)``, and the output is

``ρ_out(h) Φ(ρ_in(h)⁻¹ x)``

for any backbone ``Φ``: one backbone call per input instead of the ``|F(x)|`` of frame
averaging. The element, by group:

- O(p, q), SO(p, q) (O(3), the Lorentz group O(1, 3)): Gram–Schmidt of the output vectors
  in the metric η, in order, skipping nearly dependent ones, until ``d`` are found (SO: the
  last axis flipped to determinant 1);
- SE(n), E(n): the centroid of the output points as translation, Gram–Schmidt of the
  centred points as rotation;
- S(n): the permutation sorting one output score per node;
- other finite groups (D(k), Z(n), ...): the element maximising the invariant score
  ``⟨ρ_c(h)⁻¹ y, u⟩`` for a fixed reference ``u``.

Degenerate outputs follow the frames' stated rules: too few independent (non-null)
vectors — among the canonicalizer's and then, with ``fallback``, the input's own — or
points with no homogeneous weight, raise :class:`~symgen.errors.DegenerateFrameError`;
tied scores (S(n), finite groups) average over every tied element, which keeps the model
exactly equivariant.

Gradients reach the canonicalizer through the Gram–Schmidt element (continuous groups);
the elements of S(n) and finite groups are piecewise constant, so there the canonicalizer
learns only from :func:`canonicalization_prior_loss` (Mondal et al., NeurIPS 2023),
which pulls the canonical element towards the identity on upright training data.

>>> import torch
>>> from symgen import groups, reps
>>> from symgen.nn import Canonicalize
>>> from symgen.testing import assert_equivariant
>>> G = groups.O(3)
>>> rep_in, rep_out = 5 * reps.V(G), reps.V(G) + reps.Scalar(G)
>>> mlp = torch.nn.Sequential(torch.nn.Linear(15, 32), torch.nn.SiLU(), torch.nn.Linear(32, 4))
>>> model = Canonicalize(mlp, "auto", rep_in, rep_out).double(); model
Canonicalize(5V → V+V⁰, EMLP → 6V, GramSchmidtFrame, falling back on the input's vectors)
>>> model(torch.randn(7, 15, dtype=torch.float64)).shape
torch.Size([7, 4])
>>> assert_equivariant(model, seed=0) < 1e-10
True
"""

from __future__ import annotations

import torch

from ...algebra.groups.frames import (ArgmaxFrame, ArgsortFrame, GramSchmidtFrame, canonicalization_frame,
                                      canonicalizer_rep)
from ...algebra.groups.group import SE, Orthogonal
from ...algebra.groups.reps import Rep
from ...errors import FrameError, ShapeError
from .emlp import EMLP
from .equivariant_linear import check_reps, check_tensor
from .frame_averaging import frame_average

__all__ = ["Canonicalize", "canonicalization_prior_loss", "default_canonicalizer"]


def default_canonicalizer(rep_in: Rep, hidden=None, depth: int = 1) -> EMLP:
    """The canonicalizer of ``canonicalizer="auto"``: an :class:`~symgen.nn.EMLP` from
    ``rep_in`` to :func:`~symgen.algebra.groups.frames.canonicalizer_rep` of its group
    (``2d`` vectors for O(p, q) and SE(n) / E(n), one score per node for S(n), one vector
    for other finite groups).

    ``hidden`` (default): ``6 d²`` channels for O(p, q) and SE(n) / E(n), which holds ``2d``
    hidden vectors — fewer than ``d`` would make the output vectors dependent (O(3) has no
    equivariant map from V² to V) and Gram–Schmidt would fail; with ``d`` (``3 d²``
    channels) 1–5 of 2048 float32 point clouds (16 points; O(3), O(1, 3), E(3)) still gave
    nearly dependent outputs and raised, with ``2d`` none — and 24 for S(n) and finite groups. Inputs whose vectors span fewer than ``d`` dimensions still give
    dependent outputs for O(n) (no cross product is O(n)-equivariant) and raise
    :class:`~symgen.errors.DegenerateFrameError`; :class:`~symgen.nn.FrameAveraging`
    handles them by averaging over the stabilizer.

    >>> from symgen import groups, reps
    >>> default_canonicalizer(4 * reps.V(groups.O(1, 3))).rep_out
    8V
    """
    if not isinstance(rep_in, Rep):
        raise FrameError(f"rep_in must be a symgen representation (reps.V(G), ...), got {rep_in!r}")
    rep_c = canonicalizer_rep(rep_in.G)
    if hidden is None:
        hidden = 6 * rep_in.G.d ** 2 if len(rep_c.terms) > 1 else 24
    return EMLP(rep_in, rep_c, hidden=hidden, depth=depth)


class Canonicalize(torch.nn.Module):
    """``ρ_out(h(x)) Φ(ρ_in(h(x))⁻¹ x)`` with ``h(x)`` from an equivariant canonicalizer.

    ``backbone``: any ``torch.nn.Module`` ``(batch, rep_in.size) → (batch, rep_out.size)``.
    ``canonicalizer``: ``"auto"`` (:func:`default_canonicalizer`) or a module ``(batch,
    rep_in.size) → (batch, rep_c.size)``, equivariant from ``rep_in`` to ``rep_c``, whose
    output representation ``rep_c`` is its ``rep_out`` attribute (as for EMLP) or given as
    ``canonical_rep``. ``tol``: the tolerance of the frame (see
    :func:`~symgen.algebra.groups.frames.canonicalization_frame`). The equivariance of a
    user canonicalizer is the user's; :func:`symgen.testing.assert_equivariant` checks it.

    ``fallback`` (continuous groups; default True): Gram–Schmidt reads the input's own
    vector channels after the canonicalizer's vectors, so where training has made the
    canonicalizer's vectors (nearly) dependent for an input, the element is completed from
    the input's vectors instead of raising (still equivariant: the rule depends only on the
    vectors). With ``fallback=False`` such inputs raise
    :class:`~symgen.errors.DegenerateFrameError`. Measured on N-body (E(3), GNN backbone,
    float32, canonicalizer trained jointly): without it, training stopped with that error
    (see benchmarks/RESULTS.md).
    """

    def __init__(self, backbone: torch.nn.Module, canonicalizer, rep_in: Rep, rep_out: Rep, *,
                 canonical_rep: Rep | None = None, tol: float | None = None, fallback: bool = True):
        super().__init__()
        check_reps(rep_in, rep_out, type(self).__name__)
        if not isinstance(backbone, torch.nn.Module):
            raise FrameError(f"backbone must be a torch.nn.Module, got {type(backbone).__name__}")
        if isinstance(canonicalizer, str):
            if canonicalizer != "auto":
                raise FrameError(f"canonicalizer must be 'auto' or a torch.nn.Module, got {canonicalizer!r}")
            canonicalizer = default_canonicalizer(rep_in)
        if not isinstance(canonicalizer, torch.nn.Module):
            raise FrameError(f"canonicalizer must be 'auto' or a torch.nn.Module, got {type(canonicalizer).__name__}")
        own = getattr(canonicalizer, "rep_out", None)
        rep_c = canonical_rep if canonical_rep is not None else own
        if not isinstance(rep_c, Rep):
            raise FrameError(f"the canonicalizer {type(canonicalizer).__name__} has no rep_out; pass "
                             f"canonical_rep= the representation of its output (e.g. "
                             f"{canonicalizer_rep(rep_in.G)!r} of {rep_in.G})")
        if isinstance(own, Rep) and own != rep_c:
            raise FrameError(f"canonical_rep={rep_c!r} but the canonicalizer outputs its rep_out {own!r}")
        if rep_c.G != rep_in.G:
            raise FrameError(f"the canonicalizer outputs {rep_c!r} of {rep_c.G}, but rep_in is of {rep_in.G}")
        self.backbone, self.canonicalizer = backbone, canonicalizer
        self.rep_in, self.rep_out, self.canonical_rep = rep_in, rep_out, rep_c
        self.fallback = bool(fallback) and isinstance(rep_in.G, (Orthogonal, SE))
        self.frame = canonicalization_frame(rep_c + rep_in if self.fallback else rep_c, tol)

    def __repr__(self):
        fallback = ", falling back on the input's vectors" if self.fallback else ""
        return (f"Canonicalize({self.rep_in!r} → {self.rep_out!r}, {type(self.canonicalizer).__name__} → "
                f"{self.canonical_rep!r}, {type(self.frame).__name__}{fallback})")

    def canonicalizer_output(self, x: torch.Tensor) -> torch.Tensor:
        """``y = c(x)`` ``(batch, rep_c.size)``, checked."""
        check_tensor(self, x)
        if x.dim() != 2 or x.shape[-1] != self.rep_in.size:
            raise ShapeError(f"Canonicalize takes (batch, {self.rep_in.size}) inputs of rep_in "
                             f"{self.rep_in!r}; got shape {tuple(x.shape)}")
        y = self.canonicalizer(x)
        if not isinstance(y, torch.Tensor) or y.shape != (len(x), self.canonical_rep.size):
            raise ShapeError(f"the canonicalizer returned shape {tuple(getattr(y, 'shape', ()))} for "
                             f"{len(x)} inputs; Canonicalize needs ({len(x)}, {self.canonical_rep.size}) "
                             f"for {self.canonical_rep!r}")
        return y

    def canonical_elements(self, x: torch.Tensor):
        """The canonical elements of ``x``: a :class:`~symgen.algebra.groups.frames.FrameSet`,
        ``elements (batch, K, d, d)`` and ``weights (batch, K)``; ``K = 1`` unless scores tie.

        >>> from symgen import groups, reps
        >>> G = groups.S(4)
        >>> model = Canonicalize(torch.nn.Identity(), "auto", reps.V(G), reps.V(G))
        >>> model.canonical_elements(torch.tensor([[0.3, -1.0, 2.0, 0.5]])).elements.shape
        torch.Size([1, 1, 4, 4])
        """
        y = self.canonicalizer_output(x)
        return self.frame(torch.cat([y, x], -1) if self.fallback else y)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, weights, _ = self.canonical_elements(x)
        return frame_average(self.backbone, self.rep_in, self.rep_out, x, h, weights, who="Canonicalize")


def canonicalization_prior_loss(model: Canonicalize, x: torch.Tensor) -> torch.Tensor:
    """The canonicalization prior (Mondal et al., NeurIPS 2023) of ``model`` on ``x``: a
    batch-mean penalty, zero exactly when the canonical element of every input is the
    identity. Added to the task loss on upright training data, it pulls the canonicalizer
    towards leaving such data as it is, so a backbone trained (or pretrained) on upright
    data sees it upright.

    - O(p, q), SE(n), E(n): ``‖h - I‖²_F`` of the Gram–Schmidt element (smooth in ``x``);
    - S(n): ``Σ_i relu(s_i - s_{i+1})`` over the node scores ``s`` (zero when they are
      already sorted, so the sorting permutation is the identity);
    - finite groups: ``Σ_h relu(score_h - score_e)`` (zero when the identity ``e`` has the
      best score).

    A function of the model (not a method) so it reads like the task loss it is added to.

    Groups with reflections (O(n), O(p, q), E(n)): the determinant of the Gram–Schmidt
    element cannot change sign without the output vectors passing through a degenerate
    configuration, so training pulls ``h`` to the identity only within its component; an
    element stuck at a reflection costs 4 per flipped axis (measured on O(3): 7.9 → 4.0,
    then the third output vector collapses and Gram–Schmidt raises). For data upright up
    to rotations use SO(n) / SE(n), whose elements are connected.

    >>> import torch
    >>> from symgen import groups, reps
    >>> from symgen.nn import Canonicalize
    >>> G = groups.SO(3)
    >>> model = Canonicalize(torch.nn.Identity(), "auto", 4 * reps.V(G), 4 * reps.V(G)).double()
    >>> x = torch.randn(8, 12, dtype=torch.float64)
    >>> upright = model.rep_in.act(torch.linalg.inv(model.canonical_elements(x).elements[:, 0]), x)
    >>> canonicalization_prior_loss(model, upright).item() < 1e-20      # already canonical
    True
    >>> canonicalization_prior_loss(model, x).item() > 0.1
    True
    """
    if not isinstance(model, Canonicalize):
        raise FrameError(f"canonicalization_prior_loss takes a Canonicalize module, got {type(model).__name__}")
    frame = model.frame
    if isinstance(frame, GramSchmidtFrame):
        h = model.canonical_elements(x).elements[:, 0]
        return ((h - torch.eye(h.shape[-1], dtype=h.dtype, device=h.device)) ** 2).sum((-2, -1)).mean()
    y = model.canonicalizer_output(x)
    if isinstance(frame, ArgsortFrame):
        s = frame.scores(y)
        return torch.relu(s[:, :-1] - s[:, 1:]).sum(-1).mean()
    if isinstance(frame, ArgmaxFrame):
        s = frame.scores(y)
        return torch.relu(s[:, 1:] - s[:, :1]).sum(-1).mean()
    raise FrameError(f"no canonicalization prior for the frame {frame!r}")
