"""Mode coverage of samples from a mixture with known modes (the 2-D ring and grid of Gaussians).

A sample is of high quality when it lies within `threshold` standard deviations
of its nearest mode; a mode is captured when it is the nearest mode of at
least one high-quality sample (Metz et al. 2017, Srivastava et al. 2017 score
2,500 samples this way). The reverse KL compares the histogram of high-quality
samples over the modes with the uniform distribution of the mixture.

References:
    Metz et al., Unrolled Generative Adversarial Networks, ICLR 2017.
    https://arxiv.org/abs/1611.02163
    Srivastava et al., VEEGAN, NeurIPS 2017. https://arxiv.org/abs/1705.07761
"""

import numpy as np


def nearest_modes(samples, centers):
    """(index of the nearest center, distance to it) for each sample."""
    samples = np.asarray(samples, dtype="float64")
    centers = np.asarray(centers, dtype="float64")
    if samples.ndim != 2 or centers.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(
            f"nearest_modes: samples {samples.shape} and centers {centers.shape} must be (n, d) and (modes, d) "
            "arrays of the same d."
        )
    distances = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    return nearest, distances[np.arange(len(samples)), nearest]


def mode_histogram(samples, centers, sigma, threshold=3.0):
    """How many high-quality samples (within `threshold`·sigma) fall to each mode, shape (modes,)."""
    nearest, distance = nearest_modes(samples, centers)
    good = distance <= threshold * sigma
    return np.bincount(nearest[good], minlength=len(centers))


def mode_coverage(samples, centers=None, sigma=None, threshold=3.0, mixture=None):
    """Modes captured, fraction of high-quality samples and reverse KL of the mode histogram.

    Args:
        samples: (n, d) generated points (the papers score 2,500).
        centers, sigma: the modes and their standard deviation; or
        mixture: a `kerasgan.data.GaussianMixture` giving both.
        threshold: how many sigmas from its nearest mode a high-quality sample may lie.

    Returns:
        dict with "modes" (how many the mixture has), "modes_captured",
        "high_quality" (the fraction of samples within threshold·sigma) and
        "reverse_kl" = Σ_i p_i log(p_i · modes), p the histogram of the
        high-quality samples over the modes (0 when uniform, log(modes) when
        one mode holds them all; inf when there is no high-quality sample).

    Example:
        ```python
        ring = kerasgan.data.ring()
        scores = kerasgan.metrics.mode_coverage(gan.generate(2500), mixture=ring)
        ```
    """
    if mixture is not None:
        centers, sigma = mixture.centers, mixture.sigma
    if centers is None or sigma is None:
        raise ValueError("mode_coverage: give the modes, as centers= and sigma= or as mixture=.")
    if len(samples) == 0:
        raise ValueError("mode_coverage: no samples to score.")
    counts = mode_histogram(samples, centers, sigma, threshold)
    good = counts.sum()
    if good:
        p = counts[counts > 0] / good
        reverse_kl = float(np.sum(p * np.log(p * len(counts))))
    else:
        reverse_kl = float("inf")
    return {
        "modes": len(counts),
        "modes_captured": int((counts > 0).sum()),
        "high_quality": float(good / len(samples)),
        "reverse_kl": reverse_kl,
    }


def stacked_mnist_modes(classifier, samples, batch_size=256):
    """Modes of stacked-MNIST samples: each channel's digit by `classifier`, the mode 100·R + 10·G + B.

    Args:
        classifier: a Keras model from (28, 28, 1) digits as the generator
            makes them (floats in [-1, 1]) to 10 class probabilities (the
            tests' yardstick, or any MNIST classifier).
        samples: (n, 28, 28, 3) generated images.
        batch_size: images per forward pass.

    Returns:
        dict with "modes" (1,000), "modes_captured" (modes with at least one
        sample), "reverse_kl" = KL(p ‖ uniform) = Σ p log(1000 p) of the
        samples' mode histogram p (0 when all 1,000 are equally frequent,
        log 1000 ≈ 6.91 for one mode), and "histogram" (1,000 counts).
        VEEGAN and PacGAN score 26,000 samples this way.
    """
    samples = np.asarray(samples, dtype="float32")
    if samples.ndim != 4 or samples.shape[-1] != 3:
        raise ValueError(f"stacked_mnist_modes: samples must be (n, H, W, 3); got {samples.shape}.")
    if len(samples) == 0:
        raise ValueError("stacked_mnist_modes: no samples to score.")
    digits = [
        np.asarray(classifier.predict(samples[..., c : c + 1], batch_size=batch_size, verbose=0)).argmax(axis=1)
        for c in range(3)
    ]
    counts = np.bincount(100 * digits[0] + 10 * digits[1] + digits[2], minlength=1000)
    p = counts[counts > 0] / len(samples)
    return {
        "modes": 1000,
        "modes_captured": int((counts > 0).sum()),
        "reverse_kl": float(np.sum(p * np.log(p * 1000))),
        "histogram": counts.tolist(),
    }
