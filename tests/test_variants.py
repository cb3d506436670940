"""The loss-family variants and the opt-in training tricks of the base class."""

import keras
import numpy as np
import pytest
from gan_contract import GANContract, tiny_images
from keras import ops

import kerasgan
from kerasgan.models import GAN, LSGAN, WGAN, WGANGP, HingeGAN, RaGAN
from kerasgan.parts import (
    DRAGAN,
    R1,
    AdversarialLoss,
    DiffAugment,
    FeatureMatching,
    GeneratorEMA,
    GradientPenalty,
    HistoricalAverage,
    InstanceNoise,
    LabelFlip,
    WeightClip,
)


def _small(cls, **kwargs):
    return cls.for_images((8, 8, 1), latent_dim=4, base_filters=4, **kwargs)


class TestWGAN(GANContract):
    batch_size = 10  # 5 critic minibatches of 2

    def make_model(self, **kwargs):
        return _small(WGAN, **kwargs)


class TestWGANGP(GANContract):
    batch_size = 10

    def make_model(self, **kwargs):
        return _small(WGANGP, **kwargs)


class TestLSGAN(GANContract):
    def make_model(self, **kwargs):
        return _small(LSGAN, **kwargs)


class TestHingeGAN(GANContract):
    def make_model(self, **kwargs):
        return _small(HingeGAN, **kwargs)


class TestRaGAN(GANContract):
    def make_model(self, **kwargs):
        return _small(RaGAN, **kwargs)


class TestGANWithEveryPenalty(GANContract):
    def make_model(self, **kwargs):
        return _small(
            kerasgan.models.DCGAN,
            regularizers=[GradientPenalty(1.0), R1(1.0, interval=2), DRAGAN(1.0), HistoricalAverage(0.1)],
            targets=[LabelFlip(0.1)],
            augment=[DiffAugment("color,translation,cutout"), InstanceNoise(0.1)],
            ema=GeneratorEMA(0.9),
            **kwargs,
        )


def test_variants_carry_the_papers_defaults():
    wgan = _small(WGAN)
    gp = WGANGP.for_images((16, 16, 1), latent_dim=4, base_filters=4)  # two stages: the second is normalized
    assert isinstance(wgan.loss, kerasgan.parts.Wasserstein) and wgan.d_steps == 5
    assert [(type(c), c.clip_value) for c in wgan.constraints] == [(WeightClip, 0.01)] and not wgan.regularizers
    d_opt, g_opt = wgan.default_optimizers()
    assert isinstance(d_opt, keras.optimizers.RMSprop) and float(d_opt.learning_rate) == pytest.approx(5e-5)
    assert isinstance(gp.loss, kerasgan.parts.Wasserstein) and gp.d_steps == 5 and not gp.constraints
    assert [(type(r), r.weight, r.one_sided) for r in gp.regularizers] == [(GradientPenalty, 10.0, False)]
    d_opt, _ = gp.default_optimizers()
    assert (float(d_opt.learning_rate), float(d_opt.beta_1), float(d_opt.beta_2)) == pytest.approx((1e-4, 0.0, 0.9))
    # no BatchNorm in the WGAN-GP critic: layer norm instead
    layers = gp.discriminator.layers
    assert not any(isinstance(l, keras.layers.BatchNormalization) for l in layers)
    assert any(isinstance(l, keras.layers.LayerNormalization) for l in layers)
    assert isinstance(_small(LSGAN).loss, kerasgan.parts.LeastSquares)
    ragan = _small(RaGAN)
    assert isinstance(ragan.loss, kerasgan.parts.Relativistic) and ragan.loss.average
    hinge = _small(HingeGAN)
    assert isinstance(hinge.loss, kerasgan.parts.Hinge)
    assert any(isinstance(l, keras.layers.SpectralNormalization) for l in hinge.discriminator.layers)
    with pytest.raises(ValueError, match="BatchNorm"):
        _small(WGANGP, critic_normalization="batch")


class _ClipWatcher(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        self.max_abs = max(
            getattr(self, "max_abs", 0.0),
            max(float(np.abs(keras.ops.convert_to_numpy(w)).max()) for w in self.model.discriminator.trainable_weights),
        )


def test_wgan_clips_critic_weights_after_every_step_and_runs_n_critic():
    gan = _small(WGAN, seed=0)
    gan.compile(d_optimizer=keras.optimizers.RMSprop(0.05), g_optimizer=keras.optimizers.RMSprop(0.05))
    watcher = _ClipWatcher()
    gan.fit(tiny_images(40), epochs=1, batch_size=20, callbacks=[watcher], verbose=0)
    assert watcher.max_abs <= 0.01 + 1e-7
    assert watcher.max_abs > 0.009  # a large learning rate pushes weights to the bound
    assert int(gan.d_optimizer.iterations) == 5 * int(gan.g_optimizer.iterations) == 10


def test_spectral_norm_is_active_inside_train_step():
    gan = _small(HingeGAN, seed=0)
    gan.compile()
    sn_layers = [l for l in gan.discriminator.layers if isinstance(l, keras.layers.SpectralNormalization)]
    before = [keras.ops.convert_to_numpy(l.vector_u).copy() for l in sn_layers]
    gan.fit(tiny_images(64), epochs=3, batch_size=8, verbose=0)
    # the power iteration only runs in training mode
    assert all(not np.allclose(b, keras.ops.convert_to_numpy(l.vector_u)) for b, l in zip(before, sn_layers))
    for layer in sn_layers:
        kernel = keras.ops.convert_to_numpy(layer.layer.kernel)
        sigma = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
        assert sigma == pytest.approx(1.0, abs=0.1)


def test_instance_noise_follows_its_linear_schedule():
    noise = InstanceNoise(0.5, steps=10)
    gan = GAN(latent_dim=4, image_shape=(16, 16, 1), augment=noise, seed=0)
    gan.compile()
    zeros = ops.zeros((64, 16, 16, 1))
    for step, expected in ((0, 0.5), (5, 0.25), (10, 0.0), (20, 0.0)):
        gan.g_optimizer.iterations.assign(step)
        std = float(np.std(keras.ops.convert_to_numpy(noise.augment(gan, zeros))))
        assert std == pytest.approx(expected, rel=0.05, abs=1e-6)


def test_label_flip_swaps_the_expected_fraction_of_targets():
    class MeanTargets(AdversarialLoss):
        def discriminator_loss(self, real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
            return ops.mean(real_targets) + 10.0 * ops.mean(fake_targets)

    gan = GAN(latent_dim=4, image_shape=(8, 8, 1), loss=MeanTargets(), targets=[LabelFlip(0.3)], seed=0)
    logits = ops.zeros((20000, 1))
    value = float(gan.discriminator_loss(logits, logits))
    # real targets average 1 - 0.3, fake targets 0.3
    assert value == pytest.approx(0.7 + 10 * 0.3, abs=0.15)


def test_lazy_r1_is_applied_every_kth_step_with_weight_k():
    gan = _small(kerasgan.models.DCGAN, regularizers=[R1(2.0, interval=4)], seed=0)
    gan.compile()
    real = ops.convert_to_tensor(tiny_images(8))
    fake = ops.convert_to_tensor(tiny_images(8, seed=1))
    batch = kerasgan.parts.StepBatch(real, fake)
    gan.d_optimizer.iterations.assign(4)
    due = float(gan.discriminator_objective(batch)[0]["r1"])
    gan.d_optimizer.iterations.assign(5)
    skipped = float(gan.discriminator_objective(batch)[0]["r1"])
    eager = kerasgan.losses.penalties.r1_penalty(lambda x: gan.discriminator(x, training=True), real)
    assert skipped == 0.0
    assert due == pytest.approx(0.5 * 2.0 * 4 * float(eager), rel=1e-4)


def test_relativistic_generator_sees_the_real_batch():
    # The RaGAN generator loss depends on the real images; a plain GAN's does not.
    def g_loss_for(cls, real):
        keras.utils.set_random_seed(0)
        gan = _small(cls, seed=0)
        gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
        return gan.fit(real, epochs=1, batch_size=8, shuffle=False, verbose=0).history["g_loss"][0]

    a, b = tiny_images(8, seed=0), tiny_images(8, seed=5)
    assert g_loss_for(RaGAN, a) != pytest.approx(g_loss_for(RaGAN, b), rel=1e-6)
    assert g_loss_for(LSGAN, a) == pytest.approx(g_loss_for(LSGAN, b), rel=1e-6)


def test_generator_ema_lags_the_raw_weights_by_the_expected_factor(tmp_path):
    decay = 0.8
    gan = _small(kerasgan.models.DCGAN, ema=GeneratorEMA(decay), seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    snapshots = [[keras.ops.convert_to_numpy(w).copy() for w in gan.generator.weights]]

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            snapshots.append([keras.ops.convert_to_numpy(w).copy() for w in gan.generator.weights])

    gan.fit(tiny_images(40), epochs=1, batch_size=8, callbacks=[Record()], verbose=0)
    # θ_ema after k steps = β^k θ_0 + Σ_i (1 - β) β^(k-i) θ_i, BatchNorm statistics included
    expected = [np.array(w, "float64") for w in snapshots[0]]
    for step in snapshots[1:]:
        expected = [decay * e + (1 - decay) * w for e, w in zip(expected, step)]
    actual = [keras.ops.convert_to_numpy(w) for w in gan.generator_ema.weights]
    assert len(actual) == len(expected) > len(gan.generator.trainable_weights)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-6)
    assert not np.allclose(actual[0], snapshots[-1][0])  # it lags the raw weights
    # generate() samples from the average; the average survives save / load
    latents = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    np.testing.assert_allclose(
        gan.generate(latents=latents), keras.ops.convert_to_numpy(gan.generator_ema(latents)), atol=1e-6
    )
    gan.save(tmp_path / "ema.keras")
    loaded = keras.saving.load_model(tmp_path / "ema.keras")
    for a, b in zip(gan.generator_ema.weights, loaded.generator_ema.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))


class TestFeatureMatching(GANContract):
    def make_model(self, **kwargs):
        return _small(kerasgan.models.DCGAN, loss=FeatureMatching(), **kwargs)


def test_feature_matching_loss_is_the_squared_distance_of_feature_means():
    real = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")  # mean (2, 3)
    fake = np.array([[0.0, 0.0], [2.0, 2.0]], "float32")  # mean (1, 1)
    assert float(kerasgan.losses.feature_matching_loss(real, fake)) == pytest.approx(1.0 + 4.0)


def test_historical_averaging_tracks_the_running_mean_of_past_weights():
    gan = _small(kerasgan.models.DCGAN, regularizers=[HistoricalAverage(0.5)], seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    history = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            history.append([keras.ops.convert_to_numpy(w).copy() for w in gan.discriminator.trainable_weights])

    logs = gan.fit(tiny_images(32), epochs=1, batch_size=8, callbacks=[Record()], verbose=0).history
    expected = [np.mean([step[i] for step in history], axis=0) for i in range(len(history[0]))]
    for average, e in zip(gan.regularizers[0].averages_d, expected):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(average), e, rtol=1e-4, atol=1e-6)
    # the penalty λ·‖θ - θ̄‖² is logged for both networks and is positive once the weights moved
    assert logs["hist_d"][0] > 0 and logs["hist_g"][0] > 0
