"""GAN algorithms: `keras.Model` subclasses trained with compile() / fit(), one public class per file."""

from kerasgan.models.acgan import ACGAN
from kerasgan.models.adversarial_autoencoder import AdversarialAutoencoder, LabelledPriorAAE, SemiSupervisedAAE
from kerasgan.models.base import AdversarialModel
from kerasgan.models.began import BEGAN
from kerasgan.models.bigan import BiGAN
from kerasgan.models.class_conditional import ClassConditional, ClassLabels
from kerasgan.models.conditional_gan import ConditionalGAN
from kerasgan.models.cycle_gan import CycleGAN
from kerasgan.models.dcgan import DCGAN
from kerasgan.models.discogan import DiscoGAN
from kerasgan.models.ebgan import EBGAN
from kerasgan.models.esrgan import ESRGAN, interpolate_weights
from kerasgan.models.fgan import FGAN
from kerasgan.models.gan import GAN
from kerasgan.models.gan_cls import GANCLS
from kerasgan.models.hinge_gan import HingeGAN
from kerasgan.models.image_translation import ImageTranslation
from kerasgan.models.infogan import InfoGAN
from kerasgan.models.lsgan import LSGAN
from kerasgan.models.pix2pix import Pix2Pix
from kerasgan.models.progan import ProGAN, ProgressiveGrowth, growth_schedule
from kerasgan.models.ragan import RaGAN
from kerasgan.models.srgan import SRGAN
from kerasgan.models.srresnet import SRResNet
from kerasgan.models.stackgan import StackGAN
from kerasgan.models.stylegan import StyleGAN
from kerasgan.models.stylegan2 import StyleGAN2
from kerasgan.models.super_resolution import SuperResolution
from kerasgan.models.unrolled_gan import UnrolledGAN
from kerasgan.models.wgan import WGAN
from kerasgan.models.wgan_gp import WGANGP

#: CLI names of the models.
MODELS = {
    "gan": GAN,
    "dcgan": DCGAN,
    "wgan": WGAN,
    "wgan_gp": WGANGP,
    "progan": ProGAN,
    "stylegan": StyleGAN,
    "stylegan2": StyleGAN2,
    "lsgan": LSGAN,
    "hinge_gan": HingeGAN,
    "ragan": RaGAN,
    "unrolled_gan": UnrolledGAN,
    "bigan": BiGAN,
    "aae": AdversarialAutoencoder,
    "aae_labels": LabelledPriorAAE,
    "aae_semi": SemiSupervisedAAE,
    "fgan": FGAN,
    "ebgan": EBGAN,
    "began": BEGAN,
    "cgan": ConditionalGAN,
    "acgan": ACGAN,
    "infogan": InfoGAN,
    "gan_cls": GANCLS,
    "stackgan": StackGAN,
    "pix2pix": Pix2Pix,
    "cyclegan": CycleGAN,
    "discogan": DiscoGAN,
    "srresnet": SRResNet,
    "srgan": SRGAN,
    "esrgan": ESRGAN,
}

__all__ = [
    "ACGAN",
    "AdversarialAutoencoder",
    "AdversarialModel",
    "BiGAN",
    "BEGAN",
    "ClassConditional",
    "ClassLabels",
    "ConditionalGAN",
    "CycleGAN",
    "DCGAN",
    "DiscoGAN",
    "EBGAN",
    "FGAN",
    "ESRGAN",
    "GAN",
    "GANCLS",
    "HingeGAN",
    "ImageTranslation",
    "InfoGAN",
    "LabelledPriorAAE",
    "LSGAN",
    "MODELS",
    "Pix2Pix",
    "ProGAN",
    "StyleGAN",
    "StyleGAN2",
    "ProgressiveGrowth",
    "RaGAN",
    "SemiSupervisedAAE",
    "UnrolledGAN",
    "SRGAN",
    "SRResNet",
    "StackGAN",
    "SuperResolution",
    "WGAN",
    "WGANGP",
    "growth_schedule",
    "interpolate_weights",
]
