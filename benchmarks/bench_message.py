"""Message passing kernels: the fused Numba edge loop vs torch's gather + op + index_add.

A k-nearest-neighbour graph of a point cloud; each edge carries an (n × n) matrix that acts on
its source node's features (the message of a steerable point convolution), summed at the
destination. Forward + backward (gradients for edge matrices and node features), float32,
eager CPU, median ms over interleaved rounds. "hand-written" is what a user writes in plain torch:
``index_add(einsum(W, x[src]))``.

    OMP_NUM_THREADS=1 python benchmarks/bench_message.py [--points 2000] [--k 16]
"""

from __future__ import annotations

import argparse

import torch

from symgen.codegen.ir import Bilinear
from symgen.codegen.runtime import MessageOp
from symgen.nn import knn_graph
from symgen.timing import interleaved_medians


def matvec(n: int) -> Bilinear:
    return Bilinear(f"matvec{n}", n, n * n, n, tuple((o, o * n + i, i, 1) for o in range(n) for i in range(n)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--k", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    pos = torch.randn(args.points, 3)
    src, dst = knn_graph(pos, args.k)
    edges = len(src)
    print(f"kNN graph: {args.points} points, k = {args.k}, {edges} edges; fwd+bwd float32, median of "
          f"{args.repeats} (ms)")
    print(f"{'n':>3} {'fused Numba':>12} {'symgen torch':>13} {'hand-written':>13} {'vs torch':>9} {'vs hand':>8}")
    for n in (4, 8, 16):
        op = MessageOp(matvec(n))
        w = torch.randn(edges, n * n, requires_grad=True)
        x = torch.randn(args.points, n, requires_grad=True)

        def step(backend):
            def run():
                op(w, x, src, dst, args.points, backend=backend).square().sum().backward()
            return run

        def hand():
            msg = torch.einsum("eoi,ei->eo", w.view(edges, n, n), x[src])
            torch.zeros(args.points, n).index_add(0, dst, msg).square().sum().backward()

        step("numba")()                          # compile before timing
        step("torch")()
        t = {name: sec * 1e3 for name, sec in interleaved_medians(
            {"numba": step("numba"), "torch": step("torch"), "hand": hand}, repeats=args.repeats).items()}
        print(f"{n:>3} {t['numba']:12.2f} {t['torch']:13.2f} {t['hand']:13.2f} "
              f"{t['torch'] / t['numba']:8.1f}x {t['hand'] / t['numba']:7.1f}x")


if __name__ == "__main__":
    main()
