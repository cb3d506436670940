"""Real-data quality tests (slow): train on ../shared/data and measure what came out."""

import keras
import numpy as np
import pytest

import kerasgan

pytestmark = pytest.mark.slow

TRAIN_SECONDS = 240  # the issue allows at most 5 CPU-minutes


def _mnist_classifier(images, labels):
    classifier = kerasgan.networks.small_classifier((28, 28, 1), 10)
    classifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(images, labels, epochs=3, batch_size=128, verbose=0)
    return classifier


def test_dcgan_learns_mnist_digits_a_classifier_recognizes(shared_data):
    mnist = shared_data("mnist")
    images, labels = kerasgan.data.mnist_idx(mnist / "t10k-images-idx3-ubyte.gz")
    real = images.astype("float32") / 127.5 - 1.0
    classifier = _mnist_classifier(real, labels)
    # the yardstick itself must work: it recognizes real digits
    assert kerasgan.metrics.classifier_scores(classifier, real[:1000])["mean_confidence"] > 0.9

    keras.utils.set_random_seed(0)
    dataset = kerasgan.data.load_dataset(mnist, batch_size=64, seed=0)
    gan = kerasgan.models.DCGAN.for_images((28, 28, 1), seed=0)
    gan.compile()  # the default recipe
    limit = kerasgan.callbacks.TimeLimit(TRAIN_SECONDS)
    gan.fit(dataset, epochs=1000, callbacks=[limit], verbose=0)

    scores = kerasgan.metrics.classifier_scores(classifier, gan.generate(1000, seed=1))
    print(f"\nDCGAN on MNIST after {limit.elapsed:.0f}s, {int(gan.g_optimizer.iterations)} steps: "
          f"mean confidence {scores['mean_confidence']:.3f}, class fractions "
          f"{np.round(scores['class_fractions'], 3).tolist()}")
    assert scores["mean_confidence"] >= 0.8
    assert scores["min_class_fraction"] >= 0.03, "some digit is (almost) never generated: mode collapse"
