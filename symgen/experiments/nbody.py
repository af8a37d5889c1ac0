"""Charged N-body (EGNN/CGENN setup): data, a CGENN in Cl(3,0), baselines, its run.

Five particles with charges ±1 interact by Coulomb forces; from positions and
velocities the model predicts positions 1000 integration steps later. The simulator
follows the protocol of the data set EGNN and CGENN report on (Satorras et al. 2021,
``nbody_small``, itself from Kipf et al.'s NRI charged-particles simulation): positions
N(0, 1) per coordinate, velocities of norm 0.5 in random directions, charges ±1 with equal
probability, unsoftened Coulomb forces clipped to ±100 per component, a kick–drift
(symplectic Euler) step of 0.001; the input is the state after 3100 steps and the target the
positions after 4100 (frames 30 and 40 of a trajectory sampled every 100 steps). It is
written here and deterministic given the seed (no download).

>>> data = simulate(4, seed=0, burn_in=20, steps=50)
>>> data["x0"].shape, data["x1"].shape, data["q"].shape
((4, 5, 3), (4, 5, 3), (4, 5))
"""

from __future__ import annotations

import os

import numpy as np
import torch

from .. import groups, reps
from ..algebra import CliffordAlgebra
from ..algebra.groups.position_orientation import repulsion_grid
from .._validate import check_finite, check_int
from ..errors import FrameError, ShapeError
from ..nn.clifford import CliffordMessagePassing, MVLinear
from ..nn.graphs import lift_to_orientations
from ..nn.groups import EGNN, Canonicalize, FrameAveraging, GatedNonlinearity, ImplicitSteerableConv, Ponita, PonitaPointCloud
from .training import History, train

__all__ = ["simulate", "constant_velocity", "NBodyCGENN", "NBodyMLP", "NBodyWrapped", "NBodyImplicit",
           "NBodyPonita", "NBodyPonitaCloud", "NBodyEGNN", "matched_mlp", "random_rotations", "fit", "run", "MODELS", "FULL", "QUICK"]

#: ``run`` options of the paper budget (``symgen nbody --full``) and of a smoke test (``--quick``).
FULL = {"n_train": 3000, "epochs": 200}
QUICK = {"n_train": 40, "n_test": 20, "epochs": 2, "channels": 4, "layers": 1}

#: Largest force component; larger ones are clipped (EGNN/NRI: 0.1 / dt).
MAX_FORCE = 100.0


def simulate(samples: int, seed: int = 0, particles: int = 5, burn_in: int = 3100,
             steps: int = 1000, dt: float = 0.001) -> dict:
    """Trajectories of charged particles; returns the positions ``x0`` and velocities ``v0``
    after ``burn_in`` steps, the charges ``q`` and the positions ``x1`` ``steps`` later
    (float64), with ``horizon = steps * dt``."""
    for name, value, least in (("samples", samples, 1), ("particles", particles, 2),
                               ("burn_in", burn_in, 0), ("steps", steps, 1)):
        if int(value) != value or value < least:
            raise ShapeError(f"simulate: {name} must be an integer >= {least}, got {value!r}")
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, (samples, particles, 3))
    v = rng.normal(0.0, 1.0, (samples, particles, 3))
    v *= 0.5 / np.linalg.norm(v, axis=-1, keepdims=True)
    q = rng.choice([-1.0, 1.0], (samples, particles))
    qq = q[:, :, None] * q[:, None, :]
    off_diagonal = ~np.eye(particles, dtype=bool)

    def force(pos):
        d = pos[:, :, None] - pos[:, None, :]                       # x_i - x_j
        r3 = np.where(off_diagonal, (d ** 2).sum(-1), 1.0) ** 1.5
        f = np.where(off_diagonal, qq / r3, 0.0)                    # like charges repel
        return np.clip((f[..., None] * d).sum(2), -MAX_FORCE, MAX_FORCE)

    v = v + dt * force(x)
    x0, v0 = x.copy(), v.copy()                                     # burn_in = 0
    for step in range(1, burn_in + steps + 1):
        x = x + dt * v
        if step == burn_in:
            x0, v0 = x.copy(), v.copy()
        v = v + dt * force(x)
    return {"x0": x0, "v0": v0, "q": q, "x1": x, "horizon": steps * dt}


def constant_velocity(data) -> np.ndarray:
    """The baseline prediction ``x0 + horizon · v0``."""
    return data["x0"] + data["horizon"] * data["v0"]


def _embed(alg, vectors):
    """(..., 3) vectors → (..., dim) multivectors (grade-1 part)."""
    out = torch.zeros(*vectors.shape[:-1], alg.dim, dtype=vectors.dtype)
    out[..., 1:4] = vectors
    return out


class NBodyCGENN(torch.nn.Module):
    """CGENN for N-body in Cl(3,0): nodes carry (centred position, velocity, charge); the
    output vector corrects the constant-velocity guess ``x + horizon v`` (both baselines get
    the same residual form). ``blocks``, ``message``, ``aggregation`` and ``normalization``
    are those of :class:`~symgen.nn.CliffordMessagePassing`: with ``message="pair"`` (the
    default) the edges carry (relative position, product of charges), mixed by an
    :class:`~symgen.nn.MVLinear`; with ``"difference"`` they carry the product of charges
    only (positions enter through ``h_i − h_j``), as in the official CGENN code.
    :data:`PAPER` holds the official layer's options.

    >>> model = NBodyCGENN(channels=4, layers=1, **NBodyCGENN.PAPER)
    >>> x, v, q = torch.randn(2, 5, 3), torch.randn(2, 5, 3), torch.ones(2, 5)
    >>> model(x, v, q).shape
    torch.Size([2, 5, 3])
    """

    #: the official CGENN N-body layer (DavidRuhe/clifford-group-equivariant-neural-networks,
    #: ``models/nbody_cggnn.py``): 2 blocks per MLP, ``h_i − h_j`` messages averaged, the
    #: product's right operand normalised by a learned interpolation
    PAPER = {"blocks": 2, "message": "difference", "aggregation": "mean", "normalization": "learned"}
    pair = True         # models pickled before the options

    def __init__(self, channels: int = 16, layers: int = 3, horizon: float = 1.0, blocks: int = 1,
                 message: str = "pair", aggregation: str = "sum", normalization: str = "output"):
        super().__init__()
        self.horizon = horizon
        self.alg = CliffordAlgebra.from_signature(3)
        self.embed = MVLinear(self.alg, 3, channels)
        self.pair = message == "pair"
        if self.pair:
            self.edge_embed = MVLinear(self.alg, 2, 2)
        self.blocks = torch.nn.ModuleList(
            CliffordMessagePassing(self.alg, channels, 2 if self.pair else 1, blocks=blocks, message=message,
                                   aggregation=aggregation, normalization=normalization)
            for _ in range(layers))
        self.head = MVLinear(self.alg, channels, 1, bias=False)

    def forward(self, x, v, q):
        b, n, _ = x.shape
        centre = x.mean(1, keepdim=True)
        charge = torch.zeros(b, n, self.alg.dim, dtype=x.dtype)
        charge[..., 0] = q
        h = torch.stack([_embed(self.alg, x - centre), _embed(self.alg, v), charge], dim=2)
        h = self.embed(h.reshape(b * n, 3, -1)).reshape(b, n, -1, self.alg.dim)
        qq = torch.zeros(b, n, n, self.alg.dim, dtype=x.dtype, device=x.device)
        qq[..., 0] = q[:, :, None] * q[:, None, :]
        if self.pair:
            rel = _embed(self.alg, x[:, :, None] - x[:, None, :])
            e = self.edge_embed(torch.stack([rel, qq], dim=3).reshape(b * n * n, 2, -1)).reshape(b, n, n, 2, -1)
        else:
            e = qq[:, :, :, None]
        for block in self.blocks:
            h = block(h, e)
        shift = self.head(h.reshape(b * n, -1, self.alg.dim)).reshape(b, n, -1)[..., 1:4]
        return x + self.horizon * v + shift


class NBodyMLP(torch.nn.Module):
    """Non-equivariant baseline on the flattened (x, v, q) of all particles."""

    def __init__(self, particles: int = 5, hidden: int = 128, horizon: float = 1.0):
        super().__init__()
        self.horizon = horizon
        self.net = torch.nn.Sequential(torch.nn.Linear(7 * particles, hidden), torch.nn.SiLU(),
                                       torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
                                       torch.nn.Linear(hidden, 3 * particles))

    def forward(self, x, v, q):
        b, n, _ = x.shape
        shift = self.net(torch.cat([x, v, q[..., None]], -1).reshape(b, -1)).reshape(b, n, 3)
        return x + self.horizon * v + shift


class _Directions(torch.nn.Module):
    """An MLP whose outputs are E(3) directions: every 4th (homogeneous) coordinate is 0."""

    def __init__(self, n_in: int, particles: int, hidden: int):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(n_in, hidden), torch.nn.SiLU(),
                                       torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
                                       torch.nn.Linear(hidden, 4 * particles))
        self.register_buffer("mask", torch.tensor([1.0, 1.0, 1.0, 0.0] * particles))

    def forward(self, z):
        return self.net(z) * self.mask


class _GNN(torch.nn.Module):
    """Message passing on the fully connected particle graph, on raw coordinates (so not
    equivariant by itself; EGNN's GNN baseline): node input ``(x, v, q)``, edge input
    ``q_i q_j``; each layer ``m_ij = φ_e(h_i, h_j, e_ij)``, ``h_i += φ_h(h_i, Σ_j m_ij)``.
    Reads and writes the homogeneous E(3) layout of :class:`NBodyWrapped`."""

    def __init__(self, particles: int, hidden: int, layers: int = 4):
        super().__init__()
        self.particles = particles
        self.embed = torch.nn.Linear(7, hidden)
        self.edges = torch.nn.ModuleList(torch.nn.Sequential(
            torch.nn.Linear(2 * hidden + 1, hidden), torch.nn.SiLU(), torch.nn.Linear(hidden, hidden), torch.nn.SiLU())
            for _ in range(layers))
        self.nodes = torch.nn.ModuleList(torch.nn.Sequential(
            torch.nn.Linear(2 * hidden, hidden), torch.nn.SiLU(), torch.nn.Linear(hidden, hidden))
            for _ in range(layers))
        self.head = torch.nn.Sequential(torch.nn.Linear(hidden, hidden), torch.nn.SiLU(), torch.nn.Linear(hidden, 3))
        self.register_buffer("off_diagonal", ~torch.eye(particles, dtype=torch.bool))

    def forward(self, z):
        b, n = len(z), self.particles
        x, v = z[:, :4 * n].reshape(b, n, 4)[..., :3], z[:, 4 * n:8 * n].reshape(b, n, 4)[..., :3]
        q = z[:, 8 * n:]
        h = self.embed(torch.cat([x, v, q[..., None]], -1))
        e = (q[:, :, None] * q[:, None, :])[..., None]
        for edge, node in zip(self.edges, self.nodes):
            pair = torch.cat([h[:, :, None].expand(b, n, n, -1), h[:, None].expand(b, n, n, -1), e], -1)
            messages = (edge(pair) * self.off_diagonal[..., None]).sum(2)
            h = h + node(torch.cat([h, messages], -1))
        return torch.cat([self.head(h), torch.zeros(b, n, 1, dtype=z.dtype)], -1).reshape(b, 4 * n)


class NBodyWrapped(torch.nn.Module):
    """A plain backbone made E(3)-equivariant by a symgen wrapper. ``backbone``: ``"mlp"``
    (on the flattened input) or ``"gnn"`` (message passing on raw coordinates, EGNN's GNN
    baseline; ``hidden`` is its width). ``wrapper`` is
    ``"frame_averaging"`` (:class:`~symgen.nn.FrameAveraging`, PCA frame of the centred
    positions and velocities: 8 elements) or ``"canonicalize"``
    (:class:`~symgen.nn.Canonicalize` with the default EMLP canonicalizer).

    The input of the wrapper is ``rep_in = 5V + 5V + 5V⁰`` of E(3) in homogeneous
    coordinates: positions ``(x, 1)``, velocities ``(v, 0)``, charges; its output, ``5V``,
    is a correction ``(s, 0)`` to ``x + horizon · v`` per particle (rotated by ``R``, not
    moved by translations), as for the other models.

    >>> model = NBodyWrapped("frame_averaging", hidden=8)
    >>> x, v, q = torch.randn(2, 5, 3), torch.randn(2, 5, 3), torch.ones(2, 5)
    >>> model(x, v, q).shape
    torch.Size([2, 5, 3])
    """

    WRAPPERS = ("frame_averaging", "canonicalize")
    BACKBONES = ("mlp", "gnn")

    def __init__(self, wrapper: str = "frame_averaging", particles: int = 5, hidden: int = 128,
                 horizon: float = 1.0, backbone: str = "mlp"):
        super().__init__()
        if wrapper not in self.WRAPPERS:
            raise FrameError(f"wrapper must be one of {self.WRAPPERS}, got {wrapper!r}")
        if backbone not in self.BACKBONES:
            raise FrameError(f"backbone must be one of {self.BACKBONES}, got {backbone!r}")
        self.horizon = horizon
        G = groups.E(3)
        rep_in = 2 * particles * reps.V(G) + particles * reps.Scalar(G)
        rep_out = particles * reps.V(G)
        backbone = (_Directions(rep_in.size, particles, hidden) if backbone == "mlp"
                    else _GNN(particles, hidden))
        self.model = (FrameAveraging(backbone, rep_in, rep_out) if wrapper == "frame_averaging"
                      else Canonicalize(backbone, "auto", rep_in, rep_out))

    def forward(self, x, v, q):
        b, n, _ = x.shape
        one = torch.ones(b, n, 1, dtype=x.dtype)
        z = torch.cat([torch.cat([x, one], -1).reshape(b, -1), torch.cat([v, 0 * one], -1).reshape(b, -1), q], -1)
        shift = self.model(z).reshape(b, n, 4)[..., :3]
        return x + self.horizon * v + shift


def _complete_graph(batch: int, particles: int):
    """Edges ``src → dst`` of the fully connected graph of each of ``batch`` samples of
    ``particles`` nodes, on the flattened ``(batch · particles)`` nodes (no self-loops)."""
    pairs = (~torch.eye(particles, dtype=torch.bool)).nonzero()
    offsets = (torch.arange(batch) * particles)[:, None]
    return (pairs[:, 1] + offsets).reshape(-1), (pairs[:, 0] + offsets).reshape(-1)


class NBodyImplicit(torch.nn.Module):
    """Implicit steerable convolutions (:class:`~symgen.nn.ImplicitSteerableConv`) over O(3)
    on the fully connected particle graph. Node input ``v ⊕ q`` (``V + V⁰``), edge
    attribute ``q_i q_j`` (``V⁰``); ``layers`` gated convolutions to ``channels (V⁰ + V)``,
    then one to ``V``: the correction to ``x + horizon · v``. Positions enter only as
    differences, in units of ``length`` (the kernels are polynomial-like in the relative
    position: at unit scale their outputs start in the hundreds), so the model is
    E(3)-equivariant. After each gated convolution every point's features are divided by
    their root mean square (an invariant, since O(3) acts orthogonally), and the correction
    is scaled by a learned factor that starts at 0: without them the features' scale grows
    with every layer at initialisation (≈ 80× after four) and deeper models did not train.

    >>> model = NBodyImplicit(channels=2, layers=1, hidden=8)
    >>> x, v, q = torch.randn(2, 5, 3), torch.randn(2, 5, 3), torch.ones(2, 5)
    >>> model(x, v, q).shape
    torch.Size([2, 5, 3])
    """

    def __init__(self, channels: int = 8, layers: int = 2, hidden: int = 16, horizon: float = 1.0,
                 length: float = 4.0):
        super().__init__()
        channels = check_int(channels, "channels", ShapeError)
        layers = check_int(layers, "layers", ShapeError, minimum=0)
        self.horizon, self.length = horizon, check_finite(length, "length", ShapeError, positive=True)
        G = groups.O(3)
        S, V = reps.Scalar(G), reps.V(G)
        features, rep = channels * S + channels * V, V + S
        self.convs, self.gates = torch.nn.ModuleList(), torch.nn.ModuleList()
        for _ in range(layers):
            gate = GatedNonlinearity(features)
            self.convs.append(ImplicitSteerableConv(rep, features + gate.n_gates * S, hidden=hidden, edge_rep=S))
            self.gates.append(gate)
            rep = features
        self.head = ImplicitSteerableConv(rep, V, hidden=hidden, edge_rep=S)
        self.scale = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x, v, q):
        b, n, _ = x.shape
        src, dst = _complete_graph(b, n)
        pos, qf = x.reshape(b * n, 3) / self.length, q.reshape(b * n, 1)
        qq = qf[src] * qf[dst]
        h = torch.cat([v.reshape(b * n, 3), qf], -1)
        for conv, gate in zip(self.convs, self.gates):
            h = gate(conv(h, pos, src, dst, qq))
            h = h * torch.rsqrt(h.square().mean(-1, keepdim=True) + 1e-6)
        shift = self.head(h, pos, src, dst, qq).reshape(b, n, 3)
        return x + self.horizon * v + self.scale * shift


class NBodyPonita(torch.nn.Module):
    """PONITA (:class:`~symgen.nn.Ponita`, O(3) pair invariants) on the fully connected
    particle graph: scalars the charges, vectors the velocities, one output vector per
    particle, the correction to ``x + horizon · v``. ``grid``: the orientations (default: a
    repulsion grid of ``orientations`` points), on which the model is equivariant up to
    the grid's discretisation (exactly for the finite group of an orbit grid).

    >>> model = NBodyPonita(hidden=8, layers=1, orientations=6)
    >>> x, v, q = torch.randn(2, 5, 3), torch.randn(2, 5, 3), torch.ones(2, 5)
    >>> model(x, v, q).shape
    torch.Size([2, 5, 3])
    """

    def __init__(self, hidden: int = 16, layers: int = 2, orientations: int = 16, basis: int = 16,
                 horizon: float = 1.0, grid=None):
        super().__init__()
        self.horizon = horizon
        grid = repulsion_grid(orientations) if grid is None else grid
        self.net = Ponita(groups.O(3), grid, in_scalars=1, in_vectors=1, out_scalars=0, out_vectors=1,
                          hidden=hidden, layers=layers, basis=basis)

    def forward(self, x, v, q):
        b, n, _ = x.shape
        src, dst = _complete_graph(b, n)
        _, shift = self.net(x.reshape(b * n, 3), q.reshape(b * n, 1), v.reshape(b * n, 1, 3), src, dst)
        return x + self.horizon * v + shift.reshape(b, n, 3)


class NBodyPonitaCloud(torch.nn.Module):
    """Grid-free PONITA (:class:`~symgen.nn.PonitaPointCloud`, O(3)) on the fully connected
    particle graph: each particle holds one orientation per other particle, pointing at it,
    and one along its velocity (:func:`~symgen.nn.lift_to_orientations` with a point at
    ``x + v`` sending to each particle: it gives the orientation and nothing else, as no
    orientation sits on it); scalars the charges, vectors the velocities, the output vector
    the correction to ``x + horizon · v``. Exactly E(3)-equivariant.

    Without the velocity orientation a particle's vectors live in the span of the 4
    directions to the others, with data-dependent, non-orthogonal weights: the velocity
    enters only as its 4 projections and an output vector is ``Σ_k f_k o_k / 4``, so even
    ``v ↦ v`` needs the inverse of the directions' Gram matrix. Measured at the default budget
    of ``symgen nbody``: test MSE 0.0511 without, 0.0260 with it (benchmarks/RESULTS.md).

    >>> model = NBodyPonitaCloud(hidden=8, layers=1)
    >>> x, v, q = torch.randn(2, 5, 3), torch.randn(2, 5, 3), torch.ones(2, 5)
    >>> model(x, v, q).shape
    torch.Size([2, 5, 3])
    """

    def __init__(self, hidden: int = 16, layers: int = 2, basis: int = 16, horizon: float = 1.0):
        super().__init__()
        self.horizon = horizon
        self.net = PonitaPointCloud(groups.O(3), in_scalars=1, in_vectors=1, out_scalars=0, out_vectors=1,
                                    hidden=hidden, layers=layers, basis=basis)

    def forward(self, x, v, q):
        b, n, _ = x.shape
        points = b * n
        pos = torch.cat([x.reshape(points, 3), (x + v).reshape(points, 3)])    # particles, then x + v
        src, dst = _complete_graph(b, n)
        particle = torch.arange(points)
        graph = lift_to_orientations(pos, torch.cat([src, particle + points]), torch.cat([dst, particle]))
        _, shift = self.net(pos, q.reshape(points, 1).repeat(2, 1), v.reshape(points, 1, 3).repeat(2, 1, 1), graph)
        return x + self.horizon * v + shift[:points].reshape(b, n, 3)


class NBodyEGNN(torch.nn.Module):
    """EGNN (:class:`~symgen.nn.EGNN`, velocity variant) on the fully connected particle
    graph, with the inputs of Satorras et al.'s N-body model: node feature the speed ``|v|``,
    edge attributes ``q_i q_j`` and the initial ``|x_i − x_j|²``; every layer moves the
    particles by ``φ_v(h_i) v_i`` and the mean of ``(x_i − x_j) φ_x(m_ij)``, from the
    constant-velocity guess ``x + horizon v`` (as the other models). Exactly
    E(3)-equivariant.

    >>> model = NBodyEGNN(hidden=8, layers=1)
    >>> x, v, q = torch.randn(2, 5, 3), torch.randn(2, 5, 3), torch.ones(2, 5)
    >>> model(x, v, q).shape
    torch.Size([2, 5, 3])
    """

    def __init__(self, hidden: int = 64, layers: int = 4, horizon: float = 1.0):
        super().__init__()
        self.horizon = horizon
        self.net = EGNN(groups.O(3), in_features=1, hidden=hidden, layers=layers, edge_features=2, velocity=True)

    def forward(self, x, v, q):
        b, n, _ = x.shape
        src, dst = _complete_graph(b, n)
        pos, vel, qf = x.reshape(b * n, 3), v.reshape(b * n, 3), q.reshape(b * n)
        edge_attr = torch.stack([qf[src] * qf[dst], (pos[src] - pos[dst]).square().sum(1)], 1)
        start = pos + self.horizon * vel
        _, moved = self.net(vel.norm(dim=1, keepdim=True), start, src, dst, vel, edge_attr)
        return moved.reshape(b, n, 3)


def _tensors(data):
    return [torch.tensor(data[k], dtype=torch.float32) for k in ("x0", "v0", "q", "x1")]


def random_rotations(n: int, generator: torch.Generator, dtype=torch.float32) -> torch.Tensor:
    """``n`` Haar-random rotations ``(n, 3, 3)`` in SO(3), drawn from ``generator`` (QR of a
    Gaussian matrix with the signs of ``R``'s diagonal fixed, then the determinant made +1).

    >>> R = random_rotations(4, torch.Generator().manual_seed(0), torch.float64)
    >>> bool(torch.allclose(R @ R.transpose(1, 2), torch.eye(3, dtype=torch.float64).expand(4, 3, 3)))
    True
    >>> bool(torch.allclose(torch.linalg.det(R), torch.ones(4, dtype=torch.float64)))
    True
    """
    n = check_int(n, "n", ShapeError, minimum=0)
    q, r = torch.linalg.qr(torch.randn(n, 3, 3, generator=generator, dtype=torch.float64))
    q = q * torch.sign(torch.diagonal(r, dim1=1, dim2=2))[:, None, :]
    return (q * torch.linalg.det(q)[:, None, None]).to(dtype)


def fit(model, train_data, test_data, epochs: int, batch: int = 100, lr: float = 5e-3,
        minutes: float | None = None, label: str = "", progress: bool = True,
        checkpoint: str | None = None, rotate: bool = False, validation_data: dict | None = None,
        **options) -> History:
    """Train on shuffled batches with the shared loop (:func:`.training.train`, which
    saves to and resumes from ``checkpoint``; ``options`` go to it: ``weight_decay``,
    ``schedule``, ``stop_after``); the history's ``test`` is the test MSE of the predicted
    positions. With ``rotate``, each training sample (positions, velocities and target) is
    turned by its own :func:`random_rotations` (drawn from the trainer's generator): data
    augmentation for models that are only approximately equivariant, such as PONITA on an
    orientation grid (the official PONITA N-body trainer rotates every batch; benchmarks/RESULTS.md).
    With ``validation_data``, the model kept is the one at the lowest validation MSE
    (``History.best_epoch``), as the EGNN, CGENN and PONITA papers report their test MSE."""
    x, v, q, y = _tensors(train_data)

    def batches(generator):
        perm = torch.randperm(len(x), generator=generator)
        for s in range(0, len(x), batch):
            idx = perm[s:s + batch]
            if rotate:
                turn = random_rotations(len(idx), generator, x.dtype)
                xb, vb, yb = (torch.einsum("bij,bnj->bni", turn, t[idx]) for t in (x, v, y))
                yield (xb, vb, q[idx]), yb
            else:
                yield (x[idx], v[idx], q[idx]), y[idx]

    select = None if validation_data is None else _mse(validation_data)
    return train(model, batches, epochs, lr, minutes=minutes, label=label, progress=progress,
                 checkpoint=checkpoint, evaluate=_mse(test_data), select=select, **options)


def _mse(data):
    """The mean squared error of a model's predicted positions on ``data``."""
    x, v, q, y = _tensors(data)
    return lambda model: float((model(x, v, q) - y).square().mean())


def matched_mlp(params: int, horizon: float) -> NBodyMLP:
    """The MLP baseline with the largest hidden width (a multiple of 8) of at most ``params``
    parameters (at least 16 wide)."""
    hidden = 16
    while sum(p.numel() for p in NBodyMLP(hidden=hidden + 8).parameters()) <= params:
        hidden += 8
    return NBodyMLP(hidden=hidden, horizon=horizon)


#: ``run``'s model names: the label in tables and checkpoint files, a constructor
#: ``(channels, layers, horizon, cgenn_params) → model`` (``cgenn_params`` sizes the MLP) and
#: the Adam learning rate (5e-3, except EGNN: its coordinate updates diverge there; 1e-3).
#: ``cgenn-paper`` is the CGENN with the official N-body layer (:data:`NBodyCGENN.PAPER`);
#: ``cgenn-mean`` has only its messages (``h_i − h_j``, averaged), which carry its gain.
#: EGNN is ``16·channels/3`` wide and ``2·layers`` deep: the paper's 64 × 4 at the defaults.
#: The implicit kernels' EMLPs are ``4·channels`` wide (16V⁰+5V+V² at the defaults; 16 wide,
#: 5V⁰+V+V², they underfit: benchmarks/RESULTS.md).
MODELS = {
    "cgenn": ("CGENN Cl(3,0)", lambda c, l, h, p: NBodyCGENN(c, l, horizon=h), 5e-3),
    "cgenn-paper": ("CGENN-paper Cl(3,0)", lambda c, l, h, p: NBodyCGENN(c, l, horizon=h, **NBodyCGENN.PAPER), 5e-3),
    "cgenn-mean": ("CGENN-mean Cl(3,0)", lambda c, l, h, p: NBodyCGENN(c, l, horizon=h, message="difference",
                                                                       aggregation="mean"), 5e-3),
    "mlp": ("MLP", lambda c, l, h, p: matched_mlp(p, h), 5e-3),
    "implicit": ("Implicit O(3)", lambda c, l, h, p: NBodyImplicit(c, l, hidden=4 * c, horizon=h), 5e-3),
    "ponita": ("PONITA", lambda c, l, h, p: NBodyPonita(2 * c, l, orientations=16, basis=16, horizon=h), 5e-3),
    "ponita-cloud": ("PONITA grid-free", lambda c, l, h, p: NBodyPonitaCloud(2 * c, l, basis=16, horizon=h), 5e-3),
    "egnn": ("EGNN", lambda c, l, h, p: NBodyEGNN(16 * c // 3, 2 * l, horizon=h), 1e-3),
    "fa-gnn": ("FA-GNN", lambda c, l, h, p: NBodyWrapped("frame_averaging", hidden=2 * c, horizon=h, backbone="gnn"),
               5e-3),
    "canon-gnn": ("Canon-GNN", lambda c, l, h, p: NBodyWrapped("canonicalize", hidden=2 * c, horizon=h,
                                                                backbone="gnn"), 5e-3),
}


def run(n_train: int = 1000, n_test: int = 500, epochs: int = 150, channels: int = 12, layers: int = 2,
        minutes: float | None = None, progress: bool = True, checkpoints: str | None = None,
        models=("cgenn", "mlp"), lr: float | None = None, weight_decay: float = 0.0, schedule: str = "cosine",
        stop_after: float | None = None, test_every_epoch: bool = False, rotate: bool = False,
        validation: int = 0) -> dict:
    """The experiment: simulate, train each of ``models`` (names of :data:`MODELS`; the MLP
    is parameter-matched to the CGENN of ``channels`` and ``layers``) on the same data and
    budget, each at ``lr`` or else its learning rate in :data:`MODELS`, evaluate.
    ``weight_decay``, ``schedule`` and ``stop_after`` are those of :func:`.training.train`
    (``stop_after`` per model); with ``test_every_epoch`` each ``History.evaluations`` holds
    the test MSE after every epoch; with ``rotate`` every training sample is randomly rotated
    (:func:`fit`). With ``validation`` samples (a third simulation, seed 2), each model is
    reported at its lowest validation MSE (:func:`fit`'s ``validation_data``).

    With ``checkpoints`` (a folder), each model saves to and resumes from ``<label>.pt`` there.
    Returns the constant-velocity test MSE (``"constant_velocity"``) and, under
    ``"models"``, each model's name mapped to ``(model, History)``.
    """
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        raise ShapeError(f"run: models must be names from {tuple(MODELS)}; got {tuple(models)!r}")
    validation = check_int(validation, "validation", ShapeError, minimum=0)
    torch.manual_seed(0)
    train_data, test_data = simulate(n_train, seed=0), simulate(n_test, seed=1)
    validation_data = simulate(validation, seed=2) if validation else None
    baseline = float(((constant_velocity(test_data) - test_data["x1"]) ** 2).mean())
    horizon = train_data["horizon"]
    cgenn_params = sum(p.numel() for p in NBodyCGENN(channels, layers).parameters())
    trained = {}
    for key in dict.fromkeys(models):
        name, build, model_lr = MODELS[key]
        torch.manual_seed(0)
        model = build(channels, layers, horizon, cgenn_params)
        label = name.split()[0]
        path = None if checkpoints is None else os.path.join(checkpoints, f"{label}.pt")
        trained[name] = model, fit(model, train_data, test_data, epochs, lr=model_lr if lr is None else lr,
                                   label=label, minutes=minutes, progress=progress, checkpoint=path,
                                   weight_decay=weight_decay, schedule=schedule, stop_after=stop_after,
                                   evaluate_every_epoch=test_every_epoch, rotate=rotate,
                                   validation_data=validation_data)
    return {"constant_velocity": baseline, "models": trained}
