"""A small convolutional classifier, for classifier-based sample quality scores."""

import keras


def small_classifier(image_shape=(28, 28, 1), num_classes=10, name="classifier"):
    """Two conv/pool stages and a dense head with a softmax; reaches ~98 % on MNIST in a few epochs.

    It expects images in [-1, 1], like the generators produce.
    """
    image = keras.Input(tuple(image_shape), name="images")
    x = keras.layers.Conv2D(32, 3, activation="relu")(image)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.5)(x)
    x = keras.layers.Dense(128, activation="relu")(x)
    probs = keras.layers.Dense(num_classes, activation="softmax", dtype="float32")(x)
    return keras.Model(image, probs, name=name)
