"""Clifford algebras Cl(V, g) for any symmetric metric g, declared in SymPy.

The algebra is built symbolically: its blades, grades and the exact Cayley table of
every product, from which it produces IR for codegen. Numeric methods take numpy
arrays or torch tensors of shape ``(..., dim)`` and hand the IR to the codegen runtime,
which picks the kernel (``backend="auto"``, or ``"numba"``, ``"torch"``, ``"numpy"``);
:meth:`CliffordAlgebra.kernel` shows the one that runs.

Conventions. Blade ``(i, j, ...)`` with ``i < j < ...`` is ``e_i ∧ e_j ∧ ...``; blades
are ordered by grade, then lexicographically. ``from_signature(p, q, r)`` puts the
``r`` null vectors first (as kingdon does), then ``p`` positive, then ``q`` negative ones.

>>> alg = CliffordAlgebra((1, 1, 1))
>>> alg
Cl(3,0,0)
>>> alg.blades
((), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2))
>>> alg.grades
(0, 1, 1, 1, 2, 2, 2, 3)
>>> import numpy as np
>>> e0, e1 = np.eye(8)[1], np.eye(8)[2]
>>> alg.geometric_product(e0, e1)            # e0 e1 = e01
array([0., 0., 0., 0., 1., 0., 0., 0.])
>>> x = alg.multivector("x", grades=1); x
x0*e0 + x1*e1 + x2*e2
>>> (x * x).simplify()
x0**2 + x1**2 + x2**2
"""

from __future__ import annotations

import numbers

import sympy

from ...codegen import Bilinear, Linear, runtime
from ..._sympify import substitution
from ..._validate import check_finite, is_finite_expr
from ...errors import GradeError, MetricError, NotInvertibleError, UnknownOperationError
from . import graded, numeric
from .products import GRADE_RULES, geometric_table, popcount, reorder_sign

__all__ = ["CliffordAlgebra"]


class _lazy:
    """Computed on first access, then stored on the instance (no lock, unlike Python 3.11's
    ``functools.cached_property``, so ``torch.compile`` can trace attribute access)."""

    def __init__(self, fn):
        self.fn, self.name, self.__doc__ = fn, fn.__name__, fn.__doc__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value

BILINEAR_OPS = tuple(GRADE_RULES) + ("commutator", "regressive_product")
LINEAR_OPS = ("reverse", "grade_involution", "clifford_conjugate", "dual", "undual",
              "complement", "uncomplement")


#: Largest number of generators (the symbolic tables have up to 4**n terms).
MAX_GENERATORS = 12


def _to_metric(metric) -> sympy.Matrix:
    if isinstance(metric, sympy.MatrixBase):
        m = sympy.Matrix(metric)
    elif hasattr(metric, "__len__") and len(metric) and all(
            not hasattr(v, "__len__") or isinstance(v, str) for v in metric):
        m = sympy.diag(*[_entry(v, (i, i)) for i, v in enumerate(metric)])
    elif hasattr(metric, "__len__") and len(metric):
        rows = [list(r) if hasattr(r, "__len__") and not isinstance(r, str) else None for r in metric]
        if any(r is None for r in rows):
            raise MetricError(f"metric {metric!r} mixes rows and numbers; pass diagonal entries "
                              f"or a square matrix")
        if any(len(r) != len(rows) for r in rows):
            raise MetricError(f"metric is not square: row lengths {[len(r) for r in rows]} "
                              f"for {len(rows)} rows")
        # entries are checked before sympy.Matrix sees them: it would sympify (evaluate) strings
        m = sympy.Matrix([[_entry(v, (i, j)) for j, v in enumerate(r)] for i, r in enumerate(rows)])
    else:
        raise MetricError(f"metric {metric!r} is neither a sequence of diagonal entries "
                          f"nor a square matrix")
    if m.rows != m.cols:
        raise MetricError(f"metric is not square: shape {m.shape}")
    if m.rows == 0:
        raise MetricError("metric is empty; an algebra needs at least one generator")
    if m.rows > MAX_GENERATORS:
        raise MetricError(f"metric has {m.rows} generators; symgen builds algebras of 1..{MAX_GENERATORS} "
                          f"generators (dimension 2**n = {2 ** m.rows} is too large)")
    for i in range(m.rows):
        for j in range(m.cols):
            m[i, j] = _entry(m[i, j], (i, j))
            if j < i and sympy.simplify(m[i, j] - m[j, i]) != 0:
                raise MetricError(f"metric is not symmetric: entry ({j}, {i}) is {m[j, i]}, "
                                  f"entry ({i}, {j}) is {m[i, j]}")
    return m


def _entry(v, where):
    if isinstance(v, str):
        raise MetricError(f"metric entry {where} is the string {v!r}; pass numbers or SymPy "
                          f"symbols (sympy.Symbol({v!r}))")
    try:
        e = sympy.nsimplify(v, rational=True) if isinstance(v, float) else sympy.sympify(v, strict=True)
    except (sympy.SympifyError, TypeError) as exc:
        raise MetricError(f"metric entry {where} is {v!r}; expected a real number or a SymPy "
                          f"expression") from exc
    if not isinstance(e, sympy.Expr) or e.is_real is False:
        raise MetricError(f"metric entry {where} is {v!r}; expected a real number or symbol")
    if not is_finite_expr(e):
        raise MetricError(f"metric entry {where} is {v!r}; entries must be finite real numbers "
                          f"or SymPy symbols")
    odd = sorted(str(s) for s in e.free_symbols if not str(s).isidentifier())
    if odd:
        raise MetricError(f"metric entry {where} uses the symbol {odd[0]!r}; symbol names must be "
                          f"Python identifiers (they are printed into generated code)")
    return e


class CliffordAlgebra:
    """The Clifford algebra of a symmetric bilinear form on ``n`` generators.

    ``metric`` is a sequence of diagonal entries (0 allowed: degenerate) or a square
    symmetric matrix (any SymPy entries, symbols included).

    >>> CliffordAlgebra((0, 1, 1, 1))
    Cl(3,0,1)
    >>> CliffordAlgebra(sympy.Matrix([[1, 1], [1, 0]])).metric
    Matrix([
    [1, 1],
    [1, 0]])
    """

    def __init__(self, metric):
        self.metric = _to_metric(metric)
        self.n = self.metric.rows
        self.dim = 1 << self.n
        masks = sorted(range(self.dim), key=lambda m: (popcount(m), _indices(m)))
        self._masks = tuple(masks)
        self._index = {m: q for q, m in enumerate(masks)}
        self.blades = tuple(_indices(m) for m in masks)
        self.grades = tuple(len(b) for b in self.blades)
        self._ir_cache: dict = {}

    @classmethod
    def from_signature(cls, p: int, q: int = 0, r: int = 0) -> CliffordAlgebra:
        """Cl(p, q, r): ``r`` null, ``p`` positive and ``q`` negative generators, in that order.

        >>> CliffordAlgebra.from_signature(1, 3)
        Cl(1,3,0)
        """
        for name, v in (("p", p), ("q", q), ("r", r)):
            if not isinstance(v, numbers.Integral) or isinstance(v, bool) or v < 0:
                raise MetricError(f"signature count {name}={v!r} must be a non-negative integer")
        return cls((0,) * int(r) + (1,) * int(p) + (-1,) * int(q))

    # ----------------------------------------------------------------- description
    @_lazy
    def signature(self) -> tuple[int, int, int] | None:
        """``(p, q, r)`` for a diagonal metric of 1, -1 and 0 entries, else None."""
        if not self.metric.is_diagonal():
            return None
        d = [self.metric[i, i] for i in range(self.n)]
        if not all(v in (1, -1, 0) for v in d):
            return None
        return d.count(1), d.count(-1), d.count(0)

    def __repr__(self):
        if self.signature:
            return "Cl({},{},{})".format(*self.signature)
        if self.metric.is_diagonal():
            return "Cl({})".format(", ".join(str(self.metric[i, i]) for i in range(self.n)))
        return f"Cl(metric={self.metric.tolist()})"

    def __eq__(self, other):
        return isinstance(other, CliffordAlgebra) and self.metric == other.metric

    def __hash__(self):
        return hash(("CliffordAlgebra", tuple(self.metric)))

    @_lazy
    def blade_names(self) -> tuple[str, ...]:
        """Names of the basis blades: ``1, e0, e1, e01, ...`` (``^`` between indices if n > 10)."""
        sep = "^" if self.n > 10 else ""
        return tuple("1" if not b else "e" + sep.join(map(str, b)) for b in self.blades)

    @_lazy
    def is_degenerate(self) -> bool:
        return self.metric.det() == 0

    @property
    def free_symbols(self) -> set:
        return self.metric.free_symbols

    def subs(self, values: dict) -> CliffordAlgebra:
        """The algebra with symbols in the metric replaced (e.g. to get numeric kernels).

        Keys are the metric's symbols (or their names), values numbers or SymPy
        expressions; strings are refused (SymPy's ``subs`` would evaluate them).

        >>> g = sympy.Symbol("g")
        >>> CliffordAlgebra((1, g)).subs({g: -1})
        Cl(1,1,0)
        >>> CliffordAlgebra((1, g)).subs({"g": -1})
        Cl(1,1,0)
        """
        return CliffordAlgebra(self.metric.xreplace(
            substitution(values, self.metric.free_symbols, "the metric", MetricError)))

    def blade_indices(self, grades) -> tuple[int, ...]:
        """Positions of the blades of ``grades`` (an int or a sequence) in the component axis:
        ``x[..., alg.blade_indices((0, 2))]`` keeps the even part of ``x`` as a
        grade-specialised input, and a full multivector is rebuilt by writing there.

        >>> CliffordAlgebra.from_signature(3).blade_indices((0, 2))
        (0, 4, 5, 6)
        """
        return graded.blade_positions(self, grades)

    def product_grades(self, op: str, grades) -> tuple[int, ...]:
        """The grades the output of ``op`` can hold on inputs of ``grades = (ga, gb)``: the
        blades of the output of ``op(a, b, grades=grades)`` (``"sandwich"``: the grades of x).

        >>> alg = CliffordAlgebra.from_signature(3)
        >>> alg.product_grades("outer_product", (1, 1)), alg.product_grades("sandwich", ((0, 2), 1))
        ((2,), (1,))
        """
        if op == "sandwich":
            return graded.parse_grades(self, grades)[1]
        if op not in BILINEAR_OPS:
            raise UnknownOperationError(f"unknown product {op!r}; choose one of "
                                        f"{', '.join(BILINEAR_OPS + ('sandwich',))}")
        return graded.product_grades(self, op, grades)

    def grade_indices(self, k: int) -> tuple[int, ...]:
        """Positions of the grade-``k`` blades in the component axis."""
        self._check_grade(k)
        return tuple(q for q, g in enumerate(self.grades) if g == k)

    def _check_grade(self, k):
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or not 0 <= k <= self.n:
            raise GradeError(f"grade {k!r} out of range; {self!r} has grades 0..{self.n}")

    # ----------------------------------------------------------------- symbolic tables
    @_lazy
    def _geometric(self) -> dict:
        return geometric_table(self.metric)

    def _blade_terms(self, rule):
        terms = []
        for a in self._masks:
            for b in self._masks:
                r, s = popcount(a), popcount(b)
                for c, coeff in self._geometric[(a, b)].items():
                    if rule(r, s, popcount(c)):
                        terms.append((self._index[c], self._index[a], self._index[b], coeff))
        return terms

    @_lazy
    def _complement_signs(self) -> tuple:
        """Sign ``s_A`` with ``e_A ∧ (s_A e_Ā) = e_0 ∧ ... ∧ e_{n-1}`` for each blade."""
        full = self.dim - 1
        return tuple(reorder_sign(m, full ^ m) for m in self._masks)

    def bilinear_ir(self, op: str) -> Bilinear:
        """Exact IR of a product: ``out[k] += c * a[i] * b[j]``.

        >>> CliffordAlgebra((1, 1)).bilinear_ir("geometric_product")
        Bilinear(geometric_product: 4 x 4 -> 4, 16 terms)
        """
        if op in self._ir_cache:
            return self._ir_cache[op]
        if op in GRADE_RULES:
            terms = self._blade_terms(GRADE_RULES[op])
        elif op == "commutator":
            half = sympy.Rational(1, 2)
            gp = self._blade_terms(GRADE_RULES["geometric_product"])
            terms = [(k, i, j, half * c) for k, i, j, c in gp] + [(k, j, i, -half * c) for k, i, j, c in gp]
        elif op == "regressive_product":
            terms = self._regressive_terms()
        else:
            raise UnknownOperationError(f"unknown product {op!r}; choose one of {', '.join(BILINEAR_OPS)}")
        ir = Bilinear(op, self.dim, self.dim, self.dim, tuple(terms), labels=self.blade_names,
                      doc=f"{op.replace('_', ' ')} of {self!r}")
        self._ir_cache[op] = ir
        return ir

    def _regressive_terms(self):
        """``a ∨ b = uncomplement(complement(a) ∧ complement(b))``: metric-free, works when degenerate."""
        full, sign, idx = self.dim - 1, self._complement_signs, self._index
        terms = []
        for a in self._masks:
            for b in self._masks:
                ca, cb = full ^ a, full ^ b
                if ca & cb:
                    continue
                c = ca | cb                      # complement(a) ∧ complement(b) lands on e_c
                s = sign[idx[a]] * sign[idx[b]] * reorder_sign(ca, cb)
                out = full ^ c                   # uncomplement(e_c) = s' e_out with s' from out ∧ c
                s *= reorder_sign(out, c)
                terms.append((idx[out], idx[a], idx[b], sympy.Integer(s)))
        return terms

    def linear_ir(self, op: str, k: int | None = None) -> Linear:
        """Exact IR of a linear map: involutions, grade projection, (un)dual, (un)complement.

        >>> CliffordAlgebra((1, 1)).linear_ir("reverse").matrix().diagonal()
        array([ 1.,  1.,  1., -1.])
        """
        key = (op, k)
        if key in self._ir_cache:
            return self._ir_cache[key]
        g = self.grades
        if op == "reverse":
            terms = [(q, q, (-1) ** (g[q] * (g[q] - 1) // 2)) for q in range(self.dim)]
        elif op == "grade_involution":
            terms = [(q, q, (-1) ** g[q]) for q in range(self.dim)]
        elif op == "clifford_conjugate":
            terms = [(q, q, (-1) ** (g[q] * (g[q] + 1) // 2)) for q in range(self.dim)]
        elif op == "grade_projection":
            self._check_grade(k)
            terms = [(q, q, 1) for q in range(self.dim) if g[q] == k]
        elif op in ("complement", "uncomplement"):
            full, sign = self.dim - 1, self._complement_signs
            if op == "complement":   # e_A -> s_A e_Ā, so that e_A ∧ complement(e_A) = I
                terms = [(self._index[full ^ m], q, sign[q]) for q, m in enumerate(self._masks)]
            else:                    # inverse map
                terms = [(q, self._index[full ^ m], sign[q]) for q, m in enumerate(self._masks)]
        elif op in ("dual", "undual"):
            terms = self._dual_terms(op)
        else:
            raise UnknownOperationError(f"unknown linear op {op!r}; choose one of "
                                        f"{', '.join(LINEAR_OPS + ('grade_projection',))}")
        name = op if k is None else f"{op}_{k}"
        ir = Linear(name, self.dim, self.dim, tuple(terms), labels=self.blade_names,
                    doc=f"{op.replace('_', ' ')}{'' if k is None else f' to grade {k}'} of {self!r}")
        self._ir_cache[key] = ir
        return ir

    def _dual_terms(self, op):
        """Polarity ``x I⁻¹`` (undual ``x I``) for a non-degenerate metric; complement otherwise."""
        if self.is_degenerate:
            return self.linear_ir("complement" if op == "dual" else "uncomplement").terms
        top = self._masks[-1]
        ii = self._geometric[(top, top)][0]       # I I is a scalar
        scale = 1 / ii if op == "dual" else sympy.Integer(1)   # I⁻¹ = I / (I I)
        terms = []
        for q, m in enumerate(self._masks):
            for c, coeff in self._geometric[(m, top)].items():
                terms.append((self._index[c], q, sympy.simplify(coeff * scale)))
        return terms

    # ----------------------------------------------------------------- symbolic view
    def multivector(self, values, grades=None):
        """A multivector with SymPy coefficients, for inspecting products symbolically.

        ``values`` is a name (symbols ``name0, name1, ...`` are made for the chosen
        ``grades``, default all) or a sequence of ``dim`` coefficients.

        >>> alg = CliffordAlgebra((1, 1))
        >>> a, b = alg.multivector("a", grades=1), alg.multivector("b", grades=1)
        >>> a ^ b
        (a0*b1 - a1*b0)*e01
        """
        from .multivector import Multivector
        return Multivector.make(self, values, grades)

    # ----------------------------------------------------------------- numeric ops
    def prepare(self, ops=None, backend: str = "torch", grades=None) -> None:
        """Build the kernels of ``ops`` (default: every product and linear map, every grade
        projection) and their gradients now, for ``backend``; with ``grades`` the products
        (or ``"sandwich"``) specialised to those input grades.

        Kernels are otherwise built on first use, which ``torch.compile`` cannot trace:
        call this before compiling code that calls the algebra's ops (the default
        ``backend="torch"``), or with ``"numba"`` so that no numpy or CPU torch call falls
        back while the Numba kernels compile.

        >>> import torch
        >>> alg = CliffordAlgebra((1, 1))
        >>> alg.prepare(["grade_projection"])
        >>> f = torch.compile(lambda a: alg.grade_projection(a, 1), fullgraph=True)
        >>> f(torch.ones(4))
        tensor([0., 1., 1., 0.])
        """
        ops = (ops,) if isinstance(ops, str) else ops      # one op's name is a list of one
        if grades is not None:
            for op in ops if ops is not None else BILINEAR_OPS:
                for ir in numeric.graded_irs(self, op, grades):
                    runtime.prepare(ir, backend)
            return
        for op in ops if ops is not None else BILINEAR_OPS + LINEAR_OPS + ("grade_projection",):
            for k in range(self.n + 1) if op == "grade_projection" else (None,):
                runtime.prepare(numeric.op_ir(self, op, k), backend)

    def kernel(self, op: str, like=None, backend: str = "auto", k: int | None = None, grades=None):
        """The compiled kernel that runs ``op`` for inputs like ``like``, with its generated
        module as ``.source`` — the exact file in the cache.

        ``like`` is an array or tensor standing for the inputs (dtype, device, rows); by
        default a float64 numpy batch. With ``backend="auto"`` a Numba kernel that would
        take over from a fallback is compiled now, so the answer holds from then on.
        ``k`` is the grade of ``grade_projection``; ``grades`` the input grades of a
        grade-specialised product or ``"sandwich"`` (its one kernel, ``w x w̃ / <w w̃>_0``).

        >>> import torch
        >>> alg = CliffordAlgebra.from_signature(2)
        >>> "geometric product of Cl(2,0,0)" in alg.kernel("geometric_product").source
        True
        >>> alg.kernel("geometric_product", like=torch.ones(8, 4), backend="torch")
        Kernel(geometric_product, backend=torch, strategy=unrolled)
        >>> alg.kernel("reverse", like=torch.ones(8, 4))        # linear maps stay on torch
        Kernel(reverse, backend=torch, strategy=unrolled)
        """
        if op == "grade_projection":
            self._check_grade(k)
        return runtime.kernel(numeric.op_ir(self, op, k, grades), like, backend)

    def explain(self, op: str, *inputs, backend: str = "auto", k: int | None = None, grades=None) -> str:
        """Which kernel ``op`` runs on these inputs now, and why.

        >>> import numpy as np
        >>> print(CliffordAlgebra((1, 1)).explain("geometric_product", np.ones(4), np.ones(4)))
        geometric_product: numpy kernel (1 row < MIN_ROWS = 256 and no Numba kernel for float64 yet)
        """
        return runtime.explain(numeric.op_ir(self, op, k, grades), *inputs, backend=backend)

    def _bilinear(self, op, a, b, backend, grades=None):
        if grades is not None:
            return numeric.run_graded(self, op, a, b, grades, backend)
        return numeric.run(self, op, a, b, backend=backend)

    def _linear(self, op, a, backend, k=None):
        return numeric.run(self, op, a, k=k, backend=backend)

    def geometric_product(self, a, b, backend: str = "auto", grades=None):
        """Geometric product ``ab`` of arrays ``(..., dim)``.

        With ``grades=(ga, gb)`` (each an int or a sequence of ints) ``a`` and ``b`` hold
        only the components of those grades' blades, in blade order
        (:meth:`blade_indices`), and so does the output, for the grades
        :meth:`product_grades` names: the kernel is generated for the blades present
        (every product below takes ``grades=`` the same way).

        >>> import numpy as np
        >>> alg = CliffordAlgebra.from_signature(3)
        >>> B, v = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])   # e01, e1
        >>> alg.product_grades("geometric_product", (2, 1))
        (1, 3)
        >>> alg.geometric_product(B, v, grades=(2, 1)) + 0.0              # e01 e1 = e0
        array([1., 0., 0., 0.])
        """
        return self._bilinear("geometric_product", a, b, backend, grades)

    def outer_product(self, a, b, backend: str = "auto", grades=None):
        """Outer (wedge) product ``a ∧ b``."""
        return self._bilinear("outer_product", a, b, backend, grades)

    def left_contraction(self, a, b, backend: str = "auto", grades=None):
        """Left contraction ``a ⌋ b`` (grade s - r part of ``a_r b_s``)."""
        return self._bilinear("left_contraction", a, b, backend, grades)

    def right_contraction(self, a, b, backend: str = "auto", grades=None):
        """Right contraction ``a ⌊ b`` (grade r - s part of ``a_r b_s``)."""
        return self._bilinear("right_contraction", a, b, backend, grades)

    def scalar_product(self, a, b, backend: str = "auto", grades=None):
        """Scalar part of ``ab``, as a multivector with only its scalar component set."""
        return self._bilinear("scalar_product", a, b, backend, grades)

    def inner_product(self, a, b, backend: str = "auto", grades=None):
        """Symmetric inner product (grade |r - s| part of ``a_r b_s``, scalars included)."""
        return self._bilinear("inner_product", a, b, backend, grades)

    def commutator(self, a, b, backend: str = "auto", grades=None):
        """Commutator product ``(ab - ba) / 2``."""
        return self._bilinear("commutator", a, b, backend, grades)

    def regressive_product(self, a, b, backend: str = "auto", grades=None):
        """Regressive product ``a ∨ b``, through the metric-free complement (works for PGA)."""
        return self._bilinear("regressive_product", a, b, backend, grades)

    def reverse(self, a, backend: str = "auto"):
        """Reversion ``ã``: grade k scaled by (-1)^(k(k-1)/2)."""
        return self._linear("reverse", a, backend)

    def grade_involution(self, a, backend: str = "auto"):
        """Grade involution ``â``: grade k scaled by (-1)^k."""
        return self._linear("grade_involution", a, backend)

    def clifford_conjugate(self, a, backend: str = "auto"):
        """Clifford conjugate ``ā`` = reverse of the grade involution."""
        return self._linear("clifford_conjugate", a, backend)

    def grade_projection(self, a, k: int, backend: str = "auto"):
        """Grade-``k`` part ``<a>_k``."""
        self._check_grade(k)
        return self._linear("grade_projection", a, backend, k)

    def dual(self, a, backend: str = "auto"):
        """Dual: ``a I⁻¹`` (polarity) for a non-degenerate metric, the complement otherwise."""
        return self._linear("dual", a, backend)

    def undual(self, a, backend: str = "auto"):
        """Inverse of :meth:`dual`."""
        return self._linear("undual", a, backend)

    def complement(self, a, backend: str = "auto"):
        """Metric-free right complement: ``e_A ∧ complement(e_A) = e_0 ∧ ... ∧ e_{n-1}``."""
        return self._linear("complement", a, backend)

    def uncomplement(self, a, backend: str = "auto"):
        """Inverse of :meth:`complement`."""
        return self._linear("uncomplement", a, backend)

    def norm_squared(self, a, backend: str = "auto"):
        """``<a ã>_0`` as an array of shape ``(...)``."""
        return self.scalar_product(a, self.reverse(a, backend), backend)[..., 0]

    def versor_inverse(self, w, rtol: float = 1e-4, backend: str = "auto"):
        """``w⁻¹ = w̃ / (w w̃)`` for a versor ``w``.

        ``w w̃`` must be a non-zero scalar: its other components may be at most ``rtol``
        times its scalar part, else :class:`~symgen.errors.NotInvertibleError`.
        """
        rtol = check_finite(rtol, "rtol", NotInvertibleError, positive=True)
        return numeric.versor_inverse(self, w, rtol, backend)

    def sandwich(self, w, x, backend: str = "auto", grades=None, unit: bool = False):
        """Twisted Clifford-group action ``ρ(w)(x) = w x₀ w⁻¹ + ŵ x₁ w⁻¹`` (CGENN).

        ``x₀``, ``x₁`` are the even and odd parts of ``x`` and ``ŵ`` the grade involution;
        for a versor of parity p this is ``w x̂^p w⁻¹``, grade- and norm-preserving.

        With ``grades=(gw, gx)``, ``w`` and ``x`` hold only the components of those grades
        (as in :meth:`geometric_product`) and the output holds the grades of ``x``: one
        generated kernel computes ``w x̂^p w̃ / <w w̃>_0`` row by row from the products
        ``w_i w_l`` (the rotation-matrix form, the norm and its reciprocal computed once
        per row). ``w`` must be a versor; unlike the full path this is not checked (no
        host synchronisation). ``unit=True`` says ``w w̃ = 1`` (as kingdon's ``>>``
        assumes): ``w⁻¹ = w̃``, no norm is computed.

        >>> import numpy as np
        >>> alg = CliffordAlgebra.from_signature(3)
        >>> R = np.array([np.cos(np.pi / 4), np.sin(np.pi / 4), 0.0, 0.0])  # 1, e01, e02, e12
        >>> alg.sandwich(R, np.array([1.0, 0.0, 0.0]), grades=((0, 2), 1)).round(12) + 0.0
        array([ 0., -1.,  0.])
        """
        if grades is not None:
            return numeric.sandwich_graded(self, w, x, grades, backend, unit)
        return numeric.sandwich(self, w, x, backend, unit)


def _indices(mask: int) -> tuple[int, ...]:
    return tuple(i for i in range(mask.bit_length()) if mask >> i & 1)

