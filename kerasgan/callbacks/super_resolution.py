"""`SuperResolutionGrid`: LR (nearest) | bicubic | model | HR rows of fixed held-out patches, to PNG and TensorBoard."""

import os

import keras
import numpy as np

from kerasgan.callbacks.images import save_image_grid


class SuperResolutionGrid(keras.callbacks.Callback):
    """Every `every_n_epochs` epochs writes `directory/sr_<step>.png`: one row per LR image, LR | bicubic | model | HR.

    Args:
        directory: where the PNGs go.
        lr: held-out LR patches (n, h, w, C) in [-1, 1].
        hr: their HR patches (n, h·scale, w·scale, C).
        every_n_epochs: how often.
        tensorboard_dir: also log the grid there under the tag "super_resolution".
    """

    def __init__(self, directory, lr, hr, every_n_epochs=1, tensorboard_dir=None):
        super().__init__()
        self.directory, self.lr, self.hr = directory, np.asarray(lr, "float32"), np.asarray(hr, "float32")
        self.every_n_epochs, self.tensorboard_dir = every_n_epochs, tensorboard_dir

    def rows(self):
        from kerasgan.data import upscale_bicubic

        scale = self.model.scale
        nearest = np.repeat(np.repeat(self.lr, scale, axis=1), scale, axis=2)
        columns = [nearest, upscale_bicubic(self.lr, scale), self.model.upscale(self.lr), self.hr]
        return np.stack(columns, axis=1).reshape(-1, *self.hr.shape[1:])

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        step = int(self.model.g_optimizer.iterations)
        images = self.rows()
        save_image_grid(os.path.join(self.directory, f"sr_{step:08d}.png"), images, cols=4)
        if self.tensorboard_dir:
            import tensorflow as tf

            with tf.summary.create_file_writer(self.tensorboard_dir).as_default():
                tf.summary.image("super_resolution", (images + 1.0) / 2.0, step=step, max_outputs=len(images))
