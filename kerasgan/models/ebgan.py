"""EBGAN: an autoencoder discriminator as an energy, the margin loss and the pulling-away term (a preset of parts)."""

import keras

from kerasgan.models.dcgan import DCGAN
from kerasgan.networks import autoencoder_discriminator
from kerasgan.parts import EnergyMargin, PullingAway


@keras.saving.register_keras_serializable(package="kerasgan")
class EBGAN(DCGAN):
    """Energy-based GAN (Zhao et al. 2017): D's energy is its reconstruction error, low on data, high on fakes.

    E(v) = mean ‖v − Dec(Enc(v))‖² over pixels; D minimizes
    E(x) + max(0, m − E(G(z))), G minimizes E(G(z)) + λ_PT f_PT(Enc(G(z)))
    (Eqs. 1, 2 and 5; `EnergyMargin` and `PullingAway`). `d_acc_real` /
    `d_acc_fake` read the energy as a logit and carry no meaning here.

    Args:
        margin: m, on the scale of a per-pixel mean squared error (1.0).
        pt_weight: λ_PT (0.1, the paper's); 0 drops the term.
        code_dim: the autoencoder's code size (64).
        **kwargs: the `DCGAN` / `GAN` arguments except `loss`.

    Reference:
        Zhao, Mathieu & LeCun, Energy-based Generative Adversarial Network,
        ICLR 2017. https://arxiv.org/abs/1609.03126
    """

    def __init__(self, generator=None, discriminator=None, margin=1.0, pt_weight=0.1, code_dim=64, **kwargs):
        if "loss" in kwargs:
            raise ValueError("EBGAN's loss is EnergyMargin(margin): pass margin=, not loss=.")
        self.margin, self.pt_weight, self.code_dim = margin, pt_weight, int(code_dim)
        regularizers = list(kwargs.pop("regularizers", None) or [])
        if pt_weight and not any(getattr(r, "alias", r) == "pulling_away" for r in regularizers):
            regularizers.append(PullingAway(pt_weight))
        super().__init__(generator, discriminator, loss=EnergyMargin(margin), regularizers=regularizers, **kwargs)

    def build_discriminator(self):
        return autoencoder_discriminator(
            self.seen_shape(self.image_shape), self.base_filters, self.code_dim, distance="l2"
        )

    def get_config(self):
        config = super().get_config()
        del config["loss"]
        return {**config, "margin": self.margin, "pt_weight": self.pt_weight, "code_dim": self.code_dim}
