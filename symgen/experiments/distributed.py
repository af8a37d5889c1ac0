"""Data parallel training over processes: the process group that ``torchrun`` describes.

``torchrun --nproc-per-node 2 -m symgen nbody`` starts two processes with ``RANK``,
``WORLD_SIZE`` and ``MASTER_ADDR``/``MASTER_PORT`` in their environment. The first call of
:func:`world_size` joins them into one process group (gloo for CPU models, NCCL for CUDA
ones); :func:`~symgen.experiments.training.train` then wraps the model in
``DistributedDataParallel`` and gives each process its :func:`shard` of every batch.
Without ``torchrun`` everything here is a no-op for one process:

>>> world_size(), rank(), is_main()
(1, 0, True)
>>> import torch
>>> shard(torch.arange(5))
tensor([0, 1, 2, 3, 4])
"""

from __future__ import annotations

import os

import torch

__all__ = ["world_size", "rank", "is_main", "shard", "all_sum", "broadcast_int", "barrier", "leave"]


def world_size(cuda: bool = False) -> int:
    """The number of processes in the run (``WORLD_SIZE``, 1 without ``torchrun``); joins
    the process group on first use, with NCCL when ``cuda`` else gloo."""
    n = int(os.environ.get("WORLD_SIZE", "1"))
    if n > 1 and not torch.distributed.is_initialized():
        torch.distributed.init_process_group("nccl" if cuda else "gloo")
    return n


def rank() -> int:
    """This process's index in the run (``RANK``; 0 without ``torchrun``)."""
    return int(os.environ.get("RANK", "0"))


def is_main() -> bool:
    """Whether this process prints, plots and writes checkpoints (rank 0)."""
    return rank() == 0


def shard(value):
    """This process's rows of a batch: every ``world_size()``-th row from ``rank()``, so the
    shards of a batch of ``n`` rows differ in length by at most one. Anything that is not a
    tensor with a batch axis is the same for every process and passes unchanged."""
    n = int(os.environ.get("WORLD_SIZE", "1"))
    if n == 1 or not isinstance(value, torch.Tensor) or value.dim() == 0:
        return value
    return value[rank()::n]


def all_sum(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor`` summed over the processes (itself for one process)."""
    if torch.distributed.is_initialized():
        tensor = tensor.clone()
        torch.distributed.all_reduce(tensor)
    return tensor


def broadcast_int(value: int) -> int:
    """Rank 0's ``value`` on every process, so that decisions taken on a clock (the epoch
    count that fits a time budget) are the same everywhere."""
    if not torch.distributed.is_initialized():
        return value
    box = [value]
    torch.distributed.broadcast_object_list(box, src=0)
    return box[0]


def barrier() -> None:
    """Wait for every process (nothing to wait for with one)."""
    if torch.distributed.is_initialized():
        torch.distributed.barrier()


def leave() -> None:
    """Leave the process group at the end of a run (nothing to leave with one process)."""
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()
