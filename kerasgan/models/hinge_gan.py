"""HingeGAN (SNGAN style): a preset of the hinge loss and a spectrally normalized discriminator."""

import keras

from kerasgan.models.dcgan import DCGAN


@keras.saving.register_keras_serializable(package="kerasgan")
class HingeGAN(DCGAN):
    """Hinge-loss GAN with a spectrally normalized discriminator (SNGAN style).

    D minimizes E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))] and G minimizes
    -E[D(G(z))]. Every convolution and the last dense layer of the default
    discriminator are spectrally normalized (Miyato et al. 2018), which bounds
    its Lipschitz constant; as in SNGAN it has no BatchNorm.

    References:
        Miyato et al., Spectral Normalization for Generative Adversarial
        Networks, ICLR 2018. https://arxiv.org/abs/1802.05957
        Lim & Ye, Geometric GAN, 2017. https://arxiv.org/abs/1705.02894
    """

    def __init__(self, generator=None, discriminator=None, loss="hinge", **kwargs):
        super().__init__(generator, discriminator, loss=loss, **kwargs)

    def discriminator_options(self):
        return {**super().discriminator_options(), "normalization": "none", "spectral_norm": True}
