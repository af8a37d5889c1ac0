"""The groups step of the default job: declare → solve and certify → build a layer → check.

``symgen groups`` prints, for the chosen groups, the symbolic declaration (generators,
closure check, structure constants), a table of equivariant-basis sizes next to their
independently certified dimensions with time and constraint error, then builds an
``EquivariantLinear`` and measures its equivariance on sampled group elements.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> register(parser.add_subparsers())
>>> args = parser.parse_args(["groups", "--group", "S(6)", "--max-power", "2", "--no-layer"])
>>> main_job(args, out=lambda line: None)
"""

from __future__ import annotations

import re
import time

import numpy as np

from .. import groups, reps
from ..errors import GroupError
from . import options

__all__ = ["register", "main_job", "parse_group"]

_FACTORIES = {"SO": groups.SO, "O": groups.O, "SE": groups.SE, "SL": groups.SL, "GL": groups.GL,
              "Sp": groups.Sp, "S": groups.S, "Z": groups.Z, "D": groups.D}
_PATTERN = re.compile(r"^\s*([A-Za-z]+)\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)\s*$")


def parse_group(text: str):
    """A named group from text such as ``"SO(3)"`` or ``"O(1,3)"`` (no evaluation).

    >>> parse_group("O(1, 3)")
    O(1,3)
    >>> parse_group("U(3)")
    Traceback (most recent call last):
    ...
    symgen.errors.GroupError: unknown group 'U(3)'; choose one of SO, O, SE, SL, GL, Sp, S, Z, D, e.g. 'SO(3)' or 'O(1,3)'
    """
    m = _PATTERN.match(text)
    if not m or m.group(1) not in _FACTORIES:
        raise GroupError(f"unknown group {text!r}; choose one of {', '.join(_FACTORIES)}, "
                         f"e.g. 'SO(3)' or 'O(1,3)'")
    name, a, b = m.group(1), int(m.group(2)), m.group(3)
    if b is not None:
        if name not in ("SO", "O"):
            raise GroupError(f"{name} takes one dimension, got {text!r}")
        return _FACTORIES[name](a, int(b))
    return _FACTORIES[name](a)


def register(subparsers) -> None:
    """Add ``symgen groups``."""
    p = subparsers.add_parser("groups", help="declare groups, solve and certify equivariant bases, "
                                             "check an EquivariantLinear")
    p.add_argument("--group", action="append", default=None, metavar="G",
                   help="group such as 'SO(3)', 'O(1,3)', 'S(10)' (repeatable; default: SO(3) and O(1,3))")
    p.add_argument("--max-power", type=options.count, default=None,
                   help="largest k in the V^k → V^k table (default: 4 for SO(3), 2 otherwise)")
    p.add_argument("--no-layer", action="store_true", help="skip the EquivariantLinear check")
    p.set_defaults(run=main_job)


def _declare(G, out):
    out(f"== {G}: {len(G.lie_generators)} Lie generators, {len(G.discrete_generators)} discrete "
        f"generators, {G.d}x{G.d} matrices; Lie algebra closes (checked exactly)")
    if G.lie_generators:
        a0 = G.lie_generators[0]
        out(f"   A0 = {a0.tolist()}")
        m = len(G.lie_generators)
        nonzero = [(i, j, k) for i in range(m) for j in range(i + 1, m) for k in range(m)
                   if G.structure_constants[i, j, k] != 0]
        shown = ", ".join(f"[A{i},A{j}] ∋ {G.structure_constants[i, j, k]}·A{k}" for i, j, k in nonzero[:3])
        out(f"   structure constants: {len(nonzero)} non-zero, e.g. {shown}")


def _table(G, kmax, out):
    V = reps.V(G)
    out(f"   {'map':<12} {'basis':>6} {'certified':>10} {'time':>10} {'max error':>10}")
    for k in range(1, kmax + 1):
        t0 = time.perf_counter()
        B = reps.equivariant_basis(V ** k, V ** k)   # raises if rank ≠ certified dimension
        dt = time.perf_counter() - t0
        cert = reps.certified_dimension(V ** k, V ** k)
        err = reps.constraint_error(B, V ** k, V ** k)
        out(f"   {str(V ** k) + '→' + str(V ** k):<12} {len(B):>6} {cert:>10} {dt * 1e3:>8.1f}ms {err:>10.1e}")


def _layer(G, out):
    import torch

    from ..nn import EquivariantLinear

    V, S = reps.V(G), reps.Scalar(G)
    rep_in, rep_out = V + V ** 2, S + V + V * V.T
    layer = EquivariantLinear(rep_in, rep_out).double()
    g = G.sample(64, seed=0)
    x = torch.randn(64, rep_in.size, dtype=torch.float64)
    with torch.no_grad():
        lhs = layer(torch.einsum("nij,nj->ni", torch.from_numpy(rep_in.rho(g)), x))
        rhs = torch.einsum("nij,nj->ni", torch.from_numpy(rep_out.rho(g)), layer(x))
    err = float((lhs - rhs).abs().max() / (1 + rhs.abs().max()))
    out(f"   {layer!r}: equivariance error {err:.1e} over 64 sampled elements (float64)")


def main_job(args, out=print) -> None:
    names = args.group or ["SO(3)", "O(1,3)"]
    for text in names:
        G = parse_group(text)
        _declare(G, out)
        kmax = args.max_power if args.max_power is not None else (4 if str(G) == "SO(3)" else 2)
        _table(G, kmax, out)
        if not args.no_layer:
            _layer(G, out)
    out(f"(bases are float64 and orthonormal; 'certified' is the Haar/Weyl character integral, "
        f"independent of the solver; max error over sampled elements and Lie generators; "
        f"numpy {np.__version__})")
