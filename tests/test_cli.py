"""The command line, run in-process through kerasgan.cli.main."""

import json

import imageio.v3 as iio
import keras
import numpy as np
import pytest
from gan_contract import tiny_images

from kerasgan import cli


@pytest.fixture
def npz_data(tmp_path):
    path = tmp_path / "tiny.npz"
    images = ((tiny_images(64, (8, 8, 1)) + 1) * 127.5).astype("uint8")
    np.savez(path, x_train=images)
    return path


def _train(npz_data, run_dir, *extra):
    return cli.main(
        [
            "train",
            "dcgan",
            "--data",
            str(npz_data),
            "--epochs",
            "2",
            "--batch-size",
            "16",
            "--latent-dim",
            "8",
            "--run-dir",
            str(run_dir),
            "--seed",
            "3",
            *extra,
        ]
    )


def _train_small(model, npz_data, run_dir, *extra):
    """One epoch of `model` on the tiny data at minibatch 4."""
    argv = ["train", model, "--data", str(npz_data), "--epochs", "1", "--batch-size", "4", "--latent-dim", "8"]
    return cli.main([*argv, *extra, "--run-dir", str(run_dir)])


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
    assert (
        cli.main(["sample", "--run-dir", str(run), "--num", "5", "--out", str(tmp_path / "s.npy"), "--seed", "1"]) == 0
    )
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
    assert _train_small("wgan_gp", npz_data, run) == 0
    gan = keras.saving.load_model(run / "model.keras")
    assert type(gan).__name__ == "WGANGP" and gan.d_steps == 5
    assert [(type(p).__name__, p.weight) for p in gan.regularizers] == [("GradientPenalty", 10.0)]
    assert type(gan.d_optimizer).__name__ == "Adam" and float(gan.d_optimizer.beta_2) == pytest.approx(0.9)
    # 64 images, minibatch 4, 5 critic minibatches per step: 3 steps of 20 images
    assert int(gan.g_optimizer.iterations) == 3 and int(gan.d_optimizer.iterations) == 15


def test_learning_rate_flags_change_the_variants_own_optimizer(npz_data, tmp_path, capsys):
    run = tmp_path / "run"
    assert _train_small("wgan", npz_data, run, "--d-lr", "1e-3") == 0
    gan = keras.saving.load_model(run / "model.keras")
    assert type(gan.d_optimizer).__name__ == "RMSprop"
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(5e-5)
    assert (
        cli.main(
            [
                "train",
                "wgan",
                "--data",
                str(npz_data),
                "--batch-size",
                "4",
                "--beta1",
                "0.5",
                "--run-dir",
                str(tmp_path / "r2"),
            ]
        )
        == 2
    )
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
    argv = [
        "evaluate",
        "--run-dir",
        str(saved_run),
        "--data",
        str(npz_data),
        "--metrics",
        "fid,kid,swd,pr",
        "--extractor",
        extractor,
        "--num",
        "32",
        "--batch-size",
        "16",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    assert cli.main(argv) == 0
    result = json.loads((saved_run / "evaluation.json").read_text())
    for key in ("fid", "kid", "kid_std", "swd", "precision", "recall"):
        assert isinstance(result[key], float) and np.isfinite(result[key])
    assert result["fid"] > 0 and 0 <= result["precision"] <= 1
    settings = result["settings"]
    assert (
        settings["num_samples"] == 32
        and settings["real_images"] == 32
        and settings["metrics"] == ["fid", "kid", "swd", "pr"]
    )
    assert settings["extractor"]["input_size"] == [16, 16] and settings["extractor"]["input_range"] == [-1.0, 1.0]
    out = capsys.readouterr().out
    assert "fid" in out and f"{result['fid']:.6g}" in out
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1
    assert cli.main(argv) == 0  # second run: the same scores from the cached real statistics
    again = json.loads((saved_run / "evaluation.json").read_text())
    assert again["fid"] == pytest.approx(result["fid"], rel=1e-9)


def test_evaluate_inception_score_with_a_softmax_extractor(saved_run, npz_data, tmp_path, capsys):
    classifier = _feature_model(tmp_path / "classifier.keras", softmax=True)
    assert (
        cli.main(
            [
                "evaluate",
                "--run-dir",
                str(saved_run),
                "--data",
                str(npz_data),
                "--metrics",
                "is",
                "--extractor",
                classifier,
                "--num",
                "20",
                "--batch-size",
                "10",
                "--cache-dir",
                str(tmp_path),
            ]
        )
        == 0
    )
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
    argv = [
        "evaluate",
        "--run-dir",
        str(saved_run),
        "--data",
        str(npz_data),
        "--num",
        "16",
        "--batch-size",
        "8",
        "--cache-dir",
        str(tmp_path / "cache"),
        *extra,
    ]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("kerasgan: error:") and message in err[-1]


def test_evaluate_rejects_an_extractor_that_cannot_take_the_images(tmp_path, capsys):
    data = tmp_path / "rgb.npz"
    np.savez(data, x_train=((tiny_images(32, (8, 8, 3)) + 1) * 127.5).astype("uint8"))
    run = tmp_path / "rgb-run"
    assert _train(data, run, "--epochs", "1") == 0
    gray_only = _feature_model(tmp_path / "gray.keras", image_shape=(8, 8, 1))
    assert (
        cli.main(
            [
                "evaluate",
                "--run-dir",
                str(run),
                "--data",
                str(data),
                "--num",
                "16",
                "--batch-size",
                "8",
                "--extractor",
                gray_only,
                "--cache-dir",
                str(tmp_path / "cache"),
            ]
        )
        == 2
    )
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
    assert iio.imread(tmp_path / "strip.png").shape[:2] == ((3 * 8 + 4 * 2) * 8, (5 * 8 + 6 * 2) * 8)  # 32 px -> 256
    assert cli.main([*base, "--num", "3", "--out", str(tmp_path / "walk.gif")]) == 0
    assert len(iio.imread(tmp_path / "walk.gif", index=None)) == 3 * 4  # a loop through 3 keypoints
    assert cli.main([*base, "--out", str(tmp_path / "walk.jpg")]) == 2


# ---------------------------------------------------------------------- the model table and --help
def test_the_tf_free_model_table_agrees_with_the_package():
    import kerasgan_cli
    from kerasgan import models

    assert list(kerasgan_cli.MODELS) == list(models.MODELS)
    for name, entry in kerasgan_cli.MODELS.items():
        cls = models.MODELS[name]
        assert kerasgan_cli.model_class(name) is cls, name
        assert entry.data_kind == cls.data_kind, name
        assert entry.summary == cls.__doc__.strip().splitlines()[0], name
        assert entry.data_kind in kerasgan_cli.DATA_KINDS, name
    from kerasgan.cli import pipelines

    assert set(kerasgan_cli.DATA_KINDS) == set(pipelines.PIPELINES)


def test_help_lists_every_model_without_importing_tensorflow():
    import subprocess
    import sys

    import kerasgan_cli

    script = (
        "import sys, kerasgan_cli\n"
        "for argv in (['--help'], ['train', '--help']):\n"
        "    try:\n"
        "        kerasgan_cli.main(argv)\n"
        "    except SystemExit as exit:\n"
        "        assert exit.code == 0, exit.code\n"
        "    print('=====')\n"
        "print('imported:', sorted(m for m in ('tensorflow', 'keras', 'kerasgan') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(__import__("pathlib").Path(kerasgan_cli.__file__).parent),
    )
    assert out.returncode == 0, out.stderr
    main_help, train_help, tail = out.stdout.split("=====\n")
    assert tail.strip() == "imported: []"
    for text in (main_help, train_help):
        for name, entry in kerasgan_cli.MODELS.items():
            assert f"  {name} " in text and entry.summary in " ".join(text.split()), name
    assert "--set KEY=VALUE" in train_help and "--regularizer" in train_help and "--diagnostics" in train_help


# ---------------------------------------------------------------------- constructor arguments and parts
def test_set_reaches_the_constructor_and_the_saved_config(npz_data, tmp_path):
    run = tmp_path / "run"
    # at 32×32 DCGAN's own default is 64 filters
    assert _train(npz_data, run, "--epochs", "1", "--image-size", "32", "--set", "base_filters=32") == 0
    gan = keras.saving.load_model(run / "model.keras")
    assert gan.base_filters == 32 and gan.image_shape == (32, 32, 1)
    widths = [layer.filters for layer in gan.discriminator.layers if isinstance(layer, keras.layers.Conv2D)]
    assert widths[0] == 32 and max(widths) == 32 * 2 ** (len(widths) - 1)
    generator_widths = [
        layer.filters for layer in gan.generator.layers if isinstance(layer, keras.layers.Conv2DTranspose)
    ]
    assert generator_widths[-2] == 32  # the last stage before the image
    config = json.loads((run / "config.json").read_text())
    assert config["model_config"]["base_filters"] == 32 and config["set"] == ["base_filters=32"]


def test_part_flags_build_the_parts_in_order(npz_data, tmp_path):
    run = tmp_path / "run"
    assert (
        _train(
            npz_data,
            run,
            "--epochs",
            "1",
            "--set",
            "d_steps=2",
            "--set",
            "base_filters=4",
            "--loss",
            "least_squares",
            "--target",
            "label_smoothing:alpha=0.2",
            "--regularizer",
            "r1:gamma=5,interval=2",
            "--regularizer",
            "dragan",
            "--augment",
            "instance_noise:sigma=0.05,steps=100",
            "--augment",
            "diffaugment:policy=color,translation",
            "--ema",
            "0.9",
        )
        == 0
    )
    gan = keras.saving.load_model(run / "model.keras")
    assert gan.d_steps == 2 and gan.loss.alias == "least_squares"
    assert [(p.alias, p.alpha) for p in gan.targets] == [("label_smoothing", 0.2)]
    assert [p.alias for p in gan.regularizers] == ["r1", "dragan"]
    assert (gan.regularizers[0].gamma, gan.regularizers[0].interval) == (5.0, 2)
    assert [p.alias for p in gan.augment] == ["instance_noise", "diffaugment"]
    assert gan.augment[0].steps == 100 and gan.augment[1].policy == "color,translation"
    assert gan.ema.decay == 0.9
    # 64 images, minibatch 16, 2 discriminator minibatches per step: 2 steps
    assert int(gan.g_optimizer.iterations) == 2 and int(gan.d_optimizer.iterations) == 4
    logged = json.loads((run / "config.json").read_text())
    assert logged["augment"] == ["instance_noise:sigma=0.05,steps=100", "diffaugment:policy=color,translation"]


def test_none_drops_a_presets_default_parts(npz_data, tmp_path):
    run = tmp_path / "run"
    assert _train_small("wgan", npz_data, run, "--set", "base_filters=4", "--constraint", "none") == 0
    assert keras.saving.load_model(run / "model.keras").constraints == []


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--set", "foo=1"], "dcgan (DCGAN) has no argument 'foo'; --set takes: base_filters, d_steps"),
        (["--set", "d_steps=two"], "--set d_steps takes an int (default 1); got 'two'"),
        (["--set", "base_filters"], "write KEY=VALUE"),
        (["--set", "latent_dim=4"], "--set latent_dim: set it with --latent-dim"),
        (["--set", "loss=hinge"], "--set loss: set it with --loss"),
        (["--set", "regularizers=[]"], "set it with --regularizer"),
        (["--set", "image_shape=[8,8,1]"], "set it with --image-size and --channels"),
        (["--set", "generator=none"], "takes a network"),
        (["--set", "d_steps=2", "--set", "d_steps=3"], "--set d_steps is given twice"),
        (
            ["--loss", "nope"],
            "--loss nope: Unknown loss 'nope'; choose one of: began, ebgan, feature_matching, fgan, hinge,",
        ),
        (["--loss", "r1"], "('r1' is a regularizer)"),
        (["--regularizer", "r1:gama=1"], "r1 has no option 'gama'; its options are: gamma, interval, seed"),
        (["--regularizer", "r1:10"], "expected KEY=VALUE after 'r1:'"),
        (["--regularizer", "r1:gamma=-1"], "--regularizer r1:gamma=-1: R1"),
        (["--regularizer", "r1", "--regularizer", "r1"], "'r1' is given twice"),
        (["--regularizer", "none", "--regularizer", "r1"], "--regularizer none stands alone"),
        (["--augment", "diffaugment:policy=colour"], "--augment diffaugment:policy=colour:"),
        (["--ema", "2"], "--ema 2: GeneratorEMA: decay must be in (0, 1)"),
        (["--ema", "fast"], "--ema takes a positive number"),
        (["--data-a", "x"], "--data-a does not apply to dcgan"),
        (["--epochs", "0"], "--epochs takes a positive integer"),
        (["--channels", "2"], "--channels takes 1 (grayscale) or 3 (RGB)"),
    ],
)
def test_bad_model_flags_are_one_line_errors_naming_the_choices(npz_data, tmp_path, extra, message, capsys):
    assert _train(npz_data, tmp_path / "run", *extra) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kerasgan: error:") and message in err[0], err
    assert not (tmp_path / "run" / "model.keras").exists()


def test_a_part_the_models_loss_ignores_is_an_error(npz_data, tmp_path, capsys):
    assert (
        cli.main(
            [
                "train",
                "wgan",
                "--data",
                str(npz_data),
                "--batch-size",
                "4",
                "--target",
                "label_smoothing",
                "--set",
                "base_filters=4",
                "--run-dir",
                str(tmp_path / "run"),
            ]
        )
        == 2
    )
    assert "the wasserstein loss reads no targets" in capsys.readouterr().err


def test_diagnostics_watches_the_run_and_writes_its_signals_to_tensorboard(npz_data, tmp_path):
    import tensorflow as tf

    run = tmp_path / "run"
    assert _train(npz_data, run, "--epochs", "1", "--set", "base_filters=4", "--diagnostics", "2") == 0
    steps = {}
    for events in (run / "tb").glob("events.out.tfevents.*"):  # Diagnostics writes beside Keras' train/
        for event in tf.compat.v1.train.summary_iterator(str(events)):
            for value in event.summary.value:
                steps.setdefault(value.tag, []).append(event.step)
    assert sorted(steps["diagnostics/d_grad_norm"]) == [2, 4] and "diagnostics/diversity_ratio" in steps


def test_max_seconds_then_resume_matches_an_uninterrupted_run(npz_data, tmp_path):
    whole, stopped = tmp_path / "whole", tmp_path / "stopped"
    flags = ["--set", "base_filters=4", "--checkpoint-every", "100"]
    assert _train(npz_data, whole, *flags) == 0
    assert _train(npz_data, stopped, *flags, "--max-seconds", "0.001") == 0  # stops after step 1 of 8
    state = json.loads(next((stopped / "checkpoints").glob("step_*/state.json")).read_text())
    assert {k: state[k] for k in ("step", "epoch", "batch")} == {"step": 1, "epoch": 0, "batch": 1}
    assert _train(npz_data, stopped, *flags, "--resume") == 0
    a, b = (keras.saving.load_model(r / "model.keras") for r in (whole, stopped))
    assert int(b.g_optimizer.iterations) == 8
    for x, y in zip(a.weights, b.weights):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(y), keras.ops.convert_to_numpy(x), rtol=1e-5, atol=1e-6)


def test_resume_refuses_flags_that_would_build_another_model(npz_data, tmp_path, capsys):
    run = tmp_path / "run"
    assert _train(npz_data, run, "--epochs", "1", "--set", "base_filters=4") == 0
    assert _train(npz_data, run, "--epochs", "2", "--set", "base_filters=8", "--resume") == 2
    err = capsys.readouterr().err
    assert "these differ: --set ['base_filters=4'] → ['base_filters=8']" in err
    assert int(keras.saving.load_model(run / "model.keras").g_optimizer.iterations) == 4


def test_precision_builds_the_networks_under_its_policy_and_resume_keeps_it(npz_data, tmp_path, capsys):
    run = tmp_path / "run"
    assert _train(npz_data, run, "--epochs", "1", "--set", "base_filters=4", "--precision", "bf16") == 0
    assert keras.config.dtype_policy().name == "float32"  # the process's own policy is left as it was
    gan = keras.saving.load_model(run / "model.keras")
    conv = next(layer for layer in gan.generator.layers if isinstance(layer, keras.layers.Conv2DTranspose))
    assert conv.dtype_policy.name == "mixed_bfloat16" and conv.compute_dtype == "bfloat16"
    assert conv.kernel.dtype == "float32"  # the weights stay float32
    assert gan.discriminator.get_layer("logit").compute_dtype == "float32"
    assert json.loads((run / "config.json").read_text())["precision"] == "bf16"
    assert _train(npz_data, run, "--epochs", "2", "--set", "base_filters=4", "--resume") == 2
    assert "these differ: --precision 'bf16' → 'fp32'" in capsys.readouterr().err


def test_an_unknown_precision_is_a_one_line_error_naming_the_choices(npz_data, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _train(npz_data, tmp_path / "run", "--precision", "float8")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--precision: invalid choice: 'float8'" in err and all(p in err for p in ("fp32", "bf16", "fp16"))


@pytest.mark.parametrize(
    "precision, shape, gpus, cpu_flags, expected",
    [
        ("fp16", (28, 28, 1), [], set(), "no float16 kernels"),
        ("fp32", (64, 64, 3), [], {"avx2", "amx_bf16"}, "--precision bf16"),
        ("fp32", (128, 128, 3), [], {"avx512_bf16"}, "--precision bf16"),
        ("fp32", (28, 28, 1), [], {"amx_bf16"}, None),  # below the size where bf16 measured faster
        ("fp32", (64, 64, 3), [], {"avx2", "avx512f"}, None),  # no native bfloat16
        ("bf16", (64, 64, 3), [], {"amx_bf16"}, None),  # already on
        ("fp16", (64, 64, 3), ["GPU:0"], {"amx_bf16"}, None),  # a GPU: no CPU hint
        ("fp32", (2,), [], {"amx_bf16"}, None),  # points, not images
    ],
)
def test_the_cpu_hint_names_a_faster_setting_only_where_one_was_measured(precision, shape, gpus, cpu_flags, expected):
    from kerasgan.cli import commands

    hint = commands.cpu_hint(precision, shape, gpus=gpus, cpu_flags=cpu_flags)
    if expected is None:
        assert hint is None
    else:
        assert expected in hint and "\n" not in hint


def test_sample_flags_that_do_not_apply_are_errors(saved_run, tmp_path, capsys):
    assert cli.main(["sample", "--run-dir", str(saved_run), "--steps", "4", "--out", str(tmp_path / "s.png")]) == 2
    assert "--steps applies to --interpolate" in capsys.readouterr().err


def test_a_keyboard_interrupt_raised_in_training_saves_the_model_and_exits_130(npz_data, tmp_path, monkeypatch, capsys):
    import kerasgan

    class CtrlC(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if int(self.model.g_optimizer.iterations) == 3:
                raise KeyboardInterrupt

    fit = kerasgan.callbacks.fit_with_checkpoints
    monkeypatch.setattr(
        kerasgan.callbacks,
        "fit_with_checkpoints",
        lambda *args, callbacks=(), **kwargs: fit(*args, callbacks=[*callbacks, CtrlC()], **kwargs),
    )
    assert _train(npz_data, tmp_path / "run", "--set", "base_filters=4") == 130
    captured = capsys.readouterr()
    assert "interrupted; saving the model as it is now" in captured.err
    assert "progress.gif" not in captured.out  # the completion line lists only what was written
    assert int(keras.saving.load_model(tmp_path / "run" / "model.keras").g_optimizer.iterations) == 3


def test_train_stylegan2_with_ada_then_sample_truncated_and_a_style_mixing_grid(npz_data, tmp_path, capsys):
    run = tmp_path / "run"
    small = ["--set", "base_filters=2", "--set", "max_filters=4", "--set", "mapping_layers=2"]
    assert _train_small("stylegan2", npz_data, run, "--augment", "ada", *small) == 0
    gan = keras.saving.load_model(run / "model.keras")
    assert type(gan).__name__ == "StyleGAN2" and type(gan.augment[0]).__name__ == "ADA" and gan.num_ws == 4
    out = tmp_path / "t.npy"
    argv = ["sample", "--run-dir", str(run), "--num", "6", "--seed", "2"]
    assert cli.main([*argv, "--truncation", "0", "--out", str(out)]) == 0
    truncated = np.load(out)
    assert truncated.shape == (6, 8, 8, 1) and np.allclose(truncated, truncated[:1], atol=1e-6)  # ψ = 0: all w̄
    assert cli.main(["sample", "--run-dir", str(run), "--num", "3", "--style-mix", "--out", str(out)]) == 0
    grid = np.load(out)
    assert grid.shape == (16, 8, 8, 1)  # (3 + 1)², a blank corner
    rows, columns = grid[4::4], grid[1:4]
    cells = [(i, j, grid[4 * (i + 1) + 1 + j]) for i in range(3) for j in range(3)]
    # each cell mixes its row's coarse and its column's fine styles, so differs from both sources
    assert not any(np.allclose(cell, rows[i]) or np.allclose(cell, columns[j]) for i, j, cell in cells)
    assert cli.main([*argv, "--style-mix", "9", "--out", str(out)]) == 2
    assert "the crossover must be in [0, 4]" in capsys.readouterr().err
    # a looping walk in w through 3 keypoints of 4 frames each; truncated to ψ = 0 it stays on the w̄ image
    walk = ["sample", "--run-dir", str(run), "--num", "3", "--interpolate", "w", "--steps", "4"]
    assert cli.main([*walk, "--truncation", "0", "--out", str(out)]) == 0
    frames = np.load(out)
    assert frames.shape == (3, 4, 8, 8, 1) and np.allclose(frames, frames[0, 0], atol=1e-6)
    assert cli.main([*walk, "--out", str(tmp_path / "walk.gif")]) == 0
    assert "9-frame w walk through 3 latents" in capsys.readouterr().out
    assert cli.main([*walk[:-4], "--interpolate", "slerp", "--truncation", "0.5", "--out", str(out)]) == 2
    assert "--truncation combines with --interpolate w only" in capsys.readouterr().err


def test_style_flags_refuse_a_model_without_styles(saved_run, tmp_path, capsys):
    assert (
        cli.main(["sample", "--run-dir", str(saved_run), "--truncation", "0.7", "--out", str(tmp_path / "s.png")]) == 2
    )
    assert "--truncation applies to style-based models (stylegan, stylegan2)" in capsys.readouterr().err
    assert (
        cli.main(["sample", "--run-dir", str(saved_run), "--interpolate", "w", "--out", str(tmp_path / "w.gif")]) == 2
    )
    assert "A walk in w needs a style-based model" in capsys.readouterr().err
