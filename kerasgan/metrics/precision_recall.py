"""Improved precision and recall (Kynkäänniemi et al. 2019): k-NN estimates of the two manifolds."""

import numpy as np


def _squared_distances(a, b):
    d = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d, 0.0)


def knn_radii(features, k=3, batch_size=1024):
    """Squared distance of each feature vector to its k-th nearest neighbour in the same set (itself excluded)."""
    x = np.asarray(features, np.float64)
    if len(x) <= k:
        raise ValueError(f"k-NN radii with k={k} need more than {k} samples; got {len(x)}.")
    radii = np.empty(len(x))
    for i in range(0, len(x), batch_size):
        d = _squared_distances(x[i : i + batch_size], x)
        # index k, not k - 1: the smallest distance is the sample to itself (0)
        radii[i : i + batch_size] = np.partition(d, k, axis=1)[:, k]
    return radii


def manifold_coverage(reference, radii, queries, batch_size=1024):
    """Fraction of `queries` inside the union of balls around `reference` with squared `radii`."""
    reference, queries = np.asarray(reference, np.float64), np.asarray(queries, np.float64)
    inside = 0
    for i in range(0, len(queries), batch_size):
        d = _squared_distances(queries[i : i + batch_size], reference)
        inside += int((d <= radii[None, :]).any(axis=1).sum())
    return inside / len(queries)


def precision_recall(real, fake, k=3, batch_size=1024):
    """Improved precision and recall of generated features against real ones.

    The real manifold is the union of balls around every real feature vector,
    each with the radius of its k-th nearest real neighbour; likewise for the
    generated one. Precision is the fraction of generated samples inside the
    real manifold (are the samples realistic?), recall the fraction of real
    samples inside the generated manifold (is the data's variety covered?).
    Both in [0, 1], higher is better. Memory is O(batch_size × n).

    Args:
        real, fake: feature arrays (n, d) (the paper uses VGG-16 fc2 features of
            50,000 images, and equal set sizes).
        k: neighbourhood size (3 in the paper).
        batch_size: rows of the distance matrix computed at a time.

    Returns:
        `{"precision": float, "recall": float}`.

    Reference:
        Kynkäänniemi et al., Improved Precision and Recall Metric for Assessing
        Generative Models, NeurIPS 2019. https://arxiv.org/abs/1904.06991
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"Precision/recall need two feature arrays (n, d) of one d; got {real.shape} and {fake.shape}."
        )
    return {
        "precision": manifold_coverage(real, knn_radii(real, k, batch_size), fake, batch_size),
        "recall": manifold_coverage(fake, knn_radii(fake, k, batch_size), real, batch_size),
    }
