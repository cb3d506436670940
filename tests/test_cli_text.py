"""The command line with the text-to-image model (gan_cls): caption folders, the captioned MNIST, --caption."""

import gzip
import json

import imageio.v3 as iio
import keras
import numpy as np
import pytest
from gan_contract import tiny_images

import kerasgan
from kerasgan import cli
from kerasgan.cli import pipelines


@pytest.fixture
def caption_folder(tmp_path):
    """16 small images, captioned in captions.jsonl (two captions for the first 8)."""
    root = tmp_path / "captioned"
    root.mkdir()
    rows = []
    for i, image in enumerate(((tiny_images(16, (8, 8, 3), seed=3) + 1) * 127.5).astype("uint8")):
        iio.imwrite(root / f"{i}.png", image)
        colour = "red" if i % 2 else "blue"
        rows.append({"image": f"{i}.png", "captions": [f"a {colour} square", "a square"][: 2 if i < 8 else 1]})
    (root / "captions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def _idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype("uint8").tobytes())


def _train(data, run_dir, *extra):
    return cli.main(
        [
            "train",
            "gan_cls",
            *(["--data", str(data)] if data else []),
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--latent-dim",
            "4",
            "--set",
            "base_filters=4",
            "--set",
            "text_units=4",
            "--run-dir",
            str(run_dir),
            *extra,
        ]
    )


def test_gan_cls_trains_on_a_caption_folder_and_samples_one_row_per_caption(caption_folder, tmp_path):
    run = tmp_path / "run"
    assert _train(caption_folder, run, "--image-size", "8") == 0
    gan = keras.saving.load_model(run / "model.keras")
    assert int(gan.g_optimizer.iterations) == 24 // 8  # 24 (image, caption) pairs
    vocabulary = gan.text_encoder.get_layer("tokenizer").get_vocabulary()
    assert {"a", "red", "blue", "square"} <= set(vocabulary)
    out = tmp_path / "rows.npy"
    argv = ["sample", "--run-dir", str(run), "--caption", "a red square", "--caption", "a blue square"]
    assert cli.main([*argv, "--num", "3", "--seed", "0", "--out", str(out)]) == 0
    images = np.load(out)
    latents = np.random.default_rng(0).standard_normal((3, 4))
    assert images.shape == (6, 8, 8, 3)
    np.testing.assert_allclose(images[:3], gan.generate(latents=latents, captions="a red square"), atol=1e-6)
    np.testing.assert_allclose(images[3:], gan.generate(latents=latents, captions="a blue square"), atol=1e-6)
    grid = tmp_path / "rows.png"
    assert cli.main([*argv, "--num", "3", "--out", str(grid)]) == 0
    height, width = iio.imread(grid).shape[:2]
    assert height < width  # two rows of three


def test_sample_from_a_text_run_needs_captions(caption_folder, tmp_path, capsys):
    run = tmp_path / "run"
    assert _train(caption_folder, run, "--image-size", "8") == 0
    capsys.readouterr()
    assert cli.main(["sample", "--run-dir", str(run), "--out", str(tmp_path / "x.png")]) == 2
    assert "--caption" in capsys.readouterr().err


def _small_mnist(tmp_path):
    """MNIST IDX files of two digits of each class."""
    images, labels = kerasgan.data.mnist_idx(kerasgan.data.EMBEDDED_MNIST + "/t10k-images-idx3-ubyte.gz")
    folder = tmp_path / "mnist"
    folder.mkdir()
    chosen = np.concatenate([np.flatnonzero(labels == d)[:2] for d in range(10)])  # two of each digit
    _idx(folder / "t10k-images-idx3-ubyte.gz", images[chosen, ..., 0], 2051)
    _idx(folder / "t10k-labels-idx1-ubyte.gz", labels[chosen], 2049)
    return folder


def test_gan_cls_trains_on_captioned_mnist_idx_files(tmp_path):
    folder = _small_mnist(tmp_path)
    run = tmp_path / "run"
    assert _train(folder, run) == 0
    pairs = sum(map(len, kerasgan.data.captioned_mnist(folder)[1]))
    gan = keras.saving.load_model(run / "model.keras")
    assert gan.image_shape == (28, 28, 1) and int(gan.g_optimizer.iterations) == pairs // 8
    assert gan.caption_rows()[7] == "a seven"  # the grid's rows: "a zero" ... "a nine"
    assert _train(folder, tmp_path / "run2", "--image-size", "32") == 2


def test_the_default_data_of_gan_cls_is_the_captioned_mnist():
    flags = {"data": pipelines.CaptionedImages.default_data, "image_size": None, "channels": None, "seed": 0}
    pipeline = pipelines.CaptionedImages("gan_cls", kerasgan.models.GANCLS, flags, {}, 64)
    images, text = pipeline.first.element_spec
    assert tuple(images.shape) == (64, 28, 28, 1) and text.dtype.name == "string"
    assert pipeline.steps_per_epoch() == len(pipeline.first.captions) // 64 > 10_000 // 64
    arguments = pipeline.model_arguments()
    assert set(kerasgan.data.caption_words()) - {"an"} <= set(
        arguments["text_encoder"].get_layer("tokenizer").get_vocabulary()
    )


def _train_stackgan(data, run_dir, *extra):
    tiny = ("base_filters=4", "text_units=4", "conditioning_augmentation=3", "n_blocks=1")
    return cli.main(
        ["train", "stackgan", "--data", str(data), "--epochs", "1", "--batch-size", "8", "--latent-dim", "4"]
        + [arg for setting in tiny for arg in ("--set", setting)]
        + ["--run-dir", str(run_dir), *extra]
    )


def test_stackgan_trains_stage1_then_stage2_from_its_run_and_samples_captions(tmp_path, capsys):
    folder = _small_mnist(tmp_path)
    stage1_run, stage2_run = tmp_path / "stage1", tmp_path / "stage2"
    assert _train_stackgan(folder, stage1_run, "--stage", "1") == 0
    stage1 = keras.saving.load_model(stage1_run / "model.keras")
    assert stage1.stage == 1 and stage1.image_shape == (14, 14, 1)  # half the captioned MNIST's side
    assert _train_stackgan(folder, stage2_run, "--stage", "2", "--stage1-run", str(stage1_run)) == 0
    stage2 = keras.saving.load_model(stage2_run / "model.keras")
    assert stage2.stage == 2 and stage2.image_shape == (28, 28, 1)
    assert int(stage2.g_optimizer.iterations) == sum(map(len, kerasgan.data.captioned_mnist(folder)[1])) // 8
    for a, b in zip(stage1.generator.get_weights(), stage2.stage1_generator.get_weights()):
        np.testing.assert_array_equal(a, b)  # stage I came in frozen
    out = tmp_path / "rows.npy"
    argv = ["sample", "--run-dir", str(stage2_run), "--caption", "a seven", "--caption", "a one", "--num", "2"]
    assert cli.main([*argv, "--seed", "0", "--out", str(out)]) == 0
    latents = np.random.default_rng(0).standard_normal((2, 4))
    images = np.load(out)
    assert images.shape == (4, 28, 28, 1)
    np.testing.assert_allclose(images[2:], stage2.generate(latents=latents, captions="a one"), atol=1e-6)
    capsys.readouterr()
    assert _train_stackgan(folder, tmp_path / "no_stage1", "--stage", "2") == 2
    assert "--stage1-run DIR" in capsys.readouterr().err
    assert _train_stackgan(folder, tmp_path / "from_stage2", "--stage", "2", "--stage1-run", str(stage2_run)) == 2
    assert "got a StackGAN(stage=2)" in capsys.readouterr().err
    assert _train(folder, tmp_path / "gan_cls", "--stage", "2") == 2
    assert "--stage does not apply to gan_cls" in capsys.readouterr().err
