"""symgen's EGNN against the official EGNN N-body model (github.com/vgsatorras/egnn,
``n_body_system/model.py`` ``EGNN_vel``; a copy outside this repository, measurement only):
the official weights copied into ``symgen.nn.EGNN(groups.O(3), 1, 64, 4, edge_features=2,
velocity=True)``, both run on the same 3 systems of 5 charged particles from ``x`` (the
official wiring), float32. Prints the largest difference of the output positions. The
coordinate heads' last layers (initialised ×10⁻³ by both) are redrawn with std 0.05 so that
the moves matter.

    OMP_NUM_THREADS=1 python benchmarks/egnn_official_equivalence.py /tmp/egnn_official
"""

import sys

import torch

from symgen import groups
from symgen.nn import EGNN


def main(path: str) -> None:
    sys.path.insert(0, path)
    from n_body_system.model import EGNN_vel
    torch.manual_seed(0)
    official = EGNN_vel(in_node_nf=1, in_edge_nf=2, hidden_nf=64, n_layers=4, recurrent=True)
    ours = EGNN(groups.O(3), in_features=1, hidden=64, layers=4, edge_features=2, velocity=True)
    with torch.no_grad():
        ours.embed.load_state_dict(official.embedding.state_dict())
        for i, layer in enumerate(ours.layers):
            g = official._modules[f"gcl_{i}"]
            g.coord_mlp[-1].weight.normal_(0, 0.05)
            for mine, theirs in ((layer.edge, g.edge_mlp), (layer.node, g.node_mlp), (layer.coord, g.coord_mlp),
                                 (layer.velocity, g.coord_mlp_vel)):
                mine.load_state_dict(theirs.state_dict())
        b, n = 3, 5
        x, v, q = torch.randn(b * n, 3), torch.randn(b * n, 3), torch.randn(b * n).sign()
        pairs = (~torch.eye(n, dtype=torch.bool)).nonzero()
        src, dst = ((pairs[:, k] + n * torch.arange(b)[:, None]).reshape(-1) for k in (1, 0))
        # the official edge list [rows, cols]: rows receive, as dst here
        attr = torch.stack([q[src] * q[dst], (x[src] - x[dst]).square().sum(1)], 1)
        theirs = official(v.norm(dim=1, keepdim=True), x.clone(), [dst, src], v, attr)
        _, mine = ours(v.norm(dim=1, keepdim=True), x.clone(), src, dst, v, attr)
    print(f"parameters: official {sum(p.numel() for p in official.parameters())}, "
          f"symgen {sum(p.numel() for p in ours.parameters())}")
    print(f"max |official − symgen| = {float((theirs - mine).abs().max()):.2e} "
          f"(largest move {float((theirs - x).abs().max()):.3f})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/egnn_official")
