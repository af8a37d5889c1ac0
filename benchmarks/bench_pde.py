"""Time from a PDE string to its Lie point symmetries (SymPy only, fresh objects), and
the throughput of the generated LieAugmentation against a hand-written LPSDA-style one.

    python benchmarks/bench_pde.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import math
import time

import sympy
import torch

from symgen.nn import LieAugmentation
from symgen.pde import PDE
from symgen.timing import interleaved_medians, median_time

CASES = {
    "heat": "u_t = u_xx",
    "Burgers": "u_t + u*u_x = u_xx",
    "KdV": "u_t + u*u_x + u_xxx",
    "wave": "u_tt = u_xx",
    "sine-Gordon": "u_xt = sin(u)",
    "u_t = u_xx + u^2": "u_t = u_xx + u**2",
    "u_t = (u u_x)_x": "u_t = u*u_xx + u_x**2",
    "u_t = (u^n u_x)_x": "u_t = (u**n*u_x)_x",
    "gKdV u^n u_x": "u_t + u**n*u_x + u_xxx",
    "NLS (real system)": "v_t = -w_xx - (v**2 + w**2)*w; w_t = v_xx + (v**2 + w**2)*v",
    "mKdV": "u_t + u**2*u_x + u_xxx = 0",
    "Boussinesq": "u_tt + u*u_xx + u_x**2 + u_xxxx = 0",
    "Harry Dym": "u_t = u**3*u_xxx",
    "Klein-Gordon": "u_tt = u_xx - u",
    "2D heat": "u_t = u_xx + u_yy",
    "KP": "u_xt + u_x**2 + u*u_xx + u_xxxx + u_yy = 0",
    "shallow water": "h_t + u*h_x + h*u_x = 0; u_t + u*u_x + h_x = 0",
}
_t, _x = sympy.symbols("t x")
FACTORED = {  # non-polynomial symmetries: the ansatz widened by these factors
    "Fokker-Planck e^kt": ("u_t = u_xx + x*u_x + u", [sympy.exp(k * _t) for k in (-2, -1, 1, 2)]),
    "Black-Scholes log x": ("u_t + x**2*u_xx/2 + x*u_x - u = 0", [sympy.log(_x), sympy.log(_x) ** 2]),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'PDE':20} {'finite dim':>10} {'infinite':>8} {'first s':>8} {'again s':>8}   "
          f"(first call in this process; then median of {args.repeats} with SymPy's cache warm)")
    cases = {name: (text, ()) for name, text in CASES.items()} | FACTORED
    for name, (text, factors) in cases.items():
        t0 = time.perf_counter()
        sym = PDE(text).symmetries(factors=factors)
        first = time.perf_counter() - t0
        seconds = median_time(lambda: PDE(text).symmetries(factors=factors), args.repeats, warmup=0)
        print(f"{name:20} {str(sym.dimension):>10} {str(sym.infinite):>8} {first:8.2f} {seconds:8.2f}")
    augmentation(args.repeats)


def lpsda_by_hand(u, t, x, eps):
    """KdV space shift then Galilean boost, written out as LPSDA does (the reference)."""
    k = 2 * math.pi * torch.fft.rfftfreq(x.shape[-1], d=float(x[1] - x[0]), dtype=u.dtype)
    shift = eps[:, 0, None, None] + eps[:, 1, None, None] * t[None, :, None]
    u = torch.fft.irfft(torch.fft.rfft(u, dim=-1) * torch.exp(-1j * k * shift), n=u.shape[-1], dim=-1)
    return u + eps[:, 1, None, None]


def augmentation(repeats):
    sym = PDE("u_t + u*u_x + u_xxx").symmetries()
    B, nt, nx = 64, 32, 256
    print(f"\nLieAugmentation, KdV space shift + Galilean boost, batch {B} x {nt} times x {nx} points")
    print(f"{'dtype':8} {'hand-written ms':>16} {'torch ms':>9} {'numba ms':>9} {'torch/hand':>11} {'max diff':>9}")
    for dtype in (torch.float32, torch.float64):
        spec = torch.randn(B, nt, nx // 4, dtype=torch.complex128)     # band-limited data
        u = torch.fft.irfft(spec, n=nx, dim=-1).to(dtype)
        t = torch.linspace(0, 1, nt, dtype=dtype)
        x = torch.arange(nx, dtype=dtype) * (2 * math.pi / nx)
        eps = torch.rand(B, 2, dtype=dtype)
        mods = {b: LieAugmentation(sym, generators=[1, 2], backend=b) for b in ("torch", "numba")}
        ref = lpsda_by_hand(u, t, x, eps)
        diff = float((mods["torch"](u, t, x, eps=eps)[0] - ref).abs().max())
        times = interleaved_medians({"hand": lambda: lpsda_by_hand(u, t, x, eps),
                                     **{b: (lambda m=m: m(u, t, x, eps=eps)) for b, m in mods.items()}},
                                    repeats * 10)
        hand, ours = times["hand"], times
        print(f"{str(dtype)[6:]:8} {hand * 1e3:16.2f} {ours['torch'] * 1e3:9.2f} {ours['numba'] * 1e3:9.2f} "
              f"{ours['torch'] / hand:11.2f} {diff:9.1e}")


if __name__ == "__main__":
    main()
