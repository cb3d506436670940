"""WGAN: a preset of the Wasserstein loss, weight clipping and five critic steps."""

import keras

from kerasgan.models.dcgan import DCGAN
from kerasgan.parts import WeightClip


@keras.saving.register_keras_serializable(package="kerasgan")
class WGAN(DCGAN):
    """Wasserstein GAN (Arjovsky, Chintala, Bottou 2017), Algorithm 1.

    The critic D (a linear output, no sigmoid) maximizes E[D(x)] - E[D(G(z))],
    an estimate of the Wasserstein-1 distance when D is 1-Lipschitz; the
    Lipschitz constraint is enforced crudely by clipping every critic weight to
    [-c, c] after each update. The generator minimizes -E[D(G(z))]. The paper's
    defaults: c = 0.01 (`WeightClip(0.01)`), n_critic = 5 (`d_steps`), RMSprop
    with learning rate 5e-5. The logged `d_loss` is E[D(G(z))] - E[D(x)], minus
    the Wasserstein estimate.

    With `d_steps=5`, each fit() batch holds 5 critic minibatches: a batch of
    320 gives the paper's m = 64.

    Reference:
        Arjovsky, Chintala, Bottou, Wasserstein GAN, ICML 2017.
        https://arxiv.org/abs/1701.07875
    """

    def __init__(self, generator=None, discriminator=None, loss="wasserstein", constraints=None, d_steps=5, **kwargs):
        constraints = [WeightClip(0.01)] if constraints is None else constraints
        super().__init__(generator, discriminator, loss=loss, constraints=constraints, d_steps=d_steps, **kwargs)

    def default_optimizers(self):
        return keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5)
