"""Every example runs: --help, then one training step (--max-seconds 0) on tiny local data, checkpointed and saved."""

import json
import runpy
import sys
import zipfile

import imageio.v3 as iio
import numpy as np
import pytest
from conftest import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "examples"
#: example -> the data arguments it gets (filled from the tiny data below) and extra flags
RUNS = {
    "mnist_dcgan": (["digits"], []),
    "mnist_gan_mlp": (["digits"], []),
    "mnist_wgan_gp": (["digits"], []),
    "mnist_cgan": (["digits"], []),
    "mnist_acgan": (["digits"], []),
    "mnist_infogan": (["digits"], []),
    "anime_faces_dcgan": (["faces"], []),
    "anime_colorize_pix2pix": (["faces"], []),
    "cyclegan_two_folders": (["domain_a", "domain_b"], ["--image-size", "32"]),
    # the stand-in extractor: the test must not download VGG19
    "sr_two_stage": (["photos"], ["--image-size", "16", "--small", "--vgg-weights", "stand-in"]),
}


def test_every_example_is_run_here():
    assert sorted(RUNS) == sorted(p.stem for p in EXAMPLES.glob("*.py") if p.stem != "example_args")


def _run(monkeypatch, name, *argv):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setattr(sys, "argv", [str(EXAMPLES / f"{name}.py"), *argv])
    runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")


@pytest.mark.parametrize("name", sorted(RUNS))
def test_example_help_shows_its_docstring_and_the_shared_flags(name, monkeypatch, capsys):
    with pytest.raises(SystemExit) as stop:
        _run(monkeypatch, name, "--help")
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python examples/{name}.py")
    first_line = (EXAMPLES / f"{name}.py").read_text().split('"""')[1].splitlines()[0]
    assert first_line in out
    assert all(flag in out for flag in ("--epochs", "--max-seconds", "--run-dir"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Enough images for one batch of each example: labelled 28×28 digits (320: WGAN-GP's 5 × 64), face folders."""
    root = tmp_path_factory.mktemp("tiny")
    rng = np.random.default_rng(0)
    np.savez(
        root / "digits.npz",
        x_train=rng.integers(0, 256, (320, 28, 28), dtype=np.uint8),
        y_train=np.arange(320) % 10,
    )
    paths = {"digits": str(root / "digits.npz")}
    for folder, count in (("faces", 128), ("domain_a", 10), ("domain_b", 10)):
        (root / folder).mkdir()
        for i in range(count):
            iio.imwrite(root / folder / f"{i}.png", rng.integers(0, 256, (8, 8, 3), dtype=np.uint8))
        paths[folder] = str(root / folder)
    (root / "photos").mkdir()  # super-resolution: 4 held out, 4 to crop 16² HR patches from
    for i in range(8):
        iio.imwrite(root / "photos" / f"{i}.png", rng.integers(0, 256, (20, 24, 3), dtype=np.uint8))
    paths["photos"] = str(root / "photos")
    return paths


@pytest.mark.parametrize("name", sorted(RUNS))
def test_example_trains_one_step_checkpoints_and_saves(name, tiny, tmp_path, monkeypatch):
    data, extra = RUNS[name]
    run = tmp_path / "run"
    _run(monkeypatch, name, *[tiny[d] for d in data], *extra, "--max-seconds", "0", "--run-dir", str(run))
    (saved,) = run.glob("*.keras")
    assert zipfile.is_zipfile(saved)  # a whole .keras archive (loading every example's model costs more than a step)
    # --max-seconds 0 stops after the first step, which the checkpoint records
    (checkpoint,) = (run / "checkpoints").iterdir()
    assert json.loads((checkpoint / "state.json").read_text())["step"] == 1
