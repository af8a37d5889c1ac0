"""Residual pathway priors (Finzi, Benton, Wilson, NeurIPS 2021).

A layer is the sum of an equivariant path and a free dense path,
``y = W_eq x + b_eq + W_free x + b_free``, and the *priors* are Gaussian priors on the
two paths, i.e. weight decays added to the loss:

    prior_loss = prior_equivariant · (‖W_eq‖²_F + ‖b_eq‖²) + prior_free · (‖W_free‖²_F + ‖b_free‖²)

(the negative log-density of priors with variances ``1 / (2 prior_equivariant)`` and
``1 / (2 prior_free)``, up to a constant). A strong prior on the free path (large
``prior_free``) and a weak one on the equivariant path make the equivariant explanation
of the data the cheap one; the free path grows only as far as the data break the symmetry.
With the free path at zero the layer is exactly equivariant (it starts there: the free
path is initialised to zero).

>>> import torch
>>> from symgen import groups, reps
>>> G = groups.SO(3)
>>> layer = RPPLinear(reps.V(G) ** 2, reps.V(G), prior_equivariant=1e-5, prior_free=1e-2)
>>> layer
RPPLinear(V² → V, 1 equivariant weights + 3x9 free, priors 1e-05 / 0.01)
>>> layer(torch.randn(5, 9)).shape
torch.Size([5, 3])
>>> model = RPPEMLP(2 * reps.V(G), reps.V(G) ** 2, hidden=24, depth=1)
>>> loss = model(torch.randn(4, 6)).square().mean() + rpp_prior_loss(model)
"""

from __future__ import annotations

import functools

import torch

from ..._validate import check_finite
from ...algebra.groups.reps import Rep
from ...errors import RepresentationError, ShapeError
from .emlp import EMLP
from .equivariant_linear import EquivariantLinear, check_reps, check_tensor

__all__ = ["RPPLinear", "RPPEMLP", "rpp_prior_loss"]


def _prior(value, name: str) -> float:
    value = check_finite(value, name, RepresentationError)
    if value < 0:
        raise RepresentationError(f"{name} is a weight decay and must be ≥ 0, got {value!r}")
    return value


class RPPLinear(torch.nn.Module):
    """Equivariant path + free dense path ``rep_in → rep_out`` on inputs ``(..., rep_in.size)``.

    ``equivariant`` is an :class:`~symgen.nn.EquivariantLinear`, ``free`` a
    ``torch.nn.Linear(rep_in.size, rep_out.size)`` initialised to zero.
    ``prior_equivariant`` and ``prior_free`` (≥ 0) are the weight decays of the two paths
    in :meth:`prior_loss`. :meth:`matrix` is the dense weight of the sum, which
    :func:`~symgen.nn.equivariance_penalty` reads.

    >>> from symgen import groups, reps
    >>> V = reps.V(groups.SO(2))
    >>> layer = RPPLinear(V, V, prior_equivariant=0.0, prior_free=1.0)
    >>> with torch.no_grad():
    ...     _ = layer.free.weight.fill_(0.5)
    >>> layer.prior_loss().item()          # 1.0 * (4 entries * 0.25)
    1.0
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, prior_equivariant: float = 1e-5, prior_free: float = 1e-2,
                 bias: bool = True):
        super().__init__()
        check_reps(rep_in, rep_out, type(self).__name__)
        self.prior_equivariant = _prior(prior_equivariant, "prior_equivariant")
        self.prior_free = _prior(prior_free, "prior_free")
        self.rep_in, self.rep_out = rep_in, rep_out
        self.equivariant = EquivariantLinear(rep_in, rep_out, bias=bias)
        with torch.random.fork_rng(devices=[]):     # the zero free path draws no random numbers:
            self.free = torch.nn.Linear(rep_in.size, rep_out.size, bias=bias)   # same seed, same
        with torch.no_grad():                                                   # equivariant init as EMLP
            for p in self.free.parameters():
                p.zero_()

    def __repr__(self):
        return (f"RPPLinear({self.rep_in!r} → {self.rep_out!r}, {len(self.equivariant.weight)} equivariant "
                f"weights + {self.rep_out.size}x{self.rep_in.size} free, priors {self.prior_equivariant:g} / "
                f"{self.prior_free:g})")

    def matrix(self) -> torch.Tensor:
        """The dense weight ``(rep_out.size, rep_in.size)`` of both paths together."""
        return self.equivariant.matrix() + self.free.weight

    def bias_vector(self):
        """The bias ``(rep_out.size,)`` of both paths together (``None`` without bias)."""
        eq = self.equivariant
        return None if eq.bias is None else eq.bias @ eq.bias_basis + self.free.bias

    def prior_loss(self) -> torch.Tensor:
        """``prior_equivariant · ‖equivariant path‖² + prior_free · ‖free path‖²`` (weights
        and biases, Frobenius norms of the dense maps)."""
        eq = self.equivariant
        equivariant = eq.matrix().square().sum()
        if eq.bias is not None:
            equivariant = equivariant + (eq.bias @ eq.bias_basis).square().sum()
        free = sum(p.square().sum() for p in self.free.parameters())
        return self.prior_equivariant * equivariant + self.prior_free * free

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(self.free, x)
        if x.shape[-1] != self.rep_in.size:
            raise ShapeError(f"last axis has {x.shape[-1]} components; rep_in {self.rep_in!r} of "
                             f"{self.rep_in.G} needs {self.rep_in.size}")
        return self.equivariant(x) + self.free(x)


class RPPEMLP(EMLP):
    """:class:`~symgen.nn.EMLP` whose linear layers are :class:`RPPLinear` (the "mixed EMLP"
    of the RPP paper): the same gated nonlinearities and equivariant bilinear layers, an
    equivariant and a free path in every linear layer, and the priors of all of them in
    :meth:`prior_loss`. ``bilinear`` chooses the bilinear layer as in :class:`~symgen.nn.EMLP`.

    >>> from symgen import groups, reps
    >>> G = groups.SO(3)
    >>> model = RPPEMLP(reps.V(G), reps.Scalar(G), hidden=12, depth=1, prior_free=0.1)
    >>> model.head
    RPPLinear(4V⁰+V+V² → V⁰, 5 equivariant weights + 1x16 free, priors 1e-05 / 0.1)
    """

    def __init__(self, rep_in: Rep, rep_out: Rep, hidden=64, depth: int = 2, prior_equivariant: float = 1e-5,
                 prior_free: float = 1e-2, bilinear: str = "contraction"):
        prior_equivariant = _prior(prior_equivariant, "prior_equivariant")
        prior_free = _prior(prior_free, "prior_free")
        super().__init__(rep_in, rep_out, hidden, depth,
                         linear=functools.partial(RPPLinear, prior_equivariant=prior_equivariant,
                                                  prior_free=prior_free), bilinear=bilinear)

    def prior_loss(self) -> torch.Tensor:
        """The sum of the priors of every :class:`RPPLinear` of the model."""
        return rpp_prior_loss(self)


def rpp_prior_loss(model: torch.nn.Module) -> torch.Tensor:
    """Sum of :meth:`RPPLinear.prior_loss` over every :class:`RPPLinear` inside ``model`` (a
    zero tensor if there is none): add it to the data loss.

    >>> from symgen import groups, reps
    >>> V = reps.V(groups.SO(2))
    >>> net = torch.nn.Sequential(RPPLinear(V, V), torch.nn.Tanh(), RPPLinear(V, V))
    >>> bool(rpp_prior_loss(net) == net[0].prior_loss() + net[2].prior_loss())
    True
    """
    if not isinstance(model, torch.nn.Module):
        raise RepresentationError(f"rpp_prior_loss takes a torch.nn.Module, got {type(model).__name__}")
    terms = [m.prior_loss() for m in model.modules() if isinstance(m, RPPLinear)]
    return sum(terms[1:], terms[0]) if terms else torch.zeros(())
