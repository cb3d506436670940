"""The unrolled GAN against independent references: its k = 0 step is GAN's, its generator gradient is the
finite-difference gradient of a hand-unrolled loss, its unrolling is the optimizer's own step, and the real
discriminator takes an ordinary step."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from gan_contract import GANContract, optimizer_state, weights_of
from keras import ops

import kerasgan
from kerasgan.models import GAN, UnrolledGAN
from kerasgan.parts import StepBatch


class TestUnrolledGAN(GANContract):
    image_shape = (8, 8, 1)

    def make_model(self, **kwargs):
        return UnrolledGAN(latent_dim=4, image_shape=self.image_shape, unrolled_steps=1, **kwargs)


def _tiny_networks():
    """Smooth (tanh) networks, so that finite differences are accurate."""
    keras.utils.set_random_seed(3)
    z = keras.Input((2,))
    g = keras.Model(z, keras.layers.Dense(2)(keras.layers.Dense(3, activation="tanh")(z)))
    x = keras.Input((2,))
    d = keras.Model(x, keras.layers.Dense(1)(keras.layers.Dense(4, activation="tanh")(x)))
    return g, d


def _model(cls=UnrolledGAN, d_optimizer=None, **kwargs):
    g, d = _tiny_networks()
    gan = cls(generator=g, discriminator=d, latent_dim=2, image_shape=(2,), seed=5, **kwargs)
    gan.compile(d_optimizer=d_optimizer or keras.optimizers.SGD(0.5), g_optimizer=keras.optimizers.SGD(0.1))
    return gan


def _batch(seed=0, n=16):
    rng = np.random.default_rng(seed)
    real = kerasgan.data.ring(radius=1.0, sigma=0.05).sample(n, seed=seed)
    return real, rng.standard_normal((n, 2)).astype("float32")


def _softplus(x):
    return np.logaddexp(0.0, x)


def _reference_unrolled_loss(g_weights, d_weights, z, real, k, lr):
    """f(θ_G, θ_D^K) written out: fresh copies of G and D, K hand-written SGD steps on BCE, then the NS loss."""
    g, d = _tiny_networks()
    g.set_weights(g_weights)
    d.set_weights(d_weights)
    fake = g(z)
    for _ in range(k):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.softplus(-d(real))) + tf.reduce_mean(tf.nn.softplus(d(fake)))
        for v, grad in zip(d.trainable_variables, tape.gradient(loss, d.trainable_variables)):
            v.assign_sub(lr * grad)
    return float(np.mean(_softplus(-d(fake).numpy().astype("float64"))))


def _model_gradient(gan, real, z):
    with tf.GradientTape() as tape:
        fake = gan.generator(z, training=True)
        terms, _ = gan.generator_objective(StepBatch(ops.convert_to_tensor(real), fake, None, z))
        loss = sum(terms.values())
    return [g.numpy() for g in tape.gradient(loss, gan.generator.trainable_variables)]


def _finite_difference(gan, real, z, k, lr, eps=1e-2):
    g_weights, d_weights = gan.generator.get_weights(), gan.discriminator.get_weights()
    gradient = []
    for i, w in enumerate(g_weights):
        grad = np.zeros_like(w, dtype="float64")
        for index in np.ndindex(w.shape):
            values = []
            for sign in (1, -1):
                moved = [x.copy() for x in g_weights]
                moved[i][index] += sign * eps
                values.append(_reference_unrolled_loss(moved, d_weights, z, real, k, lr))
            grad[index] = (values[0] - values[1]) / (2 * eps)
        gradient.append(grad)
    return gradient


def test_the_unrolled_generator_gradient_is_the_finite_difference_gradient_of_the_unrolled_loss():
    real, z = _batch()
    k, lr = 3, 0.5
    gan = _model(unrolled_steps=k)
    unrolled = _model_gradient(gan, real, z)
    reference = _finite_difference(gan, real, z, k, lr)
    for a, b in zip(unrolled, reference):
        np.testing.assert_allclose(a, b, rtol=2e-2, atol=2e-4)
    # and it is not the plain gradient: the unrolled updates change it by far more than the tolerance
    plain = _model_gradient(_model(unrolled_steps=0), real, z)
    difference = sum(np.abs(a - b).sum() for a, b in zip(unrolled, plain))
    assert difference > 50 * 2e-4 * sum(a.size for a in plain), difference


def test_without_second_order_terms_the_unrolled_discriminator_is_a_constant():
    real, z = _batch(1)
    k, lr = 3, 0.5
    gan = _model(unrolled_steps=k, second_order=False)
    first_order = _model_gradient(gan, real, z)
    # reference: unroll a copy of D on the fixed fakes, then differentiate the NS loss through G alone
    g, d = _tiny_networks()
    d.set_weights(gan.discriminator.get_weights())
    fake = g(z)
    for _ in range(k):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.softplus(-d(real))) + tf.reduce_mean(tf.nn.softplus(d(fake)))
        for v, grad in zip(d.trainable_variables, tape.gradient(loss, d.trainable_variables)):
            v.assign_sub(lr * grad)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.softplus(-d(g(z))))
    for a, b in zip(first_order, tape.gradient(loss, g.trainable_variables)):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-7)
    second_order = _model_gradient(_model(unrolled_steps=k), real, z)
    assert max(np.abs(a - b).max() for a, b in zip(first_order, second_order)) > 1e-3


@pytest.mark.parametrize(
    "optimizer",
    [
        lambda: keras.optimizers.Adam(0.05, beta_1=0.5),
        lambda: keras.optimizers.SGD(0.3, momentum=0.9, nesterov=True),
        lambda: keras.optimizers.SGD(0.3, momentum=0.5),
    ],
    ids=["adam", "sgd_nesterov", "sgd_momentum"],
)
def test_the_unrolling_takes_the_optimizers_own_steps_and_writes_nothing(optimizer):
    real, z = _batch(2)
    gan = _model(d_optimizer=optimizer(), unrolled_steps=4)
    gan.fit(real, epochs=1, batch_size=8, verbose=0)  # non-zero slots and step count
    batch = StepBatch(ops.convert_to_tensor(real), gan.generator(z), None, z)
    weights, slots = weights_of(gan.discriminator), optimizer_state(gan.d_optimizer)
    unrolled = [v.numpy() for v in gan.unroll(batch)]
    assert all(np.array_equal(a, b) for a, b in zip(weights, weights_of(gan.discriminator)))
    assert all(np.array_equal(a, b) for a, b in zip(slots, optimizer_state(gan.d_optimizer)))
    # the reference: the optimizer itself, stepping the real discriminator four times
    for _ in range(4):
        with tf.GradientTape() as tape:
            loss = sum(gan.discriminator_objective(batch)[0].values())
        variables = gan.d_variables()
        gan.d_optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    for a, b in zip(unrolled, weights_of(gan.discriminator)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not all(np.allclose(a, b) for a, b in zip(unrolled, weights))


def _fit_three_steps(gan):
    real = kerasgan.data.ring(radius=1.0, sigma=0.05).sample(24, seed=4)
    return gan.fit(real, epochs=1, batch_size=8, shuffle=False, verbose=0).history


def test_zero_unrolled_steps_is_exactly_the_plain_gan_step():
    plain, unrolled = _model(GAN), _model(unrolled_steps=0)
    assert _fit_three_steps(plain) == _fit_three_steps(unrolled)
    for a, b in zip(
        weights_of(plain.generator) + weights_of(plain.discriminator),
        weights_of(unrolled.generator) + weights_of(unrolled.discriminator),
    ):
        np.testing.assert_array_equal(a, b)


def test_the_real_discriminator_takes_the_plain_step_and_the_generator_does_not():
    plain, unrolled = _model(GAN), _model(unrolled_steps=5, d_optimizer=keras.optimizers.Adam(1e-2))
    plain.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.SGD(0.1))
    real = kerasgan.data.ring(radius=1.0, sigma=0.05).sample(8, seed=4)
    plain.train_on_batch(real)
    unrolled.train_on_batch(real)
    for a, b in zip(weights_of(plain.discriminator), weights_of(unrolled.discriminator)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(optimizer_state(plain.d_optimizer), optimizer_state(unrolled.d_optimizer)):
        np.testing.assert_array_equal(a, b)  # one step counted, the slots of one step
    assert not all(np.array_equal(a, b) for a, b in zip(weights_of(plain.generator), weights_of(unrolled.generator)))


def test_optimizers_the_unrolling_does_not_cover_are_refused_at_compile():
    gan = UnrolledGAN.for_points(2, latent_dim=4)
    with pytest.raises(ValueError, match="Adam and SGD.*RMSprop"):
        gan.compile(d_optimizer=keras.optimizers.RMSprop())
    with pytest.raises(ValueError, match="weight_decay"):
        gan.compile(d_optimizer=keras.optimizers.Adam(weight_decay=0.01))
    with pytest.raises(ValueError, match="unrolled_steps"):
        UnrolledGAN.for_points(2, unrolled_steps=-1)
    with pytest.raises(TypeError, match="second_order"):
        UnrolledGAN.for_points(2, second_order="yes")
