"""Adversarial losses as parts: one object holds both networks' terms and what they need.

Each class pairs a discriminator loss and a generator loss from
`kerasgan.losses` (the formulas, as pure functions on logits) and states its
capabilities as class attributes, which the models read:

- `needs_real_logits`: the generator's term also reads D's logits on the real
  batch (the relativistic losses);
- `shift_invariant`: adding a constant to every logit changes neither loss, so
  the default discriminators drop the logit's bias;
- `uses_targets`: the discriminator's term reads the real/fake targets, so
  `LabelSmoothing`, `LabelNoise` and `LabelFlip` apply.

Your own loss: subclass `AdversarialLoss`, implement `discriminator_loss` and
`generator_loss`, and register it (`@kerasgan.parts.register("my_loss")`).
"""

from keras import ops

from kerasgan import losses as formulas
from kerasgan.losses import f_divergence
from kerasgan.parts.part import Part
from kerasgan.parts.registry import get, register
from kerasgan.utils import checks


class AdversarialLoss(Part):
    """Base of the adversarial losses: `discriminator_loss` and `generator_loss` on logits."""

    kind = "loss"
    needs_real_logits = False
    shift_invariant = False
    uses_targets = True
    #: the generator matches discriminator features instead of reading its logits (FeatureMatching)
    matches_features = False

    def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
        raise NotImplementedError

    def generator_loss(self, fake_logits, real_logits=None):
        raise NotImplementedError


@register("non_saturating")
class NonSaturating(AdversarialLoss):
    """The GAN loss with the non-saturating generator term: D minimizes BCE, G maximizes log D(G(z)).

    Reference:
        Goodfellow et al., Generative Adversarial Nets, NeurIPS 2014, Section 3.
        https://arxiv.org/abs/1406.2661
    """

    remedies = {
        "discriminator_overpowering": "a loss whose generator gradient does not vanish: loss='non_saturating' instead of 'minimax'"
    }

    def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
        return formulas.discriminator_loss(real_logits, fake_logits, real_targets, fake_targets)

    def generator_loss(self, fake_logits, real_logits=None):
        return formulas.non_saturating_generator_loss(fake_logits)


@register("minimax")
class Minimax(NonSaturating):
    """The paper's minimax game: G minimizes E[log(1 - D(G(z)))] (saturates when D wins).

    Reference:
        Goodfellow et al. 2014, Eq. 1. https://arxiv.org/abs/1406.2661
    """

    remedies = {}

    def generator_loss(self, fake_logits, real_logits=None):
        return formulas.minimax_generator_loss(fake_logits)


@register("wasserstein")
class Wasserstein(AdversarialLoss):
    """Wasserstein critic: D maximizes E[D(x)] - E[D(G(z))], G minimizes -E[D(G(z))].

    Needs a Lipschitz constraint on D: `WeightClip`, `GradientPenalty` or a
    spectrally normalized critic. The logged `d_loss` is minus the estimate of
    the Wasserstein-1 distance.

    Reference:
        Arjovsky, Chintala & Bottou, Wasserstein GAN, ICML 2017, Algorithm 1.
        https://arxiv.org/abs/1701.07875
    """

    shift_invariant = True
    uses_targets = False
    remedies = {
        "discriminator_overpowering": "loss='wasserstein' with regularizers=[GradientPenalty(10)] (WGANGP)",
        "mode_collapse": "a loss with useful gradients everywhere: loss='wasserstein' with regularizers=[GradientPenalty(10)] (WGANGP)",
        "oscillation": "loss='wasserstein' with regularizers=[GradientPenalty(10)]",
    }

    def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
        return formulas.wasserstein_discriminator_loss(real_logits, fake_logits)

    def generator_loss(self, fake_logits, real_logits=None):
        return formulas.wasserstein_generator_loss(fake_logits)


@register("hinge")
class Hinge(AdversarialLoss):
    """Hinge loss: D minimizes E[relu(1 - D(x))] + E[relu(1 + D(G(z)))], G minimizes -E[D(G(z))].

    References:
        Lim & Ye, Geometric GAN, 2017. https://arxiv.org/abs/1705.02894
        Miyato et al., Spectral Normalization for GANs, ICLR 2018. https://arxiv.org/abs/1802.05957
    """

    uses_targets = False
    remedies = {
        "discriminator_overpowering": "loss='hinge'",
        "mode_collapse": "loss='hinge'",
    }

    def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
        return formulas.hinge_discriminator_loss(real_logits, fake_logits)

    def generator_loss(self, fake_logits, real_logits=None):
        return formulas.hinge_generator_loss(fake_logits)


@register("least_squares")
class LeastSquares(AdversarialLoss):
    """Least squares (LSGAN, 0-1 coding): D ½E[(D(x) - 1)²] + ½E[D(G(z))²], G ½E[(D(G(z)) - 1)²].

    Reference:
        Mao et al., Least Squares Generative Adversarial Networks, ICCV 2017.
        https://arxiv.org/abs/1611.04076
    """

    def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
        return formulas.least_squares_discriminator_loss(real_logits, fake_logits, real_targets, fake_targets)

    def generator_loss(self, fake_logits, real_logits=None):
        return formulas.least_squares_generator_loss(fake_logits)


@register("relativistic")
class Relativistic(AdversarialLoss):
    """Relativistic losses: D judges whether real data is more realistic than fake (RSGAN), or than the average fake (RaSGAN).

    Args:
        average: False: each real sample is paired with one fake, BCE(C(x_r) -
            C(x_f), 1) (RSGAN); True: each is compared with the batch mean of
            the other side (RaSGAN).

    Reference:
        Jolicoeur-Martineau, The relativistic discriminator: a key element
        missing from standard GAN, ICLR 2019. https://arxiv.org/abs/1807.00734
    """

    needs_real_logits = True
    # Both forms compare logits by their difference, so a constant shift cancels.
    shift_invariant = True

    def __init__(self, average=False, **kwargs):
        super().__init__(**kwargs)
        self.average = bool(average)

    def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
        if self.average:
            return formulas.relativistic_average_discriminator_loss(
                real_logits, fake_logits, real_targets, fake_targets
            )
        return formulas.relativistic_discriminator_loss(real_logits, fake_logits, real_targets)

    def generator_loss(self, fake_logits, real_logits=None):
        if self.average:
            return formulas.relativistic_average_generator_loss(fake_logits, real_logits)
        return formulas.relativistic_generator_loss(fake_logits, real_logits)

    def get_config(self):
        return {**super().get_config(), "average": self.average}


@register("feature_matching")
class FeatureMatching(AdversarialLoss):
    """Feature matching: G matches the batch mean of D's last hidden layer on real data (Salimans et al. 2016).

    The discriminator keeps the loss `base`; the generator minimizes
    ‖E[f(x)] - E[f(G(z))]‖² for the features f the logit is computed from
    (a functional discriminator whose logit layer is named "logit", or whose
    last layer is).

    Args:
        base: the discriminator's loss (a name or an `AdversarialLoss`).

    Reference:
        Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016,
        Section 3.1. https://arxiv.org/abs/1606.03498
    """

    matches_features = True
    remedies = {"mode_collapse": "loss=FeatureMatching()"}

    def __init__(self, base="non_saturating", **kwargs):
        super().__init__(**kwargs)
        self.base = get(base, "loss")
        if self.base.matches_features or self.base.needs_real_logits:
            raise ValueError(
                f"FeatureMatching: base must be a loss on logits without real logits; got {self.base.alias!r}."
            )

    @property
    def shift_invariant(self):
        return self.base.shift_invariant

    @property
    def uses_targets(self):
        return self.base.uses_targets

    def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
        return self.base.discriminator_loss(real_logits, fake_logits, real_targets, fake_targets)

    def generator_loss(self, real_features, fake_features):
        return formulas.feature_matching_loss(real_features, fake_features)

    def get_config(self):
        from keras.saving import serialize_keras_object

        return {**super().get_config(), "base": serialize_keras_object(self.base)}


@register("fgan")
class FDivergence(AdversarialLoss):
    """f-GAN: D maximizes the variational bound F = E_P[g_f(V(x))] − E_Q[f*(g_f(V(G(z))))] of D_f(P‖Q), G minimizes it.

    The discriminator's logit is the paper's V; g_f and f* are those of the
    paper's Table 2 for each divergence (see `kerasgan.losses.f_divergence`,
    which computes f*(g_f(v)) in forms finite for every logit). The logged
    `d_loss` is −F, minus the estimate of the divergence.

    Args:
        divergence: "kl", "reverse_kl", "pearson", "neyman",
            "squared_hellinger", "jensen_shannon", "total_variation" or "gan".
        alternative: False: G minimizes F (the saddle point of Eq. 6, whose
            term is −E_Q[f*(g_f(V))]); True: G maximizes E_Q[g_f(V(G(z)))]
            (Section 3.2's alternative, the analogue of the non-saturating loss).

    Reference:
        Nowozin, Cseke & Tomioka, f-GAN: Training Generative Neural Samplers
        using Variational Divergence Minimization, NeurIPS 2016, Eq. 6 and
        Table 2. https://arxiv.org/abs/1606.00709
    """

    uses_targets = False

    def __init__(self, divergence="pearson", alternative=False, **kwargs):
        super().__init__(**kwargs)
        self.divergence = f_divergence.check_divergence(divergence)
        self.alternative = bool(alternative)

    def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
        return f_divergence.f_discriminator_loss(self.divergence, real_logits, fake_logits)

    def generator_loss(self, fake_logits, real_logits=None):
        return f_divergence.f_generator_loss(self.divergence, fake_logits, self.alternative)

    def get_config(self):
        return {**super().get_config(), "divergence": self.divergence, "alternative": self.alternative}


@register("ebgan")
class EnergyMargin(AdversarialLoss):
    """EBGAN's margin loss on energies E (the discriminator outputs E ≥ 0, e.g. an autoencoder's reconstruction error).

    D minimizes E[E(x)] + E[max(0, m − E(G(z)))]; G minimizes E[E(G(z))]
    (Zhao et al. 2017, Eqs. 1–2). Pair it with `PullingAway` for the
    generator's pulling-away term.

    Args:
        margin: m. The energies of `kerasgan.networks.autoencoder_discriminator`
            are per-pixel means, so m is on that scale (images in [−1, 1]).

    Reference:
        Zhao, Mathieu & LeCun, Energy-based Generative Adversarial Network,
        ICLR 2017. https://arxiv.org/abs/1609.03126
    """

    uses_targets = False

    def __init__(self, margin=1.0, **kwargs):
        super().__init__(**kwargs)
        self.margin = checks.positive("EnergyMargin", "margin", margin)

    def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
        real, fake = (ops.cast(t, "float32") for t in (real_logits, fake_logits))
        return ops.mean(real) + ops.mean(ops.relu(self.margin - fake))

    def generator_loss(self, fake_logits, real_logits=None):
        return ops.mean(ops.cast(fake_logits, "float32"))

    def get_config(self):
        return {**super().get_config(), "margin": self.margin}


@register("began")
class BoundaryEquilibrium(AdversarialLoss):
    """BEGAN's objective on autoencoder losses L (the discriminator outputs L(v) = mean |v − D(v)|), with k_t's control.

    D minimizes L(x) − k_t·L(G(z)), G minimizes L(G(z)); after each
    discriminator step k_{t+1} = clip(k_t + λ_k (γ L(x) − L(G(z))), 0, 1),
    which keeps E[L(G(z))] = γ E[L(x)]. The convergence measure
    M_global = L(x) + |γ L(x) − L(G(z))| (Eq. 5 of the paper, a usable
    training curve) and k_t are logged as `m_global` and `k`. Both fall as
    the model converges; k_t is saved with the model.

    Args:
        gamma: γ, the diversity ratio E[L(G(z))] / E[L(x)] (the paper shows 0.3–0.7).
        lambda_k: λ_k, the proportional gain of k_t (0.001).

    Reference:
        Berthelot, Schumm & Metz, BEGAN: Boundary Equilibrium Generative
        Adversarial Networks, 2017, Eqs. 4–5. https://arxiv.org/abs/1703.10717
    """

    uses_targets = False
    d_metrics = ("k", "m_global")
    remedies = {
        "mode_collapse": (
            "BEGAN: a larger lambda_k (k_t reacts faster; the paper's 0.001 needs long runs) or gamma (more diversity)"
        )
    }

    def __init__(self, gamma=0.5, lambda_k=0.001, **kwargs):
        super().__init__(**kwargs)
        self.gamma = checks.in_range("BoundaryEquilibrium", "gamma", gamma, 0.0, 1.0 + 1e-9)
        self.lambda_k = checks.nonnegative("BoundaryEquilibrium", "lambda_k", lambda_k)

    def attach(self, model, seed=None):
        super().attach(model, seed)
        scalar = {"shape": (), "initializer": "zeros", "trainable": False, "aggregation": "only_first_replica"}
        self.k = self.add_weight(name="k", **scalar)  # k_0 = 0, as in the paper
        self.m_global = self.add_weight(name="m_global", **scalar)

    def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
        return ops.mean(ops.cast(real_logits, "float32")) - self.k * ops.mean(ops.cast(fake_logits, "float32"))

    def generator_loss(self, fake_logits, real_logits=None):
        return ops.mean(ops.cast(fake_logits, "float32"))

    def observe_logits(self, model, real_logits, fake_logits):
        real, fake = formulas.global_batch_mean(real_logits), formulas.global_batch_mean(fake_logits)
        balance = self.gamma * real - fake
        self.k.assign(ops.clip(self.k + self.lambda_k * balance, 0.0, 1.0))
        self.m_global.assign(real + ops.abs(balance))

    def discriminator_metrics(self, model):
        return {"k": self.k, "m_global": self.m_global}

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "lambda_k": self.lambda_k}
