"""Latent-space tools: interpolation geometry, exact arithmetic, conditional interpolation, files."""

import imageio.v3 as iio
import numpy as np
import pytest

from kerasgan import latent


class LinearGAN:
    """A stand-in unconditional generator: images are a fixed linear map of the latents."""

    def __init__(self, latent_dim=4, shape=(3, 3, 1)):
        self.latent_dim, self.shape = latent_dim, shape
        self.weights = np.random.default_rng(0).standard_normal((latent_dim, int(np.prod(shape)))) * 0.1
        self.calls = []

    def generate(self, n=None, latents=None, labels=None, seed=None):
        self.calls.append({"latents": latents, "labels": labels})
        return np.tanh(latents @ self.weights).reshape(-1, *self.shape).astype(np.float32)


def test_slerp_endpoints_are_the_inputs_and_points_keep_the_norm():
    rng = np.random.default_rng(0)
    z0, z1 = rng.standard_normal(16), rng.standard_normal(16)
    z1 *= np.linalg.norm(z0) / np.linalg.norm(z1)  # equal norms
    path = latent.slerp(z0, z1, 9)
    np.testing.assert_array_equal(path[0], z0.astype("float32"))
    np.testing.assert_array_equal(path[-1], z1.astype("float32"))
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(z0), rtol=1e-6)
    # constant angular speed along the great circle
    unit = path / np.linalg.norm(path, axis=1, keepdims=True)
    angles = np.arccos(np.clip(np.sum(unit[:-1] * unit[1:], axis=1), -1, 1))
    np.testing.assert_allclose(angles, angles[0], rtol=1e-4)
    total = np.arccos(z0 @ z1 / np.linalg.norm(z0) ** 2)
    assert angles.sum() == pytest.approx(total, rel=1e-4)


def test_slerp_norms_move_linearly_between_unequal_endpoints_while_lerp_cuts_inside():
    z0, z1 = np.array([2.0, 0.0, 0.0]), np.array([0.0, 4.0, 0.0])
    path = latent.slerp(z0, z1, 5)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), [2.0, 2.5, 3.0, 3.5, 4.0], rtol=1e-6)
    # the midpoint direction is the bisector of the two axes
    np.testing.assert_allclose(path[2], [3.0 / np.sqrt(2), 3.0 / np.sqrt(2), 0.0], rtol=1e-6)
    line = latent.lerp(z0, z1, 5)
    np.testing.assert_allclose(line[2], [1.0, 2.0, 0.0])
    with pytest.raises(ValueError, match="opposite"):
        latent.slerp(z0, -z0, 3)
    np.testing.assert_allclose(latent.slerp(z0, 2 * z0, 3), latent.lerp(z0, 2 * z0, 3))


def test_latent_arithmetic_is_exact():
    rng = np.random.default_rng(1)
    a, b, c = rng.standard_normal((5, 8)), rng.standard_normal((3, 8)), rng.standard_normal((4, 8))
    result = latent.latent_arithmetic([(1, a), (-1, b), (0.5, c)])
    expected = a.sum(0) / 5 - b.sum(0) / 3 + 0.5 * c.sum(0) / 4
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(latent.latent_arithmetic([(1, a[0]), (-1, a[0])]), np.zeros(8))
    with pytest.raises(ValueError, match="different sizes"):
        latent.latent_arithmetic([(1, a), (1, np.zeros((2, 3)))])


def test_latent_path_passes_through_every_keypoint_once():
    keys = np.random.default_rng(2).standard_normal((3, 4))
    path = latent.latent_path(keys, steps=4, method="linear")
    assert path.shape == (2 * 3 + 1, 4)
    np.testing.assert_allclose(path[[0, 3, 6]], keys, rtol=1e-6)
    loop = latent.latent_path(keys, steps=4, closed=True)
    assert loop.shape == (3 * 3, 4)
    np.testing.assert_allclose(loop[[0, 3, 6]], keys, rtol=1e-6)


def test_conditional_interpolation_keeps_the_class_fixed():
    from kerasgan.models import ConditionalGAN

    gan = ConditionalGAN.for_images((8, 8, 1), num_classes=3, latent_dim=4, base_filters=4, seed=0)
    z0, z1 = np.ones(4), -np.ones(4) * 0.5
    images = latent.interpolate(gan, z0, z1, steps=5, method="linear", labels=2)
    expected = gan.generate(latents=latent.lerp(z0, z1, 5), labels=[2] * 5)
    np.testing.assert_allclose(images, expected, atol=1e-6)
    other_class = gan.generate(latents=latent.lerp(z0, z1, 5), labels=1)
    assert np.abs(images - other_class).max() > 1e-4
    with pytest.raises(ValueError, match="conditional on 3 classes"):
        latent.interpolate(gan, z0, z1, method="linear")
    with pytest.raises(ValueError, match=r"in \[0, 3\)"):
        latent.interpolate(gan, z0, z1, method="linear", labels=3)
    with pytest.raises(ValueError, match="not conditional"):
        latent.interpolate(LinearGAN(), z0, z1, method="linear", labels=1)


def test_unconditional_generate_is_called_without_labels():
    gan = LinearGAN()
    latent.interpolate(gan, np.ones(4), np.full(4, 2.0), steps=3)
    assert gan.calls[-1]["labels"] is None


def test_strip_and_gif_files(tmp_path):
    gan = LinearGAN()
    grid = latent.interpolation_grid(gan, rows=2, steps=4, seed=0)
    assert grid.shape == (2, 4, 3, 3, 1)
    written = latent.save_strip(tmp_path / "strip.png", grid)
    # 12 x 22 pixels, enlarged x22 so the shorter side reaches 256 (kerasgan.callbacks.images.upscale_factor)
    assert iio.imread(tmp_path / "strip.png").shape == written.shape[:2] == ((2 * 3 + 3 * 2) * 22, (4 * 3 + 5 * 2) * 22)
    frames = latent.save_gif(tmp_path / "walk.gif", grid[0], fps=5)
    assert frames == 4 + 2  # forward, then back without repeating the ends
    assert iio.imread(tmp_path / "walk.gif", index=None).shape[:3] == (6, 3 * 86, 3 * 86)  # ceil(256 / 3) = 86
    assert not list(tmp_path.glob(".*tmp*"))  # atomic writes leave no temporary files


def test_infogan_interpolation_keeps_its_codes_fixed_along_the_walk():
    from kerasgan.models import InfoGAN

    gan = InfoGAN.for_images(
        (8, 8, 1), latent_dim=4, base_filters=4, categorical_codes=(3, 2), continuous_codes=1, seed=0
    )
    z0, z1 = np.zeros(4), np.ones(4)
    images = latent.interpolate(gan, z0, z1, steps=4, method="linear")
    codes = gan.codes_for(1, seed=0)
    full = np.concatenate([latent.lerp(z0, z1, 4), np.repeat(codes, 4, axis=0)], axis=1).astype("float32")
    expected = np.asarray(gan(full))  # the generator on [z, the same codes] for every frame
    np.testing.assert_allclose(images, expected, atol=1e-6)
