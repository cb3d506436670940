"""Feature extractors: any Keras model, fed generator-style images at its own input size.

The input convention: images reach the extractor's model

- at the model's own input size when it has a fixed one (bilinear resize;
  antialiased when shrinking, plain bilinear when enlarging, as
  `tf.image.resize` does it), else at their own size;
- with 3 channels when the model wants 3 and the images are grayscale (the
  gray channel is repeated); other channel mismatches are an error;
- in the [-1, 1] range the generators produce, unless the model's config
  (`model.get_config()`, e.g. of a subclassed model saved to `.keras`) has
  an `"input_range": [low, high]` entry, or an `input_range` is passed, in
  which case [-1, 1] is mapped linearly onto it (e.g. `(0, 255)` for a
  network trained on raw pixels).

The model outputs either one tensor (n, d), used as features (and as class
probabilities when its rows are non-negative and sum to 1), or a dict with
`"features"` and/or `"probabilities"` entries (as `inception_v3()` builds).
"""

import hashlib
import json

import keras
import numpy as np


class Extractor:
    """Wraps a Keras model as a feature extractor for the metrics.

    Args:
        model: a `keras.Model` taking NHWC images; see the module docstring
            for its input and output conventions.
        input_range: `(low, high)` the model expects; default: the model
            config's `input_range`, else (-1, 1).
        batch_size: images per forward pass.
        name: a name for tables and the statistics cache (default: the model's).

    Example:
        extractor = Extractor(keras.saving.load_model("my_features.keras"))
        features = extractor.features(gan.generate(1000))
    """

    def __init__(self, model, input_range=None, batch_size=64, name=None):
        if not isinstance(model, keras.Model):
            raise TypeError(f"An extractor wraps a keras.Model; got {type(model).__name__}.")
        try:
            shape = model.input_shape
        except AttributeError:  # a subclassed model: no declared input, images pass at their own size
            shape = (None, None, None, None)
        if isinstance(shape, list) or len(shape) != 4:
            raise ValueError(
                f"The extractor must take one NHWC image input; its input shape is {shape}. "
                "Pass a model whose input is (None, height, width, channels)."
            )
        if input_range is None:
            try:
                input_range = model.get_config().get("input_range")
            except (NotImplementedError, AttributeError, TypeError):
                input_range = None
        low, high = (-1.0, 1.0) if input_range is None else (float(v) for v in input_range)
        if not high > low:
            raise ValueError(f"input_range must be (low, high) with high > low; got {input_range!r}.")
        self.model = model
        self.input_range = (low, high)
        self.batch_size = int(batch_size)
        self.name = name or model.name
        self.input_size = tuple(shape[1:3]) if None not in shape[1:3] else None
        self.input_channels = shape[3]
        self._identity = None

    def check_images(self, image_shape):
        """Raises ValueError when images of `image_shape` (H, W, C) cannot be fed to the model."""
        channels = image_shape[-1]
        if self.input_channels not in (None, channels) and not (channels == 1 and self.input_channels == 3):
            raise ValueError(
                f"The extractor {self.name!r} takes {self.input_channels}-channel images but the images have "
                f"{channels} channels; only grayscale images are converted (to 3 channels). Pass an extractor "
                f"built for {channels}-channel input."
            )

    def _prepare(self, images):
        import tensorflow as tf

        x = np.asarray(images, np.float32)
        if x.ndim != 4:
            raise ValueError(f"Images must be NHWC; got shape {x.shape}.")
        self.check_images(x.shape[1:])
        if self.input_channels == 3 and x.shape[-1] == 1:
            x = np.repeat(x, 3, axis=-1)
        if self.input_size is not None and tuple(x.shape[1:3]) != self.input_size:
            shrink = x.shape[1] > self.input_size[0] or x.shape[2] > self.input_size[1]
            x = tf.image.resize(x, self.input_size, method="bilinear", antialias=shrink)
        low, high = self.input_range
        if (low, high) != (-1.0, 1.0):
            x = (x + 1.0) * ((high - low) / 2.0) + low
        return x

    def outputs(self, images):
        """`{"features": (n, d), "probabilities": (n, C) or None}` for one batch."""
        out = self.model(self._prepare(images), training=False)
        if isinstance(out, dict):
            unknown = set(out) - {"features", "probabilities"}
            if unknown or not out:
                raise ValueError(
                    f"A dict-output extractor must output 'features' and/or 'probabilities'; got {sorted(out)}."
                )
            features = out.get("features", out.get("probabilities"))
            probabilities = out.get("probabilities")
        elif isinstance(out, (list, tuple)):
            raise ValueError(
                f"The extractor {self.name!r} has {len(out)} outputs; give it one output (features) or a dict "
                "with 'features' and 'probabilities'."
            )
        else:
            features = probabilities = out
        features = keras.ops.convert_to_numpy(features)
        if features.ndim != 2:
            raise ValueError(
                f"The extractor {self.name!r} outputs shape {features.shape[1:]} per image; features must be "
                "vectors. End the model with a global pooling or Flatten layer."
            )
        if probabilities is not None:
            probabilities = keras.ops.convert_to_numpy(probabilities).astype(np.float64)
            if not _are_probabilities(probabilities):
                probabilities = None
        return {"features": features.astype(np.float32), "probabilities": probabilities}

    def batches(self, images):
        """Yields `outputs()` for `images` split into batches of `batch_size`."""
        for i in range(0, len(images), self.batch_size):
            yield self.outputs(images[i : i + self.batch_size])

    def features(self, images):
        """Features (n, d) float32 of an array of images in [-1, 1]."""
        return np.concatenate([o["features"] for o in self.batches(images)])

    def probabilities(self, images):
        """Class probabilities (n, C); ValueError if the model does not output probabilities."""
        out = []
        for o in self.batches(images):
            if o["probabilities"] is None:
                raise ValueError(NOT_PROBABILITIES.format(name=self.name))
            out.append(o["probabilities"])
        return np.concatenate(out)

    @property
    def identity(self):
        """Name, weights hash and input convention: the extractor's part of a cache key."""
        if self._identity is None:
            digest = hashlib.sha1()
            for weight in self.model.weights:
                value = np.ascontiguousarray(keras.ops.convert_to_numpy(weight))
                digest.update(str(value.shape).encode())
                digest.update(value.tobytes())
            self._identity = json.dumps(
                {
                    "name": self.name,
                    "weights_sha1": digest.hexdigest(),
                    "input_range": self.input_range,
                    "input_size": self.input_size,
                    "resize": "bilinear",
                },
                sort_keys=True,
            )
        return self._identity


NOT_PROBABILITIES = (
    "The Inception Score needs class probabilities, but the extractor {name!r} outputs values that are not "
    "probabilities (non-negative rows that sum to 1). Use a classifier ending in softmax, or a dict-output "
    "model with a 'probabilities' entry such as kerasgan.metrics.inception_v3()."
)


def _are_probabilities(p):
    return p.ndim == 2 and p.min() >= -1e-6 and np.allclose(p.sum(axis=1), 1.0, atol=1e-3)


def as_extractor(extractor, **kwargs):
    """An `Extractor` from an `Extractor`, a `keras.Model` or a path to a `.keras` file."""
    if isinstance(extractor, Extractor):
        return extractor
    if isinstance(extractor, keras.Model):
        return Extractor(extractor, **kwargs)
    if isinstance(extractor, str) and extractor.endswith(".keras"):
        import os

        if not os.path.isfile(extractor):
            raise ValueError(f"Extractor file {extractor!r} does not exist.")
        model = keras.saving.load_model(extractor, compile=False)
        return Extractor(model, name=kwargs.pop("name", os.path.basename(extractor)), **kwargs)
    raise TypeError(f"An extractor is an Extractor, a keras.Model or a path to a .keras file; got {extractor!r}.")
