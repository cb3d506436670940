"""GAN algorithms: `keras.Model` subclasses trained with compile() / fit()."""

from kerasgan.models.dcgan import DCGAN
from kerasgan.models.gan import GAN

#: CLI names of the models.
MODELS = {"gan": GAN, "dcgan": DCGAN}

__all__ = ["DCGAN", "GAN", "MODELS"]
