"""GANs that change the adversarial loss: least squares, hinge, relativistic average."""

import keras

from kerasgan.models.dcgan import DCGAN


@keras.saving.register_keras_serializable(package="kerasgan")
class LSGAN(DCGAN):
    """Least squares GAN (Mao et al. 2017), with the 0-1 coding a = 0, b = c = 1.

    D minimizes ½E[(D(x) - 1)²] + ½E[D(G(z))²] and G minimizes
    ½E[(D(G(z)) - 1)²]: fakes on the right side of the boundary but far from
    the real data are still penalized, which gives G gradients where the
    sigmoid cross-entropy saturates (the paper's Pearson χ² argument).

    Reference:
        Mao et al., Least Squares Generative Adversarial Networks, ICCV 2017.
        https://arxiv.org/abs/1611.04076
    """

    def __init__(self, generator=None, discriminator=None, loss="least_squares", **kwargs):
        super().__init__(generator, discriminator, loss=loss, **kwargs)


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

    def build_discriminator(self):
        return super().build_discriminator(normalization="none", spectral_norm=True)


@keras.saving.register_keras_serializable(package="kerasgan")
class RaGAN(DCGAN):
    """Relativistic average GAN (Jolicoeur-Martineau 2018), RaSGAN.

    D estimates how much more realistic a real image is than the average fake
    (and vice versa): D̃(x) = σ(C(x) - E[C(G(z))]). Both networks use both
    batches: G also pushes real images to look less real than the average fake,
    so the generator's update depends on the real data too.

    Reference:
        Jolicoeur-Martineau, The relativistic discriminator: a key element
        missing from standard GAN, ICLR 2019. https://arxiv.org/abs/1807.00734
    """

    def __init__(self, generator=None, discriminator=None, loss="relativistic_average", **kwargs):
        super().__init__(generator, discriminator, loss=loss, **kwargs)
