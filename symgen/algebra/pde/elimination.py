"""Solve a linear homogeneous PDE system (the determining equations) by integration and
differential elimination.

The classical loop of Lie-symmetry programs (Reid's standard form, Head's LIE): equations
are linear dicts ``{(function, α): coefficient}`` (see :mod:`.determining`), ranked by an
orderly ranking (total order, then functions of more variables, then name and ``α``).

1. *Reduce*: Gaussian elimination on the leading derivatives, every equation monic and no
   term of one a derivative of another's leader (autoreduction).
2. *Integrate* what can be read off: ``F = Σ c G`` (substitute), ``∂^k_v F = 0`` (``F``
   polynomial in ``v`` with new functions of the other variables), ``∂_v F = Σ c G`` with the ``G`` free of ``v`` (integrate ``c`` in ``v``), and a
   linear ODE in one variable for one function (``dsolve``). Substituting may leave
   equations whose coefficients depend on a variable none of their functions does: they
   are split again (:func:`.determining.split`).
3. *Complete*: when nothing integrates, cross-derivatives of equations with leaders on the
   same function (integrability conditions), reduced; new ones go back to 1.

It ends in a standard form: no integrable equation and no new integrability condition. A
function whose parametric derivatives (those no leader divides) are infinitely many is
arbitrary up to its equations: an infinite part. Divisions by a coefficient that vanishes
for special parameter values are recorded (the result holds for generic parameters).

>>> import sympy
>>> t = sympy.Symbol("t")
>>> fvars = {"F": frozenset({0})}
>>> sol = solve_linear_system([{("F", (2,)): 1, ("F", (0,)): -1}], (t,), fvars, {"F": {("F", (0,)): 1}})
>>> sorted(map(str, sol.solution["F"].values()))
['exp(-t)', 'exp(t)']
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import sympy

from ...errors import PDEError
from .determining import add_to, diff_linear, normal, split, substitute

__all__ = ["solve_linear_system", "LinearSolution", "undetermined_coefficients", "generic_integral"]

#: Rounds of the reduce / integrate / complete loop before giving up.
MAX_ROUNDS = 400
_DSOLVED: dict = {}
#: ``dsolve`` methods tried for linear ODEs (others can run for minutes).
_HINTS = ("1st_linear", "nth_linear_constant_coeff_homogeneous", "nth_linear_euler_eq_homogeneous",
          "nth_linear_constant_coeff_undetermined_coefficients",
          "nth_linear_euler_eq_nonhomogeneous_undetermined_coefficients",
          "nth_linear_constant_coeff_variation_of_parameters",
          "nth_linear_euler_eq_nonhomogeneous_variation_of_parameters")
_UNDETERMINED = ("nth_linear_constant_coeff_homogeneous", "nth_linear_euler_eq_homogeneous",
                 "nth_linear_constant_coeff_undetermined_coefficients",
                 "nth_linear_euler_eq_nonhomogeneous_undetermined_coefficients")


@dataclass
class LinearSolution:
    """``solution``: each original unknown as a linear dict in the remaining functions;
    ``equations``: the standard form those functions satisfy; ``fvars``: their variables;
    ``assumptions``: coefficients divided by that vanish for special parameter values."""

    solution: dict
    equations: list
    fvars: dict
    Z: tuple
    assumptions: list = field(default_factory=list)

    def parametric(self, name) -> int | None:
        """Number of parametric derivatives of a function (``None``: infinitely many)."""
        leaders = [lead[1] for lead in (_leader(e, self.fvars) for e in self.equations) if lead[0] == name]
        vs = sorted(self.fvars[name])
        for z in vs:
            if not any(a[z] > 0 and all(a[w] == 0 for w in range(len(a)) if w != z) for a in leaders):
                return None
        bound = [min(a[z] for a in leaders if a[z] > 0 and sum(a) == a[z]) for z in vs]
        count = 0
        for point in itertools.product(*(range(b) for b in bound)):
            alpha = [0] * (len(leaders[0]) if leaders else 0)
            for z, k in zip(vs, point):
                alpha[z] = k
            if not any(all(alpha[w] >= a[w] for w in range(len(a))) for a in leaders):
                count += 1
        return count if vs else (0 if leaders else 1)


def _rank(key, fvars):
    name, alpha = key
    return (sum(alpha), len(fvars[name]), name, alpha)


def _leader(eq, fvars):
    return max(eq, key=lambda k: _rank(k, fvars))


def _divides(beta, alpha):
    return all(a >= b for a, b in zip(alpha, beta))


class _Solver:
    def __init__(self, Z, fvars, solution, parameters):
        self.Z, self.fvars, self.solution = Z, dict(fvars), solution
        self.parameters = set(parameters)
        self.splittable = set(Z)
        self.assumptions: list = []
        self.counter = 0

    # -- linear algebra on equations ---------------------------------------------------
    def monic(self, eq):
        eq = {k: n for k, c in eq.items() if (n := normal(c)) != 0}
        if not eq:
            return eq
        lead = _leader(eq, self.fvars)
        piv = eq[lead]
        if piv != 1:
            if piv.free_symbols & self.parameters:
                self._assume(piv)
            eq = {k: normal(c / piv) for k, c in eq.items()}
        return eq

    def _assume(self, piv):
        try:
            factors = [f for f, _ in sympy.factor_list(sympy.numer(sympy.together(piv)))[1]]
        except (TypeError, sympy.polys.polyerrors.BasePolynomialError):
            factors = [piv]
        for f in factors:
            if f.free_symbols & self.parameters and not f.free_symbols - self.parameters and \
                    f not in self.assumptions:
                self.assumptions.append(f)

    def derivative(self, eq, beta):
        for z, k in enumerate(beta):
            for _ in range(k):
                eq = diff_linear(eq, z, self.Z, self.fvars)
        return eq

    def reduce(self, eq, basis):
        """``eq`` reduced by the monic ``basis`` (dict leader -> equation)."""
        eq = {k: c for k, c in eq.items() if c != 0}
        for _ in range(100_000):
            eq = {k: n for k, c in eq.items() if (n := normal(c)) != 0}
            best = None
            for key in eq:
                name, alpha = key
                for (bn, beta), b in basis.items():
                    if bn == name and _divides(beta, alpha):
                        if best is None or _rank(key, self.fvars) > _rank(best[0], self.fvars):
                            best = (key, beta, b)
                        break
            if best is None:
                return eq
            key, beta, b = best
            c = eq[key]
            step = self.derivative(b, tuple(a - bb for a, bb in zip(key[1], beta)))
            for k, v in step.items():
                eq[k] = eq.get(k, 0) - c * v
        raise PDEError("differential elimination did not terminate while reducing an equation")

    def autoreduce(self, eqs):
        basis: dict = {}
        queue = list(eqs)
        while queue:
            eq = self.monic(self.reduce(queue.pop(), basis))
            if not eq:
                continue
            lead = _leader(eq, self.fvars)
            for other in list(basis):
                if other[0] == lead[0] and _divides(lead[1], other[1]):
                    queue.append(basis.pop(other))
            basis[lead] = eq
        # tail reduction: no term of an equation is a derivative of another leader
        for lead in sorted(basis, key=lambda k: _rank(k, self.fvars)):
            others = {k: e for k, e in basis.items() if k != lead}
            basis[lead] = self.monic(self.reduce(basis[lead], others))
        return basis

    # -- integration ----------------------------------------------------------------------
    def new_function(self, variables):
        self.counter += 1
        name = f"F{self.counter}"
        self.fvars[name] = frozenset(variables)
        return name

    def integrable(self, eq):
        """``(name, value)``: an equation that gives a function explicitly, or None."""
        lead = _leader(eq, self.fvars)
        name, alpha = lead
        fv = self.fvars[name]
        others = [k for k in eq if k != lead]
        zero = (0,) * len(self.Z)
        symbols = {s for c in eq.values() for s in c.free_symbols} & set(self.Z)
        within = symbols <= {self.Z[z] for z in fv}
        if sum(alpha) == 0 and within and all(self.fvars[k[0]] <= fv for k in others):
            return name, {k: -c for k, c in eq.items() if k != lead}
        support = [z for z, k in enumerate(alpha) if k]
        if not others and len(support) == 1:
            # ∂^k_v F = 0 along one variable (a mixed ∂_x∂_y F = 0 is left to elimination:
            # F = A(x) + B(y) would not be unique, and the dimension count would suffer)
            z = support[0]
            value: dict = {}
            for j in range(alpha[z]):
                add_to(value, (self.new_function(fv - {z}), zero), self.Z[z] ** j)
            return name, value
        if len(support) == 1 and within:
            z = support[0]
            v = self.Z[z]
            if alpha[z] == 1 and all(self.fvars[k[0]] <= fv - {z} for k in others):
                value = {(self.new_function(fv - {z}), zero): sympy.Integer(1)}
                for k in others:
                    integral = generic_integral(-eq[k], v, self.parameters, self._assume)
                    if integral.has(sympy.Integral):
                        return None
                    add_to(value, k, integral)
                return name, value
        return self._solved_for_undifferentiated(eq) or self._ode(eq)

    def _solved_for_undifferentiated(self, eq):
        """``c·G + (terms of functions of a subset of G's variables) = 0`` with ``G``
        undifferentiated and nowhere else in the equation: ``G`` is that expression."""
        symbols = {s for c in eq.values() for s in c.free_symbols} & set(self.Z)
        for key in sorted(eq, key=lambda k: _rank(k, self.fvars), reverse=True):
            name, alpha = key
            fv = self.fvars[name]
            if sum(alpha) or any(k[0] == name for k in eq if k != key):
                continue
            if symbols <= {self.Z[z] for z in fv} and all(self.fvars[k[0]] <= fv for k in eq):
                c = eq[key]
                if c.free_symbols & self.parameters:
                    self._assume(c)
                return name, {k: normal(-v / c) for k, v in eq.items() if k != key}
        return None

    def _ode(self, eq):
        """A linear ODE in one variable ``v`` for one function ``F`` (derivatives along
        ``v`` only), the other terms functions free of ``v``: ``dsolve`` with those terms
        as symbols gives ``F`` as constants of integration (new functions) plus them."""
        lead = _leader(eq, self.fvars)
        name, alpha = lead
        support = [z for z, k in enumerate(alpha) if k]
        if len(support) != 1:
            return None
        z = support[0]
        v = self.Z[z]
        fv = self.fvars[name]
        own = [k for k in eq if k[0] == name]
        others = [k for k in eq if k[0] != name]
        if any(k[1][z] != sum(k[1]) for k in own) or any(self.fvars[k[0]] > fv - {z} or
                                                             not self.fvars[k[0]] <= fv - {z} for k in others):
            return None
        if {s for c in eq.values() for s in c.free_symbols} & (set(self.Z) - {v}):
            return None
        if not all(eq[k].is_rational_function(v) for k in own):
            return None         # dsolve on exp/log coefficients can run for minutes
        # inhomogeneous terms that are not rational: only methods without integrals
        allowed = _HINTS if all(eq[k].is_rational_function(v) for k in others) else _UNDETERMINED
        for k in own:
            if eq[k].free_symbols & self.parameters:
                self._assume(eq[k])
        quick = _linear_ode(eq, own, others, z, v, lambda e, w: generic_integral(e, w, self.parameters, self._assume))
        if quick is not None:
            basis, particular = quick
            value: dict = {}
            zero = (0,) * len(self.Z)
            for b in basis:
                add_to(value, (self.new_function(fv - {z}), zero), b)
            for k, b in zip(others, particular):
                add_to(value, k, b)
            return name, value
        y = sympy.Function("y")
        slots = [sympy.Dummy(f"P{i}") for i in range(len(others))]
        ode = sum(eq[k] * y(v).diff(v, k[1][z]) for k in own) + sum(eq[k] * p for k, p in zip(others, slots))
        key = sympy.srepr(ode.xreplace({p: sympy.Symbol(f"_P{i}") for i, p in enumerate(slots)}))
        if key not in _DSOLVED:
            sol = None
            try:
                hints = [h for h in sympy.classify_ode(ode, y(v)) if h in allowed]
                if hints:
                    sol = sympy.dsolve(ode, y(v), hint=hints[0], simplify=False)
            except (NotImplementedError, ValueError):
                pass
            _DSOLVED[key] = sol
        sol = _DSOLVED[key]
        if sol is None or isinstance(sol, list) or sol.rhs.has(sympy.Integral):
            return None
        rhs = sympy.expand(sol.rhs)
        constants = sorted(rhs.free_symbols - set(self.Z) - self.parameters - set(slots), key=str)
        basis = [sympy.diff(rhs, C) for C in constants] + [sympy.diff(rhs, p) for p in slots]
        if len(constants) != alpha[z] or any(b.has(*constants, *slots) for b in basis):
            return None
        zero = (0,) * len(self.Z)
        value: dict = {}
        for b in basis[:len(constants)]:
            add_to(value, (self.new_function(fv - {z}), zero), b)
        for k, b in zip(others, basis[len(constants):]):
            add_to(value, k, b)
        return name, value

    def substitute(self, eqs, name, value):
        cache: dict = {}
        out = []
        for eq in eqs:
            if any(k[0] == name for k in eq):
                eq = substitute(eq, name, value, self.Z, self.fvars, cache)
                out += split(eq, self.Z, self.fvars, self.splittable)
            else:
                out.append(eq)
        self.solution = {orig: substitute(lin, name, value, self.Z, self.fvars, cache)
                         for orig, lin in self.solution.items()}
        return out

    # -- completion -----------------------------------------------------------------------
    def integrability_conditions(self, basis):
        out = []
        items = sorted(basis.items(), key=lambda kv: _rank(kv[0], self.fvars))
        for lead, eq in items:
            # a leader free of z: ∂_z of the (monic) equation no longer holds it
            fv = self.fvars[lead[0]]
            involved = {s for c in eq.values() for s in c.free_symbols}
            for z, v in enumerate(self.Z):
                if z in fv or not (v in involved or any(z in self.fvars[k[0]] for k in eq)):
                    continue
                r = self.reduce(diff_linear(eq, z, self.Z, self.fvars), basis)
                if r:
                    out += split(r, self.Z, self.fvars, self.splittable)
        for (l1, e1), (l2, e2) in itertools.combinations(items, 2):
            if l1[0] != l2[0]:
                continue
            gamma = tuple(max(a, b) for a, b in zip(l1[1], l2[1]))
            d1 = self.derivative(e1, tuple(g - a for g, a in zip(gamma, l1[1])))
            d2 = self.derivative(e2, tuple(g - a for g, a in zip(gamma, l2[1])))
            diff: dict = dict(d1)
            for k, c in d2.items():
                diff[k] = diff.get(k, 0) - c
            r = self.reduce(diff, basis)
            if r:
                out += split(r, self.Z, self.fvars, self.splittable)
        return out

    def run(self, eqs):
        for _ in range(MAX_ROUNDS):
            basis = self.autoreduce(eqs)
            eqs = list(basis.values())
            found = None
            for eq in sorted(eqs, key=lambda e: _rank(_leader(e, self.fvars), self.fvars)):
                found = self.integrable(eq)
                if found is not None:
                    break
            if found is not None:
                name, value = found
                eqs = self.substitute([e for e in eqs if e is not eq], name, value)
                del self.fvars[name]
                continue
            new = self.integrability_conditions(basis)
            if not new:
                used = {k[0] for lin in self.solution.values() for k in lin} | {k[0] for e in eqs for k in e}
                self.fvars = {n: v for n, v in self.fvars.items() if n in used}
                return LinearSolution(self.solution, eqs, self.fvars, self.Z, self.assumptions)
            eqs = eqs + new
        raise PDEError(f"differential elimination of the determining equations did not reach a "
                       f"standard form in {MAX_ROUNDS} rounds")


def generic_integral(expr, v, parameters, assume):
    """``∫ expr dv``. SymPy answers with a ``Piecewise`` when a symbolic parameter can make
    the integrand special (``∫ e^{kt} dt``); its first branch, for generic parameters, is
    taken when its condition is ``≠ 0`` of parameter expressions, each recorded with
    ``assume``; otherwise the unevaluated ``Integral`` comes back (not integrable here).

    >>> k, t = sympy.symbols("k t")
    >>> seen = []
    >>> generic_integral(sympy.exp(k * t), t, {k}, seen.append), seen
    (exp(k*t)/k, [k])
    """
    out = sympy.integrate(expr, v)
    conditions = []

    def first(pw):
        value, cond = pw.args[0]
        conditions.append(cond)
        return value
    if out.has(sympy.Piecewise):
        out = out.replace(lambda a: isinstance(a, sympy.Piecewise), first)
    nonzero = []
    for cond in conditions:
        parts = cond.args if isinstance(cond, sympy.And) else (cond,)
        if not all(isinstance(c, sympy.Ne) for c in parts) or cond.free_symbols - set(parameters):
            return sympy.Integral(expr, v)
        nonzero += [c.lhs - c.rhs for c in parts]
    for e in nonzero:
        assume(e)
    return out


def _linear_ode(eq, own, others, z, v, integrate):
    """Closed-form cases of ``Σ c_k y^(k) + Σ q_j P_j = 0`` without ``dsolve`` (whose
    classification alone costs tenths of a second): first order (integrating factor) and
    constant ``c_k`` with constant ``q_j``; ``integrate(expr, v)`` integrates. Returns
    (homogeneous basis, particular solution per ``P_j``) or None."""
    orders = {k[1][z]: eq[k] for k in own}
    n = max(orders)
    lead = orders[n]
    c = {k: normal(ck / lead) for k, ck in orders.items()}
    q = [normal(eq[k] / lead) for k in others]
    m = min(k for k, ck in c.items() if ck != 0)
    if m and n - m == 1:            # no y: first order in w = y^(m), then integrate m times
        p = c[m]
        mu = sympy.powsimp(sympy.exp(integrate(p, v)), deep=True)
        ws = [normal(1 / mu)] + [normal(integrate(-mu * qj, v) / mu) for qj in q]
        for _ in range(m):
            ws = [integrate(w, v) for w in ws]
        if any(w.has(sympy.Integral) for w in [mu, *ws]):
            return None
        return [v ** j for j in range(m)] + [normal(ws[0])], [normal(w) for w in ws[1:]]
    if set(orders) <= {0, 1} and n == 1:
        p = c.get(0, sympy.Integer(0))
        mu = sympy.powsimp(sympy.exp(integrate(p, v)), deep=True)
        particular = [integrate(-mu * qj, v) for qj in q]
        if any(e.has(sympy.Integral) for e in [mu, *particular]):
            return None
        return [normal(1 / mu)], [normal(e / mu) for e in particular]
    if any(ck.has(v) for ck in c.values()) or any(qj.has(v) for qj in q):
        return None
    lam = sympy.Dummy("lambda")
    roots = sympy.roots(sympy.Poly(sum(ck * lam ** k for k, ck in c.items()), lam))
    if sum(roots.values()) != n or any(not r.is_real for r in roots):
        return None
    basis = [v ** j * sympy.exp(r * v) for r, mult in roots.items() for j in range(mult)]
    particular = [-qj * v ** m / (sympy.factorial(m) * c[m]) for qj in q]
    return basis, particular


def solve_linear_system(eqs, Z, fvars, solution, parameters=()) -> LinearSolution:
    """Standard form and explicit integration of linear homogeneous PDEs (module docstring).

    ``eqs``: linear dicts; ``Z``: base variables; ``fvars``: ``{function: variable indices}``;
    ``solution``: ``{name: linear dict}`` of the quantities to express (updated as functions
    are integrated); ``parameters``: symbols treated as generic constants.
    """
    solution = {name: {k: sympy.sympify(c) for k, c in lin.items()} for name, lin in solution.items()}
    solver = _Solver(Z, fvars, solution, parameters)
    eqs = [e for eq in eqs for e in split({k: sympy.sympify(c) for k, c in eq.items()}, Z, fvars, set(Z))]
    return solver.run(eqs)


def _atoms(sol, Z):
    """Non-rational functions of the variables in a solution's coefficients (``log(x)``,
    ``exp(2*t)``, ``sqrt(t)``): the extra factors of an undetermined-coefficients ansatz."""
    exprs = [c for lin in sol.solution.values() for c in lin.values()]
    exprs += [c for eq in sol.equations for c in eq.values()]
    found = set()
    for e in exprs:
        for a in e.atoms(sympy.exp, sympy.log, sympy.Pow):
            if a.is_Pow and (a.exp.is_Integer or not a.exp.is_number):
                continue
            if a.free_symbols and a.free_symbols <= set(Z):
                found.add(a.func(*a.args) if not a.is_Pow else a.base ** (1 / sympy.Integer(a.exp.q)))
    return sorted(found, key=sympy.default_sort_key)


def undetermined_coefficients(sol, names, degree, parameters=(), factors=()) -> LinearSolution:
    """Replace the functions ``names`` (of finite type) by polynomials of ``degree`` in their
    variables and in the non-rational functions of those variables found in ``sol``, with
    unknown constant coefficients, and solve again: every solution found is exact; the
    caller compares their number with the dimension of the standard form. ``factors``:
    more such functions (e.g. ``exp(t)``)."""
    Z = sol.Z
    atoms = _atoms(sol, Z) + [f for f in factors if f.free_symbols]
    fvars = dict(sol.fvars)
    zero = (0,) * len(Z)
    eqs, solution = list(sol.equations), dict(sol.solution)
    counter = itertools.count()
    for name in names:
        gens = [Z[i] for i in sorted(sol.fvars[name])]
        gens += [a for a in atoms if a.free_symbols <= set(gens)]
        value: dict = {}
        monomials = dict.fromkeys(sympy.Mul(*mono) for d in range(degree + 1)
                                  for mono in itertools.combinations_with_replacement(gens, d))
        for mono in monomials:           # e^{2t}·e^{-2t} = 1 once
            c = f"a{next(counter)}_{name}"
            fvars[c] = frozenset()
            value[(c, zero)] = mono
        cache: dict = {}
        eqs = [substitute(e, name, value, Z, fvars, cache) for e in eqs]
        solution = {k: substitute(lin, name, value, Z, fvars, cache) for k, lin in solution.items()}
        del fvars[name]
    return solve_linear_system(eqs, Z, fvars, solution, parameters)
