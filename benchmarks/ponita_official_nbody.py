"""Run the official PONITA N-body script (github.com/ebekkers/ponita ``main_nbody.py``, a copy
outside this repository, measurement only) unchanged, with the shims this environment needs,
and print its metrics: the official run logs only to wandb.

Shims: ``torch_scatter.scatter_mean`` via ``index_add`` (no wheel for torch 2.13); PyG 2.8's
abstract ``BaseTransform.forward`` cleared (the official transforms define ``__call__``);
``RadiusGraph`` replaced by the complete graph with self loops when ``torch_cluster`` is
missing (``main_nbody`` uses radius 1000 on 5 particles, i.e. that graph); ``torch.load`` of
its own Lightning checkpoints with ``weights_only=False``. Reports: train / valid MSE per
epoch, and the test MSE at the final weights and at the best validation (the official figure).
Run from the copy's directory, whose ``n_body_system/dataset`` holds the ``nbody_small`` files
(e.g. ``benchmarks/nbody_egnn_data.py export``); needs ``pytorch_lightning`` and ``torch_geometric``:

    cd /tmp/ponita_symdata && OMP_NUM_THREADS=1 /tmp/venv-ponita/bin/python .../benchmarks/ponita_official_nbody.py --gpus 0 --log False --epochs 150 --max_training_samples 1000 --hidden_dim 24 --layers 2 --num_ori 16 --basis_dim 16
"""
import importlib.util
import runpy
import sys
import time
import types

import pytorch_lightning as pl
import torch
import torch_geometric.transforms as T


def scatter_mean(src, index, dim=0):
    """``torch_scatter.scatter_mean`` over dim 0 by ``index_add``."""
    assert dim == 0
    size = int(index.max()) + 1
    total = src.new_zeros((size,) + src.shape[1:]).index_add(0, index, src)
    count = torch.zeros(size, dtype=src.dtype).index_add(0, index, torch.ones(len(index), dtype=src.dtype)).clamp(min=1)
    return total / count.view((-1,) + (1,) * (src.dim() - 1))


class CompleteGraph:
    """Stands in for ``RadiusGraph(r, loop)`` when every pair is within ``r``."""

    def __init__(self, r, loop=False, max_num_neighbors=32):
        self.loop = loop

    def __call__(self, data):
        keep = torch.ones(len(data.pos), len(data.pos), dtype=torch.bool)
        if not self.loop:
            keep.fill_diagonal_(False)
        data.edge_index = keep.nonzero().t().contiguous()
        return data


class Report(pl.Callback):
    """Prints the logged metrics after every training epoch (valid MSE: the last validation)."""

    def on_train_epoch_end(self, trainer, module):
        metrics = {k: round(float(v), 6) for k, v in trainer.callback_metrics.items()}
        print(f"epoch {trainer.current_epoch} {metrics} {time.strftime('%H:%M:%S')}", flush=True)


def main() -> None:
    T.BaseTransform.__abstractmethods__ = frozenset()
    if importlib.util.find_spec("torch_scatter") is None:
        sys.modules["torch_scatter"] = types.SimpleNamespace(scatter_mean=scatter_mean)
    if importlib.util.find_spec("torch_cluster") is None:
        T.RadiusGraph = CompleteGraph
    load, init, test = torch.load, pl.Trainer.__init__, pl.Trainer.test
    torch.load = lambda *a, **k: load(*a, **{**k, "weights_only": False})    # its own checkpoints

    def init_with_report(self, *a, callbacks=(), **k):
        init(self, *a, callbacks=list(callbacks) + [Report()], **k)

    def test_final_and_best(self, model, loader, ckpt_path=None, **k):
        print("test at the final weights:", test(self, model, loader, ckpt_path=None, verbose=False), flush=True)
        print("test at the best validation:", test(self, model, loader, ckpt_path=ckpt_path, verbose=False), flush=True)

    pl.Trainer.__init__, pl.Trainer.test = init_with_report, test_final_and_best
    sys.path.insert(0, ".")                                                  # the copy's packages
    sys.argv = ["main_nbody.py"] + sys.argv[1:]
    runpy.run_path("main_nbody.py", run_name="__main__")


if __name__ == "__main__":
    main()
