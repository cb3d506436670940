"""A newcomer's first run: the data shipped inside the package, the command that needs no --data."""

import json
import os
import subprocess
import sys

import imageio.v3 as iio
import keras
import numpy as np
import pytest
from conftest import PROJECT_ROOT

import kerasgan
import kerasgan_cli
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


def test_quiet_startup_drops_tensorflows_startup_noise_and_keeps_everything_else():
    no_driver = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
        "I0000 00:00:1.5 1 port.cc:153] oneDNN custom operations are on. You may see slightly different ...\n",
        "I0000 00:00:1.5 1 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.\n",
        "E0000 00:00:1.9 1 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: (303)\n",
    ]
    news = "W0000 00:00:2.0 1 some_op.cc:1] something the user should see\n"
    assert kerasgan_cli.quiet_startup("".join(no_driver[:2] + [news] + no_driver[2:])) == news
    # with a CUDA driver present, a failing cuInit is kept
    assert kerasgan_cli.quiet_startup(no_driver[0] + no_driver[3]) == no_driver[3]


def test_a_command_in_a_fresh_process_prints_only_its_own_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT), env.get("PYTHONPATH", "")])
    code = "import sys, kerasgan_cli; sys.exit(kerasgan_cli.main(sys.argv[1:]))"
    argv = ["sample", "--run-dir", str(tmp_path / "none"), "--out", str(tmp_path / "x.png")]
    done = subprocess.run([sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"kerasgan: error: No model.keras in {tmp_path / 'none'}; pass the --run-dir "
        "of a finished `kerasgan train` run."
    ]


def _summary_steps(folder, tag):
    """The steps at which the event files under `folder` hold the summary `tag`."""
    import tensorflow as tf

    return {
        event.step
        for path in folder.rglob("events.out.tfevents.*")
        for event in tf.compat.v1.train.summary_iterator(str(path))
        for value in event.summary.value
        if value.tag == tag
    }


def test_an_image_folder_run_does_not_run_out_of_data_and_its_scalars_line_up_with_its_grids(tmp_path, recwarn):
    folder = tmp_path / "faces"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(20):  # 2 batches of 8 and 4 images over: an uneven folder of unknown length to tf.data
        iio.imwrite(folder / f"{i}.png", rng.integers(0, 256, (8, 8, 3), dtype=np.uint8))
    argv = ["train", "dcgan", "--data", str(folder), "--image-size", "8", "--batch-size", "8", "--epochs", "2"]
    assert cli.main([*argv, "--latent-dim", "4", "--set", "base_filters=4", "--run-dir", str(tmp_path / "run")]) == 0
    assert not [w for w in recwarn if "ran out of data" in str(w.message)]
    gan = keras.saving.load_model(tmp_path / "run" / "model.keras")
    assert int(gan.g_optimizer.iterations) == 2 * (20 // 8)
    tb = tmp_path / "run" / "tb"
    # two epochs of two steps: the epoch scalars at steps 2 and 4 (Keras' own would be at 0 and 1), as the grids
    assert _summary_steps(tb, "epoch_d_loss") == _summary_steps(tb, "samples") == {2, 4}
