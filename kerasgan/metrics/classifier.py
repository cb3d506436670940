"""Classifier-based scores: does a classifier trained on real data recognize the samples?"""

import numpy as np


def classifier_scores(classifier, images, batch_size=256):
    """Scores generated `images` with a classifier that outputs class probabilities.

    Args:
        classifier: a Keras model mapping images (as the generator makes them)
            to class probabilities (softmax output).
        images: float32 NHWC images.
        batch_size: images per forward pass.

    Returns:
        A dict with `mean_confidence` (mean top-1 probability: high when the
        samples look like some class), `class_fractions` (fraction of samples
        predicted as each class: mode collapse shows as classes near 0) and
        `min_class_fraction`.
    """
    probs = np.asarray(classifier.predict(images, batch_size=batch_size, verbose=0), dtype="float64")
    if probs.ndim != 2:
        raise ValueError(f"The classifier must output (n, classes) probabilities; got shape {probs.shape}.")
    predicted = probs.argmax(axis=1)
    fractions = np.bincount(predicted, minlength=probs.shape[1]) / len(predicted)
    return {
        "mean_confidence": float(probs.max(axis=1).mean()),
        "class_fractions": fractions.tolist(),
        "min_class_fraction": float(fractions.min()),
    }
