"""Bad input across the three pillars: one table, each row a call that must raise a
SymgenError subclass whose message names the bad value.

Rows are ``(call, error class, substring of the message)``; objects that cost something
to build (symmetries, layers) are made once, on first use, by the cached helpers below.
"""

import functools
import re

import numpy as np
import pytest
import sympy
import torch

from symgen import CliffordAlgebra, SymgenError, groups, reps
from symgen.algebra.clifford.multivector import Multivector
from symgen.algebra.groups import equivariant_basis
from symgen.algebra.groups.classical import recognise
from symgen.algebra.groups.equivariance import structured_basis
from symgen.algebra.groups.structured import StructuredBasis, copies
from symgen.algebra.pde import VectorField
from symgen.algebra.pde.classification import group_classification
from symgen.algebra.pde.residuals import residual_multipliers
from symgen.cli import main
from symgen.codegen import Bilinear, Rowwise, Trilinear, runtime
from symgen.demos import options
from symgen.algebra.groups.frames import ArgsortFrame, GramSchmidtFrame
from symgen.errors import (AlgebraMismatchError, CertificationError, CheckerError, CodegenError, DegenerateFrameError,
                           DTypeError, FrameError, GradeError, GroupError, NotInvertibleError,
                           MetricError, OptionError, PDEError, PDEParseError, RepresentationError, ShapeError,
                           UnknownOperationError)
from symgen.algebra.groups.position_orientation import message_ir, oriented_pair_invariants
from symgen.nn.groups.orbit_paths import OrbitPath
from symgen.algebra.groups.weights import weight_invariants
from symgen.algebra.groups.composite import is_orthogonal
from symgen.algebra.groups.lazy_null_space import lazy_null_space
from symgen.algebra.groups.partitions import orbit_labels
from symgen.algebra.groups.orbit_count import invariant_count, signed_permutations
from symgen.algebra.groups.equivariance import orbit_dimension
from symgen.algebra.groups.steerable import isotropic_apply_ir
from symgen.nn import (EGNN, EMLP, RPPEMLP, EGNNLayer, Canonicalize, CliffordMessagePassing, ContractionBilinear, EquivariantBilinear, EquivariantLinear,
                       GeometricProductLayer, LieAugmentation, MVGradeNorm, MVLayerNorm, MVLinear, PonitaLayer, PonitaPointCloud,
                       RPPLinear, canonicalization_prior_loss, lift_to_orientations, pde_residual,
                       rpp_prior_loss, symmetry_loss,
                       symmetry_residual)
from symgen.pde import PDE
from symgen.testing import assert_equivariant, lie_derivative
from symgen.testing import strategies as st

NAN, INF = float("nan"), float("inf")


def nbody():
    """The N-body experiment module, imported on first use (it builds a Clifford algebra)."""
    from symgen.experiments import nbody as module
    return module


def training():
    """The shared training loop's module, imported on first use."""
    from symgen.experiments import training as module
    return module


PAYLOAD = "__import__('os').getcwd()"
CL3 = CliffordAlgebra((1, 1, 1))
PGA = CliffordAlgebra((0, 1, 1))
t, x, u, y = sympy.symbols("t x u y")


@functools.cache
def so3():
    return groups.SO(3)


@functools.cache
def kdv():
    return PDE("u_t + u*u_x + u_xxx").symmetries()


@functools.cache
def heat_nu():
    return PDE("u_t = nu*u_xx").symmetries()


@functools.cache
def vlinear():
    V = reps.V(so3())
    return EquivariantLinear(V, V)


@functools.cache
def ponita_cloud():
    return PonitaPointCloud(groups.O(3), 1, 1, 1, 1, hidden=4, layers=1, basis=4)


def lifted():
    pos = torch.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    return lift_to_orientations(pos, torch.tensor([1, 2]), torch.tensor([0, 0]))


def _sizeless_rep(size=None):
    """A user's Rep subclass: numeric rho/drho only, ``size`` only when given."""
    class Mine(reps.Rep):
        def rho(self, g):
            return np.asarray(g)

        def drho(self, A):
            return np.asarray(A)
    rep = Mine(so3())
    if size is not None:
        rep.size = size
    return rep


@functools.cache
def canon():
    V = reps.V(so3())
    return Canonicalize(torch.nn.Linear(12, 3), "auto", 4 * V, V)


def _e0(alg):
    return alg.multivector([0, 1] + [0] * (alg.dim - 2))


def _model(p):
    return (p ** 2).sum(-1)


def _points(dtype=torch.float64):
    return torch.rand(4, 2).to(dtype)


def _mvlinear_int_input():
    return MVLinear(CL3, 2, 2)(torch.ones(3, 2, 8, dtype=torch.int64))


def _nan_input_check():
    return assert_equivariant(MVLinear(CL3, 2, 2).double(), inputs=torch.full((2, 2, 8), NAN, dtype=torch.float64))


R = pytest.param
ROWS = [
    # ---------------------------------------------------------------- Clifford algebras
    R(lambda: CliffordAlgebra((1, NAN)), MetricError, "nan", id="clifford-metric-nan"),
    R(lambda: CliffordAlgebra([[1, 0], [0, INF]]), MetricError, "inf", id="clifford-metric-inf"),
    R(lambda: CliffordAlgebra([[PAYLOAD, 0], [0, 1]]), MetricError, "__import__", id="clifford-metric-code-string"),
    R(lambda: CliffordAlgebra([[1, 2], [0, 1]]), MetricError, "(0, 1) is 2", id="clifford-metric-not-symmetric"),
    R(lambda: CliffordAlgebra(()), MetricError, "metric ()", id="clifford-metric-empty"),
    R(lambda: CliffordAlgebra((1,) * 13), MetricError, "13 generators", id="clifford-too-many-generators"),
    R(lambda: CliffordAlgebra((1j, 1)), MetricError, "1j", id="clifford-metric-complex"),
    R(lambda: CliffordAlgebra.from_signature(3, -1), MetricError, "q=-1", id="clifford-signature-negative"),
    R(lambda: CL3.grade_projection(np.ones(8), 5), GradeError, "grade 5", id="clifford-grade-out-of-range"),
    R(lambda: CL3.grade_projection(np.ones(8), True), GradeError, "grade True", id="clifford-grade-bool"),
    R(lambda: CL3.geometric_product(np.ones(6), np.ones(8)), ShapeError, "6 components", id="clifford-last-axis"),
    R(lambda: CL3.bilinear_ir("foo"), UnknownOperationError, "'foo'", id="clifford-unknown-product"),
    R(lambda: CL3.geometric_product(np.ones(3), np.ones(3), grades=(2, 5)), GradeError, "grade 5",
      id="clifford-graded-grade-out-of-range"),
    R(lambda: CL3.geometric_product(np.ones(3), np.ones(3), grades=(2,)), GradeError, "grades=(2,)",
      id="clifford-graded-one-entry"),
    R(lambda: CL3.geometric_product(np.ones(3), np.ones(3), grades=("2", 1)), GradeError, "'2'",
      id="clifford-graded-string"),
    R(lambda: CL3.geometric_product(np.ones(4), np.ones(3), grades=(2, 1)), ShapeError, "4 components",
      id="clifford-graded-last-axis"),
    R(lambda: CL3.left_contraction(np.ones(3), np.ones(3), grades=(2, 1)), GradeError, "identically zero",
      id="clifford-graded-zero-product"),
    R(lambda: CL3.sandwich(np.ones(4), np.ones(3), grades=((0, 2), ())), GradeError, "no grades",
      id="clifford-graded-sandwich-no-grades"),
    R(lambda: CL3.product_grades("foo", (1, 1)), UnknownOperationError, "'foo'", id="clifford-product-grades-unknown"),
    R(lambda: CL3.blade_indices(True), GradeError, "True", id="clifford-blade-indices-bool"),
    R(lambda: CL3.prepare(["foo"]), UnknownOperationError, "'foo'", id="clifford-prepare-unknown-op"),
    R(lambda: CL3.versor_inverse(np.eye(8)[1], rtol=NAN), NotInvertibleError, "nan", id="clifford-versor-inverse-rtol-nan"),
    R(lambda: _e0(PGA) * _e0(CL3), AlgebraMismatchError, "Cl(2,0,1)", id="clifford-mixed-algebras-product"),
    R(lambda: _e0(PGA) + _e0(CL3), AlgebraMismatchError, "Cl(3,0,0)", id="clifford-mixed-algebras-sum"),
    R(lambda: Multivector(CL3, [NAN] + [0] * 7), DTypeError, "nan", id="clifford-multivector-nan"),
    R(lambda: Multivector(CL3, [1, 2, 3]), ShapeError, "3 coefficients", id="clifford-multivector-length"),
    R(lambda: Multivector(CL3, [PAYLOAD] + [0] * 7), DTypeError, "__import__", id="clifford-multivector-code-string"),
    R(lambda: CL3.multivector("a b"), DTypeError, "'a b'", id="clifford-multivector-name"),
    R(lambda: CliffordAlgebra((1, sympy.Symbol("g"))).subs({"g": PAYLOAD}), MetricError, "__import__",
      id="clifford-subs-code-string"),
    R(lambda: CliffordAlgebra((1, sympy.Symbol("g"))).subs({"h": 1}), MetricError, "'h'", id="clifford-subs-unknown-symbol"),
    R(lambda: CL3.multivector("a").subs({"a0": PAYLOAD}), DTypeError, "__import__", id="clifford-multivector-subs-code"),
    R(lambda: PAYLOAD * CL3.multivector("a"), DTypeError, "__import__", id="clifford-multivector-times-string"),
    R(lambda: st.multivectors(CL3, grades=7), GradeError, "grade 7", id="clifford-strategy-grade"),
    R(lambda: st.clifford_group_elements(CL3, parity=3).example(), GroupError, "3", id="clifford-strategy-parity"),
    R(lambda: st.clifford_group_elements(CL3, max_entry=-1.0).example(), GroupError, "max_entry",
      id="clifford-strategy-max-entry"),
    R(lambda: st.signatures(max_n=-1), MetricError, "-1", id="clifford-strategy-signature-size"),
    R(lambda: CliffordAlgebra((1, sympy.Symbol('g"""; import os'))), MetricError, "import os",
      id="clifford-metric-symbol-name-with-code"),
    R(lambda: Bilinear("f", 1, 1, 1, ((0, 0, 0, 1),), doc='"""\nimport os\n"""'), CodegenError, "import os",
      id="clifford-codegen-doc-with-code"),
    R(lambda: Bilinear("f", 1, 1, 1, ((0, 0, 0, 1),), labels=("e0\nimport os",)), CodegenError, "import os",
      id="clifford-codegen-label-with-code"),
    R(lambda: CliffordAlgebra((1, sympy.Symbol("g"))).bilinear_ir("outer_product").subs({sympy.Symbol("g"): PAYLOAD}),
      CodegenError, "__import__", id="clifford-codegen-subs-code"),
    R(lambda: Rowwise("f", (sympy.symbols("a:1"),), (sympy.Symbol("a0"),), doc='"""\nimport os\n"""'), CodegenError,
      "import os", id="codegen-rowwise-doc-with-code"),
    R(lambda: Rowwise("f", ((sympy.Symbol("a"), sympy.Symbol("a")),), (sympy.Symbol("a"),)), CodegenError,
      "distinct symbols", id="codegen-rowwise-repeated-component"),
    R(lambda: Rowwise("f", (sympy.symbols("a:1"),), (PAYLOAD,)), CodegenError, "__import__",
      id="codegen-rowwise-expression-code-string"),
    R(lambda: runtime.run(Rowwise("f", (sympy.symbols("a:2"),), (sympy.Symbol("a0"),)), np.ones((3, 5))), ShapeError,
      "(3, 5)", id="codegen-rowwise-wrong-components"),
    R(lambda: CL3.sandwich(np.ones((2, 4)), np.ones((2, 4)), grades=((0, 2), 1)), ShapeError, "(2, 4)",
      id="clifford-graded-sandwich-wrong-components"),
    # ---------------------------------------------------------------- Clifford layers
    R(_mvlinear_int_input, DTypeError, "torch.int64", id="cgenn-mvlinear-int64-input"),
    R(lambda: MVLinear(CL3, -2, 3), ShapeError, "-2", id="cgenn-mvlinear-negative-channels"),
    R(lambda: MVLinear(CL3, 2.5, 3), ShapeError, "2.5", id="cgenn-mvlinear-float-channels"),
    R(lambda: MVLinear(CL3, 2, 0), ShapeError, "out_channels must be an integer ≥ 1, got 0", id="cgenn-mvlinear-zero-out"),
    R(lambda: MVLinear("Cl(3)", 2, 2), AlgebraMismatchError, "'Cl(3)'", id="cgenn-mvlinear-not-an-algebra"),
    R(lambda: MVLinear(CL3, 3, 2)(torch.ones(5, 2, 8)), ShapeError, "(5, 2, 8)", id="cgenn-mvlinear-wrong-channels"),
    R(lambda: MVLayerNorm(CL3, 2, eps=NAN), ShapeError, "nan", id="cgenn-layernorm-eps-nan"),
    R(lambda: MVLinear(CL3, 3, 2).blade_major(torch.ones(5, 3, 8)), ShapeError, "(8, batch, 3)",
      id="cgenn-mvlinear-blade-major-rows-layout"),
    R(lambda: MVLayerNorm(CL3, 2).blade_major(torch.ones(8, 5, 2, dtype=torch.int64)), DTypeError, "torch.int64",
      id="cgenn-layernorm-blade-major-int"),
    R(lambda: runtime.op(Bilinear("bm", 1, 2, 2, ((0, 0, 0, 1),))).run_blade_major(torch.ones(3, 4), torch.ones(2, 4)),
      CodegenError, "first axis", id="codegen-blade-major-axis"),
    R(lambda: runtime.op(Trilinear("mx", 1, 2, 2, 3, ((0, 0, 0, 0, 1),))).run_mixing(
        torch.ones(2, 5, 4), torch.ones(2, 5, 4), torch.ones(3, 5, 6)), CodegenError, "w (3, m, o)",
      id="codegen-mixing-weight-channels"),
    R(lambda: GeometricProductLayer(CL3, 0), ShapeError, "got 0", id="cgenn-product-layer-zero-channels"),
    R(lambda: CliffordMessagePassing(CL3, 2, -1), ShapeError, "edge_channels", id="cgenn-message-passing-edges"),
    R(lambda: CliffordMessagePassing(CL3, 2, 1)(torch.ones(2, 3, 2, 8), torch.ones(2, 3, 1, 8)), ShapeError,
      "(2, 3, 1, 8)", id="cgenn-message-passing-edge-shape"),
    R(lambda: CliffordMessagePassing(CL3, 2, 1, blocks=0), ShapeError, "blocks", id="cgenn-message-passing-blocks"),
    R(lambda: CliffordMessagePassing(CL3, 2, 1, message="sum"), OptionError, "'sum'", id="cgenn-message-passing-message"),
    R(lambda: CliffordMessagePassing(CL3, 2, 1, aggregation="max"), OptionError, "'max'",
      id="cgenn-message-passing-aggregation"),
    R(lambda: CliffordMessagePassing(CL3, 2, 1, normalization="batch"), OptionError, "'batch'",
      id="cgenn-message-passing-normalization"),
    R(lambda: CliffordMessagePassing(CL3, 2, 1, message="difference")(torch.ones(2, 3, 2, 8), torch.ones(2, 3, 3, 1, 7)),
      ShapeError, "(2, 3, 3, 1, 7)", id="cgenn-message-passing-difference-edge-blades"),
    R(lambda: MVGradeNorm(CL3, 2, eps=0.0), ShapeError, "eps", id="cgenn-gradenorm-eps-zero"),
    R(lambda: MVGradeNorm(CL3, 2, init=NAN), ShapeError, "init", id="cgenn-gradenorm-init-nan"),
    R(lambda: MVGradeNorm(CL3, 2)(torch.ones(2, 2, 8, dtype=torch.int64)), DTypeError, "torch.int64",
      id="cgenn-gradenorm-int"),
    R(lambda: MVGradeNorm(CL3, 2).blade_major(torch.ones(5, 2, 8)), ShapeError, "(8, batch, 2)",
      id="cgenn-gradenorm-blade-major-rows-layout"),
    # ---------------------------------------------------------------- groups and reps
    R(lambda: groups.MatrixGroup(lie_generators=[[[0, NAN], [1, 0]]]), GroupError, "nan", id="group-generator-nan"),
    R(lambda: groups.MatrixGroup(discrete_generators=[[[INF, 0], [0, 1]]]), GroupError, "oo", id="group-generator-inf"),
    R(lambda: groups.MatrixGroup(lie_generators=[[[PAYLOAD, 0], [0, 0]]]), GroupError, "__import__", id="group-generator-code-string"),
    R(lambda: groups.MatrixGroup(lie_generators=[sympy.Matrix([[0, sympy.Symbol("a")], [0, 0]])]), GroupError, "= a",
      id="group-generator-symbol"),
    R(lambda: groups.MatrixGroup(), GroupError, "at least one generator", id="group-no-generators"),
    R(lambda: groups.MatrixGroup(lie_generators=[sympy.zeros(2, 2), sympy.zeros(3, 3)]), GroupError, "(3, 3)",
      id="group-generator-sizes-differ"),
    R(lambda: groups.MatrixGroup(lie_generators=[[[0, 1], [0, 0]], [[0, 0], [1, 0]]]), GroupError, "[A0, A1]",
      id="group-lie-algebra-does-not-close"),
    R(lambda: groups.MatrixGroup(lie_generators=[[[0, 1], [0, 0]], [[0, 2], [0, 0]]]), GroupError, "A1",
      id="group-generators-dependent"),
    R(lambda: groups.SO(0), GroupError, "got 0", id="group-SO-0"),
    R(lambda: groups.Sp(3), GroupError, "got 3", id="group-Sp-odd"),
    R(lambda: so3().sample(-1), GroupError, "-1", id="group-sample-negative"),
    R(lambda: so3().sample(2, seed="abc"), GroupError, "'abc'", id="group-sample-bad-seed"),
    R(lambda: groups.SO(14), GroupError, "91 Lie generators", id="group-too-many-generators"),
    R(lambda: groups.S(65), GroupError, "got 65", id="group-matrices-too-large"),
    R(lambda: reps.V(groups.O(3)) + reps.V(so3()), RepresentationError, "O(3)", id="rep-sum-of-two-groups"),
    R(lambda: reps.V(so3()) ** -1, RepresentationError, "-1", id="rep-negative-power"),
    R(lambda: groups.SU(1), GroupError, "got 1", id="group-SU-1"),
    R(lambda: groups.U(0), GroupError, "got 0", id="group-U-0"),
    R(lambda: groups.C(4, action="hexagon"), GroupError, "'hexagon'", id="group-C-unknown-action"),
    R(lambda: groups.D(0, action="plane"), GroupError, "got 0", id="group-D-plane-0"),
    R(lambda: reps.Rep(so3()), RepresentationError, "subclass Rep", id="rep-base-class-alone"),
    R(lambda: _sizeless_rep() + reps.V(so3()), RepresentationError, "size", id="rep-subclass-without-size"),
    R(lambda: reps.V(so3()) * "V", RepresentationError, "not a representation", id="rep-times-a-string"),
    R(lambda: reps.V(so3() * groups.S(3)) * reps.V(groups.SO(2)), RepresentationError, "product group",
      id="rep-external-product-of-a-product-groups-tensor-rep"),
    R(lambda: equivariant_basis(_sizeless_rep(size=3), reps.V(so3()), exact=True), RepresentationError, "SymPy",
      id="rep-exact-basis-of-a-numeric-user-rep"),
    R(lambda: EquivariantLinear(reps.V(groups.SU(2)), reps.V(groups.SU(2))), RepresentationError, "realify",
      id="emlp-linear-complex-rep"),
    R(lambda: reps.V("SO(3)"), RepresentationError, "'SO(3)'", id="rep-of-a-string"),
    R(lambda: reps.V(so3()).rho(np.full((3, 3), NAN)), ShapeError, "NaN", id="rep-rho-nan-element"),
    R(lambda: reps.V(so3()).rho(np.eye(2)), ShapeError, "(2, 2)", id="rep-rho-wrong-shape"),
    R(lambda: reps.V(so3()).rho(sympy.eye(2)), ShapeError, "(2, 2)", id="rep-rho-exact-wrong-shape"),
    R(lambda: reps.V(so3()).rho(np.array([["a"] * 3] * 3)), DTypeError, "<U1", id="rep-rho-strings"),
    R(lambda: equivariant_basis(reps.V(so3()), reps.V(groups.O(3))), RepresentationError, "O(3)",
      id="rep-basis-two-groups"),
    R(lambda: EquivariantLinear(reps.V(so3()), reps.V(groups.O(3))), RepresentationError, "O(3)",
      id="emlp-linear-two-groups"),
    R(lambda: EquivariantLinear("V", reps.V(so3())), RepresentationError, "'V'", id="emlp-linear-not-a-rep"),
    R(lambda: EquivariantLinear(reps.V(so3()), reps.V(so3()), strategy="fast"), RepresentationError, "'fast'",
      id="emlp-linear-unknown-strategy"),
    R(lambda: vlinear()(torch.ones(2, 3, dtype=torch.int64)), DTypeError, "torch.int64", id="emlp-linear-int64-input"),
    R(lambda: vlinear()(torch.ones(2, 4)), ShapeError, "4 components", id="emlp-linear-wrong-size"),
    R(lambda: EMLP(reps.V(so3()), reps.Scalar(groups.O(3))), RepresentationError, "O(3)", id="emlp-two-groups"),
    R(lambda: EMLP(reps.V(so3()), reps.Scalar(so3()), depth=-1), RepresentationError, "-1", id="emlp-negative-depth"),
    R(lambda: EMLP(reps.V(so3()), reps.Scalar(so3()), max_legs=-1), RepresentationError, "-1", id="emlp-negative-legs"),
    R(lambda: EquivariantBilinear(reps.V(so3()), reps.V(so3()), max_legs=-1), RepresentationError, "-1",
      id="emlp-bilinear-negative-legs"),
    R(lambda: EMLP(reps.V(so3()), reps.Scalar(so3()), bilinear="cheap"), RepresentationError, "'cheap'",
      id="emlp-unknown-bilinear"),
    R(lambda: lazy_null_space(so3(), (1, 2)), RepresentationError, "(1, 2)", id="lazy-null-space-bad-legs"),
    R(lambda: lazy_null_space("SE(3)", (1,)), RepresentationError, "'SE(3)'", id="lazy-null-space-not-a-group"),
    R(lambda: is_orthogonal("V"), RepresentationError, "'V'", id="rep-is-orthogonal-not-a-rep"),
    R(lambda: ContractionBilinear(reps.V(so3()), reps.V(groups.O(3))), RepresentationError, "same group",
      id="emlp-contraction-two-groups"),
    R(lambda: ContractionBilinear(reps.V(so3()), reps.V(so3()), init_scale=float("nan")), RepresentationError,
      "init_scale", id="emlp-contraction-nan-scale"),
    R(lambda: weight_invariants("SO(1,1)", (1, 1)), GroupError, "'SO(1,1)'", id="rep-weight-invariants-not-a-group"),
    R(lambda: weight_invariants(so3(), (1, 2)), RepresentationError, "(1, 2)", id="rep-weight-invariants-bad-legs"),
    R(lambda: orbit_labels([np.arange(48)], 48, 5), RepresentationError, "48^5", id="rep-orbit-labels-too-many"),
    R(lambda: invariant_count(np.arange(48)[None], np.ones((1, 48)), 5), CertificationError, "48^5",
      id="rep-invariant-count-too-many"),
    R(lambda: invariant_count([[0, 0, 1]], [[1, 1, 1]], 2), GroupError, "[0, 0, 1]", id="rep-invariant-count-not-a-perm"),
    R(lambda: invariant_count([[1, 0]], [[1, 2]], 2), GroupError, "[2]", id="rep-invariant-count-bad-sign"),
    R(lambda: invariant_count([[1, 0]], [[1, 1, 1]], 2), GroupError, "(1, 3)", id="rep-invariant-count-shapes"),
    R(lambda: invariant_count([[1, 0]], [[1, 1]], -1), RepresentationError, "-1", id="rep-invariant-count-negative-legs"),
    R(lambda: signed_permutations("S(3)"), GroupError, "'S(3)'", id="rep-signed-permutations-not-a-group"),
    R(lambda: orbit_dimension(reps.V(groups.S(3)), reps.V(so3())), RepresentationError, "SO(3)",
      id="rep-orbit-dimension-two-groups"),
    R(lambda: orbit_dimension(reps.V(groups.S(3)).realify(), reps.V(groups.S(3))), RepresentationError,
      "use certificate()", id="rep-orbit-dimension-not-tensor"),
    R(lambda: OrbitPath(np.zeros((1, 2, 2), dtype=int), np.ones(1), 1, 1, 1, order="fast"), RepresentationError,
      "'fast'", id="emlp-orbit-path-unknown-order"),
    R(lambda: equivariant_basis(reps.V(so3()), reps.V(so3()), certify="yes"), CertificationError, "'yes'",
      id="rep-basis-certify-flag"),
    R(lambda: structured_basis(reps.V(so3()), reps.V(groups.O(3))), RepresentationError, "O(3)",
      id="rep-structured-two-groups"),
    R(lambda: structured_basis(reps.V(so3()), reps.V(so3()), certify="yes"), CertificationError, "'yes'",
      id="rep-structured-certify-flag"),
    R(lambda: StructuredBasis(reps.V(so3()), reps.V(so3()), {}), RepresentationError, "(k, 9)",
      id="rep-structured-missing-block"),
    R(lambda: copies("V"), RepresentationError, "'V'", id="rep-copies-not-a-rep"),
    R(lambda: recognise("SO(3)"), GroupError, "'SO(3)'", id="group-recognise-not-a-group"),
    R(lambda: Canonicalize(torch.nn.Identity(), "auto", reps.V(so3()), reps.V(groups.O(3))), RepresentationError,
      "O(3)", id="group-canonicalize-two-groups"),
    R(lambda: Canonicalize(torch.nn.Identity(), "pca", reps.V(so3()), reps.V(so3())), FrameError, "'pca'",
      id="group-canonicalize-unknown-canonicalizer"),
    R(lambda: Canonicalize(torch.nn.Identity(), "auto", reps.V(groups.SL(3)), reps.V(groups.SL(3))), FrameError,
      "SL(3)", id="group-canonicalize-group-without-rule"),
    R(lambda: Canonicalize(torch.nn.Identity(), torch.nn.Identity(), reps.V(so3()), reps.V(so3())), FrameError,
      "canonical_rep=", id="group-canonicalize-canonicalizer-without-rep"),
    R(lambda: canon()(torch.ones(2, 12, dtype=torch.int64)), DTypeError, "torch.int64", id="group-canonicalize-int64"),
    R(lambda: canon()(torch.ones(2, 9)), ShapeError, "(batch, 12)", id="group-canonicalize-wrong-size"),
    R(lambda: canon()(torch.zeros(2, 12)), DegenerateFrameError, "sample 0", id="group-canonicalize-zero-vectors"),
    R(lambda: canonicalization_prior_loss(torch.nn.Linear(3, 3), torch.ones(2, 3)), FrameError, "Linear",
      id="group-prior-loss-not-canonicalize"),
    R(lambda: ArgsortFrame(reps.V(groups.O(3))), FrameError, "O(3)", id="group-argsort-frame-not-sn"),
    R(lambda: nbody().run(models=("cgenn", "segnn")), ShapeError, "'segnn'", id="nbody-run-unknown-model"),
    R(lambda: nbody().NBodyEGNN(hidden=0), ShapeError, "hidden", id="nbody-egnn-zero-hidden"),
    R(lambda: nbody().random_rotations(-1, torch.Generator()), ShapeError, "n", id="nbody-rotations-negative-count"),
    R(lambda: nbody().NBodyCGENN(4, 1, message="relative"), OptionError, "'relative'", id="nbody-cgenn-message"),
    R(lambda: training().train(torch.nn.Linear(1, 1), list, 1, 0.1, schedule="linear"), SymgenError, "'linear'",
      id="train-unknown-schedule"),
    R(lambda: training().train(torch.nn.Linear(1, 1), list, 1, 0.1, weight_decay=-1.0), SymgenError, "-1.0",
      id="train-negative-weight-decay"),
    R(lambda: training().train(torch.nn.Linear(1, 1), list, 1, 0.1, stop_after=0), SymgenError, "got 0",
      id="train-stop-after-zero"),
    R(lambda: training().train(torch.nn.Linear(1, 1), list, 1, 0.1, select=0.5), SymgenError, "0.5",
      id="train-select-not-callable"),
    R(lambda: nbody().run(validation=-1), ShapeError, "validation", id="nbody-negative-validation"),
    R(lambda: training().WarmupStableDecay(0), SymgenError, "got 0", id="train-wsd-zero-epochs"),
    R(lambda: training().WarmupStableDecay(10, warmup=0.9, decay=0.5), SymgenError, "0.9 and 0.5",
      id="train-wsd-fractions-over-one"),
    R(lambda: EGNN(groups.SL(3), 1), RepresentationError, "SL(3)", id="group-egnn-not-orthogonal"),
    R(lambda: EGNN(groups.O(3), 1, hidden=4)(torch.zeros(3, 2), torch.zeros(3, 3), torch.tensor([0]), torch.tensor([1])),
      ShapeError, "(points, 1)", id="group-egnn-wrong-features"),
    R(lambda: EGNNLayer(groups.O(3), 4)(torch.zeros(3, 4), torch.zeros(3, 2), torch.tensor([0]), torch.tensor([1])),
      ShapeError, "pos (points, 3)", id="group-egnn-layer-2d-positions"),
    R(lambda: EGNNLayer(groups.O(3), 4)(torch.zeros(3, 4), torch.zeros(3, 3), torch.tensor([0]), torch.tensor([1]),
                                        vel=torch.zeros(3, 3)), ShapeError, "no vel", id="group-egnn-layer-unexpected-vel"),
    R(lambda: EGNNLayer(groups.O(3), 4, edge_features=2)(torch.zeros(3, 4), torch.zeros(3, 3), torch.tensor([0]),
                                                         torch.tensor([1])), ShapeError, "edge_attr (1, 2)",
      id="group-egnn-layer-missing-edge-attr"),
    R(lambda: EGNNLayer(groups.O(3), 4, edge_features=-1), ShapeError, "edge_features", id="group-egnn-layer-negative-edge-features"),
    R(lambda: isotropic_apply_ir(True), RepresentationError, "True", id="group-isotropic-kernel-bool"),
    R(lambda: nbody().NBodyImplicit(channels=0), ShapeError, "channels", id="nbody-implicit-zero-channels"),
    R(lambda: nbody().NBodyImplicit(length=NAN), ShapeError, "nan", id="nbody-implicit-nan-length"),
    R(lambda: nbody().NBodyPonita(grid=[[1.0, 0.0]]), ShapeError, "(1, 2)", id="nbody-ponita-2d-grid"),
    R(lambda: ponita_cloud()(torch.zeros(3, 3), torch.zeros(3, 2), torch.zeros(3, 1, 3), lifted()), ShapeError,
      "scalars (3, 1)", id="group-ponita-cloud-wrong-scalars"),
    R(lambda: ponita_cloud()(torch.zeros(3, 3), torch.zeros(3, 1), torch.zeros(3, 1, 3), (torch.tensor([0]),) * 2),
      SymgenError, "LiftedGraph", id="group-ponita-cloud-not-lifted"),
    R(lambda: PonitaPointCloud(groups.O(3), 1, 1, 1, 1, basis=0), ShapeError, "basis", id="group-ponita-cloud-zero-basis"),
    R(lambda: PonitaLayer(4, widening=0), ShapeError, "widening", id="group-ponita-layer-zero-widening"),
    R(lambda: message_ir(2.5), GroupError, "2.5", id="group-ponita-message-channels"),
    R(lambda: oriented_pair_invariants(groups.SL(3)), RepresentationError, "SL(3)", id="group-ponita-cloud-not-orthogonal"),
    R(lambda: lift_to_orientations(torch.zeros(2, 3), torch.tensor([0]), torch.tensor([1])), SymgenError,
      "same position", id="graph-lift-coincident-points"),
    R(lambda: lift_to_orientations(torch.randn(2, 3), torch.tensor([0]), torch.tensor([5])), SymgenError,
      "0..1", id="graph-lift-index-outside"),
    R(lambda: lift_to_orientations(torch.randn(2, 3), torch.tensor([0.0]), torch.tensor([1])), ShapeError,
      "torch.float32", id="graph-lift-float-indices"),
    R(lambda: GramSchmidtFrame(reps.V(so3()), default_tol=(NAN, 1e-4)), FrameError, "nan",
      id="group-gram-schmidt-nan-tolerance"),
    R(lambda: RPPLinear(reps.V(so3()), reps.V(so3()), prior_free=-0.5), RepresentationError, "-0.5",
      id="group-rpp-negative-prior"),
    R(lambda: RPPLinear(reps.V(so3()), reps.V(groups.O(3))), RepresentationError, "O(3)", id="group-rpp-two-groups"),
    R(lambda: RPPEMLP(reps.V(so3()), reps.V(so3()), bilinear="cheap"), RepresentationError, "'cheap'",
      id="group-rpp-unknown-bilinear"),
    R(lambda: RPPEMLP(reps.V(so3()), reps.V(so3()), prior_equivariant=INF), RepresentationError, "inf",
      id="group-rppemlp-infinite-prior"),
    R(lambda: rpp_prior_loss([1]), RepresentationError, "list", id="group-rpp-prior-loss-not-a-module"),
    # ---------------------------------------------------------------- PDEs
    R(lambda: PDE("u**2 - 1", independent="t x", dependent="u"), PDEError, "u(t, x)**2 - 1", id="pde-no-derivative"),
    R(lambda: PDE(u - sympy.Function("u")(t, x), independent=[t, x], dependent=["u"]), PDEError, "no derivative",
      id="pde-sympy-no-derivative"),
    R(lambda: PDE("u_t = u**10**10*u_xx"), PDEParseError, "10000000000", id="pde-absurd-exponent"),
    R(lambda: PDE("u_t = 10**10**10*u_xx"), PDEParseError, "10000000000", id="pde-absurd-number"),
    R(lambda: PDE("u_t = ((u**8)**8)**8*u_xx"), PDEParseError, "512", id="pde-nested-powers"),
    R(lambda: PDE("u_t = u_xxxxxxxxxx"), PDEParseError, "order 10", id="pde-derivative-order"),
    R(lambda: PDE("u_t = u_xx" + " + u" * 2000), PDEParseError, "8010 characters", id="pde-string-too-long"),
    R(lambda: PDE("u_t = __import__('os')"), PDEParseError, "__import__", id="pde-code-string"),
    R(lambda: PDE("u_t = w_x", dependent="u"), PDEParseError, "'w'", id="pde-unknown-function"),
    R(lambda: PDE("u_t = u_xx", independent="t x u"), PDEParseError, "'u'", id="pde-name-declared-twice"),
    R(lambda: PDE("u_t = u_xx", params="x"), PDEParseError, "'x'", id="pde-parameter-named-like-a-variable"),
    R(lambda: PDE(sympy.Function("u")(t, x).diff(t) - sympy.Function("w")(t, x).diff(x), independent=[t, x],
                  dependent=["u"]), PDEParseError, "'w'", id="pde-sympy-unknown-function"),
    R(lambda: PDE("u_t = u_xx").symmetries(max_degree=-1), PDEError, "-1", id="pde-max-degree-negative"),
    R(lambda: PDE("u_t = u_xx").symmetries(factors=[NAN]), PDEError, "nan", id="pde-factor-nan"),
    R(lambda: PDE("u_t = u_xx").symmetries(factors="exp(t)"), PDEError, "'exp(t)'", id="pde-factors-string"),
    R(lambda: kdv().flow(99, sympy.Symbol("e")), PDEError, "99", id="pde-flow-index"),
    R(lambda: kdv().flow(0, NAN), PDEError, "nan", id="pde-flow-nan-parameter"),
    R(lambda: PDE("u_t = u_xx").is_symmetry(VectorField({y: 1})), PDEError, "uses y", id="pde-field-unknown-variable"),
    R(lambda: PDE("u_t = u_xx").is_symmetry("x*d/dx"), PDEError, "'x*d/dx'", id="pde-is-symmetry-not-a-field"),
    R(lambda: PDE("u_t = u_xx").symmetries().determining_residuals("x*d/dx"), PDEError, "takes a VectorField",
      id="pde-determining-residuals-not-a-field"),
    R(lambda: group_classification("u_t = (u**n*u_x)_x", "m"), PDEError, "'m' is not a parameter",
      id="classification-unknown-parameter"),
    R(lambda: group_classification("u_t = u_xx", "n"), PDEError, "parameters: none", id="classification-no-parameter"),
    R(lambda: group_classification(42, "n"), PDEError, "42", id="classification-not-a-pde"),
    R(lambda: group_classification("u_t = (u**n*u_x)_x", 3), PDEError, "got 3", id="classification-parameter-not-a-name"),
    R(lambda: group_classification("u_t = u_xx + f(u_x)", "f"), PDEError, "argument of an arbitrary function",
      id="classification-function-of-a-derivative"),
    R(lambda: group_classification("u_t = u_xx + f(u) + f(x)", "f"), PDEError, "one and the same argument",
      id="classification-function-two-arguments"),
    R(lambda: PDE("u_t = u_xx").symmetries().determining_residuals(VectorField({y: 1})), PDEError, "uses y",
      id="pde-determining-residuals-unknown-variable"),
    R(lambda: VectorField({x: sympy.nan}), PDEError, "nan", id="pde-field-nan-coefficient"),
    R(lambda: VectorField({"x": 1}), PDEError, "'x'", id="pde-field-string-key"),
    R(lambda: VectorField({x: 1}).bracket(VectorField({sympy.Symbol("x", real=True): x})), PDEError,
      "two different symbols are named x", id="pde-bracket-symbol-mismatch"),
    R(lambda: symmetry_loss(heat_nu(), _model, _points()), PDEError, "parameter nu", id="pinn-missing-parameter"),
    R(lambda: symmetry_loss(heat_nu(), _model, _points(), params={"mu": 1.0}), PDEError, "'mu'",
      id="pinn-unknown-parameter"),
    R(lambda: symmetry_loss(heat_nu(), _model, _points(), params={"nu": NAN}), PDEError, "nan", id="pinn-nan-parameter"),
    R(lambda: pde_residual(PDE("u_t = u_xx"), _model, _points(torch.int64)), DTypeError, "torch.int64",
      id="pinn-integer-points"),
    R(lambda: pde_residual(PDE("u_t = u_xx"), _model, torch.rand(4, 3)), ShapeError, "(4, 3)", id="pinn-points-shape"),
    R(lambda: pde_residual(PDE("u_t = u_xx"), lambda p: p, _points()), ShapeError, "(4, 2)",
      id="pinn-residual-output-columns"),
    R(lambda: symmetry_loss(kdv(), lambda p: p.repeat(1, 2), _points()), ShapeError, "(4, 4)",
      id="pinn-symmetry-output-columns"),
    R(lambda: symmetry_loss(kdv(), _model, _points(), form="evolutionary"), PDEError,
      "unknown symmetry residual form 'evolutionary'; choose 'prolonged' or 'characteristic'", id="pinn-unknown-form"),
    R(lambda: symmetry_residual(kdv(), _model, _points(), form=None), PDEError, "form None", id="pinn-form-none"),
    R(lambda: kdv().residual_ir("Prolonged"), PDEError, "'Prolonged'", id="pde-residual-ir-unknown-form"),
    R(lambda: residual_multipliers(PDE("u_t = v_x; v_t = u_x").symmetries()), PDEError, "has 2",
      id="pde-residual-multipliers-system"),
    R(lambda: LieAugmentation(kdv(), ranges=(1,)), PDEError, "(1,)", id="lpsda-range-one-number-tuple"),
    R(lambda: LieAugmentation(kdv(), ranges={1: (0, INF)}), PDEError, "inf", id="lpsda-range-inf"),
    R(lambda: LieAugmentation(kdv(), generators=[99]), PDEError, "99", id="lpsda-generator-index"),
    R(lambda: LieAugmentation(kdv(), steps=0), PDEError, "got 0", id="lpsda-steps-zero"),
    R(lambda: LieAugmentation(kdv(), backend="cuda"), PDEError, "'cuda'", id="lpsda-unknown-backend"),
    # ---------------------------------------------------------------- command-line options
    R(lambda: options.count("-5"), OptionError, "-5", id="cli-count-negative"),
    R(lambda: options.count("2.5"), OptionError, "'2.5'", id="cli-count-not-integer"),
    R(lambda: options.natural("-1"), OptionError, "-1", id="cli-signature-negative"),
    R(lambda: options.minutes("inf"), OptionError, "'inf'", id="cli-minutes-inf"),
    R(lambda: options.rate("0"), OptionError, "'0'", id="cli-rate-zero"),
    R(lambda: options.decay("-1e-4"), OptionError, "'-1e-4'", id="cli-decay-negative"),
    # ---------------------------------------------------------------- the checker
    R(_nan_input_check, CheckerError, "NaN", id="checker-nan-inputs"),
    R(lambda: assert_equivariant(torch.nn.Sequential(MVLinear(CL3, 2, 2)), alg=CL3), CheckerError, "input_shape",
      id="checker-cannot-infer-shape"),
    R(lambda: assert_equivariant(MVLinear(CL3, 2, 2), alg=PGA), AlgebraMismatchError, "Cl(2,0,1)",
      id="checker-other-algebra"),
    R(lambda: assert_equivariant(vlinear(), group=groups.O(3)), RepresentationError, "O(3)",
      id="checker-rep-of-other-group"),
    R(lambda: assert_equivariant(vlinear(), elements=np.eye(4)), ShapeError, "(4, 4)", id="checker-element-shape"),
    R(lambda: assert_equivariant(MVLinear(CL3, 2, 2), elements=np.full(8, INF)), CheckerError, "inf",
      id="checker-element-inf"),
    R(lambda: lie_derivative(torch.nn.Linear(3, 3)), CheckerError, "Linear has no rep_in/rep_out",
      id="checker-lie-derivative-no-reps"),
    R(lambda: lie_derivative(vlinear(), inputs=torch.ones(2, 4)), ShapeError, "(batch, 3)",
      id="checker-lie-derivative-input-shape"),
    R(lambda: lie_derivative(vlinear(), inputs=torch.ones(2, 3, dtype=torch.int64)), CheckerError, "torch.int64",
      id="checker-lie-derivative-integer-inputs"),
]


def test_the_table_has_at_least_40_rows_over_three_pillars():
    assert len(ROWS) >= 40
    pillars = {row.id.split("-")[0] for row in ROWS}
    assert {"clifford", "group", "pde"} <= pillars


@pytest.mark.parametrize("call, error, names", ROWS)
def test_bad_input_raises_a_symgen_error_naming_the_value(call, error, names):
    with pytest.raises(error, match=re.escape(names)) as info:
        call()
    assert isinstance(info.value, SymgenError)


@pytest.mark.parametrize("argv, named", [
    (["clifford", "--batch", "-5"], "argument --batch: -5 is not an integer ≥ 1"),
    (["clifford", "--signature", "1", "-3", "0"], "argument --signature: -3 is not an integer ≥ 0"),
    (["groups", "--max-power", "0"], "argument --max-power: 0 is not an integer ≥ 1"),
    (["pde", "--max-degree", "-1"], "argument --max-degree: -1 is not an integer ≥ 1"),
    (["nbody", "--epochs", "0"], "argument --epochs: 0 is not an integer ≥ 1"),
    (["nbody", "--minutes", "nan"], "argument --minutes: 'nan' is not a finite number of minutes > 0"),
    (["nbody", "--model", "cgenn,segnn"], "argument --model: 'cgenn,segnn' is not a comma list of models from"),
    (["nbody", "--lr", "-0.004"], "argument --lr: '-0.004' is not a finite learning rate > 0"),
    (["nbody", "--weight-decay", "nan"], "argument --weight-decay: 'nan' is not a finite weight decay ≥ 0"),
    (["nbody", "--schedule", "linear"], "argument --schedule: invalid choice: 'linear'"),
    (["nbody", "--stop-after", "0"], "argument --stop-after: '0' is not a finite number of minutes > 0"),
    (["hull", "--channels", "two"], "argument --channels: 'two' is not an integer"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_cli_options_exit_2_naming_the_value(argv, named, capsys):
    assert main(argv) == 2
    assert named in capsys.readouterr().err
