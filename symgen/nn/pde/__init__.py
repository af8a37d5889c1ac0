"""PDE symmetries in training: Lie-point augmentation of gridded solutions, PINN losses."""

from .augmentation import LieAugmentation
from .losses import pde_residual, residual_gradient, symmetry_loss, symmetry_residual

__all__ = ["LieAugmentation", "pde_residual", "residual_gradient", "symmetry_residual", "symmetry_loss"]
