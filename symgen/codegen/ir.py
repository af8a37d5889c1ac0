"""The intermediate representation between symbolic objects and kernels.

Three frozen, hashable records say *which numbers combine with which, and by what
coefficient*; they know nothing of algebras, groups or PDEs.

- :class:`Bilinear` ``out[k] += c * a[i] * b[j]`` for each term ``(k, i, j, c)``;
- :class:`Linear` ``out[k] += c * a[i]`` for each term ``(k, i, c)``;
- :class:`Trilinear` ``out[k] += c * a[i] * b[j] * w[l]`` (weighted products);
- :class:`Pointwise` SymPy expressions of named inputs, evaluated elementwise;
- :class:`Rowwise` SymPy expressions of the components of each row of its inputs
  (rows ``(..., dim)`` like the multilinear records, any expression: ratios, powers).

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

from .._sympify import strict_sympify
from ..errors import CodegenError, SymbolicCoefficientError

__all__ = ["Multilinear", "Linear", "Bilinear", "Trilinear", "Pointwise", "Rowwise", "gradient_ir"]


def _exact(c):
    """Convert a coefficient to an exact SymPy number or expression."""
    if isinstance(c, sympy.Basic):
        return c
    if isinstance(c, float):
        return sympy.nsimplify(c, rational=True)
    return strict_sympify(c, "IR coefficient", CodegenError)


def _check_name(name: str) -> str:
    if not (isinstance(name, str) and name.isidentifier()):
        raise CodegenError(f"kernel name {name!r} is not a Python identifier")
    return name


def _check_text(ir_name: str, doc, labels) -> None:
    """``doc`` is printed into the generated module's docstring and ``labels`` into line
    comments: refuse text that could end either and become code.

    >>> _check_text("f", "a quote ' is fine", ("e0",))
    >>> _check_text("f", 'ends the docstring: "', ())
    Traceback (most recent call last):
    ...
    symgen.errors.CodegenError: f: doc 'ends the docstring: "' contains a double quote or backslash that could end the generated docstring; use plain text
    """
    if not isinstance(doc, str) or any(c in doc for c in '"\\'):
        raise CodegenError(f"{ir_name}: doc {doc!r} contains a double quote or backslash that could "
                           f"end the generated docstring; use plain text")
    for label in labels:
        if not isinstance(label, str) or any(c in label for c in "\r\n\\"):
            raise CodegenError(f"{ir_name}: label {label!r} must be one line of text (it becomes a "
                               f"comment in the generated code)")


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\x00")
    return h.hexdigest()


def _coeff_key(c) -> str:
    """Exact text of a coefficient for the hash: ``p/q`` for rationals (fast), else srepr."""
    return f"{c.p}/{c.q}" if c.is_Rational else sympy.srepr(c)


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
    """Merge duplicate index tuples (``width`` indices each), drop zeros, sort."""
    acc: dict[tuple, sympy.Expr] = {}
    for t in terms:
        if len(t) != width + 1:
            raise CodegenError(f"term {t!r} should have {width} indices and a coefficient")
        idx = tuple(int(i) for i in t[:width])
        c = _exact(t[width])
        acc[idx] = acc[idx] + c if idx in acc else c
    return tuple(
        idx + (sympy.simplify(c) if c.free_symbols else c,)
        for idx, c in sorted(acc.items(), key=lambda item: item[0])
        if c != 0
    )


@dataclass(frozen=True)
class Multilinear:
    """``out[k] = sum over terms (k, i1, ..., im, c) of c * x1[i1] * ... * xm[im]``.

    The common form of :class:`Linear` (m = 1), :class:`Bilinear` (m = 2) and
    :class:`Trilinear` (m = 3). ``labels`` optionally names the output components
    (used as comments in the generated source, e.g. ``"e0^e2"``).
    """

    name: str
    out_dim: int
    in_dims: tuple
    terms: tuple
    labels: tuple = field(default=(), compare=False)
    doc: str = field(default="", compare=False)

    def __post_init__(self):
        _check_name(self.name)
        _check_text(self.name, self.doc, self.labels)
        object.__setattr__(self, "in_dims", tuple(int(d) for d in self.in_dims))
        m = len(self.in_dims)
        terms = _canonical(self.terms, m + 1)
        dims = (self.out_dim,) + self.in_dims
        for t in terms:
            if not all(0 <= q < d for q, d in zip(t[:-1], dims)):
                raise CodegenError(f"{self.name}: term index {t[:-1]} out of range for "
                                   f"dims {dims}")
        object.__setattr__(self, "terms", terms)

    @property
    def arity(self) -> int:
        return len(self.in_dims)

    def __repr__(self):
        ins = " x ".join(map(str, self.in_dims))
        return f"{type(self).__name__}({self.name}: {ins} -> {self.out_dim}, {len(self.terms)} terms)"

    @property
    def free_symbols(self) -> set:
        return set().union(*(t[-1].free_symbols for t in self.terms)) if self.terms else set()

    def key(self) -> str:
        """Stable hash of the IR (kind, name, shape and exact terms), computed once."""
        found = self.__dict__.get("_key")
        if found is None:
            found = _digest(type(self).__name__, self.name, self.out_dim, self.in_dims,
                            tuple(t[:-1] + (_coeff_key(t[-1]),) for t in self.terms))
            object.__setattr__(self, "_key", found)
        return found

    def numeric_terms(self):
        """Index arrays (int64) ``k, i1, ..., im`` and float64 coefficients ``c``."""
        n = len(self.terms)
        cols = [np.fromiter((t[q] for t in self.terms), np.int64, n) for q in range(self.arity + 1)]
        c = np.array([_float(t[-1], self.name) for t in self.terms], dtype=np.float64)
        return (*cols, c)

    def subs(self, values: dict):
        """The same IR (same class) with symbols in the coefficients replaced (values are
        numbers or SymPy expressions; strings are refused, SymPy's ``subs`` would evaluate them)."""
        if not isinstance(values, dict):
            raise CodegenError(f"{self.name}: subs takes a dict {{symbol: value}}, got {values!r}")
        values = {strict_sympify(k, "substituted symbol", CodegenError):
                  strict_sympify(v, f"value of {k}", CodegenError) for k, v in values.items()}
        terms = tuple(t[:-1] + (sympy.sympify(t[-1]).xreplace(values),) for t in self.terms)
        out = object.__new__(type(self))
        Multilinear.__init__(out, self.name, self.out_dim, self.in_dims, terms, self.labels, self.doc)
        return out


class Linear(Multilinear):
    """``out[k] = sum over terms (k, i, c) of c * a[i]``."""

    def __init__(self, name, out_dim, in_dim, terms, labels=(), doc=""):
        super().__init__(name, out_dim, (in_dim,), terms, labels, doc)

    @property
    def in_dim(self) -> int:
        return self.in_dims[0]

    def matrix(self) -> np.ndarray:
        """Dense float64 matrix ``(out_dim, in_dim)`` of the map."""
        m = np.zeros((self.out_dim, self.in_dim))
        k, i, c = self.numeric_terms()
        np.add.at(m, (k, i), c)
        return m


class Bilinear(Multilinear):
    """``out[k] = sum over terms (k, i, j, c) of c * a[i] * b[j]``."""

    def __init__(self, name, out_dim, in1_dim, in2_dim, terms, labels=(), doc=""):
        super().__init__(name, out_dim, (in1_dim, in2_dim), terms, labels, doc)

    in1_dim = property(lambda self: self.in_dims[0])
    in2_dim = property(lambda self: self.in_dims[1])


class Trilinear(Multilinear):
    """``out[k] = sum over terms (k, i, j, l, c) of c * a[i] * b[j] * w[l]``.

    The weighted products of equivariant layers: ``w`` holds one learned weight per
    grade path, ``l`` says which weight a term uses.
    """

    def __init__(self, name, out_dim, in1_dim, in2_dim, in3_dim, terms, labels=(), doc=""):
        super().__init__(name, out_dim, (in1_dim, in2_dim, in3_dim), terms, labels, doc)


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
        _check_text(self.name, self.doc, ())
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "params", tuple(self.params))
        object.__setattr__(self, "exprs", tuple(strict_sympify(e, f"expression of {self.name}", CodegenError)
                                                for e in self.exprs))
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
        """Stable hash of the IR (name, inputs, params and expressions), computed once."""
        found = self.__dict__.get("_key")
        if found is None:
            found = _digest("Pointwise", self.name, tuple(map(sympy.srepr, self.inputs)),
                            tuple(map(sympy.srepr, self.params)), tuple(map(sympy.srepr, self.exprs)))
            object.__setattr__(self, "_key", found)
        return found


@dataclass(frozen=True)
class Rowwise:
    """``out[k] = exprs[k](x1, ..., xm)`` for every row: SymPy expressions of the
    components of each row of its inputs.

    ``inputs`` holds one tuple of symbols per input, its components in order; each
    expression may use any of them (ratios, powers, functions SymPy prints). Kernels take
    rows ``(..., dim)`` as multilinear ones do; backends evaluate shared subexpressions
    once (``sympy.cse``). ``labels`` optionally names the output components.

    >>> import sympy
    >>> a, b = sympy.symbols("a:2"), sympy.symbols("b:2")
    >>> ratio = Rowwise("ratio", (a, b), (a[0] * b[0] / (a[1] ** 2 + 1),))
    >>> ratio, ratio.in_dims, ratio.out_dim
    (Rowwise(ratio: 2 x 2 -> 1), (2, 2), 1)
    """

    name: str
    inputs: tuple
    exprs: tuple
    labels: tuple = field(default=(), compare=False)
    doc: str = field(default="", compare=False)

    def __post_init__(self):
        _check_name(self.name)
        _check_text(self.name, self.doc, self.labels)
        inputs = tuple(tuple(strict_sympify(s, f"input symbol of {self.name}", CodegenError) for s in group)
                       for group in self.inputs)
        symbols = [s for group in inputs for s in group]
        if not inputs or any(not group for group in inputs):
            raise CodegenError(f"{self.name}: give at least one input, each with at least one component symbol")
        if any(not isinstance(s, sympy.Symbol) for s in symbols) or len(set(symbols)) != len(symbols):
            raise CodegenError(f"{self.name}: input components must be distinct symbols; got {inputs}")
        exprs = tuple(strict_sympify(e, f"expression of {self.name}", CodegenError) for e in self.exprs)
        if not exprs:
            raise CodegenError(f"{self.name}: give at least one output expression")
        known = set(symbols)
        for e in exprs:
            extra = e.free_symbols - known
            if extra:
                names = ", ".join(sorted(map(str, extra)))
                raise SymbolicCoefficientError(
                    f"{self.name}: expression {e} uses symbols {names} that are not input components")
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "exprs", exprs)

    in_dims = property(lambda self: tuple(len(group) for group in self.inputs))
    out_dim = property(lambda self: len(self.exprs))
    arity = property(lambda self: len(self.inputs))

    def __repr__(self):
        ins = " x ".join(map(str, self.in_dims))
        return f"Rowwise({self.name}: {ins} -> {self.out_dim})"

    @property
    def operations(self) -> int:
        """Arithmetic operations of the expressions as given (``sympy.count_ops``), computed once."""
        found = self.__dict__.get("_operations")
        if found is None:
            found = int(sympy.count_ops(self.exprs))
            object.__setattr__(self, "_operations", found)
        return found

    def key(self) -> str:
        """Stable hash of the IR (name, input symbols and expressions), computed once."""
        found = self.__dict__.get("_key")
        if found is None:
            found = _digest("Rowwise", self.name, tuple(tuple(map(sympy.srepr, g)) for g in self.inputs),
                            tuple(map(sympy.srepr, self.exprs)))
            object.__setattr__(self, "_key", found)
        return found


def _rowwise_gradient(ir: Rowwise, m: int) -> Rowwise:
    """``grad_m[i] = sum_k g[k] d exprs[k] / d x_m[i]``, a Rowwise IR of ``(x1, ..., xm, g)``."""
    taken = {str(s) for group in ir.inputs for s in group}
    prefix = "g"
    while any(f"{prefix}{k}" in taken for k in range(ir.out_dim)):
        prefix = "_" + prefix
    g = tuple(sympy.Symbol(f"{prefix}{k}") for k in range(ir.out_dim))
    exprs = tuple(sympy.Add(*(gk * sympy.diff(e, x) for gk, e in zip(g, ir.exprs))) for x in ir.inputs[m])
    return Rowwise(f"{ir.name}_grad{m}", ir.inputs + (g,), exprs, doc=f"gradient {m} of {ir.doc or ir.name}")


def gradient_ir(ir, m: int):
    """The op giving the gradient of ``ir`` with respect to input ``m``.

    ``grad_m[i_m] = sum c * g[k] * prod_{l != m} x_l[i_l]``: again multilinear, with the
    output gradient ``g`` in place of input ``m``. For :class:`Rowwise` IR,
    ``sum_k g[k] d out[k] / d x_m[i]``: a Rowwise IR of every input and then ``g``.

    >>> cmul = Bilinear("cmul", 2, 2, 2, ((0, 0, 0, 1), (0, 1, 1, -1), (1, 0, 1, 1), (1, 1, 0, 1)))
    >>> gradient_ir(cmul, 0)       # d(a b)/da applied to g: g times the conjugate of b
    Multilinear(cmul_grad0: 2 x 2 -> 2, 4 terms)
    >>> a, b = sympy.symbols("a:1"), sympy.symbols("b:1")
    >>> gradient_ir(Rowwise("ratio", (a, b), (a[0] / b[0],)), 1).exprs     # g0 d(a0/b0)/db0
    (-a0*g0/b0**2,)
    """
    if isinstance(ir, Rowwise):
        return _rowwise_gradient(ir, m)
    dims = list(ir.in_dims)
    dims[m] = ir.out_dim
    terms = []
    for t in ir.terms:
        idx = list(t[1:-1])
        out, idx[m] = idx[m], t[0]
        terms.append((out,) + tuple(idx) + (t[-1],))
    return Multilinear(f"{ir.name}_grad{m}", ir.in_dims[m], tuple(dims), tuple(terms))
