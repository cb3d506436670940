"""`keras.callbacks.TensorBoard` with its scalars at the global step, where the sample grids are."""

import keras

from kerasgan.callbacks.images import _global_step


class TensorBoard(keras.callbacks.TensorBoard):
    """`keras.callbacks.TensorBoard` that writes each epoch's scalars at the training step, not the epoch index.

    Keras puts the epoch averages (`epoch_d_loss`, ...) at x = 0, 1, 2, ...
    while `ImageGrid`, `TranslationGrid` and `Diagnostics` write at the
    global step (`g_optimizer.iterations`, which survives a resume), so the
    two did not line up. Here the epoch's scalars go at the step reached at
    its end: the step of that epoch's grid. Takes every argument Keras' does.

    Example:
        gan.fit(dataset, epochs=20, callbacks=[kerasgan.callbacks.TensorBoard("logs/run1/tb")])
    """

    def _log_epoch_metrics(self, epoch, logs):
        # Keras' hook for the epoch scalars; its `epoch` argument is documented as "the global step to use".
        super()._log_epoch_metrics(_global_step(self.model, epoch), logs)
