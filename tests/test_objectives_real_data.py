"""Real-data quality tests (slow) of the objectives of tests/test_objectives.py, on MNIST with a step budget.

Bars (measured at these budgets, seed 0): the MNIST yardstick's mean confidence and every digit's share of
1,000 samples. BEGAN is not here: at its networks' cost it reached 1,085 steps in 400 s on this machine, and
collapsed to one digit (confidence 0.81, every sample a 1), so it has no CI-sized test yet.
"""

import keras
import numpy as np
import pytest
from mnist_yardstick import mnist_and_classifier

import kerasgan

pytestmark = pytest.mark.slow

STEPS, MAX_SECONDS = 2500, 400


@pytest.fixture
def mnist(shared_data):
    path = shared_data("mnist")
    return path, mnist_and_classifier(path)[2]


def test_fgan_squared_hellinger_learns_mnist_digits(mnist):
    mnist_dir, classifier = mnist
    keras.utils.set_random_seed(0)
    gan = kerasgan.models.FGAN.for_images((28, 28, 1), divergence="squared_hellinger", seed=0)
    gan.compile()
    dataset = kerasgan.data.load_dataset(mnist_dir, batch_size=64, seed=0)
    limit = kerasgan.callbacks.TimeLimit(MAX_SECONDS)
    history = gan.fit(dataset.repeat(), epochs=1, steps_per_epoch=STEPS, callbacks=[limit], verbose=0).history
    scores = kerasgan.metrics.classifier_scores(classifier, gan.generate(1000, seed=1))
    print(
        f"\nFGAN (squared Hellinger) on MNIST, {int(gan.g_optimizer.iterations)} steps in {limit.elapsed:.0f}s: "
        f"mean confidence {scores['mean_confidence']:.3f}, class fractions "
        f"{np.round(scores['class_fractions'], 3).tolist()}, -d_loss {-history['d_loss'][-1]:.3f}"
    )
    # Measured 0.642 and a smallest share of 0.037 at 2,500 steps (DCGAN's 0.8 takes 4,000).
    assert scores["mean_confidence"] >= 0.55
    assert scores["min_class_fraction"] >= 0.02, "some digit is (almost) never generated: mode collapse"
    # −d_loss is the run's mean estimate of the squared Hellinger distance Σ(√p − √q)², in [0, 2].
    assert 0.0 < -history["d_loss"][-1] <= 2.0
