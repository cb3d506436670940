"""Inception Score, and InceptionV3 from `keras.applications` as a feature extractor.

Comparability: FID / KID / IS computed here with `keras.applications`
InceptionV3 are NOT comparable to the numbers published in papers. Published
FIDs use the original TF-Inception graph (`pool_3` of the 2015-12-05 release,
through the TTUR or StyleGAN code), whose weights are not the Keras ImageNet
weights, and which resizes images its own way; both shift the features, and
FID is sensitive to exactly such shifts (Parmar et al., "On Aliased Resizing
and Surprising Subtleties in GAN Evaluation", CVPR 2022). Use these scores to
compare your own runs, all computed the same way.
"""

import os

import numpy as np

from kerasgan.metrics.extractors import Extractor


def _plogp(p):
    return np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)


class InceptionScoreAccumulator:
    """Inception Score over splits, from class probabilities added batch by batch.

    Sample i of `num_samples` belongs to split `i * splits // num_samples`
    (contiguous splits, as in the original code). Per split it keeps only the
    count, the sum of p(y|x) and the sum of Σ_y p log p, since

        E_x KL(p(y|x) ‖ p(y)) = E_x Σ_y p(y|x) log p(y|x) - Σ_y p(y) log p(y),

    with p(y) the split's mean prediction.
    """

    def __init__(self, num_samples, splits=10):
        if int(splits) < 1 or int(num_samples) < int(splits):
            raise ValueError(f"Need num_samples >= splits >= 1; got {num_samples} samples and {splits} splits.")
        self.num_samples, self.splits = int(num_samples), int(splits)
        self.seen = 0
        self._count = np.zeros(self.splits)
        self._neg_entropy = np.zeros(self.splits)
        self._marginal = None

    def update(self, probabilities):
        p = np.asarray(probabilities, np.float64)
        if p.ndim != 2:
            raise ValueError(f"Probabilities must have shape (n, classes); got {p.shape}.")
        if self._marginal is None:
            self._marginal = np.zeros((self.splits, p.shape[1]))
        if self.seen + len(p) > self.num_samples:
            raise ValueError(f"More than the announced {self.num_samples} samples were added.")
        split = (np.arange(self.seen, self.seen + len(p)) * self.splits) // self.num_samples
        np.add.at(self._count, split, 1)
        np.add.at(self._neg_entropy, split, _plogp(p).sum(axis=1))
        np.add.at(self._marginal, split, p)
        self.seen += len(p)
        return self

    def result(self):
        """`(mean, std)` of exp(E KL) over the splits."""
        if self.seen != self.num_samples:
            raise ValueError(f"{self.seen} of the announced {self.num_samples} samples were added.")
        marginal = self._marginal / self._count[:, None]
        kl = self._neg_entropy / self._count - _plogp(marginal).sum(axis=1)
        scores = np.exp(kl)
        return float(scores.mean()), float(scores.std())


def inception_score(probabilities, splits=10):
    """Inception Score exp(E_x KL(p(y|x) ‖ p(y))) of class probabilities, over splits.

    Between 1 (every prediction the same) and the number of classes (confident
    predictions spread evenly over all classes).

    Args:
        probabilities: (n, classes) class probabilities of generated images
            (e.g. `Extractor.probabilities(images)`).
        splits: the samples are cut into this many contiguous parts; the score
            is computed on each.

    Returns:
        `(mean, std)` over the splits.

    Reference:
        Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016.
        https://arxiv.org/abs/1606.03498
    """
    p = np.asarray(probabilities, np.float64)
    return InceptionScoreAccumulator(len(p), splits).update(p).result()


def inception_v3(weights="imagenet", batch_size=32):
    """InceptionV3 from `keras.applications` as an `Extractor`.

    Outputs the 2048 average-pool features (FID, KID, precision/recall) and the
    1000 ImageNet class probabilities (Inception Score). Images in [-1, 1]
    (InceptionV3's own input range) are resized to 299×299 bilinearly (see
    `kerasgan.metrics.extractors`); grayscale is repeated to RGB.

    Args:
        weights: "imagenet" (downloaded by Keras on first use into
            ~/.keras/models, which needs a network once), the path of a local
            weights file for the full InceptionV3 (with its top), or None for
            random weights (tests only: the scores mean nothing).
        batch_size: images per forward pass.

    The scores are not comparable to published FIDs; see this module's
    docstring.
    """
    import keras

    if isinstance(weights, str) and weights != "imagenet" and not os.path.isfile(weights):
        raise ValueError(f"InceptionV3 weights {weights!r}: not 'imagenet', None or an existing weights file.")
    try:
        base = keras.applications.InceptionV3(include_top=True, weights=weights, input_shape=(299, 299, 3))
    except Exception as err:
        if weights != "imagenet":
            raise
        raise ValueError(
            f"Could not download InceptionV3's ImageNet weights through keras.applications ({type(err).__name__}: "
            f"{err}); Keras fetches them once into ~/.keras/models, which needs a network. Offline: pass a local "
            "weights file (weights=..., or kerasgan evaluate --extractor FILE.h5) or a .keras feature model "
            "(--extractor FILE.keras), or use a metric that needs no weights (--metrics swd)."
        ) from err
    model = keras.Model(
        base.input,
        {"features": base.get_layer("avg_pool").output, "probabilities": base.output},
        name="inception_v3",
    )
    return Extractor(model, input_range=(-1.0, 1.0), batch_size=batch_size, name="inception_v3")
