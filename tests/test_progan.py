"""ProGAN: the growth inside one fit() (schedule, fades, resume mid-fade), equalized LR, pixel norm, the drift term."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from gan_contract import GANContract
from keras import ops

from kerasgan.models import ProGAN, growth_schedule
from kerasgan.networks import (
    EqualizedConv2D,
    EqualizedDense,
    MinibatchStdDev,
    PixelNormalization,
    progan_discriminator,
    progan_generator,
)
from kerasgan.networks.progan import fade_images, progan_filters
from kerasgan.parts import CriticView, Drift, GradientPenalty, StepBatch


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _growth(level, alpha, n):
    return np.tile(np.array([[level, alpha]], "float32"), (n, 1))


def _up(x, factor):
    return x.repeat(factor, axis=1).repeat(factor, axis=2)


def _pool(x, factor):
    b, h, w, c = x.shape
    return x.reshape(b, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))


class TestProGANContract(GANContract):
    # 8×8: levels 0 (4×4) and 1 (8×8). 32 images an epoch of 4 steps: 4×4 for 8 images, then the fade-in of
    # 8×8 over 40, so the contract's resume (saved after epoch 1, 32 images) is taken mid-fade (alpha 0.6).
    image_shape = (8, 8, 1)

    def make_model(self, **kwargs):
        options = dict(base_filters=2, max_filters=4, fade_images=40, stable_images=8)
        return ProGAN.for_images(self.image_shape, latent_dim=4, **{**options, **kwargs})

    def test_training_continued_after_loading_matches_uninterrupted_run(self, tmp_path):
        """The resume contract taken mid-fade: saved at alpha 0.6, reloaded, continued: equal to an uninterrupted run.

        The uninterrupted run's 12 steps pass through 4×4, the fade-in and the stabilization of 8×8 on one trace.
        """
        data = self.data()
        uninterrupted = self.compiled()
        states, traces = [], []
        step = uninterrupted.update_networks
        uninterrupted.update_networks = lambda batch: (traces.append(1), step(batch))[1]  # Python runs only in tracing

        class Record(keras.callbacks.Callback):
            def on_train_batch_begin(self, batch, logs=None):
                states.append((uninterrupted.level, round(uninterrupted.alpha, 6)))

        expected = uninterrupted.fit(
            data, epochs=3, batch_size=self.batch_size, shuffle=False, verbose=0, callbacks=[Record()]
        ).history
        # 8 images at 4×4, the fade-in over 40, 8 to stabilize, then 8×8 for good
        assert states == [(0, 1.0), (1, 0.0), (1, 0.2), (1, 0.4), (1, 0.6), (1, 0.8), *[(1, 1.0)] * 6]
        assert len(traces) == 1
        first = self.compiled()
        self.fit(first, epochs=1, data=data)  # 32 images: 8 at 4×4, then alpha = 24 / 40
        assert (first.level, first.images_seen) == (1, 32) and first.alpha == pytest.approx(0.6)
        first.save(tmp_path / "mid_fade.keras")
        resumed = keras.saving.load_model(tmp_path / "mid_fade.keras")
        assert (resumed.level, resumed.images_seen) == (1, 32) and resumed.alpha == pytest.approx(0.6)
        continued = self.fit(resumed, epochs=2, data=data)
        assert (
            (resumed.level, resumed.alpha, resumed.images_seen)
            == (1, 1.0, 96)
            == (
                uninterrupted.level,
                uninterrupted.alpha,
                uninterrupted.images_seen,
            )
        )
        for key in ("d_loss", "g_loss", "gp", "drift"):
            np.testing.assert_allclose(continued[key], expected[key][1:], rtol=1e-5, atol=1e-6, err_msg=key)
        for a, b in zip(
            uninterrupted.generator.weights + uninterrupted.discriminator.weights,
            resumed.generator.weights + resumed.discriminator.weights,
        ):
            np.testing.assert_allclose(_np(b), _np(a), atol=1e-6, err_msg=a.path)


def test_schedule_against_a_hand_computation():
    # levels 3 (4 → 32), fade 100, stabilize 50: 4×4 [0, 50); 8×8 fade [50, 150), stable [150, 200); 16×16 fade
    # [200, 300), ...; 32×32 fade [350, 450), then stable for good.
    cases = {
        0: (0, 1.0),
        49: (0, 1.0),
        50: (1, 0.0),
        75: (1, 0.25),
        149: (1, 0.99),
        150: (1, 1.0),
        199: (1, 1.0),
        230: (2, 0.3),
        400: (3, 0.5),
        450: (3, 1.0),
        10**9: (3, 1.0),
    }
    for images, (level, alpha) in cases.items():
        got = growth_schedule(np.int64(images), 3, 100, 50)
        assert (float(got[0]), round(float(got[1]), 6)) == (level, alpha), images


def test_equalized_layers_scale_at_run_time_and_store_unit_normal_weights():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 16)).astype("float32")
    conv = EqualizedConv2D(32, 3)
    out = _np(conv(x))
    assert conv.scale == pytest.approx(math.sqrt(2 / (3 * 3 * 16)))
    kernel = _np(conv.kernel)
    assert abs(kernel.mean()) < 0.05 and abs(kernel.std() - 1) < 0.05  # 4608 draws of N(0, 1)
    reference = _np(ops.conv(x, kernel * math.sqrt(2 / 144), padding="same"))
    np.testing.assert_allclose(out, reference, rtol=1e-5, atol=1e-5)

    dense = EqualizedDense(64, gain=1.0)
    v = x.reshape(2, -1)[:, :100]
    out = _np(dense(v))
    assert dense.scale == pytest.approx(math.sqrt(1 / 100))
    kernel = _np(dense.kernel)
    assert abs(kernel.mean()) < 0.05 and abs(kernel.std() - 1) < 0.05  # 6400 draws
    np.testing.assert_allclose(out, v @ kernel / 10.0, rtol=1e-5, atol=1e-5)
    wide = EqualizedDense(4)
    wide.build((None, 200))
    assert wide.scale == pytest.approx(math.sqrt(2 / 200))  # the default gain 2: He's √(2 / fan_in)


def test_pixel_norm_against_numpy():
    x = np.random.default_rng(1).normal(size=(3, 4, 4, 6)).astype("float32") * 5
    expected = x / np.sqrt((x**2).mean(axis=-1, keepdims=True) + 1e-8)
    np.testing.assert_allclose(_np(PixelNormalization()(x)), expected, rtol=1e-5, atol=1e-6)


def test_discriminator_has_the_minibatch_stddev_at_4x4():
    # The layer itself is checked against numpy in test_networks.py (test_minibatch_std_matches_numpy).
    d = progan_discriminator((16, 16, 1), base_filters=2, max_filters=4)
    (layer,) = [layer for layer in d.layers if isinstance(layer, MinibatchStdDev)]
    assert layer.group_size == 4 and tuple(layer.input.shape[1:3]) == (4, 4)


def test_generator_fade_in_blends_the_upsampled_previous_output_with_the_new_one():
    keras.utils.set_random_seed(1)
    g = progan_generator(4, (16, 16, 1), base_filters=2, max_filters=4)
    z = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    synthesis = g.get_layer("synthesis")
    features = synthesis.features(z, 1)
    rgb4, rgb8 = (_np(synthesis.image(features, k)) for k in (0, 1))
    old, new = _up(rgb4, 4), _up(rgb8, 2)
    np.testing.assert_allclose(_np(g([z, _growth(0, 1, 3)])), old, atol=1e-6)
    np.testing.assert_allclose(_np(g([z, _growth(1, 0, 3)])), old, atol=1e-6)  # alpha 0: the previous resolution
    np.testing.assert_allclose(_np(g([z, _growth(1, 1, 3)])), new, atol=1e-6)  # alpha 1: the new block's
    np.testing.assert_allclose(_np(g([z, _growth(1, 0.3, 3)])), 0.3 * new + 0.7 * old, atol=1e-6)
    assert not np.allclose(old, new, atol=1e-3)


def test_discriminator_fade_in_mirrors_the_generator():
    keras.utils.set_random_seed(2)
    d = progan_discriminator((16, 16, 1), base_filters=2, max_filters=4)
    x = np.tanh(np.random.default_rng(0).normal(size=(4, 16, 16, 1))).astype("float32")

    def logits(level, alpha):
        return _np(d([x, _growth(level, alpha, 4)]))

    # alpha 0 reads the previous level's input path only; alpha 1 the new block's, which is where the next level's
    # fade-in starts from
    np.testing.assert_allclose(logits(1, 0), logits(0, 1), atol=1e-6)
    np.testing.assert_allclose(logits(2, 0), logits(1, 1), atol=1e-6)
    # the blend is linear in alpha where it enters: (1 - alpha) · fromRGB_4 + alpha · block_8, before the 4×4 block
    encoder = d.get_layer("encoder")
    a0, a1, a3 = (_np(encoder([x, _growth(1, a, 4)])) for a in (0.0, 1.0, 0.3))
    np.testing.assert_allclose(a3, 0.7 * a0 + 0.3 * a1, atol=1e-6)
    assert not np.allclose(logits(1, 1), logits(0, 1), atol=1e-4)


def test_real_images_are_faded_like_the_generator_output():
    x = np.random.default_rng(3).uniform(-1, 1, (2, 16, 16, 1)).astype("float32")
    old, new = _up(_pool(x, 4), 4), _up(_pool(x, 2), 2)
    np.testing.assert_allclose(_np(fade_images(x, _growth(0, 1, 2))), old, atol=1e-6)
    np.testing.assert_allclose(_np(fade_images(x, _growth(1, 0.25, 2))), 0.25 * new + 0.75 * old, atol=1e-6)
    np.testing.assert_allclose(_np(fade_images(x, _growth(2, 1, 2))), x, atol=1e-6)


def test_blocks_above_the_current_level_get_no_gradient():
    keras.utils.set_random_seed(0)
    g = progan_generator(4, (8, 8, 1), base_filters=2, max_filters=4)
    z = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")

    @tf.function  # traced, as fit() runs the step: the switch is a graph op there
    def gradients():
        with tf.GradientTape() as tape:
            loss = ops.sum(g([z, _growth(0, 1, 2)]))
        return tape.gradient(loss, g.trainable_variables)

    grads = dict(zip([v.path for v in g.trainable_variables], gradients()))
    above = [p for p in grads if "8x8" in p]
    assert above and all(grads[p] is None or not np.any(_np(grads[p])) for p in above)
    (rgb4,) = [p for p in grads if p.endswith("to_rgb_4x4/kernel")]
    assert np.any(_np(grads[rgb4]))


def test_drift_term_against_numpy():
    real = np.random.default_rng(4).normal(size=(6, 2, 2, 1)).astype("float32")

    class Model:
        def critic_views(self, batch):
            return [CriticView(lambda images: ops.sum(images, axis=(1, 2, 3))[:, None] * 2.0, batch.real, batch.fake)]

    terms = Drift(0.001).discriminator_terms(Model(), StepBatch(real, real * 0))
    expected = 0.001 * np.mean((real.sum(axis=(1, 2, 3)) * 2.0) ** 2)
    assert float(terms["drift"]) == pytest.approx(expected, rel=1e-6)


def test_defaults_are_the_papers():
    gan = ProGAN.for_images((8, 8, 1), latent_dim=4, base_filters=2, max_filters=4)
    assert gan.loss.alias == "wasserstein" and gan.d_steps == 1
    (gp, drift) = gan.regularizers
    assert isinstance(gp, GradientPenalty) and gp.weight == 10.0 and isinstance(drift, Drift) and drift.weight == 0.001
    d_opt, _ = gan.default_optimizers()
    assert float(d_opt.learning_rate) == pytest.approx(1e-3) and (d_opt.beta_1, d_opt.beta_2) == (0.0, 0.99)
    gan.set_images_seen(1_600_000)  # the paper's 800k images at 4×4, then 800k fading in 8×8: the fade is over
    assert (gan.level, gan.alpha, gan.resolution) == (1, 1.0, 8)
    # the paper's widths at 1024×1024 (its table 2): 512 up to 32×32, then halving to 16
    widths = progan_filters(1024, 16384 // 1024, 512)
    assert list(widths.values()) == [512, 512, 512, 512, 256, 128, 64, 32, 16]


@pytest.mark.parametrize("shape", [(12, 12, 3), (16, 8, 3)])
def test_refuses_sizes_it_cannot_grow_to(shape):
    with pytest.raises(ValueError, match="power of two|square"):
        ProGAN.for_images(shape, latent_dim=4, base_filters=2, max_filters=4)


def test_generate_and_the_grid_show_the_current_resolution_upsampled_to_the_target():
    keras.utils.set_random_seed(0)
    gan = ProGAN.for_images((8, 8, 1), latent_dim=4, base_filters=2, max_filters=4, fade_images=8, stable_images=8)
    blocky = gan.grid_samples(np.random.default_rng(0).normal(size=(2, 4)).astype("float32"))[0]
    assert blocky.shape == (2, 8, 8, 1)
    np.testing.assert_array_equal(blocky, _up(blocky[:, ::2, ::2], 2))  # 4×4, nearest-upsampled
    gan.set_images_seen(16)  # 8×8, faded in
    sharp = gan.generate(2, seed=0)
    assert not np.allclose(sharp, _up(sharp[:, ::2, ::2], 2), atol=1e-3)
