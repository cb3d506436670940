"""The adversarial autoencoder: the shared contract (encoder included), its priors and its objectives by hand."""

import keras
import numpy as np
import pytest
from gan_contract import GANContract, tiny_images, weights_of
from keras import ops

import kerasgan
from kerasgan.models import AdversarialAutoencoder, LabelledPriorAAE
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
