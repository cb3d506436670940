"""Callbacks that control the training run itself."""

import time

import keras


class TimeLimit(keras.callbacks.Callback):
    """Stops `fit()` cleanly once a wall-clock budget is spent.

    The clock starts at the beginning of `fit()`. At the end of the batch in
    which the budget runs out, the callback sets `model.stop_training = True`
    (Keras checks it after every batch), so the run ends after that batch:
    the epoch-end callbacks (grids, checkpoints) still run for the partial
    epoch. Used by the CLI's `--max-seconds`.

    Args:
        max_seconds: the budget in seconds (>= 0). With 0, training stops
            after the first batch.

    Attributes:
        stopped_early: True if this callback ended the last `fit()`.
        stopped_epoch: 0-based epoch in which it stopped, or None.
        elapsed: seconds from the start of `fit()` to the stop (or to its end).

    Example:
        gan.fit(ds, epochs=1000, callbacks=[kerasgan.callbacks.TimeLimit(3600)])
    """

    def __init__(self, max_seconds):
        super().__init__()
        if isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float)) or not max_seconds >= 0:
            raise ValueError(f"TimeLimit: `max_seconds` must be a number >= 0, got {max_seconds!r}.")
        self.max_seconds = max_seconds
        self.stopped_early = False
        self.stopped_epoch = None
        self.elapsed = 0.0
        self._start = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        # monotonic: a clock change (NTP, DST) must not end or extend a run.
        self._start = time.monotonic()
        self.stopped_early = False
        self.stopped_epoch = None
        self.elapsed = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.stopped_early:
            return
        self.elapsed = time.monotonic() - self._start
        if self.elapsed >= self.max_seconds:
            self.model.stop_training = True
            self.stopped_early = True
            self.stopped_epoch = self._epoch
            print(
                f"TimeLimit: stopping training after {self.elapsed:.1f}s "
                f"(limit {self.max_seconds}s) in epoch {self._epoch + 1}, batch {batch + 1}."
            )

    def on_train_end(self, logs=None):
        if not self.stopped_early and self._start is not None:
            self.elapsed = time.monotonic() - self._start
