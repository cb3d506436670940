"""Runs and images the command line never loses: resume checks, outputs over inputs, signals, bad paths and values.

Each case asserts the exit status, the one-line message and that the files
written before are byte-identical afterwards.
"""

import json
import os
import signal

import keras
import numpy as np
import pytest
from gan_contract import tiny_images

import kerasgan
from kerasgan import cli


@pytest.fixture(scope="module")
def npz_data(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    np.savez(path, x_train=((tiny_images(32, (8, 8, 1)) + 1) * 127.5).astype("uint8"))
    return path


def _train(data, run_dir, *extra):
    """dcgan on 32 tiny images at batch 8: 4 steps an epoch (one epoch unless --epochs or --resume is given)."""
    argv = ["train", "dcgan", "--data", str(data), "--batch-size", "8", "--latent-dim", "4", "--set", "base_filters=4"]
    epochs = [] if {"--epochs", "--resume"} & set(extra) else ["--epochs", "1"]
    return cli.main([*argv, *epochs, *extra, "--run-dir", str(run_dir)])


@pytest.fixture(scope="module")
def finished_run(npz_data, tmp_path_factory):
    """A finished one-epoch run (checkpoints every 2 steps)."""
    run = tmp_path_factory.mktemp("runs") / "run"
    assert _train(npz_data, run, "--checkpoint-every", "2") == 0
    return run


def _snapshot(folder):
    return {
        os.path.relpath(os.path.join(root, name), folder): open(os.path.join(root, name), "rb").read()
        for root, _, names in os.walk(folder)
        for name in names
    }


def _copy(run, tmp_path):
    import shutil

    shutil.copytree(run, tmp_path / "run")
    return tmp_path / "run"


def _one_line_error(capsys):
    err = [line for line in capsys.readouterr().err.strip().splitlines() if line.startswith("kerasgan: error:")]
    assert len(err) == 1
    return err[0]


# ------------------------------------------------------------------ resume
@pytest.mark.parametrize("make", ["missing", "empty"])
def test_resume_with_nothing_to_resume_is_an_error(npz_data, tmp_path, capsys, make):
    run = tmp_path / "typo"
    if make == "empty":
        run.mkdir()
    assert _train(npz_data, run, "--resume") == 2
    assert "there is nothing to resume" in _one_line_error(capsys)
    assert sorted(os.listdir(run)) == [] if make == "empty" else not run.exists()


def test_a_finished_run_without_checkpoints_is_never_trained_over(finished_run, npz_data, tmp_path, capsys):
    import shutil

    run = _copy(finished_run, tmp_path)
    shutil.rmtree(run / "checkpoints")
    before = _snapshot(run)
    for extra in (["--resume"], ["--resume", "--epochs", "3"], []):
        assert _train(npz_data, run, *extra) == 2
        message = _one_line_error(capsys)
        assert "holds a model.keras but no checkpoints/" in message or "already holds a run" in message
    assert _snapshot(run) == before


def test_resuming_a_finished_run_needs_more_epochs_explicitly(finished_run, npz_data, tmp_path, capsys):
    run = _copy(finished_run, tmp_path)
    before = _snapshot(run)
    assert cli.main(["train", "dcgan", "--run-dir", str(run), "--resume", "--data", str(npz_data), "--batch-size", "8",
                     "--latent-dim", "4", "--set", "base_filters=4"]) == 2  # fmt: skip
    assert "has finished its 1 epoch(s); nothing was trained or written" in _one_line_error(capsys)
    assert _snapshot(run) == before
    assert _train(npz_data, run, "--checkpoint-every", "2", "--resume", "--epochs", "2") == 0
    assert int(keras.saving.load_model(run / "model.keras").g_optimizer.iterations) == 8  # continued, 4 + 4


@pytest.mark.parametrize(
    "extra, named",
    [
        (["--batch-size", "4"], "--batch-size 8 → 4"),
        (["--latent-dim", "8"], "--latent-dim '4' → '8'"),
        (["--image-size", "16"], "--image-size None → 16"),
        (["--seed", "1"], "--seed 0 → 1"),
    ],
)
def test_resume_refuses_other_settings_naming_them(finished_run, npz_data, tmp_path, capsys, extra, named):
    run = _copy(finished_run, tmp_path)
    before = _snapshot(run)
    assert _train(npz_data, run, "--checkpoint-every", "2", "--resume", "--epochs", "2", *extra) == 2
    assert named in _one_line_error(capsys)
    assert _snapshot(run) == before


def test_resume_refuses_another_model(finished_run, npz_data, tmp_path, capsys):
    run = _copy(finished_run, tmp_path)
    before = _snapshot(run)
    argv = [
        "train",
        "lsgan",
        "--data",
        str(npz_data),
        "--batch-size",
        "8",
        "--latent-dim",
        "4",
        "--set",
        "base_filters=4",
    ]
    assert cli.main([*argv, "--epochs", "2", "--resume", "--run-dir", str(run)]) == 2
    assert "--model 'dcgan' → 'lsgan'" in _one_line_error(capsys)
    assert _snapshot(run) == before


def test_resume_without_the_recorded_settings_is_an_error(finished_run, npz_data, tmp_path, capsys):
    run = _copy(finished_run, tmp_path)
    (run / "config.json").unlink()
    before = _snapshot(run)
    assert _train(npz_data, run, "--resume", "--epochs", "2") == 2
    assert "no config.json recording the settings" in _one_line_error(capsys)
    assert _snapshot(run) == before


def test_resume_skips_a_damaged_newest_checkpoint(finished_run, npz_data, tmp_path, capsys):
    run = _copy(finished_run, tmp_path)
    newest = run / "checkpoints" / "step_000000004" / "model.keras"
    newest.write_bytes(newest.read_bytes()[:1000])
    with pytest.warns(UserWarning, match="step_000000004.*truncated"):
        assert _train(npz_data, run, "--checkpoint-every", "2", "--resume") == 0
    assert f"continuing from {run / 'checkpoints' / 'step_000000002'}" in capsys.readouterr().out
    assert int(keras.saving.load_model(run / "model.keras").g_optimizer.iterations) == 4  # steps 3 and 4 again


# ------------------------------------------------------------------ signals
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_at_a_step_saves_a_resumable_checkpoint_and_exits_non_zero(
    npz_data, tmp_path, monkeypatch, capsys, sig
):
    class Send(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if int(self.model.g_optimizer.iterations) == 2:  # during step 3
                os.kill(os.getpid(), sig)

    fit = kerasgan.callbacks.fit_with_checkpoints
    monkeypatch.setattr(
        kerasgan.callbacks,
        "fit_with_checkpoints",
        lambda *args, callbacks=(), **kwargs: fit(*args, callbacks=[*callbacks, Send()], **kwargs),
    )
    run = tmp_path / "run"
    assert _train(npz_data, run, "--epochs", "2") == 128 + sig
    captured = capsys.readouterr()
    assert f"stopped by {signal.Signals(sig).name} after step 3; the run is resumable" in captured.err
    state = json.loads((run / "checkpoints" / "step_000000003" / "state.json").read_text())
    assert (state["epoch"], state["batch"]) == (0, 3)
    listed = captured.out.split("wrote ")[1].split(")")[0]
    for entry in listed.split("(")[1].split(", "):
        assert (run / entry).exists(), entry  # every file the completion line lists was written
    assert "checkpoints/step_000000003/" in listed
    assert int(keras.saving.load_model(run / "model.keras").g_optimizer.iterations) == 3
    assert signal.getsignal(sig) is not None and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    if sig == signal.SIGTERM:  # and it continues exactly as an uninterrupted run
        monkeypatch.setattr(kerasgan.callbacks, "fit_with_checkpoints", fit)
        assert _train(npz_data, run, "--resume") == 0
        assert _train(npz_data, tmp_path / "whole", "--epochs", "2") == 0
        resumed, whole = (keras.saving.load_model(r / "model.keras") for r in (run, tmp_path / "whole"))
        assert int(resumed.g_optimizer.iterations) == 8
        for a, b in zip(whole.weights, resumed.weights):
            np.testing.assert_allclose(
                keras.ops.convert_to_numpy(b), keras.ops.convert_to_numpy(a), rtol=1e-5, atol=1e-6
            )


# ------------------------------------------------------------------ outputs and paths
def test_sample_refuses_a_folder_as_out_and_its_own_model(finished_run, tmp_path, capsys):
    (tmp_path / "grid.png").mkdir()
    assert cli.main(["sample", "--run-dir", str(finished_run), "--out", str(tmp_path / "grid.png")]) == 2
    assert "is a folder; pass a file name" in _one_line_error(capsys)
    before = _snapshot(finished_run)
    assert cli.main(["sample", "--run-dir", str(finished_run), "--out", str(finished_run / "model.keras.npy")]) == 0
    capsys.readouterr()
    os.remove(finished_run / "model.keras.npy")
    assert _snapshot(finished_run) == before


@pytest.mark.parametrize("where", ["file", "under a file", "unwritable"])
def test_a_run_folder_that_cannot_be_written_is_a_one_line_error(npz_data, tmp_path, capsys, where):
    (tmp_path / "f").write_text("mine")
    run = {"file": tmp_path / "f", "under a file": tmp_path / "f" / "run", "unwritable": "/proc/kerasgan-run"}[where]
    assert _train(npz_data, run) == 2
    message = _one_line_error(capsys)
    assert f"--run-dir {str(run)!r}" in message and ("is a file" in message or "cannot be created" in message)
    assert (tmp_path / "f").read_text() == "mine"


def test_the_data_folder_never_receives_a_run_folder(tmp_path, monkeypatch, capsys):
    import imageio.v3 as iio

    faces = tmp_path / "faces"
    faces.mkdir()
    for i in range(8):
        iio.imwrite(faces / f"{i}.png", ((tiny_images(1, (8, 8, 3), seed=i)[0] + 1) * 127.5).astype("uint8"))
    before = _snapshot(faces)
    monkeypatch.chdir(faces)
    argv = ["train", "dcgan", "--data", ".", "--batch-size", "4", "--epochs", "1"]
    assert cli.main(argv) == 2
    assert "the default run folder (logs/ under the current folder) 'logs/dcgan-" in _one_line_error(capsys)
    assert cli.main([*argv, "--run-dir", str(faces / "sub" / "run")]) == 2
    assert "lies inside the input '.'" in _one_line_error(capsys)
    assert _snapshot(faces) == before and sorted(os.listdir(faces)) == sorted(before)


def test_a_full_disk_mid_run_is_a_one_line_error_keeping_the_last_checkpoint(npz_data, tmp_path, monkeypatch, capsys):
    from kerasgan.callbacks import checkpoint as checkpoint_module

    real_save = checkpoint_module.Checkpoint.save

    def save(self, epoch, batch):
        if int(self.model.g_optimizer.iterations) >= 4:
            raise OSError(28, "No space left on device", os.path.join(self.directory, "model.keras"))
        return real_save(self, epoch, batch)

    monkeypatch.setattr(checkpoint_module.Checkpoint, "save", save)
    run = tmp_path / "run"
    assert _train(npz_data, run, "--checkpoint-every", "2") == 2
    assert "No space left on device" in _one_line_error(capsys)
    assert sorted(os.listdir(run / "checkpoints")) == ["step_000000002"]
    assert not (run / "model.keras").exists()


# ------------------------------------------------------------------ values
@pytest.mark.parametrize(
    "extra, message",
    [
        (["--beta1", "5"], "--beta1 must be in [0, 1)"),
        (["--d-lr", "inf"], "--d-lr takes a positive number; got 'inf'"),
    ],
)
def test_optimizer_flags_out_of_range_are_refused(npz_data, tmp_path, capsys, extra, message):
    assert _train(npz_data, tmp_path / "run", *extra) == 2
    assert message in _one_line_error(capsys)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    "optimizer, message",
    [
        (keras.optimizers.Adam(beta_1=5.0), r"Adam\) has beta_1=5; it must be in \[0, 1\)"),
        (keras.optimizers.Adam(beta_2=1.0), "beta_2=1;"),
        (keras.optimizers.RMSprop(rho=1.5), r"RMSprop\) has rho=1.5;"),
        (keras.optimizers.Adam(epsilon=-1.0), "epsilon=-1; it must be >= 0"),
        (keras.optimizers.RMSprop(learning_rate=-1e-3), "learning_rate=-0.001; it must be a finite number >= 0"),
    ],
)
def test_compile_refuses_optimizer_hyper_parameters_out_of_range(optimizer, message):
    gan = kerasgan.models.DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4)
    with pytest.raises(ValueError, match=rf"DCGAN.compile\(\): the g_optimizer \(.*{message}"):
        gan.compile(d_optimizer=keras.optimizers.Adam(), g_optimizer=optimizer)


def test_a_symlink_loop_is_scanned_once_in_bounded_time(tmp_path):
    (tmp_path / "faces" / "a").mkdir(parents=True)
    for name in ("faces/x.png", "faces/a/y.png", "outside.png"):
        (tmp_path / name).write_bytes(b"")
    os.symlink("..", tmp_path / "faces" / "a" / "up")
    os.symlink(".", tmp_path / "faces" / "self")
    os.symlink("../x.png", tmp_path / "faces" / "a" / "again.png")
    os.symlink(tmp_path / "faces", tmp_path / "faces" / "a" / "loop")
    files = kerasgan.data.list_image_files(tmp_path / "faces")
    assert [os.path.relpath(f, tmp_path) for f in files] == ["faces/a/y.png", "faces/x.png"]


def test_running_out_of_memory_is_a_one_line_error_with_the_size(npz_data, tmp_path, monkeypatch, capsys):
    import tensorflow as tf

    def too_big(*args, **kwargs):  # what TensorFlow raises for `kerasgan train gan --image-size 1025`
        message = "OOM when allocating tensor with shape[1200,3151875] and type float on /job:localhost/device:CPU:0"
        raise tf.errors.ResourceExhaustedError(None, None, message)

    monkeypatch.setattr(kerasgan.callbacks, "fit_with_checkpoints", too_big)
    assert _train(npz_data, tmp_path / "run") == 2
    message = _one_line_error(capsys)
    assert "ran out of memory for a 1,200 × 3,151,875 float tensor (15.1 GB)" in message
    assert "use a smaller --image-size or --batch-size" in message


def test_damaged_files_and_too_little_data_get_messages_naming_the_real_problem(
    finished_run, npz_data, tmp_path, capsys
):
    run = _copy(finished_run, tmp_path)
    model = run / "model.keras"
    model.write_bytes(model.read_bytes()[:5000])
    assert cli.main(["sample", "--run-dir", str(run), "--out", str(tmp_path / "s.png")]) == 2
    message = _one_line_error(capsys)
    assert "model.keras is damaged: model.keras is not a whole .keras file" in message
    assert "its newest intact checkpoint is" in message and "step_000000004" in message

    (tmp_path / "broken.npz").write_bytes(b"not a zip at all")
    assert _train(tmp_path / "broken.npz", tmp_path / "r1") == 2
    assert "is not an .npz archive (not a zip file" in _one_line_error(capsys)

    assert _train(npz_data, tmp_path / "r2", "--batch-size", "64") == 2
    message = _one_line_error(capsys)
    assert "holds 32 images, fewer than one batch of 64; lower --batch-size" in message
    assert "drop_remainder" not in message


def test_pix2pix_at_an_odd_size_names_the_real_problem(capsys):
    from kerasgan.networks.translation import unet_generator

    with pytest.raises(ValueError, match="its sides must be even; 1025×1025 is not") as error:
        unet_generator((1025, 1025, 3))
    assert "2^0" not in str(error.value)
