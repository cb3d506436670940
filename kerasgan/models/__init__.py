"""GAN algorithms: `keras.Model` subclasses trained with compile() / fit()."""

from kerasgan.models.conditional import ACGAN, ConditionalGAN, InfoGAN
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
    "cgan": ConditionalGAN,
    "acgan": ACGAN,
    "infogan": InfoGAN,
}

__all__ = ["ACGAN", "ConditionalGAN", "DCGAN", "GAN", "HingeGAN", "InfoGAN", "LSGAN", "MODELS", "RaGAN", "WGAN", "WGANGP"]
