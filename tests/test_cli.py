"""The command line, run in-process through kerasgan.cli.main."""

import json

import imageio.v3 as iio
import keras
import numpy as np
import pytest

from kerasgan import cli
from gan_contract import tiny_images


@pytest.fixture
def npz_data(tmp_path):
    path = tmp_path / "tiny.npz"
    images = ((tiny_images(64, (8, 8, 1)) + 1) * 127.5).astype("uint8")
    np.savez(path, x_train=images)
    return path


def _train(npz_data, run_dir, *extra):
    return cli.main(["train", "dcgan", "--data", str(npz_data), "--epochs", "2", "--batch-size", "16",
                     "--latent-dim", "8", "--run-dir", str(run_dir), "--seed", "3", *extra])


def test_train_writes_a_complete_run_folder(npz_data, tmp_path):
    run = tmp_path / "run"
    assert _train(npz_data, run) == 0
    gan = keras.saving.load_model(run / "model.keras")
    assert gan.image_shape == (8, 8, 1) and gan.latent_dim == 8
    assert int(gan.g_optimizer.iterations) == 2 * (64 // 16)
    config = json.loads((run / "config.json").read_text())
    assert config["model"] == "dcgan" and config["seed"] == 3 and config["image_shape"] == [8, 8, 1]
    assert config["model_config"]["latent_dim"] == 8 and "tensorflow" in config["versions"]
    grids = sorted((run / "images").glob("epoch_*.png"))
    assert [g.name[:10] for g in grids] == ["epoch_0001", "epoch_0002"]
    assert len(iio.imread(run / "progress.gif", index=None)) == 2
    assert list((run / "tb").rglob("events.out.tfevents.*"))


def test_max_seconds_stops_cleanly_and_still_writes_everything(npz_data, tmp_path):
    run = tmp_path / "run"
    assert _train(npz_data, run, "--max-seconds", "0.001", "--epochs", "50") == 0
    gan = keras.saving.load_model(run / "model.keras")
    assert int(gan.g_optimizer.iterations) == 1  # stopped after the first step
    assert (run / "config.json").exists() and (run / "progress.gif").exists()
    assert len(list((run / "images").glob("epoch_0001_*.png"))) == 1


def test_sample_writes_npy_and_png(npz_data, tmp_path):
    run = tmp_path / "run"
    _train(npz_data, run, "--epochs", "1")
    assert cli.main(["sample", "--run-dir", str(run), "--num", "5", "--out", str(tmp_path / "s.npy"), "--seed", "1"]) == 0
    samples = np.load(tmp_path / "s.npy")
    assert samples.shape == (5, 8, 8, 1) and samples.dtype == np.float32
    assert samples.min() >= -1 and samples.max() <= 1
    assert cli.main(["sample", "--run-dir", str(run), "--num", "4", "--out", str(tmp_path / "s.png")]) == 0
    grid = iio.imread(tmp_path / "s.png")
    assert grid.shape[:2] == (2 * 8 + 3 * 2, 2 * 8 + 3 * 2)  # 2×2 grid with 2-px padding


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "stylegan9", "--data", "x"], "Unknown model 'stylegan9'"),
        (["train", "dcgan", "--data", "/no/such/folder"], "/no/such/folder"),
        (["sample", "--run-dir", "/no/such/run", "--out", "x.png"], "No model.keras in /no/such/run"),
    ],
)
def test_user_errors_are_one_line_without_traceback(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kerasgan: error:") and message in err[0]


def test_refuses_to_overwrite_a_finished_run(npz_data, tmp_path, capsys):
    run = tmp_path / "run"
    _train(npz_data, run, "--epochs", "1")
    before = (run / "model.keras").stat().st_mtime_ns
    assert _train(npz_data, run, "--epochs", "1") == 2
    assert "already holds a run" in capsys.readouterr().err
    assert (run / "model.keras").stat().st_mtime_ns == before


def test_sample_rejects_unknown_output_format(npz_data, tmp_path, capsys):
    run = tmp_path / "run"
    _train(npz_data, run, "--epochs", "1")
    assert cli.main(["sample", "--run-dir", str(run), "--out", str(tmp_path / "s.jpg")]) == 2
    assert ".npy or .png" in capsys.readouterr().err


def test_train_a_variant_keeps_its_defaults_and_reads_d_steps_minibatches(npz_data, tmp_path):
    run = tmp_path / "run"
    assert cli.main(["train", "wgan_gp", "--data", str(npz_data), "--epochs", "1", "--batch-size", "4",
                     "--latent-dim", "8", "--run-dir", str(run)]) == 0
    gan = keras.saving.load_model(run / "model.keras")
    assert type(gan).__name__ == "WGANGP" and gan.gradient_penalty == 10.0 and gan.d_steps == 5
    assert type(gan.d_optimizer).__name__ == "Adam" and float(gan.d_optimizer.beta_2) == pytest.approx(0.9)
    # 64 images, minibatch 4, 5 critic minibatches per step: 3 steps of 20 images
    assert int(gan.g_optimizer.iterations) == 3 and int(gan.d_optimizer.iterations) == 15


def test_learning_rate_flags_change_the_variants_own_optimizer(npz_data, tmp_path, capsys):
    run = tmp_path / "run"
    assert cli.main(["train", "wgan", "--data", str(npz_data), "--epochs", "1", "--batch-size", "4",
                     "--latent-dim", "8", "--d-lr", "1e-3", "--run-dir", str(run)]) == 0
    gan = keras.saving.load_model(run / "model.keras")
    assert type(gan.d_optimizer).__name__ == "RMSprop"
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(5e-5)
    assert cli.main(["train", "wgan", "--data", str(npz_data), "--batch-size", "4", "--beta1", "0.5",
                     "--run-dir", str(tmp_path / "r2")]) == 2
    assert "--beta1 applies to Adam" in capsys.readouterr().err


# ---------------------------------------------------------------------- evaluate, sample --interpolate
def _feature_model(path, image_shape=(8, 8, 1), softmax=False):
    keras.utils.set_random_seed(0)
    inputs = keras.Input(image_shape)
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3, activation="tanh")(inputs))
    x = keras.layers.Dense(5, activation="softmax" if softmax else None)(x)
    keras.Model(inputs, x).save(path)
    return str(path)


@pytest.fixture
def saved_run(npz_data, tmp_path):
    run = tmp_path / "run"
    assert _train(npz_data, run, "--epochs", "1") == 0
    return run


def test_evaluate_writes_evaluation_json_and_prints_a_table(saved_run, npz_data, tmp_path, capsys):
    extractor = _feature_model(tmp_path / "features.keras", image_shape=(16, 16, 3))  # resized, gray -> RGB
    argv = ["evaluate", "--run-dir", str(saved_run), "--data", str(npz_data), "--metrics", "fid,kid,swd,pr",
            "--extractor", extractor, "--num", "32", "--batch-size", "16", "--cache-dir", str(tmp_path / "cache")]
    assert cli.main(argv) == 0
    result = json.loads((saved_run / "evaluation.json").read_text())
    for key in ("fid", "kid", "kid_std", "swd", "precision", "recall"):
        assert isinstance(result[key], float) and np.isfinite(result[key])
    assert result["fid"] > 0 and 0 <= result["precision"] <= 1
    settings = result["settings"]
    assert settings["num_samples"] == 32 and settings["real_images"] == 32 and settings["metrics"] == ["fid", "kid", "swd", "pr"]
    assert settings["extractor"]["input_size"] == [16, 16] and settings["extractor"]["input_range"] == [-1.0, 1.0]
    out = capsys.readouterr().out
    assert "fid" in out and f"{result['fid']:.6g}" in out
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1
    assert cli.main(argv) == 0  # second run: the same scores from the cached real statistics
    again = json.loads((saved_run / "evaluation.json").read_text())
    assert again["fid"] == pytest.approx(result["fid"], rel=1e-9)


def test_evaluate_inception_score_with_a_softmax_extractor(saved_run, npz_data, tmp_path, capsys):
    classifier = _feature_model(tmp_path / "classifier.keras", softmax=True)
    assert cli.main(["evaluate", "--run-dir", str(saved_run), "--data", str(npz_data), "--metrics", "is",
                     "--extractor", classifier, "--num", "20", "--batch-size", "10", "--cache-dir", str(tmp_path)]) == 0
    result = json.loads((saved_run / "evaluation.json").read_text())
    assert 1.0 <= result["is"] <= 5.0 and result["settings"]["is"] == {"splits": 10}


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--metrics", "fid,foo"], "Unknown metric 'foo'"),
        (["--metrics", "is"], "needs class probabilities"),
        (["--metrics", "fid", "--extractor", "features.onnx"], "pass a .keras feature model"),
    ],
)
def test_evaluate_rejects_bad_input_with_one_line(saved_run, npz_data, tmp_path, capsys, extra, message):
    features = _feature_model(tmp_path / "features.keras")
    if "--extractor" not in extra:
        extra = [*extra, "--extractor", features]
    argv = ["evaluate", "--run-dir", str(saved_run), "--data", str(npz_data), "--num", "16", "--batch-size", "8",
            "--cache-dir", str(tmp_path / "cache"), *extra]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("kerasgan: error:") and message in err[-1]


def test_evaluate_rejects_an_extractor_that_cannot_take_the_images(tmp_path, capsys):
    data = tmp_path / "rgb.npz"
    np.savez(data, x_train=((tiny_images(32, (8, 8, 3)) + 1) * 127.5).astype("uint8"))
    run = tmp_path / "rgb-run"
    assert _train(data, run, "--epochs", "1") == 0
    gray_only = _feature_model(tmp_path / "gray.keras", image_shape=(8, 8, 1))
    assert cli.main(["evaluate", "--run-dir", str(run), "--data", str(data), "--num", "16", "--batch-size", "8",
                     "--extractor", gray_only, "--cache-dir", str(tmp_path / "cache")]) == 2
    assert "takes 1-channel images but the images have 3" in capsys.readouterr().err


def test_evaluate_missing_run_dir(tmp_path, capsys):
    assert cli.main(["evaluate", "--run-dir", str(tmp_path / "nope"), "--data", "x", "--metrics", "swd"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_sample_interpolate_writes_strips_gifs_and_arrays(saved_run, tmp_path):
    base = ["sample", "--run-dir", str(saved_run), "--interpolate", "slerp", "--steps", "5", "--seed", "2"]
    assert cli.main([*base, "--num", "3", "--out", str(tmp_path / "strip.npy")]) == 0
    strips = np.load(tmp_path / "strip.npy")
    assert strips.shape == (3, 5, 8, 8, 1)
    gan = keras.saving.load_model(saved_run / "model.keras")
    from kerasgan import latent

    pairs = np.random.default_rng(2).standard_normal((3, 2, gan.latent_dim)).astype("float32")
    np.testing.assert_allclose(strips[1], gan.generate(latents=latent.slerp(*pairs[1], 5)), atol=1e-5)
    assert cli.main([*base, "--num", "3", "--out", str(tmp_path / "strip.png")]) == 0
    assert iio.imread(tmp_path / "strip.png").shape[:2] == (3 * 8 + 4 * 2, 5 * 8 + 6 * 2)
    assert cli.main([*base, "--num", "3", "--out", str(tmp_path / "walk.gif")]) == 0
    assert len(iio.imread(tmp_path / "walk.gif", index=None)) == 3 * 4  # a loop through 3 keypoints
    assert cli.main([*base, "--out", str(tmp_path / "walk.jpg")]) == 2
