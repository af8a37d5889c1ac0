"""Exceptions raised at symgen's public boundary.

Every error a user can trigger is a :class:`SymgenError`; the subclass says what
kind of input was wrong and the message names the bad value and the valid choices.

>>> from symgen import CliffordAlgebra, SymgenError
>>> try:
...     CliffordAlgebra([[1, 2], [0, 1]])
... except SymgenError as err:
...     print(type(err).__name__)
MetricError
"""

import argparse

__all__ = [
    "SymgenError",
    "MetricError",
    "ShapeError",
    "DTypeError",
    "DeviceError",
    "GradeError",
    "NotInvertibleError",
    "UnknownOperationError",
    "SymbolicCoefficientError",
    "CodegenError",
    "GroupError",
    "RepresentationError",
    "PDEParseError",
    "PDEError",
    "CertificationError",
    "CertificationWarning",
    "AlgebraMismatchError",
    "CheckerError",
    "FrameError",
    "DegenerateFrameError",
    "OptionError",
]


class SymgenError(Exception):
    """Base class of every error symgen raises on bad input."""


class MetricError(SymgenError, ValueError):
    """A metric that is not square, not symmetric, or has an unsupported entry."""


class ShapeError(SymgenError, ValueError):
    """An array whose shape does not fit the algebra, group or representation."""


class DTypeError(SymgenError, TypeError):
    """Inputs of an unsupported or mismatched dtype."""


class DeviceError(SymgenError, ValueError):
    """Torch tensors on different devices."""


class GradeError(SymgenError, ValueError):
    """A grade outside ``0 .. alg.n``."""


class NotInvertibleError(SymgenError, ZeroDivisionError):
    """A multivector (versor) with zero or non-scalar norm."""


class UnknownOperationError(SymgenError, KeyError):
    """An operation name that symgen does not know."""

    def __str__(self):  # KeyError quotes its message; show it plainly
        return str(self.args[0]) if self.args else ""


class SymbolicCoefficientError(SymgenError, ValueError):
    """A numeric kernel was asked for while coefficients still hold free symbols."""


class CodegenError(SymgenError, RuntimeError):
    """Code generation or compilation failed."""


class GroupError(SymgenError, ValueError):
    """A group whose generators are inconsistent, or an unknown group."""


class RepresentationError(SymgenError, ValueError):
    """Representations that do not fit together (different groups, sizes)."""


class PDEParseError(SymgenError, ValueError):
    """A PDE string with an unknown or forbidden token."""


class PDEError(SymgenError, ValueError):
    """A PDE that cannot be handled (not solvable for a leading derivative, ...)."""


class CertificationError(SymgenError, ArithmeticError):
    """An equivariant basis whose numerical rank disagrees with the certified dimension,
    or a certificate that cannot be computed."""


class CertificationWarning(UserWarning):
    """An equivariant basis returned without a certificate: the message says why none could
    be computed (``equivariant_basis(..., certify=True)`` raises instead)."""


class AlgebraMismatchError(SymgenError, ValueError):
    """Objects of two different algebras combined (multivectors, versors and modules)."""


class CheckerError(SymgenError, ValueError):
    """An equivariance check that cannot be set up: non-finite inputs or elements, or input
    shapes that cannot be inferred from the module."""


class FrameError(SymgenError, ValueError):
    """A frame that cannot be built: an unknown frame name, a group without a frame rule, a
    representation without the channels the frame reads, or a frame callable's bad output."""


class DegenerateFrameError(FrameError):
    """An input on which the frame is not defined: equal covariance eigenvalues, too few
    independent non-null vectors, too many tied rows."""


class OptionError(SymgenError, argparse.ArgumentTypeError):
    """A value of a ``symgen`` command-line option out of its range (argparse reports it
    after the option's name and the command exits with status 2)."""
