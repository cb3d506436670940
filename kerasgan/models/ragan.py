"""RaGAN: a preset of the relativistic average loss."""

import keras

from kerasgan.models.dcgan import DCGAN
from kerasgan.parts import Relativistic


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

    def __init__(self, generator=None, discriminator=None, loss=None, **kwargs):
        super().__init__(generator, discriminator, loss=Relativistic(average=True) if loss is None else loss, **kwargs)
