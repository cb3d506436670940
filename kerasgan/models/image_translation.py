"""The shared bases of the image-to-image translation models (pix2pix, CycleGAN, DiscoGAN): pairs in, `translate` out.

`ImageTranslation` is what callbacks, the CLI and data loaders test for
(`isinstance(model, ImageTranslation)`): a model trained on batches of
`(images_a, images_b)` that translates images in the `directions` it
declares. Training runs on `AdversarialModel` (parts, updates, checks, logs,
saving): each model computes its networks' named terms in public methods
and updates them with `update`. `TwoWayTranslation` is the step the unpaired
two-way models (CycleGAN, DiscoGAN) share; they differ in their networks,
adversarial losses and default objectives.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan.models.base import AdversarialModel
from kerasgan.networks import ImagePool
from kerasgan.parts import CriticView, StepBatch
from kerasgan.utils import checks


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


class TwoWayTranslation(ImageTranslation):
    """The shared step of the unpaired two-way models (CycleGAN, DiscoGAN): G: A → B, F: B → A, D_A, D_B.

    Each step: both translations run once; both generators are updated on
    their adversarial terms (`generator_gan_loss` on D_B(G(a)) and D_A(F(b)))
    plus the `objectives` (cycle, identity), which run the extra passes
    themselves; the same translations, through the history pools (a
    pass-through at `pool_size=0`), then update both discriminators on
    `discriminator_gan_loss`. One `g_optimizer` updates both generators and
    one `d_optimizer` both discriminators.

    Subclasses call `super().__init__(objectives=..., **kwargs)`, then
    `set_networks(...)` with builders of their default networks, and
    implement the two loss hooks.

    Logged: `d_a_loss`, `d_b_loss`, `g_ab_gan`, `g_ba_gan`, the objectives'
    weighted terms and `g_loss` (the generators' total), plus the parts' terms.
    """

    data_kind = "unpaired_images"
    directions = ("a2b", "b2a")

    def set_networks(self, networks, image_shape, base_filters, pool_size, generator, discriminator):
        """Sets the four networks (None: `generator(name)` / `discriminator(name)`), checks them, makes the pools."""
        owner = type(self).__name__
        self.image_shape = checks.image_shape(owner, image_shape)
        self.base_filters = checks.positive_int(owner, "base_filters", base_filters)
        self.pool_size = checks.nonnegative_int(owner, "pool_size", pool_size)
        generator_ab, generator_ba, discriminator_a, discriminator_b = networks
        self.generator_ab = generator_ab if generator_ab is not None else generator("generator_ab")
        self.generator_ba = generator_ba if generator_ba is not None else generator("generator_ba")
        self.discriminator_a = discriminator_a if discriminator_a is not None else discriminator("discriminator_a")
        self.discriminator_b = discriminator_b if discriminator_b is not None else discriminator("discriminator_b")
        shape = self.image_shape
        for name, network in zip(("generator_ab", "generator_ba"), self.generator_networks()):
            check_network(network, shape, shape, name)
        for name, network in zip(("discriminator_a", "discriminator_b"), self.discriminator_networks()):
            check_network(network, shape, (), name)
        seed = self.seed
        self.pool_a = ImagePool(self.pool_size, shape, seed=seed, name="pool_a")
        self.pool_b = ImagePool(self.pool_size, shape, seed=None if seed is None else seed + 1, name="pool_b")
        self.attach_parts()

    def generator_gan_loss(self, fake_logits):
        """One generator's adversarial term on the logits its translations get from the other domain's D."""
        raise NotImplementedError

    def discriminator_gan_loss(self, real_logits, fake_logits):
        """One discriminator's loss on its real domain's logits and the translations' logits."""
        raise NotImplementedError

    def discriminator_networks(self):
        return [self.discriminator_a, self.discriminator_b]

    def generator_networks(self):
        return [self.generator_ab, self.generator_ba]

    def loss_names(self):
        return ("d_a_loss", "d_b_loss", "g_loss", "g_ab_gan", "g_ba_gan")

    def translation_network(self, direction):
        self.check_direction(direction)
        return self.generator_ab if direction == "a2b" else self.generator_ba

    def critic_views(self, batch):
        (real_a, real_b), (fake_a, fake_b) = batch.real, batch.fake
        return [
            CriticView(lambda x: self.discriminator_a(x, training=True), real_a, fake_a),
            CriticView(lambda x: self.discriminator_b(x, training=True), real_b, fake_b),
        ]

    def generator_objective(self, batch):
        """(terms, metrics) of both generators on `StepBatch(real=(a, b), fake=(F(b), G(a)))`; their total "g_loss"."""
        fake_a, fake_b = batch.fake
        d_b = self.discriminator_b(self.augmented(fake_b), training=True)
        d_a = self.discriminator_a(self.augmented(fake_a), training=True)
        terms = {
            "g_ab_gan": self.generator_gan_loss(d_b),
            "g_ba_gan": self.generator_gan_loss(d_a),
            **self.part_terms("generator", batch),
        }
        return terms, {"g_loss": sum(terms.values())}

    def discriminator_objective(self, batch):
        """(terms, metrics) of both discriminators on `StepBatch(real=(a, b), fake=(pooled F(b), pooled G(a)))`."""
        (real_a, real_b), (fake_a, fake_b) = batch.real, batch.fake
        terms = {}
        for name, network, real, fake in (
            ("d_a_loss", self.discriminator_a, real_a, fake_a),
            ("d_b_loss", self.discriminator_b, real_b, fake_b),
        ):
            terms[name] = self.discriminator_gan_loss(
                network(self.augmented(real), training=True), network(self.augmented(fake), training=True)
            )
        return {**terms, **self.part_terms("discriminator", batch)}, {}

    def update_networks(self, data):
        real_a, real_b = self.unpack_pair(data, self.image_shape, self.image_shape)
        with tf.GradientTape() as g_tape:
            fake_b = self.generator_ab(real_a, training=True)
            fake_a = self.generator_ba(real_b, training=True)
            g_terms, g_metrics = self.generator_objective(StepBatch(real=(real_a, real_b), fake=(fake_a, fake_b)))
        self.update("generator", g_tape, g_terms, g_metrics)
        pooled_a = self.pool_a(ops.stop_gradient(fake_a))
        pooled_b = self.pool_b(ops.stop_gradient(fake_b))
        with tf.GradientTape() as d_tape:
            d_terms, d_metrics = self.discriminator_objective(
                StepBatch(real=(real_a, real_b), fake=(pooled_a, pooled_b))
            )
        self.update("discriminator", d_tape, d_terms, d_metrics)

    def get_config(self):
        return {
            **super().get_config(),
            "generator_ab": keras.saving.serialize_keras_object(self.generator_ab),
            "generator_ba": keras.saving.serialize_keras_object(self.generator_ba),
            "discriminator_a": keras.saving.serialize_keras_object(self.discriminator_a),
            "discriminator_b": keras.saving.serialize_keras_object(self.discriminator_b),
            "image_shape": list(self.image_shape),
            "base_filters": self.base_filters,
            "pool_size": self.pool_size,
        }
