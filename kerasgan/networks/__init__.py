"""Network builders: functions returning functional `keras.Model`s, shapes as arguments.

They know nothing about losses or training.
"""

from kerasgan.networks.autoencoder import ReconstructionEnergy, autoencoder_discriminator
from kerasgan.networks.bigan import bigan_discriminator, bigan_encoder
from kerasgan.networks.classifier import small_classifier
from kerasgan.networks.conditional import auxiliary_discriminator, conditional_discriminator, conditional_generator
from kerasgan.networks.dcgan import (
    dcgan_depth,
    dcgan_discriminator,
    dcgan_discriminator_features,
    dcgan_generator,
    dcgan_generator_body,
    dense_output,
)
from kerasgan.networks.layers import (
    ImagePool,
    LabelEncoding,
    Maxout,
    MinibatchDiscrimination,
    MinibatchStdDev,
    PixelShuffle,
    ReflectionPadding2D,
    Scale,
)
from kerasgan.networks.mlp import mlp_discriminator, mlp_generator, point_discriminator, point_generator
from kerasgan.networks.normalization import NORMALIZATIONS, normalization_layer, weight_init
from kerasgan.networks.progan import (
    EqualizedConv2D,
    EqualizedDense,
    GrowingEncoder,
    GrowingSynthesis,
    PixelNormalization,
    progan_discriminator,
    progan_generator,
)
from kerasgan.networks.stylegan import (
    AdaIN,
    ConstantInput,
    ModulatedConv2D,
    NoiseInjection,
    stylegan2_discriminator,
    stylegan2_generator,
    stylegan2_mapping,
    stylegan2_synthesis,
    stylegan_synthesis,
)
from kerasgan.networks.super_resolution import rrdb_generator, srgan_discriminator, srresnet_generator, vgg19_stand_in
from kerasgan.networks.text import (
    caption_vocabulary,
    conditioning_augmentation,
    matching_discriminator,
    stage2_generator,
    text_encoder,
    text_generator,
)
from kerasgan.networks.translation import (
    discogan_discriminator,
    patchgan_discriminator,
    resnet_generator,
    unet_generator,
)

__all__ = [
    "AdaIN",
    "ConstantInput",
    "EqualizedConv2D",
    "EqualizedDense",
    "GrowingEncoder",
    "GrowingSynthesis",
    "PixelNormalization",
    "progan_discriminator",
    "progan_generator",
    "stylegan2_discriminator",
    "stylegan2_generator",
    "stylegan2_mapping",
    "stylegan2_synthesis",
    "stylegan_synthesis",
    "ReconstructionEnergy",
    "autoencoder_discriminator",
    "NORMALIZATIONS",
    "ImagePool",
    "LabelEncoding",
    "Maxout",
    "MinibatchDiscrimination",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "NoiseInjection",
    "PixelShuffle",
    "ReflectionPadding2D",
    "Scale",
    "auxiliary_discriminator",
    "bigan_discriminator",
    "discogan_discriminator",
    "bigan_encoder",
    "conditional_discriminator",
    "conditional_generator",
    "dcgan_depth",
    "dcgan_discriminator",
    "dcgan_discriminator_features",
    "dcgan_generator",
    "dcgan_generator_body",
    "dense_output",
    "normalization_layer",
    "weight_init",
    "mlp_discriminator",
    "mlp_generator",
    "patchgan_discriminator",
    "point_discriminator",
    "point_generator",
    "resnet_generator",
    "rrdb_generator",
    "vgg19_stand_in",
    "small_classifier",
    "srgan_discriminator",
    "srresnet_generator",
    "unet_generator",
    "caption_vocabulary",
    "conditioning_augmentation",
    "matching_discriminator",
    "stage2_generator",
    "text_encoder",
    "text_generator",
]
