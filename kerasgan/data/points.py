"""2-D toy data: mixtures of Gaussians whose modes are known, for measuring mode coverage.

The ring of 8 Gaussians (Metz et al. 2017) and the 5×5 grid of 25 Gaussians
(Lin et al. 2018) are `GaussianMixture`s: `sample(n, seed)` draws points and
`centers` / `sigma` are what `kerasgan.metrics.mode_coverage` scores samples
against. `from_points` serves any (N, d) array of points to `fit()`.
"""

import math

import numpy as np
import tensorflow as tf

from kerasgan.utils import checks


class GaussianMixture:
    """An equal-weight mixture of isotropic Gaussians N(center_i, sigma² I).

    Args:
        centers: (modes, d) array of the means.
        sigma: standard deviation of every component.
    """

    def __init__(self, centers, sigma):
        centers = np.asarray(centers, dtype="float32")
        if centers.ndim != 2 or len(centers) < 1:
            raise ValueError(f"GaussianMixture: centers must be a (modes, dim) array; got shape {centers.shape}.")
        self.centers = centers
        self.sigma = checks.positive("GaussianMixture", "sigma", sigma)

    @property
    def dim(self):
        return self.centers.shape[1]

    def sample(self, n, seed=None):
        """`n` points (float32, shape (n, dim)), each from a mode drawn uniformly."""
        rng = np.random.default_rng(seed)
        modes = rng.integers(len(self.centers), size=int(n))
        noise = rng.standard_normal((int(n), self.dim)) * self.sigma
        return (self.centers[modes] + noise).astype("float32")

    def __repr__(self):
        return f"GaussianMixture({len(self.centers)} modes in {self.dim}-D, sigma={self.sigma:g})"


def ring(modes=8, radius=2.0, sigma=0.02):
    """`modes` Gaussians evenly spaced on a circle (Metz et al. 2017: 8 modes, radius 2, σ 0.02).

    The angles are 2πk/modes for k = 0..modes-1: a `linspace(0, 2π, modes)`
    would put the last mode on the first and give modes - 1 distinct ones.
    """
    modes = checks.positive_int("ring", "modes", modes)
    radius = checks.positive("ring", "radius", radius)
    angles = 2 * math.pi * np.arange(modes) / modes
    return GaussianMixture(radius * np.stack([np.cos(angles), np.sin(angles)], axis=1), sigma)


def grid(side=5, spacing=2.0, sigma=0.05):
    """side × side Gaussians on a square lattice centred at 0 (Lin et al. 2018: 5×5, spacing 2, σ 0.05)."""
    side = checks.positive_int("grid", "side", side)
    spacing = checks.positive("grid", "spacing", spacing)
    axis = (np.arange(side) - (side - 1) / 2) * spacing
    xs, ys = np.meshgrid(axis, axis)
    return GaussianMixture(np.stack([xs.ravel(), ys.ravel()], axis=1), sigma)


def from_points(points, batch_size=512, shuffle=True, seed=None, drop_remainder=True):
    """Serves an (N, d) array of points as float32 batches for `fit()` of a point GAN (`GAN.for_points`).

    Points are not scaled: unlike images they have no fixed range.
    """
    points = np.asarray(points)
    if points.ndim != 2 or not np.issubdtype(points.dtype, np.number):
        raise ValueError(f"from_points: points must be a numeric (N, dim) array; got shape {points.shape}.")
    if not np.isfinite(points).all():
        raise ValueError("from_points: the points hold NaN or infinite values; drop them first.")
    batch_size = checks.positive_int("from_points", "batch_size", batch_size)
    if drop_remainder and len(points) < batch_size:
        raise ValueError(
            f"from_points: {len(points)} points make no full batch of {batch_size}; pass more points or a "
            "smaller batch_size."
        )
    dataset = tf.data.Dataset.from_tensor_slices(points.astype("float32"))
    if shuffle:
        dataset = dataset.shuffle(len(points), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def stacked_mnist(images, labels, n, seed=0):
    """Stacked MNIST (Metz et al. 2017; Srivastava et al. 2017): three random digits as the R, G and B channels.

    Each of the `n` images stacks three digits drawn independently (with
    replacement) from `images`; its mode is 100·d_R + 10·d_G + d_B, so the
    data set has 1,000 equally likely modes, which
    `kerasgan.metrics.stacked_mnist_modes` counts in generated images.

    Args:
        images: (N, 28, 28) or (N, 28, 28, 1) digits (uint8, or floats), e.g.
            `kerasgan.data.load_arrays(kerasgan.data.EMBEDDED_MNIST)[0]`.
        labels: (N,) their digits.
        n: how many stacked images to make.
        seed: seed of the draws.

    Returns:
        `(stacked, modes)`: (n, 28, 28, 3) of `images`' dtype and (n,) ints in [0, 1000).
    """
    images, labels = np.asarray(images), np.asarray(labels).reshape(-1)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(
            f"stacked_mnist: images must be (N, H, W) or (N, H, W, 1) with one label each; got images "
            f"{images.shape} and {labels.shape[0]} labels."
        )
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"stacked_mnist: labels must be digits 0-9; got {labels.min()}..{labels.max()}.")
    picks = np.random.default_rng(seed).integers(len(images), size=(int(n), 3))
    stacked = np.stack([images[picks[:, c]] for c in range(3)], axis=-1)
    modes = 100 * labels[picks[:, 0]] + 10 * labels[picks[:, 1]] + labels[picks[:, 2]]
    return stacked, modes.astype("int64")
