"""A compiled kernel: the callable, its generated source and where it lives."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CodegenError
from . import cache

__all__ = ["Kernel", "build", "choose_strategy"]


@dataclass(frozen=True, eq=False)
class Kernel:
    """A generated function with its source.

    ``fn`` is the raw generated function; calling the kernel calls it. ``source`` is
    exactly the text of the module file at ``path`` in the cache directory.
    """

    ir: object
    backend: str
    strategy: str
    fn: object = field(repr=False)
    source: str = field(repr=False)
    path: Path

    def __call__(self, *args):
        return self.fn(*args)

    def __repr__(self):
        return f"Kernel({self.ir.name}, backend={self.backend}, strategy={self.strategy})"


def choose_strategy(ir, strategy: str | None, max_unrolled: int,
                    choices: tuple = ("unrolled", "table"), large: str = "table") -> str:
    """``strategy`` if one of ``choices``, else ``"unrolled"`` up to ``max_unrolled`` terms
    and ``large`` above."""
    if strategy is None:
        return "unrolled" if len(ir.terms) <= max_unrolled else large
    if strategy not in choices:
        raise CodegenError(f"unknown strategy {strategy!r}; choose one of {', '.join(map(repr, choices))}")
    return strategy


def build(ir, backend: str, strategy: str, generate) -> Kernel:
    """Kernel from the cached module of ``ir`` (written by ``generate()`` when missing or corrupt)."""
    key = cache.hash_key(ir, backend, strategy)
    path, _ = cache.get_or_create(ir.name, key, generate)
    module = cache.import_module(path)
    return Kernel(ir, backend, strategy, getattr(module, ir.name), path.read_text(), path)
