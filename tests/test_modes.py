"""2-D mixtures, mode-coverage metrics, PacGAN packing and the unrolled GAN (checked against references)."""

import math

import numpy as np
import pytest
import tensorflow as tf
from keras import ops

import kerasgan
from kerasgan.models import GAN
from kerasgan.parts import PacGAN


# ------------------------------------------------------------------ data
def test_ring_has_eight_distinct_modes_on_the_circle():
    ring = kerasgan.data.ring(modes=8, radius=2.0, sigma=0.02)
    centers = ring.centers
    assert centers.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0, rtol=1e-6)
    gaps = np.linalg.norm(centers[:, None] - centers[None], axis=-1)[~np.eye(8, dtype=bool)]
    # neighbours on a circle of radius 2 with 8 modes are 2·2·sin(π/8) apart: none coincide
    np.testing.assert_allclose(gaps.min(), 4 * math.sin(math.pi / 8), rtol=1e-5)


def test_grid_is_five_by_five_spaced_two_apart():
    grid = kerasgan.data.grid()
    assert grid.centers.shape == (25, 2) and grid.sigma == 0.05
    assert sorted(set(grid.centers[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert len({tuple(c) for c in grid.centers.tolist()}) == 25


def test_samples_lie_around_their_modes_with_sigma():
    ring = kerasgan.data.ring(sigma=0.02)
    points = ring.sample(8000, seed=0)
    nearest, distance = kerasgan.metrics.nearest_modes(points, ring.centers)
    residual = points - ring.centers[nearest]
    np.testing.assert_allclose(residual.std(axis=0), 0.02, rtol=0.05)
    counts = np.bincount(nearest, minlength=8)
    assert counts.min() > 800  # every mode drawn about 1000 times
    np.testing.assert_array_equal(points, ring.sample(8000, seed=0))


def test_from_points_serves_float_batches_and_refuses_bad_arrays():
    batches = list(kerasgan.data.from_points(np.arange(20, dtype="int64").reshape(10, 2), 4, shuffle=False))
    assert len(batches) == 2 and batches[0].dtype == tf.float32
    np.testing.assert_array_equal(batches[0].numpy(), [[0, 1], [2, 3], [4, 5], [6, 7]])
    with pytest.raises(ValueError, match=r"\(N, dim\)"):
        kerasgan.data.from_points(np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match="NaN"):
        kerasgan.data.from_points(np.full((4, 2), np.nan), 2)
    with pytest.raises(ValueError, match="no full batch"):
        kerasgan.data.from_points(np.zeros((4, 2)), 8)


# ------------------------------------------------------------------ metrics
RING = kerasgan.data.ring(sigma=0.02)


def test_all_modes_covered_by_points_on_the_modes():
    points = np.repeat(RING.centers, 10, axis=0)
    scores = kerasgan.metrics.mode_coverage(points, mixture=RING)
    assert scores == {"modes": 8, "modes_captured": 8, "high_quality": 1.0, "reverse_kl": 0.0}


def test_one_mode_gives_one_capture_and_reverse_kl_log_modes():
    points = RING.centers[[3] * 50] + 0.01  # within 3σ = 0.06 (distance 0.014)
    scores = kerasgan.metrics.mode_coverage(points, RING.centers, RING.sigma)
    assert scores["modes_captured"] == 1 and scores["high_quality"] == 1.0
    assert scores["reverse_kl"] == pytest.approx(math.log(8))


def test_points_off_the_modes_are_not_high_quality():
    # half the points 2.5σ from mode 0 (high quality), half 3.5σ from mode 1 (not), some at the origin
    direction = np.array([1.0, 0.0])
    near = RING.centers[0] + 2.5 * 0.02 * direction
    far = RING.centers[1] + 3.5 * 0.02 * direction
    points = np.array([near] * 10 + [far] * 6 + [[0.0, 0.0]] * 4)
    scores = kerasgan.metrics.mode_coverage(points, mixture=RING)
    assert scores["modes_captured"] == 1 and scores["high_quality"] == pytest.approx(0.5)
    np.testing.assert_array_equal(kerasgan.metrics.mode_histogram(points, RING.centers, 0.02), [10] + [0] * 7)
    none = kerasgan.metrics.mode_coverage(np.zeros((5, 2)), mixture=RING)
    assert none["modes_captured"] == 0 and none["high_quality"] == 0.0 and none["reverse_kl"] == math.inf


def test_reverse_kl_of_an_uneven_histogram_matches_a_hand_computation():
    points = np.concatenate([np.repeat(RING.centers[:1], 3, 0), np.repeat(RING.centers[1:2], 1, 0)])
    p = np.array([0.75, 0.25])
    expected = float(np.sum(p * np.log(p / (1 / 8))))
    assert kerasgan.metrics.mode_coverage(points, mixture=RING)["reverse_kl"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="same d"):
        kerasgan.metrics.mode_coverage(np.zeros((3, 3)), mixture=RING)


# ------------------------------------------------------------------ PacGAN
def test_pacgan_packs_consecutive_points_along_the_coordinates():
    points = np.arange(12, dtype="float32").reshape(6, 2)
    packed = ops.convert_to_numpy(PacGAN(3).augment(None, ops.convert_to_tensor(points)))
    # pack i = samples 3i, 3i+1, 3i+2 side by side
    np.testing.assert_array_equal(packed, [points[0:3].ravel(), points[3:6].ravel()])
    assert PacGAN(3).seen_shape((2,)) == (6,)


def test_pacgan_packs_images_along_the_channels():
    images = np.random.default_rng(0).normal(size=(4, 3, 3, 2)).astype("float32")
    packed = ops.convert_to_numpy(PacGAN(2).augment(None, ops.convert_to_tensor(images)))
    assert packed.shape == (2, 3, 3, 4)
    np.testing.assert_array_equal(packed[1], np.concatenate([images[2], images[3]], axis=-1))
    with pytest.raises(ValueError, match="multiple of 2"):
        PacGAN(2).augment(None, ops.convert_to_tensor(images[:3]))
    with pytest.raises(ValueError, match="at least 2"):
        PacGAN(1)


def test_pacgan_builds_the_default_discriminator_for_packed_inputs():
    gan = GAN.for_points(2, latent_dim=4, augment=PacGAN(4))
    assert gan.discriminator.input_shape == (None, 8)
    dcgan = kerasgan.models.DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, augment=PacGAN(2))
    assert dcgan.discriminator.input_shape == (None, 8, 8, 2)
    with pytest.raises(ValueError, match=r"build the discriminator for \(4,\)"):
        GAN.for_points(2, latent_dim=4, discriminator=kerasgan.networks.point_discriminator(2), augment=PacGAN(2))


# ------------------------------------------------------------------ point GANs
def test_point_networks_are_initialized_as_metz_et_al_appendix_a():
    """Orthogonal weights of gain 0.8 (W^T W = 0.64 I for a square kernel), and D sees its input divided by 4."""
    g = kerasgan.networks.point_generator(latent_dim=256)
    d = kerasgan.networks.point_discriminator(2)
    for network in (g, d):
        square = next(w.numpy() for w in network.weights if w.shape == (128, 128))
        np.testing.assert_allclose(square.T @ square, 0.64 * np.eye(128), atol=1e-5)
    unscaled = kerasgan.networks.point_discriminator(2, input_scale=1.0)
    unscaled.set_weights(d.get_weights())
    x = np.random.default_rng(0).normal(0, 2, (16, 2)).astype("float32")
    np.testing.assert_allclose(d.predict(x, verbose=0), unscaled.predict(x / 4, verbose=0), rtol=1e-5, atol=1e-6)
    glorot = kerasgan.networks.point_discriminator(2, orthogonal_gain=None)
    square = next(w.numpy() for w in glorot.weights if w.shape == (128, 128))
    assert not np.allclose(square.T @ square, 0.64 * np.eye(128), atol=1e-2)


def test_point_gan_refuses_points_of_the_wrong_dimension_or_dtype():
    gan = GAN.for_points(2, latent_dim=4, seed=0)
    gan.compile()
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        gan.fit(np.zeros((8, 3), "float32"), batch_size=4, verbose=0)
    with pytest.raises(TypeError, match="float points"):
        gan.fit(np.zeros((8, 2), "int32"), batch_size=4, verbose=0)


def test_point_scatter_writes_pngs_tensorboard_and_gif_frames(tmp_path):
    gan = GAN.for_points(2, latent_dim=4, seed=0)
    gan.compile()
    real = RING.sample(64, seed=0)
    scatter = kerasgan.callbacks.PointScatter(tmp_path / "points", real, num_points=50, tensorboard_dir=tmp_path / "tb")
    gif = kerasgan.callbacks.GifBuilder(tmp_path / "points", tmp_path / "progress.gif")
    gan.fit(real, epochs=2, batch_size=32, verbose=0, callbacks=[scatter, gif])
    assert len(scatter.paths) == 2
    import imageio.v3 as iio

    frame = iio.imread(scatter.paths[-1])
    assert frame.shape == (320, 320, 3) and frame.dtype == np.uint8
    assert (frame[..., 0] > 200).any() and ((frame[..., 0] > 200) & (frame[..., 1] < 100)).any()  # red samples
    assert iio.imread(tmp_path / "progress.gif", index=None).shape[0] == 2
    assert list((tmp_path / "tb").iterdir())
    images_scatter = kerasgan.callbacks.PointScatter(tmp_path / "x", real)
    images_scatter.set_model(kerasgan.models.GAN(latent_dim=4, image_shape=(8, 8, 1)))
    with pytest.raises(ValueError, match="ImageGrid"):
        images_scatter.write(0)


# ------------------------------------------------------------------ stacked MNIST


def test_stacked_mnist_stacks_three_digits_and_names_their_mode():
    # image i is the constant i (so each channel tells which image it came from), its digit i % 10
    images = np.broadcast_to(np.arange(40, dtype=np.uint8)[:, None, None], (40, 28, 28)).copy()
    stacked, modes = kerasgan.data.stacked_mnist(images, np.arange(40) % 10, 500, seed=3)
    assert stacked.shape == (500, 28, 28, 3) and stacked.dtype == np.uint8
    source = stacked[:, 0, 0, :].astype(int)  # (500, 3) source indices
    assert (stacked == stacked[:, :1, :1, :]).all()  # every channel is one whole digit
    np.testing.assert_array_equal(modes, 100 * (source[:, 0] % 10) + 10 * (source[:, 1] % 10) + source[:, 2] % 10)
    assert len(np.unique(source)) > 35  # digits drawn from the whole set
    with pytest.raises(ValueError, match="labels must be digits"):
        kerasgan.data.stacked_mnist(images, np.arange(40), 5)


class _ChannelDigit:
    """A stand-in classifier: the digit is the channel's mean brightness on a 0..9 scale of [-1, 1]."""

    def predict(self, x, batch_size=None, verbose=0):
        digits = np.round((x.mean(axis=(1, 2, 3)) + 1) * 4.5).astype(int)
        return np.eye(10)[digits]


def _stacked(digit_triples, repeats):
    values = np.repeat(np.asarray(digit_triples, "float32") / 4.5 - 1, repeats, axis=0)
    return np.broadcast_to(values[:, None, None, :], (len(values), 28, 28, 3)).copy()


def test_stacked_mnist_modes_count_the_three_digit_modes():
    scores = kerasgan.metrics.stacked_mnist_modes(
        _ChannelDigit(), _stacked([[1, 2, 3], [9, 0, 0], [0, 0, 7], [4, 4, 4]], 25)
    )
    assert scores["modes"] == 1000 and scores["modes_captured"] == 4
    assert [scores["histogram"][m] for m in (123, 900, 7, 444)] == [25] * 4 and sum(scores["histogram"]) == 100
    np.testing.assert_allclose(scores["reverse_kl"], np.log(1000 / 4))  # 4 equal modes of 1,000
    every = _stacked([[m // 100, m // 10 % 10, m % 10] for m in range(1000)], 1)
    full = kerasgan.metrics.stacked_mnist_modes(_ChannelDigit(), every)
    assert full["modes_captured"] == 1000 and abs(full["reverse_kl"]) < 1e-12
    with pytest.raises(ValueError, match=r"\(n, H, W, 3\)"):
        kerasgan.metrics.stacked_mnist_modes(_ChannelDigit(), every[..., :1])
