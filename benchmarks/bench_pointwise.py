"""Pointwise (PDE flow) kernels on the CPU: generated torch vs Numba, as the runtime calls them.

Times ``runtime.op(ir).run(..., backend=b)`` (adaptors included: broadcast, flatten,
back to torch) on a grid of 64 x 256 points for flow kernels of ``LieAugmentation``:
a nonlinear field change, a closed-form resampling map and the vector field Runge–Kutta
integrates. Medians of interleaved rounds; the runtime's ``auto`` choice on eager CPU
tensors follows this table (:mod:`symgen.codegen.runtime`).

    python benchmarks/bench_pointwise.py [--repeats 3]
"""

from __future__ import annotations

import argparse

import sympy
import torch

from symgen.codegen import runtime
from symgen.nn import LieAugmentation
from symgen.pde import PDE, VectorField
from symgen.timing import interleaved_medians

ROWS, COLS = 64, 256


def kernels():
    """(label, Pointwise IR) of typical flow kernels."""
    t, x, u = sympy.symbols("t x u", real=True)
    u_t = PDE("u_t", independent="t x", dependent="u").symmetries()
    square = LieAugmentation(u_t, generators=[VectorField({t: 0, x: 0, u: u ** 2})])
    adv = PDE("u_t + u_x").symmetries()
    closed = LieAugmentation(adv, generators=[VectorField({t: 0, x: sympy.sin(x - t) / 3, u: 0})])
    numeric = LieAugmentation(adv, generators=[VectorField({t: 0, x: 1 / (2 + sympy.cos(x - t)), u: 0})])
    return [("field u/(1-εu)", square.ops[0]["field"].ir),
            ("map sin(x-t)/3", closed.ops[0]["map"].ir),
            ("velocity 1/(2+cos)", numeric.ops[0]["velocity"].ir)]


def inputs(ir, dtype):
    g = torch.Generator().manual_seed(0)
    eps = sympy.Symbol("epsilon")
    return [torch.rand(ROWS, 1, 1, dtype=dtype, generator=g) if s.name.startswith(str(eps))
            else torch.rand(ROWS, 1, COLS, dtype=dtype, generator=g) for s in ir.inputs]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{ROWS} x {COLS} points; ms per call (median)")
    print(f"{'kernel':22} {'dtype':8} {'torch':>8} {'numba':>8} {'numba/torch':>12}")
    for label, ir in kernels():
        op = runtime.op(ir)
        op.prepare("numba")
        for dtype in (torch.float32, torch.float64):
            xs = inputs(ir, dtype)
            calls = {b: (lambda b=b: op.run(*xs, backend=b)) for b in ("torch", "numba")}
            med = interleaved_medians(calls, repeats=10 * args.repeats)
            name = str(dtype).removeprefix("torch.")
            print(f"{label:22} {name:8} {1e3 * med['torch']:8.3f} {1e3 * med['numba']:8.3f} "
                  f"{med['numba'] / med['torch']:12.2f}")


if __name__ == "__main__":
    main()
