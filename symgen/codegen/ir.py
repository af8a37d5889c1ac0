"""The intermediate representation between symbolic objects and kernels.

Three frozen, hashable records say *which numbers combine with which, and by what
coefficient*; they know nothing of algebras, groups or PDEs.

- :class:`Bilinear` ``out[k] += c * a[i] * b[j]`` for each term ``(k, i, j, c)``;
- :class:`Linear` ``out[k] += c * a[i]`` for each term ``(k, i, c)``;
- :class:`Pointwise` SymPy expressions of named inputs, evaluated elementwise.

Coefficients stay exact SymPy numbers (or expressions with symbols) until a backend
asks for floats with :meth:`Bilinear.numeric_terms`.

>>> import sympy
>>> ir = Bilinear("complex_product", 2, 2, 2,
...               ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)))
>>> ir
Bilinear(complex_product: 2 x 2 -> 2, 4 terms)
>>> ir.key()[:12] == Bilinear("complex_product", 2, 2, 2,
...     ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1))).key()[:12]
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import sympy

from ..errors import CodegenError, SymbolicCoefficientError

__all__ = ["Bilinear", "Linear", "Pointwise"]


def _exact(c):
    """Convert a coefficient to an exact SymPy number or expression."""
    if isinstance(c, float):
        return sympy.nsimplify(c, rational=True)
    return sympy.sympify(c)


def _check_name(name: str) -> str:
    if not (isinstance(name, str) and name.isidentifier()):
        raise CodegenError(f"kernel name {name!r} is not a Python identifier")
    return name


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\x00")
    return h.hexdigest()


def _float(c, what: str) -> float:
    if c.free_symbols:
        names = ", ".join(sorted(str(s) for s in c.free_symbols))
        raise SymbolicCoefficientError(
            f"{what} has a coefficient with free symbols ({names}); "
            f"substitute numbers first, e.g. alg.subs({{{names.split(', ')[0]}: 1}})"
        )
    try:
        return float(c)
    except TypeError as exc:  # complex or otherwise not real
        raise SymbolicCoefficientError(f"{what}: coefficient {c} is not a real number") from exc


def _canonical(terms, width):
    """Merge duplicate index tuples, drop zero coefficients, sort."""
    acc: dict[tuple, sympy.Expr] = {}
    for t in terms:
        if len(t) != width + 1:
            raise CodegenError(f"term {t!r} should have {width} indices and a coefficient")
        idx = tuple(int(i) for i in t[:width])
        acc[idx] = acc.get(idx, sympy.Integer(0)) + _exact(t[width])
    return tuple(
        idx + (sympy.simplify(c) if c.free_symbols else c,)
        for idx, c in sorted(acc.items())
        if c != 0
    )


@dataclass(frozen=True)
class Bilinear:
    """``out[k] = sum over terms (k, i, j, c) of c * a[i] * b[j]``.

    ``labels`` optionally names the output components (used as comments in the
    generated source, e.g. ``"e0^e2"``).
    """

    name: str
    out_dim: int
    in1_dim: int
    in2_dim: int
    terms: tuple
    labels: tuple = field(default=(), compare=False)
    doc: str = field(default="", compare=False)

    def __post_init__(self):
        _check_name(self.name)
        terms = _canonical(self.terms, 3)
        for k, i, j, _ in terms:
            if not (0 <= k < self.out_dim and 0 <= i < self.in1_dim and 0 <= j < self.in2_dim):
                raise CodegenError(f"{self.name}: term index {(k, i, j)} out of range")
        object.__setattr__(self, "terms", terms)

    def __repr__(self):
        return (f"Bilinear({self.name}: {self.in1_dim} x {self.in2_dim} -> {self.out_dim}, "
                f"{len(self.terms)} terms)")

    @property
    def free_symbols(self) -> set:
        return set().union(*(t[3].free_symbols for t in self.terms)) if self.terms else set()

    def key(self) -> str:
        """Stable hash of the IR (name, shape and exact terms)."""
        return _digest("Bilinear", self.name, self.out_dim, self.in1_dim, self.in2_dim,
                       tuple((k, i, j, sympy.srepr(c)) for k, i, j, c in self.terms))

    def numeric_terms(self):
        """Index arrays ``k, i, j`` (int64) and float coefficients ``c``."""
        n = len(self.terms)
        k = np.fromiter((t[0] for t in self.terms), np.int64, n)
        i = np.fromiter((t[1] for t in self.terms), np.int64, n)
        j = np.fromiter((t[2] for t in self.terms), np.int64, n)
        c = np.array([_float(t[3], self.name) for t in self.terms], dtype=np.float64)
        return k, i, j, c

    def subs(self, values: dict) -> Bilinear:
        """The same IR with symbols in the coefficients replaced."""
        return Bilinear(self.name, self.out_dim, self.in1_dim, self.in2_dim,
                        tuple((k, i, j, sympy.sympify(c).subs(values)) for k, i, j, c in self.terms),
                        self.labels, self.doc)


@dataclass(frozen=True)
class Linear:
    """``out[k] = sum over terms (k, i, c) of c * a[i]``."""

    name: str
    out_dim: int
    in_dim: int
    terms: tuple
    labels: tuple = field(default=(), compare=False)
    doc: str = field(default="", compare=False)

    def __post_init__(self):
        _check_name(self.name)
        terms = _canonical(self.terms, 2)
        for k, i, _ in terms:
            if not (0 <= k < self.out_dim and 0 <= i < self.in_dim):
                raise CodegenError(f"{self.name}: term index {(k, i)} out of range")
        object.__setattr__(self, "terms", terms)

    def __repr__(self):
        return f"Linear({self.name}: {self.in_dim} -> {self.out_dim}, {len(self.terms)} terms)"

    @property
    def free_symbols(self) -> set:
        return set().union(*(t[2].free_symbols for t in self.terms)) if self.terms else set()

    def key(self) -> str:
        return _digest("Linear", self.name, self.out_dim, self.in_dim,
                       tuple((k, i, sympy.srepr(c)) for k, i, c in self.terms))

    def numeric_terms(self):
        n = len(self.terms)
        k = np.fromiter((t[0] for t in self.terms), np.int64, n)
        i = np.fromiter((t[1] for t in self.terms), np.int64, n)
        c = np.array([_float(t[2], self.name) for t in self.terms], dtype=np.float64)
        return k, i, c

    def matrix(self) -> np.ndarray:
        """Dense float64 matrix ``(out_dim, in_dim)`` of the map."""
        m = np.zeros((self.out_dim, self.in_dim))
        k, i, c = self.numeric_terms()
        np.add.at(m, (k, i), c)
        return m

    def subs(self, values: dict) -> Linear:
        return Linear(self.name, self.out_dim, self.in_dim,
                      tuple((k, i, sympy.sympify(c).subs(values)) for k, i, c in self.terms),
                      self.labels, self.doc)


@dataclass(frozen=True)
class Pointwise:
    """SymPy expressions ``exprs`` of the symbols ``inputs``, evaluated elementwise.

    ``params`` are further symbols passed as scalars (a flow parameter ``eps``...).
    """

    name: str
    inputs: tuple
    exprs: tuple
    params: tuple = ()
    doc: str = field(default="", compare=False)

    def __post_init__(self):
        _check_name(self.name)
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "params", tuple(self.params))
        object.__setattr__(self, "exprs", tuple(sympy.sympify(e) for e in self.exprs))
        known = set(self.inputs) | set(self.params)
        for e in self.exprs:
            extra = e.free_symbols - known
            if extra:
                names = ", ".join(sorted(map(str, extra)))
                raise SymbolicCoefficientError(
                    f"{self.name}: expression {e} uses symbols {names} that are neither "
                    f"inputs nor params")

    def __repr__(self):
        ins = ", ".join(map(str, self.inputs + self.params))
        return f"Pointwise({self.name}({ins}) -> {len(self.exprs)} outputs)"

    def key(self) -> str:
        return _digest("Pointwise", self.name, tuple(map(sympy.srepr, self.inputs)),
                       tuple(map(sympy.srepr, self.params)), tuple(map(sympy.srepr, self.exprs)))
