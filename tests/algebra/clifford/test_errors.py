"""Bad input raises a SymgenError subclass that names the value and the choices."""

import numpy as np
import pytest
import sympy
import torch

from symgen import CliffordAlgebra, SymgenError
from symgen.errors import (DeviceError, DTypeError, GradeError, MetricError, NotInvertibleError,
                           ShapeError, SymbolicCoefficientError, UnknownOperationError)

ALG = CliffordAlgebra((1, 1, 1))


def test_non_symmetric_metric():
    with pytest.raises(MetricError, match=r"entry \(0, 1\) is 2, entry \(1, 0\) is 0"):
        CliffordAlgebra([[1, 2], [0, 1]])


@pytest.mark.parametrize("metric, match", [
    ([[1, 0, 0], [0, 1, 0]], "not square"),
    ((), "neither|empty"),
    (("x", 1), "string"),
    ((1j, 1), "real"),
])
def test_bad_metrics(metric, match):
    with pytest.raises(MetricError, match=match):
        CliffordAlgebra(metric)


def test_bad_signature_counts():
    with pytest.raises(MetricError, match="q=-1"):
        CliffordAlgebra.from_signature(3, -1)


def test_wrong_last_axis():
    with pytest.raises(ShapeError, match=r"last axis has 6 components; Cl\(3,0,0\) needs 8"):
        ALG.geometric_product(np.ones(6), np.ones(8))
    with pytest.raises(ShapeError, match="needs 8"):
        ALG.reverse(torch.ones(2, 4))


def test_batch_shapes_must_broadcast():
    with pytest.raises(ShapeError, match="broadcast"):
        ALG.geometric_product(np.ones((2, 8)), np.ones((3, 8)))


def test_dtypes_and_devices():
    with pytest.raises(DTypeError, match="float32.*float64|float64.*float32"):
        ALG.geometric_product(np.ones(8, np.float32), np.ones(8))
    with pytest.raises(DTypeError, match="torch"):
        ALG.geometric_product(torch.ones(8), np.ones(8))
    with pytest.raises(DTypeError, match="complex"):
        ALG.reverse(np.ones(8, complex))
    with pytest.raises(DTypeError, match="different dtypes"):
        ALG.geometric_product(torch.ones(8), torch.ones(8, dtype=torch.float64))
    with pytest.raises(DTypeError, match="floating"):
        ALG.reverse(torch.ones(8, dtype=torch.int64))
    meta = torch.ones(8, device="meta")
    with pytest.raises(DeviceError, match="different devices"):
        ALG.geometric_product(torch.ones(8), meta)


def test_grade_out_of_range():
    with pytest.raises(GradeError, match=r"grade 4 out of range; Cl\(3,0,0\) has grades 0..3"):
        ALG.grade_projection(np.ones(8), 4)


def test_not_invertible():
    null = np.zeros(8)
    with pytest.raises(NotInvertibleError):
        ALG.versor_inverse(null)
    pga = CliffordAlgebra((0, 1, 1, 1))
    with pytest.raises(NotInvertibleError):
        pga.versor_inverse(np.eye(16)[1])          # e0 squares to zero


def test_unknown_op():
    with pytest.raises(UnknownOperationError, match="geometric_product"):
        ALG.bilinear_ir("geometric")
    with pytest.raises(UnknownOperationError, match="reverse"):
        ALG.linear_ir("revers")


def test_symbolic_metric_needs_numbers():
    g = sympy.Symbol("g")
    alg = CliffordAlgebra((1, g))
    with pytest.raises(SymbolicCoefficientError, match="g"):
        alg.geometric_product(np.ones(4), np.ones(4))


def test_all_are_symgen_errors():
    for cls in (MetricError, ShapeError, DTypeError, DeviceError, GradeError, NotInvertibleError,
                UnknownOperationError, SymbolicCoefficientError):
        assert issubclass(cls, SymgenError)
