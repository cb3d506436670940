"""Progress bars for long work outside `fit()`: generating, scoring and interpolating many images.

One rule for all of them (`progress_bar`): a `keras.utils.Progbar` when the
work counts at least `MIN_ITEMS` items, nothing below that (it takes seconds
at most). On a terminal the bar redraws in place; elsewhere (a log file, a
pipe, a test's captured output) it writes one line when the work is done.
Callbacks that generate during `fit()` (whose own bar is on screen) work
inside `silenced()`.
"""

import contextlib
import sys
import threading

import keras

#: the least work (images) that gets a bar
MIN_ITEMS = 1000


_state = threading.local()


@contextlib.contextmanager
def silenced():
    """No bars inside this block (in this thread), whatever their size: for work done during `fit()`."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1


class _Silent:
    """Stands in for a bar that is not shown."""

    shown = False

    def add(self, n):
        pass


class _Bar:
    def __init__(self, total, unit, label, stream):
        self.shown = True
        if label:
            print(label, file=stream, flush=True)
        interactive = hasattr(stream, "isatty") and stream.isatty()
        self._bar = keras.utils.Progbar(total, verbose=1 if interactive else 2, unit_name=unit)
        self._done = 0

    def add(self, n):
        self._done += int(n)
        self._bar.update(self._done)


def progress_bar(total, unit="image", label=None, verbose="auto"):
    """A progress bar over `total` items; `bar.add(n)` after each n done.

    Args:
        total: how many items the work has.
        unit: what an item is, for the per-item time ("image").
        label: a line printed above a shown bar, e.g. "Generating 10000 images".
        verbose: "auto" (a bar for `total` >= `MIN_ITEMS`), True (always) or
            False (never); inside `silenced()` never.

    Returns:
        An object with `add(n)` and `shown` (whether anything is printed).

    Example:
        bar = progress_bar(len(latents), label=f"Generating {len(latents)} images")
        for batch in batches:
            ...
            bar.add(len(batch))
    """
    if verbose not in ("auto", True, False):
        raise ValueError(f"verbose must be 'auto', True or False; got {verbose!r}.")
    show = total >= MIN_ITEMS if verbose == "auto" else verbose
    if not show or total < 1 or getattr(_state, "depth", 0):
        return _Silent()
    return _Bar(int(total), unit, label, sys.stdout)
