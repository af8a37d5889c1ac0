"""Experiments from the CGENN paper, runnable from the CLI (``symgen nbody``)."""
