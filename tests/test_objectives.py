"""More objectives: the f-GAN divergences (loss parts and the FGAN model)."""

import keras
import numpy as np
import pytest
from gan_contract import GANContract

from kerasgan.losses import f_divergence
from kerasgan.models import FGAN
from kerasgan.parts import FDivergence

LOG2 = np.log(2.0)

# Each divergence as f, f' and the inverse of its output activation g_f, written here from the
# paper's Tables 1 and 2 (Nowozin et al. 2016), independently of kerasgan.losses.f_divergence.
F = {
    "kl": lambda u: u * np.log(u),
    "reverse_kl": lambda u: -np.log(u),
    "pearson": lambda u: (u - 1) ** 2,
    "neyman": lambda u: (1 - u) ** 2 / u,
    "squared_hellinger": lambda u: (np.sqrt(u) - 1) ** 2,
    "jensen_shannon": lambda u: -(u + 1) * np.log((1 + u) / 2) + u * np.log(u),
    "total_variation": lambda u: 0.5 * np.abs(u - 1),
    "gan": lambda u: u * np.log(u) - (u + 1) * np.log(u + 1),
}
F_PRIME = {
    "kl": lambda u: 1 + np.log(u),
    "reverse_kl": lambda u: -1 / u,
    "pearson": lambda u: 2 * (u - 1),
    "neyman": lambda u: 1 - 1 / u**2,
    "squared_hellinger": lambda u: 1 - 1 / np.sqrt(u),
    "jensen_shannon": lambda u: np.log(2 * u / (1 + u)),
    "total_variation": lambda u: 0.5 * np.sign(u - 1),
    "gan": lambda u: np.log(u / (u + 1)),
}
INVERSE_ACTIVATION = {
    "kl": lambda t: t,
    "reverse_kl": lambda t: -np.log(-t),
    "pearson": lambda t: t,
    "neyman": lambda t: -np.log(1 - t),
    "squared_hellinger": lambda t: -np.log(1 - t),
    "jensen_shannon": lambda t: -np.log(np.exp(LOG2 - t) - 1),
    # tanh reaches ±1 only at ±inf; ±9 is within 1e-7 of it in float32.
    "total_variation": lambda t: np.arctanh(np.clip(2 * t, -1 + 1e-7, 1 - 1e-7)),
    "gan": lambda t: -np.log(np.expm1(-t)),
}
# f*(t) at points inside each domain, by hand from the paper's Table 2.
CONJUGATE_POINTS = {
    "kl": [(1.0, 1.0), (0.0, np.exp(-1.0)), (2.0, np.e)],
    "reverse_kl": [(-1.0, -1.0), (-0.5, -1 + np.log(2)), (-2.0, -1 - np.log(2))],
    "pearson": [(0.0, 0.0), (2.0, 3.0), (-2.0, -1.0)],
    "neyman": [(0.0, 0.0), (0.75, 1.0), (-3.0, -2.0)],
    "squared_hellinger": [(0.0, 0.0), (0.5, 1.0), (-1.0, -0.5)],
    "jensen_shannon": [(0.0, 0.0), (np.log(1.5), np.log(2.0)), (-np.inf, -np.log(2.0))],
    "total_variation": [(0.25, 0.25), (-0.5, -0.5), (0.0, 0.0)],
    "gan": [(-LOG2, LOG2), (np.log(0.75), np.log(4.0)), (-np.inf, 0.0)],
}

P = np.array([0.5, 0.3, 0.2])
Q = np.array([0.2, 0.3, 0.5])


def _weighted_samples(probabilities, values, n=10):
    """`values` repeated in proportion to `probabilities` (multiples of 1/n): a mean over them is the expectation."""
    return np.repeat(values, np.round(probabilities * n).astype(int)).astype("float32")[:, None]


@pytest.mark.parametrize("divergence", f_divergence.DIVERGENCES)
def test_bound_at_the_optimal_discriminator_is_the_divergence(divergence):
    ratio = P / Q
    v_star = INVERSE_ACTIVATION[divergence](F_PRIME[divergence](ratio))
    bound = f_divergence.variational_bound(divergence, _weighted_samples(P, v_star), _weighted_samples(Q, v_star))
    closed_form = float(np.sum(Q * F[divergence](ratio)))
    assert abs(closed_form) > 0.05  # a pair of distributions that differ (the gan divergence is 2·JSD − log 4 < 0)
    np.testing.assert_allclose(float(bound), closed_form, rtol=2e-5, atol=2e-6)
    # any other discriminator gives a smaller bound
    worse = f_divergence.variational_bound(
        divergence, _weighted_samples(P, v_star * 0.5 + 0.1), _weighted_samples(Q, v_star * 0.5 + 0.1)
    )
    assert float(worse) < float(bound)


@pytest.mark.parametrize("divergence", f_divergence.DIVERGENCES)
def test_conjugates_match_the_papers_table(divergence):
    for t, expected in CONJUGATE_POINTS[divergence]:
        np.testing.assert_allclose(float(f_divergence.conjugate(divergence, t)), expected, rtol=1e-6, atol=1e-6)
    # the finite form of f*(g_f(v)) is f* applied to g_f where both are representable
    v = np.linspace(-5, 5, 41).astype("float32")
    direct = f_divergence.conjugate(divergence, f_divergence.activation(divergence, v))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(f_divergence.conjugate_of_activation(divergence, v)),
        keras.ops.convert_to_numpy(direct),
        rtol=1e-4,
        atol=1e-5,
    )


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("divergence", f_divergence.DIVERGENCES)
def test_losses_and_gradients_are_finite_for_extreme_logits(divergence, dtype):
    import tensorflow as tf

    info = np.finfo(dtype)
    sweep = np.concatenate([[info.min, -1e4, -100, -30, -17, -1, 0, 1, 17, 30, 100, 1e4, info.max]])
    real = tf.Variable(sweep.astype(dtype)[:, None])
    fake = tf.Variable(sweep[::-1].astype(dtype)[:, None])
    loss = FDivergence(divergence)
    alternative = FDivergence(divergence, alternative=True)
    with tf.GradientTape(persistent=True) as tape:
        values = [
            loss.discriminator_loss(real, fake),
            loss.generator_loss(fake),
            alternative.generator_loss(fake),
        ]
    for value in values:
        assert np.isfinite(float(value)), (divergence, dtype, values)
        for grad in tape.gradient(value, [real, fake]):
            if grad is not None:
                assert np.isfinite(keras.ops.convert_to_numpy(grad)).all(), (divergence, dtype)


def test_generator_objectives_saddle_and_alternative():
    fake = np.array([[-1.0], [0.5], [2.0]], "float32")
    saddle = float(FDivergence("gan").generator_loss(fake))
    alternative = float(FDivergence("gan", alternative=True).generator_loss(fake))
    # gan: f*(g_f(v)) = -log(1 - sigmoid(v)), g_f(v) = log sigmoid(v)
    sigmoid = 1 / (1 + np.exp(-fake))
    np.testing.assert_allclose(saddle, np.mean(np.log(1 - sigmoid)), rtol=1e-6)
    np.testing.assert_allclose(alternative, -np.mean(np.log(sigmoid)), rtol=1e-6)


def test_bad_divergence_says_which_exist():
    with pytest.raises(ValueError, match="Unknown f-divergence 'js'.*jensen_shannon"):
        FDivergence("js")
    with pytest.raises(ValueError, match="divergence=.*not loss="):
        FGAN(loss="hinge")


class TestFGAN(GANContract):
    def make_model(self, **kwargs):
        return FGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, divergence="squared_hellinger", **kwargs)


class TestFGANKLAlternative(GANContract):
    def make_model(self, **kwargs):
        return FGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, divergence="kl", alternative=True, **kwargs)
