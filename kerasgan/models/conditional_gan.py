"""Conditional GAN: both networks see the class label."""

import keras

from kerasgan.models.class_conditional import ClassConditional
from kerasgan.networks import conditional_discriminator


@keras.saving.register_keras_serializable(package="kerasgan")
class ConditionalGAN(ClassConditional):
    """Conditional GAN (Mirza & Osindero 2014): both networks see the class label.

    The generator models p(x | y): its input is z joined to the encoded label.
    The discriminator judges (image, label) pairs, so a realistic image of the
    wrong class is fake to it. Fakes are generated for the labels of the real
    batch, so they follow the data's class frequencies. Networks: DCGAN's.

    Args:
        num_classes: number of classes K; labels are ints in [0, K).
        class_names: optional names of the classes (kept in the config, and
            accepted by `generate(labels=...)`).
        label_embedding: None: the label is one-hot (the paper) — joined to z,
            and broadcast to K extra discriminator input channels; an int: a
            learned embedding of that size is used instead.
        projection: a projection discriminator (Miyato & Koyama 2018): the
            label enters the discriminator through an inner product with its
            features instead of as input channels.
        **kwargs: the `DCGAN` / `GAN` arguments (latent_dim, image_shape,
            base_filters, loss, every training trick, ...).

    Example:
        ```python
        data = kerasgan.data.load_dataset("mnist", labels=True)  # (images, labels) batches
        gan = kerasgan.models.ConditionalGAN.for_images((28, 28, 1), num_classes=10)
        gan.compile()
        gan.fit(data, epochs=20)
        sevens = gan.generate(16, labels=7)
        ```

    References:
        Mirza & Osindero, Conditional Generative Adversarial Nets, 2014.
        https://arxiv.org/abs/1411.1784
        Miyato & Koyama, cGANs with Projection Discriminator, ICLR 2018.
        https://arxiv.org/abs/1802.05637
    """

    discriminator_input_count = 2

    def __init__(self, generator=None, discriminator=None, projection=False, **kwargs):
        self.projection = bool(projection)
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)

    def build_discriminator(self):
        return conditional_discriminator(
            self.seen_shape(self.image_shape),
            self.num_classes,
            self.base_filters,
            self.label_embedding,
            self.projection,
            **self.discriminator_options(),
        )

    def discriminator_inputs(self, images, condition):
        return [images, condition]

    def get_config(self):
        return {**super().get_config(), "projection": self.projection}
