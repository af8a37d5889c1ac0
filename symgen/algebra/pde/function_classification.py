"""Group classification by an arbitrary function: ``f(u)`` in ``u_t = u_xx + f(u)``.

The classical method of group classification (Ovsiannikov, Group Analysis of Differential
Equations, 1982):

1. The determining equations are computed with ``f`` unknown. Those free of ``f`` (after
   dividing out a common factor such as ``f(u)²``) hold for every ``f``; they are solved
   first and their solution substituted into the rest, repeatedly, until every remaining
   equation involves ``f``: the *classifying equations*.
2. Their unknowns no longer depend on ``f``'s argument ``v``, so each classifying equation
   reads ``Σ_j h_j(v) L_j = 0`` with ``h_j`` distinct functions of ``v`` (``f'``,
   ``u f'``, ``f``, ``u``, ``1`` …) and ``L_j`` linear in the unknowns. For an arbitrary
   ``f`` the ``h_j`` are linearly independent: every ``L_j = 0``, the *generic* algebra.
3. A symmetry beyond it needs a linear relation ``Σ λ_j h_j(v) = 0`` with constant
   ``λ``: a first-order linear ODE for ``f``. It is solved by cases: normalised on its
   first nonzero ``f'`` coefficient (and, when the class is invariant under ``v → v + c``,
   with that coefficient's root moved to 0), then integrated with an integrating factor for
   generic ``λ``; every ``λ``-expression the general solution divides by is set to zero in
   turn and the ODE solved again. This gives the candidate forms of ``f`` (with the
   ``λ`` and the constant of integration ``C`` as symbolic parameters).
4. Each candidate is solved by the full solver and, like a constant parameter
   (:mod:`.classification`), again at the roots of the divisors it records (depth 2); the
   forms where the algebra is larger than the generic one are the special cases.

Forms are listed as found, not reduced modulo the equivalence group beyond the shift and
normalisation of step 3 (``C·exp(-λ u)`` stands for the class of ``δ·eᵘ``).

>>> from symgen.algebra.pde.classification import group_classification
>>> table = group_classification("u_t = u_xx + f(u)", "f")
>>> table.generic.dimension
2
>>> sorted({(c.dimension, c.infinite) for c in table.cases}, key=str)
[(3, False), (4, False), (6, True), (None, True)]
"""

from __future__ import annotations

import itertools
import re

import sympy

from ...errors import PDEError
from .classification import ClassificationCase, GroupClassification, candidate_values, grows, substituted
from .determining import normal, split, substitute
from .elimination import solve_linear_system
from .jet import Jet
from .parse import parse_pde
from .symmetries import leading_derivative, linear_expression, point_symmetries, symmetries_from_solution

__all__ = ["arbitrary_functions", "function_classification", "classifying_equations"]

#: Levels of the case tree: divisors of the ODE's solution, then divisors the solver records.
ODE_DEPTH, SOLVER_DEPTH = 3, 1


def arbitrary_functions(text: str, name) -> bool:
    """Whether the PDE string calls ``name`` like a function (``f(u)``).

    >>> arbitrary_functions("u_t = u_xx + f(u)", "f"), arbitrary_functions("u_t = f*u_xx", "f")
    (True, False)
    """
    return isinstance(name, str) and name.isidentifier() and \
        re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}\s*\(", text) is not None


def _argument(parsed, f):
    """The single argument of the applications of ``f``: a dependent or independent variable."""
    args = {a.args for e in parsed.equations for a in e.atoms(sympy.core.function.AppliedUndef)
            if a.func == f and not any(isinstance(x, sympy.Dummy) for x in a.args)}   # not f(ξ) in Subs
    args |= {s.point for e in parsed.equations for s in e.atoms(sympy.Subs)
             if s.expr.atoms(sympy.core.function.AppliedUndef) and
             any(a.func == f for a in s.expr.atoms(sympy.core.function.AppliedUndef))}
    if len(args) != 1 or len(next(iter(args))) != 1:
        raise PDEError(f"{f} must be called with one and the same argument everywhere, got "
                       f"{', '.join(f'{f}{a}' for a in args)}")
    (arg,), = args
    if arg not in parsed.dependent and arg not in parsed.independent:
        raise PDEError(f"{f}({arg}): the argument of an arbitrary function must be one of the "
                       f"variables {', '.join(map(str, (*parsed.independent, *parsed.dependent)))}")
    return arg


def _f_free(eq, f, divided):
    """``eq`` without a common factor holding ``f`` (``2 f² ξ_u = 0`` → ``ξ_u = 0``; the
    factor is appended to ``divided``), or None when ``f`` does not factor out."""
    if not any(c.has(f) for c in eq.values()):
        return eq
    first = next(iter(eq.values()))
    ratios = {k: normal(c / first) for k, c in eq.items()}
    if any(r.has(f) for r in ratios.values()):
        return None
    if first not in divided:
        divided.append(first)
    return ratios


def classifying_equations(parsed, f):
    """Step 1 of the module docstring: ``(jet, determining, fvars, solution of the f-free
    part, classifying equations, v, Z, divided)``: ``v`` is the jet symbol of ``f``'s
    argument, ``Z`` the base variables, ``divided`` the factors holding ``f`` that were
    divided out (assumed nonzero)."""
    arg = _argument(parsed, f)
    jet = Jet(parsed.independent, [str(g.func) for g in parsed.dependent])
    eqs = [sympy.expand(jet.from_sympy(e, list(parsed.dependent))) for e in parsed.equations]
    leads = [leading_derivative(jet, e) for e in eqs]
    from .determining import determining_equations
    det, fvars = determining_equations(jet, eqs, leads)
    us = [jet.var(a, ()) for a in range(len(parsed.dependent))]
    Z = tuple(jet.x) + tuple(us)
    v = us[list(parsed.dependent).index(arg)] if arg in parsed.dependent else arg
    names = [f"xi_{x}" for x in jet.x] + [f"phi_{u}" for u in us]
    zero = (0,) * len(Z)
    start = {name: {(name, zero): sympy.Integer(1)} for name in names}
    from .elimination import LinearSolution
    sol = LinearSolution(start, [], dict(fvars), Z)
    pending, divided = list(det), []
    for round_ in range(len(det) + 1):
        classifying, free = [], []
        for eq in pending:
            for piece in split(eq, Z, sol.fvars, set(Z) - {v}):
                reduced = _f_free({k: c for k, c in piece.items() if normal(c) != 0}, f, divided)
                if reduced:
                    (classifying if reduced is None else free).append(reduced)
                elif reduced is None:
                    classifying.append(piece)
        if not free:
            return jet, det, fvars, sol, classifying, v, Z, divided
        track = {g: {(g, zero): sympy.Integer(1)} for g in sol.fvars if g not in sol.solution}
        new = solve_linear_system(list(sol.equations) + free, Z, sol.fvars, {**sol.solution, **track},
                                  parsed.parameters)
        new = _renamed(new, f"G{round_}_")
        mapping = {g: new.solution.pop(g) if g in track else new.solution[g] for g in sol.fvars}
        allvars = {**sol.fvars, **new.fvars}
        pending = []
        for eq in classifying:
            for g, value in mapping.items():
                eq = substitute(eq, g, value, Z, allvars)
            pending.append(eq)
        sol = new
    raise PDEError("separating the determining equations from the classifying ones did not terminate")


def _renamed(sol, prefix):
    """``sol`` with its functions named ``prefix0, prefix1, …`` (the solver numbers its new
    functions from F1 on every call)."""
    from .elimination import LinearSolution
    rename = {n: f"{prefix}{i}" for i, n in enumerate(sorted(n for n in sol.fvars if n not in sol.solution))}

    def lin(d):
        return {(rename.get(k[0], k[0]), k[1]): c for k, c in d.items()}
    return LinearSolution({n: lin(d) for n, d in sol.solution.items()}, [lin(e) for e in sol.equations],
                          {rename.get(n, n): vs for n, vs in sol.fvars.items()}, sol.Z, list(sol.assumptions))


def _decompose(eqs, v, Z, fvars):
    """Per classifying equation, ``{h(v): L}`` with ``Σ_h h·L = 0`` (``L`` linear dicts)."""
    zi = Z.index(v) if v in Z else None
    out = []
    for eq in eqs:
        if zi is not None and any(zi in fvars[k[0]] for k in eq):
            raise PDEError(f"the classifying equations keep unknowns depending on {v}, the argument "
                           f"of the arbitrary function; this classification handles equations whose "
                           f"f-free determining equations fix the {v}-dependence (such as "
                           f"u_t = u_xx + f(u))")
        rows: dict = {}
        for key, c in eq.items():
            for term in sympy.Add.make_args(sympy.expand(c)):
                rest, h = term.as_independent(v, as_Add=False)
                row = rows.setdefault(h, {})
                row[key] = row.get(key, 0) + rest
        out.append({h: {k: c for k, c in row.items() if c != 0} for h, row in rows.items()})
    return out


def _relations(parts, values, v, Z):
    """The equations ``Σ_h h(v) L_h = 0`` amounts to once each ``h`` is the known function
    ``values[h]`` of ``v``: the linear relations among those functions, applied to the ``L``."""
    zero = (0,) * len(Z)
    out = []
    for eq in parts:
        hs = list(eq)
        names = {f"X{i}": h for i, h in enumerate(hs)}
        lin = {(n, zero): values[h] for n, h in names.items() if values[h] != 0}     # h = 0: L_h is free
        rows = split(lin, Z, {n: frozenset() for n in names}, {v}) if lin else []
        for row in rows:
            combined: dict = {}
            for (n, _), r in row.items():
                for key, c in eq[names[n]].items():
                    combined[key] = combined.get(key, 0) + r * c
            combined = {k: c for k, c in combined.items() if normal(c) != 0}
            if combined:
                out.append(combined)
    return out


def _denominators(form, lambdas, v):
    """Factors in ``lambdas`` alone that ``form`` divides by (also in exponents, logs)."""
    pieces = [form] + [p.exp for p in form.atoms(sympy.Pow)] + [a.args[0] for a in form.atoms(sympy.log, sympy.exp)]
    out = []
    for p in pieces:
        for m in sympy.Mul.make_args(sympy.denom(sympy.together(p))):
            base = m.base if m.is_Pow and m.exp.is_Integer else m
            if base.has(v) or not base.free_symbols & set(lambdas):
                continue
            for fac, _ in sympy.factor_list(base)[1]:
                if fac.free_symbols & set(lambdas) and fac not in out:
                    out.append(fac)
    return out


def _integrate(P, Q, R, v, C):
    """The general solution of ``P f' + Q f + R = 0`` for generic parameters (on ``v > 0``,
    so that ``exp(k log v)`` is ``v**k``), or None."""
    if P == 0:
        return None if Q == 0 else normal(-R / Q)
    w = sympy.Dummy("w", positive=True)
    P, Q, R = (e.subs(v, w) for e in (P, Q, R))
    mu = sympy.powsimp(sympy.exp(sympy.integrate(sympy.cancel(Q / P), w, conds="none")), force=True)
    integral = sympy.integrate(sympy.expand(mu * R / P), w, conds="none")
    if integral.has(sympy.Integral, sympy.Piecewise) or mu.has(sympy.Integral, sympy.Piecewise):
        return None
    form = sympy.expand(sympy.powsimp(sympy.expand((C - integral) / mu), force=True))
    form = sympy.expand(sympy.expand_log(form, force=True))
    form = form.replace(lambda a: isinstance(a, sympy.exp) and a.args[0].has(sympy.log(w)) and
                        not (a.args[0] / sympy.log(w)).has(w), lambda a: w ** (a.args[0] / sympy.log(w)))
    return form.subs(w, v)


def _forms(hs, f, v, shift_invariant, C, lambdas):
    """Candidate forms of ``f(v)`` from ``Σ λ_j h_j(v) = 0`` (step 3 of the module
    docstring): one branch per first nonzero ``f'`` coefficient (set to 1; ordered by
    degree in ``v``, so that a shift can remove the constant of a linear one), or per first
    nonzero ``f`` coefficient when no ``f'`` occurs, each with every subset of the free terms
    set to 0; then the divisors of the solution, set to 0 in turn."""
    fv, df, d, g = f(v), sympy.Derivative(f(v), v), sympy.Dummy("d"), sympy.Dummy("g")
    coeffs = []     # (λ, coefficient of f', of f, free term) per h
    for lam, h in zip(lambdas, hs):
        e = sympy.expand(h.subs(df, d).subs(fv, g))
        P, Q = e.coeff(d), e.coeff(g)
        R = sympy.expand(e - P * d - Q * g)
        if any(x.has(d, g, f) for x in (P, Q, R)):
            raise PDEError(f"the classifying equations are not linear in {f} and its first derivative: "
                           f"term {h}")
        coeffs.append((lam, P, Q, R))

    def degree(c):
        return sympy.degree(c[1], v) if c[1].is_polynomial(v) else 0
    derivs = sorted((c for c in coeffs if c[1] != 0), key=degree, reverse=True)
    fterms = [c for c in coeffs if c[1] == 0 and c[2] != 0]
    free = [c[0] for c in coeffs if c[1] == 0 and c[2] == 0]
    starts = [{**{c[0]: 0 for c in derivs[:j]}, c[0]: 1} for j, c in enumerate(derivs)]
    starts += [{**{c[0]: 0 for c in derivs}, **{c[0]: 0 for c in fterms[:j]}, c[0]: 1} for j, c in enumerate(fterms)]
    seen, out = set(), []

    def visit(reps, depth):
        P, Q, R = (sympy.expand(sum(c[i] * c[0] for c in coeffs).subs(reps)) for i in (1, 2, 3))
        if shift_invariant and P.is_polynomial(v) and sympy.degree(P, v) == 1:
            c0 = P.subs(v, 0)
            lam = next((s for s in sorted(c0.free_symbols & set(lambdas), key=str) if sympy.diff(c0, s).is_number), None)
            if lam is not None:
                r = sympy.solve(c0, lam)[0]
                reps = {**reps, lam: r}
                P, Q, R = (sympy.expand(e.subs(lam, r)) for e in (P, Q, R))
        key = sympy.srepr((P, Q, R))
        if key in seen:
            return
        seen.add(key)
        form = _integrate(P, Q, R, v, C)
        if form is None or form.has(f, sympy.zoo, sympy.nan, sympy.oo):
            return
        out.append(form)
        if depth == 0:
            return
        for fac in _denominators(form, lambdas, v):
            lam = sorted(fac.free_symbols & set(lambdas), key=str)[0]
            for r in sympy.solve(fac, lam):
                visit({**{k: sympy.sympify(w).subs(lam, r) for k, w in reps.items()}, lam: r}, depth - 1)
    for start in starts:
        for n in range(len(free) + 1):
            for zeros in itertools.combinations(free, n):
                visit({**start, **{z: 0 for z in zeros}}, ODE_DEPTH)
    return out


def _reparametrized(form, constants, v, fresh):
    """A polynomial form in ``v`` whose nonzero coefficients are independent functions of
    the constants (full-rank Jacobian) with each coefficient replaced by its own constant
    (``-k4*u/(k3 + 1) - k5/k3`` → ``a1*u + a0``): the same family, named once; any other
    form unchanged."""
    used = sorted(form.free_symbols & set(constants), key=str)
    if not used or not form.is_polynomial(v):
        return form
    poly = sympy.Poly(form, v)
    terms = [(m[0], c) for m, c in poly.terms() if c.free_symbols & set(used)]
    if sympy.Matrix([[sympy.diff(c, k) for k in used] for _, c in terms]).rank() < len(terms):
        return form
    names = {m: fresh[m] for m, _ in terms}
    return sympy.expand(form - sum(c * v ** m for m, c in terms) + sum(names[m] * v ** m for m, _ in terms))


def _renaming_key(form, constants):
    """The same key for forms that differ by a renaming of their constants."""
    used = sorted(form.free_symbols & set(constants), key=str)
    dummies = [sympy.Symbol(f"_c{i}") for i in range(len(used))]
    return min(sympy.srepr(form.xreplace(dict(zip(perm, dummies)))) for perm in itertools.permutations(used))


def _shift_invariant(parsed, f, arg):
    """Whether ``arg`` enters the equations only through ``f(arg)`` and derivatives."""
    g = sympy.Dummy("g")
    eqs = [e.replace(lambda a: isinstance(a, sympy.core.function.AppliedUndef) and a.func == f, lambda a: g)
           for e in parsed.equations]
    eqs = [e.replace(lambda a: isinstance(a, sympy.Derivative) and a.expr == arg, lambda a: sympy.Dummy())
           for e in eqs]
    eqs = [e.doit() for e in eqs]
    return arg in parsed.dependent and not any(e.has(arg) for e in eqs)


def _fresh(names, taken, count):
    out, k = [], 1
    while len(out) < count:
        for stem in names:
            if f"{stem}{k}" not in taken:
                out.append(sympy.Symbol(f"{stem}{k}"))
                if len(out) == count:
                    break
        k += 1
    return out


def function_classification(text: str, name: str, max_degree: int = 4) -> GroupClassification:
    """Classify ``text``'s Lie point symmetries by the arbitrary function ``name`` (module
    docstring). Called by :func:`.classification.group_classification` when ``name`` is
    called like a function in the string.

    >>> table = function_classification("u_t = u_xx + f(u)", "f")
    >>> print(table.generic)
    f(u) arbitrary: 2  [∂t, ∂x]
    """
    key = (text, name, max_degree)
    if key not in _TABLES:          # seconds per table: built once per process
        _TABLES[key] = _classify(text, name, max_degree)
    return _TABLES[key]


_TABLES: dict = {}


def _classify(text, name, max_degree):
    parsed = parse_pde(text, arbitrary=(name,))
    f = sympy.Function(name)
    arg = _argument(parsed, f)
    jet, det, fvars, sol, classifying, v, Z, divided = classifying_equations(parsed, f)
    parts = _decompose(classifying, v, Z, sol.fvars)
    generic_eqs = list(sol.equations) + [row for eq in parts for row in eq.values()]
    generic_sol = solve_linear_system(generic_eqs, Z, sol.fvars, sol.solution, parsed.parameters)
    det_exprs = tuple(linear_expression(e, Z, fvars) for e in det)
    generic = symmetries_from_solution(parsed, jet, generic_sol, det_exprs, (), max_degree)
    fv = f(v)
    every = list(dict.fromkeys(h for eq in parts for h in eq))
    hs = [h for h in every if h.has(f)] + [h for h in every if not h.has(f)]
    taken = {str(s) for s in (*parsed.parameters, *parsed.independent)} | {str(u.func) for u in parsed.dependent}
    lambdas = _fresh(["k"], taken, len(hs))
    C = _fresh(["C"], taken, 1)[0]
    forms = _forms(hs, f, v, _shift_invariant(parsed, f, arg), C, lambdas)
    cases, rejected, unresolved, done = [], [], [], set()
    parameter = f(v)

    def on(e, form):
        return sympy.expand(e.subs(fv, form).doit())

    def symmetries_of(form):
        """From the classifying equations when no divided-out factor vanishes for ``form``
        (then they are exact), else from scratch; the substituted equation; the factors
        assumed nonzero."""
        case = substituted(parsed, f, sympy.Lambda(v, form))
        factors = [normal(on(d, form)) for d in divided]
        if any(d == 0 for d in factors):
            return point_symmetries(case, max_degree), case, ()
        eqs = _relations(parts, {h: on(h, form) for h in hs}, v, Z)
        solved = solve_linear_system(list(sol.equations) + eqs, Z, sol.fvars, sol.solution, case.parameters)
        sym = symmetries_from_solution(case, jet, solved, tuple(on(e, form) for e in det_exprs), (), max_degree)
        return sym, case, tuple(fac for d in factors for fac, _ in sympy.factor_list(sympy.numer(sympy.together(d)))[1]
                          if not fac.has(v) and fac.free_symbols)

    stem = next(a for a in "abcdeghjm" if not any(n.startswith(a) for n in taken))
    coefficients = [sympy.Symbol(f"{stem}{m}") for m in range(8)]      # a0 + a1*u + a2*u**2 ...

    def visit(form, depth):
        if form.has(sympy.zoo, sympy.nan, sympy.oo):
            return
        form = _reparametrized(form, [*lambdas, C, *coefficients], v, coefficients)
        key = _renaming_key(form, [*lambdas, C, *coefficients])
        if key in done:
            return
        done.add(key)
        try:
            sym, case, assumed = symmetries_of(form)
        except PDEError as exc:
            unresolved.append((form, str(exc).split("\n")[0][:200]))
            return
        row = ClassificationCase(parameter, form, sym)
        (cases if grows(sym, generic) else rejected).append(row)
        if depth == 0:
            return
        symbols = (set(lambdas) | {C} | set(coefficients)) & form.free_symbols
        for fac in assumed:
            for lam in sorted(fac.free_symbols & symbols, key=str):
                for r in sympy.solve(fac, lam):
                    if r.is_real is not False:
                        visit(sympy.expand(form.subs(lam, r)), depth - 1)
                break
        for lam in sorted(symbols, key=str):
            for r in candidate_values(sym, case, lam):
                visit(sympy.expand(form.subs(lam, r)), depth - 1)
    for form in forms:
        visit(form, SOLVER_DEPTH)
    cases.sort(key=lambda c: (c.infinite, c.dimension or 0, str(c.value)))
    equations = tuple(linear_expression(e, Z, sol.fvars) for e in classifying)
    return GroupClassification(parameter, ClassificationCase(parameter, None, generic), tuple(cases),
                               tuple(rejected), equations, tuple(unresolved))
