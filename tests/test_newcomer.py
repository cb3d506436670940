"""A newcomer's first run: the data shipped inside the package, the command that needs no --data."""

import json

import keras
import numpy as np
import pytest

import kerasgan
from kerasgan import cli


def test_the_embedded_mnist_is_the_real_test_set_with_its_labels(shared_data):
    images, labels = kerasgan.data.load_arrays(kerasgan.data.EMBEDDED_MNIST)
    assert images.shape == (10000, 28, 28, 1) and images.dtype == np.uint8
    assert labels.shape == (10000,)
    counts = np.bincount(labels, minlength=10)
    assert len(counts) == 10 and counts.min() > 800  # every digit, about 1,000 of each
    # the same digits as the copy in ../shared/data, read by the same reader
    reference, reference_labels = kerasgan.data.mnist_idx(shared_data("mnist", "t10k-images-idx3-ubyte.gz"))
    np.testing.assert_array_equal(images, reference)
    np.testing.assert_array_equal(labels, reference_labels)


def test_the_embedded_mnist_serves_labelled_batches_in_minus_one_one():
    dataset = kerasgan.data.load_dataset(kerasgan.data.EMBEDDED_MNIST, batch_size=500, labels=True, seed=0)
    assert list(dataset.class_names) == [str(d) for d in range(10)]
    batch, labels = next(iter(dataset))
    batch = np.asarray(batch)
    assert batch.shape == (500, 28, 28, 1) and batch.dtype == np.float32
    # MNIST digits are white strokes on black: both ends of the range occur
    assert batch.min() == -1.0 and batch.max() == 1.0
    assert set(np.asarray(labels).tolist()) == set(range(10))


def test_train_without_data_trains_on_the_embedded_mnist(tmp_path, capsys):
    run = tmp_path / "run"
    argv = ["train", "dcgan", "--epochs", "1", "--batch-size", "2500", "--latent-dim", "8", "--set", "base_filters=4"]
    assert cli.main([*argv, "--run-dir", str(run)]) == 0
    assert "MNIST test set shipped with kerasgan" in capsys.readouterr().out
    config = json.loads((run / "config.json").read_text())
    assert config["data"] == kerasgan.data.EMBEDDED_MNIST and config["image_shape"] == [28, 28, 1]
    gan = keras.saving.load_model(run / "model.keras")
    assert int(gan.g_optimizer.iterations) == 10000 // 2500


@pytest.fixture
def offline(monkeypatch, tmp_path_factory):
    """Every download through keras.utils.get_file fails as it does without a network (no DNS), from an empty cache."""
    import urllib.error

    from keras.src.backend import config
    from keras.src.utils import file_utils

    def unreachable(url, *args, **kwargs):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(file_utils, "urlretrieve", unreachable)
    monkeypatch.setattr(config, "_KERAS_DIR", str(tmp_path_factory.mktemp("keras_home")))


def _one_line_error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kerasgan: error:"), err
    return err[0]


def test_evaluate_offline_names_the_download_and_what_needs_no_weights(offline, tmp_path, capsys):
    assert cli.main(["evaluate", "--run-dir", str(tmp_path), "--data", "mnist", "--metrics", "fid"]) == 2
    line = _one_line_error(capsys)
    assert "InceptionV3's ImageNet weights" in line and "Temporary failure in name resolution" in line
    assert "--extractor" in line and "--metrics swd" in line


def test_keras_datasets_offline_names_the_download_and_the_local_alternatives(offline, tmp_path, capsys):
    argv = ["train", "dcgan", "--data", "mnist", "--run-dir", str(tmp_path / "run")]
    assert cli.main(argv) == 2
    line = _one_line_error(capsys)
    assert "'mnist' through keras.datasets" in line and "Temporary failure in name resolution" in line
    assert "without --data" in line and "a local path" in line
    assert not (tmp_path / "run").exists()
