"""The adversarial autoencoder: the shared contract (encoder included), its priors and its objectives by hand."""

import keras
import numpy as np
import pytest
from gan_contract import GANContract, tiny_images, weights_of
from keras import ops

import kerasgan
from kerasgan.models import AdversarialAutoencoder
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
