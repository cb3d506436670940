"""Loss and penalty formulas against independent values: Keras' BinaryCrossentropy, hand computations,
closed forms and numpy."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from kerasgan import losses, parts

LOGITS_REAL = np.array([[2.0], [-1.0], [0.5], [30.0]], "float32")
LOGITS_FAKE = np.array([[-3.0], [0.0], [1.5], [-30.0]], "float32")


def keras_bce(targets, logits):
    return float(keras.losses.BinaryCrossentropy(from_logits=True)(targets, logits))


def test_discriminator_loss_is_bce_real_ones_plus_bce_fake_zeros():
    expected = keras_bce(np.ones_like(LOGITS_REAL), LOGITS_REAL) + keras_bce(np.zeros_like(LOGITS_FAKE), LOGITS_FAKE)
    actual = float(losses.discriminator_loss(LOGITS_REAL, LOGITS_FAKE))
    np.testing.assert_allclose(actual, expected, rtol=1e-5)


def test_discriminator_loss_hand_value_at_zero_logits():
    # D = 1/2 everywhere: -log(1/2) for reals plus -log(1/2) for fakes
    zeros = np.zeros((3, 1), "float32")
    np.testing.assert_allclose(float(losses.discriminator_loss(zeros, zeros)), 2 * np.log(2.0), rtol=1e-6)


def test_one_sided_label_smoothing_matches_keras_smoothing_of_the_real_term():
    # Keras smooths y -> y(1 - a) + a/2; with a = 0.2 a target of 1 becomes 0.9.
    expected = float(
        keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2)(np.ones_like(LOGITS_REAL), LOGITS_REAL)
    ) + keras_bce(np.zeros_like(LOGITS_FAKE), LOGITS_FAKE)
    actual = float(losses.discriminator_loss(LOGITS_REAL, LOGITS_FAKE, real_targets=0.9))
    np.testing.assert_allclose(actual, expected, rtol=1e-5)


def test_non_saturating_generator_loss_is_bce_against_ones():
    np.testing.assert_allclose(
        float(losses.non_saturating_generator_loss(LOGITS_FAKE)),
        keras_bce(np.ones_like(LOGITS_FAKE), LOGITS_FAKE),
        rtol=1e-5,
    )
    # hand value: -log(sigmoid(0)) = log 2
    np.testing.assert_allclose(float(losses.non_saturating_generator_loss(np.zeros((2, 1)))), np.log(2.0), rtol=1e-6)


def test_minimax_generator_loss_is_mean_log_one_minus_d():
    d = 1.0 / (1.0 + np.exp(-LOGITS_FAKE.astype("float64")))
    expected = np.mean(np.log1p(-d))
    np.testing.assert_allclose(float(losses.minimax_generator_loss(LOGITS_FAKE)), expected, rtol=1e-5)
    # and it is minus the discriminator's fake term
    np.testing.assert_allclose(
        float(losses.minimax_generator_loss(LOGITS_FAKE)),
        -keras_bce(np.zeros_like(LOGITS_FAKE), LOGITS_FAKE),
        rtol=1e-5,
    )


def test_minimax_saturates_where_non_saturating_does_not():
    # When D confidently rejects the fakes (logit -8), the paper's loss gives G
    # almost no gradient; the non-saturating loss gives it nearly the full one.
    logits = tf.constant([[-8.0]])

    def grad(fn):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            value = fn(logits)
        return float(tape.gradient(value, logits)[0, 0])

    g_minimax = grad(losses.minimax_generator_loss)
    g_non_saturating = grad(losses.non_saturating_generator_loss)
    np.testing.assert_allclose(g_minimax, -1 / (1 + np.exp(8.0)), rtol=1e-4)  # -sigmoid(l)
    np.testing.assert_allclose(g_non_saturating, -1 / (1 + np.exp(-8.0)), rtol=1e-4)  # sigmoid(l) - 1
    assert abs(g_non_saturating) > 1000 * abs(g_minimax)


def test_losses_are_finite_for_extreme_logits():
    extreme = np.array([[1e4], [-1e4]], "float32")
    for value in (
        losses.discriminator_loss(extreme, extreme),
        losses.minimax_generator_loss(extreme),
        losses.non_saturating_generator_loss(extreme),
    ):
        assert np.isfinite(float(value))


def test_bce_keeps_its_precision_for_confident_logits():
    # -log sigmoid(l) = log(1 + e^-l): 4.54e-5 at l = 10, 2.06e-9 at l = 20; softplus(l) - l
    # in float32 would be 1% off at 10 and 0 at 20.
    for logit in (10.0, 20.0, 60.0):
        expected = np.logaddexp(0.0, -logit)
        np.testing.assert_allclose(
            float(losses.binary_crossentropy_from_logits(1.0, np.array([[logit]], "float32"))), expected, rtol=1e-5
        )
        np.testing.assert_allclose(
            float(losses.binary_crossentropy_from_logits(0.0, np.array([[-logit]], "float32"))), expected, rtol=1e-5
        )


def test_loss_parts_resolve_by_name_and_pair_the_papers_formulas():
    assert isinstance(parts.get("minimax", "loss"), parts.Minimax)
    real, fake = LOGITS_REAL, LOGITS_FAKE
    minimax = parts.Minimax()
    assert float(minimax.discriminator_loss(real, fake)) == float(losses.discriminator_loss(real, fake))
    assert float(minimax.generator_loss(fake)) == float(losses.minimax_generator_loss(fake))
    assert float(parts.NonSaturating().generator_loss(fake)) == float(losses.non_saturating_generator_loss(fake))
    with pytest.raises(ValueError, match="Unknown loss 'nope'; choose one of: .*least_squares"):
        parts.get("nope", "loss")
    with pytest.raises(TypeError, match="Expected a loss"):
        parts.get(42, "loss")


# ---------------------------------------------------------------- helpers for the newer losses
def np_log_sigmoid(x):
    return -np.logaddexp(0.0, -np.asarray(x, "float64"))


def np_bce(target, z):
    """Binary cross-entropy of sigmoid(z) against `target`, elementwise, in float64."""
    return -(target * np_log_sigmoid(z) + (1.0 - target) * np_log_sigmoid(-z))


R64 = LOGITS_REAL.astype("float64")
F64 = LOGITS_FAKE.astype("float64")


# ---------------------------------------------------------------- Wasserstein, hinge, least squares
def test_wasserstein_losses_hand_values():
    # mean(real) = (2 - 1 + 0.5 + 30) / 4 = 7.875, mean(fake) = (-3 + 0 + 1.5 - 30) / 4 = -7.875
    np.testing.assert_allclose(
        float(losses.wasserstein_discriminator_loss(LOGITS_REAL, LOGITS_FAKE)), -15.75, rtol=1e-6
    )
    np.testing.assert_allclose(float(losses.wasserstein_generator_loss(LOGITS_FAKE)), 7.875, rtol=1e-6)
    # targets are not part of the critic loss
    np.testing.assert_allclose(
        float(losses.wasserstein_discriminator_loss(LOGITS_REAL, LOGITS_FAKE, 0.7, 0.3)),
        F64.mean() - R64.mean(),
        rtol=1e-6,
    )


def test_hinge_losses_hand_values():
    # real: relu(1 - [2, -1, .5, 30]) = [0, 2, .5, 0] -> .625; fake: relu(1 + [-3, 0, 1.5, -30]) = [0, 1, 2.5, 0] -> .875
    np.testing.assert_allclose(float(losses.hinge_discriminator_loss(LOGITS_REAL, LOGITS_FAKE)), 1.5, rtol=1e-6)
    expected = np.maximum(0, 1 - R64).mean() + np.maximum(0, 1 + F64).mean()
    np.testing.assert_allclose(float(losses.hinge_discriminator_loss(LOGITS_REAL, LOGITS_FAKE)), expected, rtol=1e-6)
    np.testing.assert_allclose(float(losses.hinge_generator_loss(LOGITS_FAKE)), 7.875, rtol=1e-6)


def test_hinge_is_zero_outside_the_margin_and_positive_inside():
    real = np.array([[1.0], [2.0], [50.0]], "float32")
    fake = np.array([[-1.0], [-3.0], [-50.0]], "float32")
    assert float(losses.hinge_discriminator_loss(real, fake)) == 0.0
    # one real logit inside the margin: relu(1 - 0.5) / 3
    inside = real.copy()
    inside[0] = 0.5
    np.testing.assert_allclose(float(losses.hinge_discriminator_loss(inside, fake)), 0.5 / 3, rtol=1e-6)
    # one fake logit inside the margin: relu(1 - 0.8) / 3
    inside_fake = fake.copy()
    inside_fake[2] = -0.8
    value = float(losses.hinge_discriminator_loss(real, inside_fake))
    assert value > 0
    np.testing.assert_allclose(value, 0.2 / 3, rtol=1e-5)


def test_least_squares_losses_hand_values():
    # ½·mean([1, 4, .25, 841]) + ½·mean([9, 0, 2.25, 900]) = 105.78125 + 113.90625
    np.testing.assert_allclose(
        float(losses.least_squares_discriminator_loss(LOGITS_REAL, LOGITS_FAKE)), 219.6875, rtol=1e-6
    )
    # ½·mean([16, 1, .25, 961])
    np.testing.assert_allclose(float(losses.least_squares_generator_loss(LOGITS_FAKE)), 122.28125, rtol=1e-6)


def test_least_squares_targets_are_the_codes_a_and_b():
    smoothed = 0.5 * np.mean((R64 - 0.9) ** 2) + 0.5 * np.mean((F64 - 0.1) ** 2)
    np.testing.assert_allclose(
        float(losses.least_squares_discriminator_loss(LOGITS_REAL, LOGITS_FAKE, 0.9, 0.1)), smoothed, rtol=1e-6
    )
    # per-sample targets, as label flipping produces
    real_t = np.array([[1.0], [0.0], [1.0], [1.0]], "float32")
    fake_t = np.array([[0.0], [1.0], [0.0], [0.0]], "float32")
    expected = 0.5 * np.mean((R64 - real_t) ** 2) + 0.5 * np.mean((F64 - fake_t) ** 2)
    np.testing.assert_allclose(
        float(losses.least_squares_discriminator_loss(LOGITS_REAL, LOGITS_FAKE, real_t, fake_t)), expected, rtol=1e-6
    )


# ---------------------------------------------------------------- relativistic
def test_relativistic_losses_against_numpy():
    d_expected = np_bce(1.0, R64 - F64).mean()
    g_expected = np_bce(1.0, F64 - R64).mean()
    np.testing.assert_allclose(
        float(losses.relativistic_discriminator_loss(LOGITS_REAL, LOGITS_FAKE)), d_expected, rtol=1e-5
    )
    np.testing.assert_allclose(
        float(losses.relativistic_generator_loss(LOGITS_FAKE, LOGITS_REAL)), g_expected, rtol=1e-5
    )
    # hand value: equal logits -> D(x_r, x_f) = 1/2 -> log 2
    same = np.array([[0.3], [-2.0]], "float32")
    np.testing.assert_allclose(float(losses.relativistic_discriminator_loss(same, same)), np.log(2.0), rtol=1e-6)


def test_relativistic_average_losses_against_numpy():
    d_expected = np_bce(1.0, R64 - F64.mean()).mean() + np_bce(0.0, F64 - R64.mean()).mean()
    g_expected = np_bce(1.0, F64 - R64.mean()).mean() + np_bce(0.0, R64 - F64.mean()).mean()
    np.testing.assert_allclose(
        float(losses.relativistic_average_discriminator_loss(LOGITS_REAL, LOGITS_FAKE)), d_expected, rtol=1e-5
    )
    np.testing.assert_allclose(
        float(losses.relativistic_average_generator_loss(LOGITS_FAKE, LOGITS_REAL)), g_expected, rtol=1e-5
    )
    # smoothed targets enter like cross-entropy targets
    smoothed = np_bce(0.9, R64 - F64.mean()).mean() + np_bce(0.1, F64 - R64.mean()).mean()
    np.testing.assert_allclose(
        float(losses.relativistic_average_discriminator_loss(LOGITS_REAL, LOGITS_FAKE, 0.9, 0.1)), smoothed, rtol=1e-5
    )


LOSS_PARTS = {
    "minimax": parts.Minimax(),
    "non_saturating": parts.NonSaturating(),
    "wasserstein": parts.Wasserstein(),
    "hinge": parts.Hinge(),
    "least_squares": parts.LeastSquares(),
    "relativistic": parts.Relativistic(),
    "relativistic_average": parts.Relativistic(average=True),
}


@pytest.mark.parametrize("name", ["relativistic", "relativistic_average"])
def test_relativistic_generator_losses_need_real_logits(name):
    loss = LOSS_PARTS[name]
    assert loss.needs_real_logits is True
    with pytest.raises(TypeError, match="real_logits"):
        loss.generator_loss(LOGITS_FAKE)
    with pytest.raises(TypeError, match="real_logits"):
        loss.generator_loss(LOGITS_FAKE, real_logits=None)


@pytest.mark.parametrize("name", ["minimax", "non_saturating", "wasserstein", "hinge", "least_squares"])
def test_other_generator_losses_take_and_ignore_real_logits(name):
    g = LOSS_PARTS[name].generator_loss
    assert not LOSS_PARTS[name].needs_real_logits
    np.testing.assert_allclose(float(g(LOGITS_FAKE, LOGITS_REAL)), float(g(LOGITS_FAKE)), rtol=0)
    np.testing.assert_allclose(float(g(LOGITS_FAKE, real_logits=None)), float(g(LOGITS_FAKE)), rtol=0)


def test_loss_capabilities_match_the_formulas():
    """shift_invariant: adding a constant to every logit changes nothing; uses_targets: the targets move the loss."""
    for name, loss in LOSS_PARTS.items():
        d, shifted = (
            loss.discriminator_loss(LOGITS_REAL, LOGITS_FAKE),
            loss.discriminator_loss(LOGITS_REAL + 3, LOGITS_FAKE + 3),
        )
        assert np.isclose(float(d), float(shifted), rtol=1e-6) == loss.shift_invariant, name
        smoothed = loss.discriminator_loss(LOGITS_REAL, LOGITS_FAKE, 0.8, 0.1)
        assert (not np.isclose(float(d), float(smoothed))) == loss.uses_targets, name


@pytest.mark.parametrize("name", sorted(LOSS_PARTS))
def test_every_named_loss_returns_a_finite_float32_scalar(name):
    loss = LOSS_PARTS[name]
    d, g = loss.discriminator_loss, loss.generator_loss
    real16, fake16 = LOGITS_REAL.astype("float16"), LOGITS_FAKE.astype("float16")
    extreme = np.array([[1e4], [-1e4]], "float32")
    for value in (d(real16, fake16), g(fake16, real16), d(extreme, -extreme), g(extreme, -extreme)):
        assert value.dtype == "float32" and tuple(value.shape) == ()
    assert np.isfinite(float(d(LOGITS_REAL, LOGITS_FAKE))) and np.isfinite(float(g(LOGITS_FAKE, LOGITS_REAL)))


def test_global_batch_mean_is_the_plain_mean_on_one_device():
    x = np.arange(12, dtype="float32").reshape(3, 2, 2)
    np.testing.assert_allclose(float(losses.global_batch_mean(x)), 5.5, rtol=0)


# ---------------------------------------------------------------- penalties
def linear_critic(w):
    """f(x) = w · flatten(x): ∇ₓf = w for every x, so ‖∇f‖ = ‖w‖ everywhere."""

    def critic(images):
        return ops.matmul(ops.reshape(images, (ops.shape(images)[0], -1)), w)

    return critic


IMAGE_SHAPE = (2, 3, 2)
DIM = int(np.prod(IMAGE_SHAPE))


def weights_with_norm(norm, seed=0):
    w = np.random.default_rng(seed).normal(size=(DIM, 1))
    return tf.Variable((norm * w / np.linalg.norm(w)).astype("float32"))


def random_batch(seed, batch=5):
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(batch, *IMAGE_SHAPE)).astype("float32")
    fake = rng.normal(size=(batch, *IMAGE_SHAPE)).astype("float32")
    epsilon = rng.uniform(size=(batch, 1, 1, 1)).astype("float32")
    return real, fake, epsilon


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_penalty_of_a_unit_norm_linear_critic_is_zero(seed):
    real, fake, epsilon = random_batch(seed)
    critic = linear_critic(weights_with_norm(1.0, seed))
    assert abs(float(losses.gradient_penalty(critic, real, fake, epsilon))) < 1e-6
    assert abs(float(losses.gradient_penalty(critic, real, fake, epsilon, one_sided=True))) < 1e-6


@pytest.mark.parametrize(
    "norm, two_sided, one_sided",
    [(3.0, 4.0, 4.0), (0.5, 0.25, 0.0), (0.0, 1.0, 0.0)],  # ‖w‖ = 0: the epsilon keeps the norm differentiable
)
def test_gradient_penalty_of_a_linear_critic_is_closed_form(norm, two_sided, one_sided):
    real, fake, epsilon = random_batch(3)
    critic = linear_critic(weights_with_norm(norm))
    np.testing.assert_allclose(
        float(losses.gradient_penalty(critic, real, fake, epsilon)), two_sided, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        float(losses.gradient_penalty(critic, real, fake, epsilon, one_sided=True)), one_sided, rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("norm", [3.0, 0.5, 0.0])
def test_gradient_penalty_gradient_wrt_critic_weights_is_analytic(norm):
    # GP = (‖w‖ - 1)², so d GP / dw = 2(‖w‖ - 1)·w/‖w‖ (and 0 at w = 0, where the
    # epsilon under the square root keeps it from being NaN).
    real, fake, epsilon = random_batch(4)
    w = weights_with_norm(norm)
    with tf.GradientTape() as tape:
        gp = losses.gradient_penalty(linear_critic(w), real, fake, epsilon)
    gradient = tape.gradient(gp, w)
    assert gradient is not None
    w_np = w.numpy().astype("float64")
    expected = 2 * (norm - 1) * w_np / norm if norm else np.zeros_like(w_np)
    np.testing.assert_allclose(gradient.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_gradient_penalty_and_its_weight_gradient_for_a_nonlinear_critic_match_numpy():
    # f(x) = v · tanh(W x + b): ∇ₓf = Wᵀ(v ⊙ (1 - tanh²(W x + b))), computed in
    # numpy; the weight gradient of the penalty by central finite differences.
    rng = np.random.default_rng(5)
    batch, hidden = 4, 3
    real, fake, epsilon = random_batch(6, batch)
    params = {"W": rng.normal(size=(DIM, hidden)), "b": rng.normal(size=(hidden,)), "v": rng.normal(size=(hidden, 1))}
    x_hat = (epsilon * real + (1 - epsilon) * fake).reshape(batch, -1).astype("float64")

    def np_gp(p):
        pre = x_hat @ p["W"] + p["b"]
        grads = ((1 - np.tanh(pre) ** 2) * p["v"][:, 0]) @ p["W"].T
        return np.mean((np.sqrt((grads**2).sum(axis=1) + 1e-12) - 1) ** 2)

    variables = {k: tf.Variable(v.astype("float32")) for k, v in params.items()}

    def critic(images):
        flat = ops.reshape(images, (ops.shape(images)[0], -1))
        return ops.matmul(ops.tanh(ops.matmul(flat, variables["W"]) + variables["b"]), variables["v"])

    with tf.GradientTape() as tape:
        gp = losses.gradient_penalty(critic, real, fake, epsilon)
    gradients = tape.gradient(gp, variables)
    np.testing.assert_allclose(float(gp), np_gp(params), rtol=1e-5)
    h = 1e-6
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            up, down = {k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in params.items()}
            up[name][index] += h
            down[name][index] -= h
            numeric[index] = (np_gp(up) - np_gp(down)) / (2 * h)
        np.testing.assert_allclose(gradients[name].numpy(), numeric, rtol=1e-3, atol=1e-5, err_msg=name)


def test_gradient_penalty_interpolates_with_epsilon_on_the_real_side():
    # f(x) = ½‖x‖²: ∇ₓf = x, so the penalty is mean((‖x̂‖ - 1)²) at x̂ = εx + (1 - ε)x̃.
    real, fake, epsilon = random_batch(7)
    critic = lambda x: 0.5 * ops.sum(ops.square(ops.reshape(x, (ops.shape(x)[0], -1))), axis=1, keepdims=True)
    x_hat = (epsilon * real + (1 - epsilon) * fake).reshape(len(real), -1).astype("float64")
    norms = np.linalg.norm(x_hat, axis=1)
    np.testing.assert_allclose(
        float(losses.gradient_penalty(critic, real, fake, epsilon)), np.mean((norms - 1) ** 2), rtol=1e-5
    )
    np.testing.assert_allclose(
        float(losses.gradient_penalty(critic, real, fake, epsilon, one_sided=True)),
        np.mean(np.maximum(norms - 1, 0) ** 2),
        rtol=1e-5,
    )


def test_gradient_penalty_casts_mixed_precision_to_float32():
    real, fake, epsilon = random_batch(8)
    w = weights_with_norm(3.0)
    critic = lambda x: ops.cast(linear_critic(ops.cast(w, "float16"))(ops.cast(x, "float16")), "float16")
    gp = losses.gradient_penalty(critic, real.astype("float16"), fake.astype("float16"), epsilon.astype("float16"))
    assert gp.dtype == "float32"
    np.testing.assert_allclose(float(gp), 4.0, rtol=1e-2)


def test_penalty_of_a_critic_that_ignores_its_input_is_a_clear_error():
    real, fake, epsilon = random_batch(9)
    constant = tf.Variable([[1.0]])
    with pytest.raises(ValueError, match="does not depend on its input"):
        losses.gradient_penalty(lambda x: constant, real, fake, epsilon)


@pytest.mark.parametrize("norm", [0.5, 1.0, 3.0])
def test_r1_and_dragan_of_a_linear_critic(norm):
    real, _, _ = random_batch(10)
    delta = np.random.default_rng(11).uniform(size=real.shape).astype("float32")
    critic = linear_critic(weights_with_norm(norm))
    np.testing.assert_allclose(float(losses.r1_penalty(critic, real)), norm**2, rtol=1e-5)
    np.testing.assert_allclose(float(losses.dragan_penalty(critic, real, delta)), (norm - 1) ** 2, rtol=1e-5, atol=1e-6)


def test_r1_and_dragan_are_per_sample_and_use_the_perturbation():
    # f(x) = ½‖x‖²: ∇ₓf = x. R1 = mean ‖x‖², DRAGAN = mean (‖x + δ‖ - 1)².
    real, _, _ = random_batch(12)
    delta = (0.5 * real.std() * np.random.default_rng(13).uniform(size=real.shape)).astype("float32")
    critic = lambda x: 0.5 * ops.sum(ops.square(ops.reshape(x, (ops.shape(x)[0], -1))), axis=1, keepdims=True)
    flat = real.reshape(len(real), -1).astype("float64")
    np.testing.assert_allclose(float(losses.r1_penalty(critic, real)), np.mean((flat**2).sum(axis=1)), rtol=1e-5)
    moved = flat + delta.reshape(len(real), -1)
    np.testing.assert_allclose(
        float(losses.dragan_penalty(critic, real, delta)), np.mean((np.linalg.norm(moved, axis=1) - 1) ** 2), rtol=1e-5
    )


def test_r1_and_dragan_are_differentiable_wrt_the_critic_weights():
    # R1 = ‖w‖² -> 2w;  DRAGAN = (‖w‖ - 1)² -> 2(‖w‖ - 1)·w/‖w‖.
    real, _, _ = random_batch(14)
    delta = np.full(real.shape, 0.1, "float32")
    w = weights_with_norm(2.0)
    with tf.GradientTape(persistent=True) as tape:
        r1 = losses.r1_penalty(linear_critic(w), real)
        dragan = losses.dragan_penalty(linear_critic(w), real, delta)
    w_np = w.numpy().astype("float64")
    np.testing.assert_allclose(tape.gradient(r1, w).numpy(), 2 * w_np, rtol=1e-5)
    np.testing.assert_allclose(tape.gradient(dragan, w).numpy(), 2 * (2.0 - 1) * w_np / 2.0, rtol=1e-5)


def test_penalties_work_inside_tf_function():
    real, fake, epsilon = random_batch(15)
    w = weights_with_norm(3.0)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            gp = losses.gradient_penalty(linear_critic(w), real, fake, epsilon)
        return gp, tape.gradient(gp, w)

    gp, gradient = step()
    np.testing.assert_allclose(float(gp), 4.0, rtol=1e-5)
    np.testing.assert_allclose(gradient.numpy(), 2 * 2 * w.numpy() / 3, rtol=1e-5)


# ---------------------------------------------------------------- tf.distribute
DISTRIBUTED_SCRIPT = textwrap.dedent(
    """
    import json
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import numpy as np
    from keras import ops
    from kerasgan import losses

    rng = np.random.default_rng(0)
    batch, features = 8, 3
    # Features whose halves have different means, so local means differ from global ones.
    x_real = (rng.normal(size=(batch, features)) + np.linspace(-2, 2, batch)[:, None]).astype("float32")
    x_fake = (rng.normal(size=(batch, features)) - np.linspace(-1, 3, batch)[:, None]).astype("float32")
    w0 = rng.normal(size=(features, 1)).astype("float32")
    # the labelled rows all in the second replica's half, as kerasgan.data.semi_supervised puts them last
    labels = np.array([-1, -1, -1, -1, 0, 1, 2, 1], "int32")
    replicas = 2

    def losses_and_gradients(x_real, x_fake, labels, w, scale):
        # scale = 1 / replicas: the model's per-replica scaling of a local batch mean
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([x_real, x_fake])
            real_logits, fake_logits = ops.matmul(x_real, w), ops.matmul(x_fake, w)
            d = losses.relativistic_average_discriminator_loss(real_logits, fake_logits)
            g = losses.relativistic_average_generator_loss(fake_logits, real_logits)
            m = losses.global_batch_mean(real_logits)
            c = losses.labelled_class_loss(ops.concatenate([real_logits, -real_logits, 0.5 * real_logits], -1), labels)
            scaled_d, scaled_g, scaled_c = d * scale, g * scale, c * scale
        d_grads = tape.gradient(scaled_d, [w, x_real, x_fake])
        g_grads = tape.gradient(scaled_g, [w, x_real, x_fake])
        c_w = tape.gradient(scaled_c, w)
        return {"d": d, "g": g, "mean": m, "d_w": d_grads[0], "d_xr": d_grads[1], "d_xf": d_grads[2],
                "g_w": g_grads[0], "g_xr": g_grads[1], "g_xf": g_grads[2], "c": c, "c_w": c_w}

    w_one = tf.Variable(w0)
    one = tf.function(losses_and_gradients)(tf.constant(x_real), tf.constant(x_fake), tf.constant(labels), w_one, 1.0)
    one = {k: np.asarray(v).tolist() for k, v in one.items()}

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == replicas
    with strategy.scope():
        w_two = tf.Variable(w0)
    half = batch // replicas

    def split(x):
        return strategy.experimental_distribute_values_from_function(
            lambda ctx: tf.constant(x[ctx.replica_id_in_sync_group * half:(ctx.replica_id_in_sync_group + 1) * half])
        )

    @tf.function
    def distributed(xr, xf, y):
        return strategy.run(losses_and_gradients, args=(xr, xf, y, w_two, 1.0 / replicas))

    per_replica = distributed(split(x_real), split(x_fake), split(labels))
    two = {k: [np.asarray(v).tolist() for v in strategy.experimental_local_results(value)]
           for k, value in per_replica.items()}

    # What the same computation gives with plain local means, to show the check can fail.
    local_d = [float(losses.relativistic_average_discriminator_loss(x_real[i*half:(i+1)*half] @ w0,
                                                                     x_fake[i*half:(i+1)*half] @ w0))
               for i in range(replicas)]
    local_c = []
    for i in range(replicas):
        l = x_real[i*half:(i+1)*half] @ w0
        local_c.append(float(losses.labelled_class_loss(np.concatenate([l, -l, 0.5 * l], -1), labels[i*half:(i+1)*half])))
    print(json.dumps({"one": one, "two": two, "local_d": local_d, "local_c": local_c}))
    """
)


def test_global_batch_mean_relativistic_average_and_labelled_class_losses_under_mirrored_strategy(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(DISTRIBUTED_SCRIPT)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    one, two = result["one"], result["two"]

    # Every replica sees the global mean and the global-batch loss decomposes into the replicas' local means.
    for replica_mean in two["mean"]:
        np.testing.assert_allclose(replica_mean, one["mean"], rtol=1e-6)
    for key in ("d", "g", "c"):
        np.testing.assert_allclose(np.mean(two[key]), one[key], rtol=1e-5, err_msg=key)
    # Local means alone would give another loss: the comparison above can fail.
    assert abs(np.mean(result["local_d"]) - one["d"]) > 1e-2
    assert abs(np.mean(result["local_c"]) - one["c"]) > 1e-2  # the first replica's half holds no label

    # Gradients: the optimizer sums the replicas' weight gradients; input gradients concatenate.
    for key in ("d_w", "g_w", "c_w"):
        np.testing.assert_allclose(np.sum(two[key], axis=0), one[key], rtol=1e-5, atol=1e-6, err_msg=key)
    for key in ("d_xr", "d_xf", "g_xr", "g_xf"):
        np.testing.assert_allclose(np.concatenate(two[key]), one[key], rtol=1e-5, atol=1e-6, err_msg=key)
