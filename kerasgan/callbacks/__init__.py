"""Keras callbacks for GAN training: sample grids, progress GIFs, time limits.

Callbacks write files; models never do.
"""

from kerasgan.callbacks.images import GifBuilder, ImageGrid, save_image_grid, tile_images
from kerasgan.callbacks.run import run_callbacks
from kerasgan.callbacks.training import TimeLimit
from kerasgan.callbacks.translation import TranslationGrid

__all__ = ["GifBuilder", "ImageGrid", "TimeLimit", "TranslationGrid", "save_image_grid", "run_callbacks", "tile_images"]
