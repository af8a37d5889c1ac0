"""Lie point symmetries of a PDE: prolongation, determining equations, polynomial solve.

For ``v = Σ ξ^i(x, u) ∂_{x^i} + Σ φ_a(x, u) ∂_{u^a}`` the prolongation acts on the
equation; after substituting the solved leading derivative (and its differential
consequences) the result must vanish for every value of the remaining (parametric)
derivatives: their coefficients are the determining equations.

This session's solver looks for ξ, φ polynomial in (x, u) of growing degree: with each
degree the determining equations become a linear system over exact coefficients, whose
null space is computed exactly. A linear PDE (every equation affine in the field and its
derivatives) has the superposition symmetries ``α(x)∂u``, ``α`` any solution of its
homogeneous part: they form the infinite-dimensional part, recognised from the equation
itself, and are split off. The finite part is reported once its dimension is the same for
two consecutive degrees; when it keeps growing the algebra is reported as infinite (e.g.
conformal). Symmetries that are not polynomial in (x, u) (e.g. with ``exp(t)``, or
``exp(-u)α∂u`` of the potential Burgers equation) are not found by this solver.

Parameters stay symbolic. A power with a symbolic exponent, ``u**n``, is split as a new
variable ``W = u**n`` independent of u: the result holds for *generic* parameter values
(special values such as n = -4/3 for ``u_t = (u**n u_x)_x`` can admit more generators).

>>> from symgen.algebra.pde.parse import parse_pde
>>> sym = point_symmetries(parse_pde("u_t + u*u_x - u_xx"))
>>> sym.dimension, sym.infinite
(5, False)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from itertools import combinations_with_replacement

import sympy

from ..._sympify import strict_sympify
from ..._validate import NON_FINITE
from ...errors import PDEError
from .jet import Jet

__all__ = ["VectorField", "Symmetries", "point_symmetries", "prolonged_action", "leading_derivative",
           "substitute_leading"]


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
    """Result of :func:`point_symmetries`."""

    generators: tuple
    dimension: int | None
    infinite: bool
    infinite_description: str
    determining_equations: tuple
    degree: int
    parsed: object = None
    infinite_part: tuple = ()
    assumptions: tuple = ()

    def flow(self, i: int, eps):
        """``exp(ε v_i)`` as SymPy expressions of the variables (see :mod:`.flows`)."""
        from .flows import flow
        n = len(self.generators)
        if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < n:
            raise PDEError(f"generator index {i!r} out of range; the symmetries have {n} "
                           f"generators (0..{n - 1})")
        return flow(self.generators[int(i)], eps)

    def residual_ir(self):
        """``pr v_i(Δ)`` of every generator as IR on jet variables (PINN symmetry losses,
        :func:`symgen.nn.symmetry_loss`); see :mod:`.residuals`."""
        found = self.__dict__.get("_residual_ir")    # built once: PINN losses ask every step
        if found is None:
            from .residuals import symmetry_residual_ir
            found = self.__dict__["_residual_ir"] = symmetry_residual_ir(self)
        return found

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


def _span_system(fields, zs, target=None):
    """``M c = b``: the exact linear conditions on constants ``c`` for
    ``Σ c_k fields[k] = target`` to hold identically in the variables ``zs`` (split over
    the variables as the determining equations are)."""
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
        rows += split(lin, (), fvars, set(zs))
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
    for s in candidates:
        if sympy.degree(eq, s) == 1:
            coeff = eq.coeff(s)
            if not coeff.free_symbols & set(jet.index()):
                return s, sympy.expand(sympy.solve(eq, s)[0])
    for s in candidates:                    # e.g. Monge–Ampère: u_xx·u_yy, solved on u_yy ≠ 0
        if sympy.degree(eq, s) == 1 and not eq.coeff(s).has(s):
            return s, sympy.expand(sympy.solve(eq, s)[0])
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


def prolonged_action(jet, eq, xi, phi):
    """``pr v (Δ)`` for infinitesimals ``xi`` (per independent) and ``phi`` (per dependent)."""
    p = len(jet.x)
    Q = [sympy.expand(phi[a] - sum(xi[i] * jet.var(a, (i,)) for i in range(p))) for a in range(len(phi))]
    cache = {}

    def DQ(a, J):
        if (a, J) not in cache:
            cache[(a, J)] = Q[a] if not J else jet.total_derivative(DQ(a, J[:-1]), J[-1])
        return cache[(a, J)]

    out = sum(xi[i] * sympy.diff(eq, jet.x[i]) for i in range(p))
    for s in list(eq.free_symbols):
        if s in jet.index():
            a, J = jet.index()[s]
            phiJ = DQ(a, J) + sum(xi[i] * jet.var(a, J + (i,)) for i in range(p))
            out += phiJ * sympy.diff(eq, s)
    return sympy.expand(out)


def _monomials(variables, degree):
    return [sympy.Mul(*m) for d in range(degree + 1) for m in combinations_with_replacement(variables, d)]


def _generic_powers(expr, atoms):
    """``z**(c·n + d)`` with a symbolic exponent becomes ``W**c · z**d``, ``W`` a new symbol
    standing for ``z**n``: for generic parameter values ``W`` is algebraically independent
    of ``z``, so the determining equations split over its powers too."""
    def split(power):
        d, rest = power.exp.as_coeff_add()
        c, symbolic = sympy.Add(*rest).as_coeff_Mul()
        if not c.is_Integer:
            c, symbolic = sympy.Integer(1), sympy.Add(*rest)
        w = atoms.setdefault((power.base, symbolic), sympy.Dummy(f"W{len(atoms)}"))
        return w ** c * power.base ** d

    return expr.replace(lambda a: a.is_Pow and not a.exp.is_number and a.base.is_Symbol, split)


def _column(jet, eqs, leads, mono, k, n_vars, atoms):
    """``pr v(Δ)`` after substitution for the one-component field ``mono ∂z_k``, as a dict
    {monomial in the jet variables: coefficient} per equation."""
    p = len(jet.x)
    comps = [mono if q == k else sympy.Integer(0) for q in range(n_vars)]
    out = []
    for eq in eqs:
        expr = substitute_leading(jet, prolonged_action(jet, eq, comps[:p], comps[p:]), leads)
        for f in expr.atoms(sympy.Function):
            atoms.setdefault(f, sympy.Dummy(f"f{len(atoms)}"))
        expr = sympy.expand(_generic_powers(expr.xreplace(atoms), atoms))
        out.append((expr, sympy.Integer(1)) if not any(a.is_Pow and a.exp.is_negative for a in expr.atoms(sympy.Pow))
                   else sympy.together(expr).as_numer_denom())
    return out


def _solve_degree(jet, eqs, leads, degree, us, params, cache, factors=()):
    """Null space of the determining equations for ξ, φ polynomial of ``degree`` (plus
    polynomials times each of ``factors``).

    The prolongation is linear in the field, so it is computed once per one-component
    field ``monomial · ∂z`` (cached across degrees) and each gives one column.
    """
    variables = list(jet.x) + us
    monos = _monomials(variables, degree)
    monos += [m * f for f in factors for m in monos]
    keys = [(m, k) for k in range(len(variables)) for m in monos]
    atoms = cache.setdefault("atoms", {})
    for key in keys:
        if key not in cache:
            cache[key] = _column(jet, eqs, leads, key[0], key[1], len(variables), atoms)
    coeffs = sympy.symbols(f"c0:{len(keys)}")
    # one common denominator per equation (from solving for the leading derivative)
    common = [sympy.lcm_list([cache[key][e][1] for key in keys]) for e in range(len(eqs))]
    exprs = {key: [num if den == common[e] == 1 else sympy.expand(sympy.cancel(num * common[e] / den))
                   for e, (num, den) in enumerate(cache[key])] for key in keys}
    gens = sorted(set().union(*(e.free_symbols for key in keys for e in exprs[key]))
                  - set(params), key=str)
    rows: dict = {}
    try:
        for col, key in enumerate(keys):
            for e_idx, expr in enumerate(exprs[key]):
                if expr == 0:
                    continue
                for monom, c in sympy.Poly(expr, *gens).terms():
                    rows.setdefault((e_idx, monom), {})[col] = c
    except sympy.PolynomialError as exc:
        raise PDEError(f"the determining equations are not polynomial in the jet variables "
                       f"({exc})") from exc
    A = sympy.zeros(len(rows), len(keys))
    for r, entries in enumerate(rows.values()):
        for col, c in entries.items():
            A[r, col] = c
    det = [sum(A[r, col] * coeffs[col] for col in rows_cols) for r, rows_cols in
           enumerate(entries.keys() for entries in rows.values())]
    null = A.nullspace() if A.rows else [sympy.eye(len(keys))[:, q] for q in range(len(keys))]
    fields = []
    for vec in null:
        field = {z: sympy.Integer(0) for z in variables}
        for (m, k), c in zip(keys, vec):
            if c != 0:
                field[variables[k]] += c * m
        fields.append(VectorField({z: sympy.expand(v) for z, v in field.items()}))
    return fields, det


def _is_linear(jet, eqs) -> bool:
    """Every equation affine in the jet variables (the field and its derivatives), and at
    least two independent variables, so the superposition part is infinite-dimensional."""
    if len(jet.x) < 2:
        return False
    jet_vars = list(jet.index())
    try:
        return all(sympy.Poly(eq, *jet_vars).total_degree() <= 1 for eq in eqs)
    except sympy.PolynomialError:                    # e.g. sin(u): not polynomial in u
        return False


def _trivial(field, jet, us):
    """``α(x) ∂u`` with ``α`` free of u: the superposition part of a linear PDE."""
    return all(field.coefficients[x] == 0 for x in jet.x) and all(
        not field.coefficients[u].free_symbols & set(us) for u in us)


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


def polynomial_symmetries(parsed, max_degree: int = 4, factors=()) -> Symmetries:
    """Lie point symmetries polynomial in (x, u) up to ``max_degree`` (the ansatz solver).

    ``factors`` widens the polynomial ansatz: ξ, φ are sought as polynomials plus
    polynomials times each factor, e.g. ``[exp(t), exp(-t), exp(2*t), exp(-2*t)]`` for the
    Fokker–Planck equation or ``[log(x)]`` for Black–Scholes. Distinct exponentials and
    powers of logarithms are linearly independent over the polynomials, so the
    determining equations still split term by term."""
    jet, eqs, leads, _ = _leading(parsed)
    us = [jet.var(a, ()) for a in range(len(parsed.dependent))]
    variables = list(jet.x) + us
    linear = _is_linear(jet, eqs)
    factors = _ansatz_factors(factors, variables)
    history, cache = [], {}
    for degree in range(1, max_degree + 1):
        fields, det = _solve_degree(jet, eqs, leads, degree, us, parsed.parameters, cache, factors)
        trivial = [f for f in fields if linear and _trivial(f, jet, us)]
        finite = _independent(trivial + [f for f in fields if f not in trivial], variables)
        finite = finite[len(_independent(trivial, variables)):]
        history.append((len(finite), len(trivial), finite, det))
        if len(history) >= 2 and history[-1][0] == history[-2][0] and degree >= 2:
            break
    n_fin, n_triv, finite, det = history[-1]
    stable = len(history) >= 2 and history[-1][0] == history[-2][0]
    names = ", ".join(map(str, jet.x))
    if not stable:
        desc = (f"generators keep appearing up to degree {max_degree} in ({names}, u): an "
                f"infinite-dimensional algebra (e.g. conformal), finite part not separated")
    elif linear:
        alphas = " + ".join(f"α{'_' + str(a) if len(us) > 1 else ''}({names})∂{u}" for a, u in enumerate(us))
        desc = f"{alphas} with α any solution of the homogeneous linear PDE (superposition)"
    else:
        desc = ""
    return Symmetries(tuple(finite), n_fin if stable else None, bool(desc), desc, tuple(det),
                      len(history), parsed)


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

    >>> fam = PDE("u_t = u_xx").symmetries().infinite_part[0]
    >>> print(fam)
    F1(t, x)∂u with F1 satisfying -Derivative(F1(t, x), (x, 2)) + Derivative(F1(t, x), t) = 0
    """

    field: VectorField
    functions: tuple
    equations: tuple

    def __str__(self):
        names = ", ".join(str(f.func) for f in self.functions)
        eqs = "; ".join(f"{e} = 0" for e in self.equations)
        return f"{self.field} with {names} " + (f"satisfying {eqs}" if eqs else "arbitrary")


def _to_expr(lin, Z, fvars):
    out = sympy.Integer(0)
    for (name, alpha), c in lin.items():
        f = sympy.Function(name)(*[Z[i] for i in sorted(fvars[name])])
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


def _finite_remainder(sol, unresolved, max_degree, parameters, Z):
    """Integrate the finite-type functions the elimination left: their solution space has
    the dimension of the standard form (its number of parametric derivatives); polynomials
    in the variables and in the functions already present (``log x``, ``exp t``) of growing
    degree are tried until that many independent solutions are found."""
    from .elimination import undetermined_coefficients
    target = sum(sol.parametric(n) for group in unresolved for n in group)
    skip, _ = _classify(sol)
    names = [n for group in unresolved for n in group if sol.fvars[n]]
    for degree in range(1, max(max_degree, 2) + 1):
        trial = undetermined_coefficients(sol, names, degree, parameters)
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
                   f"{_to_expr(eq, Z, sol.fvars) if eq else names} = 0")


def point_symmetries(parsed, max_degree: int = 4, factors=()) -> Symmetries:
    """Lie point symmetries of a parsed PDE by differential elimination (no ansatz).

    The determining equations (:mod:`.determining`) are brought to a standard form and
    integrated (:mod:`.elimination`). Constants of integration give the generators of the
    finite part; functions left arbitrary up to linear PDEs form the infinite part
    (:class:`InfiniteFamily`). When the infinite part enters only the ``∂u`` coefficients
    (superposition-like: an ideal) the finite dimension is reported; otherwise (conformal,
    arbitrary functions of t in ξ) ``dimension`` is ``None`` and ``generators`` is a
    polynomial sample found with the ansatz of :func:`polynomial_symmetries` (``max_degree``,
    ``factors``).
    """
    from .determining import determining_equations
    from .elimination import solve_linear_system
    jet, eqs, leads, conditions = _leading(parsed)
    det, fvars = determining_equations(jet, eqs, leads)
    us = [jet.var(a, ()) for a in range(len(parsed.dependent))]
    Z = tuple(jet.x) + tuple(us)
    names = [f"xi_{x}" for x in jet.x] + [f"phi_{u}" for u in us]
    zero = (0,) * len(Z)
    start = {name: {(name, zero): sympy.Integer(1)} for name in names}
    det_exprs = tuple(_to_expr(e, Z, fvars) for e in det)
    sol = solve_linear_system(det, Z, fvars, start, parsed.parameters)
    infinite_names, unresolved = _classify(sol)
    if unresolved:
        sol, infinite_names = _finite_remainder(sol, unresolved, max_degree, parsed.parameters, Z)
    constants = sorted((n for n in sol.fvars if not sol.fvars[n] and n not in infinite_names), key=str)
    fields = [VectorField({z: sympy.expand(sol.solution[name].get((c, zero), 0))
                           for z, name in zip(Z, names)}) for c in constants]
    finite = _independent(fields, list(Z))
    families = []
    if infinite_names:
        for group in _components(sol):
            if not set(group) & infinite_names:
                continue
            field = VectorField({z: _to_expr({k: c for k, c in sol.solution[name].items() if k[0] in group},
                                             Z, sol.fvars) for z, name in zip(Z, names)})
            funcs = tuple(sympy.Function(n)(*[Z[i] for i in sorted(sol.fvars[n])]) for n in sorted(group))
            eqs_g = tuple(_to_expr(e, Z, sol.fvars) for e in sol.equations if {k[0] for k in e} & set(group))
            families.append(InfiniteFamily(field, funcs, eqs_g))
    separated = all(not any(k[0] in infinite_names for k in sol.solution[name]) for name in names[:len(jet.x)])
    assumptions = tuple(conditions) + tuple(f"{a} ≠ 0" for a in sol.assumptions)
    desc = "; ".join(map(str, families))
    if families and not separated:
        sample = polynomial_symmetries(parsed, max_degree, factors)
        finite = list(sample.generators)
    return Symmetries(tuple(finite), None if families and not separated else len(finite), bool(families),
                      desc, det_exprs, 0, parsed, tuple(families), assumptions)
