"""Lie point symmetries of a PDE: prolongation, determining equations, their solution.

For ``v = Σ ξ^i(x, u) ∂_{x^i} + Σ φ_a(x, u) ∂_{u^a}`` the prolongation acts on the
equation; after substituting the solved leading derivative (and its differential
consequences) the result must vanish for every value of the remaining (parametric)
derivatives: split over them, these are the determining equations, a linear homogeneous
PDE system for ξ, φ (:mod:`.determining`). It is solved with no ansatz by integration and
differential elimination (:mod:`.elimination`): the constants of integration give the
finite part, functions left arbitrary up to linear PDEs the infinite part
(:class:`InfiniteFamily`).

Parameters stay symbolic: a division by a coefficient that vanishes for special
parameter values is recorded in ``Symmetries.assumptions`` (``3*n + 4 ≠ 0`` for
``u_t = (u**n u_x)_x``: n = -4/3 admits one more generator), and so is a leading
derivative solved on a nonzero coefficient (``u_yy ≠ 0`` for Monge–Ampère).

>>> from symgen.algebra.pde.parse import parse_pde
>>> sym = point_symmetries(parse_pde("u_t + u*u_x - u_xx"))
>>> sym.dimension, sym.infinite
(5, False)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import sympy

from ..._sympify import strict_sympify
from ..._validate import NON_FINITE
from ...errors import PDEError
from .jet import Jet

__all__ = ["VectorField", "Symmetries", "point_symmetries", "symmetries_from_solution", "linear_expression", "prolonged_action",
           "characteristic_action",
           "leading_derivative", "substitute_leading"]


@dataclass(frozen=True)
class VectorField:
    """``Σ coefficients[z] ∂z`` over the independent and dependent variables."""

    coefficients: dict

    def __post_init__(self):
        if not isinstance(self.coefficients, dict):
            raise PDEError(f"a VectorField takes a dict {{variable: coefficient}}, got "
                           f"{self.coefficients!r}")
        out = {}
        for z, c in self.coefficients.items():
            if not isinstance(z, sympy.Symbol):
                raise PDEError(f"VectorField key {z!r} is not a SymPy symbol; key each coefficient "
                               f"by a variable, e.g. sympy.Symbol('x')")
            c = strict_sympify(c, f"coefficient of ∂{z}", PDEError)
            if not isinstance(c, sympy.Expr) or c.has(*NON_FINITE):
                raise PDEError(f"coefficient of ∂{z} is {c!r}; expected a finite SymPy expression")
            out[z] = c
        object.__setattr__(self, "coefficients", out)

    def renamed(self, variables, parameters=()) -> VectorField:
        """This field on ``variables`` (the PDE's own symbols), matched **by name**.

        Symbols print by name only, so ``Symbol("x")`` and the parser's
        ``Symbol("x", real=True)`` look alike but differ; every key and every symbol of a
        coefficient is replaced by the variable or parameter of the same name, and a name
        that is neither raises :class:`~symgen.errors.PDEError`.

        >>> t, x = sympy.symbols("t x", real=True)
        >>> v = VectorField({sympy.Symbol("x"): sympy.Symbol("x")})
        >>> v.renamed([t, x]).coefficients == {x: x}
        True
        >>> v.renamed([t])
        Traceback (most recent call last):
        ...
        symgen.errors.PDEError: vector field x∂x uses x; the PDE's variables are t and its parameters none
        """
        known = {str(z): z for z in (*parameters, *variables)}
        used = set(self.coefficients) | set().union(*(c.free_symbols for c in self.coefficients.values()))
        unknown = sorted({str(z) for z in used} - set(known))
        if unknown:
            raise PDEError(f"vector field {self} uses {', '.join(unknown)}; the PDE's variables are "
                           f"{', '.join(map(str, variables))} and its parameters "
                           f"{', '.join(map(str, parameters)) or 'none'}")
        rename = {z: known[str(z)] for z in used}
        keys = [known[str(z)] for z in self.coefficients]
        if len(set(keys)) != len(keys):
            raise PDEError(f"vector field {self} gives two coefficients for one variable")
        return VectorField({rename[z]: c.xreplace(rename) for z, c in self.coefficients.items()})

    def __str__(self):
        parts = []
        for z, c in self.coefficients.items():
            c = sympy.factor(c)
            if c == 0:
                continue
            text = "" if c == 1 else "-" if c == -1 else (f"({c})" if isinstance(c, sympy.Add) else f"{c}")
            parts.append(f"{text}∂{z}")
        return " + ".join(parts).replace("+ -", "- ") or "0"

    def __call__(self, f):
        """The derivation ``v(f)``."""
        return sympy.expand(sum(c * sympy.diff(f, z) for z, c in self.coefficients.items()))

    def bracket(self, other) -> VectorField:
        """The Lie bracket ``[self, other]``; both fields must use the same symbols (a name
        standing for two different symbols raises :class:`~symgen.errors.PDEError`).

        >>> t, x = sympy.symbols("t x", real=True)
        >>> print(VectorField({t: 1, x: 0}).bracket(VectorField({t: 0, x: t})))
        ∂x
        """
        if not isinstance(other, VectorField):
            raise PDEError(f"the bracket takes two VectorFields, got {other!r}")
        seen: dict = {}
        for field in (self, other):
            for z in set(field.coefficients).union(*(c.free_symbols for c in field.coefficients.values())):
                if seen.setdefault(str(z), z) != z:
                    raise PDEError(f"[{self}, {other}]: two different symbols are named {z} (e.g. with "
                                   f"and without real=True); put both fields on the same symbols "
                                   f"with .renamed(...)")
        keys = list(dict.fromkeys([*self.coefficients, *other.coefficients]))
        zero = sympy.Integer(0)
        return VectorField({z: sympy.expand(self(other.coefficients.get(z, zero)) - other(self.coefficients.get(z, zero)))
                            for z in keys})


@dataclass(frozen=True)
class Symmetries:
    """Result of :func:`point_symmetries`: ``generators`` of the finite part (a sample of
    the algebra when ``dimension`` is ``None``), ``infinite_part`` (:class:`InfiniteFamily`
    tuples; ``infinite_description`` in words), the split ``determining_equations`` in
    ``xi_<x>``, ``phi_<u>`` and the ``assumptions`` the solution holds under (in words;
    ``nonzero``: the parameter expressions among them, each assumed ``≠ 0``, as SymPy
    expressions: the candidates of a group classification, :mod:`.classification`)."""

    generators: tuple
    dimension: int | None
    infinite: bool
    infinite_description: str
    determining_equations: tuple
    parsed: object = None
    infinite_part: tuple = ()
    assumptions: tuple = ()
    nonzero: tuple = ()

    def flow(self, i: int, eps):
        """``exp(ε v_i)`` as SymPy expressions of the variables (see :mod:`.flows`)."""
        from .flows import flow
        n = len(self.generators)
        if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < n:
            raise PDEError(f"generator index {i!r} out of range; the symmetries have {n} "
                           f"generators (0..{n - 1})")
        return flow(self.generators[int(i)], eps)

    def residual_ir(self, form: str = "prolonged"):
        """The symmetry residual of every generator as IR on jet variables (PINN symmetry
        losses, :func:`symgen.nn.symmetry_loss`): ``pr v_i(Δ)`` for ``form="prolonged"``,
        ``pr v_Q(Δ) = Σ_J D_J Q ∂Δ/∂u_J`` for ``"characteristic"``; see :mod:`.residuals`.

        >>> from symgen.pde import PDE
        >>> PDE("u_t = u_xx").symmetries().residual_ir("characteristic").ir
        Pointwise(characteristic_residual(t, x, u_t, u_tt, u_tx, u_txx, u_xx, u_xxx) -> 6 outputs)
        """
        from .residuals import check_form, symmetry_residual_ir
        built = self.__dict__.setdefault("_residual_irs", {})    # built once: PINN losses ask every step
        if check_form(form) not in built:
            built[form] = symmetry_residual_ir(self, form)
        return built[form]

    def determining_residuals(self, field) -> list:
        """The determining equations evaluated on ``field`` (``ξ``, ``φ`` replaced by its
        coefficients), each simplified exactly: all zero for a symmetry.

        >>> from symgen.pde import PDE
        >>> sym = PDE("u_t = u_xx").symmetries()
        >>> t, x, u = sympy.symbols("t x u", real=True)
        >>> set(sym.determining_residuals(VectorField({t: 2 * t, x: x, u: 0})))
        {0}
        """
        from .determining import normal
        if not isinstance(field, VectorField):
            raise PDEError(f"determining_residuals takes a VectorField, got {field!r}")
        names = [f"xi_{x}" for x in self.parsed.independent] + [f"phi_{u.func}" for u in self.parsed.dependent]
        Z = [*self.parsed.independent, *(sympy.Symbol(str(u.func), real=True) for u in self.parsed.dependent)]
        coeffs = field.renamed(Z, self.parsed.parameters).coefficients
        reps = {sympy.Function(n): sympy.Lambda(tuple(Z), coeffs.get(z, sympy.Integer(0))) for n, z in zip(names, Z)}
        return [normal(sympy.expand(e.subs(reps).doit())) for e in self.determining_equations]

    def commutator_table(self):
        """``[v_i, v_j] = Σ_k C[i][j][k] v_k`` (modulo the infinite part, if any)."""
        n = len(self.generators)
        zs = list(self.generators[0].coefficients) if n else []
        table = [[[sympy.Integer(0)] * n for _ in range(n)] for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                br = self.generators[i].bracket(self.generators[j])
                M, b = _span_system(self.generators, zs, br)
                try:
                    sol, free = M.gauss_jordan_solve(b)
                except ValueError:
                    if not self.infinite:
                        raise PDEError(f"[v{i}, v{j}] = {br} is not in the span of the generators") from None
                    continue
                sol = sol.subs({p: 0 for p in free})
                for k in range(n):
                    value = sympy.simplify(sol[k])
                    table[i][j][k], table[j][i][k] = value, -value
        return table


def _span_system(fields, zs, target=None, over=None):
    """``M c = b``: the exact linear conditions on constants ``c`` for
    ``Σ c_k fields[k] = target`` to hold identically in the variables ``zs`` (split over
    the variables as the determining equations are). ``over``: the variables to split over
    when the components ``zs`` are not themselves the variables."""
    from .determining import add_to, split
    names = [f"c{k}" for k in range(len(fields))]
    fvars = {name: frozenset() for name in [*names, "one"]}
    rows = []
    for z in zs:
        lin: dict = {}
        for name, f in zip(names, fields):
            add_to(lin, (name, ()), f.coefficients.get(z, sympy.Integer(0)))
        if target is not None:
            add_to(lin, ("one", ()), -target.coefficients.get(z, sympy.Integer(0)))
        rows += split(lin, (), fvars, set(zs if over is None else over))
    M = sympy.Matrix(len(rows), len(names), lambda r, k: rows[r].get((names[k], ()), 0))
    b = sympy.Matrix(len(rows), 1, lambda r, _: -rows[r].get(("one", ()), 0))
    return M, b


def leading_derivative(jet, eq):
    """The highest-order jet variable the equation can be solved for, and its solution.

    >>> import sympy
    >>> from symgen.algebra.pde.jet import Jet
    >>> jet = Jet(sympy.symbols("t x", real=True), ("u",))
    >>> u, u_t, u_xx = jet.var(0, ()), jet.var(0, (0,)), jet.var(0, (1, 1))
    >>> leading_derivative(jet, u_t - u * u_xx)       # u_xx's coefficient holds u
    (u_t, u*u_xx)
    """
    # highest order first, then most derivatives along the first variable (u_t of an
    # evolution system, so that a system's leaders are compatible), then by name
    candidates = sorted((s for s in eq.free_symbols if s in jet.index()),
                        key=lambda s: (-len(jet.index()[s][1]), -jet.index()[s][1].count(0), str(s)))
    eq = sympy.expand(eq)
    for s in candidates:
        if sympy.degree(eq, s) == 1:
            coeff = eq.coeff(s)
            if not coeff.free_symbols & set(jet.index()):
                return s, sympy.expand(-(eq - coeff * s) / coeff)
    for s in candidates:                    # e.g. Monge–Ampère: u_xx·u_yy, solved on u_yy ≠ 0
        if sympy.degree(eq, s) == 1 and not eq.coeff(s).has(s):
            coeff = eq.coeff(s)
            return s, sympy.expand(-(eq - coeff * s) / coeff)
    raise PDEError(f"cannot solve {eq} = 0 for a leading derivative: no derivative appears "
                   f"linearly")


def substitute_leading(jet, expr, leads):
    """Replace leading derivatives and their derivatives by the solved expressions
    (``leads``: pairs from :func:`leading_derivative`): ``expr`` on solutions of the PDE.

    >>> import sympy
    >>> from symgen.algebra.pde.jet import Jet
    >>> jet = Jet(sympy.symbols("t x", real=True), ("u",))
    >>> u_t, u_xx = jet.var(0, (0,)), jet.var(0, (1, 1))
    >>> substitute_leading(jet, jet.var(0, (0, 1)), [(u_t, u_xx)])     # u_tx = u_xxx on solutions
    u_xxx
    """
    for _ in range(8):
        reps = {}
        for s in expr.free_symbols:
            if s not in jet.index():
                continue
            a, J = jet.index()[s]
            for lead, sol in leads:
                la, LJ = jet.index()[lead]
                rest = list(J)
                if la == a and all(rest.count(i) >= LJ.count(i) for i in set(LJ)):
                    for i in LJ:
                        rest.remove(i)
                    value = sol
                    for i in rest:
                        value = jet.total_derivative(value, i)
                    reps[s] = value
                    break
        if not reps:
            return sympy.expand(expr)
        expr = sympy.expand(expr.xreplace(reps))
    raise PDEError("leading-derivative substitution did not terminate")


def _characteristic_derivatives(jet, xi, phi):
    """``(a, J) ↦ D_J Q_a`` for the characteristic ``Q_a = φ_a − Σ_i ξ^i u^a_i`` (cached)."""
    p = len(jet.x)
    Q = [sympy.expand(phi[a] - sum(xi[i] * jet.var(a, (i,)) for i in range(p))) for a in range(len(phi))]
    cache = {}

    def DQ(a, J):
        if (a, J) not in cache:
            cache[(a, J)] = Q[a] if not J else jet.total_derivative(DQ(a, J[:-1]), J[-1])
        return cache[(a, J)]

    return DQ


def prolonged_action(jet, eq, xi, phi):
    """``pr v (Δ)`` for infinitesimals ``xi`` (per independent) and ``phi`` (per dependent)."""
    p = len(jet.x)
    DQ = _characteristic_derivatives(jet, xi, phi)
    out = sum(xi[i] * sympy.diff(eq, jet.x[i]) for i in range(p))
    for s in list(eq.free_symbols):
        if s in jet.index():
            a, J = jet.index()[s]
            phiJ = DQ(a, J) + sum(xi[i] * jet.var(a, J + (i,)) for i in range(p))
            out += phiJ * sympy.diff(eq, s)
    return sympy.expand(out)


def characteristic_action(jet, eq, xi, phi):
    """``pr v_Q (Δ) = Σ_a Σ_J D_J Q_a ∂Δ/∂u^a_J``: the evolutionary (characteristic) form of
    ``v``, with ``Q_a = φ_a − Σ_i ξ^i u^a_i``. It differs from :func:`prolonged_action` by
    ``Σ_i ξ^i D_i Δ`` (``pr v = pr v_Q + Σ_i ξ^i D_i``), so it holds derivatives of ``Δ``
    one order higher: for ``v = ∂x`` it is ``−D_x Δ``.

    >>> import sympy
    >>> from symgen.algebra.pde.jet import Jet
    >>> jet = Jet(sympy.symbols("t x", real=True), ("u",))
    >>> heat = jet.var(0, (0,)) - jet.var(0, (1, 1))
    >>> characteristic_action(jet, heat, [0, 1], [0])                 # v = ∂x
    -u_tx + u_xxx
    >>> prolonged_action(jet, heat, [0, 1], [0])
    0
    """
    DQ = _characteristic_derivatives(jet, xi, phi)
    out = sympy.Integer(0)
    for s in list(eq.free_symbols):
        if s in jet.index():
            a, J = jet.index()[s]
            out += DQ(a, J) * sympy.diff(eq, s)
    return sympy.expand(out)


def _canonical(fields, variables):
    """A canonical basis of the span of ``fields``: with every coefficient a polynomial in
    the variables, the basis the polynomial solver returns (reduced on the last possible
    monomial coordinates, ordered by component, then degree); otherwise the fields as given."""
    rows = []
    try:
        for f in fields:
            row = {}
            for k, z in enumerate(variables):
                for monom, c in sympy.Poly(f.coefficients.get(z, 0), *variables).terms():
                    row[(k, sum(monom), tuple(i for i, e in enumerate(monom) for _ in range(e)))] = c
            rows.append(row)
    except sympy.polys.polyerrors.BasePolynomialError:
        return list(fields)
    keys = sorted(set().union(*rows))[::-1]
    if not keys:
        return list(fields)
    R, pivots = sympy.Matrix([[row.get(key, 0) for key in keys] for row in rows]).rref()
    out = []
    for i, p in sorted(enumerate(pivots), key=lambda ip: -ip[1]):
        coeffs = {z: sympy.Integer(0) for z in variables}
        for j, (k, _, idx) in enumerate(keys):
            if R[i, j] != 0:
                coeffs[variables[k]] += sympy.factor(R[i, j]) * sympy.Mul(*(variables[q] for q in idx))
        out.append(VectorField({z: sympy.expand(c) for z, c in coeffs.items()}))
    return out


def _independent(fields, variables):
    """A maximal subset linearly independent over the constants (first come, first kept)."""
    if not fields:
        return []
    M, _ = _span_system(fields, variables)
    if M.rows == 0:
        return []
    _, pivots = M.rref(simplify=True)
    return [fields[k] for k in pivots]


def _ansatz_factors(factors, variables) -> tuple:
    """The user's extra ansatz factors with their symbols renamed onto the PDE's variables."""
    by_name = {str(z): z for z in variables}
    out = []
    for f in factors:
        f = sympy.sympify(f) if isinstance(f, (int, float)) else f
        if not isinstance(f, sympy.Expr) or f.has(*NON_FINITE):
            raise PDEError(f"ansatz factors are finite SymPy expressions such as exp(t) or log(x), "
                           f"got {f!r}")
        unknown = {str(z) for z in f.free_symbols} - set(by_name)
        if unknown:
            raise PDEError(f"ansatz factor {f} uses {sorted(unknown)}; the PDE's variables are "
                           f"{sorted(by_name)}")
        out.append(f.xreplace({z: by_name[str(z)] for z in f.free_symbols}))
    return tuple(out)


def _leading(parsed):
    """Jet, equations on jet variables, solved leading derivatives and the conditions the
    solving assumed (``coefficient ≠ 0`` where the coefficient holds derivatives)."""
    jet = Jet(parsed.independent, [str(f.func) for f in parsed.dependent])
    eqs = [sympy.expand(jet.from_sympy(e, list(parsed.dependent))) for e in parsed.equations]
    leads, used, conditions = [], set(), []
    for eq in eqs:
        s, sol = leading_derivative(jet, eq)
        if s in used:
            raise PDEError(f"two equations solve for the same derivative {s}")
        used.add(s)
        leads.append((s, sol))
        coeff = sympy.expand(eq).coeff(s)
        if coeff.free_symbols & set(jet.index()):
            conditions.append(f"{coeff} ≠ 0 (solving {eq} = 0 for {s})")
    return jet, eqs, leads, conditions


@dataclass(frozen=True)
class InfiniteFamily:
    """Part of an infinite-dimensional symmetry algebra: the vector field ``field`` whose
    coefficients hold the arbitrary ``functions``, which must satisfy the linear PDEs
    ``equations`` (each ``= 0``; none: arbitrary).

    >>> from symgen.pde import PDE
    >>> fam = PDE("u_t = u_xx").symmetries().infinite_part[0]
    >>> print(fam)
    f1(t, x)∂u with f1 satisfying -Derivative(f1(t, x), t) + Derivative(f1(t, x), (x, 2)) = 0
    """

    field: VectorField
    functions: tuple
    equations: tuple

    def __str__(self):
        names = ", ".join(str(f.func) for f in self.functions)
        eqs = "; ".join(f"{e} = 0" for e in self.equations)
        return f"{self.field} with {names} " + (f"satisfying {eqs}" if eqs else "arbitrary")


def linear_expression(lin, Z, fvars, names=None):
    """A linear dict (:mod:`.determining`) as a SymPy expression in applied functions
    (``names`` renames them).

    >>> t = sympy.Symbol("t")
    >>> linear_expression({("F", (1,)): 2}, (t,), {"F": frozenset({0})})
    2*Derivative(F(t), t)
    """
    out = sympy.Integer(0)
    for (name, alpha), c in lin.items():
        f = sympy.Function((names or {}).get(name, name))(*[Z[i] for i in sorted(fvars[name])])
        pairs = [(Z[z], k) for z, k in enumerate(alpha) if k]
        out += c * (sympy.Derivative(f, *pairs) if pairs else f)
    return out


def _components(sol):
    """Functions grouped by the equations that couple them."""
    parent = {n: n for n in sol.fvars}

    def find(n):
        while parent[n] != n:
            n = parent[n]
        return n
    for eq in sol.equations:
        names = [k[0] for k in eq]
        for a in names[1:]:
            parent[find(a)] = find(names[0])
    groups: dict = {}
    for n in sol.fvars:
        groups.setdefault(find(n), []).append(n)
    return list(groups.values())


#: Degree of the polynomials that sample an infinite algebra with no separated finite part.
_SAMPLE_DEGREE = 2


def _classify(sol):
    """Functions in components with an infinite parametric set, and functions of finite
    type left unintegrated (each with their component)."""
    infinite, unresolved = set(), []
    for group in _components(sol):
        counts = {n: sol.parametric(n) for n in group}
        if any(c is None for c in counts.values()):
            infinite |= set(group)
        elif any(sol.fvars[n] for n in group):
            unresolved.append(group)
    return infinite, unresolved


def _finite_remainder(sol, unresolved, max_degree, parameters, Z, factors):
    """Integrate the finite-type functions the elimination left: their solution space has
    the dimension of the standard form (its number of parametric derivatives); polynomials
    in the variables and in the functions already present (``log x``, ``exp t``) of growing
    degree are tried until that many independent solutions are found."""
    from .elimination import undetermined_coefficients
    target = sum(sol.parametric(n) for group in unresolved for n in group)
    skip, _ = _classify(sol)
    names = [n for group in unresolved for n in group if sol.fvars[n]]
    for degree in range(1, max(max_degree, 2) + 1):
        trial = undetermined_coefficients(sol, names, degree, parameters, factors)
        infinite, still = _classify(trial)
        found = sum(1 for n, v in trial.fvars.items() if not v and n not in infinite)
        before = sum(1 for n, v in sol.fvars.items()
                     if not v and n not in skip and not any(n in g for g in unresolved))
        if not still and found - before == target:
            return trial, infinite
    eq = next((e for e in sol.equations if any(k[0] in names for k in e)), None)
    raise PDEError(f"the determining equations reduce to a finite-dimensional system "
                   f"({target} parameters) that symgen cannot integrate in closed form (tried "
                   f"integration, dsolve and polynomial solutions up to degree {max(max_degree, 2)}): "
                   f"{linear_expression(eq, Z, sol.fvars) if eq else names} = 0")


def _ideal_quotient(sol, infinite_names, parameters, factors, Z, names, nx, degree):
    """The finite part of an algebra whose infinite part is the ideal of fields ``α(x)·∂u``
    but whose standard form still mixes it with constants (an inhomogeneous linear equation:
    ``u_t = u_xx + 1``): the polynomial solutions of ``degree`` modulo those with ``ξ = 0``
    and ``∂φ/∂u = 0``."""
    from .elimination import undetermined_coefficients
    zero = (0,) * len(Z)
    trial = undetermined_coefficients(sol, sorted(n for n in infinite_names if sol.fvars[n]), degree,
                                      parameters, factors)
    W = _independent([VectorField({z: sympy.expand(trial.solution[name].get((c, zero), 0)) for z, name in zip(Z, names)})
                      for c in sorted((n for n, v in trial.fvars.items() if not v), key=str)], list(Z))
    pairs = [(a, b) for a in Z[nx:] for b in Z[nx:]]
    slots = [sympy.Dummy(f"d{a}_d{b}") for a, b in pairs]          # one component per ∂φ^a/∂u^b
    parts = [VectorField({**{x: w.coefficients.get(x, 0) for x in Z[:nx]},
                          **{d: sympy.diff(w.coefficients.get(a, 0), b) for d, (a, b) in zip(slots, pairs)}})
             for w in W]
    M, _ = _span_system(parts, list(Z[:nx]) + slots, over=Z)
    ideal = [VectorField({z: sympy.expand(sum(v[k] * w.coefficients.get(z, 0) for k, w in enumerate(W))) for z in Z})
             for v in (M.nullspace() if W else [])]
    return _independent(ideal + W, list(Z))[len(ideal):]


def _separated_finite_part(sol, infinite_names, parameters, factors, Z, names, nx, max_degree):
    """The finite part of an algebra whose ξ holds the infinite part's functions only
    through constants (see :func:`_ideal_quotient`), or ``None``: polynomial degrees grow
    until two in a row give the same number of generators."""
    constants = {n for n in infinite_names if not sol.fvars[n]}
    if not constants or any(k[0] in infinite_names and k[0] not in constants
                            for name in names[:nx] for k in sol.solution[name]):
        return None
    previous = None
    for degree in range(1, max(max_degree, 2) + 2):
        try:
            finite = _ideal_quotient(sol, infinite_names, parameters, factors, Z, names, nx, degree)
        except PDEError:            # the trial did not reduce: no finite part is claimed
            return None
        if previous is not None and len(finite) == len(previous):
            return finite
        previous = finite
    return None


def point_symmetries(parsed, max_degree: int = 4, factors=()) -> Symmetries:
    """Lie point symmetries of a parsed PDE by differential elimination (no ansatz).

    The determining equations (:mod:`.determining`) are brought to a standard form and
    integrated (:mod:`.elimination`). Constants of integration give the generators of the
    finite part; functions left arbitrary up to linear PDEs form the infinite part
    (:class:`InfiniteFamily`). When the infinite part enters only the ``∂u`` coefficients
    (superposition-like: an ideal) the finite dimension is reported, also when the standard
    form mixes that ideal with constants (``u_t = u_xx + 1``: the polynomial solutions modulo
    the fields ``α(x)·∂u``, counted until two degrees agree); otherwise (conformal,
    arbitrary functions of t in ξ) ``dimension`` is ``None`` and ``generators`` is a
    sample: the infinite part's functions as polynomials of degree ≤ 2 (times ``factors``).
    """
    from .determining import determining_equations
    from .elimination import solve_linear_system
    jet, eqs, leads, conditions = _leading(parsed)
    us = [jet.var(a, ()) for a in range(len(parsed.dependent))]
    factors = _ansatz_factors(factors, list(jet.x) + us)
    det, fvars = determining_equations(jet, eqs, leads)
    Z = tuple(jet.x) + tuple(us)
    names = [f"xi_{x}" for x in jet.x] + [f"phi_{u}" for u in us]
    zero = (0,) * len(Z)
    start = {name: {(name, zero): sympy.Integer(1)} for name in names}
    sol = solve_linear_system(det, Z, fvars, start, parsed.parameters)
    return symmetries_from_solution(parsed, jet, sol, tuple(linear_expression(e, Z, fvars) for e in det), conditions,
                                    max_degree, factors)


def symmetries_from_solution(parsed, jet, sol, determining, conditions=(), max_degree: int = 4,
                             factors=()) -> Symmetries:
    """The :class:`Symmetries` of a solved determining system: ``sol`` is the
    :class:`~.elimination.LinearSolution` expressing ``xi_<x>``, ``phi_<u>`` (what
    :func:`point_symmetries` and a group classification's generic case produce);
    ``determining``: the determining equations as SymPy expressions; ``conditions``: the
    assumptions made before solving, in words."""
    us = [jet.var(a, ()) for a in range(len(parsed.dependent))]
    factors = _ansatz_factors(factors, list(jet.x) + us)
    Z = tuple(jet.x) + tuple(us)
    names = [f"xi_{x}" for x in jet.x] + [f"phi_{u}" for u in us]
    zero = (0,) * len(Z)
    infinite_names, unresolved = _classify(sol)
    if unresolved:
        sol, infinite_names = _finite_remainder(sol, unresolved, max_degree, parsed.parameters, Z, factors)
    constants = sorted((n for n in sol.fvars if not sol.fvars[n] and n not in infinite_names), key=str)
    fields = [VectorField({z: sympy.expand(sol.solution[name].get((c, zero), 0))
                           for z, name in zip(Z, names)}) for c in constants]
    finite = _canonical(_independent(fields, list(Z)), list(Z))
    families = []
    if infinite_names:
        groups = [sorted(g, key=lambda n: int(n[1:]) if n[1:].isdigit() else 0) for g in _components(sol)
                  if set(g) & infinite_names]
        rename = {n: f"f{i + 1}" for i, n in enumerate(n for g in groups for n in g)}
        for group in groups:
            field = VectorField({z: linear_expression({k: c for k, c in sol.solution[name].items() if k[0] in group},
                                             Z, sol.fvars, rename) for z, name in zip(Z, names)})
            funcs = tuple(sympy.Function(rename[n])(*[Z[i] for i in sorted(sol.fvars[n])]) for n in group)
            eqs_g = tuple(linear_expression(e, Z, sol.fvars, rename) for e in sol.equations if {k[0] for k in e} & set(group))
            families.append(InfiniteFamily(field, funcs, eqs_g))
    separated = all(not any(k[0] in infinite_names for k in sol.solution[name]) for name in names[:len(jet.x)])
    assumptions = tuple(conditions) + tuple(f"{a} ≠ 0" for a in sol.assumptions)
    nonzero = tuple(a for a in sol.assumptions if a.free_symbols <= set(parsed.parameters))
    desc = "; ".join(map(str, families))
    if families and not separated:
        split_off = _separated_finite_part(sol, infinite_names, parsed.parameters, factors, Z, names, len(jet.x),
                                           max_degree)
        if split_off is not None:
            finite, separated = _canonical(split_off, list(Z)), True
    if families and not separated:
        # a sample of the infinite algebra: its functions as polynomials of degree ≤ 2
        from .elimination import undetermined_coefficients
        trial = undetermined_coefficients(sol, sorted(n for n in infinite_names if sol.fvars[n]), _SAMPLE_DEGREE,
                                          parsed.parameters, factors)
        fields = [VectorField({z: sympy.expand(trial.solution[name].get((c, zero), 0)) for z, name in zip(Z, names)})
                  for c in sorted(n for n, v in trial.fvars.items() if not v)]
        finite = _canonical(_independent(fields, list(Z)), list(Z))
    return Symmetries(generators=tuple(finite), dimension=None if families and not separated else len(finite),
                      infinite=bool(families), infinite_description=desc, determining_equations=tuple(determining),
                      parsed=parsed, infinite_part=tuple(families), assumptions=assumptions,
                      nonzero=nonzero)
