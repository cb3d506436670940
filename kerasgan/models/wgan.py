"""Wasserstein GANs: weight clipping (WGAN) and gradient penalty (WGAN-GP)."""

import keras

from kerasgan.models.dcgan import DCGAN


@keras.saving.register_keras_serializable(package="kerasgan")
class WGAN(DCGAN):
    """Wasserstein GAN (Arjovsky, Chintala, Bottou 2017), Algorithm 1.

    The critic D (a linear output, no sigmoid) maximizes E[D(x)] - E[D(G(z))],
    an estimate of the Wasserstein-1 distance when D is 1-Lipschitz; the
    Lipschitz constraint is enforced crudely by clipping every critic weight to
    [-c, c] after each update. The generator minimizes -E[D(G(z))]. The paper's
    defaults: c = 0.01, n_critic = 5, RMSprop with learning rate 5e-5. The
    logged `d_loss` is E[D(G(z))] - E[D(x)], minus the Wasserstein estimate.

    With `d_steps=5`, each fit() batch holds 5 critic minibatches: a batch of
    320 gives the paper's m = 64.

    Reference:
        Arjovsky, Chintala, Bottou, Wasserstein GAN, ICML 2017.
        https://arxiv.org/abs/1701.07875
    """

    def __init__(self, generator=None, discriminator=None, loss="wasserstein", clip_value=0.01, d_steps=5, **kwargs):
        super().__init__(generator, discriminator, loss=loss, clip_value=clip_value, d_steps=d_steps, **kwargs)

    def default_optimizers(self):
        return keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5)


@keras.saving.register_keras_serializable(package="kerasgan")
class WGANGP(DCGAN):
    """WGAN with gradient penalty (Gulrajani et al. 2017), Algorithm 1.

    The critic loss is E[D(G(z))] - E[D(x)] + λ·E[(‖∇D(x̂)‖₂ - 1)²] with
    x̂ = εx + (1-ε)G(z), ε ~ U[0, 1] per sample. The paper's defaults: λ = 10,
    n_critic = 5, Adam(1e-4, β1 = 0, β2 = 0.9), and no BatchNorm in the critic
    (it makes the penalty wrong: the gradient of one sample would depend on
    the others); layer normalization instead, or none.

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
        gradient_penalty=10.0,
        d_steps=5,
        critic_normalization="layer",
        **kwargs,
    ):
        if critic_normalization == "batch":
            raise ValueError(
                "WGAN-GP's critic must not use BatchNorm (the penalty is per sample); "
                "use critic_normalization='layer' or 'none'."
            )
        self.critic_normalization = critic_normalization
        super().__init__(
            generator, discriminator, loss=loss, gradient_penalty=gradient_penalty, d_steps=d_steps, **kwargs
        )

    def build_discriminator(self):
        return super().build_discriminator(normalization=self.critic_normalization)

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
        )

    def get_config(self):
        return {**super().get_config(), "critic_normalization": self.critic_normalization}
