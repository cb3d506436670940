import keras
import numpy as np
import pytest
from gan_contract import GANContract, tiny_images

import kerasgan
from kerasgan.models import DCGAN, GAN
from kerasgan.parts import R1, LabelNoise, LabelSmoothing


class TestGAN(GANContract):
    image_shape = (8, 8, 1)

    def make_model(self, **kwargs):
        return GAN(latent_dim=4, image_shape=self.image_shape, **kwargs)


class TestDCGAN(GANContract):
    image_shape = (8, 8, 3)

    def make_model(self, **kwargs):
        return DCGAN.for_images(self.image_shape, latent_dim=4, base_filters=4, **kwargs)


def _compiled_dcgan(**kwargs):
    gan = DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, seed=0, **kwargs)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    return gan


def test_original_gan_networks_follow_the_paper():
    gan = GAN(latent_dim=100, image_shape=(28, 28, 1))
    dense = [l for l in gan.generator.layers if isinstance(l, keras.layers.Dense)]
    assert [l.units for l in dense] == [1200, 1200, 784]
    maxouts = [l for l in gan.discriminator.layers if isinstance(l, kerasgan.networks.Maxout)]
    assert [(l.units, l.pieces) for l in maxouts] == [(240, 5), (240, 5)]
    assert gan.generator.output_shape == (None, 28, 28, 1)
    assert gan.discriminator.output_shape == (None, 1)


def test_maxout_takes_the_max_over_pieces():
    layer = kerasgan.networks.Maxout(2, pieces=3)
    layer.build((None, 1))
    # pieces of unit 0: 1x, -1x, 2x ; unit 1: 0, 3x, -3x
    kernel = np.array([[1.0, -1.0, 2.0, 0.0, 3.0, -3.0]], "float32")
    layer.dense.kernel.assign(kernel)
    out = keras.ops.convert_to_numpy(layer(np.array([[2.0], [-1.0]], "float32")))
    np.testing.assert_allclose(out, [[4.0, 6.0], [1.0, 3.0]])


@pytest.mark.parametrize("size,depth", [(28, 2), (32, 3), (64, 4), (128, 5)])
def test_dcgan_depth_follows_image_size(size, depth):
    assert kerasgan.networks.dcgan_depth(size) == depth
    channels = 1 if size == 28 else 3
    gan = DCGAN.for_images((size, size, channels), latent_dim=8, base_filters=4)
    assert gan.generator.output_shape == (None, size, size, channels)
    strided = [l for l in gan.discriminator.layers if isinstance(l, keras.layers.Conv2D)]
    assert len(strided) == depth and all(l.strides == (2, 2) for l in strided)


def test_dcgan_64_matches_the_course_architecture():
    gan = DCGAN.for_images((64, 64, 3), latent_dim=128)
    convs = [l for l in gan.discriminator.layers if isinstance(l, keras.layers.Conv2D)]
    assert [tuple(l.output.shape[1:]) for l in convs] == [(32, 32, 64), (16, 16, 128), (8, 8, 256), (4, 4, 512)]
    assert gan.discriminator.output_shape == (None, 1)
    g_convs = [l for l in gan.generator.layers if isinstance(l, keras.layers.Conv2DTranspose)]
    assert [tuple(l.output.shape[1:]) for l in g_convs] == [(8, 8, 256), (16, 16, 128), (32, 32, 64), (64, 64, 3)]
    # no pooling anywhere; BatchNorm neither after the generator's output conv nor after D's input conv
    all_layers = gan.generator.layers + gan.discriminator.layers
    assert not any("Pooling" in type(l).__name__ for l in all_layers)
    assert (
        type(gan.generator.layers[-1]).__name__ == "Activation"
        and gan.generator.layers[-1].activation.__name__ == "tanh"
    )
    d_layers = gan.discriminator.layers
    first_conv = d_layers.index(convs[0])
    assert isinstance(d_layers[first_conv + 1], keras.layers.LeakyReLU)
    assert all(isinstance(d_layers[d_layers.index(c) + 1], keras.layers.BatchNormalization) for c in convs[1:])
    assert all(isinstance(l, keras.layers.ReLU) for l in gan.generator.layers if "re_lu" in l.name)


def test_dcgan_rejects_unsupported_sizes():
    with pytest.raises(ValueError, match="even image side of at least 8"):
        DCGAN.for_images((31, 31, 3))
    with pytest.raises(ValueError, match="square"):
        DCGAN.for_images((32, 64, 3))


def test_mismatched_networks_are_rejected():
    g = kerasgan.networks.dcgan_generator(8, (32, 32, 3), base_filters=4)
    with pytest.raises(ValueError, match="image_shape"):
        DCGAN(generator=g, latent_dim=8, image_shape=(64, 64, 3))
    with pytest.raises(ValueError, match="latent_dim"):
        DCGAN(generator=g, latent_dim=16, image_shape=(32, 32, 3))


def test_both_networks_run_in_training_mode():
    # BatchNorm only updates its moving statistics when called with training=True.
    gan = _compiled_dcgan()

    def moving_means(net):
        return [
            keras.ops.convert_to_numpy(l.moving_mean).copy()
            for l in net.layers
            if isinstance(l, keras.layers.BatchNormalization)
        ]

    g_before, d_before = moving_means(gan.generator), moving_means(gan.discriminator)
    gan.fit(tiny_images(16), epochs=1, batch_size=8, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(g_before, moving_means(gan.generator)))
    assert all(not np.array_equal(a, b) for a, b in zip(d_before, moving_means(gan.discriminator)))


class _CountingIdentity(keras.layers.Layer):
    calls = 0

    def call(self, x):
        type(self).calls += 1
        return x


def test_generator_runs_once_per_step():
    z = keras.Input((4,))
    image = keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="tanh")(_CountingIdentity()(z)))
    gan = GAN(generator=keras.Model(z, image), latent_dim=4, image_shape=(8, 8, 1))
    gan.compile(run_eagerly=True)
    _CountingIdentity.calls = 0
    gan.fit(tiny_images(24), epochs=1, batch_size=8, verbose=0)
    assert _CountingIdentity.calls == 3  # three steps, one generator pass each


def test_d_steps_splits_each_batch_into_discriminator_minibatches():
    gan = _compiled_dcgan(d_steps=3)
    gan.fit(tiny_images(48), epochs=1, batch_size=24, verbose=0)
    assert int(gan.g_optimizer.iterations) == 2  # one generator update per fit() step
    assert int(gan.d_optimizer.iterations) == 6  # three discriminator updates per step
    with pytest.raises(ValueError, match="multiple of 3"):
        gan.fit(tiny_images(48), epochs=1, batch_size=16, verbose=0)
    # arrays: fit() keeps full batches only (40 images, batch 24: one step)
    gan.fit(tiny_images(40), epochs=1, batch_size=24, verbose=0)
    assert int(gan.g_optimizer.iterations) == 3 and int(gan.d_optimizer.iterations) == 9
    # a dataset's smaller last batch (16 of 24) drops the sample that fills no minibatch
    import tensorflow as tf

    gan.fit(tf.data.Dataset.from_tensor_slices(tiny_images(40)).batch(24), epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 5 and int(gan.d_optimizer.iterations) == 15


def test_seed_reproduces_a_run():
    def run():
        keras.utils.set_random_seed(3)
        return _compiled_dcgan().fit(tiny_images(32), epochs=2, batch_size=8, shuffle=False, verbose=0).history

    a, b = run(), run()
    np.testing.assert_allclose(a["d_loss"], b["d_loss"], rtol=1e-6)
    np.testing.assert_allclose(a["g_loss"], b["g_loss"], rtol=1e-6)


def test_label_smoothing_and_noise_change_the_discriminator_targets():
    logits = keras.ops.zeros((4, 1))
    plain = GAN(latent_dim=4, image_shape=(8, 8, 1))
    smooth = GAN(latent_dim=4, image_shape=(8, 8, 1), targets=[LabelSmoothing(0.1)])
    # at logit 0 BCE is log 2 whatever the target; use a nonzero logit
    real = keras.ops.full((4, 1), 2.0)
    bce = lambda y, l: np.mean(np.log1p(np.exp(l)) - y * l)
    np.testing.assert_allclose(float(plain.discriminator_loss(real, logits)), bce(1.0, 2.0) + np.log(2), rtol=1e-6)
    np.testing.assert_allclose(float(smooth.discriminator_loss(real, logits)), bce(0.9, 2.0) + np.log(2), rtol=1e-6)
    noisy = GAN(latent_dim=4, image_shape=(8, 8, 1), targets=["label_noise"], seed=0)
    assert noisy.targets[0].sigma == 0.05
    noisy = GAN(latent_dim=4, image_shape=(8, 8, 1), targets=[LabelNoise(0.2)], seed=0)
    fake = keras.ops.full((4, 1), -2.0)
    values = [float(noisy.discriminator_loss(real, fake)) for _ in range(5)]
    # targets in [0.8, 1] for reals and [0, 0.2] for fakes bound the loss; draws differ
    low = bce(1.0, 2.0) + bce(0.0, -2.0)
    high = bce(0.8, 2.0) + bce(0.2, -2.0)
    assert all(low <= v <= high for v in values) and len(set(values)) == 5


def test_bad_constructor_arguments_are_rejected():
    with pytest.raises(ValueError, match=r"LabelSmoothing: alpha must be in \[0, 1\)"):
        LabelSmoothing(1.5)
    with pytest.raises(ValueError, match="d_steps"):
        GAN(d_steps=0)
    with pytest.raises(ValueError, match="Unknown loss 'wasserstein-ish'; choose one of: .*hinge"):
        GAN(loss="wasserstein-ish")
    with pytest.raises(ValueError, match=r"Unknown regularizer 'label_smoothing' \('label_smoothing' is a target\)"):
        GAN(regularizers=["label_smoothing"])
    with pytest.raises(
        TypeError, match="LabelSmoothing is a target part, not a regularizer; pass it as the model's targets="
    ):
        GAN(regularizers=[LabelSmoothing(0.1)])
    with pytest.raises(ValueError, match="regularizer 'r1' is given twice"):
        GAN(regularizers=[R1(1.0), R1(2.0)])
    with pytest.raises(ValueError, match="wasserstein loss reads no targets"):
        GAN(loss="wasserstein", targets=[LabelSmoothing(0.1)])
    with pytest.raises(ValueError, match="Unrecognized keyword arguments.*label_smoothing"):
        GAN(label_smoothing=0.1)  # the old flag: a part now


def test_an_epoch_over_data_of_unknown_length_takes_exactly_its_batches():
    """An image folder's length is unknown (undecodable files are filtered out); Keras ends such an
    epoch by running the step once more until the data runs out. That phantom step must not count."""
    import tensorflow as tf

    results = []
    for unknown_length in (False, True):
        keras.utils.set_random_seed(0)
        data = tf.data.Dataset.from_tensor_slices(tiny_images(32)).batch(8)
        if unknown_length:
            data = data.filter(tf.autograph.experimental.do_not_convert(lambda batch: True))
        assert (data.cardinality() == tf.data.UNKNOWN_CARDINALITY) == unknown_length
        gan = _compiled_dcgan()
        history = gan.fit(data, epochs=2, verbose=0).history
        assert int(gan.g_optimizer.iterations) == int(gan.d_optimizer.iterations) == 8
        results.append((keras.ops.convert_to_numpy(gan.seed_generator.state), history["d_loss"]))
    np.testing.assert_array_equal(results[0][0], results[1][0])  # the random stream advanced by 8 steps, not 10
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)


def test_every_gradient_is_computed_before_any_weight_is_updated():
    # Without apply_update's barrier, grappler let the convolution's gradient
    # read the logit kernel the optimizer had already updated, in 4 traces of
    # 12 (each run makes new traces). Eager execution runs the ops in order.
    import tensorflow as tf

    from kerasgan.models.base import AdversarialModel

    real, fake = tiny_images(10, seed=0), tiny_images(10, seed=1)

    def train(eagerly):
        keras.utils.set_random_seed(7)
        images = keras.Input((8, 8, 1))
        h = keras.layers.LeakyReLU(0.2)(keras.layers.Conv2D(4, 4, 2, padding="same")(images))
        critic = keras.Model(images, keras.layers.Dense(1, use_bias=False)(keras.layers.Flatten()(h)))
        optimizer = keras.optimizers.Adam(1e-3, beta_1=0.5)
        optimizer.build(critic.trainable_variables)

        def step(real, fake):
            with tf.GradientTape() as tape:
                loss = keras.ops.mean(critic(fake, training=True)) - keras.ops.mean(critic(real, training=True))
            # Returning the gradients, as a step that logs their norms would, is
            # what lets grappler reorder them past the updates.
            return AdversarialModel.apply_update(tape, {"loss": loss}, critic.trainable_variables, optimizer)

        step = step if eagerly else tf.function(step)
        for _ in range(2):
            step(real, fake)
        return np.concatenate([keras.ops.convert_to_numpy(w).ravel() for w in critic.weights])

    expected = train(eagerly=True)
    for trace in range(12):
        np.testing.assert_allclose(train(eagerly=False), expected, atol=1e-6, err_msg=f"trace {trace}")


def test_train_on_batch_trains_one_step():
    # Keras hands train_step (images, None, None) here; None has no op to wait for.
    gan = _compiled_dcgan()
    logs = gan.train_on_batch(tiny_images(8), return_dict=True)
    assert np.isfinite(logs["d_loss"]) and np.isfinite(logs["g_loss"])
    assert int(gan.d_optimizer.iterations) == int(gan.g_optimizer.iterations) == 1
