"""BEGAN: an autoencoder discriminator and the boundary-equilibrium control k_t (a preset of `BoundaryEquilibrium`)."""

import keras

from kerasgan.models.dcgan import DCGAN
from kerasgan.networks import autoencoder_discriminator
from kerasgan.parts import BoundaryEquilibrium


@keras.saving.register_keras_serializable(package="kerasgan")
class BEGAN(DCGAN):
    """Boundary equilibrium GAN (Berthelot et al. 2017): D autoencodes, G makes images D reconstructs as well as γ·real.

    L(v) = mean |v − D(v)|; D minimizes L(x) − k_t L(G(z)), G minimizes
    L(G(z)), and k_{t+1} = clip(k_t + λ_k (γ L(x) − L(G(z))), 0, 1) (Eq. 4).
    Logged besides the losses: `k` and `m_global` = L(x) + |γ L(x) − L(G(z))|
    (Eq. 5), the paper's convergence measure. The default discriminator is
    `kerasgan.networks.autoencoder_discriminator` (ELU, embedding of
    `code_dim`); one batch of fakes serves both updates (the paper draws z_D
    and z_G separately). `d_acc_real` / `d_acc_fake` read the energy as a
    logit and carry no meaning here.

    Args:
        gamma: γ, the diversity ratio (0.5).
        lambda_k: λ_k (0.001).
        code_dim: the autoencoder's embedding size h (64, the paper's).
        **kwargs: the `DCGAN` / `GAN` arguments except `loss`.

    Reference:
        Berthelot, Schumm & Metz, BEGAN: Boundary Equilibrium Generative
        Adversarial Networks, 2017. https://arxiv.org/abs/1703.10717
    """

    def __init__(self, generator=None, discriminator=None, gamma=0.5, lambda_k=0.001, code_dim=64, **kwargs):
        if "loss" in kwargs:
            raise ValueError(
                "BEGAN's loss is BoundaryEquilibrium(gamma, lambda_k): pass gamma= and lambda_k=, not loss=."
            )
        self.gamma, self.lambda_k, self.code_dim = gamma, lambda_k, int(code_dim)
        super().__init__(generator, discriminator, loss=BoundaryEquilibrium(gamma, lambda_k), **kwargs)

    def build_discriminator(self):
        return autoencoder_discriminator(
            self.seen_shape(self.image_shape), self.base_filters, self.code_dim, distance="l1"
        )

    def default_optimizers(self):
        # The paper: Adam, learning rate 1e-4 (β1 = 0.5 as in the DCGAN recipe).
        return keras.optimizers.Adam(1e-4, beta_1=0.5), keras.optimizers.Adam(1e-4, beta_1=0.5)

    def get_config(self):
        config = super().get_config()
        del config["loss"]
        return {**config, "gamma": self.gamma, "lambda_k": self.lambda_k, "code_dim": self.code_dim}
