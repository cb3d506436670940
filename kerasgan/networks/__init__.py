"""Network builders: functions returning functional `keras.Model`s, shapes as arguments.

They know nothing about losses or training.
"""

from kerasgan.networks.classifier import small_classifier
from kerasgan.networks.dcgan import dcgan_discriminator, dcgan_generator, dcgan_depth
from kerasgan.networks.layers import Maxout, MinibatchDiscrimination, MinibatchStdDev, ReflectionPadding2D
from kerasgan.networks.mlp import mlp_discriminator, mlp_generator
from kerasgan.networks.translation import patchgan_discriminator, resnet_generator, unet_generator

__all__ = [
    "Maxout",
    "MinibatchDiscrimination",
    "MinibatchStdDev",
    "ReflectionPadding2D",
    "dcgan_depth",
    "dcgan_discriminator",
    "dcgan_generator",
    "mlp_discriminator",
    "mlp_generator",
    "patchgan_discriminator",
    "resnet_generator",
    "small_classifier",
    "unet_generator",
]
