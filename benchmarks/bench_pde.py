"""Time from a PDE string to its Lie point symmetries (SymPy only, fresh objects).

    python benchmarks/bench_pde.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

from symgen.pde import PDE
from symgen.timing import median_time

CASES = {
    "heat": "u_t = u_xx",
    "Burgers": "u_t + u*u_x = u_xx",
    "KdV": "u_t + u*u_x + u_xxx",
    "wave": "u_tt = u_xx",
    "sine-Gordon": "u_xt = sin(u)",
    "u_t = u_xx + u^2": "u_t = u_xx + u**2",
    "u_t = (u u_x)_x": "u_t = u*u_xx + u_x**2",
    "NLS (real system)": "v_t = -w_xx - (v**2 + w**2)*w; w_t = v_xx + (v**2 + w**2)*v",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'PDE':20} {'finite dim':>10} {'infinite':>8} {'first s':>8} {'again s':>8}   "
          f"(first call in this process; then median of {args.repeats} with SymPy's cache warm)")
    for name, text in CASES.items():
        t0 = time.perf_counter()
        sym = PDE(text).symmetries()
        first = time.perf_counter() - t0
        seconds = median_time(lambda: PDE(text).symmetries(), args.repeats, warmup=0)
        print(f"{name:20} {str(sym.dimension):>10} {str(sym.infinite):>8} {first:8.2f} {seconds:8.2f}")


if __name__ == "__main__":
    main()
