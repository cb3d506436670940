"""The standard set of callbacks for a run folder."""

import os

import keras

from kerasgan.callbacks.images import GifBuilder, ImageGrid


def run_callbacks(run_dir, every_n_epochs=1, seed=0):
    """Sample grids, a progress GIF and TensorBoard logs under `run_dir`.

    Writes `run_dir/images/` (a grid from fixed latents every N epochs),
    `run_dir/progress.gif` at the end of training, and `run_dir/tb/` (scalars
    from `keras.callbacks.TensorBoard`, sample grids under the tag "samples").

    Example:
        gan.fit(dataset, epochs=20, callbacks=kerasgan.callbacks.run_callbacks("logs/run1"))
    """
    images, tb = os.path.join(run_dir, "images"), os.path.join(run_dir, "tb")
    return [
        ImageGrid(images, every_n_epochs=every_n_epochs, tensorboard_dir=tb, seed=seed),
        keras.callbacks.TensorBoard(tb),
        GifBuilder(images, os.path.join(run_dir, "progress.gif")),
    ]
