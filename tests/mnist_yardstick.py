"""The yardstick of the MNIST real-data tests: a classifier trained inside the test on the real digits."""

import kerasgan


def mnist_and_classifier(mnist_dir):
    """(images in [-1, 1], labels, classifier) for the MNIST IDX files in `mnist_dir`.

    The classifier (a small convnet, 3 epochs) is checked to recognize real
    digits before it judges generated ones.
    """
    images, labels = kerasgan.data.mnist_idx(mnist_dir / "t10k-images-idx3-ubyte.gz")
    real = images.astype("float32") / 127.5 - 1.0
    classifier = kerasgan.networks.small_classifier((28, 28, 1), 10)
    classifier.compile("adam", "sparse_categorical_crossentropy")
    classifier.fit(real, labels, epochs=3, batch_size=128, verbose=0)
    assert kerasgan.metrics.classifier_scores(classifier, real[:1000])["mean_confidence"] > 0.9
    return real, labels, classifier
