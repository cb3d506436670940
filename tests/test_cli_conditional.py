"""The command line with the conditional models (cgan, acgan, infogan)."""

import json

import imageio.v3 as iio
import keras
import numpy as np
import pytest
from gan_contract import tiny_images

from kerasgan import cli


@pytest.fixture
def class_folders(tmp_path):
    """16 small images in each of the class folders circle/ and square/."""
    root = tmp_path / "shapes"
    for name in ("circle", "square"):
        (root / name).mkdir(parents=True)
        for i, image in enumerate(((tiny_images(16, (8, 8, 3), seed=len(name)) + 1) * 127.5).astype("uint8")):
            iio.imwrite(root / name / f"{i}.png", image)
    return root


def _train(model, data, run_dir, *extra):
    return cli.main(
        [
            "train",
            model,
            "--data",
            str(data),
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--latent-dim",
            "4",
            "--image-size",
            "8",
            "--run-dir",
            str(run_dir),
            *extra,
        ]
    )


def test_cgan_trains_on_class_folders_and_samples_one_class_by_name(class_folders, tmp_path):
    run = tmp_path / "run"
    assert _train("cgan", class_folders, run) == 0
    config = json.loads((run / "config.json").read_text())
    assert config["model_config"]["num_classes"] == 2
    assert config["model_config"]["class_names"] == ["circle", "square"]
    gan = keras.saving.load_model(run / "model.keras")
    assert int(gan.g_optimizer.iterations) == 32 // 8
    out = tmp_path / "squares.npy"
    assert (
        cli.main(["sample", "--run-dir", str(run), "--num", "3", "--label", "square", "--seed", "0", "--out", str(out)])
        == 0
    )
    np.testing.assert_allclose(np.load(out), gan.generate(3, labels=1, seed=0), atol=1e-6)
    assert (
        cli.main(
            [
                "sample",
                "--run-dir",
                str(run),
                "--num",
                "3",
                "--label",
                "1",
                "--seed",
                "0",
                "--out",
                str(tmp_path / "ones.npy"),
            ]
        )
        == 0
    )
    np.testing.assert_array_equal(np.load(tmp_path / "ones.npy"), np.load(out))


def test_acgan_reads_labels_from_an_npz_and_infogan_trains_without(tmp_path):
    data = tmp_path / "digits.npz"
    np.savez(data, x_train=((tiny_images(32, (8, 8, 1)) + 1) * 127.5).astype("uint8"), y_train=np.arange(32) % 4)
    assert _train("acgan", data, tmp_path / "ac") == 0
    assert keras.saving.load_model(tmp_path / "ac" / "model.keras").num_classes == 4
    assert _train("infogan", data, tmp_path / "info") == 0
    gan = keras.saving.load_model(tmp_path / "info" / "model.keras")
    assert type(gan).__name__ == "InfoGAN" and int(gan.g_optimizer.iterations) == 4


def test_conditional_errors_are_reported(class_folders, tmp_path, capsys):
    unlabelled = tmp_path / "plain.npz"
    np.savez(unlabelled, x_train=((tiny_images(16, (8, 8, 1)) + 1) * 127.5).astype("uint8"))
    assert _train("cgan", unlabelled, tmp_path / "a") == 2
    assert "holds no labels" in capsys.readouterr().err
    loose = class_folders / "loose.png"
    iio.imwrite(loose, np.zeros((8, 8, 3), "uint8"))
    assert _train("acgan", class_folders, tmp_path / "b") == 2
    assert "sub-folder" in capsys.readouterr().err
    loose.unlink()
    assert _train("cgan", class_folders, tmp_path / "c") == 0
    assert (
        cli.main(["sample", "--run-dir", str(tmp_path / "c"), "--label", "triangle", "--out", str(tmp_path / "t.png")])
        == 2
    )
    assert "Unknown class name 'triangle'" in capsys.readouterr().err
    assert _train("infogan", unlabelled, tmp_path / "d") == 0
    assert cli.main(["sample", "--run-dir", str(tmp_path / "d"), "--label", "1", "--out", str(tmp_path / "u.png")]) == 2
    assert "--label applies to conditional models" in capsys.readouterr().err


def test_the_classes_come_from_the_data_and_diagnostics_gets_labelled_reference_images(class_folders, tmp_path, capsys):
    import tensorflow as tf

    assert _train("cgan", class_folders, tmp_path / "a", "--set", "num_classes=3") == 2
    assert "cgan (ConditionalGAN) takes num_classes from the data" in capsys.readouterr().err
    run = tmp_path / "run"
    assert (
        _train(
            "acgan", class_folders, run, "--set", "base_filters=4", "--set", "class_weight=0.5", "--diagnostics", "1"
        )
        == 0
    )
    gan = keras.saving.load_model(run / "model.keras")
    assert gan.class_weight == 0.5 and gan.class_names == ["circle", "square"]
    tags = {
        value.tag
        for events in (run / "tb").glob("events.out.tfevents.*")
        for event in tf.compat.v1.train.summary_iterator(str(events))
        for value in event.summary.value
    }
    assert "diagnostics/diversity_ratio" in tags  # measured within each class of the reference batch
