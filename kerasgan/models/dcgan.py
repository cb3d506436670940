"""DCGAN: the GAN procedure with deep convolutional networks.

Reference:
    Radford, Metz, Chintala, Unsupervised Representation Learning with Deep
    Convolutional Generative Adversarial Networks, ICLR 2016.
    https://arxiv.org/abs/1511.06434
"""

import keras

from kerasgan.models.gan import GAN
from kerasgan.networks import dcgan_discriminator, dcgan_generator


@keras.saving.register_keras_serializable(package="kerasgan")
class DCGAN(GAN):
    """Deep convolutional GAN (Radford et al. 2015).

    The training procedure is the base class's; only the networks differ (see
    `kerasgan.networks.dcgan`): their depth follows the image size (28 → 2
    stride-2 stages, 32 → 3, 64 → 4, 128 → 5). The paper trains both networks with
    Adam(2e-4, beta_1=0.5), the default of `compile()`.

    Args:
        base_filters: width of the first discriminator layer (and of the last
            generator layer); each stride-2 stage doubles it. Default 64 (the
            paper's), 32 below 32×32 pixels (MNIST). Used only when the
            networks are built here.
        **kwargs: the `GAN` arguments (latent_dim, image_shape, loss, parts, ...).

    Example:
        ```python
        gan = kerasgan.models.DCGAN.for_images((64, 64, 3), latent_dim=128)
        gan.compile()
        gan.fit(kerasgan.data.image_folder("faces/", 64), epochs=25)
        ```
    """

    def __init__(self, generator=None, discriminator=None, base_filters=None, **kwargs):
        if base_filters is None:
            side = min(kwargs.get("image_shape", (28, 28, 1))[:2])
            # Measured with benchmarks/time_to_quality.py on MNIST: width 32
            # reaches the same sample quality as 64 in about half the CPU time.
            base_filters = 32 if side < 32 else 64
        self.base_filters = int(base_filters)
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)

    def build_generator(self):
        return dcgan_generator(self.latent_dim, self.image_shape, self.base_filters)

    def discriminator_options(self):
        """Options of the default discriminator (`kerasgan.networks.dcgan_discriminator`): a shift-invariant loss needs no logit bias."""
        return {"logit_bias": not self.loss.shift_invariant}

    def build_discriminator(self):
        return dcgan_discriminator(self.seen_shape(self.image_shape), self.base_filters, **self.discriminator_options())

    def get_config(self):
        return {**super().get_config(), "base_filters": self.base_filters}
