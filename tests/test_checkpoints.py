"""Checkpoints: every symgen object pickles and survives ``torch.save``/``torch.load`` *after
use*, and loads and runs in a fresh process; module ``state_dict``s round-trip through
``torch.load(weights_only=True)``.

Each case builds an object, uses it the way that once left unpicklable compiled kernels on
it (a forward pass on a small and on a large batch, ``assert_equivariant``, ``rep.rho``,
``sym.flow``, ``symmetries()``), and names a deterministic ``run`` whose output must be the
same after loading. The fresh-process check saves every case once and loads them all in
one subprocess (``python -m tests.test_checkpoints DIR``), which imports nothing from the
saving process.
"""

from __future__ import annotations

import pathlib
import pickle
import subprocess
import sys
import traceback
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest
import sympy
import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Case:
    build: Callable
    use: Callable
    run: Callable


# -- inputs ----------------------------------------------------------------------------------
def _randn(*shape, seed=0, dtype=torch.float64):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(shape)).to(dtype)


def _cl3():
    from symgen import CliffordAlgebra
    return CliffordAlgebra.from_signature(3)


# -- Clifford --------------------------------------------------------------------------------
def _use_algebra(alg):
    for rows in (4, 1024):                       # both sides of the eager CPU dispatch threshold
        a, b = _randn(rows, alg.dim, seed=1), _randn(rows, alg.dim, seed=2, dtype=torch.float64)
        a.requires_grad_(True)
        alg.geometric_product(a, b).sum().backward()
        alg.sandwich(alg.grade_projection(a.detach(), 1), b)
        alg.sandwich(b[:, list(alg.blade_indices((0, 2)))], b[:, list(alg.blade_indices(1))], grades=((0, 2), 1))
        alg.geometric_product(a.detach().numpy(), b.numpy())
    alg.grade_projection(b, 1)
    alg.kernel("geometric_product").source


def _run_algebra(alg):
    a, b = _randn(6, alg.dim, seed=3), _randn(6, alg.dim, seed=4)
    return (alg.geometric_product(a, b), alg.reverse(a), alg.grade_projection(a, 2),
            alg.geometric_product(a.numpy(), b.numpy()),
            alg.geometric_product(a[:, 4:7], b[:, 1:4], grades=(2, 1)),
            alg.sandwich(a[:, [0, 4, 5, 6]], b[:, 1:4], grades=((0, 2), 1)))


def _multivector():
    alg = _cl3()
    return alg.multivector("x", grades=1)


def _use_multivector(x):
    str(x * x)


def _run_multivector(x):
    return str(x * x.reverse() if hasattr(x, "reverse") else x * x)


def _clifford_module(factory):
    def build():
        torch.manual_seed(0)
        return factory(_cl3()).double()
    return build


def _use_clifford_module(module):
    from symgen.testing import assert_equivariant
    for batch in (2, 300):                       # small and large batches reach different kernels
        module(_randn(batch, module.channels, module.alg.dim, seed=5)).sum().backward()
    assert_equivariant(module, n_elements=2, batch=2)


def _run_clifford_module(module):
    with torch.no_grad():
        return module(_randn(3, module.channels, module.alg.dim, seed=6))


def _message_passing(**options):
    def build():
        from symgen.nn import CliffordMessagePassing
        torch.manual_seed(0)
        return CliffordMessagePassing(_cl3(), 3, 2, **options).double()
    return build


def _graph(seed, block):
    return _randn(2, 4, 3, 8, seed=seed), _randn(2, 4, 4, block.edge_channels, 8, seed=seed + 1)


def _use_message_passing(block):
    block(*_graph(7, block)).sum().backward()
    h, e = _graph(9, block)
    with torch.no_grad():
        block(torch.cat([h] * 10), torch.cat([e] * 10))


def _run_message_passing(block):
    with torch.no_grad():
        return block(*_graph(11, block))


# -- groups ----------------------------------------------------------------------------------
GROUPS = {"SO(3)": lambda g: g.SO(3), "O(1,3)": lambda g: g.O(1, 3), "SE(3)": lambda g: g.SE(3),
          "S(5)": lambda g: g.S(5), "D(4)": lambda g: g.D(4), "Sp(4)": lambda g: g.Sp(4),
          "MatrixGroup": lambda g: g.MatrixGroup(lie_generators=[sympy.Matrix([[0, 1], [-1, 0]])]),
          "SU(2)": lambda g: g.SU(2), "C(8)": lambda g: g.C(8), "D(4, plane)": lambda g: g.D(4, action="plane"),
          "S(9) declared": lambda g: g.MatrixGroup(discrete_generators=g.S(9).discrete_generators)}   # orbit count


def _group(name):
    def build():
        from symgen import groups
        return GROUPS[name](groups)
    return build


def _use_group(G):
    from symgen import reps
    V = reps.V(G)
    V.rho(G.sample(3, seed=0))
    reps.equivariant_basis(V, V)


def _run_group(G):
    from symgen import reps
    g = G.sample(2, seed=1)
    return g, reps.V(G).rho(g)


def _rep():
    from symgen import groups, reps
    V = reps.V(groups.O(3))
    return V * V + V.T + reps.Scalar(V.G)


def _use_rep(rep):
    from symgen import reps
    rep.rho(rep.G.sample(4, seed=0))
    reps.equivariant_basis(rep, rep)


def _run_rep(rep):
    return rep.rho(rep.G.sample(2, seed=2)), repr(rep)


def _structured():
    from symgen import groups, reps
    V = reps.V(groups.S(4))
    return reps.structured_basis(V ** 2 + V, V + reps.Scalar(V.G))


def _use_structured(basis):
    basis.matrix(np.ones(len(basis)))
    basis.dense()


def _run_structured(basis):
    return basis.matrix(np.arange(len(basis), dtype=np.float64)), repr(basis)


def _composite_rep(kind):
    def build():
        from symgen import groups, reps
        if kind == "product":    # an external product and a lifted factor rep of SO(3)×S(4)
            G1, G2 = groups.SO(3), groups.S(4)
            return reps.V(G1) ** 2 * reps.V(G2) + reps.V(G1)
        V = reps.V(groups.SU(2)).realify()
        return V * V + reps.Scalar(V.G)
    return build


def _composite_linear():
    from symgen.nn import EquivariantLinear
    torch.manual_seed(0)
    rep = _composite_rep("product")()
    return EquivariantLinear(rep, rep).double()


def _equivariant_linear(strategy):
    def build():
        from symgen import groups, reps
        from symgen.nn import EquivariantLinear
        torch.manual_seed(0)
        V = reps.V(groups.SO(3))
        return EquivariantLinear(V ** 2, V + reps.Scalar(V.G), strategy=strategy).double()
    return build


def _emlp():
    from symgen import groups, reps
    from symgen.nn import EMLP
    torch.manual_seed(0)
    V = reps.V(groups.O(3))
    return EMLP(2 * V, reps.Scalar(V.G), hidden=8, depth=1).double()


def _emlp_orbit_paths():
    """Z(12) by permutation matrices: the bilinear paths of four legs are OrbitPaths (both orders)."""
    from symgen import groups, reps
    from symgen.nn import EMLP
    torch.manual_seed(0)
    V, S = reps.V(groups.Z(12)), reps.Scalar(groups.Z(12))
    model = EMLP(V, S, hidden=2 * S + V + V ** 2, depth=1, bilinear="full").double()
    assert {p.order for p in model.blocks[0].bilinear.orbit_paths.values()} == {"gather", "segment"}
    return model


def _contraction_bilinear():
    """The default EMLP bilinear layer on real forms of SU(2) (its non-tensor paths)."""
    from symgen import groups, reps
    from symgen.nn import ContractionBilinear
    torch.manual_seed(0)
    R, S = reps.V(groups.SU(2)).realify(), reps.Scalar(groups.SU(2))
    return ContractionBilinear(2 * S + 2 * R, S + R).double()


def _canonicalize(group):
    def build():
        from symgen import groups, reps
        from symgen.nn import Canonicalize
        torch.manual_seed(0)
        V = reps.V(getattr(groups, group[0])(group[1]))
        backbone = torch.nn.Sequential(torch.nn.Linear(4 * V.size, 16), torch.nn.SiLU(), torch.nn.Linear(16, V.size))
        return Canonicalize(backbone, "auto", 4 * V, V).double()
    return build


def _rppemlp():
    from symgen import groups, reps
    from symgen.nn import RPPEMLP
    torch.manual_seed(0)
    V = reps.V(groups.O(3))
    model = RPPEMLP(2 * V, V ** 2, hidden=8, depth=1).double()
    with torch.no_grad():                      # free paths at zero keep the model equivariant
        model.head.equivariant.weight.normal_()
    return model


def _relaxed_conv():
    from symgen import groups
    from symgen.nn import RelaxedGroupConv
    torch.manual_seed(0)
    return RelaxedGroupConv(groups.D(4), 2, 3, banks=2).double()


def _use_relaxed_conv(conv):
    for batch in (2, 300):
        (conv(_randn(batch, 2, 8, seed=14)).sum() + conv.relaxation_penalty()).backward()


def _run_relaxed_conv(conv):
    with torch.no_grad():
        return conv(_randn(3, 2, 8, seed=15))


def _use_group_module(module):
    from symgen.testing import assert_equivariant
    for batch in (2, 300):
        module(_randn(batch, module.rep_in.size, seed=12)).sum().backward()
    assert_equivariant(module, group=module.rep_in.G, n_elements=2, batch=2)


def _run_group_module(module):
    with torch.no_grad():
        return module(_randn(3, module.rep_in.size, seed=13))


# -- PDE -------------------------------------------------------------------------------------
BURGERS = "u_t + u*u_x - u_xx"


def _pde():
    from symgen.pde import PDE
    return PDE(BURGERS)


def _use_pde(eq):
    eq.is_symmetry(eq.symmetries().generators[0])


def _run_pde(eq):
    return repr(eq), [str(g) for g in eq.symmetries().generators]


def _symmetries():
    return _pde().symmetries()


def _use_symmetries(sym):
    sym.flow(1, sympy.Symbol("epsilon"))
    sym.commutator_table()


def _run_symmetries(sym):
    eps = sympy.Symbol("epsilon")
    return [str(sym.flow(i, eps)) for i in range(len(sym.generators))], str(sym.commutator_table())


def _heat_symmetries():
    from symgen.pde import PDE
    return PDE("u_t = u_xx").symmetries()


def _use_heat_symmetries(sym):
    sym.commutator_table()
    sym.determining_residuals(sym.generators[4])
    sym.residual_ir(), sym.residual_ir("characteristic")      # both kept on the object


def _run_heat_symmetries(sym):
    return ([str(g) for g in sym.generators], [str(f) for f in sym.infinite_part], sym.assumptions,
            [str(r) for r in sym.determining_residuals(sym.generators[5])],
            [str(sym.residual_ir(form).ir.exprs) for form in ("prolonged", "characteristic")])


def _infinite_family():
    return _heat_symmetries().infinite_part[0]


def _run_infinite_family(fam):
    # srepr, not str: importing galgebra (tests/algebra/clifford/test_reference.py) changes how
    # str prints applied functions for the rest of the session ('f1' for 'f1(t, x)')
    return str(fam), tuple(map(sympy.srepr, fam.functions)), tuple(map(sympy.srepr, fam.equations))


def _classification():
    from symgen.algebra.pde.classification import group_classification
    return group_classification("u_t = (u**n*u_x)_x", "n")


def _use_classification(table):
    str(table)
    table.cases[0].symmetries.determining_residuals(table.cases[0].generators[-1])


def _run_classification(table):
    return (str(table), [c.condition for c in table.cases], [str(g) for g in table.generic.generators],
            [str(r) for r in table.cases[0].symmetries.determining_residuals(table.cases[0].generators[-1])])


def _vector_field():
    return _symmetries().generators[2]


def _use_vector_field(vf):
    str(vf.bracket(vf))


def _run_vector_field(vf):
    return str(vf), str(vf.bracket(_symmetries().generators[1]))


def _augmentation():
    from symgen.nn import LieAugmentation
    from symgen.pde import PDE
    sym = PDE("u_t + u*u_x + u_xxx").symmetries()
    shift, boost = (next(i for i, g in enumerate(sym.generators) if str(g) == s) for s in ("∂x", "t∂x + ∂u"))
    return LieAugmentation(sym, generators=[shift, boost], ranges={shift: (-4, 4), boost: (-0.5, 0.5)})


def _grid(batch, seed):
    x = torch.arange(32, dtype=torch.float64) * (16 / 32)
    u = torch.sin(2 * torch.pi * x / 16) + 0.1 * _randn(batch, 5, 32, seed=seed)
    return u, 0.25 * torch.arange(5, dtype=torch.float64), x


def _use_augmentation(aug):
    aug(*_grid(3, seed=14))
    aug.source(0)


def _run_augmentation(aug):
    u, t, x = _grid(2, seed=15)
    return aug(u, t, x, eps=torch.tensor([[1.0, 0.2], [-2.0, -0.3]], dtype=torch.float64))


# -- experiment models -----------------------------------------------------------------------
def _nbody(kind):
    def build():
        from symgen.experiments import nbody
        torch.manual_seed(0)
        model = {"cgenn": lambda: nbody.NBodyCGENN(4, 1), "cgenn-paper": lambda: nbody.NBodyCGENN(4, 1, **nbody.NBodyCGENN.PAPER),
                 "mlp": lambda: nbody.NBodyMLP(hidden=8),
                 "fa": lambda: nbody.NBodyWrapped("frame_averaging", hidden=8),
                 "fa-gnn": lambda: nbody.NBodyWrapped("frame_averaging", hidden=8, backbone="gnn"),
                 "canon-gnn": lambda: nbody.NBodyWrapped("canonicalize", hidden=8, backbone="gnn"),
                 "implicit": lambda: nbody.NBodyImplicit(channels=2, layers=1, hidden=8),
                 "ponita": lambda: nbody.NBodyPonita(hidden=8, layers=1, orientations=6, basis=8),
                 "ponita-cloud": lambda: nbody.NBodyPonitaCloud(hidden=8, layers=1, basis=8),
                 "egnn": lambda: nbody.NBodyEGNN(hidden=8, layers=2)}[kind]()
        return model.double()
    return build


def _nbody_inputs(batch, seed):
    x, v = _randn(batch, 5, 3, seed=seed), _randn(batch, 5, 3, seed=seed + 1)
    return x, v, torch.sign(_randn(batch, 5, seed=seed + 2))


def _use_nbody(model):
    for batch in (2, 60):
        model(*_nbody_inputs(batch, seed=16)).sum().backward()


def _run_nbody(model):
    with torch.no_grad():
        return model(*_nbody_inputs(3, seed=19))


def _hull():
    from symgen.experiments.hull import HullCGENN
    torch.manual_seed(0)
    return HullCGENN(channels=4, layers=1).double()


def _use_hull(model):
    for batch in (2, 40):
        model(_randn(batch, 16, 5, seed=20)).sum().backward()


def _run_hull(model):
    with torch.no_grad():
        return model(_randn(3, 16, 5, seed=21))


def _message_op():
    from symgen.codegen.ir import Bilinear
    from symgen.codegen.runtime import message_op
    return message_op(Bilinear("scaled_sum", 2, 1, 2, ((0, 0, 0, 1), (1, 0, 1, -2))))


def _rowwise_op():
    from symgen.codegen.ir import Rowwise
    from symgen.codegen.runtime import op
    a, b = sympy.symbols("a:2"), sympy.symbols("b:1")
    return op(Rowwise("ratio", (a, b), (a[0] * b[0] / (1 + a[1] ** 2), a[1])))


def _use_rowwise_op(ratio):
    a, b = _randn(300, 2, seed=24).requires_grad_(True), _randn(300, 1, seed=25)
    for backend in ("numba", "torch"):
        ratio.run(a, b, backend=backend).sum().backward()
    ratio.run(a.detach().numpy(), b.numpy())


def _run_rowwise_op(ratio):
    return ratio.run(_randn(5, 2, seed=26), _randn(5, 1, seed=27))


def _message_inputs():
    src, dst = torch.tensor([0, 1, 2, 2]), torch.tensor([1, 1, 0, 2])
    return _randn(4, 1, seed=22), _randn(3, 2, seed=23), src, dst


def _use_message_op(message):
    w, x, src, dst = _message_inputs()
    w.requires_grad_(True)
    for backend in ("numba", "torch"):
        message(w, x, src, dst, 3, backend=backend).sum().backward()


def _run_message_op(message):
    return message(*_message_inputs(), 3)


def _steerable_conv():
    from symgen import groups, reps
    from symgen.nn import ImplicitSteerableConv
    G = groups.O(3)
    torch.manual_seed(0)
    return ImplicitSteerableConv(reps.Scalar(G) + reps.V(G), reps.V(G), hidden=8).double()


def _cloud_inputs(seed):
    from symgen.nn import radius_graph
    pos = _randn(9, 3, seed=seed)
    return (_randn(9, 4, seed=seed + 1), pos, *radius_graph(pos, 2.0))


def _use_steerable_conv(conv):
    conv(*_cloud_inputs(24)).sum().backward()


def _run_steerable_conv(conv):
    with torch.no_grad():
        return conv(*_cloud_inputs(25))


def _ponita():
    from symgen import groups
    from symgen.algebra.groups.position_orientation import repulsion_grid
    from symgen.nn import Ponita
    torch.manual_seed(0)
    return Ponita(groups.SO(3), repulsion_grid(8), 1, 1, 1, 1, hidden=8, layers=1, basis=8).double()


def _ponita_inputs(seed):
    from symgen.nn import radius_graph
    pos = _randn(7, 3, seed=seed)
    return (pos, _randn(7, 1, seed=seed + 1), _randn(7, 1, 3, seed=seed + 2), *radius_graph(pos, 2.5))


def _use_ponita(net):
    s, v = net(*_ponita_inputs(26))
    (s.sum() + v.sum()).backward()


def _run_ponita(net):
    with torch.no_grad():
        return net(*_ponita_inputs(27))


def _ponita_cloud():
    from symgen import groups
    from symgen.nn import PonitaPointCloud
    torch.manual_seed(0)
    return PonitaPointCloud(groups.O(3), 1, 1, 1, 1, hidden=8, layers=1, basis=8).double()


def _ponita_cloud_inputs(seed):
    from symgen.nn import knn_graph, lift_to_orientations
    pos = _randn(7, 3, seed=seed)
    return (pos, _randn(7, 1, seed=seed + 1), _randn(7, 1, 3, seed=seed + 2), lift_to_orientations(pos, *knn_graph(pos, 3)))


def _use_ponita_cloud(net):
    s, v = net(*_ponita_cloud_inputs(28))
    (s.sum() + v.sum()).backward()


def _run_ponita_cloud(net):
    with torch.no_grad():
        return net(*_ponita_cloud_inputs(29))


def _egnn():
    from symgen import groups
    from symgen.nn import EGNN
    torch.manual_seed(0)
    return EGNN(groups.O(3), 1, hidden=8, layers=2, edge_features=1, velocity=True).double()


def _egnn_inputs(seed):
    from symgen.nn import knn_graph
    pos = _randn(7, 3, seed=seed)
    src, dst = knn_graph(pos, 3)
    return _randn(7, 1, seed=seed + 1), pos, src, dst, _randn(7, 3, seed=seed + 2), _randn(len(src), 1, seed=seed + 3)


def _use_egnn(net):
    h, x = net(*_egnn_inputs(30))
    (h.sum() + x.sum()).backward()


def _run_egnn(net):
    with torch.no_grad():
        return net(*_egnn_inputs(31))


def _wsd():
    from symgen.experiments.training import WarmupStableDecay
    return WarmupStableDecay(100)


def _use_wsd(schedule):
    """Inside a ``LambdaLR`` stepped a few epochs, as :func:`symgen.experiments.training.train` holds it."""
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    for _ in range(3):
        opt.step()
        sched.step()


def _run_wsd(schedule):
    return [schedule(e) for e in (0, 1, 50, 99)]


def _clifford_cases():
    from symgen.nn import (FullyConnectedGeometricProductLayer, GeometricProductLayer, MVGradeNorm, MVLayerNorm, MVLinear,
                           MVSiLU)
    layers = {"MVLinear": lambda a: MVLinear(a, 3, 2), "MVSiLU": lambda a: MVSiLU(a, 3),
              "MVLayerNorm": lambda a: MVLayerNorm(a, 3), "MVGradeNorm": lambda a: MVGradeNorm(a, 3),
              "GeometricProductLayer-normalize-right": lambda a: GeometricProductLayer(a, 3, normalize=False,
                                                                                       normalize_right=True),
              "GeometricProductLayer": lambda a: GeometricProductLayer(a, 3),
              "FullyConnectedGeometricProductLayer": lambda a: FullyConnectedGeometricProductLayer(a, 3, 2)}
    return {name: Case(_clifford_module(f), _use_clifford_module, _run_clifford_module) for name, f in layers.items()}


CASES = {
    "CliffordAlgebra": Case(_cl3, _use_algebra, _run_algebra),
    "Multivector": Case(_multivector, _use_multivector, _run_multivector),
    **_clifford_cases(),
    "CliffordMessagePassing": Case(_message_passing(), _use_message_passing, _run_message_passing),
    "CliffordMessagePassing-paper": Case(_message_passing(blocks=2, message="difference", aggregation="mean",
                                                          normalization="learned"),
                                         _use_message_passing, _run_message_passing),
    **{name: Case(_group(name), _use_group, _run_group) for name in GROUPS},
    "Rep": Case(_rep, _use_rep, _run_rep),
    "ExternalProduct": Case(_composite_rep("product"), _use_rep, _run_rep),
    "RealForm": Case(_composite_rep("real"), _use_rep, _run_rep),
    "EquivariantLinear-product": Case(_composite_linear, _use_group_module, _run_group_module),
    "EquivariantLinear-dense": Case(_equivariant_linear("dense"), _use_group_module, _run_group_module),
    "EquivariantLinear-kernel": Case(_equivariant_linear("kernel"), _use_group_module, _run_group_module),
    "EquivariantLinear-structured": Case(_equivariant_linear("structured"), _use_group_module, _run_group_module),
    "StructuredBasis": Case(_structured, _use_structured, _run_structured),
    "EMLP": Case(_emlp, _use_group_module, _run_group_module),
    "EMLP-orbit-paths": Case(_emlp_orbit_paths, _use_group_module, _run_group_module),
    "ContractionBilinear": Case(_contraction_bilinear, _use_group_module, _run_group_module),
    "Canonicalize-SO(3)": Case(_canonicalize(("SO", 3)), _use_group_module, _run_group_module),
    "Canonicalize-S(5)": Case(_canonicalize(("S", 5)), _use_group_module, _run_group_module),
    "RPPEMLP": Case(_rppemlp, _use_group_module, _run_group_module),
    "RelaxedGroupConv": Case(_relaxed_conv, _use_relaxed_conv, _run_relaxed_conv),
    "PDE": Case(_pde, _use_pde, _run_pde),
    "Symmetries": Case(_symmetries, _use_symmetries, _run_symmetries),
    "VectorField": Case(_vector_field, _use_vector_field, _run_vector_field),
    "Symmetries-infinite": Case(_heat_symmetries, _use_heat_symmetries, _run_heat_symmetries),
    "InfiniteFamily": Case(_infinite_family, _run_infinite_family, _run_infinite_family),
    "GroupClassification": Case(_classification, _use_classification, _run_classification),
    "LieAugmentation": Case(_augmentation, _use_augmentation, _run_augmentation),
    "NBodyCGENN": Case(_nbody("cgenn"), _use_nbody, _run_nbody),
    "NBodyCGENN-paper": Case(_nbody("cgenn-paper"), _use_nbody, _run_nbody),
    "NBodyMLP": Case(_nbody("mlp"), _use_nbody, _run_nbody),
    "NBodyWrapped-FrameAveraging": Case(_nbody("fa"), _use_nbody, _run_nbody),
    "NBodyWrapped-FA-GNN": Case(_nbody("fa-gnn"), _use_nbody, _run_nbody),
    "NBodyWrapped-Canonicalize-GNN": Case(_nbody("canon-gnn"), _use_nbody, _run_nbody),
    "NBodyImplicit": Case(_nbody("implicit"), _use_nbody, _run_nbody),
    "NBodyPonita": Case(_nbody("ponita"), _use_nbody, _run_nbody),
    "NBodyPonitaCloud": Case(_nbody("ponita-cloud"), _use_nbody, _run_nbody),
    "NBodyEGNN": Case(_nbody("egnn"), _use_nbody, _run_nbody),
    "HullCGENN": Case(_hull, _use_hull, _run_hull),
    "MessageOp": Case(_message_op, _use_message_op, _run_message_op),
    "RowwiseOp": Case(_rowwise_op, _use_rowwise_op, _run_rowwise_op),
    "ImplicitSteerableConv": Case(_steerable_conv, _use_steerable_conv, _run_steerable_conv),
    "Ponita": Case(_ponita, _use_ponita, _run_ponita),
    "PonitaPointCloud": Case(_ponita_cloud, _use_ponita_cloud, _run_ponita_cloud),
    "EGNN": Case(_egnn, _use_egnn, _run_egnn),
    "WarmupStableDecay": Case(_wsd, _use_wsd, _run_wsd),
}
MODULES = [name for name in CASES if name not in {"CliffordAlgebra", "Multivector", "Rep", "ExternalProduct", "RealForm",
                                                  "StructuredBasis", "PDE", "Symmetries", "Symmetries-infinite",
                                                  "InfiniteFamily", "VectorField", "MessageOp", "RowwiseOp",
                                                  "GroupClassification", "WarmupStableDecay",
                                                  *GROUPS}]


def assert_same(got, expected):
    """Equal outputs: tensors and arrays to round-off (a fresh process may run another kernel
    of the same op than the saving one: NumPy while Numba compiles, so the summation
    order differs), everything else by ``==``."""
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected) and len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same(g, e)
    elif isinstance(expected, (torch.Tensor, np.ndarray)):
        got, expected = torch.as_tensor(got), torch.as_tensor(expected)
        tol = 1e-12 if expected.dtype == torch.float64 else 1e-5
        torch.testing.assert_close(got, expected, rtol=tol, atol=tol)
    else:
        assert got == expected, (got, expected)


def _used(name):
    case = CASES[name]
    obj = case.build()
    case.use(obj)
    return obj


class _Used(dict):
    """Each case built and used once per module, on first request."""

    def __missing__(self, name):
        self[name] = _used(name)
        return self[name]


@pytest.fixture(scope="module")
def used():
    return _Used()


@pytest.mark.parametrize("name", CASES)
def test_pickle_after_use(name, used):
    obj = used[name]
    expected = CASES[name].run(obj)
    assert_same(CASES[name].run(pickle.loads(pickle.dumps(obj))), expected)


@pytest.mark.parametrize("name", CASES)
def test_torch_save_after_use(name, used, tmp_path):
    obj = used[name]
    expected = CASES[name].run(obj)
    torch.save(obj, tmp_path / "obj.pt")
    assert_same(CASES[name].run(torch.load(tmp_path / "obj.pt", weights_only=False)), expected)


@pytest.mark.parametrize("name", MODULES)
def test_state_dict_weights_only(name, used, tmp_path):
    module = used[name]
    torch.save(module.state_dict(), tmp_path / "weights.pt")
    fresh = CASES[name].build()
    fresh.load_state_dict(torch.load(tmp_path / "weights.pt", weights_only=True))
    assert_same(CASES[name].run(fresh), CASES[name].run(module))


@pytest.fixture(scope="module")
def fresh_process(used, tmp_path_factory):
    """Save every used object with its output; load and run them all in one new process."""
    folder, unsaved = tmp_path_factory.mktemp("checkpoints"), {}
    for name in CASES:
        try:
            torch.save({"object": used[name], "expected": CASES[name].run(used[name])}, folder / f"{name}.pt")
        except Exception as exc:                            # raised again by this case's test
            unsaved[name] = exc
    done = subprocess.run([sys.executable, "-m", "tests.test_checkpoints", str(folder)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return torch.load(folder / "report.pt"), unsaved


@pytest.mark.parametrize("name", CASES)
def test_loads_and_runs_in_fresh_process(name, fresh_process):
    report, unsaved = fresh_process
    if name in unsaved:
        raise unsaved[name]
    assert report[name] == "ok", report[name]


def check_saved(folder: pathlib.Path) -> dict:
    """Load each ``*.pt`` of ``folder``, run its case and compare: ``{name: "ok" | traceback}``."""
    report = {}
    for path in sorted(folder.glob("*.pt")):
        try:
            saved = torch.load(path, weights_only=False)
            assert_same(CASES[path.stem].run(saved["object"]), saved["expected"])
            report[path.stem] = "ok"
        except Exception:                                   # reported per case to the parent test
            report[path.stem] = traceback.format_exc()
    return report


if __name__ == "__main__":
    torch.save(check_saved(pathlib.Path(sys.argv[1])), pathlib.Path(sys.argv[1]) / "report.pt")
