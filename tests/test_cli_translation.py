"""`kerasgan train pix2pix|cyclegan` and `kerasgan translate`, run in-process through kerasgan.cli.main."""

import json

import imageio.v3 as iio
import keras
import numpy as np
import pytest

from kerasgan import cli

SIZE = 16
COMMON = ["--image-size", str(SIZE), "--batch-size", "4", "--base-filters", "4", "--seed", "3"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """12 pairs of 20×20 images: a/NAME.png and b/NAME.jpg, and side by side in sbs/NAME.png."""
    root = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    for sub in ("a", "b", "sbs"):
        (root / sub).mkdir()
    for i in range(12):
        a = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
        iio.imwrite(root / "a" / f"face{i}.png", a)
        iio.imwrite(root / "b" / f"face{i}.jpg", 255 - a)
        iio.imwrite(root / "sbs" / f"face{i}.png", np.concatenate([a, 255 - a], axis=1))
    return root


@pytest.fixture(scope="module")
def cyclegan_run(folders, tmp_path_factory):
    run = tmp_path_factory.mktemp("runs") / "cyclegan"
    code = cli.main(["train", "cyclegan", "--data-a", str(folders / "a"), "--data-b", str(folders / "b"),
                     "--epochs", "2", "--run-dir", str(run), *COMMON])
    assert code == 0
    return run


def test_train_cyclegan_writes_a_complete_run_folder(cyclegan_run):
    model = keras.saving.load_model(cyclegan_run / "model.keras")
    assert type(model).__name__ == "CycleGAN" and model.image_shape == (SIZE, SIZE, 3) and model.base_filters == 4
    # 12 images per folder, 4 held out for the grids: 8 // 4 = 2 steps per epoch
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 4
    # the paper's schedule over the run: constant for the first half, then linear decay
    schedule = model.g_optimizer.get_config()["learning_rate"]["config"]
    assert schedule == {"initial_learning_rate": 2e-4, "constant_steps": 2, "decay_steps": 2}
    config = json.loads((cyclegan_run / "config.json").read_text())
    assert config["model"] == "cyclegan" and config["seed"] == 3 and config["image_shape"] == [SIZE, SIZE, 3]
    assert config["model_config"]["cycle_weight"] == 10.0
    grids = sorted((cyclegan_run / "images").glob("translations_*.png"))
    assert [g.name for g in grids] == ["translations_epoch_0001_step_00000002.png", "translations_epoch_0002_step_00000004.png"]
    cell = SIZE + 2
    assert iio.imread(grids[0]).shape == (4 * cell + 2, 3 * cell + 2, 3)  # 4 held-out rows: input | translation | reconstruction
    assert len(iio.imread(cyclegan_run / "progress.gif", index=None)) == 2
    assert list((cyclegan_run / "tb").rglob("events.out.tfevents.*"))


def test_translate_writes_one_png_per_input_named_after_it(cyclegan_run, folders, tmp_path):
    out = tmp_path / "out"
    assert cli.main(["translate", "--run-dir", str(cyclegan_run), "--input", str(folders / "b"), "--out", str(out),
                     "--direction", "b2a"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"face{i}.png" for i in range(12))
    written = iio.imread(out / "face7.png")
    assert written.shape == (SIZE, SIZE, 3) and written.dtype == np.uint8
    # the same translation as the model's own, on the same decoded, resized input
    model = keras.saving.load_model(cyclegan_run / "model.keras")
    from kerasgan.data.folder import _decode_file, center_crop_resize

    image, _ = _decode_file(str(folders / "b" / "face7.jpg"), 3)
    pixels = np.asarray(center_crop_resize(image, (SIZE, SIZE)), "float32") / 127.5 - 1
    expected = np.round((np.clip(model.translate(pixels[None], "b2a")[0], -1, 1) + 1) * 127.5)
    np.testing.assert_allclose(written, expected, atol=1)
    # a single file
    assert cli.main(["translate", "--run-dir", str(cyclegan_run), "--input", str(folders / "a" / "face3.png"),
                     "--out", str(tmp_path / "one")]) == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["face3.png"]


def test_pix2pix_trains_on_side_by_side_files_and_translates_one_way(folders, tmp_path, capsys):
    run = tmp_path / "run"
    assert cli.main(["train", "pix2pix", "--data", str(folders / "sbs"), "--epochs", "1", "--max-seconds", "0.001",
                     "--run-dir", str(run), *COMMON]) == 0
    model = keras.saving.load_model(run / "model.keras")
    assert type(model).__name__ == "Pix2Pix" and model.l1_weight == 100.0
    assert int(model.g_optimizer.iterations) == 1  # --max-seconds stopped after the first step
    grid = iio.imread(next((run / "images").glob("translations_*.png")))
    assert grid.shape[1] == 3 * (SIZE + 2) + 2  # input | translation | target
    assert cli.main(["translate", "--run-dir", str(run), "--input", str(folders / "a"), "--out", str(tmp_path / "o"),
                     "--direction", "b2a"]) == 2
    assert "one direction" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "cyclegan", "--data-a", "x"], "cyclegan needs --data-a DIR and --data-b DIR"),
        (["train", "pix2pix", "--data", "x", "--data-a", "y"], "either --data"),
        (["train", "pix2pix", "--data-a", "/no/such/a", "--data-b", "/no/such/b"], "/no/such/a"),
        (["train", "cyclegan", "--data-a", "a", "--data-b", "b", "--loss", "hinge"], "drop --loss"),
        (["train", "dcgan"], "needs --data"),
        (["translate", "--run-dir", "/no/such/run", "--input", "x", "--out", "y"], "No model.keras in /no/such/run"),
    ],
)
def test_user_errors_are_one_line(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kerasgan: error:") and message in err[0]


def test_unmatched_pair_names_are_reported(folders, tmp_path, capsys):
    (tmp_path / "b").mkdir()
    iio.imwrite(tmp_path / "b" / "other.png", np.zeros((8, 8, 3), np.uint8))
    assert cli.main(["train", "pix2pix", "--data-a", str(folders / "a"), "--data-b", str(tmp_path / "b"),
                     "--run-dir", str(tmp_path / "run"), *COMMON]) == 2
    assert "must match by name" in capsys.readouterr().err
    assert not (tmp_path / "run" / "model.keras").exists()
