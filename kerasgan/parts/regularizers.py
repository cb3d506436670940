"""Regularizers that join a network's loss, and constraints applied after its update.

A regularizer adds named, weighted terms to the discriminator's loss (and,
for `HistoricalAverage`, the generator's); each is logged under its name
(`gp`, `r1`, `dragan`, `hist_d`, `hist_g`). The penalties differentiate the
discriminator through the model's `critic_views(batch)`: one view for a GAN,
one per discriminator for a model with several (the terms add up).

Under mixed float16 the penalties' inner gradient is loss-scaled like the
outer one (`model.loss_scale("discriminator")`).
"""

import math

import keras
from keras import ops

from kerasgan import losses as formulas
from kerasgan.losses import penalties
from kerasgan.parts.part import Part
from kerasgan.parts.registry import register
from kerasgan.utils import checks


class Regularizer(Part):
    kind = "regularizer"


@register("gp")
class GradientPenalty(Regularizer):
    """WGAN-GP's penalty λ·E[(‖∇D(x̂)‖₂ - 1)²] at x̂ = εx + (1 - ε)G(z), ε ~ U[0, 1] per sample; logged as "gp".

    Args:
        weight: λ (10 in the paper).
        one_sided: penalize only norms above 1, E[max(0, ‖∇D(x̂)‖ - 1)²]
            (Petzka et al. 2018).
        seed: seed of the interpolation weights (default: from the model's).

    References:
        Gulrajani et al., Improved Training of Wasserstein GANs, NeurIPS 2017.
        https://arxiv.org/abs/1704.00028
        Petzka, Fischer & Lukovnikov, On the regularization of Wasserstein GANs, ICLR 2018.
    """

    uses_random = True
    d_terms = ("gp",)
    remedies = {
        "oscillation": "regularize D: regularizers=[GradientPenalty(10)]",
        "nonfinite": "bound D: regularizers=[GradientPenalty(10)]",
    }

    def __init__(self, weight=10.0, one_sided=False, **kwargs):
        super().__init__(**kwargs)
        self.weight = checks.nonnegative("GradientPenalty", "weight", weight)
        self.one_sided = bool(one_sided)

    def discriminator_terms(self, model, batch):
        scale = model.loss_scale("discriminator")
        total = 0.0
        for view in model.critic_views(batch):
            epsilon = self.random(keras.random.uniform, (ops.shape(view.real)[0], 1, 1, 1))
            total = total + penalties.gradient_penalty(
                view.critic, view.real, view.fake, epsilon, one_sided=self.one_sided, scale=scale
            )
        return {"gp": self.weight * total}

    def get_config(self):
        return {**super().get_config(), "weight": self.weight, "one_sided": self.one_sided}


@register("drift")
class Drift(Regularizer):
    """ProGAN's drift term ε·E[D(x)²] on real images, which keeps a Wasserstein critic's output near 0; logged as "drift".

    Without it the critic loss is invariant to a constant shift of D, and the
    logits may drift away from zero. Karras et al. (2018) add it to WGAN-GP
    with ε = 0.001.

    Args:
        weight: ε (0.001 in the paper).

    Reference:
        Karras, Aila, Laine, Lehtinen, Progressive Growing of GANs for Improved
        Quality, Stability, and Variation, ICLR 2018, appendix A.1.
        https://arxiv.org/abs/1710.10196
    """

    d_terms = ("drift",)

    def __init__(self, weight=0.001, **kwargs):
        super().__init__(**kwargs)
        self.weight = checks.nonnegative("Drift", "weight", weight)

    def discriminator_terms(self, model, batch):
        total = 0.0
        for view in model.critic_views(batch):
            total = total + ops.mean(ops.square(ops.cast(view.critic(view.real), "float32")))
        return {"drift": self.weight * total}

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


@register("r1")
class R1(Regularizer):
    """R1: γ/2·E[‖∇ₓD(x)‖²] on real data, optionally lazy (every k-th D step, weighted by k); logged as "r1".

    Args:
        gamma: γ (10 for most image sets; StyleGAN2 scales it with the resolution).
        interval: k, lazy regularization: the penalty runs on every k-th
            discriminator step with weight k·γ/2, the others skip it
            (Karras et al. 2020 use 16).

    References:
        Mescheder, Geiger & Nowozin, Which Training Methods for GANs do
        actually Converge?, ICML 2018. https://arxiv.org/abs/1801.04406
        Karras et al., Analyzing and Improving the Image Quality of StyleGAN, CVPR 2020.
    """

    d_terms = ("r1",)
    remedies = {
        "oscillation": "regularize D: regularizers=[R1(10)]",
        "nonfinite": "bound D: regularizers=[R1(10)]",
    }

    def __init__(self, gamma=10.0, interval=1, **kwargs):
        super().__init__(**kwargs)
        self.gamma = checks.nonnegative("R1", "gamma", gamma)
        self.interval = checks.positive_int("R1", "interval", interval)

    def _penalty(self, model, batch):
        scale = model.loss_scale("discriminator")
        weight = 0.5 * self.gamma * self.interval
        return weight * sum(penalties.r1_penalty(v.critic, v.real, scale=scale) for v in model.critic_views(batch))

    def discriminator_terms(self, model, batch):
        if self.interval == 1:
            return {"r1": self._penalty(model, batch)}
        due = ops.equal(model.d_optimizer.iterations % self.interval, 0)
        return {"r1": ops.cond(due, lambda: self._penalty(model, batch), lambda: ops.zeros((), "float32"))}

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "interval": self.interval}


@register("path_length")
class PathLength(Regularizer):
    """StyleGAN2's path-length regularization of the generator, lazily every k-th step: logged as "pl" and "pl_mean".

    E[(‖J_wᵀ y‖₂ − a)²], y ~ N(0, I)/√(H·W), a the running mean of the path
    lengths (a ← a + decay·(E‖J_wᵀ y‖ − a) on every regularized step; a part
    weight, saved with the model), weighted by `weight`·k and run on every
    k-th generator step (`interval`, lazy regularization), on every
    `batch_shrink`-th of the step's latents. The model says how the lengths are
    measured: `model.path_length_view(batch, batch_shrink)` returns (ws, synthesize)
    (StyleGAN2 has it).

    Args:
        weight: w_pl (2 in the paper).
        interval: k (4).
        decay: the running mean's rate (0.01).
        batch_shrink: the share of the batch regularized is 1/batch_shrink (2).
        seed: seed of y (default: from the model's).

    Reference:
        Karras et al., Analyzing and Improving the Image Quality of StyleGAN, CVPR 2020, section 3.2.
        https://arxiv.org/abs/1912.04958
    """

    uses_random = True
    g_terms = ("pl",)
    g_metrics = ("pl_mean",)

    def __init__(self, weight=2.0, interval=4, decay=0.01, batch_shrink=2, **kwargs):
        super().__init__(**kwargs)
        self.weight = checks.nonnegative("PathLength", "weight", weight)
        self.interval = checks.positive_int("PathLength", "interval", interval)
        self.decay = checks.in_range("PathLength", "decay", decay, 0.0, 1.0)
        self.batch_shrink = checks.positive_int("PathLength", "batch_shrink", batch_shrink)

    def attach(self, model, seed=None):
        if not hasattr(model, "path_length_view"):
            raise ValueError(
                f"PathLength regularizes a style-based generator's mapping from w; {type(model).__name__} has no "
                "w space (no path_length_view). Use it with StyleGAN2."
            )
        super().attach(model, seed)
        self.pl_mean = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="pl_mean", aggregation="only_first_replica"
        )

    def lengths(self, model, batch):
        """This step's path lengths on the regularized share of the batch, (share,)."""
        ws, synthesize = model.path_length_view(batch, self.batch_shrink)
        shape = (ops.shape(ws)[0], *model.image_shape)
        noise = self.random(keras.random.normal, shape) / math.sqrt(model.image_shape[0] * model.image_shape[1])
        return penalties.path_lengths(synthesize, ws, noise)

    def generator_terms(self, model, batch):
        if self.weight == 0:
            # as the paper's code (pl_weight 0: no pass at all): the extra synthesis pass would draw from the noise
            # inputs' streams and so change the later steps of a run that the term leaves alone
            return {"pl": ops.zeros((), "float32")}

        # E[(l − a)²] = E[l²] − 2a·E[l] + a²: the branch returns the two moments, and a (an all-reduced mean under
        # tf.distribute, which may not run inside a cond) is formed outside it.
        def moments():
            lengths = self.lengths(model, batch)
            return ops.mean(ops.square(lengths)), ops.mean(lengths), ops.ones((), "float32")

        if self.interval == 1:
            second, first, due = moments()
        else:
            # iterations counts the generator's updates before this one
            zero = ops.zeros((), "float32")
            skip = (zero, zero, zero)
            second, first, due = ops.cond(
                ops.equal(model.g_optimizer.iterations % self.interval, 0), moments, lambda: skip
            )
        observed = formulas.global_batch_mean(ops.stop_gradient(first))
        mean = ops.stop_gradient(self.pl_mean + due * self.decay * (observed - self.pl_mean))
        self.pl_mean.assign(mean)
        term = self.weight * self.interval * due * (second - 2.0 * mean * first + ops.square(mean))
        return {"pl": term}

    def generator_metrics(self, model):
        return {"pl_mean": self.pl_mean}

    def get_config(self):
        return {
            **super().get_config(),
            "weight": self.weight,
            "interval": self.interval,
            "decay": self.decay,
            "batch_shrink": self.batch_shrink,
        }


@register("dragan")
class DRAGAN(Regularizer):
    """DRAGAN: λ·E[(‖∇D(x + δ)‖₂ - 1)²], δ = 0.5·std(x)·U(0, 1) elementwise (std over the global batch); logged as "dragan".

    Args:
        weight: λ (10 in the paper).
        seed: seed of the perturbations (default: from the model's).

    Reference:
        Kodali et al., On Convergence and Stability of GANs, 2017. https://arxiv.org/abs/1705.07215
    """

    uses_random = True
    d_terms = ("dragan",)
    remedies = {"mode_collapse": "penalize sharp gradients around the data: regularizers=[DRAGAN(10)]"}

    def __init__(self, weight=10.0, **kwargs):
        super().__init__(**kwargs)
        self.weight = checks.nonnegative("DRAGAN", "weight", weight)

    def discriminator_terms(self, model, batch):
        scale = model.loss_scale("discriminator")
        total = 0.0
        for view in model.critic_views(batch):
            real = ops.cast(view.real, "float32")
            mean = formulas.global_batch_mean(real)
            std = ops.sqrt(ops.maximum(formulas.global_batch_mean(ops.square(real)) - mean**2, 0.0))
            delta = 0.5 * std * self.random(keras.random.uniform, ops.shape(real))
            total = total + penalties.dragan_penalty(view.critic, real, delta, scale=scale)
        return {"dragan": self.weight * total}

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


@register("historical_average")
class HistoricalAverage(Regularizer):
    """Historical averaging: λ·‖θ - θ̄‖² in each network's loss, θ̄ the running mean of its past weights.

    Logged as "hist_d" and "hist_g". θ̄ is updated after every update of that
    side (θ̄ ← θ̄ + (θ - θ̄)/t, t the optimizer's step count).

    Args:
        weight: λ.

    Reference:
        Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016,
        Section 3.3. https://arxiv.org/abs/1606.03498
    """

    d_terms = ("hist_d",)
    g_terms = ("hist_g",)
    remedies = {
        "mode_collapse": "regularizers=[HistoricalAverage(0.01)]",
        "oscillation": "regularizers=[HistoricalAverage(0.01)]",
    }

    def __init__(self, weight=0.01, **kwargs):
        super().__init__(**kwargs)
        self.weight = checks.nonnegative("HistoricalAverage", "weight", weight)

    def attach(self, model, seed=None):
        self.averages_d = [
            self.add_weight(shape=w.shape, initializer="zeros", trainable=False, name=f"hist_d_{i}")
            for i, w in enumerate(model.d_variables())
        ]
        self.averages_g = [
            self.add_weight(shape=w.shape, initializer="zeros", trainable=False, name=f"hist_g_{i}")
            for i, w in enumerate(model.g_variables())
        ]
        super().attach(model, seed)

    def _term(self, weights, averages):
        return self.weight * sum(ops.sum(ops.square(w - a)) for w, a in zip(weights, averages))

    def discriminator_terms(self, model, batch):
        return {"hist_d": self._term(model.d_variables(), self.averages_d)}

    def generator_terms(self, model, batch):
        return {"hist_g": self._term(model.g_variables(), self.averages_g)}

    @staticmethod
    def _update(weights, averages, optimizer):
        count = ops.cast(optimizer.iterations, "float32")  # updates so far, this one included
        for w, average in zip(weights, averages):
            average.assign(average + (w - average) / count)

    def after_discriminator_update(self, model):
        self._update(model.d_variables(), self.averages_d, model.d_optimizer)

    def after_generator_update(self, model):
        self._update(model.g_variables(), self.averages_g, model.g_optimizer)

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


@register("weight_clip")
class WeightClip(Part):
    """WGAN's weight clipping: after every discriminator update each of its weights is clipped to [-c, c].

    Args:
        clip_value: c (0.01 in the paper).

    Reference:
        Arjovsky, Chintala & Bottou, Wasserstein GAN, ICML 2017, Algorithm 1.
        https://arxiv.org/abs/1701.07875
    """

    kind = "constraint"

    def __init__(self, clip_value=0.01, **kwargs):
        super().__init__(**kwargs)
        self.clip_value = checks.positive("WeightClip", "clip_value", clip_value)

    def after_discriminator_update(self, model):
        for w in model.d_variables():
            w.assign(ops.clip(w, -self.clip_value, self.clip_value))

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value}


@register("pulling_away")
class PullingAway(Regularizer):
    """EBGAN's pulling-away term on the generator: λ·f_PT of the discriminator's codes of the fakes; logged as "pt".

    f_PT(S) = 1/(N(N−1)) Σ_{i≠j} (S_iᵀS_j / (‖S_i‖‖S_j‖))² over the batch's
    codes S (the output of the discriminator's layer named "code", as in
    `kerasgan.networks.autoencoder_discriminator`): it pushes the generated
    samples' codes apart, against mode collapse. The codes are computed by a
    second pass of the encoder over the fakes; under `tf.distribute` the pairs
    are those of the global batch (the replicas' codes gathered), as on one device.

    Args:
        weight: λ_PT (0.1 in the paper).

    Reference:
        Zhao, Mathieu & LeCun, Energy-based GAN, ICLR 2017, Section 2.4 (Eq. 5).
        https://arxiv.org/abs/1609.03126
    """

    g_terms = ("pt",)
    remedies = {"mode_collapse": "with an autoencoder discriminator, regularizers=[PullingAway(0.1)]"}

    def __init__(self, weight=0.1, **kwargs):
        super().__init__(**kwargs)
        self.weight = checks.nonnegative("PullingAway", "weight", weight)

    def attach(self, model, seed=None):
        try:
            code = model.discriminator.get_layer("code").output
        except ValueError:
            raise ValueError(
                "PullingAway needs a discriminator with a layer named 'code' (its encoder's output), such as "
                "kerasgan.networks.autoencoder_discriminator."
            ) from None
        self.encoder = keras.Model(model.discriminator.inputs, code, name="pulling_away_encoder")
        super().attach(model, seed)

    def generator_terms(self, model, batch):
        codes = formulas.global_batch(self.encoder(model.unaugmented(batch.fake), training=True))
        return {"pt": self.weight * pulling_away(codes)}

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


def pulling_away(codes):
    """f_PT: the mean squared cosine similarity over the distinct pairs of a batch of codes (B, d)."""
    codes = ops.cast(ops.reshape(codes, (ops.shape(codes)[0], -1)), "float32")
    unit = codes / ops.sqrt(ops.sum(ops.square(codes), axis=1, keepdims=True) + 1e-12)
    n = ops.cast(ops.shape(codes)[0], "float32")
    cosines = ops.matmul(unit, ops.transpose(unit))
    # Σ_{i≠j} cos² = Σ_{i,j} cos² − Σ_i cos_ii², and cos_ii = 1 (up to the epsilon)
    return (ops.sum(ops.square(cosines)) - ops.sum(ops.square(ops.diagonal(cosines)))) / (n * (n - 1.0))
