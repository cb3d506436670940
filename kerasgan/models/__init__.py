"""GAN algorithms: `keras.Model` subclasses trained with compile() / fit()."""

from kerasgan.models.dcgan import DCGAN
from kerasgan.models.divergences import LSGAN, HingeGAN, RaGAN
from kerasgan.models.gan import GAN
from kerasgan.models.wgan import WGAN, WGANGP

#: CLI names of the models.
MODELS = {
    "gan": GAN,
    "dcgan": DCGAN,
    "wgan": WGAN,
    "wgan_gp": WGANGP,
    "lsgan": LSGAN,
    "hinge_gan": HingeGAN,
    "ragan": RaGAN,
}

__all__ = ["DCGAN", "GAN", "HingeGAN", "LSGAN", "MODELS", "RaGAN", "WGAN", "WGANGP"]
