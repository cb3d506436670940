"""`kerasgan train pix2pix|cyclegan` and `kerasgan translate`, run in-process through kerasgan.cli.main."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import imageio.v3 as iio
import keras
import numpy as np
import pytest

from kerasgan import cli

SIZE = 16
COMMON = ["--image-size", str(SIZE), "--batch-size", "4", "--set", "base_filters=4", "--seed", "3"]
CYCLEGAN = [*COMMON, "--set", "n_blocks=1"]  # one residual block instead of 6: a faster trace


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
    code = cli.main(
        [
            "train",
            "cyclegan",
            "--data-a",
            str(folders / "a"),
            "--data-b",
            str(folders / "b"),
            "--epochs",
            "2",
            "--run-dir",
            str(run),
            *CYCLEGAN,
        ]
    )
    assert code == 0
    return run


def test_train_cyclegan_writes_a_complete_run_folder(cyclegan_run):
    model = keras.saving.load_model(cyclegan_run / "model.keras")
    assert type(model).__name__ == "CycleGAN" and model.image_shape == (SIZE, SIZE, 3) and model.base_filters == 4
    assert model.n_blocks == 1
    # 12 images per folder, 4 held out for the grids: 8 // 4 = 2 steps per epoch
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 4
    # the paper's schedule over the run: constant for the first half, then linear decay
    schedule = model.g_optimizer.get_config()["learning_rate"]["config"]
    assert schedule == {"initial_learning_rate": 2e-4, "constant_steps": 2, "decay_steps": 2}
    config = json.loads((cyclegan_run / "config.json").read_text())
    assert config["model"] == "cyclegan" and config["seed"] == 3 and config["image_shape"] == [SIZE, SIZE, 3]
    objectives = [(o["class_name"], o["config"]["weight"]) for o in config["model_config"]["objectives"]]
    assert objectives == [("CycleConsistency", 10.0), ("Identity", 5.0)]
    grids = sorted((cyclegan_run / "images").glob("translations_*.png"))
    assert [g.name for g in grids] == [
        "translations_epoch_0001_step_00000002.png",
        "translations_epoch_0002_step_00000004.png",
    ]
    cell = SIZE + 2
    assert iio.imread(grids[0]).shape == (
        4 * cell + 2,
        3 * cell + 2,
        3,
    )  # 4 held-out rows: input | translation | reconstruction
    assert len(iio.imread(cyclegan_run / "progress.gif", index=None)) == 2
    assert list((cyclegan_run / "tb").rglob("events.out.tfevents.*"))


def test_translate_writes_one_png_per_input_named_after_it(cyclegan_run, folders, tmp_path):
    out = tmp_path / "out"
    assert (
        cli.main(
            [
                "translate",
                "--run-dir",
                str(cyclegan_run),
                "--input",
                str(folders / "b"),
                "--out",
                str(out),
                "--direction",
                "b2a",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(f"face{i}.png" for i in range(12))
    written = iio.imread(out / "face7.png")
    assert written.shape == (SIZE, SIZE, 3) and written.dtype == np.uint8
    # the same translation as the model's own, on the same decoded, resized input
    model = keras.saving.load_model(cyclegan_run / "model.keras")
    from kerasgan.data import center_crop_resize, read_image

    image, _ = read_image(str(folders / "b" / "face7.jpg"), 3)
    pixels = np.asarray(center_crop_resize(image, (SIZE, SIZE)), "float32") / 127.5 - 1
    expected = np.round((np.clip(model.translate(pixels[None], "b2a")[0], -1, 1) + 1) * 127.5)
    np.testing.assert_allclose(written, expected, atol=1)
    # a single file
    assert (
        cli.main(
            [
                "translate",
                "--run-dir",
                str(cyclegan_run),
                "--input",
                str(folders / "a" / "face3.png"),
                "--out",
                str(tmp_path / "one"),
            ]
        )
        == 0
    )
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["face3.png"]


def test_pix2pix_trains_on_side_by_side_files_and_translates_one_way(folders, tmp_path, capsys):
    run = tmp_path / "run"
    assert (
        cli.main(
            [
                "train",
                "pix2pix",
                "--data",
                str(folders / "sbs"),
                "--epochs",
                "1",
                "--max-seconds",
                "0.001",
                "--run-dir",
                str(run),
                *COMMON,
            ]
        )
        == 0
    )
    model = keras.saving.load_model(run / "model.keras")
    assert type(model).__name__ == "Pix2Pix"
    assert [(type(o).__name__, o.weight) for o in model.objectives] == [("L1Reconstruction", 100.0)]
    assert int(model.g_optimizer.iterations) == 1  # --max-seconds stopped after the first step
    grid = iio.imread(next((run / "images").glob("translations_*.png")))
    assert grid.shape[1] == 3 * (SIZE + 2) + 2  # input | translation | target
    assert (
        cli.main(
            [
                "translate",
                "--run-dir",
                str(run),
                "--input",
                str(folders / "a"),
                "--out",
                str(tmp_path / "o"),
                "--direction",
                "b2a",
            ]
        )
        == 2
    )
    assert "one direction" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "cyclegan", "--data-a", "x"], "cyclegan needs --data-a DIR and --data-b DIR"),
        (["train", "pix2pix", "--data", "x", "--data-a", "y"], "either --data"),
        (["train", "pix2pix", "--data-a", "/no/such/a", "--data-b", "/no/such/b"], "/no/such/a"),
        (
            ["train", "cyclegan", "--data-a", "a", "--data-b", "b", "--loss", "hinge"],
            "--loss does not apply to cyclegan (CycleGAN): it takes no loss= argument",
        ),
        (["train", "pix2pix"], "pix2pix needs --data FOLDER"),  # the image models default to the embedded MNIST
        (["translate", "--run-dir", "/no/such/run", "--input", "x", "--out", "y"], "No model.keras in /no/such/run"),
        (["train", "cyclegan", "--data", "x", "--data-a", "a", "--data-b", "b"], "--data does not apply to cyclegan"),
        (["train", "pix2pix", "--data", "x", "--latent-dim", "4"], "--latent-dim does not apply to pix2pix"),
        (
            ["train", "pix2pix", "--data", "x", "--target", "label_smoothing"],
            "--target does not apply to pix2pix (Pix2Pix): it takes no targets= argument",
        ),
        (
            ["train", "pix2pix", "--data", "x", "--set", "n_blocks=3"],
            "pix2pix (Pix2Pix) has no argument 'n_blocks'; --set takes: base_filters, target_channels",
        ),
        (
            ["train", "cyclegan", "--data-a", "a", "--data-b", "b", "--objective", "cycle:weight=x"],
            "--objective cycle:weight takes a number (default 10.0); got 'x'",
        ),
        (["train", "pix2pix", "--data", "x", "--diagnostics"], "--diagnostics watches the GAN family"),
    ],
)
def test_user_errors_are_one_line(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kerasgan: error:") and message in err[0]


def test_unmatched_pair_names_are_reported(folders, tmp_path, capsys):
    (tmp_path / "b").mkdir()
    iio.imwrite(tmp_path / "b" / "other.png", np.zeros((8, 8, 3), np.uint8))
    assert (
        cli.main(
            [
                "train",
                "pix2pix",
                "--data-a",
                str(folders / "a"),
                "--data-b",
                str(tmp_path / "b"),
                "--run-dir",
                str(tmp_path / "run"),
                *COMMON,
            ]
        )
        == 2
    )
    assert "must match by name" in capsys.readouterr().err
    assert not (tmp_path / "run" / "model.keras").exists()


def test_objective_flags_replace_the_default_objectives(folders, tmp_path):
    run = tmp_path / "run"
    assert (
        cli.main(
            [
                "train",
                "pix2pix",
                "--data-a",
                str(folders / "a"),
                "--data-b",
                str(folders / "b"),
                "--epochs",
                "1",
                "--max-seconds",
                "0.001",
                "--objective",
                "l1:weight=50",
                "--set",
                "target_channels=1",
                "--run-dir",
                str(run),
                *COMMON,
            ]
        )
        == 0
    )
    model = keras.saving.load_model(run / "model.keras")
    assert [(type(o).__name__, o.weight) for o in model.objectives] == [("L1Reconstruction", 50.0)]
    assert model.target_shape == (SIZE, SIZE, 1)  # the B images were read in one channel for it
    assert json.loads((run / "config.json").read_text())["model_config"]["target_channels"] == 1


def test_generator_commands_refuse_a_translation_run(cyclegan_run, tmp_path, capsys):
    assert cli.main(["sample", "--run-dir", str(cyclegan_run), "--out", str(tmp_path / "s.png")]) == 2
    assert "CycleGAN, which translates images rather than generating them" in capsys.readouterr().err
    assert cli.main(["evaluate", "--run-dir", str(cyclegan_run), "--data", "x", "--metrics", "swd"]) == 2
    assert "kerasgan evaluate takes a GAN run" in capsys.readouterr().err


def test_cyclegan_stopped_and_resumed_keeps_its_schedule_and_matches_the_uninterrupted_run(
    cyclegan_run, folders, tmp_path
):
    run = tmp_path / "run"
    argv = [
        "train",
        "cyclegan",
        "--data-a",
        str(folders / "a"),
        "--data-b",
        str(folders / "b"),
        "--epochs",
        "2",
        "--run-dir",
        str(run),
        *CYCLEGAN,
    ]
    assert cli.main([*argv, "--max-seconds", "0.001"]) == 0  # stops after step 1 of 4
    assert cli.main([*argv, "--resume"]) == 0
    resumed, whole = (keras.saving.load_model(r / "model.keras") for r in (run, cyclegan_run))
    assert int(resumed.g_optimizer.iterations) == 4
    # the schedule spans the run's 4 steps, as in the uninterrupted run, not the paper's 200,000
    for optimizer in (resumed.d_optimizer, resumed.g_optimizer):
        schedule = optimizer.get_config()["learning_rate"]["config"]
        assert schedule == {"initial_learning_rate": 2e-4, "constant_steps": 2, "decay_steps": 2}
    assert float(resumed.g_optimizer.learning_rate) == pytest.approx(0.0)  # decayed to 0 at the last step
    for a, b in zip(whole.weights, resumed.weights):  # image pools and random streams included
        np.testing.assert_allclose(keras.ops.convert_to_numpy(b), keras.ops.convert_to_numpy(a), rtol=1e-5, atol=1e-6)


KILLED_PIX2PIX = textwrap.dedent(
    """
    import json, os, signal, sys
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    import keras, kerasgan
    from kerasgan import cli

    log, kill_at, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

    class Record(keras.callbacks.Callback):
        # This step's losses from the epoch's running means; SIGKILL at step `kill_at`.
        def on_epoch_begin(self, epoch, logs=None):
            self.previous = {}

        def on_train_batch_end(self, batch, logs=None):
            step = int(self.model.g_optimizer.iterations)
            values = {k: (batch + 1) * logs[k] - batch * self.previous.get(k, 0.0) for k in ("d_loss", "g_loss")}
            self.previous = dict(logs)
            with open(log, "a") as f:
                f.write(json.dumps({"step": step, **values}) + "\\n")
            if step == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    fit_with_checkpoints = kerasgan.callbacks.fit_with_checkpoints

    def recorded(*args, callbacks=(), **kwargs):  # the CLI's own callbacks, and Record
        return fit_with_checkpoints(*args, callbacks=[*callbacks, Record()], **kwargs)

    kerasgan.callbacks.fit_with_checkpoints = recorded
    sys.exit(cli.main(argv))
    """
)


def test_pix2pix_killed_mid_epoch_resumes_exactly_like_an_uninterrupted_run(folders, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(KILLED_PIX2PIX)

    def train(run, kill_at, *extra):
        # 8 training pairs (4 held out), batch 2: 4 steps per epoch, 8 in all
        argv = [
            "train",
            "pix2pix",
            "--data",
            str(folders / "sbs"),
            "--image-size",
            "16",
            "--batch-size",
            "2",
            "--set",
            "base_filters=4",
            "--epochs",
            "2",
            "--checkpoint-every",
            "3",
            "--seed",
            "5",
            "--run-dir",
            str(run),
            *extra,
        ]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        return subprocess.run(
            [sys.executable, str(script), str(run) + ".jsonl", str(kill_at), *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )

    whole, killed = tmp_path / "whole", tmp_path / "killed"
    out = train(whole, 0)
    assert out.returncode == 0, out.stderr[-3000:]
    out = train(killed, 7)  # step 7 is batch 3 of epoch 2; the newest checkpoint is step 6
    assert out.returncode == -signal.SIGKILL, out.stderr[-3000:]
    assert sorted(os.listdir(killed / "checkpoints")) == ["step_000000004", "step_000000006"]
    assert not (killed / "model.keras").exists()
    out = train(killed, 0, "--resume")
    assert out.returncode == 0, out.stderr[-3000:]
    assert "continuing from" in out.stdout and "step_000000006" in out.stdout

    def losses(run):
        return [json.loads(line) for line in (tmp_path / (run.name + ".jsonl")).read_text().splitlines()]

    expected = {r["step"]: r for r in losses(whole)}
    resumed = losses(killed)[7:]  # the lines the continued process wrote
    assert [r["step"] for r in resumed] == [7, 8]
    for r in resumed:
        for key in ("d_loss", "g_loss"):
            assert r[key] == pytest.approx(expected[r["step"]][key], rel=1e-5, abs=1e-6), (r["step"], key)
    a, b = (keras.saving.load_model(r / "model.keras") for r in (whole, killed))
    assert int(b.g_optimizer.iterations) == 8
    for x, y in zip(a.weights, b.weights):  # both optimizers, the dropout's random stream included
        np.testing.assert_allclose(keras.ops.convert_to_numpy(y), keras.ops.convert_to_numpy(x), rtol=1e-5, atol=1e-6)


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "source, out, message",
    [
        ("a", "a", "is the input"),
        ("a", "a/translated", "lies inside the input"),
        ("a/face3.png", "a", "is the input"),  # face3.png would be written over itself
        ("a", "a/face3.png", "lies inside the input"),
        ("a", "notes.txt", "is a file; pass a folder"),
    ],
)
def test_translate_never_writes_over_its_inputs(cyclegan_run, folders, tmp_path, capsys, source, out, message):
    import shutil

    shutil.copytree(folders / "a", tmp_path / "a")
    (tmp_path / "notes.txt").write_text("not images")
    before = _snapshot(tmp_path)
    argv = [
        "translate",
        "--run-dir",
        str(cyclegan_run),
        "--input",
        str(tmp_path / source),
        "--out",
        str(tmp_path / out),
    ]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kerasgan: error: --out") and message in err[0]
    assert _snapshot(tmp_path) == before


def test_a_finished_translation_run_is_never_restarted_over_its_model(cyclegan_run, folders, tmp_path, capsys):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(cyclegan_run, run)
    argv = ["train", "cyclegan", "--data-a", str(folders / "a"), "--data-b", str(folders / "b"), *CYCLEGAN]
    before = _snapshot(run)
    assert cli.main([*argv, "--run-dir", str(run), "--resume"]) == 2  # its 2 epochs are done
    assert "has finished its 2 epoch(s); nothing was trained or written" in capsys.readouterr().err
    shutil.rmtree(run / "checkpoints")
    before = _snapshot(run)
    assert cli.main([*argv, "--run-dir", str(run), "--resume", "--epochs", "3"]) == 2
    assert "holds a model.keras but no checkpoints/ to continue from" in capsys.readouterr().err
    assert _snapshot(run) == before
