"""ESRGAN: RRDB generator, relativistic average discriminator, L1 + perceptual + adversarial (Wang et al. 2018)."""

import keras
from keras import ops

from kerasgan.models.srgan import SRGAN
from kerasgan.networks import super_resolution as nets
from kerasgan.parts import L1Reconstruction, Perceptual


@keras.saving.register_keras_serializable(package="kerasgan")
class ESRGAN(SRGAN):
    """ESRGAN (Wang et al. 2018): an RRDB generator without BN against a relativistic average discriminator.

    The generator's loss (Eq. 3) is L_percep + λ·L_G^Ra + η·L1 with λ = 5·10⁻³
    and η = 10⁻²: L_percep the L1 distance of VGG19 conv5_4 features *before*
    the activation (`Perceptual(..., before_activation=True, criterion="l1")`),
    L_G^Ra the relativistic average generator loss (Eq. 2, `loss=Relativistic(average=True)`)
    and L1 the pixel loss (`L1Reconstruction(1e-2)`). D_Ra(x_r, x_f) =
    σ(C(x_r) - E[C(x_f)]); D minimizes the RaSGAN loss (Eq. 1). Start from the
    PSNR-oriented model (`SRResNet(generator=rrdb_generator(...), pixel_loss="l1")`,
    `initialize_from`), and blend the two afterwards with `interpolate_weights`.

    Args:
        generator: the upscaling network; `rrdb_generator` when None.
        n_blocks: RRDBs of the default generator (23 in the paper).
        filters, growth, residual_scaling: of the RRDBs (64, 32, 0.2).
        hr_size: HR patch side (128 in the paper).
        adversarial_weight: λ.
        extractor: of the perceptual term, see `SRGAN`.
        objectives: default the perceptual and pixel terms above.
        **kwargs: see `SRGAN`.

    Reference:
        Wang et al., ESRGAN: Enhanced Super-Resolution Generative Adversarial
        Networks, ECCV Workshops 2018, Section 3 and 4.1. https://arxiv.org/abs/1809.00219
    """

    def __init__(
        self,
        generator=None,
        hr_size=128,
        n_blocks=23,
        growth=32,
        residual_scaling=0.2,
        loss=None,
        adversarial_weight=5e-3,
        **kwargs,
    ):
        self.growth, self.residual_scaling = growth, residual_scaling
        loss = _relativistic_average() if loss is None else loss
        super().__init__(
            generator=generator,
            hr_size=hr_size,
            n_blocks=n_blocks,
            loss=loss,
            adversarial_weight=adversarial_weight,
            **kwargs,
        )

    def default_generator(self):
        return nets.rrdb_generator(
            self.scale, self.channels, self.n_blocks, self.filters, self.growth, self.residual_scaling, name="generator"
        )

    @staticmethod
    def default_objectives(extractor="vgg19"):
        return [
            Perceptual(extractor, "block5_conv4", before_activation=True, criterion="l1", preprocess="vgg"),
            L1Reconstruction(1e-2),
        ]

    def default_optimizers(self):
        # Wang et al. 2018, Section 4.1: Adam, beta_1 0.9, beta_2 0.999, learning rate 1e-4.
        return keras.optimizers.Adam(1e-4, beta_1=0.9), keras.optimizers.Adam(1e-4, beta_1=0.9)

    def get_config(self):
        return {**super().get_config(), "growth": self.growth, "residual_scaling": self.residual_scaling}


def _relativistic_average():
    from kerasgan.parts import Relativistic

    return Relativistic(average=True)


def interpolate_weights(a, b, alpha):
    """ESRGAN's network interpolation: a copy of network `b` with weights (1 - α)·θ_a + α·θ_b.

    `a` is the PSNR-oriented network, `b` the GAN-trained one (or models with
    a `generator`); α in [0, 1] trades PSNR (α = 0) for perceptual quality
    (α = 1) without retraining (Wang et al. 2018, Section 3.4, Eq. 4).
    """
    a, b = getattr(a, "generator", a), getattr(b, "generator", b)
    alpha = float(alpha)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"interpolate_weights: alpha must be in [0, 1]; got {alpha}.")
    if [tuple(v.shape) for v in a.weights] != [tuple(v.shape) for v in b.weights]:
        raise ValueError("interpolate_weights: the two networks must have the same architecture (same weight shapes).")
    blended = keras.models.clone_model(b)
    for target, wa, wb in zip(blended.weights, a.weights, b.weights):
        target.assign((1.0 - alpha) * ops.convert_to_numpy(wa) + alpha * ops.convert_to_numpy(wb))
    return blended
