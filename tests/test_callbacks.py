"""Tests for kerasgan.callbacks: grids, GIFs, the time limit, atomic writes."""

import glob
import logging
import os

import imageio.v3 as iio
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.callbacks import (
    GifBuilder,
    ImageGrid,
    LossCurves,
    StepValues,
    TimeLimit,
    draw_loss_curves,
    run_callbacks,
    save_image_grid,
    tile_images,
)
from kerasgan.callbacks import images as images_module
from kerasgan.callbacks.images import upscale_factor, upscale_nearest
from kerasgan.models import DCGAN

IMAGE_SHAPE = (8, 8, 1)
LATENT_DIM = 4


def make_gan(image_shape=IMAGE_SHAPE, latent_dim=LATENT_DIM):
    gan = DCGAN.for_images(image_shape, latent_dim=latent_dim, base_filters=4)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    return gan


def _data(n, shape=IMAGE_SHAPE, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def _d_steps(gan):
    return int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations))


def _names(directory):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(directory, "epoch_*.png")))


def _leftovers(directory):
    return [n for n in os.listdir(directory) if ".tmp" in n]


def _random_images(n, h, w, c, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, h, w, c)).astype("float32")


# --- tile_images / save_image_grid ------------------------------------------------------


@pytest.mark.parametrize(
    "n, shape, cols, padding, expected",
    [
        (7, (5, 3, 1), 3, 2, (3 * 5 + 4 * 2, 3 * 3 + 4 * 2, 1)),  # rows = ceil(7 / 3) = 3
        (5, (4, 6, 3), None, 1, (2 * 4 + 3 * 1, 3 * 6 + 4 * 1, 3)),  # near-square: 3 cols
        (16, (2, 2, 3), None, 0, (8, 8, 3)),
        (1, (3, 3, 4), None, 3, (9, 9, 4)),
    ],
)
def test_tile_images_pixel_size(n, shape, cols, padding, expected):
    grid = tile_images(np.zeros((n, *shape), "float32"), cols=cols, padding=padding)
    assert grid.shape == expected
    assert grid.dtype == np.uint8


def test_tile_images_value_mapping_clips_and_handles_nan():
    images = np.array([-1.0, 1.0, 0.0, -5.0, 5.0, np.nan], "float32").reshape(6, 1, 1, 1)
    grid = tile_images(images, cols=6, padding=0)
    np.testing.assert_array_equal(grid[0, :, 0], [0, 255, 128, 0, 255, 0])


def test_tile_images_layout_puts_image_k_in_its_cell():
    n, h, w, pad, cols = 5, 3, 4, 2, 2
    # Image k is filled with a distinct value so its cell can be recognised.
    values = np.linspace(-1, 0.5, n).astype("float32")
    images = np.broadcast_to(values[:, None, None, None], (n, h, w, 3)).copy()
    grid = tile_images(images, cols=cols, padding=pad, pad_value=1.0)
    expected_pixels = np.round((values + 1) * 127.5).astype(np.uint8)
    for k in range(n):
        top, left = pad + (k // cols) * (h + pad), pad + (k % cols) * (w + pad)
        cell = grid[top : top + h, left : left + w]
        assert (cell == expected_pixels[k]).all(), k
        # The cell is bordered by padding, not by a neighbouring image.
        assert (grid[top - 1, left : left + w] == 255).all()
        assert (grid[top : top + h, left - 1] == 255).all()
    # The unused sixth cell is padding colour.
    top, left = pad + 2 * (h + pad), pad + 1 * (w + pad)
    assert (grid[top : top + h, left : left + w] == 255).all()


def test_tile_images_grayscale_without_channel_axis():
    grid = tile_images(np.zeros((4, 3, 3), "float32"), padding=1)
    assert grid.shape == (2 * 3 + 3 * 1, 2 * 3 + 3 * 1, 1)


@pytest.mark.parametrize(
    "images, kwargs",
    [
        (np.zeros((4, 3, 3, 2)), {}),
        (np.zeros((3, 3)), {}),
        (np.zeros((0, 3, 3, 1)), {}),
        (np.zeros((4, 3, 3, 1)), {"cols": 0}),
        (np.zeros((4, 3, 3, 1)), {"padding": -1}),
    ],
)
def test_tile_images_rejects_bad_input(images, kwargs):
    with pytest.raises(ValueError, match="tile_images"):
        tile_images(images, **kwargs)


@pytest.mark.parametrize("channels", [1, 3])
def test_save_image_grid_writes_png(tmp_path, channels):
    images = _random_images(6, 5, 4, channels)
    path = tmp_path / "sub" / "grid.png"
    grid = save_image_grid(path, images, cols=3)
    read = iio.imread(path)
    expected_hw = (2 * 5 + 3 * 2, 3 * 4 + 4 * 2)
    assert read.shape == (expected_hw if channels == 1 else (*expected_hw, 3))
    np.testing.assert_array_equal(read.reshape(grid.shape), grid)
    assert _leftovers(path.parent) == []


def test_failing_writer_keeps_previous_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "grid.png"
    save_image_grid(path, _random_images(4, 3, 3, 3))
    before = path.read_bytes()

    def broken_imwrite(uri, image, **kwargs):
        with open(uri, "wb") as f:
            f.write(b"half a png")
        raise OSError("disk full")

    monkeypatch.setattr(images_module.iio, "imwrite", broken_imwrite)
    with pytest.raises(OSError, match="disk full"):
        save_image_grid(path, _random_images(4, 3, 3, 3, seed=1))
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["grid.png"]


# --- ImageGrid ---------------------------------------------------------------------------


def test_image_grid_writes_one_grid_per_epoch(tmp_path):
    gan = make_gan()
    cb = ImageGrid(tmp_path / "img", num_images=6, cols=3)
    gan.fit(_data(16), epochs=2, batch_size=8, callbacks=[cb], verbose=0)
    k = _d_steps(gan) // 4  # discriminator updates per batch
    assert _names(tmp_path / "img") == [
        f"epoch_0001_step_{2 * k:08d}.png",
        f"epoch_0002_step_{4 * k:08d}.png",
    ]
    h, w, _ = IMAGE_SHAPE
    for path in cb.paths:
        assert iio.imread(path).shape == (2 * h + 3 * 2, 3 * w + 4 * 2)
    latents = np.load(tmp_path / "img" / "latents.npy")
    assert latents.shape == (6, LATENT_DIM) and latents.dtype == np.float32
    np.testing.assert_array_equal(latents, np.random.default_rng(0).standard_normal((6, LATENT_DIM)).astype("float32"))
    assert _leftovers(tmp_path / "img") == []


def test_image_grid_rgb_model_with_tf_data(tmp_path):
    gan = make_gan(image_shape=(8, 8, 3))
    dataset = tf.data.Dataset.from_tensor_slices(_data(16, (8, 8, 3))).batch(8)
    cb = ImageGrid(tmp_path, num_images=3, cols=3)
    gan.fit(dataset, epochs=2, callbacks=[cb], verbose=0, shuffle=False)
    assert len(cb.paths) == 2
    assert iio.imread(cb.paths[-1]).shape == (8 + 2 * 2, 3 * 8 + 4 * 2, 3)


def test_image_grid_every_n_batches_names_sort_in_training_order(tmp_path):
    gan = make_gan()
    cb = ImageGrid(tmp_path, num_images=4, every_n_batches=2)
    # 3 batches per epoch: batch grids after global batches 2, 4, 6; epoch grids after 3
    # and 6, where the second coincides with the batch-6 grid and is skipped.
    gan.fit(_data(24), epochs=2, batch_size=8, callbacks=[cb], verbose=0)
    k = _d_steps(gan) // 6
    expected = [
        f"epoch_0001_step_{2 * k:08d}.png",
        f"epoch_0001_step_{3 * k:08d}.png",
        f"epoch_0002_step_{4 * k:08d}.png",
        f"epoch_0002_step_{6 * k:08d}.png",
    ]
    assert [os.path.basename(p) for p in cb.paths] == expected  # written in this order
    assert _names(tmp_path) == expected  # and sorting by name gives the same order


def test_image_grid_every_n_epochs(tmp_path):
    gan = make_gan()
    cb = ImageGrid(tmp_path, num_images=4, every_n_epochs=2)
    gan.fit(_data(8), epochs=3, batch_size=8, callbacks=[cb], verbose=0)
    assert [n[:10] for n in _names(tmp_path)] == ["epoch_0002"]


def test_image_grid_reuses_latents_on_second_fit(tmp_path):
    gan = make_gan()
    directory = tmp_path / "img"
    gan.fit(_data(8), epochs=1, batch_size=8, verbose=0, callbacks=[ImageGrid(directory, 4)])
    first_latents = np.load(directory / "latents.npy")

    # A different seed must not matter: the stored latents win.
    cb = ImageGrid(directory, num_images=4, seed=123)
    gan.fit(_data(8), epochs=1, batch_size=8, verbose=0, callbacks=[cb])
    np.testing.assert_array_equal(np.load(directory / "latents.npy"), first_latents)
    np.testing.assert_array_equal(cb.latents, first_latents)
    assert len(_names(directory)) == 2  # the second run's step keeps counting

    # The grid of the second run is exactly these latents through the final generator.
    expected = tile_images(gan.generate(latents=first_latents))[..., 0]
    np.testing.assert_array_equal(iio.imread(cb.paths[-1]), expected)


def test_image_grid_replaces_latents_of_wrong_shape(tmp_path, caplog):
    np.save(tmp_path / "latents.npy", np.zeros((3, LATENT_DIM + 1), "float32"))
    gan = make_gan()
    cb = ImageGrid(tmp_path, num_images=4, seed=5)
    with caplog.at_level(logging.WARNING):
        gan.fit(_data(8), epochs=1, batch_size=8, verbose=0, callbacks=[cb])
    assert "expected (4, 4)" in caplog.text
    np.testing.assert_array_equal(
        np.load(tmp_path / "latents.npy"),
        np.random.default_rng(5).standard_normal((4, LATENT_DIM)).astype("float32"),
    )


def _read_image_summaries(logdir, tag):
    found = []
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.tag == tag:
                    found.append((event.step, value))
    return found


def test_image_grid_writes_tensorboard_image_summaries(tmp_path):
    gan = make_gan()
    cb = ImageGrid(tmp_path / "img", num_images=6, cols=3, tensorboard_dir=tmp_path / "tb")
    gan.fit(_data(16), epochs=2, batch_size=8, callbacks=[cb], verbose=0)
    k = _d_steps(gan) // 4
    summaries = _read_image_summaries(tmp_path / "tb", "samples")
    assert [step for step, _ in summaries] == [2 * k, 4 * k]
    for (_, value), png_path in zip(summaries, cb.paths):
        assert value.metadata.plugin_data.plugin_name == "images"
        width, height, encoded = tf.make_ndarray(value.tensor)
        h, w, _ = IMAGE_SHAPE
        assert (int(height), int(width)) == (2 * h + 3 * 2, 3 * w + 4 * 2)
        decoded = tf.io.decode_png(encoded).numpy()
        np.testing.assert_array_equal(decoded[..., 0], iio.imread(png_path))


def test_image_grid_rejects_bad_arguments_and_models(tmp_path):
    with pytest.raises(ValueError, match="num_images"):
        ImageGrid(tmp_path, num_images=0)
    with pytest.raises(ValueError, match="every_n_batches"):
        ImageGrid(tmp_path, every_n_batches=0)
    with pytest.raises(ValueError, match="both None"):
        ImageGrid(tmp_path, every_n_epochs=None)
    plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    plain.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match="latent_dim"):
        plain.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0, callbacks=[ImageGrid(tmp_path)])


# --- GifBuilder --------------------------------------------------------------------------


def _write_frames(directory, n, h=6, w=5, channels=3):
    for i in range(n):
        # Distinct frames: the GIF encoder merges consecutive identical ones.
        save_image_grid(directory / f"epoch_{i + 1:04d}_step_{i:08d}.png", _random_images(4, h, w, channels, seed=i))


@pytest.mark.parametrize("channels", [1, 3])
def test_gif_builder_writes_all_frames(tmp_path, channels):
    _write_frames(tmp_path, 3, channels=channels)
    (tmp_path / "latents.npy").write_bytes(b"not a frame")
    gif = tmp_path / "out" / "progress.gif"
    assert GifBuilder(tmp_path, gif, fps=5).build() == 3
    frames = iio.imread(gif, index=None)
    assert frames.shape[:3] == (3, (2 * 6 + 3 * 2) * 16, (2 * 5 + 3 * 2) * 16)  # enlarged: 16 px -> 256
    meta = iio.immeta(gif)
    assert meta["loop"] == 0 and meta["duration"] == 200
    assert _leftovers(gif.parent) == []


def test_gif_builder_orders_frames_by_name(tmp_path):
    # Written out of order; the GIF must follow the names (the training order).
    for i in (2, 0, 1):
        value = -1.0 + i  # -1, 0, 1 -> 0, 128, 255
        save_image_grid(
            tmp_path / f"epoch_{i + 1:04d}_step_{i:08d}.png", np.full((1, 4, 4, 1), value, "float32"), padding=0
        )
    GifBuilder(tmp_path, tmp_path / "p.gif").build()
    frames = iio.imread(tmp_path / "p.gif", index=None)
    assert [int(f[0, 0, 0]) for f in frames] == [0, 128, 255]


def test_gif_builder_mixes_grayscale_and_rgb(tmp_path):
    _write_frames(tmp_path, 1, channels=1)
    save_image_grid(tmp_path / "epoch_0002_step_00000002.png", _random_images(4, 6, 5, 3))
    assert GifBuilder(tmp_path, tmp_path / "p.gif").build() == 2
    assert iio.imread(tmp_path / "p.gif", index=None).shape[0] == 2


def test_gif_builder_mismatched_sizes_raise_and_keep_existing_gif(tmp_path):
    _write_frames(tmp_path, 2)
    gif = tmp_path / "progress.gif"
    GifBuilder(tmp_path, gif).build()
    before = gif.read_bytes()
    save_image_grid(tmp_path / "epoch_0003_step_00000003.png", _random_images(9, 6, 5, 3))
    with pytest.raises(ValueError, match="same size"):
        GifBuilder(tmp_path, gif).build()
    assert gif.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_gif_builder_failing_writer_keeps_existing_gif(tmp_path, monkeypatch):
    _write_frames(tmp_path, 2)
    gif = tmp_path / "progress.gif"
    GifBuilder(tmp_path, gif).build()
    before = gif.read_bytes()

    def broken_imwrite(uri, image, **kwargs):
        with open(uri, "wb") as f:
            f.write(b"GIF89a truncated")
        raise OSError("disk full")

    monkeypatch.setattr(images_module.iio, "imwrite", broken_imwrite)
    with pytest.raises(OSError):
        GifBuilder(tmp_path, gif).build()
    assert gif.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_gif_builder_without_frames_skips(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert GifBuilder(tmp_path, tmp_path / "p.gif").build() == 0
    assert not (tmp_path / "p.gif").exists()
    assert "no files match" in caplog.text


def test_gif_builder_runs_at_train_end_after_image_grid(tmp_path):
    gan = make_gan()
    gif = tmp_path / "progress.gif"
    gan.fit(
        _data(8),
        epochs=3,
        batch_size=8,
        verbose=0,
        callbacks=[
            GifBuilder(tmp_path / "img", gif),  # before ImageGrid on purpose: order must not matter
            ImageGrid(tmp_path / "img", num_images=4),
        ],
    )
    assert len(_names(tmp_path / "img")) == 3
    frames = iio.imread(gif, index=None)
    assert 1 <= frames.shape[0] <= 3  # identical consecutive grids may be merged
    assert frames.shape[1:3] == ((2 * 8 + 3 * 2) * 12, (2 * 8 + 3 * 2) * 12)  # 22 px enlarged x12 to 264


def test_gif_builder_at_train_end_logs_instead_of_raising(tmp_path, caplog):
    _write_frames(tmp_path, 1)
    save_image_grid(tmp_path / "epoch_0002_step_00000002.png", _random_images(9, 6, 5, 3))
    gan = make_gan()
    with caplog.at_level(logging.ERROR):
        gan.fit(_data(8), epochs=1, batch_size=8, verbose=0, callbacks=[GifBuilder(tmp_path, tmp_path / "p.gif")])
    assert "same size" in caplog.text
    assert not (tmp_path / "p.gif").exists()


def test_gif_builder_rejects_bad_fps(tmp_path):
    with pytest.raises(ValueError, match="fps"):
        GifBuilder(tmp_path, tmp_path / "p.gif", fps=0)


# --- TimeLimit ---------------------------------------------------------------------------


def test_time_limit_zero_stops_after_first_batch(tmp_path, capsys):
    gan = make_gan()
    cb = TimeLimit(0)
    gan.fit(_data(32), epochs=3, batch_size=8, verbose=0, callbacks=[cb])
    # Without the limit this would be 3 epochs x 4 batches; measure one batch's updates.
    reference = make_gan()
    reference.fit(_data(8), epochs=1, batch_size=8, verbose=0)
    assert _d_steps(gan) == _d_steps(reference)
    assert cb.stopped_early and cb.stopped_epoch == 0
    out = capsys.readouterr().out
    assert out.count("TimeLimit: stopping") == 1


def test_time_limit_generous_budget_does_not_stop():
    gan = make_gan()
    cb = TimeLimit(3600)
    gan.fit(_data(16), epochs=2, batch_size=8, verbose=0, callbacks=[cb])
    reference = make_gan()
    reference.fit(_data(8), epochs=1, batch_size=8, verbose=0)
    assert _d_steps(gan) == 4 * _d_steps(reference)
    assert not cb.stopped_early and cb.stopped_epoch is None


@pytest.mark.parametrize("bad", [-1, "10", None, True, float("nan")])
def test_time_limit_rejects_bad_budget(bad):
    with pytest.raises(ValueError, match="max_seconds"):
        TimeLimit(bad)


# --- LossCurves --------------------------------------------------------------------------


def test_step_values_recover_each_steps_value_from_the_running_means():
    values = StepValues()
    # steps 1.0, 0.6, 0.8 -> running means 1.0, 0.8, 0.8
    assert values(0, {"d_loss": 1.0, "name": "x"}) == {"d_loss": 1.0}
    assert values(1, {"d_loss": 0.8}) == pytest.approx({"d_loss": 0.6})
    assert values(2, {"d_loss": 0.8}) == pytest.approx({"d_loss": 0.8})
    values.reset()
    assert values(0, {"d_loss": 5.0}) == {"d_loss": 5.0}


def test_loss_curves_plot_every_logged_key_per_step_and_keep_the_csv(tmp_path):
    gan = make_gan()
    curves = LossCurves(tmp_path / "losses.png")
    history = gan.fit(_data(32), epochs=2, batch_size=8, verbose=0, callbacks=[curves])
    keys = sorted(history.history)
    assert sorted(curves.series) == keys and curves.steps == list(range(1, 9))  # 4 batches an epoch, global step
    for key in keys:  # the per-step values average to Keras' own epoch means
        for epoch in range(2):
            assert np.mean(curves.series[key][4 * epoch : 4 * epoch + 4]) == pytest.approx(
                history.history[key][epoch], abs=1e-5
            )
    png = iio.imread(tmp_path / "losses.png")
    assert png.ndim == 3 and min(png.shape[:2]) > 100
    figure = draw_loss_curves(curves.steps, curves.series)
    assert [a.get_ylabel() for a in figure.axes] == list(curves.series)
    for axes, key in zip(figure.axes, curves.series):
        x, y = axes.lines[0].get_data()
        assert list(x) == curves.steps and np.allclose(y, curves.series[key])
    rows = (tmp_path / "losses.csv").read_text().splitlines()
    assert rows[0].split(",") == ["step", *curves.series] and len(rows) == 1 + 8
    # A resumed run continues the curves from the CSV, after the step it resumes from.
    again = LossCurves(tmp_path / "losses.png")
    gan.fit(_data(16), epochs=1, batch_size=8, verbose=0, callbacks=[again])
    assert again.steps == list(range(1, 11))
    assert again.series["d_loss"][:8] == pytest.approx(curves.series["d_loss"])


def test_loss_curves_failing_write_keeps_the_previous_png(tmp_path, monkeypatch, caplog):
    from matplotlib.figure import Figure

    gan = make_gan()
    png = tmp_path / "losses.png"
    gan.fit(_data(8), epochs=1, batch_size=8, verbose=0, callbacks=[LossCurves(png)])
    before = png.read_bytes()

    def broken_savefig(self, fname, **kwargs):
        with open(fname, "wb") as f:
            f.write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    with caplog.at_level(logging.WARNING):
        gan.fit(_data(8), epochs=1, batch_size=8, verbose=0, callbacks=[LossCurves(png)])  # training goes on
    assert png.read_bytes() == before and "disk full" in caplog.text
    assert _leftovers(tmp_path) == []


def test_run_callbacks_draw_the_loss_curves(tmp_path):
    gan = make_gan()
    gan.fit(_data(8), epochs=1, batch_size=8, verbose=0, callbacks=run_callbacks(tmp_path))
    assert iio.imread(tmp_path / "losses.png").ndim == 3 and (tmp_path / "losses.csv").exists()


# --- upscaling small pictures ------------------------------------------------------------------


@pytest.mark.parametrize(
    "size, expected",
    [
        ((32, 32), 8),  # exactly 256
        ((18, 16), 16),  # ceil(256 / 16)
        ((242, 242), 2),  # 64 MNIST digits: 484
        ((256, 300), 1),  # big enough already
        ((32, 1000), 2),  # would be 8, but the longer side stays within 2048
        ((1, 4000), 1),  # never below 1
    ],
)
def test_upscale_factor(size, expected):
    assert upscale_factor(*size) == expected


def test_upscale_nearest_copies_each_pixel_into_a_block():
    picture = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    big = upscale_nearest(picture, 4)
    assert big.shape == (8, 12, 3)
    for y in range(8):
        for x in range(12):
            assert (big[y, x] == picture[y // 4, x // 4]).all()
    stack = upscale_nearest(np.stack([picture, picture[::-1]]), 2, batched=True)
    assert stack.shape == (2, 4, 6, 3) and (stack[1, 3, 5] == picture[0, 2]).all()


def test_gif_builder_enlarges_small_frames_by_nearest_neighbour(tmp_path):
    _write_frames(tmp_path, 2, channels=1)
    GifBuilder(tmp_path, tmp_path / "p.gif").build()
    frames = iio.imread(tmp_path / "p.gif", index=None)
    grid = iio.imread(sorted(tmp_path.glob("epoch_*.png"))[-1])  # 18 x 16 -> x16
    assert frames.shape[1:3] == (18 * 16, 16 * 16)
    assert (frames[-1][..., 0] == np.repeat(np.repeat(grid, 16, axis=0), 16, axis=1)).all()
    GifBuilder(tmp_path, tmp_path / "own.gif", min_side=None).build()
    assert iio.imread(tmp_path / "own.gif", index=None).shape[1:3] == (18, 16)
