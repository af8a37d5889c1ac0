"""Determining equations of Lie point symmetries as a linear PDE system, and its splitting.

The infinitesimals ``ξ^i(x, u)``, ``φ^a(x, u)`` are unknown functions. A *linear
expression* in unknown functions is a dict ``{(name, α): coefficient}``: ``α`` counts the
derivatives along each base variable ``z = (x..., u...)`` (zero along variables the
function does not depend on) and the coefficient is a SymPy expression. The prolongation
``pr v(Δ) = Σ_J D_J(Q^a) ∂Δ/∂u^a_J`` with ``Q^a = φ^a − ξ^i u^a_i`` (the ``ξ^i D_iΔ`` part
vanishes on solutions) is built directly on such dicts.

An equation is *split* over every symbol its coefficients depend on that none of its
unknown functions depends on (the free jet variables, and later the variables that new
functions of integration lack): after clearing denominators, a polynomial in those symbols
(rational powers ``u**(p/q)`` become powers of ``u**(1/q)``, ``u**n`` with symbolic ``n``
and ``exp``/``log`` of them are independent generators) gives one equation per monomial;
anything else is split by differentiating and eliminating (the span of ``c, ∂_v c, ∂²_v c,
…`` has a reduced basis free of ``v`` exactly when the equation holds for all ``v``).

>>> import sympy
>>> from symgen.algebra.pde.jet import Jet
>>> jet = Jet(sympy.symbols("t x", real=True), ("u",))
>>> u_t, u_xx = jet.var(0, (0,)), jet.var(0, (1, 1))
>>> eqs, fvars = determining_equations(jet, [u_t - u_xx], [(u_t, u_xx)])
>>> len(eqs) > 0, sorted(fvars)
(True, ['phi_u', 'xi_t', 'xi_x'])
"""

from __future__ import annotations

import sympy

from ...errors import PDEError

__all__ = ["determining_equations", "diff_linear", "substitute", "split", "normal", "add_to",
           "ordered_keys"]


def add_to(out: dict, key, c) -> None:
    """``out[key] += c``."""
    if c != 0:
        out[key] = out[key] + c if key in out else c


def _shift(alpha, z, k=1):
    return alpha[:z] + (alpha[z] + k,) + alpha[z + 1:]


def diff_linear(lin: dict, z: int, Z, fvars) -> dict:
    """``∂/∂Z[z]`` of a linear expression (coefficients by the product rule)."""
    out: dict = {}
    for (name, alpha), c in lin.items():
        add_to(out, (name, alpha), sympy.diff(c, Z[z]))
        if z in fvars[name]:
            add_to(out, (name, _shift(alpha, z)), c)
    return out


def substitute(lin: dict, name: str, value: dict, Z, fvars, cache=None) -> dict:
    """Replace every derivative ``∂^α name`` in ``lin`` by ``∂^α value``."""
    cache = {} if cache is None else cache
    out: dict = {}
    for (f, alpha), c in lin.items():
        if f != name:
            add_to(out, (f, alpha), c)
            continue
        if alpha not in cache:
            d = value
            for z, k in enumerate(alpha):
                for _ in range(k):
                    d = diff_linear(d, z, Z, fvars)
            cache[alpha] = d
        for key, cv in cache[alpha].items():
            add_to(out, key, c * cv)
    return out


class _Atoms:
    """Generators for polynomial arithmetic on coefficients: ``b**(p/q)`` as ``s**p`` with
    ``s = b**(1/q)`` (and ``b = s**q``), ``b**(n·c + r)`` as ``W**c · s**(r·q)`` with
    ``W = b**n`` for a symbolic ``n``. :meth:`forward` rewrites, :meth:`back` undoes."""

    def __init__(self, exprs):
        self.root: dict = {}       # base -> (q, s)
        self.generic: dict = {}    # (base, symbolic exponent) -> W
        for e in exprs:
            for p in e.atoms(sympy.Pow):
                if p.exp.is_Integer or not p.base.is_Symbol:
                    continue
                r, rest = p.exp.as_coeff_Add()
                if rest != 0:
                    c, sym = rest.as_coeff_Mul()
                    if not c.is_Rational:
                        c, sym = sympy.Integer(1), rest
                    self.generic.setdefault((p.base, sym), sympy.Dummy(f"W_{p.base}"))
                    if not c.is_Integer:
                        self._root(p.base, c.q)
                if not r.is_Integer:
                    self._root(p.base, r.q)

        self.exp: dict = {}        # symbol -> (q, E) with E = exp(symbol/q)
        for e in exprs:
            for a in e.atoms(sympy.exp):
                for b, k in self._linear(a.args[0]):
                    old = self.exp.get(b, (1, None))[0]
                    self.exp[b] = (old * k.q // sympy.igcd(old, k.q), sympy.Dummy(f"E_{b}"))

    @staticmethod
    def _linear(arg):
        """``(symbol, rational coefficient)`` for the symbols ``arg`` is linear in."""
        out = []
        for b in arg.free_symbols:
            k = sympy.diff(arg, b)
            if k.is_Rational and k != 0:
                out.append((b, k))
        return out

    def _exp(self, a):
        arg, factor = a.args[0], sympy.Integer(1)
        for b, k in self._linear(arg):
            if b in self.exp:
                q, E = self.exp[b]
                factor *= E ** (k * q)
                arg -= k * b
        return factor * sympy.exp(arg)

    def _root(self, base, q):
        old = self.root.get(base, (1, None))[0]
        self.root[base] = (old * q // sympy.igcd(old, q), sympy.Dummy(f"s_{base}"))

    def forward(self, e):
        if self.exp:
            e = e.replace(lambda a: isinstance(a, sympy.exp), self._exp)
        if not (self.root or self.generic):
            return e

        def rewrite(p):
            r, rest = p.exp.as_coeff_Add()
            out = sympy.Integer(1)
            if rest != 0:
                c, sym = rest.as_coeff_Mul()
                if (p.base, sym) in self.generic and c.is_Rational:
                    out = self.generic[(p.base, sym)] ** c.p
                    r = r + c - c.p
                else:
                    out = self.generic[(p.base, rest)]
            q, s = self.root.get(p.base, (1, None))
            return out * (s ** (r * q) if s is not None else p.base ** r)

        e = e.replace(lambda a: a.is_Pow and a.base in self.root or
                      (a.is_Pow and a.base.is_Symbol and not a.exp.is_Integer), rewrite)
        return e.xreplace({b: s ** q for b, (q, s) in self.root.items()})

    def back(self, e):
        reps = {s: b ** sympy.Rational(1, q) for b, (q, s) in self.root.items()}
        reps.update({w: b ** sym for (b, sym), w in self.generic.items()})
        reps.update({E: sympy.exp(b / q) for b, (q, E) in self.exp.items()})
        return e.xreplace(reps)

    def generators(self, symbols):
        """Generators standing for the given symbols: their roots and generic powers."""
        out = []
        for z in symbols:
            out.append(self.root[z][1] if z in self.root else z)
            if z in self.exp:
                out.append(self.exp[z][1])
            out += [w for (b, _), w in self.generic.items() if b == z]
        return out


_NORMAL: dict = {}


def normal(e):
    """A canonical form of a coefficient (``0`` exactly when it vanishes identically, for
    rational functions of the variables, their rational and symbolic powers, exp and log)."""
    if e.is_Number or e.is_Symbol:
        return e
    found = _NORMAL.get(e)
    if found is None:
        atoms = _Atoms([e])
        found = atoms.back(sympy.cancel(sympy.together(atoms.forward(e))))
        if len(_NORMAL) > 200_000:
            _NORMAL.clear()
        _NORMAL[e] = found
    return found


def ordered_keys(keys):
    return sorted(keys, key=lambda k: (k[0], k[1]))


def _function_symbols(lin, Z, fvars):
    return {Z[i] for (name, _) in lin for i in fvars[name]}


def split(lin: dict, Z, fvars, splittable) -> list[dict]:
    """The equations ``lin = 0`` amounts to for all values of the ``splittable`` symbols
    that none of its unknown functions depends on (see the module docstring)."""
    lin = {k: c for k, c in lin.items() if c != 0}
    if not lin:
        return []
    carried = _function_symbols(lin, Z, fvars)
    loose = sorted({s for c in lin.values() for s in c.free_symbols} & set(splittable) - carried, key=str)
    if not loose:
        return [lin]
    keys = ordered_keys(lin)
    atoms = _Atoms(lin.values())
    fractions = [sympy.together(atoms.forward(lin[k])).as_numer_denom() for k in keys]
    den = sympy.lcm_list([d for _, d in fractions]) if len(fractions) > 1 else fractions[0][1]
    numers = [sympy.expand(n * sympy.cancel(den / d)) for n, d in fractions]
    gens = atoms.generators(loose)
    gens += sorted({a for n in numers for a in n.atoms(sympy.exp, sympy.log)
                    if a.free_symbols & set(loose) and not (a.free_symbols - set(loose))}, key=str)
    try:
        polys = [sympy.Poly(n, *gens) for n in numers]
    except sympy.polys.polyerrors.BasePolynomialError:
        polys = None
    bad = set(loose) | set(gens)
    if polys is not None and all(not (c.free_symbols & bad) for p in polys for c in p.coeffs()):
        rows: dict = {}
        for k, p in zip(keys, polys):
            for monom, c in p.terms():
                add_to(rows.setdefault(monom, {}), k, atoms.back(c))
        return [r for r in rows.values() if r]
    return _split_by_derivatives(lin, loose[0], Z, fvars, splittable)


def _split_by_derivatives(lin, v, Z, fvars, splittable):
    """Split over one symbol ``v`` by differentiate-and-eliminate (a Wronskian argument)."""
    keys = ordered_keys(lin)
    basis: list = []        # (pivot key, row) with row[pivot] == 1, reduced against each other
    row = {k: lin[k] for k in keys}
    for _ in range(len(keys) + 1):
        reduced = dict(row)
        for pk, b in basis:
            c = reduced.get(pk, 0)
            if c != 0:
                for k, bc in b.items():
                    reduced[k] = reduced.get(k, 0) - c * bc
        reduced = {k: n for k, c in reduced.items() if (n := normal(c)) != 0}
        if not reduced:
            break
        pk = next(k for k in keys if k in reduced)
        piv = reduced[pk]
        reduced = {k: normal(c / piv) for k, c in reduced.items()}
        basis = [(bk, {k: normal(c - b.get(pk, 0) * reduced.get(k, 0)) for k, c in
                       {**{k: 0 for k in reduced}, **b}.items()}) for bk, b in basis]
        basis.append((pk, reduced))
        row = {k: sympy.diff(c, v) for k, c in row.items()}
    else:
        raise PDEError(f"cannot split the determining equation {_show(lin)} = 0 over {v}")
    out = []
    for _, b in basis:
        b = {k: c for k, c in b.items() if c != 0}
        if any(c.has(v) for c in b.values()):
            raise PDEError(f"cannot split the determining equation {_show(lin)} = 0 over {v}: its "
                           f"coefficients are not recognised as linearly dependent or independent "
                           f"functions of {v}")
        out += split(b, Z, fvars, splittable)
    return out


def _show(lin):
    return " + ".join(f"({c})*{name}{''.join(f'_{i}' * k for i, k in enumerate(alpha))}"
                      for (name, alpha), c in lin.items())


def _unknowns(jet):
    """Names of ξ^i and φ^a, and the base variables ``Z = (x..., u...)``."""
    us = [jet.var(a, ()) for a in range(len(jet.names))]
    Z = tuple(jet.x) + tuple(us)
    names = [f"xi_{x}" for x in jet.x] + [f"phi_{u}" for u in us]
    return names, Z, us


def determining_equations(jet, eqs, leads):
    """Split determining equations of ``eqs`` (jet expressions) with leading derivatives
    ``leads`` (pairs ``(u_J, solution)``): a list of linear dicts, and ``{name: variable
    indices}`` of the unknowns ``xi_<x>``, ``phi_<u>`` (functions of all base variables)."""
    from .symmetries import substitute_leading
    names, Z, us = _unknowns(jet)
    p = len(jet.x)
    n = len(Z)
    fvars = {name: frozenset(range(n)) for name in names}
    zero = (0,) * n
    cache: dict = {}

    def D(lin, i):
        out: dict = {}
        for (name, alpha), c in lin.items():
            add_to(out, (name, alpha), jet.total_derivative(c, i))
            add_to(out, (name, _shift(alpha, i)), c)
            for a, ua in enumerate(us):
                add_to(out, (name, _shift(alpha, p + a)), c * jet.var(a, (i,)))
        return out

    def DQ(a, J):
        if (a, J) not in cache:
            if not J:
                lin = {(f"phi_{us[a]}", zero): sympy.Integer(1)}
                for i, x in enumerate(jet.x):
                    lin[(f"xi_{x}", zero)] = -jet.var(a, (i,))
                cache[(a, J)] = lin
            else:
                cache[(a, J)] = D(DQ(a, J[:-1]), J[-1])
        return cache[(a, J)]

    index = jet.index()
    out = []
    for eq in eqs:
        total: dict = {}
        for s in sorted(eq.free_symbols & set(index), key=str):
            a, J = index[s]
            dE = sympy.diff(eq, s)
            for key, c in DQ(a, J).items():
                add_to(total, key, c * dE)
        total = {k: substitute_leading(jet, c, leads) for k, c in total.items()}
        total = {k: c for k, c in total.items() if c != 0}
        index = jet.index()
        splittable = set(index) - set(us)
        out += split(total, Z, fvars, splittable)
    return out, fvars
