"""Progress bars outside fit() (kerasgan.utils.progress): one rule, shown for large work, silent for small."""

import io
import sys

import keras
import pytest

from kerasgan.models import DCGAN
from kerasgan.utils.progress import MIN_ITEMS, progress_bar, silenced


def _run(total, chunk=250, **kwargs):
    bar = progress_bar(total, label=f"Working on {total} images", **kwargs)
    for done in range(0, total, chunk):
        bar.add(min(chunk, total - done))
    return bar


def test_large_work_gets_one_line_when_not_on_a_terminal(capsys):
    assert _run(MIN_ITEMS).shown
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"Working on {MIN_ITEMS} images"
    assert f"{MIN_ITEMS}/{MIN_ITEMS}" in out and len(out.splitlines()) == 2  # the label, then one line at the end


def test_small_work_and_silenced_work_print_nothing(capsys):
    assert not _run(MIN_ITEMS - 1).shown
    with silenced():
        assert not _run(10 * MIN_ITEMS).shown
    assert _run(10, verbose=True).shown  # asked for
    assert not _run(10 * MIN_ITEMS, verbose=False).shown
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Working on 10 images" and "10/10" in out and str(10 * MIN_ITEMS) not in out


def test_on_a_terminal_the_bar_redraws_in_place(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    _run(2 * MIN_ITEMS, chunk=MIN_ITEMS // 2)
    assert "\r" in terminal.getvalue() and f"{2 * MIN_ITEMS}/{2 * MIN_ITEMS}" in terminal.getvalue()


def test_generating_many_images_shows_a_bar_and_a_grid_does_not(capsys):
    gan = DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    assert gan.generate(64).shape == (64, 8, 8, 1)
    assert capsys.readouterr().out == ""
    assert gan.generate(MIN_ITEMS, batch_size=500).shape == (MIN_ITEMS, 8, 8, 1)
    out = capsys.readouterr().out
    assert f"Generating {MIN_ITEMS} images" in out and f"{MIN_ITEMS}/{MIN_ITEMS}" in out


def test_bad_verbose_is_an_error():
    with pytest.raises(ValueError, match="verbose"):
        progress_bar(10, verbose="yes")
