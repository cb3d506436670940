"""f-GAN: the GAN procedure on the variational bound of an f-divergence (a preset of the `FDivergence` loss)."""

import keras

from kerasgan.models.dcgan import DCGAN
from kerasgan.parts import FDivergence


@keras.saving.register_keras_serializable(package="kerasgan")
class FGAN(DCGAN):
    """f-GAN (Nowozin et al. 2016): D estimates D_f(P‖Q) by its variational bound, G minimizes the estimate.

    Each step takes one gradient step for both networks on
    F(θ, ω) = E_P[g_f(V_ω(x))] − E_Q[f*(g_f(V_ω(G_θ(z))))] (Eq. 6, Algorithm 1
    with one step each): D ascends F, G descends it (or, with `alternative`,
    ascends E_Q[g_f(V)], Section 3.2). The networks are DCGAN's.

    Args:
        divergence: the f-divergence, one of `kerasgan.losses.f_divergence.DIVERGENCES`
            ("pearson" by default; "gan" is the original GAN's objective).
        alternative: True (default): G maximizes E_Q[g_f(V)], Section 3.2's
            alternative; False: G minimizes F, the saddle point. The saddle
            point's generator term saturates where D rejects the fakes for
            most divergences (for squared Hellinger its gradient is exp(v)),
            and for Pearson χ² it points the wrong way below v = −2.
        **kwargs: the `DCGAN` / `GAN` arguments except `loss`.

    Example:
        ```python
        gan = kerasgan.models.FGAN.for_images((28, 28, 1), divergence="squared_hellinger")
        gan.compile()
        gan.fit(kerasgan.data.load_dataset("mnist"), epochs=25)
        ```

    Reference:
        Nowozin, Cseke & Tomioka, f-GAN: Training Generative Neural Samplers
        using Variational Divergence Minimization, NeurIPS 2016.
        https://arxiv.org/abs/1606.00709
    """

    def __init__(self, generator=None, discriminator=None, divergence="pearson", alternative=True, **kwargs):
        if "loss" in kwargs:
            raise ValueError(
                "FGAN's loss is its divergence: pass divergence=... (and alternative=...), not loss=; "
                "or use DCGAN(loss=FDivergence(...))."
            )
        self.divergence, self.alternative = divergence, bool(alternative)
        loss = FDivergence(divergence, alternative)
        super().__init__(generator, discriminator, loss=loss, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["loss"]  # the divergence and alternative are the loss
        return {**config, "divergence": self.divergence, "alternative": self.alternative}
