"""WGAN-GP: a preset of the Wasserstein loss, the gradient penalty and five critic steps."""

import keras

from kerasgan.models.dcgan import DCGAN
from kerasgan.parts import GradientPenalty


@keras.saving.register_keras_serializable(package="kerasgan")
class WGANGP(DCGAN):
    """WGAN with gradient penalty (Gulrajani et al. 2017), Algorithm 1.

    The critic loss is E[D(G(z))] - E[D(x)] + λ·E[(‖∇D(x̂)‖₂ - 1)²] with
    x̂ = εx + (1-ε)G(z), ε ~ U[0, 1] per sample. The paper's defaults: λ = 10
    (`GradientPenalty(10)`), n_critic = 5 (`d_steps`), Adam(1e-4, β1 = 0,
    β2 = 0.9), and no BatchNorm in the critic (it makes the penalty wrong: the
    gradient of one sample would depend on the others); layer normalization
    instead, or none.

    Args:
        critic_normalization: "layer" (default, the paper's suggestion) or
            "none"; used only when the critic is built here.
        **kwargs: the `DCGAN` / `GAN` arguments.

    Reference:
        Gulrajani et al., Improved Training of Wasserstein GANs, NeurIPS 2017.
        https://arxiv.org/abs/1704.00028
    """

    def __init__(
        self,
        generator=None,
        discriminator=None,
        loss="wasserstein",
        regularizers=None,
        d_steps=5,
        critic_normalization="layer",
        **kwargs,
    ):
        if critic_normalization not in ("layer", "none"):
            raise ValueError(
                "WGAN-GP's critic must not use BatchNorm (the penalty is per sample); "
                f"use critic_normalization='layer' or 'none', not {critic_normalization!r}."
            )
        self.critic_normalization = critic_normalization
        regularizers = [GradientPenalty(10.0)] if regularizers is None else regularizers
        super().__init__(generator, discriminator, loss=loss, regularizers=regularizers, d_steps=d_steps, **kwargs)

    def discriminator_options(self):
        return {**super().discriminator_options(), "normalization": self.critic_normalization}

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
        )

    def get_config(self):
        return {**super().get_config(), "critic_normalization": self.critic_normalization}
