"""GAN algorithms: `keras.Model` subclasses trained with compile() / fit()."""

from kerasgan.models.conditional import ACGAN, ConditionalGAN, InfoGAN
from kerasgan.models.dcgan import DCGAN
from kerasgan.models.divergences import LSGAN, HingeGAN, RaGAN
from kerasgan.models.gan import GAN
from kerasgan.models.translation import CycleGAN, ImagePool, LinearDecay, Pix2Pix
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

#: CLI names of the image-to-image translation models; they train on pairs of
#: image folders (`--data-a`, `--data-b`), so the CLI routes them separately.
TRANSLATION_MODELS = {
    "pix2pix": Pix2Pix,
    "cyclegan": CycleGAN,
}

__all__ = [
    "ACGAN",
    "ConditionalGAN",
    "CycleGAN",
    "DCGAN",
    "GAN",
    "HingeGAN",
    "ImagePool",
    "InfoGAN",
    "LSGAN",
    "LinearDecay",
    "MODELS",
    "Pix2Pix",
    "RaGAN",
    "TRANSLATION_MODELS",
    "WGAN",
    "WGANGP",
]
