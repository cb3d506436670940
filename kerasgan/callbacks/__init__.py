"""Keras callbacks for GAN training: sample grids, progress GIFs, loss curves, time limits, checkpoints, diagnostics.

Callbacks write files; models never do.
"""

from kerasgan.callbacks.checkpoint import Checkpoint, NonFiniteLossError, count_batches, fit_with_checkpoints
from kerasgan.callbacks.diagnostics import DiagnosticRecord, Diagnostics, GANDiagnosticWarning, oscillation_score
from kerasgan.callbacks.images import GifBuilder, ImageGrid, save_image_grid, tile_images
from kerasgan.callbacks.loss_curves import LossCurves, StepValues, draw_loss_curves
from kerasgan.callbacks.points import PointScatter, scatter_image
from kerasgan.callbacks.run import run_callbacks
from kerasgan.callbacks.super_resolution import SuperResolutionGrid
from kerasgan.callbacks.tensorboard import TensorBoard
from kerasgan.callbacks.training import StopOnSignal, TimeLimit
from kerasgan.callbacks.translation import TranslationGrid

__all__ = [
    "Checkpoint",
    "DiagnosticRecord",
    "Diagnostics",
    "GANDiagnosticWarning",
    "GifBuilder",
    "ImageGrid",
    "LossCurves",
    "NonFiniteLossError",
    "StopOnSignal",
    "TensorBoard",
    "PointScatter",
    "StepValues",
    "SuperResolutionGrid",
    "TimeLimit",
    "TranslationGrid",
    "count_batches",
    "draw_loss_curves",
    "fit_with_checkpoints",
    "oscillation_score",
    "run_callbacks",
    "save_image_grid",
    "scatter_image",
    "tile_images",
]
