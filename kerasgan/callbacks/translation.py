"""Translation grids: input | translation | reconstruction (or target) for fixed held-out images."""

import os

import keras
import numpy as np

from kerasgan.callbacks.images import save_image_grid
from kerasgan.models.image_translation import ImageTranslation
from kerasgan.utils import checks


def _rgb(images):
    return np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images


class TranslationGrid(keras.callbacks.Callback):
    """Writes a grid of translations of the same held-out images during training.

    Each row is one image: its input, the model's translation and, for a
    model that translates both ways (CycleGAN: "b2a" among its `directions`),
    the reconstruction translated back; when `targets` are given (pix2pix's
    ground truth) they form the last column. The model must be a
    `kerasgan.models.ImageTranslation`; with `ema=` the grid shows the
    generators' moving averages, as `translate` does. Every `every_n_epochs` epochs (and optionally every
    `every_n_batches` batches) the grid goes to
    `directory/translations_epoch_{epoch:04d}_step_{step:08d}.png` (step =
    `model.g_optimizer.iterations`, so names sort in training order and
    `GifBuilder(..., pattern="translations_*.png")` animates them) and, with
    `tensorboard_dir`, to TensorBoard as the image "translations" at that step.

    Args:
        directory: folder of the PNGs (created if missing).
        images: the inputs, float32 (n, H, W, C) in [-1, 1]; keep them out of
            the training data (`kerasgan.data.held_out_images`).
        targets: optional ground truth for the inputs, shown last.
        direction: "a2b" or "b2a".
        every_n_epochs: write every this many epochs; None for never.
        every_n_batches: also write every this many batches; None for never.
        tensorboard_dir: also log each grid there.

    Example:
        ```python
        a, b = kerasgan.data.held_out_images("a/", "b/", image_size=128, holdout=8, paired=False)
        model.fit(data, callbacks=[TranslationGrid("logs/run/images", a, tensorboard_dir="logs/run/tb")])
        ```
    """

    def __init__(
        self,
        directory,
        images,
        targets=None,
        direction="a2b",
        every_n_epochs=1,
        every_n_batches=None,
        tensorboard_dir=None,
    ):
        super().__init__()
        self.directory = os.fspath(directory)
        self.images = np.asarray(images, dtype="float32")
        if self.images.ndim != 4 or len(self.images) == 0:
            raise ValueError(
                f"TranslationGrid: images must be a non-empty (n, H, W, C) array; got shape {self.images.shape}."
            )
        self.targets = None if targets is None else np.asarray(targets, dtype="float32")
        if self.targets is not None and len(self.targets) != len(self.images):
            raise ValueError(f"TranslationGrid: {len(self.targets)} targets for {len(self.images)} images.")
        if direction not in ("a2b", "b2a"):
            raise ValueError(f"TranslationGrid: direction must be 'a2b' or 'b2a'; got {direction!r}.")
        self.direction = direction
        self.every_n_epochs = checks.positive_int("TranslationGrid", "every_n_epochs", every_n_epochs, allow_none=True)
        self.every_n_batches = checks.positive_int(
            "TranslationGrid", "every_n_batches", every_n_batches, allow_none=True
        )
        if self.every_n_epochs is None and self.every_n_batches is None:
            raise ValueError("TranslationGrid: every_n_epochs and every_n_batches are both None; set one of them.")
        self.tensorboard_dir = None if tensorboard_dir is None else os.fspath(tensorboard_dir)
        self.paths = []
        self._writer = None
        self._batches = 0
        self._epoch = 0
        self._last_path = None

    def set_model(self, model):
        if not isinstance(model, ImageTranslation):
            raise TypeError(
                f"TranslationGrid draws the translations of a kerasgan.models.ImageTranslation (Pix2Pix, CycleGAN); "
                f"got a {type(model).__name__}. For samples of a GAN use ImageGrid."
            )
        model.check_direction(self.direction)
        super().set_model(model)

    def columns(self):
        """The grid's columns for the current model: a list of (n, H, W, C) arrays."""
        model = self.model
        translated = model.translate(self.images, self.direction)
        columns = [self.images, translated]
        back = "b2a" if self.direction == "a2b" else "a2b"
        if back in model.directions:
            columns.append(model.translate(translated, back))
        if self.targets is not None:
            columns.append(self.targets)
        if len({c.shape[-1] for c in columns}) > 1:
            columns = [_rgb(c) for c in columns]
        return columns

    def write_grid(self, epoch):
        """Writes the grid for 0-based `epoch` at the current step; returns its path (None if just written)."""
        # The generator side's update count is the training step, saved with
        # the optimizer, so a resumed run's names keep sorting in training order.
        step = int(keras.ops.convert_to_numpy(self.model.g_optimizer.iterations))
        path = os.path.join(self.directory, f"translations_epoch_{epoch + 1:04d}_step_{step:08d}.png")
        if path == self._last_path:
            return None
        columns = self.columns()
        # Row-major tiling: row i holds image i's columns side by side.
        interleaved = np.stack(columns, axis=1).reshape(-1, *columns[0].shape[1:])
        grid = save_image_grid(path, interleaved, cols=len(columns))
        self._last_path = path
        self.paths.append(path)
        if self.tensorboard_dir is not None:
            self._summarize(grid, step)
        return path

    def _summarize(self, grid, step):
        # Imported here: TensorBoard output is the only use of TensorFlow in
        # this callback.
        import tensorflow as tf

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.tensorboard_dir)
        with self._writer.as_default():
            tf.summary.image("translations", grid[None], step=step)
        self._writer.flush()

    def on_train_begin(self, logs=None):
        self._batches = 0
        self._last_path = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self._batches += 1
        if self.every_n_batches and self._batches % self.every_n_batches == 0:
            self.write_grid(self._epoch)

    def on_epoch_end(self, epoch, logs=None):
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            self.write_grid(epoch)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
