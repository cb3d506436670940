"""Every example runs: --help, then one training step (--max-seconds 0) on tiny local data, checkpointed and saved.

Nothing is downloaded: the steps get local paths (a fetch would fail the test), and the data-source
resolution is tested with the loaders replaced.
"""

import gzip
import json
import runpy
import sys
import zipfile

import imageio.v3 as iio
import keras
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
    "mnist_gan_cls": (["digits"], []),
    "anime_faces_dcgan": (["faces"], []),
    "anime_faces_progan": (["faces"], ["--image-size", "8", "--fade-images", "16"]),
    "anime_faces_stylegan2": (["faces"], ["--image-size", "8", "--small"]),
    "anime_colorize_pix2pix": (["faces"], ["--image-size", "32"]),
    "cyclegan_two_folders": (["domain_a", "domain_b"], ["--image-size", "32"]),
    "ring_mode_coverage": (["ring"], ["--model", "pacgan"]),
    "mnist_objectives": (["digits"], ["--model", "began"]),
    "mnist_bigan": (["digits"], []),
    "mnist_aae": (["digits"], ["--prior", "mixture"]),
    "fashion_mnist_dcgan": (["fashion_idx"], []),
    "cifar10_sngan": (["cifar_npz"], []),
    "celeba_dcgan": (["celeba"], []),
    "facades_pix2pix": (["facades"], ["--image-size", "32"]),
    "horse2zebra_cyclegan": (["horse2zebra"], ["--image-size", "32"]),
    # the stand-in extractor: the test must not download VGG19
    "sr_two_stage": (["photos"], ["--image-size", "16", "--small", "--vgg-weights", "stand-in"]),
}
#: example -> the images it writes after training, besides the model and the checkpoint: colour pictures,
#: or (file, shape) for one of a known shape
FINAL_IMAGES = {
    # ψ = 1, 0.7, 0.4: three rows of eight 8-px colour faces; the 5×5 style-mixing grid with its sources (6×6)
    "anime_faces_stylegan2": [("truncated.png", (3 * 8 + 4 * 2, 8 * 8 + 9 * 2, 3)), ("style_mixing.png", (62, 62, 3))],
    # five captions, one row of eight 28-px gray digits each, 2-px borders
    "mnist_gan_cls": [("captions.png", (5 * 28 + 6 * 2, 8 * 28 + 9 * 2))],
    "anime_colorize_pix2pix": ["colourized.png"],
    "facades_pix2pix": ["translated.png"],
    "horse2zebra_cyclegan": ["zebras.png", "horses.png"],
    # 16 digits over their 16 reconstructions, twice: 4 × 16 gray cells of 28 px with 2-px borders
    "mnist_bigan": [("reconstructions.png", (4 * 28 + 5 * 2, 16 * 28 + 17 * 2))],
    "mnist_aae": [("reconstructions.png", (4 * 28 + 5 * 2, 16 * 28 + 17 * 2))],
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


def _write_idx_images(path, images):
    """An MNIST-style IDX images file (gzipped): magic 2051, count, rows, columns, then the bytes."""
    header = b"".join(int(n).to_bytes(4, "big") for n in (2051, *images.shape))
    with gzip.open(path, "wb") as f:
        f.write(header + images.tobytes())


def _write_images(folder, count, shape, rng, suffix=".png"):
    folder.mkdir(parents=True)
    for i in range(count):
        iio.imwrite(folder / f"{i}{suffix}", rng.integers(0, 256, shape, dtype=np.uint8))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Enough data for one batch of each example, in the formats of the data sets they name.

    Labelled 28×28 digits (320: WGAN-GP's 5 × 64), face folders, Fashion-MNIST as IDX files (train and
    t10k, as Zalando ships them), CIFAR-10 as an .npz with keras.datasets' (N, 1) labels, CelebA-shaped
    portrait faces (taller than wide, for the center crop), facades as the pix2pix archive stores them
    (train/ and val/ of side-by-side photo|labels JPEGs) and horse2zebra as the CycleGAN archive does
    (trainA/, trainB/, testA/, testB/).
    """
    root = tmp_path_factory.mktemp("tiny")
    rng = np.random.default_rng(0)
    np.savez(
        root / "digits.npz",
        x_train=rng.integers(0, 256, (320, 28, 28), dtype=np.uint8),
        y_train=np.arange(320) % 10,
    )
    paths = {"digits": str(root / "digits.npz")}
    paths["ring"] = "ring"  # the ring example's built-in data
    for folder, count in (("faces", 128), ("domain_a", 10), ("domain_b", 10)):
        _write_images(root / folder, count, (8, 8, 3), rng)
        paths[folder] = str(root / folder)
    (root / "fashion").mkdir()
    _write_idx_images(root / "fashion" / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (40, 28, 28), np.uint8))
    _write_idx_images(root / "fashion" / "t10k-images-idx3-ubyte.gz", rng.integers(0, 256, (24, 28, 28), np.uint8))
    paths["fashion_idx"] = str(root / "fashion")
    np.savez(
        root / "cifar.npz",
        x_train=rng.integers(0, 256, (64, 32, 32, 3), dtype=np.uint8),
        y_train=(np.arange(64) % 10)[:, None],
    )
    paths["cifar_npz"] = str(root / "cifar.npz")
    _write_images(root / "celeba", 128, (10, 8, 3), rng, ".jpg")
    paths["celeba"] = str(root / "celeba")
    for split, count in (("train", 2), ("val", 2)):
        _write_images(root / "facades" / split, count, (8, 16, 3), rng, ".jpg")
    paths["facades"] = str(root / "facades")
    for split, count in (("trainA", 3), ("trainB", 4), ("testA", 2), ("testB", 2)):
        _write_images(root / "horse2zebra" / split, count, (8, 8, 3), rng, ".jpg")
    paths["horse2zebra"] = str(root / "horse2zebra")
    (root / "photos").mkdir()  # super-resolution: 4 held out, 4 to crop 16² HR patches from
    for i in range(8):
        iio.imwrite(root / "photos" / f"{i}.png", rng.integers(0, 256, (20, 24, 3), dtype=np.uint8))
    paths["photos"] = str(root / "photos")
    return paths


@pytest.fixture
def no_network(monkeypatch):
    """Makes every fetch the examples could make fail the test."""

    def fetch(*args, **kwargs):
        raise AssertionError("an example tried to download its data although it was given a local path")

    monkeypatch.setattr(keras.utils, "get_file", fetch)
    for name in ("mnist", "fashion_mnist", "cifar10"):
        monkeypatch.setattr(getattr(keras.datasets, name), "load_data", fetch)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_example_trains_one_step_checkpoints_and_saves(name, tiny, tmp_path, monkeypatch, no_network):
    data, extra = RUNS[name]
    run = tmp_path / "run"
    _run(monkeypatch, name, *[tiny[d] for d in data], *extra, "--max-seconds", "0", "--run-dir", str(run))
    (saved,) = run.glob("*.keras")
    assert zipfile.is_zipfile(saved)  # a whole .keras archive (loading every example's model costs more than a step)
    # --max-seconds 0 stops after the first step, which the checkpoint records
    (checkpoint,) = (run / "checkpoints").iterdir()
    assert json.loads((checkpoint / "state.json").read_text())["step"] == 1
    for image in FINAL_IMAGES.get(name, []):
        image, gray_shape = image if isinstance(image, tuple) else (image, None)
        picture = iio.imread(run / image)
        assert picture.shape == gray_shape if gray_shape else picture.ndim == 3, image  # colour unless a shape is given


@pytest.fixture
def example_args(monkeypatch, tmp_path):
    """examples/example_args.py as a module, run from an empty folder (so no local "facades" shadows the name)."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setattr(sys, "argv", [str(EXAMPLES / "facades_pix2pix.py")])
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    import example_args

    return example_args


def test_data_source_reads_local_paths_and_fetches_only_the_data_set_named(example_args, tmp_path, monkeypatch):
    fetched = []

    def get_file(fname, origin, extract):
        fetched.append((fname, origin, extract))
        (tmp_path / "cache" / fname / fname).mkdir(parents=True)
        return str(tmp_path / "cache" / fname)

    def load_data():
        fetched.append("fashion_mnist")

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", load_data)
    local = tmp_path / "my_facades"
    local.mkdir()
    assert example_args.data_source(str(local), "facades", "a folder") == str(local)
    (tmp_path / "cwd" / "fashion_mnist").write_bytes(b"")  # a local file of the data set's name wins too
    assert example_args.data_source("fashion_mnist", "fashion_mnist", "a file") == "fashion_mnist"
    assert fetched == []

    assert example_args.data_source("facades", "facades", "a folder") == str(tmp_path / "cache" / "facades" / "facades")
    assert fetched == [("facades", example_args.ARCHIVES["facades"], True)]
    assert example_args.ARCHIVES["facades"].startswith("http://efrosgans.eecs.berkeley.edu/pix2pix/")
    (tmp_path / "cwd" / "fashion_mnist").unlink()
    # keras.datasets fills its cache; load_dataset then reads the name from there
    assert example_args.data_source("fashion_mnist", "fashion_mnist", "a file") == "fashion_mnist"
    assert fetched[1:] == ["fashion_mnist"]


@pytest.mark.parametrize("data", ["horse2zebra", "no/such/folder"])
def test_data_source_ends_a_failed_download_or_a_missing_path_with_one_line(data, example_args, monkeypatch, capsys):
    def get_file(**kwargs):
        raise Exception("URL fetch failure on http://efrosgans.eecs.berkeley.edu/...: None -- [Errno -3]\nTemporary")

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    with pytest.raises(SystemExit) as stop:
        example_args.data_source(data, "horse2zebra", "the horse2zebra folder")
    assert stop.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("python examples/facades_pix2pix.py: error: ")
    assert "pass" in line and "the horse2zebra folder" in line
    assert ("could not download horse2zebra" in line) == (data == "horse2zebra")
