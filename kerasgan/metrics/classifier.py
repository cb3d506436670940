"""Classifier-based scores: does a classifier trained on real data recognize the samples?"""

import numpy as np


def classifier_scores(classifier, images, batch_size=256, prior=None):
    """Scores generated `images` with a classifier that outputs class probabilities.

    Args:
        classifier: a Keras model mapping images (as the generator makes them)
            to class probabilities (softmax output).
        images: float32 NHWC images.
        batch_size: images per forward pass.
        prior: the class distribution of the real data, (classes,) summing to
            1; uniform when None.

    Returns:
        A dict with
        - `mean_confidence`: mean top-1 probability (high when the samples
          look like some class);
        - `class_fractions`: fraction of samples predicted as each class (mode
          collapse shows as classes near 0) and `min_class_fraction`;
        - `class_coverage`: per class, its fraction divided by its prior share,
          capped at 1 (1: the class gets at least its share; 0: never
          generated), and `coverage`, their mean;
        - `kl_to_prior`: KL(class_fractions ‖ prior) in nats: 0 when the
          classes come in the prior's proportions, log C when a uniform prior
          over C classes collapses to one class.
    """
    probs = np.asarray(classifier.predict(images, batch_size=batch_size, verbose=0), dtype="float64")
    if probs.ndim != 2:
        raise ValueError(f"The classifier must output (n, classes) probabilities; got shape {probs.shape}.")
    classes = probs.shape[1]
    if prior is None:
        prior = np.full(classes, 1.0 / classes)
    prior = np.asarray(prior, dtype="float64")
    if prior.shape != (classes,) or prior.min() <= 0 or not np.isclose(prior.sum(), 1.0, atol=1e-6):
        raise ValueError(f"prior must hold {classes} positive class probabilities summing to 1; got {prior.tolist()}.")
    predicted = probs.argmax(axis=1)
    fractions = np.bincount(predicted, minlength=classes) / len(predicted)
    coverage = np.minimum(fractions / prior, 1.0)
    nonzero = fractions > 0
    kl = float(np.sum(fractions[nonzero] * np.log(fractions[nonzero] / prior[nonzero])))
    return {
        "mean_confidence": float(probs.max(axis=1).mean()),
        "class_fractions": fractions.tolist(),
        "min_class_fraction": float(fractions.min()),
        "class_coverage": coverage.tolist(),
        "coverage": float(coverage.mean()),
        "kl_to_prior": kl,
    }
