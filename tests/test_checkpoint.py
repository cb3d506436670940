"""Runs that survive: checkpoints, resuming a killed run, kills during writes, non-finite losses."""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap

import imageio.v3 as iio
import keras
import numpy as np
import pytest
from gan_contract import tiny_images

import kerasgan
from kerasgan import cli
from kerasgan.callbacks import Checkpoint, NonFiniteLossError, fit_with_checkpoints

TRAIN_SCRIPT = textwrap.dedent(
    """
    import json, os, signal, sys
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    import keras, numpy as np, kerasgan

    run_dir, kill_at = sys.argv[1], int(sys.argv[2])
    keras.utils.set_random_seed(0)  # first, as the CLI does: TensorFlow's shuffling depends on the global seed
    images = np.tanh(np.random.default_rng(0).normal(size=(40, 8, 8, 1)) * 1.5).astype("float32")
    def data():  # 5 batches per epoch, reshuffled each epoch
        return kerasgan.data.from_array(images, batch_size=8, seed=0)

    def build():
        gan = kerasgan.models.DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, seed=0, ema=kerasgan.parts.GeneratorEMA(0.9))
        gan.compile()
        return gan

    class Record(keras.callbacks.Callback):
        # This step's losses from the epoch's running means; SIGKILL at step `kill_at`.
        def on_epoch_begin(self, epoch, logs=None):
            self.previous = {}

        def on_train_batch_end(self, batch, logs=None):
            step = int(self.model.g_optimizer.iterations)
            values = {k: (batch + 1) * logs[k] - batch * self.previous.get(k, 0.0) for k in ("d_loss", "g_loss")}
            self.previous = dict(logs)
            with open(os.path.join(run_dir, "losses.jsonl"), "a") as f:
                f.write(json.dumps({"step": step, **values}) + "\\n")
            if step == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    checkpoint = kerasgan.callbacks.Checkpoint(os.path.join(run_dir, "ckpt"), every_n_steps=3, every_n_epochs=None)
    gan = kerasgan.callbacks.fit_with_checkpoints(build, data, 3, checkpoint, callbacks=[Record()], verbose=0)
    gan.save(os.path.join(run_dir, "final.keras"))
    """
)


def _run(script, *args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, str(script), *map(str, args)], capture_output=True, text=True, env=env, timeout=600
    )


def _losses(run_dir):
    with open(run_dir / "losses.jsonl") as f:
        return [json.loads(line) for line in f]


def test_a_run_killed_mid_epoch_continues_exactly_like_an_uninterrupted_one(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAIN_SCRIPT)
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    whole.mkdir()
    killed.mkdir()
    assert _run(script, whole, 0).returncode == 0
    out = _run(script, killed, 8)  # step 8 is batch 3 of epoch 2; the last checkpoint is step 6
    assert out.returncode == -signal.SIGKILL, out.stderr[-2000:]
    assert sorted(os.listdir(killed / "ckpt")) == ["step_000000003", "step_000000006"]
    out = _run(script, killed, 0)  # the same command again: it continues from step 6
    assert out.returncode == 0, out.stderr[-3000:]

    expected = {r["step"]: r for r in _losses(whole)}
    records = _losses(killed)
    resumed = records[8:]  # the lines the continued process wrote
    assert [r["step"] for r in resumed] == list(range(7, 16))
    for r in resumed:
        for key in ("d_loss", "g_loss"):
            assert r[key] == pytest.approx(expected[r["step"]][key], rel=1e-5, abs=1e-6), (r["step"], key)
    final_whole = keras.saving.load_model(whole / "final.keras")
    final_killed = keras.saving.load_model(killed / "final.keras")
    for a, b in zip(final_whole.weights, final_killed.weights):  # EMA, optimizer steps and seeds included
        np.testing.assert_allclose(keras.ops.convert_to_numpy(b), keras.ops.convert_to_numpy(a), rtol=1e-5, atol=1e-6)
    assert int(final_killed.g_optimizer.iterations) == 15


KILL_DURING_WRITE = textwrap.dedent(
    """
    import json, os, signal, sys
    import numpy as np

    kind, path = sys.argv[1], sys.argv[2]

    def torn_write(target, data):
        # half the bytes reach the disk, then the process is killed
        with open(target, "wb") as f:
            f.write(data[: len(data) // 2])
            f.flush()
            os.fsync(f.fileno())
        os.kill(os.getpid(), signal.SIGKILL)

    if kind in ("png", "gif"):
        import imageio.v3 as iio
        import kerasgan.callbacks as cb
        real_imwrite = iio.imwrite
        if kind == "png":
            cb.save_image_grid(path, np.zeros((4, 8, 8, 1)))
        else:
            frames = os.path.join(os.path.dirname(path), "frames")
            for i in range(2):
                cb.save_image_grid(os.path.join(frames, f"epoch_{i:04d}.png"), np.full((4, 8, 8, 1), i / 2))
            cb.GifBuilder(frames, path).build()
            cb.save_image_grid(os.path.join(frames, "epoch_0009.png"), np.ones((4, 8, 8, 1)))
        iio.imwrite = lambda uri, image, **kw: torn_write(uri, real_imwrite("<bytes>", image, **kw))
        if kind == "png":
            cb.save_image_grid(path, np.ones((4, 8, 8, 1)))
        else:
            cb.GifBuilder(frames, path).build()
    elif kind == "json":
        from kerasgan.utils import io
        io.write_json_atomic(path, {"version": 1})
        io.json.dump = lambda obj, f, **kw: torn_write(f.name, json.dumps(obj).encode())
        io.write_json_atomic(path, {"version": 2, "padding": "x" * 1000})
    elif kind == "checkpoint":
        import keras, kerasgan
        gan = kerasgan.models.DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4)
        gan.compile()
        checkpoint = kerasgan.callbacks.Checkpoint(path)
        checkpoint.set_model(gan)
        checkpoint.save(epoch=1, batch=0)
        gan.g_optimizer.iterations.assign(5)
        real_save = keras.Model.save
        def torn_save(self, filepath, *args, **kw):
            real_save(self, filepath, *args, **kw)
            with open(filepath, "rb") as f:
                torn_write(filepath, f.read())
        keras.Model.save = torn_save
        checkpoint.save(epoch=2, batch=0)
    print("not killed")
    """
)


@pytest.mark.parametrize("kind", ["png", "gif", "json", "checkpoint"])
def test_a_kill_during_a_write_leaves_the_previous_file_readable(kind, tmp_path):
    script = tmp_path / "write.py"
    script.write_text(KILL_DURING_WRITE)
    target = tmp_path / {"png": "grid.png", "gif": "progress.gif", "json": "config.json", "checkpoint": "ckpt"}[kind]
    out = _run(script, kind, target)
    assert out.returncode == -signal.SIGKILL, (out.stdout, out.stderr[-2000:])

    def leftovers():
        return [name for name in os.listdir(target.parent if kind != "checkpoint" else target) if ".tmp" in name]

    assert len(leftovers()) == 1  # the torn temporary file; the target never held a partial write
    if kind == "png":
        assert (iio.imread(target) == 128).any()  # the first grid (mid-gray images), not the white one
    elif kind == "gif":
        assert len(iio.imread(target, index=None)) == 2  # the first GIF, not the one with a third frame
    elif kind == "json":
        assert json.loads(target.read_text()) == {"version": 1}
    else:
        checkpoint = Checkpoint(target)
        assert [os.path.basename(p) for p in checkpoint.paths()] == ["step_000000000"]
        gan, state = checkpoint.restore()
        assert state == {"step": 0, "epoch": 1, "batch": 0} and int(gan.g_optimizer.iterations) == 0
    # the next successful write of the same file removes the killed writer's leftover
    os.utime(os.path.join(target.parent if kind != "checkpoint" else target, leftovers()[0]), (0, 0))
    if kind == "png":
        kerasgan.callbacks.save_image_grid(target, np.ones((4, 8, 8, 1)))
    elif kind == "gif":
        kerasgan.callbacks.GifBuilder(tmp_path / "frames", target).build()
        assert len(iio.imread(target, index=None)) == 3
    elif kind == "json":
        kerasgan.utils.write_json_atomic(target, {"version": 3})
    else:
        checkpoint.set_model(gan)
        gan.g_optimizer.iterations.assign(9)
        checkpoint.save(epoch=3, batch=0)
    assert leftovers() == []


def _tiny_gan(**kwargs):
    keras.utils.set_random_seed(0)
    gan = kerasgan.models.DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, seed=0, **kwargs)
    gan.compile()
    return gan


def test_non_finite_loss_stops_training_naming_the_loss_and_step_and_keeps_the_last_good_checkpoint(tmp_path):
    class Poison(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if int(self.model.g_optimizer.iterations) == 4:  # after checkpoint step 4 was written
                weight = self.model.discriminator.trainable_weights[0]
                weight.assign(np.full(weight.shape, np.nan, "float32"))

    checkpoint = Checkpoint(tmp_path / "ckpt", every_n_steps=2, every_n_epochs=None, keep=5)
    data = kerasgan.data.from_array(tiny_images(40), batch_size=8, seed=0)
    with pytest.raises(NonFiniteLossError, match=r"d_loss became nan at step 5.*last good checkpoint.*step_000000004"):
        fit_with_checkpoints(_tiny_gan(), data, 3, checkpoint, callbacks=[Poison()], verbose=0)
    assert [os.path.basename(p) for p in checkpoint.paths()] == ["step_000000002", "step_000000004"]
    gan, state = checkpoint.restore()
    assert state == {"step": 4, "epoch": 0, "batch": 4}
    assert all(np.isfinite(keras.ops.convert_to_numpy(w)).all() for w in gan.weights)


def test_checkpoints_keep_the_newest_and_an_epoch_end_save_moves_the_position_to_the_next_epoch(tmp_path):
    checkpoint = Checkpoint(tmp_path / "ckpt", every_n_steps=5, keep=2)
    data = kerasgan.data.from_array(tiny_images(40), batch_size=8, seed=0)  # 5 batches per epoch
    gan = fit_with_checkpoints(_tiny_gan(), data, 3, checkpoint, verbose=0)
    assert int(gan.g_optimizer.iterations) == 15
    assert [os.path.basename(p) for p in checkpoint.paths()] == ["step_000000010", "step_000000015"]
    _, state = checkpoint.restore()
    assert state == {"step": 15, "epoch": 3, "batch": 0}
    # Run again with more epochs: it continues from epoch 3 and stops after 4.
    again = fit_with_checkpoints(
        lambda: pytest.fail("a checkpoint exists; nothing is built"),
        data,
        4,
        Checkpoint(tmp_path / "ckpt", every_n_steps=5),
        verbose=0,
    )
    assert int(again.g_optimizer.iterations) == 20


def test_cli_resume_continues_a_run_and_refuses_to_restart_one_silently(tmp_path, capsys):
    data = tmp_path / "tiny.npz"
    np.savez(data, x_train=((tiny_images(32) + 1) * 127.5).astype("uint8"))

    def train(*extra):
        return cli.main(
            [
                "train",
                "dcgan",
                "--data",
                str(data),
                "--batch-size",
                "8",
                "--latent-dim",
                "4",
                "--run-dir",
                str(tmp_path / "run"),
                "--checkpoint-every",
                "3",
                *extra,
            ]
        )

    assert train("--epochs", "1") == 0
    assert train("--epochs", "2") == 2
    assert "--resume" in capsys.readouterr().err
    assert train("--epochs", "2", "--resume") == 0
    assert "continuing from" in capsys.readouterr().out
    gan = keras.saving.load_model(tmp_path / "run" / "model.keras")
    assert int(gan.g_optimizer.iterations) == 8  # 2 epochs of 4 batches, not 1 + 2


def _damage(folder, how):
    model, state = folder / "model.keras", folder / "state.json"
    if how == "no state.json":
        state.unlink()
    elif how == "empty model.keras":
        model.write_bytes(b"")
    else:  # truncated at a fraction of its bytes
        data = model.read_bytes()
        model.write_bytes(data[: int(len(data) * how)])


def _data():  # a fresh seeded data set per pass, so a resumed run replays the same shuffles
    return kerasgan.data.from_array(tiny_images(40), batch_size=8, seed=0)


@pytest.fixture(scope="module")
def whole_run(tmp_path_factory):
    """3 epochs of 5 batches, checkpointed every 5 steps with all three kept, and the final weights."""
    directory = tmp_path_factory.mktemp("whole") / "ckpt"
    gan = fit_with_checkpoints(_tiny_gan(), _data, 3, Checkpoint(directory, every_n_steps=5, keep=3), verbose=0)
    return directory, [keras.ops.convert_to_numpy(w).copy() for w in gan.weights]


@pytest.mark.parametrize("how", [0.0, 0.01, 0.5, 0.999, "empty model.keras", "no state.json"])
def test_a_damaged_newest_checkpoint_is_reported_and_the_newest_intact_one_restored(whole_run, tmp_path, how):
    directory = tmp_path / "ckpt"
    shutil.copytree(whole_run[0], directory)
    before = (directory / "step_000000010" / "model.keras").read_bytes()
    _damage(directory / "step_000000015", how)
    checkpoint = Checkpoint(directory, keep=3)
    assert checkpoint.latest().endswith("step_000000010")
    with pytest.warns(
        UserWarning, match=r"Skipped damaged checkpoint.*step_000000015.*Continuing from .*step_000000010"
    ):
        gan, state = checkpoint.restore()
    assert state == {"step": 10, "epoch": 2, "batch": 0} and int(gan.g_optimizer.iterations) == 10
    assert (directory / "step_000000010" / "model.keras").read_bytes() == before


def test_resuming_past_damaged_checkpoints_matches_the_uninterrupted_run(whole_run, tmp_path):
    directory = tmp_path / "ckpt"
    shutil.copytree(whole_run[0], directory)
    _damage(directory / "step_000000015", 0.5)
    _damage(directory / "step_000000010", "no state.json")
    checkpoint = Checkpoint(directory, every_n_steps=5, keep=2)
    keras.utils.set_random_seed(0)  # as _tiny_gan did before the uninterrupted run: TensorFlow's shuffles use it
    with pytest.warns(UserWarning, match="step_000000015.*truncated.*step_000000010: no state.json"):
        gan = fit_with_checkpoints(lambda: pytest.fail("an intact checkpoint exists"), _data, 3, checkpoint, verbose=0)
    assert int(gan.g_optimizer.iterations) == 15  # continued from step 5
    for expected, got in zip(whole_run[1], gan.weights):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(got), expected, rtol=1e-5, atol=1e-6)
    # keep counts intact checkpoints; the damaged ones are gone once newer intact ones exist
    assert [os.path.basename(p) for p in checkpoint.paths()] == ["step_000000010", "step_000000015"]
    assert checkpoint.intact_paths() == checkpoint.paths()


def test_every_checkpoint_damaged_is_an_error_naming_each(whole_run, tmp_path):
    directory = tmp_path / "ckpt"
    shutil.copytree(whole_run[0], directory)
    for step in (5, 10, 15):
        _damage(directory / f"step_{step:09d}", "empty model.keras")
    with pytest.raises(ValueError, match="Every checkpoint in .* is damaged .*step_000000005.*nothing intact"):
        Checkpoint(directory).restore()


def test_a_checkpoint_is_verified_when_written_and_readable_by_others(whole_run, tmp_path):
    import stat
    import zipfile

    from kerasgan.utils.io import current_umask

    folder = sorted(whole_run[0].glob("step_*"))[-1]
    state = json.loads((folder / "state.json").read_text())
    assert state["model_bytes"] == (folder / "model.keras").stat().st_size
    assert len(state["model_sha256"]) == 64
    assert stat.S_IMODE(folder.stat().st_mode) & 0o055 == 0o055 & ~current_umask()  # not drwx------

    gan = _tiny_gan()
    checkpoint = Checkpoint(tmp_path / "ckpt")
    checkpoint.set_model(gan)
    real_save = gan.save

    def corrupt_save(path, *args, **kwargs):  # the bytes that reach the disk are not the ones written
        real_save(path, *args, **kwargs)
        with zipfile.ZipFile(path) as archive:
            member = archive.infolist()[-1]
        data = bytearray(open(path, "rb").read())
        data[member.header_offset + 40] ^= 0xFF
        open(path, "wb").write(bytes(data))

    gan.save = corrupt_save
    with pytest.raises(OSError, match="reads back damaged"):
        checkpoint.save(epoch=0, batch=1)
    assert checkpoint.paths() == [] and not list((tmp_path / "ckpt").iterdir())


def test_a_nan_pixel_in_batch_5_stops_training_at_batch_5_keeping_the_last_good_checkpoint(tmp_path):
    import tensorflow as tf

    images = tiny_images(64)
    images[4 * 8 + 3, 2, 2, 0] = np.nan  # batch 5 (batches of 8, in order)
    data = tf.data.Dataset.from_tensor_slices(images).batch(8, drop_remainder=True)
    checkpoint = Checkpoint(tmp_path / "ckpt", every_n_steps=2, every_n_epochs=None)
    with pytest.raises(ValueError, match=r"NaN or infinite value in batch 5 of epoch 1 \(step 5\)"):
        fit_with_checkpoints(_tiny_gan(), data, 2, checkpoint, verbose=0)
    assert checkpoint.latest().endswith("step_000000004")


@pytest.mark.parametrize("value", [np.inf, 3.0])
def test_pixels_leaving_the_range_after_the_first_batch_are_caught_on_their_batch(value):
    import tensorflow as tf

    images = tiny_images(32)
    images[2 * 8, 0, 0, 0] = value  # batch 3
    data = tf.data.Dataset.from_tensor_slices(images).batch(8, drop_remainder=True)
    gan = _tiny_gan()
    match = "NaN or infinite value in" if value == np.inf else r"values in \[.*, 3\] in"
    with pytest.raises(ValueError, match=rf"{match} batch 3 of epoch 1 \(step 3\)"):
        gan.fit(data, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 3
