"""Scatter plots of a point GAN's samples over the real data, per epoch: PNG files, TensorBoard, GIF frames."""

import os

import keras
import numpy as np

from kerasgan.callbacks.images import _global_step, _ImageSummary, _write_png
from kerasgan.utils import checks
from kerasgan.utils.progress import silenced


def scatter_image(real, fake, limits=None, size=320):
    """An RGB uint8 image (size × size) of `real` points (grey) with `fake` points (red) over them.

    `limits` (low, high) frames both axes; by default the real points' extent plus a margin.
    """
    # Imported here: matplotlib is needed only for point plots. A Figure with its
    # own Agg canvas touches no global backend (pyplot is never imported).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    real, fake = np.asarray(real)[:, :2], np.asarray(fake)[:, :2]
    limits = _limits(real) if limits is None else limits
    figure = Figure(figsize=(size / 80, size / 80), dpi=80)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.scatter(real[:, 0], real[:, 1], s=2, c="0.6", label="real")
    axes.scatter(fake[:, 0], fake[:, 1], s=2, c="tab:red", alpha=0.5, label="generated")
    axes.set_xlim(*limits)
    axes.set_ylim(*limits)
    axes.set_xticks([])
    axes.set_yticks([])
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def _limits(real):
    low, high = float(real.min()), float(real.max())
    margin = 0.15 * (high - low) + 1e-6
    return low - margin, high + margin


class PointScatter(keras.callbacks.Callback):
    """Writes a scatter plot of generated points over real ones at the end of every `every` epochs.

    The files are `epoch_NNNN_step_SSSSSSSS.png` in `directory`, so
    `GifBuilder(directory, "progress.gif")` animates them; with
    `tensorboard_dir` each plot is logged as the image "points". The same
    latents are used at every epoch, so the frames show the same samples move.

    Args:
        directory: folder of the PNGs.
        real: (n, 2) real points drawn under the samples (e.g. `ring.sample(2500)`).
        num_points: generated points per plot (the mode-coverage metrics score 2,500).
        every: epochs between plots.
        tensorboard_dir: where to log the plots for TensorBoard, or None.
        seed: seed of the fixed latents.

    Example:
        ```python
        ring = kerasgan.data.ring()
        gan.fit(data, epochs=20, callbacks=[
            kerasgan.callbacks.PointScatter("logs/ring/points", ring.sample(2500)),
            kerasgan.callbacks.GifBuilder("logs/ring/points", "logs/ring/progress.gif")])
        ```
    """

    def __init__(self, directory, real, num_points=2500, every=1, tensorboard_dir=None, seed=0):
        super().__init__()
        real = np.asarray(real, dtype="float32")
        if real.ndim != 2 or real.shape[1] < 2:
            raise ValueError(f"PointScatter: real must be an (n, 2) array of points; got shape {real.shape}.")
        self.directory = os.fspath(directory)
        self.real = real
        self.num_points = checks.positive_int("PointScatter", "num_points", num_points)
        self.every = checks.positive_int("PointScatter", "every", every)
        self.seed = seed
        self.paths = []
        self.limits = _limits(real)  # fixed, so the frames of a GIF line up
        self._summary = None if tensorboard_dir is None else _ImageSummary(os.fspath(tensorboard_dir), "points")

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self.write(epoch)

    def on_train_end(self, logs=None):
        if self._summary is not None:
            self._summary.close()

    def write(self, epoch):
        """Plots the samples for 0-based `epoch`; returns the PNG's path."""
        if not getattr(self.model, "points", False):
            raise ValueError(
                f"PointScatter plots the samples of a point GAN (GAN.for_points); {type(self.model).__name__} "
                "makes images: use ImageGrid."
            )
        os.makedirs(self.directory, exist_ok=True)
        with silenced():  # fit()'s bar is on screen
            fake = self.model.generate(self.num_points, seed=self.seed)
        image = scatter_image(self.real, fake, self.limits)
        step = _global_step(self.model, epoch)
        path = os.path.join(self.directory, f"epoch_{epoch + 1:04d}_step_{step:08d}.png")
        _write_png(path, image)
        self.paths.append(path)
        if self._summary is not None:
            self._summary.write(image, step)
        return path
