"""The shared base of the image-to-image translation models (pix2pix, CycleGAN): pairs in, `translate` out.

`ImageTranslation` is what callbacks, the CLI and data loaders test for
(`isinstance(model, ImageTranslation)`): a model trained on batches of
`(images_a, images_b)` that translates images in the `directions` it
declares. Training runs on `AdversarialModel` (parts, updates, checks, logs,
saving): each model computes its networks' named terms in public methods
and updates them with `update`.
"""

import keras
import numpy as np
from keras import ops

from kerasgan.models.base import AdversarialModel


class ImageTranslation(AdversarialModel):
    """A model trained on batches of `(images_a, images_b)` that translates images with `translate`.

    Subclasses set `directions` and implement `translation_network(direction)`;
    the `augment` parts apply to what their discriminators see (`augmented`),
    `ema=GeneratorEMA(...)` averages every generator and `translate` uses the
    averages.
    """

    data_kind = "paired_images"
    #: the directions `translate` takes: ("a2b",) for a one-way model, ("a2b", "b2a") for CycleGAN
    directions = ("a2b",)

    def unpack_pair(self, data, shape_a, shape_b):
        """The checked float32 (images_a, images_b) of a batch; records their range."""
        a, b, _ = keras.utils.unpack_x_y_sample_weight(data)
        if b is None:
            raise ValueError(
                f"{type(self).__name__} trains on pairs of batches (images_a, images_b): pass a dataset yielding such "
                "tuples (kerasgan.data.paired_images / unpaired_images) or fit(images_a, images_b)."
            )
        a, b = self.check_images(a, shape_a, domain="A"), self.check_images(b, shape_b, domain="B")
        self.record_input_range(a, b)
        return a, b

    def translation_network(self, direction):
        """The generator (the raw weights, not the average) that translates in `direction`."""
        raise NotImplementedError

    def check_direction(self, direction):
        """Raises a clear error unless `direction` is one of the model's `directions`."""
        if direction not in self.directions:
            which = (
                f"in one direction only, {self.directions[0]!r}"
                if len(self.directions) == 1
                else f"in the directions {' and '.join(map(repr, self.directions))}"
            )
            raise ValueError(f"{type(self).__name__} translates {which}; got {direction!r}.")

    def translate(self, images, direction="a2b", batch_size=32, use_ema=True):
        """Translates images (float32 NHWC in [-1, 1]) in inference mode; returns a numpy array in [-1, 1].

        Args:
            images: array of shape (n, H, W, C) in [-1, 1].
            direction: one of `directions`: "a2b" or, for CycleGAN, "b2a".
            batch_size: images per forward pass.
            use_ema: translate with the generator's moving average when the
                model has `ema=`.
        """
        network = self.translation_network(direction)
        if use_ema:
            network = self.sampling_network(network)
        images = np.asarray(images, dtype="float32")
        expected = tuple(network.input_shape[1:])
        if images.ndim != 4 or tuple(images.shape[1:]) != expected:
            raise ValueError(
                f"translate({direction!r}) takes images of shape (n, {', '.join(map(str, expected))}); "
                f"got {images.shape}."
            )
        chunks = [
            ops.convert_to_numpy(network(images[i : i + batch_size], training=False))
            for i in range(0, len(images), batch_size)
        ]
        if not chunks:
            return np.zeros((0, *network.output_shape[1:]), "float32")
        return np.concatenate(chunks).astype("float32")

    def call(self, images, training=False):
        network = self.translation_network("a2b")
        return (network if training else self.sampling_network(network))(images, training=training)


def check_network(network, inputs, output, what):
    """Raises a clear error unless `network` maps `inputs` to `output` (leading dimensions of its output shape)."""
    got_in = network.input_shape
    got_in = [tuple(s[1:]) for s in got_in] if isinstance(got_in, list) else tuple(got_in[1:])
    if got_in != inputs or tuple(network.output_shape[1:])[: len(output)] != output:
        raise ValueError(
            f"The {what} maps {got_in} to {tuple(network.output_shape[1:])}, expected {inputs} to {output}; "
            "build it for the model's image shapes."
        )
