"""Loss curves of the experiments saved as a PNG (matplotlib, Agg backend).

>>> import os, tempfile
>>> path = save_curves({"model": [1.0, 0.5, 0.25]}, os.path.join(tempfile.mkdtemp(), "loss.png"),
...                    baseline=(0.3, "baseline"))
>>> os.path.exists(path)
True
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

__all__ = ["save_curves"]


def save_curves(curves: dict, path: str, baseline: tuple | None = None, xlabel: str = "epoch",
                ylabel: str = "MSE", title: str | None = None) -> str:
    """Plot each ``name: values`` of ``curves`` on a log scale (and a dashed horizontal
    ``baseline = (value, label)``), save to ``path`` and return its absolute path."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, values in curves.items():
        ax.semilogy(np.arange(1, len(values) + 1), values, label=name)
    if baseline is not None:
        ax.axhline(baseline[0], color="gray", ls="--", label=baseline[1])
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend()
    fig.tight_layout()
    # written to a temporary file and renamed: processes of one torchrun run may race here
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".png")
    with os.fdopen(fd, "wb") as f:
        fig.savefig(f, format="png", dpi=120)
    plt.close(fig)
    os.replace(tmp, path)
    return os.path.abspath(path)
