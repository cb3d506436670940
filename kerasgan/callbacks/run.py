"""The standard set of callbacks for a run folder."""

import os

from kerasgan.callbacks.diagnostics import Diagnostics
from kerasgan.callbacks.images import GifBuilder, ImageGrid
from kerasgan.callbacks.loss_curves import LossCurves
from kerasgan.callbacks.tensorboard import TensorBoard
from kerasgan.callbacks.translation import TranslationGrid

#: the files of a run folder that `run_callbacks` names (`kerasgan report` reads them)
LOSSES_FILE = "losses.png"
DIAGNOSTICS_FILE = "diagnostics.json"


def run_callbacks(
    run_dir,
    every_n_epochs=1,
    seed=0,
    diagnostics_reference=None,
    diagnostics_every=100,
    translation_inputs=None,
    translation_targets=None,
):
    """Sample grids, a progress GIF and TensorBoard logs under `run_dir`.

    Writes `run_dir/images/` (a grid from fixed latents every N epochs),
    `run_dir/progress.gif` at the end of training, `run_dir/losses.png` (every
    logged value per step, redrawn each epoch, its numbers in `losses.csv`)
    and `run_dir/tb/` (the epoch scalars of `kerasgan.callbacks.TensorBoard`
    and the sample grids, tag "samples", both at the global step).
    With `diagnostics_reference` (a batch of real images, or (images, labels)
    for conditional models) a `Diagnostics` callback also watches the run,
    probing every `diagnostics_every` steps, writing its signals to
    `run_dir/tb/` and its warnings to `run_dir/diagnostics.json`; it needs
    real images, which this function does not otherwise see, so it is opt-in.
    `kerasgan report --run-dir run_dir` puts it all on one page.

    For an image-to-image translation model pass `translation_inputs`
    (held-out images, `kerasgan.data.held_out_images`) and, for a paired
    model, their `translation_targets`: the grids are then `TranslationGrid`s
    (`images/translations_*.png`, tag "translations").

    Example:
        gan.fit(dataset, epochs=20, callbacks=kerasgan.callbacks.run_callbacks("logs/run1"))
    """
    images, tb = os.path.join(run_dir, "images"), os.path.join(run_dir, "tb")
    if translation_inputs is not None:
        grid = TranslationGrid(
            images, translation_inputs, targets=translation_targets, every_n_epochs=every_n_epochs, tensorboard_dir=tb
        )
        pattern = "translations_*.png"
    else:
        grid = ImageGrid(images, every_n_epochs=every_n_epochs, tensorboard_dir=tb, seed=seed)
        pattern = "epoch_*.png"
    callbacks = [
        grid,
        TensorBoard(tb),
        GifBuilder(images, os.path.join(run_dir, "progress.gif"), pattern=pattern),
        LossCurves(os.path.join(run_dir, LOSSES_FILE)),
    ]
    if diagnostics_reference is not None:
        callbacks.append(
            Diagnostics(
                diagnostics_reference,
                every_n_batches=diagnostics_every,
                tensorboard_dir=tb,
                seed=seed,
                warnings_path=os.path.join(run_dir, DIAGNOSTICS_FILE),
            )
        )
    return callbacks
