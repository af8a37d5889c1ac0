"""``symgen pde``: a PDE typed by the user → its Lie point symmetries and their brackets."""

from __future__ import annotations

import math
import time

from ..errors import PDEError
from . import options

__all__ = ["register", "main_job", "parameter_choices"]


def register(subparsers) -> None:
    p = subparsers.add_parser("pde", help="Lie point symmetries of a PDE typed as text")
    p.add_argument("equation", nargs="?", default="u_t + u*u_x + u_xxx",
                   help="e.g. 'u_t = u_xx' ('= 0' implied; systems separated by ';'); default: KdV")
    p.add_argument("--independent", help="e.g. 't x' (default: inferred from the subscripts)")
    p.add_argument("--dependent", help="e.g. 'u' (default: inferred)")
    p.add_argument("--max-degree", type=options.count, default=4, help="degree of the polynomial solutions tried where elimination leaves a finite system unintegrated")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="value of an equation parameter for the augmentation kernels, e.g. "
                        "--param n=2 (repeatable; default: 1 for each)")
    p.set_defaults(run=main_job)


def main_job(args, out=print) -> None:
    from ..pde import PDE

    eq = PDE(args.equation, args.independent, args.dependent)
    params = parameter_choices(eq.parsed.parameters, args.param)
    t0 = time.perf_counter()
    sym = eq.symmetries(args.max_degree)
    seconds = time.perf_counter() - t0
    out(f"== PDE {args.equation!r}: {len(sym.determining_equations)} determining equations, "
        f"solved in {seconds:.2f} s")
    dim = "not separated" if sym.dimension is None else sym.dimension
    out(f"   finite part: dimension {dim}; infinite part: {sym.infinite_description or 'none'}")
    for i, g in enumerate(sym.generators):
        out(f"   v{i} = {g}")
    if sym.dimension is not None and sym.generators:
        out("   brackets [v_i, v_j] (non-zero):")
        table = sym.commutator_table()
        n = len(sym.generators)
        for i in range(n):
            for j in range(i + 1, n):
                terms = [f"{c}·v{k}" for k, c in enumerate(table[i][j]) if c != 0]
                if terms:
                    out(f"     [v{i}, v{j}] = " + " + ".join(terms))
    _flows_and_augmentation(sym, params, out)


def _name_value(option: str) -> tuple:
    name, _, text = option.partition("=")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise PDEError(f"--param expects NAME=VALUE with a finite number, e.g. --param n=2; "
                       f"got {option!r}")
    return name.strip(), value


def parameter_choices(parameters, options) -> dict:
    """``{name: (value, how)}`` for every parameter: from the ``--param NAME=VALUE``
    options, else 1 (``how`` says which).

    >>> import sympy
    >>> parameter_choices(sympy.symbols("n nu"), ["nu=0.5"])
    {'n': (1.0, 'default'), 'nu': (0.5, '--param')}
    """
    given = dict(_name_value(option) for option in options)
    names = [str(p) for p in parameters]
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise PDEError(f"--param {unknown[0]}: unknown parameter; the equation's parameters: "
                       f"{', '.join(names) or 'none'}")
    return {name: (given[name], "--param") if name in given else (1.0, "default") for name in names}


def _flows_and_augmentation(sym, params, out) -> None:
    import sympy

    from ..nn import LieAugmentation

    eps = sympy.Symbol("epsilon", real=True)
    out("   flows exp(ε v_i):")
    for i in range(len(sym.generators)):
        f = sym.flow(i, eps)
        text = ", ".join(f"{z} → {e}" for z, e in f.items() if e != z) if isinstance(f, dict) else repr(f)
        out(f"     v{i}: {text}")
    if params:
        out("   parameter values for the kernels (choose with --param NAME=VALUE): "
            + ", ".join(f"{name} = {value:g} ({how})" for name, (value, how) in params.items()))
    try:
        aug = LieAugmentation(sym, params={name: value for name, (value, _) in params.items()})
    except PDEError as exc:
        out(f"   no LieAugmentation: {exc}")
        return
    out("   LieAugmentation on periodic grids (torch kernels):")
    for f in aug.flows:
        out(f"     {f.generator}: {f.kind}")
    for g, reason in aug.refused.items():
        out(f"     {g}: refused ({reason.split(': ', 1)[-1]})")
    i = max(range(len(aug.flows)), key=lambda q: sympy.count_ops(aug.flows[q].fields))
    out(f"   generated source for {aug.flows[i].generator}:")
    for line in aug.source(i).splitlines():
        out("     | " + line)
