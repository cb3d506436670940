"""The adversarial autoencoders (plain, label-conditioned prior, semi-supervised): the shared contract (encoders
and discriminators included), their priors and their objectives by hand."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from gan_contract import GANContract, tiny_images, weights_of
from keras import ops

import kerasgan
from kerasgan.data import UNLABELLED
from kerasgan.models import AdversarialAutoencoder, LabelledPriorAAE, SemiSupervisedAAE
from kerasgan.models.adversarial_autoencoder import Encoding
from kerasgan.parts import StepBatch


class TestAdversarialAutoencoder(GANContract):
    image_shape = (8, 8, 1)

    def make_model(self, **kwargs):
        return AdversarialAutoencoder(latent_dim=4, image_shape=self.image_shape, base_filters=4, **kwargs)


def _compiled(**kwargs):
    return TestAdversarialAutoencoder().compiled(**kwargs)


def test_the_encoder_trains_and_is_saved_with_the_model(tmp_path):
    aae = _compiled()
    before = weights_of(aae.encoder)
    history = TestAdversarialAutoencoder().fit(aae)
    assert np.isfinite(history["reconstruction"]).all()
    trainable = [v.trainable for v in aae.encoder.weights]
    assert all(not np.array_equal(a, b) for a, b, t in zip(before, weights_of(aae.encoder), trainable) if t)
    aae.save(tmp_path / "aae.keras")
    loaded = keras.saving.load_model(tmp_path / "aae.keras")
    images = tiny_images(4, (8, 8, 1), seed=2)
    np.testing.assert_array_equal(aae.encode(images), loaded.encode(images))
    np.testing.assert_allclose(aae.reconstruct(images), aae.generate(latents=aae.encode(images)), atol=1e-6)


def test_the_mixture_prior_survives_a_keras_file(tmp_path):
    aae = _compiled(prior="mixture", prior_modes=4)
    TestAdversarialAutoencoder().fit(aae)
    aae.save(tmp_path / "aae.keras")
    loaded = keras.saving.load_model(tmp_path / "aae.keras")
    assert (loaded.prior, loaded.prior_modes) == ("mixture", 4)
    np.testing.assert_array_equal(aae.generate(3, seed=1), loaded.generate(3, seed=1))


def test_the_mixture_prior_is_ten_gaussians_on_a_circle():
    aae = AdversarialAutoencoder(latent_dim=3, image_shape=(8, 8, 1), base_filters=4, prior="mixture", seed=0)
    draws = ops.convert_to_numpy(aae.sample_latents(4000))
    means = aae._mixture_means()
    np.testing.assert_allclose(np.linalg.norm(means[:, :2], axis=1), 4.0, rtol=1e-6)
    scores = kerasgan.metrics.mode_coverage(draws[:, :2], means[:, :2], 0.5)
    assert scores["modes_captured"] == 10 and scores["high_quality"] > 0.98  # 3σ holds 98.9 % of a 2-D Gaussian
    np.testing.assert_allclose(draws[:, 2].std(), 0.5, rtol=0.05)
    numpy_draws = aae.latents_for(4000, seed=0)
    assert kerasgan.metrics.mode_coverage(numpy_draws[:, :2], means[:, :2], 0.5)["modes_captured"] == 10


def test_the_objectives_are_the_papers_by_hand():
    aae = _compiled(adversarial_weight=0.5)
    real = ops.convert_to_tensor(tiny_images(8, (8, 8, 1)))
    codes = aae.encoder(real)
    prior = ops.convert_to_tensor(np.random.default_rng(0).standard_normal((8, 4)).astype("float32"))
    batch = StepBatch(real, aae.generator(codes), codes, prior)
    p = ops.convert_to_numpy(aae.discriminator(prior)).astype("float64")
    q = ops.convert_to_numpy(aae.discriminator(codes)).astype("float64")
    softplus = lambda x: np.logaddexp(0.0, x)  # noqa: E731
    d_terms, _ = aae.discriminator_objective(batch)
    g_terms, _ = aae.generator_objective(batch)
    np.testing.assert_allclose(float(d_terms["d_loss"]), softplus(-p).mean() + softplus(q).mean(), rtol=1e-5)
    np.testing.assert_allclose(float(g_terms["g_loss"]), 0.5 * softplus(-q).mean(), rtol=1e-5)
    mse = np.mean((ops.convert_to_numpy(real) - ops.convert_to_numpy(batch.fake)) ** 2)
    np.testing.assert_allclose(float(g_terms["reconstruction"]), mse, rtol=1e-5)


def test_bad_arguments_say_what_to_change():
    with pytest.raises(ValueError, match="prior must be one of normal, mixture"):
        AdversarialAutoencoder(prior="uniform")
    with pytest.raises(ValueError, match="no loss="):
        AdversarialAutoencoder(loss="hinge")
    with pytest.raises(ValueError, match="latent_dim >= 2"):
        AdversarialAutoencoder(prior="mixture", latent_dim=1)


# ---------------------------------------------------------------- the label in the adversarial regularization


class TestLabelledPriorAAE(GANContract):
    image_shape = (8, 8, 1)
    num_classes = 3

    def make_model(self, **kwargs):
        return LabelledPriorAAE(num_classes=3, latent_dim=4, image_shape=self.image_shape, base_filters=4, **kwargs)

    def generation_inputs(self, gan, latents):
        return latents, {}  # the decoder takes codes alone; labels only choose the modes drawn from


def _modes(k, latent_dim, radius=4.0):
    """The prior's means, written here: k points on a circle of `radius` in the first two dimensions."""
    angles = 2 * np.pi * np.arange(k) / k
    return np.pad(radius * np.stack([np.cos(angles), np.sin(angles)], axis=1), ((0, 0), (0, latent_dim - 2)))


def test_the_discriminator_sees_the_label_with_the_code_and_a_draw_of_the_labels_mode():
    aae = LabelledPriorAAE(num_classes=3, latent_dim=4, image_shape=(8, 8, 1), base_filters=4, prior_sigma=1e-4, seed=0)
    images, labels = tiny_images(6), np.array([0, 1, 2, 2, 1, 0], "int32")
    batch = aae.step_batch(ops.convert_to_tensor(images), ops.convert_to_tensor(labels))
    judged, prior = ops.convert_to_numpy(batch.condition), ops.convert_to_numpy(batch.latents)
    onehot = np.eye(3)[labels]
    np.testing.assert_array_equal(judged[:, 4:], onehot)
    np.testing.assert_allclose(judged[:, :4], aae.encode(images), atol=1e-5)  # BatchNorm-free encoder: train = test
    np.testing.assert_array_equal(prior[:, 4:], onehot)
    np.testing.assert_allclose(prior[:, :4], _modes(3, 4)[labels], atol=1e-3)


def test_generate_decodes_draws_of_the_named_classes_modes():
    aae = LabelledPriorAAE(num_classes=3, latent_dim=4, image_shape=(8, 8, 1), base_filters=4, seed=0)
    expected = _modes(3, 4)[[2, 2, 2]] + np.random.default_rng(5).standard_normal((3, 4)) * 0.5
    np.testing.assert_allclose(aae.generate(3, labels=2, seed=5), aae.generate(latents=expected), atol=1e-6)
    with pytest.raises(ValueError, match="labels .* or latents, not both"):
        aae.generate(latents=expected, labels=2)
    with pytest.raises(ValueError, match="drop prior="):
        LabelledPriorAAE(num_classes=3, latent_dim=4, image_shape=(8, 8, 1), prior="normal")


def test_the_codes_of_each_class_land_in_its_mode():
    """Three classes of tiny images (a lit top-left, top-right or bottom half): after training, E(x) is nearest its class's mode."""
    rng = np.random.default_rng(0)
    labels = np.arange(384) % 3
    images = np.full((384, 8, 8, 1), -0.8)
    for k, (rows, cols) in enumerate(
        [(slice(0, 4), slice(0, 4)), (slice(0, 4), slice(4, 8)), (slice(4, 8), slice(0, 8))]
    ):
        images[labels == k, rows, cols] = 0.8
    images = np.clip(images + rng.normal(0, 0.2, images.shape), -1, 1)
    keras.utils.set_random_seed(0)
    aae = LabelledPriorAAE(num_classes=3, latent_dim=2, image_shape=(8, 8, 1), base_filters=4, seed=0)
    aae.compile(
        d_optimizer=keras.optimizers.Adam(3e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(3e-3, beta_1=0.5)
    )
    before = _nearest_mode_accuracy(aae, images, labels)
    aae.fit(images.astype("float32"), labels, batch_size=32, epochs=12, verbose=0)
    after = _nearest_mode_accuracy(aae, images, labels)
    # measured: 0.333 at initialization, 1.000 after 144 steps (0.667 after 48)
    print(f"codes nearest their class's mode: {before:.3f} at initialization, {after:.3f} after 144 steps")
    assert after >= 0.95 and before < 0.5


def _nearest_mode_accuracy(aae, images, labels):
    codes = aae.encode(images.astype("float32"))
    distances = np.linalg.norm(codes[:, None, :] - _modes(3, 2)[None], axis=-1)
    return float(np.mean(distances.argmin(axis=1) == labels))


# ---------------------------------------------------------------- the semi-supervised AAE (§5): a class y and a style z


class TestSemiSupervisedAAE(GANContract):
    image_shape = (8, 8, 1)
    num_classes = 3

    def make_model(self, **kwargs):
        return SemiSupervisedAAE(num_classes=3, latent_dim=4, image_shape=self.image_shape, base_filters=4, **kwargs)

    def labels(self, n):
        labels = np.arange(n, dtype="int32") % 3
        labels[::4] = UNLABELLED  # a quarter of the rows unlabelled, as a partly labelled batch has them
        return labels

    def generation_inputs(self, gan, latents):
        labels = np.arange(len(latents), dtype="int32") % 3
        return np.concatenate([np.eye(3, dtype="float32")[labels], latents], axis=1), {"labels": labels}


def _semi(**kwargs):
    return TestSemiSupervisedAAE().compiled(**kwargs)


def test_the_encoder_and_both_discriminators_train_and_are_saved_with_the_model(tmp_path):
    aae = _semi()
    networks = (aae.encoder, aae.label_discriminator, aae.discriminator, aae.generator)
    before = [weights_of(n) for n in networks]
    history = TestSemiSupervisedAAE().fit(aae)
    for key in ("reconstruction", "classification", "d_class_loss", "g_class_loss"):
        assert np.isfinite(history[key]).all() and history[key][0] > 0, key
    for network, old in zip(networks, before):
        moved = [not np.array_equal(a, b) for a, b in zip(old, weights_of(network))]
        assert all(m for m, v in zip(moved, network.weights) if v.trainable), network.name
    aae.save(tmp_path / "aae.keras")
    loaded = keras.saving.load_model(tmp_path / "aae.keras")
    for network in ("encoder", "label_discriminator"):
        for a, b in zip(weights_of(getattr(aae, network)), weights_of(getattr(loaded, network))):
            np.testing.assert_array_equal(a, b)
    images = tiny_images(5, (8, 8, 1), seed=2)
    np.testing.assert_array_equal(aae.class_probabilities(images), loaded.class_probabilities(images))
    np.testing.assert_array_equal(aae.encode(images), loaded.encode(images))
    assert (loaded.num_classes, loaded.classification_weight) == (3, 1.0)


def _softplus(x):
    return np.logaddexp(0.0, x)


def test_each_term_is_the_papers_against_numpy_on_fixed_codes():
    aae = _semi(adversarial_weight=0.5, classification_weight=2.0)
    rng = np.random.default_rng(0)
    real, fake = tiny_images(6, seed=1), tiny_images(6, seed=2)
    logits = rng.normal(size=(6, 3)).astype("float32") * 2
    classes = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    style = rng.normal(size=(6, 4)).astype("float32")
    labels = np.array([0, UNLABELLED, 2, 1, UNLABELLED, 2], "int32")
    prior_classes = np.eye(3, dtype="float32")[[1, 0, 2, 2, 1, 0]]
    prior_style = rng.normal(size=(6, 4)).astype("float32")

    def batch(logits, labels):
        encoding = Encoding(*(ops.convert_to_tensor(t) for t in (logits, classes, style, labels)))
        return StepBatch(
            ops.convert_to_tensor(real), ops.convert_to_tensor(fake), encoding, (prior_classes, prior_style)
        )

    def logit(network, inputs):
        return ops.convert_to_numpy(network(inputs)).astype("float64")

    d_terms, d_metrics = aae.discriminator_objective(batch(logits, labels))
    g_terms, _ = aae.generator_objective(batch(logits, labels))
    real_z, fake_z = logit(aae.discriminator, prior_style), logit(aae.discriminator, style)
    real_y, fake_y = logit(aae.label_discriminator, prior_classes), logit(aae.label_discriminator, classes)
    np.testing.assert_allclose(
        float(d_terms["d_loss"]), _softplus(-real_z).mean() + _softplus(fake_z).mean(), rtol=1e-5
    )
    np.testing.assert_allclose(
        float(d_terms["d_class_loss"]), _softplus(-real_y).mean() + _softplus(fake_y).mean(), rtol=1e-5
    )
    np.testing.assert_allclose(float(d_metrics["d_class_acc_fake"]), np.mean(fake_y < 0), rtol=1e-6)
    np.testing.assert_allclose(float(g_terms["g_loss"]), 0.5 * _softplus(-fake_z).mean(), rtol=1e-5)
    np.testing.assert_allclose(float(g_terms["g_class_loss"]), 0.5 * _softplus(-fake_y).mean(), rtol=1e-5)
    np.testing.assert_allclose(float(g_terms["reconstruction"]), np.mean((real - fake) ** 2), rtol=1e-5)
    # -log q(y|x) on rows 0, 2, 3 and 5 only
    log_q = logits - np.log(np.exp(logits.astype("float64")).sum(axis=1, keepdims=True))
    rows = labels != UNLABELLED
    expected = -log_q[rows, labels[rows]].mean()
    np.testing.assert_allclose(float(g_terms["classification"]), 2.0 * expected, rtol=1e-5)

    # the unlabelled rows contribute nothing: any logits there give the same term and no gradient
    scrambled = logits.copy()
    scrambled[~rows] = rng.normal(size=(2, 3)) * 10
    assert float(aae.generator_objective(batch(scrambled, labels))[0]["classification"]) == pytest.approx(
        2.0 * expected, rel=1e-5
    )
    variable = tf.Variable(logits)
    with tf.GradientTape() as tape:
        term = kerasgan.losses.labelled_class_loss(variable, ops.convert_to_tensor(labels))
    gradient = tape.gradient(term, variable).numpy()
    assert np.all(gradient[~rows] == 0) and np.all(np.abs(gradient[rows]).sum(axis=1) > 0)
    none = np.full(6, UNLABELLED, "int32")
    assert float(kerasgan.losses.labelled_class_loss(ops.convert_to_tensor(logits), ops.convert_to_tensor(none))) == 0.0


def test_classify_generate_and_reconstruct_read_the_class_and_the_style():
    aae = SemiSupervisedAAE(num_classes=3, latent_dim=4, image_shape=(8, 8, 1), base_filters=4, seed=0)
    images = tiny_images(5, seed=3)
    probabilities = aae.class_probabilities(images)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(aae.classify(images), probabilities.argmax(axis=1))
    outputs = aae.encoder(images, training=False)
    np.testing.assert_allclose(aae.encode(images), ops.convert_to_numpy(outputs)[:, 3:], atol=1e-6)
    decoded = aae.generator(np.concatenate([probabilities, aae.encode(images)], axis=1), training=False)
    np.testing.assert_allclose(aae.reconstruct(images), ops.convert_to_numpy(decoded), atol=1e-5)
    # generate(n, labels=k): z ~ N(0, I) from the seed, decoded with the one-hot class k
    styles = np.random.default_rng(5).standard_normal((4, 4)).astype("float32")
    expected = aae.generator(np.concatenate([np.eye(3, dtype="float32")[[2] * 4], styles], axis=1), training=False)
    np.testing.assert_allclose(aae.generate(4, labels=2, seed=5), ops.convert_to_numpy(expected), atol=1e-6)
    draws = ops.convert_to_numpy(aae.sample_classes(600))
    assert set(draws.sum(axis=1)) == {1.0} and np.all(np.abs(draws.mean(axis=0) - 1 / 3) < 0.07)


def test_bad_labels_say_what_is_allowed():
    aae = _semi()
    images = tiny_images(16)
    for bad in (3, -2):
        labels = np.zeros(16, "int32")
        labels[5] = bad
        with pytest.raises(ValueError, match=r"in \[0, 3\) for num_classes=3, or -1 for an unlabelled image"):
            aae.fit(images, labels, batch_size=8, epochs=1, verbose=0)
    dataset = tf.data.Dataset.from_tensor_slices((images, np.full(16, 7, "int32"))).batch(8)
    with pytest.raises(ValueError, match=r"the class label 7.*labels 0..2, or -1 for an unlabelled image"):
        aae.fit(dataset, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="drop prior="):
        SemiSupervisedAAE(num_classes=3, image_shape=(8, 8, 1), prior="mixture")
    with pytest.raises(ValueError, match=r"labels must be one label or 2 labels"):
        aae.generate(2, labels=[0, 1, 2])
    with pytest.raises(ValueError, match=r"in \[0, 3\)"):
        aae.generate(2, labels=UNLABELLED)  # -1 marks training data, it is no class to draw


def test_a_few_labels_teach_the_classes():
    """Three classes of tiny images (a lit top-left, top-right or bottom half), 2 labels each: q(y|x) learns them."""
    rng = np.random.default_rng(0)
    classes = np.arange(384) % 3
    images = np.full((384, 8, 8, 1), -0.8)
    for k, (rows, cols) in enumerate(
        [(slice(0, 4), slice(0, 4)), (slice(0, 4), slice(4, 8)), (slice(4, 8), slice(0, 8))]
    ):
        images[classes == k, rows, cols] = 0.8
    images = np.clip(images + rng.normal(0, 0.2, images.shape), -1, 1).astype("float32")
    labels = kerasgan.data.keep_labels(classes, 6, seed=0)
    keras.utils.set_random_seed(0)
    aae = SemiSupervisedAAE(num_classes=3, latent_dim=2, image_shape=(8, 8, 1), base_filters=4, seed=0)
    aae.compile(
        d_optimizer=keras.optimizers.Adam(3e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(3e-3, beta_1=0.5)
    )
    before = float(np.mean(aae.classify(images) == classes))
    aae.fit(kerasgan.data.semi_supervised(images, labels, batch_size=32, seed=0), epochs=8, verbose=0)
    after = float(np.mean(aae.classify(images) == classes))
    print(f"classification accuracy with 6 labels: {before:.3f} at initialization, {after:.3f} after 96 steps")
    assert after >= 0.95 and before < 0.6
