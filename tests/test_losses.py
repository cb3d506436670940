"""Loss formulas against independent values: Keras' BinaryCrossentropy and hand computations."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import losses

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
        float(losses.minimax_generator_loss(LOGITS_FAKE)), -keras_bce(np.zeros_like(LOGITS_FAKE), LOGITS_FAKE), rtol=1e-5
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


def test_get_names_and_custom_pairs():
    assert losses.get("minimax") == (losses.discriminator_loss, losses.minimax_generator_loss)
    pair = (lambda r, f, rt=1.0, ft=0.0: 0.0, lambda f: 0.0)
    assert losses.get(pair) == pair
    with pytest.raises(ValueError, match="Unknown loss"):
        losses.get("nope")
    with pytest.raises(TypeError, match="pair"):
        losses.get(42)
