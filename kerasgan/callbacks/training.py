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


class StopOnSignal(keras.callbacks.Callback):
    """Turns SIGINT (Ctrl-C) and SIGTERM (what Colab, schedulers and `kill` send) into a clean stop at a step boundary.

    Use it as a context manager around training and pass it as a callback:
    while the `with` block runs, either signal sets `received` and training
    stops at the end of the current batch, exactly as `TimeLimit` stops it, so
    the epoch-end callbacks (a `Checkpoint`'s save, grids) still run. A second
    signal while stopping raises `KeyboardInterrupt` at once. The previous
    handlers come back when the block ends. Handlers can only be installed
    from the main thread; elsewhere the callback does nothing.

    Attributes:
        received: the signal number that stopped training, or None.

    Example:
        stop = kerasgan.callbacks.StopOnSignal()
        with stop:
            gan = kerasgan.callbacks.fit_with_checkpoints(gan, data, 25, checkpoint, callbacks=[stop])
        if stop.received:
            sys.exit(128 + stop.received)
    """

    SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self):
        super().__init__()
        self.received = None
        self._previous = {}

    def __enter__(self):
        import signal
        import threading

        self.received = None
        if threading.current_thread() is threading.main_thread():
            for name in self.SIGNALS:
                number = getattr(signal, name)
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc):
        import signal

        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous = {}
        return False

    def _handle(self, number, frame):
        if self.received is not None:
            raise KeyboardInterrupt
        self.received = number
        if self.model is not None:
            self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        if self.received is not None:
            self.model.stop_training = True
