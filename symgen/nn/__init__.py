"""Torch modules built on symgen's algebra objects and their generated kernels."""

__all__: list[str] = []
