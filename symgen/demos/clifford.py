"""The Clifford step of the default job: declare → generate → run → check → time."""

from __future__ import annotations

import numpy as np
import sympy

from ..algebra import CliffordAlgebra
from ..codegen import cache_dir
from ..timing import median_time
from . import options

__all__ = ["register", "main_job"]


def _algebra(args) -> CliffordAlgebra:
    return CliffordAlgebra.from_signature(*args.signature)


def register(subparsers) -> None:
    """Add ``symgen clifford``."""
    p = subparsers.add_parser("clifford", help="declare a Clifford algebra, generate and check its kernels")
    add_arguments(p)
    p.set_defaults(run=main_job)


def add_arguments(parser) -> None:
    parser.add_argument("--signature", type=options.natural, nargs=3, default=(1, 3, 0), metavar=("P", "Q", "R"),
                        help="Cl(p, q, r), null vectors first (default: 1 3 0, spacetime)")
    parser.add_argument("--batch", type=options.count, default=100_000, help="rows in the timed batch")




def main_job(args, out=print) -> None:
    import torch

    alg = _algebra(args)
    out(f"== Clifford algebra {alg}: metric diag{tuple(alg.metric.diagonal())}, {alg.dim} blades")
    x, y = alg.multivector("x", grades=1), alg.multivector("y", grades=1)
    out(f"symbolic: x = {x}")
    out(f"          x y = {x * y}")

    gp = alg.bilinear_ir("geometric_product")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, args.batch, alg.dim))
    kernel = alg.kernel("geometric_product", like=a)      # what runs on this batch (compiled now)
    out(f"generated {gp!r}; code cache: {cache_dir()}")
    lines = kernel.source.splitlines()
    # one line per output blade (Numba, unrolled torch); small batches get NumPy's table kernel
    body = [q for q, line in enumerate(lines) if "OUT[" in line and "#" in line] or \
        [next(q for q, line in enumerate(lines) if line.startswith("def ")) + 2]
    out(f"{kernel.backend} kernel source ({kernel.path}, {len(lines)} lines), excerpt:")
    for line in lines[1:3] + ["    ..."] + lines[body[0] - 2:body[0] + 4] + ["    ..."]:
        out("    " + line)

    ours_np = alg.geometric_product(a, b)
    ours_t = alg.geometric_product(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    sym = alg.multivector("a") * alg.multivector("b")
    names = [sympy.Symbol(f"a{q}", real=True) for q in range(alg.dim)] + \
            [sympy.Symbol(f"b{q}", real=True) for q in range(alg.dim)]
    exact = sympy.lambdify(names, list(sym.values), "numpy")
    rows = 200
    ref = np.stack(np.broadcast_arrays(*exact(*a[:rows].T, *b[:rows].T)), axis=-1)
    out(f"check vs symbolic product on {rows} rows: numpy arrays max err {np.abs(ours_np[:rows] - ref).max():.1e}, "
        f"torch tensors max err {np.abs(ours_t[:rows] - ref).max():.1e}")

    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    ta, tb = torch.from_numpy(a32), torch.from_numpy(b32)
    cayley = torch.zeros(alg.dim, alg.dim, alg.dim)
    for k, i, j, c in gp.terms:
        cayley[i, j, k] = float(c)
    times = {}
    for name, x, y in (("numpy f64", a, b), ("numpy f32", a32, b32), ("torch f32 CPU eager", ta, tb)):
        ran = alg.kernel("geometric_product", like=x).backend     # the kernel that runs (compiled now)
        times[f"symgen {name} -> {ran}"] = median_time(lambda: alg.geometric_product(x, y))
    times["symgen torch f32 CPU eager, backend='torch'"] = median_time(
        lambda: alg.geometric_product(ta, tb, backend="torch"))
    times["dense Cayley einsum f32 (torch)"] = median_time(
        lambda: torch.einsum("...i,ijk,...j->...k", ta, cayley, tb))
    base = times["dense Cayley einsum f32 (torch)"]
    out(f"geometric product, batch {args.batch} (median of 5; '-> numba' names the kernel that ran):")
    for name, t in times.items():
        out(f"    {name:44} {1e3 * t:8.2f} ms   {base / t:6.1f}x vs einsum")
    _layer_step(alg, out)


def _layer_step(alg, out) -> None:
    """Build a CGENN layer on the algebra's generated kernels and check its equivariance."""
    import torch

    from ..nn import GeometricProductLayer, MVSiLU
    from ..testing import assert_equivariant

    torch.manual_seed(0)
    model = torch.nn.Sequential(GeometricProductLayer(alg, 8), MVSiLU(alg, 8)).double()
    model.alg, model.channels = alg, 8
    error = assert_equivariant(model, n_elements=16)
    out(f"layer: GeometricProductLayer -> MVSiLU on 8 channels, {sum(p.numel() for p in model.parameters())} weights "
        f"({len(model[0].paths)} grade paths)")
    out(f"assert_equivariant over 16 random versors of {alg}: worst relative error {error:.1e} (float64) -> ok")
