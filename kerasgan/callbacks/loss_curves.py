"""Loss curves of a run as a picture: every logged scalar against the global step, redrawn each epoch.

Keras hands callbacks the epoch's running means (kerasgan models log through
`keras.metrics.Mean` trackers); `StepValues` turns them back into each step's
own value, which is what `LossCurves` records and `Diagnostics` watches.
"""

import csv
import logging
import math
import os

import keras
import numpy as np

from kerasgan.callbacks.images import _global_step
from kerasgan.utils import checks
from kerasgan.utils.io import atomic_path

logger = logging.getLogger(__name__)


def _is_number(value):
    try:
        return np.ndim(value) == 0 and np.issubdtype(np.asarray(value).dtype, np.number)
    except TypeError:
        return False


class StepValues:
    """Recovers each step's value from the running epoch means Keras logs.

    After batch t (0-based) of an epoch Keras logs mean_t, the mean of the
    first t + 1 steps, so step t's own value is (t + 1)·mean_t − t·mean_{t−1};
    when batches were skipped (steps_per_execution) it is the mean over the
    skipped ones. Call `reset()` at each epoch's start, where the means restart.

    Example:
        values = StepValues()
        values(0, {"d_loss": 1.0})   # {"d_loss": 1.0}
        values(1, {"d_loss": 0.8})   # {"d_loss": 0.6}
    """

    def __init__(self):
        self.reset()

    def reset(self):
        self._previous = (-1, {})

    def __call__(self, batch, logs):
        """{key: this step's value} for every numeric entry of `logs` after 0-based `batch`."""
        previous_batch, previous = self._previous
        values = {}
        for key, mean in (logs or {}).items():
            if not _is_number(mean):
                continue
            mean = float(mean)
            if key in previous and batch > previous_batch:
                values[key] = ((batch + 1) * mean - (previous_batch + 1) * previous[key]) / (batch - previous_batch)
            elif previous_batch < 0:
                values[key] = mean
        self._previous = (batch, {k: float(v) for k, v in (logs or {}).items() if _is_number(v)})
        return values


def draw_loss_curves(steps, series, width=8.0, panel_height=1.7, dpi=100):
    """A matplotlib `Figure` with one panel per key of `series`, against the global `steps`.

    Each panel shows the per-step values as a thin line and, over more than
    50 steps, their moving average over n // 50 steps (the trend) as a thick
    one; non-finite values leave gaps. pyplot is never imported: the Figure
    has its own Agg canvas, so no display is needed.

    Args:
        steps: the global step of each entry, (n,).
        series: {key: (n,) values, NaN where the key was not logged}.

    Returns:
        The Figure (its axes in the order of `series`, each holding the
        per-step line first).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    keys = list(series)
    figure = Figure(figsize=(width, 0.6 + panel_height * max(1, len(keys))), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    if not keys:
        axes = figure.add_subplot()
        axes.text(0.5, 0.5, "nothing logged yet", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return figure
    steps = np.asarray(steps, "float64")
    panels = figure.subplots(len(keys), 1, sharex=True, squeeze=False)[:, 0]
    colours = [f"C{i % 10}" for i in range(len(keys))]
    for axes, key, colour in zip(panels, keys, colours):
        values = np.asarray(series[key], "float64")
        axes.plot(steps, values, color=colour, linewidth=0.6, alpha=0.45, label=key)
        window = len(values) // 50
        if window > 1:
            trend = _moving_average(values, window)
            axes.plot(steps, trend, color=colour, linewidth=1.8, label=f"{key} (mean of {window} steps)")
        axes.set_ylabel(key)
        axes.grid(True, alpha=0.3)
    panels[-1].set_xlabel("step")
    panels[0].set_title(f"logged values per training step ({len(steps)} steps)", fontsize="medium")
    return figure


def _moving_average(values, window):
    """Trailing mean over `window` finite values (NaN where the window holds none)."""
    finite = np.isfinite(values)
    cumulative = np.concatenate([[0.0], np.cumsum(np.where(finite, values, 0.0))])
    counts = np.concatenate([[0], np.cumsum(finite)])
    index = np.arange(1, len(values) + 1)
    start = np.maximum(index - window, 0)
    n = counts[index] - counts[start]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (cumulative[index] - cumulative[start]) / np.maximum(n, 1), np.nan)


class LossCurves(keras.callbacks.Callback):
    """Writes a PNG of every logged scalar (`d_loss`, `g_loss`, accuracies, penalties, ...) against the global step.

    Each batch's own values (`StepValues`) are recorded at the global step
    (`g_optimizer.iterations` after the batch, the step of the grids and the
    TensorBoard scalars); every `every_n_epochs` epochs, and when training
    ends, `path` is redrawn (`draw_loss_curves`) and the numbers are written
    beside it as CSV (`losses.csv` for `losses.png`: a `step` column, then one
    per key). Both writes are atomic, so a crash leaves the previous files.
    A failing write (a full disk) is logged and training goes on.

    A resumed run continues the curves: the CSV is read back at the start,
    without the steps after the one training resumes from.

    Args:
        path: the PNG to write, e.g. "logs/run1/losses.png".
        every_n_epochs: redraw every this many epochs.

    Attributes:
        steps: the global step of each recorded batch.
        series: {key: list of values, NaN where a batch did not log the key}.

    Example:
        gan.fit(dataset, epochs=20, callbacks=[kerasgan.callbacks.LossCurves("logs/run1/losses.png")])
    """

    def __init__(self, path, every_n_epochs=1):
        super().__init__()
        self.path = os.fspath(path)
        self.every_n_epochs = checks.positive_int("LossCurves", "every_n_epochs", every_n_epochs)
        self.csv_path = os.path.splitext(self.path)[0] + ".csv"
        self.steps, self.series = [], {}
        self._values = StepValues()
        self._step = 0
        self._dirty = False

    def on_train_begin(self, logs=None):
        self._step = _global_step(self.model, 0)
        if not self.steps:
            self._load()
        keep = sum(1 for s in self.steps if s <= self._step)  # resumed from an earlier checkpoint: drop the rest
        self.steps = self.steps[:keep]
        self.series = {k: v[:keep] for k, v in self.series.items()}

    def on_epoch_begin(self, epoch, logs=None):
        self._values.reset()

    def on_train_batch_end(self, batch, logs=None):
        # One generator update per fit() batch (whatever d_steps is): counting spares a device read per batch.
        self._step += 1
        values = self._values(batch, logs)
        if not values:
            return
        n = len(self.steps)
        for key, value in values.items():
            if key not in self.series:
                self.series[key] = [math.nan] * n
            self.series[key].append(value)
        for column in self.series.values():
            if len(column) == n:
                column.append(math.nan)
        self.steps.append(self._step)
        self._dirty = True

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs == 0:
            self.write()

    def on_train_end(self, logs=None):
        if self._dirty:
            self.write()

    def write(self):
        """Writes the CSV and redraws the PNG now; returns True when both were written."""
        try:
            self._write_csv()
            figure = draw_loss_curves(self.steps, self.series)
            with atomic_path(self.path) as tmp:
                figure.savefig(tmp, format="png")
        except OSError as error:
            logger.warning("LossCurves: could not write %s (%s); keeping the previous one.", self.path, error)
            return False
        self._dirty = False
        return True

    def _write_csv(self):
        keys = list(self.series)
        with atomic_path(self.csv_path) as tmp:
            with open(tmp, "w", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(["step", *keys])
                for i, step in enumerate(self.steps):
                    writer.writerow([step, *(repr(self.series[k][i]) for k in keys)])

    def _load(self):
        if not os.path.exists(self.csv_path):
            return
        try:
            with open(self.csv_path, newline="") as f:
                rows = list(csv.reader(f))
            keys = rows[0][1:]
            steps = [int(row[0]) for row in rows[1:]]
            series = {k: [float(row[i + 1]) for row in rows[1:]] for i, k in enumerate(keys)}
        except (OSError, ValueError, IndexError) as error:
            logger.warning("LossCurves: %s could not be read (%s); starting the curves afresh.", self.csv_path, error)
            return
        self.steps, self.series = steps, series
