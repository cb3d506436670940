"""Keras callbacks for GAN training: sample grids, progress GIFs, time limits, diagnostics.

Callbacks write files; models never do.
"""

from kerasgan.callbacks.diagnostics import DiagnosticRecord, Diagnostics, GANDiagnosticWarning, oscillation_score
from kerasgan.callbacks.images import GifBuilder, ImageGrid, save_image_grid, tile_images
from kerasgan.callbacks.run import run_callbacks
from kerasgan.callbacks.training import TimeLimit

__all__ = [
    "DiagnosticRecord",
    "Diagnostics",
    "GANDiagnosticWarning",
    "GifBuilder",
    "ImageGrid",
    "TimeLimit",
    "oscillation_score",
    "save_image_grid",
    "run_callbacks",
    "tile_images",
]
