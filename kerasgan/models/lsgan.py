"""LSGAN: a preset of the least squares loss."""

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
