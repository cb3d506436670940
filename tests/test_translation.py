"""pix2pix and CycleGAN: the shared contract, the shared parts on them, the image pool, the networks, the loss terms, the data."""

import json
import os
import subprocess
import sys
import textwrap

import imageio.v3 as iio
import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import PROJECT_ROOT
from gan_contract import optimizer_state, tiny_images, weights_of

import kerasgan
from kerasgan.losses import cycle_consistency_loss, identity_loss, l1_loss
from kerasgan.models import CycleGAN, ImageTranslation, Pix2Pix
from kerasgan.networks import (
    ImagePool,
    ReflectionPadding2D,
    normalization_layer,
    patchgan_discriminator,
    resnet_generator,
    unet_generator,
)
from kerasgan.parts import (
    R1,
    CycleConsistency,
    DiffAugment,
    GeneratorEMA,
    Identity,
    L1Reconstruction,
)
from kerasgan.schedules import LinearDecay

SHAPE = (16, 16, 3)
BATCH = 4


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _small(cls, **kwargs):
    if cls is CycleGAN:
        kwargs.setdefault("n_blocks", 1)
        kwargs.setdefault("pool_size", 3)
    return cls(image_shape=SHAPE, base_filters=4, **kwargs)


def _compiled(cls, optimizer=None, **kwargs):
    keras.utils.set_random_seed(7)  # same initial weights for every model a test builds
    model = _small(cls, seed=7, **kwargs)
    optimizer = optimizer or (lambda: keras.optimizers.Adam(1e-3, beta_1=0.5))
    model.compile(d_optimizer=optimizer(), g_optimizer=optimizer())
    return model


def _data(n=2 * BATCH):
    a = tiny_images(n, SHAPE, seed=1)
    return a, np.tanh(a[..., ::-1] * 2.0)  # B: a fixed per-pixel function of A, so pairs are learnable


def _fit(model, epochs=1, data=None):
    a, b = _data() if data is None else data
    return model.fit(a, b, epochs=epochs, batch_size=BATCH, shuffle=False, verbose=0).history


def _networks(model):
    return [*model.discriminator_networks(), *model.generator_networks()]


LOGS = {
    Pix2Pix: ("d_loss", "g_loss", "g_gan", "g_l1"),
    CycleGAN: ("d_a_loss", "d_b_loss", "g_loss", "g_ab_gan", "g_ba_gan", "cycle_loss", "identity_loss"),
}
MODELS = pytest.mark.parametrize("cls", [Pix2Pix, CycleGAN])


# --- the contract ------------------------------------------------------------------------------------------


class Trained:
    """A model trained for one step on one batch, with what it looked like before."""

    def __init__(self, cls, directory):
        self.data = _data(BATCH)
        self.model = _compiled(cls)
        self.before = [weights_of(n) for n in _networks(self.model)]
        self.expected = _cyclegan_objective(self.model, *self.data) if cls is CycleGAN else None
        self.history = _fit(self.model, data=self.data)
        self.path = directory / "model.keras"
        self.model.save(self.path)


_TRAINED = {}


def _trained(cls, tmp_path_factory):
    # Tracing CycleGAN's step takes ~10 s on a busy CPU, so the contract tests
    # share one trained model per class (none of them changes it).
    if cls not in _TRAINED:
        _TRAINED[cls] = Trained(cls, tmp_path_factory.mktemp(cls.__name__))
    return _TRAINED[cls]


@pytest.fixture(scope="module", params=[Pix2Pix, CycleGAN], ids=["Pix2Pix", "CycleGAN"])
def trained(request, tmp_path_factory):
    return _trained(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def trained_cyclegan(tmp_path_factory):
    return _trained(CycleGAN, tmp_path_factory)


def _cyclegan_objective(model, a, b):
    """The paper's terms, in numpy, from the networks' outputs before the step."""

    def run(network, x):
        return _np(network(x, training=True))

    g, f, d_a, d_b = model.generator_ab, model.generator_ba, model.discriminator_a, model.discriminator_b
    fake_b, fake_a = run(g, a), run(f, b)
    cycled_a, cycled_b = run(f, fake_b), run(g, fake_a)
    same_a, same_b = run(f, a), run(g, b)
    expected = {
        "g_ab_gan": np.mean((run(d_b, fake_b) - 1) ** 2),
        "g_ba_gan": np.mean((run(d_a, fake_a) - 1) ** 2),
        "cycle_loss": 10 * (np.abs(cycled_a - a).mean() + np.abs(cycled_b - b).mean()),
        "identity_loss": 0.5 * 10 * (np.abs(same_a - a).mean() + np.abs(same_b - b).mean()),
        # the pools start empty, so the discriminators see this step's fakes
        "d_a_loss": 0.5 * np.mean((run(d_a, a) - 1) ** 2) + 0.5 * np.mean(run(d_a, fake_a) ** 2),
        "d_b_loss": 0.5 * np.mean((run(d_b, b) - 1) ** 2) + 0.5 * np.mean(run(d_b, fake_b) ** 2),
    }
    expected["g_loss"] = sum(expected[k] for k in ("g_ab_gan", "g_ba_gan", "cycle_loss", "identity_loss"))
    return expected


def test_fit_logs_every_loss_finite(trained):
    assert sorted(trained.history) == sorted(LOGS[type(trained.model)])
    for key, values in trained.history.items():
        assert np.isfinite(values).all(), key


def test_every_network_is_updated(trained):
    model = trained.model
    for network, old in zip(_networks(model), trained.before):
        for variable, value in zip(network.weights, old):
            if variable.trainable:
                assert not np.array_equal(value, _np(variable)), f"{network.name}/{variable.path} did not move"
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 1


def test_cyclegan_logs_the_papers_objective_computed_with_numpy(trained_cyclegan):
    """One step on one batch: every logged term equals the paper's formula on the networks' outputs before it."""
    for key, value in trained_cyclegan.expected.items():
        assert trained_cyclegan.history[key][0] == pytest.approx(float(value), rel=1e-4), key


@MODELS
def test_config_round_trip(cls):
    model = _small(cls, seed=3)
    config = model.get_config()
    clone = cls.from_config(config)
    assert type(clone) is cls and clone.get_config() == config
    for a, b in zip(_networks(model), _networks(clone)):
        assert a.count_params() == b.count_params() > 0


def test_keras_round_trip_keeps_weights_and_every_optimizer(trained):
    model = trained.model
    loaded = keras.saving.load_model(trained.path, safe_mode=True)
    assert type(loaded) is type(model)
    for a, b in zip(_networks(model), _networks(loaded)):
        for x, y in zip(weights_of(a), weights_of(b)):
            np.testing.assert_array_equal(x, y)
    if isinstance(model, CycleGAN):  # the history pools come back too
        for pool in ("pool_a", "pool_b"):
            np.testing.assert_array_equal(_np(getattr(model, pool).images), _np(getattr(loaded, pool).images))
            assert int(getattr(loaded, pool).count) == 3
    for name in ("d_optimizer", "g_optimizer"):
        original, restored = getattr(model, name), getattr(loaded, name)
        assert restored.get_config() == original.get_config()
        assert int(restored.iterations) == int(original.iterations) == 1
        expected, actual = optimizer_state(original), optimizer_state(restored)
        assert len(actual) == len(expected) > 1
        for i, (a, b) in enumerate(zip(expected, actual)):
            np.testing.assert_array_equal(a, b, err_msg=f"{name} variable {i}")


def test_training_continued_after_loading_matches_uninterrupted_run(trained):
    expected = _fit(_compiled(type(trained.model)), epochs=3, data=trained.data)
    continued = _fit(keras.saving.load_model(trained.path), epochs=2, data=trained.data)
    # Pix2Pix: the dropout streams; CycleGAN: the pools' contents and random choices.
    for key in LOGS[type(trained.model)]:
        np.testing.assert_allclose(continued[key], expected[key][1:], rtol=1e-5, atol=1e-6, err_msg=key)


@MODELS
def test_compile_refuses_single_optimizer_and_loss(cls):
    model = _small(cls)
    with pytest.raises(ValueError, match="d_optimizer=.*g_optimizer"):
        model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="constructor"):
        model.compile(loss="mae")
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="same object"):
        model.compile(d_optimizer=shared, g_optimizer=shared)
    with pytest.raises(RuntimeError, match="compile"):
        _fit(_small(cls))


@MODELS
def test_rejects_bad_data(cls):
    a, b = _data()
    # A fresh model for each: once a step is traced, Keras relaxes the traced shapes.
    with pytest.raises(ValueError, match=r"pairs of batches \(images_a, images_b\)"):
        model = _small(cls)
        model.compile()
        model.fit(a, epochs=1, batch_size=BATCH, verbose=0)
    for data, error, message in (
        ((((a + 1) * 127.5).astype("uint8"), b), TypeError, "uint8"),
        ((a, b[..., :1]), ValueError, r"domain-B images of shape \(16, 16, 1\)"),
    ):
        model = _small(cls)
        model.compile()
        with pytest.raises(error, match=message):
            _fit(model, data=data)


def test_rejects_images_in_0_255():
    a, b = _data()
    model = _small(Pix2Pix)
    model.compile()
    with pytest.raises(ValueError, match=r"\[-1, 1\].*127.5"):
        _fit(model, data=((a + 1) * 127.5, b))


def test_default_optimizers_are_the_papers():
    pix = _small(Pix2Pix)
    pix.compile()
    for optimizer in (pix.d_optimizer, pix.g_optimizer):
        assert type(optimizer) is keras.optimizers.Adam
        assert float(optimizer.learning_rate) == pytest.approx(2e-4) and float(optimizer.beta_1) == 0.5
    cycle = _small(CycleGAN)
    cycle.compile()
    for optimizer in (cycle.d_optimizer, cycle.g_optimizer):
        assert float(optimizer.beta_1) == 0.5
        schedule = optimizer.get_config()["learning_rate"]
        assert schedule["class_name"] == "LinearDecay"
        assert schedule["config"] == {"initial_learning_rate": 2e-4, "constant_steps": 100_000, "decay_steps": 100_000}
    # the paper's terms: λ = 100 for pix2pix; λ = 10 and an identity weight of 0.5·λ for CycleGAN
    assert [(type(o), o.weight) for o in pix.objectives] == [(L1Reconstruction, 100.0)]
    assert [(type(o), o.weight) for o in cycle.objectives] == [(CycleConsistency, 10.0), (Identity, 5.0)]
    assert cycle.pool_size == 3
    assert CycleGAN(image_shape=(256, 256, 3), base_filters=1).n_blocks == 9
    assert CycleGAN(image_shape=(128, 128, 3), base_filters=1).n_blocks == 6


@MODELS
def test_translate_returns_float32_in_range(cls):
    model = _small(cls)
    assert isinstance(model, ImageTranslation)
    assert model.data_kind == {Pix2Pix: "paired_images", CycleGAN: "unpaired_images"}[cls]
    a, _ = _data()
    out = model.translate(a[:5])
    assert out.dtype == np.float32 and out.shape == (5, *SHAPE) and np.abs(out).max() <= 1.0
    np.testing.assert_allclose(out, _np(model(a[:5])), atol=1e-6)
    if cls is Pix2Pix:
        with pytest.raises(ValueError, match="one direction"):
            model.translate(a, "b2a")
        assert model.directions == ("a2b",)
    else:
        back = model.translate(out, "b2a")
        np.testing.assert_allclose(back, _np(model.generator_ba(out)), atol=1e-6)
        with pytest.raises(ValueError, match="'a2b' and 'b2a'"):
            model.translate(a, "ab")
    with pytest.raises(ValueError, match=r"shape \(n, 16, 16, 3\)"):
        model.translate(a[:, :8])


# --- the losses, against values computed here -----------------------------------------------------------------


def test_l1_cycle_and_identity_terms_against_hand_values():
    zeros, ones = np.zeros((1, 1, 2, 1), "float32"), np.ones((1, 1, 2, 1), "float32")
    half = np.array([0.5, -1.0], "float32").reshape(1, 1, 2, 1)
    assert float(l1_loss(zeros, half)) == pytest.approx(0.75)  # (0.5 + 1) / 2
    # |F(G(a)) - a| = 0.75 on average, |G(F(b)) - b| = (0.5 + 2) / 2 = 1.25
    assert float(cycle_consistency_loss(zeros, half, ones, half)) == pytest.approx(0.75 + 1.25)
    assert float(identity_loss(ones, ones, zeros, half)) == pytest.approx(0.0 + 0.75)


def test_pix2pix_logs_halved_discriminator_loss_and_weighted_l1():
    keras.utils.set_random_seed(3)
    generator = unet_generator(SHAPE, 3, base_filters=4, dropout=0.0, normalization="none")
    discriminator = patchgan_discriminator(SHAPE, condition_shape=SHAPE, base_filters=4, normalization="none")
    model = Pix2Pix(generator, discriminator, image_shape=SHAPE, base_filters=4)
    model.compile()
    x, y = _data(BATCH)
    fake = _np(generator(x))
    real_logits, fake_logits = _np(discriminator([x, y])), _np(discriminator([x, fake]))

    def softplus(v):
        return np.log1p(np.exp(-np.abs(v))) + np.maximum(v, 0)

    expected_d = 0.5 * (softplus(-real_logits).mean() + softplus(fake_logits).mean())
    history = _fit(model, data=(x, y))
    assert history["d_loss"][0] == pytest.approx(expected_d, rel=1e-4)
    # g_l1 is the term as it enters the generator's loss, λ·E|y - G(x)| with λ = 100
    assert history["g_l1"][0] == pytest.approx(100 * np.abs(y - fake).mean(), rel=1e-4)
    assert history["g_loss"][0] == pytest.approx(history["g_gan"][0] + history["g_l1"][0], rel=1e-5)


def test_linear_decay_schedule_values():
    schedule = LinearDecay(2e-4, constant_steps=100, decay_steps=50)
    for step, value in ((0, 2e-4), (100, 2e-4), (110, 1.6e-4), (125, 1e-4), (150, 0.0), (1000, 0.0)):
        assert float(schedule(step)) == pytest.approx(value, rel=1e-6, abs=1e-12), step
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert isinstance(clone, LinearDecay) and float(clone(125)) == pytest.approx(1e-4)
    optimizer = keras.optimizers.Adam(schedule)
    optimizer.iterations.assign(140)
    assert float(optimizer.learning_rate) == pytest.approx(0.4e-4)
    with pytest.raises(ValueError, match="decay_steps"):
        LinearDecay(2e-4, 10, 0)


# --- the shared parts on the translation models ----------------------------------------------------------------

GAMMA = 3.0


def _sgd():
    # SGD: a step is -lr·gradient, so a term's contribution to the update can be read off the weights.
    return keras.optimizers.SGD(0.1)


def _r1_reference(discriminate, real):
    """γ/2·E‖∇D(x)‖² on `real`, D's gradient taken with its own tape, reduced in numpy."""
    real = tf.constant(real)
    with tf.GradientTape() as tape:
        tape.watch(real)
        total = tf.reduce_sum(discriminate(real))
    gradients = _np(tape.gradient(total, real)).astype("float64")
    return GAMMA / 2 * np.mean(np.sum(gradients**2, axis=(1, 2, 3)))


def _trainable(networks):
    return [_np(v).copy() for n in networks for v in n.trainable_variables]


class Pix2PixParts:
    """Three pix2pix runs of one SGD step on one batch: no parts, every part at weight zero, and R1(γ)."""

    def __init__(self):
        self.x, self.y = _data(BATCH)
        self.models, self.history = {}, {}
        for name, kwargs in (
            ("plain", {"objectives": []}),
            ("zero", {"objectives": [L1Reconstruction(0.0)], "regularizers": [R1(0.0)]}),
            ("r1", {"objectives": [], "regularizers": [R1(GAMMA)]}),
        ):
            model = _compiled(Pix2Pix, optimizer=_sgd, **kwargs)
            if name == "r1":
                self.initial_d = [_np(v).copy() for v in model.discriminator.trainable_variables]
                self.expected_r1, self.r1_gradients = self._r1_and_its_gradient(model)
            self.history[name] = _fit(model, data=(self.x, self.y))
            self.models[name] = model

    def _r1_and_its_gradient(self, model):
        """γ/2·E‖∇_y D(x, y)‖² at the initial weights, and its gradient with respect to D's weights."""
        d, x = model.discriminator, tf.constant(self.x)
        with tf.GradientTape() as outer:
            y = tf.constant(self.y)
            with tf.GradientTape() as inner:
                inner.watch(y)
                total = tf.reduce_sum(d([x, y], training=True))
            penalty = GAMMA / 2 * tf.reduce_mean(tf.reduce_sum(tf.square(inner.gradient(total, y)), axis=[1, 2, 3]))
        expected = _r1_reference(lambda images: d([x, images], training=True), self.y)
        gradients = outer.gradient(penalty, d.trainable_variables)
        # None: the penalty does not depend on that weight (the logit's bias)
        return expected, [np.zeros(v.shape) if g is None else _np(g) for g, v in zip(gradients, d.trainable_variables)]


@pytest.fixture(scope="module")
def pix2pix_parts():
    return Pix2PixParts()


def test_pix2pix_parts_at_weight_zero_change_nothing(pix2pix_parts):
    zero, plain = pix2pix_parts.models["zero"], pix2pix_parts.models["plain"]
    assert pix2pix_parts.history["zero"]["r1"] == [0.0] and pix2pix_parts.history["zero"]["g_l1"] == [0.0]
    # The generator's weights (BatchNorm statistics included) and the discriminator's trainable ones. (The
    # penalty's own pass through D moves D's BatchNorm statistics, which training never reads.)
    for a, b in zip(
        weights_of(zero.generator) + _trainable([zero.discriminator]),
        weights_of(plain.generator) + _trainable([plain.discriminator]),
    ):
        np.testing.assert_array_equal(a, b)


def test_pix2pix_r1_is_the_penalty_on_the_judged_image_of_real_pairs(pix2pix_parts):
    """Logged r1 = γ/2·E‖∇_y D(x, y)‖² on the real pairs; D's step moves by -lr·∇θ of exactly that term."""
    history = pix2pix_parts.history["r1"]
    assert history["r1"][0] == pytest.approx(pix2pix_parts.expected_r1, rel=1e-4)
    assert history["d_loss"] == pytest.approx(pix2pix_parts.history["plain"]["d_loss"], rel=1e-6)
    with_r1 = pix2pix_parts.models["r1"].discriminator.trainable_variables
    without = pix2pix_parts.models["plain"].discriminator.trainable_variables
    for a, b, g in zip(with_r1, without, pix2pix_parts.r1_gradients):
        np.testing.assert_allclose(_np(a) - _np(b), -0.1 * g, rtol=1e-3, atol=1e-6)
    assert max(np.abs(g).max() for g in pix2pix_parts.r1_gradients) > 1e-3  # the check above has something to see


class CycleGANParts:
    """Three CycleGAN runs of one SGD step: cycle term only, every part at weight zero, R1(γ) (eager, to count passes)."""

    def __init__(self):
        self.a, self.b = _data(BATCH)
        self.models, self.history, self.calls = {}, {}, {}
        for name, kwargs in (
            ("plain", {"objectives": [CycleConsistency(10.0)]}),
            ("zero", {"objectives": [CycleConsistency(10.0), Identity(0.0)], "regularizers": [R1(0.0)]}),
            ("r1", {"objectives": [CycleConsistency(10.0)], "regularizers": [R1(GAMMA)]}),
        ):
            keras.utils.set_random_seed(7)
            model = _small(CycleGAN, seed=7, **kwargs)
            model.compile(d_optimizer=_sgd(), g_optimizer=_sgd(), run_eagerly=True)
            if name == "plain":
                self.expected = _cyclegan_objective(model, self.a, self.b)
            if name == "r1":
                self.expected_r1 = sum(
                    _r1_reference(lambda x, d=d: d(x, training=True), real)
                    for d, real in ((model.discriminator_a, self.a), (model.discriminator_b, self.b))
                )
            self.calls[name] = _count_calls(model.generator_networks())
            self.history[name] = _fit(model, data=(self.a, self.b))
            self.models[name] = model


def _count_calls(networks):
    """Counts each network's forward passes from now on."""
    counts = [0] * len(networks)
    for i, network in enumerate(networks):

        def spy(*args, _call=network.call, _i=i, **kwargs):
            counts[_i] += 1
            return _call(*args, **kwargs)

        network.call = spy
    return counts


@pytest.fixture(scope="module")
def cyclegan_parts():
    return CycleGANParts()


def test_cyclegan_without_identity_objective_skips_the_identity_passes(cyclegan_parts):
    """objectives=[CycleConsistency(10)]: G and F each run twice (translate, cycle back), not three times."""
    assert cyclegan_parts.calls["plain"] == [2, 2]
    assert cyclegan_parts.calls["zero"] == [3, 3]  # Identity, even at weight zero, runs G(b) and F(a)
    history, expected = cyclegan_parts.history["plain"], cyclegan_parts.expected
    assert "identity_loss" not in history and "identity_loss" in cyclegan_parts.history["zero"]
    for key in ("g_ab_gan", "g_ba_gan", "cycle_loss", "d_a_loss", "d_b_loss"):
        assert history[key][0] == pytest.approx(float(expected[key]), rel=1e-4), key
    total = expected["g_ab_gan"] + expected["g_ba_gan"] + expected["cycle_loss"]
    assert history["g_loss"][0] == pytest.approx(float(total), rel=1e-4)


def test_cyclegan_parts_at_weight_zero_change_nothing(cyclegan_parts):
    zero, plain = cyclegan_parts.models["zero"], cyclegan_parts.models["plain"]
    assert cyclegan_parts.history["zero"]["r1"] == [0.0] and cyclegan_parts.history["zero"]["identity_loss"] == [0.0]
    for a, b in zip(_networks(zero), _networks(plain)):
        for x, y in zip(weights_of(a), weights_of(b)):
            np.testing.assert_array_equal(x, y)


def test_cyclegan_r1_sums_both_discriminators_penalties(cyclegan_parts):
    """r1 = γ/2·(E‖∇D_A(a)‖² + E‖∇D_B(b)‖²) on the real images, at the discriminators' weights before the step."""
    assert cyclegan_parts.history["r1"]["r1"][0] == pytest.approx(cyclegan_parts.expected_r1, rel=1e-4)
    # the discriminators' own terms are those of the run without R1
    for key in ("d_a_loss", "d_b_loss"):
        assert cyclegan_parts.history["r1"][key] == pytest.approx(cyclegan_parts.history["plain"][key], rel=1e-6)
    # the penalty reaches both discriminators' updates
    for with_r1, without in zip(
        cyclegan_parts.models["r1"].discriminator_networks(), cyclegan_parts.models["plain"].discriminator_networks()
    ):
        moved = max(np.abs(a - b).max() for a, b in zip(_trainable([with_r1]), _trainable([without])))
        assert moved > 1e-6, with_r1.name


class Seen(keras.layers.Layer):
    """Passes its input through and keeps the last `calls` batches it saw, oldest first."""

    def __init__(self, shape, calls=3, **kwargs):
        super().__init__(**kwargs)
        self.seen = self.add_weight(shape=(calls, BATCH, *shape), initializer="zeros", trainable=False, name="seen")

    def call(self, images):
        self.seen.assign(keras.ops.concatenate([self.seen[1:], images[None]], axis=0))
        return images

    def compute_output_shape(self, input_shape):
        return input_shape


def _cutout_masks(images):
    """Per image, the pixels that are zero in every channel; checks they form one 8×8 square (cutout's, size/2)."""
    masks = np.all(_np(images) == 0.0, axis=-1)
    for mask in masks:
        rows, cols = np.nonzero(mask)
        assert mask.sum() == 64 and np.ptp(rows) == np.ptp(cols) == 7, "not one 8×8 cutout square"
    return masks


def test_pix2pix_discriminator_sees_input_and_output_cut_out_alike():
    """DiffAugment("cutout") on pix2pix: in the D step (real and translated pairs) and the G step, the condition
    and the judged image lose the same square; elsewhere D sees the batch itself."""
    condition, image = keras.Input(SHAPE), keras.Input(SHAPE)
    seen_condition, seen_image = Seen(SHAPE), Seen(SHAPE)
    patchgan = patchgan_discriminator(SHAPE, condition_shape=SHAPE, base_filters=4)
    discriminator = keras.Model([condition, image], patchgan([seen_condition(condition), seen_image(image)]))
    model = _compiled(Pix2Pix, discriminator=discriminator, augment=DiffAugment("cutout"))
    x, y = _data(BATCH)
    _fit(model, data=(x, y))
    conditions, images = _np(seen_condition.seen), _np(seen_image.seen)  # D(x, y), D(x, G(x)), then G's D(x, G(x))
    masks = []
    for call in range(3):
        mask = _cutout_masks(conditions[call])
        np.testing.assert_array_equal(_cutout_masks(images[call]), mask)  # the same square in both halves
        np.testing.assert_array_equal(conditions[call][~mask], x[~mask])
        masks.append(mask)
    np.testing.assert_array_equal(images[0][~masks[0]], y[~masks[0]])
    assert not np.array_equal(masks[1], masks[2]), "each pass draws its own augmentation"


def _shifted(image, dy, dx):
    """DiffAugment's translation in numpy: out[i, j] = image[i + dy, j + dx], zero outside."""
    out = np.zeros_like(image)
    h, w = image.shape[:2]
    for i in range(h):
        for j in range(w):
            if 0 <= i + dy < h and 0 <= j + dx < w:
                out[i, j] = image[i + dy, j + dx]
    return out


def test_pix2pix_augments_input_and_output_as_one_stacked_image():
    """With y = -x the two halves of what D sees stay exact negatives: one translation and cutout for both."""
    condition, image = keras.Input(SHAPE), keras.Input(SHAPE)
    stacked = keras.Model([condition, image], keras.layers.Concatenate()([condition, image]))  # "D" shows its input
    model = _small(Pix2Pix, discriminator=stacked, augment=DiffAugment("translation,cutout"), seed=0)
    x = tiny_images(8, SHAPE, seed=2)
    seen = _np(model.discriminate(keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(-x)))
    seen_x, seen_y = seen[..., :3], seen[..., 3:]
    np.testing.assert_array_equal(seen_y, -seen_x)
    shifts = []
    for original, augmented in zip(x, seen_x):
        kept = ~np.all(augmented == 0, axis=-1)
        found = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-2, 3)  # at most size/8 pixels each way
            if np.array_equal(_shifted(original, dy, dx)[kept], augmented[kept])
        ]
        assert len(found) == 1, found
        shifts.append(found[0])
    assert len(set(shifts)) > 1, "each image gets its own translation"


def test_cyclegan_discriminators_see_augmented_real_and_translated_images():
    shape = SHAPE
    seen, discriminators = {}, {}
    for domain in ("a", "b"):
        inputs = keras.Input(shape)
        seen[domain] = Seen(shape)
        patchgan = patchgan_discriminator(shape, base_filters=4, normalization="instance")
        discriminators[f"discriminator_{domain}"] = keras.Model(inputs, patchgan(seen[domain](inputs)))
    model = _compiled(CycleGAN, augment=DiffAugment("cutout"), **discriminators)
    a, b = _data(BATCH)
    _fit(model, data=(a, b))
    for domain, real in (("a", a), ("b", b)):
        translated, real_seen, pooled = _np(seen[domain].seen)  # G's D(fake), then D's D(real), D(pooled fake)
        masks = [_cutout_masks(images) for images in (translated, real_seen, pooled)]
        np.testing.assert_array_equal(real_seen[~masks[1]], real[~masks[1]])
        # the pool is filling, so it hands back this step's translations: the same images, cut out anew
        both = ~masks[0] & ~masks[2]
        np.testing.assert_array_equal(translated[both], pooled[both])
        assert not np.array_equal(masks[0], masks[2])


@MODELS
def test_generator_ema_lags_every_generator_and_translate_uses_it(cls, tmp_path):
    decay = 0.8
    model = _compiled(cls, ema=GeneratorEMA(decay))
    generators = model.generator_networks()
    snapshots = [[weights_of(g) for g in generators]]

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            snapshots.append([weights_of(g) for g in generators])

    a, b = _data(3 * BATCH)
    model.fit(a, b, epochs=1, batch_size=BATCH, shuffle=False, verbose=0, callbacks=[Record()])
    assert len(snapshots) == 4
    for i, generator in enumerate(generators):
        # θ_ema after k steps = β^k θ_0 + Σ_i (1 - β) β^(k-i) θ_i, BatchNorm statistics included
        expected = [w.astype("float64") for w in snapshots[0][i]]
        for step in snapshots[1:]:
            expected = [decay * e + (1 - decay) * w for e, w in zip(expected, step[i])]
        actual = weights_of(model.ema.average_of(generator))
        assert len(actual) == len(expected) >= len(generator.trainable_weights) > 0
        for x, e in zip(actual, expected):
            np.testing.assert_allclose(x, e, rtol=1e-4, atol=1e-6)
        assert not np.allclose(actual[0], snapshots[-1][i][0])  # it lags the raw weights
    # translate() (and calling the model) use the averages; use_ema=False the raw generators
    for direction in model.directions:
        network = model.translation_network(direction)
        average = _np(model.ema.average_of(network)(a, training=False))
        np.testing.assert_allclose(model.translate(a, direction), average, atol=1e-6)
        assert not np.allclose(model.translate(a, direction, use_ema=False), average, atol=1e-4)
    np.testing.assert_allclose(_np(model(a)), model.translate(a), atol=1e-6)
    model.save(tmp_path / "ema.keras")
    loaded = keras.saving.load_model(tmp_path / "ema.keras")
    for original, restored in zip(generators, loaded.generator_networks()):
        for x, y in zip(weights_of(model.ema.average_of(original)), weights_of(loaded.ema.average_of(restored))):
            np.testing.assert_array_equal(x, y)
    for direction in model.directions:
        np.testing.assert_array_equal(loaded.translate(a, direction), model.translate(a, direction))


def test_pix2pix_with_parts_resumes_after_loading_as_if_uninterrupted(tmp_path):
    """DiffAugment's random stream, R1 and the EMA come back from the .keras file: epochs 2-3 match."""

    def parts():
        return {"regularizers": [R1(1.0)], "augment": DiffAugment(), "ema": GeneratorEMA(0.5)}

    data = _data()
    expected = _fit(_compiled(Pix2Pix, **parts()), epochs=3, data=data)
    model = _compiled(Pix2Pix, **parts())
    _fit(model, data=data)
    model.save(tmp_path / "parts.keras")
    loaded = keras.saving.load_model(tmp_path / "parts.keras")
    assert [type(p).__name__ for p in loaded.parts()] == ["DiffAugment", "R1", "L1Reconstruction", "GeneratorEMA"]
    continued = _fit(loaded, epochs=2, data=data)
    assert sorted(continued) == sorted((*LOGS[Pix2Pix], "r1"))
    for key, values in continued.items():
        np.testing.assert_allclose(values, expected[key][1:], rtol=1e-5, atol=1e-6, err_msg=key)


def test_objectives_refuse_a_model_of_the_other_kind_of_data():
    with pytest.raises(ValueError, match="CycleConsistency.*unpaired_images.*Pix2Pix trains on paired_images"):
        _small(Pix2Pix, objectives=[CycleConsistency(10.0)])
    with pytest.raises(ValueError, match="L1Reconstruction.*paired_images.*CycleGAN trains on unpaired_images"):
        _small(CycleGAN, objectives=[L1Reconstruction(100.0)])
    with pytest.raises(ValueError, match="two parts log|given twice"):
        _small(CycleGAN, objectives=[Identity(5.0), Identity(1.0)])


# --- the image pool ---------------------------------------------------------------------------------------------


def _ids(images):
    return np.rint(_np(images)[:, 0, 0, 0]).astype(int).tolist()


def test_image_pool_stores_until_full_then_returns_a_past_image_half_of_the_time():
    pool = ImagePool(pool_size=10, image_shape=(1, 1, 1), seed=0)
    query = tf.function(pool.__call__)  # as inside the compiled train_step

    def batch(ids):
        return np.asarray(ids, "float32").reshape(-1, 1, 1, 1)

    # Filling: every image comes back unchanged and is stored.
    assert _ids(query(batch([1, 2, 3, 4]))) == [1, 2, 3, 4]
    assert int(pool.count) == 4
    assert _ids(query(batch([5, 6, 7, 8, 9, 10]))) == [5, 6, 7, 8, 9, 10]
    assert int(pool.count) == 10 and set(_ids(pool.images)) == set(range(1, 11))
    contents, swaps = set(range(1, 11)), 0
    next_id = 11
    for _ in range(500):
        ids = list(range(next_id, next_id + 4))
        next_id += 4
        returned = _ids(query(batch(ids)))
        for new, out in zip(ids, returned):
            if out != new:
                # a swap: the returned image was in the pool and the new one took its place
                assert out in contents, out
                contents.remove(out)
                contents.add(new)
                swaps += 1
        assert len(set(returned)) == len(returned)  # a stored image is handed out once
        assert set(_ids(pool.images)) == contents
    fraction = swaps / 2000
    # Binomial(2000, 0.5): standard deviation 0.011.
    assert 0.46 < fraction < 0.54, fraction


def test_image_pool_of_size_zero_returns_its_input():
    images = tiny_images(3, (2, 2, 1))
    np.testing.assert_array_equal(_np(ImagePool(0, (2, 2, 1))(images)), images)


# --- the networks --------------------------------------------------------------------------------------------


def test_unet_skip_connections_carry_fine_detail_to_the_same_place():
    """Perturbing one input pixel changes the U-Net's output around that pixel; the
    plain encoder-decoder, where everything passes through the 1×1 bottleneck, spreads
    a far smaller change over the whole image."""
    x = np.random.default_rng(0).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    perturbed = x.copy()
    perturbed[0, 10, 21] += 1.0
    rows, cols = np.mgrid[:32, :32]
    distance = np.maximum(abs(rows - 10), abs(cols - 21))
    changes = {}
    for skips in (True, False):
        keras.utils.set_random_seed(0)
        g = unet_generator((32, 32, 3), 3, base_filters=8, skip_connections=skips)
        assert g.output_shape == (None, 32, 32, 3)
        delta = np.abs(_np(g(perturbed)) - _np(g(x))).mean(axis=-1)[0]
        changes[skips] = (delta[distance <= 2].mean(), delta[distance >= 8].mean())
    (near, far), (near_plain, far_plain) = changes[True], changes[False]
    assert near > 100 * far, "with skips the change stays near the perturbed pixel"
    assert near_plain < 5 * far_plain, "without skips the bottleneck spreads it out"
    assert near > 1000 * near_plain


@pytest.mark.parametrize("n_layers, patch", [(3, 70), (1, 16)])
def test_patchgan_receptive_field(n_layers, patch):
    """The input region one output logit depends on: 70×70 at the paper's default (3 layers)."""
    keras.utils.set_random_seed(0)
    d = patchgan_discriminator((128, 128, 1), base_filters=2, n_layers=n_layers)
    x = tf.constant(np.random.default_rng(0).normal(size=(1, 128, 128, 1)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = d(x)
        h, w = logits.shape[1:3]
        centre = logits[0, h // 2, w // 2, 0]
    rows, cols = np.nonzero(np.abs(_np(tape.gradient(centre, x))[0, ..., 0]) > 0)
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (patch, patch)
    assert kerasgan.networks.translation.receptive_field(n_layers) == patch


def test_conditional_patchgan_sees_the_condition():
    keras.utils.set_random_seed(0)
    d = patchgan_discriminator((32, 32, 3), condition_shape=(32, 32, 1), base_filters=4)
    image, condition = tiny_images(2, (32, 32, 3)), tiny_images(2, (32, 32, 1), seed=5)
    assert d.output_shape == (None, 4, 4, 1)
    assert not np.allclose(_np(d([condition, image])), _np(d([-condition, image])))
    with pytest.raises(ValueError, match="same height and width"):
        patchgan_discriminator((32, 32, 3), condition_shape=(16, 16, 3))


def test_resnet_generator_shapes_and_reflection_padding():
    g = resnet_generator((16, 16, 1), out_channels=3, base_filters=4, n_blocks=2)
    assert g.output_shape == (None, 16, 16, 3)
    assert sum(isinstance(layer, keras.layers.Add) for layer in g.layers) == 2
    x = np.arange(2 * 3 * 4 * 1, dtype="float32").reshape(2, 3, 4, 1)
    np.testing.assert_array_equal(
        _np(ReflectionPadding2D((1, 2))(x)), np.pad(x, ((0, 0), (1, 1), (2, 2), (0, 0)), mode="reflect")
    )
    with pytest.raises(ValueError, match="divisible"):
        resnet_generator((18, 18, 3))


def test_instance_normalization_normalizes_each_sample_and_channel():
    x = np.random.default_rng(0).normal(2.0, 3.0, (2, 5, 6, 3)).astype("float32")
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(_np(normalization_layer("instance")(x)), (x - mean) / np.sqrt(var + 1e-5), atol=1e-5)
    with pytest.raises(
        ValueError, match="translation networks: normalization must be one of 'batch', 'instance', 'none'; got 'layer'"
    ):
        unet_generator(SHAPE, normalization="layer")


# --- the data ----------------------------------------------------------------------------------------------------


def _write(path, image):
    path.parent.mkdir(parents=True, exist_ok=True)
    iio.imwrite(path, image)


@pytest.fixture
def folders(tmp_path):
    """Six 16×16 pairs: side by side in sbs/, and as a/NAME.png ↔ b/NAME.jpg... (B = 255 - A)."""
    rng = np.random.default_rng(0)
    pairs = []
    for i in range(6):
        a = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
        b = 255 - a
        pairs.append((a, b))
        _write(tmp_path / "sbs" / f"{i:02d}.png", np.concatenate([a, b], axis=1))
        _write(tmp_path / "a" / f"{i:02d}.png", a)
        _write(tmp_path / "b" / f"{i:02d}.bmp", b)  # another extension, matched by name
    return tmp_path, pairs


def _batches(dataset):
    return [tuple(_np(t) for t in batch) for batch in dataset]


def test_side_by_side_files_split_into_a_left_and_b_right(folders):
    root, pairs = folders
    dataset = kerasgan.data.paired_images(
        root / "sbs", image_size=16, batch_size=2, shuffle=False, jitter=False, flip=False
    )
    assert int(dataset.cardinality()) == 3  # a known length: Keras counts the steps instead of running out of data
    batches = _batches(dataset)
    a = np.concatenate([x for x, _ in batches])
    b = np.concatenate([y for _, y in batches])
    assert a.dtype == np.float32 and a.shape == (6, 16, 16, 3)
    np.testing.assert_allclose(a, np.stack([p[0] for p in pairs]) / 127.5 - 1, atol=1e-6)
    np.testing.assert_allclose(b, np.stack([p[1] for p in pairs]) / 127.5 - 1, atol=1e-6)


def test_jitter_and_flip_are_the_same_for_both_images_of_a_pair(folders):
    root, _ = folders
    dataset = kerasgan.data.paired_images(root / "a", root / "b", image_size=16, batch_size=3, seed=0)
    crops = []
    for _ in range(4):  # epochs
        for a, b in _batches(dataset):
            # B = 255 - A in every file: after the same crop and flip, a + b = 0 (up to rounding)
            assert np.abs(a + b).max() <= 1.5 / 127.5
            crops.append(a)
    stacked = np.stack(crops)
    assert not all(np.array_equal(stacked[0], c) for c in stacked[1:]), "the jitter changes the crops"


def test_paired_folders_are_matched_by_name_and_errors_are_clear(folders, tmp_path):
    root, _ = folders
    assert [os.path.basename(b) for _, b in kerasgan.data.paired_files(root / "a", root / "b")][:2] == [
        "00.bmp",
        "01.bmp",
    ]
    os.remove(root / "b" / "03.bmp")
    _write(root / "b" / "extra.png", np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(ValueError, match=r"1 only in A \(e.g. \['03'\]\), 1 only in B \(e.g. \['extra'\]\)"):
        kerasgan.data.paired_images(root / "a", root / "b", image_size=16)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No image files"):
        kerasgan.data.paired_images(tmp_path / "empty", image_size=16)
    _write(tmp_path / "odd" / "x.png", np.zeros((8, 17, 3), np.uint8))
    with pytest.raises(ValueError, match="17 pixels wide.*even width"):
        kerasgan.data.paired_images(tmp_path / "odd", image_size=8)
    _write(root / "a" / "00.jpg", np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(ValueError, match="same name up to the extension"):
        kerasgan.data.paired_files(root / "a", root / "b")
    with pytest.raises(ValueError, match="leaves no training images"):
        kerasgan.data.paired_images(root / "sbs", image_size=16, holdout=6)


def test_holdout_pairs_are_left_out_of_training(folders):
    root, pairs = folders
    dataset = kerasgan.data.paired_images(
        root / "sbs", image_size=16, batch_size=1, jitter=False, flip=False, holdout=2, drop_remainder=False
    )
    trained = {np.asarray(a).tobytes() for a, _ in _batches(dataset)}
    held_a, held_b = kerasgan.data.held_out_images(root / "sbs", image_size=16, holdout=2)
    assert held_a.shape == (2, 16, 16, 3) and len(trained) == 4
    np.testing.assert_allclose(held_b, np.stack([pairs[4][1], pairs[5][1]]) / 127.5 - 1, atol=1e-6)
    assert not {a[None].tobytes() for a in held_a} & trained


def test_unpaired_folders_pair_the_larger_folder_once_per_epoch(folders):
    root, _ = folders
    os.remove(root / "b" / "05.bmp")
    dataset = kerasgan.data.unpaired_images(
        root / "a", root / "b", image_size=8, channels=1, channels_b=3, batch_size=2, seed=0
    )
    batches = _batches(dataset)
    assert len(batches) == 3  # max(6, 5) // 2
    assert batches[0][0].shape == (2, 8, 8, 1) and batches[0][1].shape == (2, 8, 8, 3)
    assert all(-1 <= x.min() and x.max() <= 1 for batch in batches for x in batch)


# --- the translation grid -----------------------------------------------------------------------------------------


def test_translation_grid_shows_input_translation_and_reconstruction_or_target(trained, tmp_path):
    model = trained.model
    held_out, targets = tiny_images(3, SHAPE, seed=9), tiny_images(3, SHAPE, seed=10)
    paired = isinstance(model, Pix2Pix)
    grid = kerasgan.callbacks.TranslationGrid(
        tmp_path / "images", held_out, targets=targets if paired else None, tensorboard_dir=tmp_path / "tb"
    )
    grid.set_model(model)
    path = grid.write_grid(epoch=1)
    assert os.path.basename(path) == "translations_epoch_0002_step_00000001.png"
    image = iio.imread(path)
    cell = 16 + 2  # tile_images: 2-pixel padding
    assert image.shape == (3 * cell + 2, 3 * cell + 2, 3)
    translated = model.translate(held_out)
    third = targets if paired else model.translate(translated, "b2a")
    for row in range(3):
        for col, images in enumerate((held_out, translated, third)):
            top, left = 2 + row * cell, 2 + col * cell
            pixels = np.round((np.clip(images[row], -1, 1) + 1) * 127.5)
            np.testing.assert_allclose(image[top : top + 16, left : left + 16], pixels, atol=1)
    grid.on_train_end()  # closes the TensorBoard writer
    events = [
        e for f in (tmp_path / "tb").rglob("events.out.tfevents.*") for e in tf.compat.v1.train.summary_iterator(str(f))
    ]
    assert [(e.step, v.tag) for e in events for v in e.summary.value] == [(1, "translations")]


def test_translation_grid_takes_only_translation_models_and_their_directions(tmp_path):
    held_out = tiny_images(2, SHAPE, seed=9)
    inputs = keras.Input(SHAPE)
    with pytest.raises(TypeError, match="ImageTranslation"):
        kerasgan.callbacks.TranslationGrid(tmp_path, held_out).set_model(keras.Model(inputs, inputs))
    with pytest.raises(ValueError, match="one direction only, 'a2b'; got 'b2a'"):
        kerasgan.callbacks.TranslationGrid(tmp_path, held_out, direction="b2a").set_model(_small(Pix2Pix))
    with pytest.raises(ValueError, match="every_n_epochs must be a positive integer"):
        kerasgan.callbacks.TranslationGrid(tmp_path, held_out, every_n_epochs=0)


# --- tf.distribute ------------------------------------------------------------------------------------------------

DISTRIBUTED = textwrap.dedent(
    """
    import json
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras, numpy as np
    from kerasgan.models import CycleGAN, DiscoGAN, Pix2Pix
    from kerasgan.networks import unet_generator
    from kerasgan.parts import R1, DiffAugment, GeneratorEMA

    a = np.tanh(np.random.default_rng(0).normal(size=(16, 8, 8, 3))).astype("float32")
    b = np.tanh(a[..., ::-1] * 2)

    def conv_discriminator():
        # No BatchNorm: R1's second derivative through it amplifies the round-off between Keras' synchronized
        # variance (E[x²] - E[x]², two replicas) and tf.nn.moments (one device): after one SGD step the
        # PatchGAN's weights differed by 2.5e-5, and by 1.3e-7 when the one-device run used the synchronized
        # formula too.
        condition, image = keras.Input((8, 8, 3)), keras.Input((8, 8, 3))
        h = keras.layers.Concatenate()([condition, image])
        h = keras.layers.LeakyReLU(0.2)(keras.layers.Conv2D(4, 3, strides=2, padding="same")(h))
        return keras.Model([condition, image], keras.layers.Conv2D(1, 3, padding="same")(h))

    def run(strategy, name, pool_size=0, epochs=2, parts=False):
        with strategy.scope():
            keras.utils.set_random_seed(0)
            if name == "pix2pix":  # no dropout: each replica would draw its own masks
                generator = unet_generator((8, 8, 3), 3, base_filters=2, dropout=0.0, name="generator")
                discriminator, extra = None, {}
                if parts:
                    # the parts' random draws (DiffAugment) are made for the global batch, then sliced
                    extra = dict(regularizers=[R1(1.0)], augment=DiffAugment(), ema=GeneratorEMA(0.5))
                    discriminator = conv_discriminator()
                model = Pix2Pix(generator, discriminator, image_shape=(8, 8, 3), base_filters=2, seed=0, **extra)
            elif name == "discogan":  # BatchNorm everywhere, synchronized across the replicas
                model = DiscoGAN(image_shape=(8, 8, 3), base_filters=2, seed=0)
            else:
                model = CycleGAN(image_shape=(8, 8, 3), base_filters=2, n_blocks=1, pool_size=pool_size, seed=0)
            # SGD: Adam's normalized steps would hide a gradient off by the replica count.
            model.compile(d_optimizer=keras.optimizers.SGD(0.05), g_optimizer=keras.optimizers.SGD(0.05))
        history = model.fit(tf.data.Dataset.from_tensor_slices((a, b)).batch(8), epochs=epochs, verbose=0).history
        nets = [*model.discriminator_networks(), *model.generator_networks()]
        nets += [model.ema.average_of(model.generator)] if model.ema else []
        return {"history": history, "weights": [np.asarray(v).tolist() for net in nets for v in net.weights]}

    two = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    one = tf.distribute.get_strategy()
    result = {
        "pix2pix": {"one": run(one, "pix2pix"), "two": run(two, "pix2pix")},
        "pix2pix_parts": {"one": run(one, "pix2pix", parts=True), "two": run(two, "pix2pix", parts=True)},
        "cyclegan": {"one": run(one, "cyclegan", epochs=1), "two": run(two, "cyclegan", epochs=1)},
        "discogan": {"one": run(one, "discogan", epochs=1), "two": run(two, "discogan", epochs=1)},
        "pooled": run(two, "cyclegan", pool_size=4, epochs=1)["history"],
    }
    print(json.dumps(result))
    """
)


def test_two_replicas_match_one_device(tmp_path):
    """The replica-count scaling of every loss: 2 replicas compute what one device computes on the global batch
    (pix2pix with synchronized BatchNorm; pix2pix with R1, DiffAugment and a generator EMA, its discriminator
    without BatchNorm, see conv_discriminator; CycleGAN without its pool, whose writes come from the first replica
    only; DiscoGAN, one epoch, its BatchNorm synchronized).

    CycleGAN trains one epoch (2 steps): its tiny (2-filter, instance-normalized) generators amplify round-off
    step after step (measured max weight difference 3.2e-5 after 2 steps, 8.3e-3 after 4, the same with and
    without apply_update's gradient barrier)."""
    script = tmp_path / "run.py"
    script.write_text(DISTRIBUTED)
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    out = subprocess.run(
        [sys.executable, str(script)], check=False, capture_output=True, text=True, env=env, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "r1" in result["pix2pix_parts"]["one"]["history"]
    for name in ("pix2pix", "pix2pix_parts", "cyclegan", "discogan"):
        one, two = result[name]["one"], result[name]["two"]
        for key, expected in one["history"].items():
            np.testing.assert_allclose(two["history"][key], expected, rtol=1e-4, atol=1e-5, err_msg=f"{name} {key}")
    # (Checked: without the division by the replica count in apply_update this test fails.)
    for name, atol in (("pix2pix", 1e-5), ("pix2pix_parts", 1e-5), ("cyclegan", 1e-4), ("discogan", 1e-5)):
        for x, y in zip(result[name]["one"]["weights"], result[name]["two"]["weights"]):
            np.testing.assert_allclose(np.asarray(y), np.asarray(x), rtol=1e-3, atol=atol, err_msg=name)
    assert all(np.isfinite(v).all() for v in result["pooled"].values())  # the pool works under the strategy
