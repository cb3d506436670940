"""The command line trains the mode-coverage and inference models by name, and PacGAN as a part spec."""

import keras
import numpy as np
import pytest
from gan_contract import tiny_images

from kerasgan import cli


@pytest.fixture(scope="module")
def npz_data(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    # labels for the label-conditioned models (the others ignore them)
    np.savez(path, x_train=((tiny_images(32, (8, 8, 1)) + 1) * 127.5).astype("uint8"), y_train=np.arange(32) % 2)
    return path


@pytest.mark.parametrize(
    "model,extra,check",
    [
        ("unrolled_gan", ["--set", "unrolled_steps=2"], lambda m: m.unrolled_steps == 2),
        ("bigan", ["--set", "base_filters=4"], lambda m: m.encoder.output_shape == (None, 8)),
        ("aae", ["--set", "prior=mixture", "--set", "base_filters=4"], lambda m: m.prior == "mixture"),
        ("aae_labels", ["--set", "base_filters=4"], lambda m: (m.num_classes, m.prior_modes) == (2, 2)),
        ("aae_semi", ["--labelled", "4", "--set", "base_filters=4"], lambda m: m.num_classes == 2),
        ("dcgan", ["--augment", "pacgan:packs=4"], lambda m: m.discriminator.input_shape == (None, 8, 8, 4)),
    ],
)
def test_train_by_name(model, extra, check, npz_data, tmp_path):
    argv = ["train", model, "--data", str(npz_data), "--epochs", "1", "--batch-size", "8", "--latent-dim", "8"]
    assert cli.main([*argv, *extra, "--run-dir", str(tmp_path / "run")]) == 0
    trained = keras.saving.load_model(tmp_path / "run" / "model.keras")
    assert int(trained.g_optimizer.iterations) == 4 and check(trained)


@pytest.mark.parametrize(
    "model,labelled,message",
    [
        ("aae_semi", "1", "--labelled 1: keep_labels: count must be an int from 2 (one label per class) to 32"),
        ("aae_semi", "many", "--labelled takes a positive integer; got 'many'"),
        ("dcgan", "4", "--labelled does not apply to dcgan"),
    ],
)
def test_labelled_keeps_n_labels_of_semi_supervised_data_only(model, labelled, message, npz_data, tmp_path, capsys):
    argv = ["train", model, "--data", str(npz_data), "--epochs", "1", "--batch-size", "8", "--labelled", labelled]
    assert cli.main([*argv, "--run-dir", str(tmp_path / "run")]) == 2
    assert message in capsys.readouterr().err
