"""Tools for testing equivariance: Hypothesis strategies and ``assert_equivariant``."""

__all__: list[str] = []
