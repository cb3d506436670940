"""Real-data quality tests (slow) of the objectives of tests/test_objectives.py, on MNIST with a step budget."""

import keras
import numpy as np
import pytest
from mnist_yardstick import mnist_and_classifier

import kerasgan

pytestmark = pytest.mark.slow

FGAN_STEPS, MAX_SECONDS = 2500, 400


def test_fgan_squared_hellinger_learns_mnist_digits(shared_data):
    mnist = shared_data("mnist")
    _, _, classifier = mnist_and_classifier(mnist)
    keras.utils.set_random_seed(0)
    dataset = kerasgan.data.load_dataset(mnist, batch_size=64, seed=0)
    gan = kerasgan.models.FGAN.for_images((28, 28, 1), divergence="squared_hellinger", seed=0)
    gan.compile()
    limit = kerasgan.callbacks.TimeLimit(MAX_SECONDS)
    history = gan.fit(dataset.repeat(), epochs=1, steps_per_epoch=FGAN_STEPS, callbacks=[limit], verbose=0).history
    scores = kerasgan.metrics.classifier_scores(classifier, gan.generate(1000, seed=1))
    print(
        f"\nFGAN (squared Hellinger) on MNIST, {int(gan.g_optimizer.iterations)} steps in {limit.elapsed:.0f}s: "
        f"mean confidence {scores['mean_confidence']:.3f}, class fractions "
        f"{np.round(scores['class_fractions'], 3).tolist()}, final -d_loss (the divergence estimate) "
        f"{-history['d_loss'][-1]:.3f}"
    )
    assert scores["mean_confidence"] >= 0.8
    assert scores["min_class_fraction"] >= 0.03, "some digit is (almost) never generated: mode collapse"
    # The estimate of the squared Hellinger distance lies in its range [0, 2].
    assert 0.0 < -history["d_loss"][-1] <= 2.0
