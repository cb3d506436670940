"""`kerasgan report`: one self-contained HTML page per run folder (kerasgan.report)."""

import base64
import html.parser
import io
import json

import imageio.v3 as iio
import numpy as np
import pytest

from kerasgan import cli, report
from kerasgan.callbacks import GifBuilder, draw_loss_curves, save_image_grid
from kerasgan.utils import write_json_atomic


class _Page(html.parser.HTMLParser):
    """The section ids, the <img> sources and the text of a page."""

    def __init__(self, text):
        super().__init__()
        self.sections, self.images, self.links, self.text = [], [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append(attrs["id"])
        if tag == "img":
            self.images.append(attrs["src"])
        for name in ("href", "src"):
            if name in attrs and not attrs[name].startswith(("data:", "#")):
                self.links.append(attrs[name])
        if tag in ("link", "script"):
            self.links.append(tag)

    def handle_data(self, data):
        self.text.append(data)

    def all_text(self):
        return " ".join(" ".join(self.text).split())


def _decoded(src):
    """(mime type, the picture's pixels) of a data: URI; the bytes must be a valid PNG or GIF."""
    head, data = src.split(",", 1)
    assert head.startswith("data:") and head.endswith(";base64")
    mime = head[len("data:") : -len(";base64")]
    raw = base64.b64decode(data, validate=True)
    assert raw.startswith({"image/png": b"\x89PNG\r\n\x1a\n", "image/gif": b"GIF8"}[mime])
    return mime, iio.imread(io.BytesIO(raw), index=None, extension=".png" if mime == "image/png" else ".gif")


@pytest.fixture
def run_folder(tmp_path):
    """A run folder as `kerasgan train --diagnostics` and `kerasgan evaluate` leave it, made without training."""
    run = tmp_path / "run"
    rng = np.random.default_rng(0)
    for epoch in (1, 2):
        save_image_grid(
            run / "images" / f"epoch_{epoch:04d}_step_{4 * epoch:08d}.png", rng.uniform(-1, 1, (4, 6, 6, 1))
        )
    GifBuilder(run / "images", run / "progress.gif").build()
    steps = list(range(1, 9))
    figure = draw_loss_curves(steps, {"d_loss": rng.uniform(0, 2, 8), "g_loss": rng.uniform(0, 2, 8)})
    figure.savefig(run / "losses.png", format="png")
    (run / "losses.csv").write_text("step,d_loss,g_loss\n" + "".join(f"{s},0.5,0.7\n" for s in steps))
    write_json_atomic(
        run / "config.json",
        {"command": "train", "argv": ["train", "dcgan"], "model": "dcgan", "batch_size": 17, "seed": 3,
         "model_config": {"latent_dim": 8}},
    )  # fmt: skip
    write_json_atomic(
        run / "diagnostics.json",
        [{"step": 6, "kind": "mode_collapse", "summary": "samples <look> alike", "remedies": "minibatch_std=True"}],
    )
    write_json_atomic(run / "evaluation.json", {"fid": 12.345678, "swd": 3.5, "settings": {"num_samples": 32}})
    return run


def test_report_page_embeds_every_picture_and_shows_the_run(run_folder, capsys):
    assert cli.main(["report", "--run-dir", str(run_folder)]) == 0
    assert "report.html" in capsys.readouterr().out
    page = _Page((run_folder / "report.html").read_text())
    assert page.sections == ["samples", "progress", "losses", "diagnostics", "evaluation", "configuration"]
    assert page.links == []  # self-contained: nothing but data: URIs and in-page anchors
    pictures = [_decoded(src) for src in page.images]
    assert [mime for mime, _ in pictures] == ["image/png", "image/gif", "image/png"]  # grid, progress, losses
    grid = iio.imread(run_folder / "images" / "epoch_0002_step_00000008.png")
    assert np.array_equal(pictures[0][1], grid)  # the newest grid, byte for byte
    assert len(pictures[1][1]) == 2  # both frames of progress.gif
    text = page.all_text()
    for value in ("dcgan", "batch_size 17", "seed 3", "kerasgan train dcgan", '"latent_dim": 8'):
        assert value in text
    assert "step 6: mode collapse" in text and "samples <look> alike" in text and "minibatch_std=True" in text
    assert "fid 12.3457" in text and "swd 3.5" in text and "num_samples 32" in text
    assert "8 training steps" in text  # the last step of losses.csv


def test_missing_pieces_are_stated_on_the_page(tmp_path):
    run = tmp_path / "run"
    (run / "images").mkdir(parents=True)  # a run that has not finished an epoch
    path = report.write_report(run)
    page = _Page(open(path).read())
    assert page.images == [] and len(page.sections) == 6
    text = page.all_text()
    for said in ("No sample grids", "No progress.gif", "No losses.png", "Diagnostics did not watch", "Not evaluated"):
        assert said in text
    assert "No config.json" in text


@pytest.mark.parametrize("make, message", [(False, "does not exist"), (True, "is not a run folder")])
def test_a_folder_that_is_not_a_run_is_a_one_line_error(tmp_path, capsys, make, message):
    folder = tmp_path / "somewhere"
    if make:
        folder.mkdir()
        (folder / "notes.txt").write_text("hello")
    assert cli.main(["report", "--run-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (folder / "report.html").exists()


def test_a_failure_half_way_keeps_the_previous_page(run_folder, monkeypatch):
    path = report.write_report(run_folder)
    before = open(path, "rb").read()

    def broken(run_dir):
        raise OSError("evaluation.json: input/output error")

    monkeypatch.setattr(report, "_evaluation", broken)  # after the pictures were written to the temporary file
    with pytest.raises(OSError):
        report.write_report(run_folder)
    assert open(path, "rb").read() == before
    assert [p.name for p in run_folder.iterdir() if ".tmp" in p.name] == []
    json.loads((run_folder / "config.json").read_text())  # the inputs are untouched
