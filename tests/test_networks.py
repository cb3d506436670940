"""Discriminator options of kerasgan.networks, their custom layers, and DiffAugment."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from kerasgan.augment import AUGMENTATIONS, diff_augment, parse_policy
from kerasgan.networks import MinibatchDiscrimination, MinibatchStdDev, dcgan_discriminator
from kerasgan.networks.dcgan import _check_square, dcgan_depth
from kerasgan.networks.normalization import normalization_layer, weight_init


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _rng(seed=0):
    return np.random.default_rng(seed)


# --- MinibatchStdDev ----------------------------------------------------------------------------------------


def _np_minibatch_std(x, group_size):
    batch = x.shape[0]
    group = min(group_size, batch)
    # as in the ProGAN code: (G, B/G, ...), sample n in group n mod (B/G); population std; mean over C, H, W
    y = x.reshape(group, batch // group, *x.shape[1:])
    std = np.sqrt(y.var(axis=0) + 1e-8).mean(axis=(1, 2, 3))
    feature = np.broadcast_to(std[np.arange(batch) % (batch // group)][:, None, None, None], (*x.shape[:3], 1))
    return np.concatenate([x, feature], axis=-1)


@pytest.mark.parametrize("batch,group_size", [(8, 4), (6, 2), (2, 4), (4, 1)])
def test_minibatch_std_matches_numpy(batch, group_size):
    x = _rng().normal(size=(batch, 3, 3, 2)).astype("float32")
    out = _np(MinibatchStdDev(group_size)(x))
    assert out.shape == (batch, 3, 3, 3)
    np.testing.assert_allclose(out[..., :2], x)
    np.testing.assert_allclose(out, _np_minibatch_std(x, group_size), rtol=1e-5, atol=1e-6)
    if group_size == 1:
        np.testing.assert_allclose(out[..., 2], 1e-4, rtol=1e-3)  # one sample per group: no spread
    else:
        assert out[..., 2].min() > 0.1


def test_minibatch_std_groups_are_strided_and_a_constant_batch_gives_zero():
    x = np.zeros((4, 2, 2, 1), "float32")
    x[1::2] = _rng().normal(size=(2, 2, 2, 1))  # group size 2: groups {0, 2} (constant) and {1, 3}
    out = _np(MinibatchStdDev(group_size=2)(x))[..., -1]
    np.testing.assert_allclose(out[0::2], 1e-4, rtol=1e-3)
    assert out[1::2].min() > 0.1
    constant = np.full((8, 3, 3, 4), 0.7, "float32")
    np.testing.assert_allclose(_np(MinibatchStdDev()(constant))[..., -1], 0.0, atol=2e-4)


def test_minibatch_std_rejects_a_batch_not_divisible_by_the_group():
    with pytest.raises(ValueError, match="multiple of 4"):
        MinibatchStdDev(group_size=4)(np.zeros((6, 2, 2, 1), "float32"))
    with pytest.raises(ValueError, match="group_size"):
        MinibatchStdDev(group_size=0)
    with pytest.raises(ValueError, match="before Flatten"):
        MinibatchStdDev()(np.zeros((4, 5), "float32"))


def test_minibatch_std_names_the_per_replica_batch_under_several_replicas(monkeypatch):
    # ProGAN/StyleGAN2 under MirroredStrategy: the groups are taken within each replica's batch (checked in
    # tests/test_distribute.py); here the strategy is a stand-in with two replicas, since TF's devices are set.
    import tensorflow as tf

    monkeypatch.setattr(tf.distribute, "get_strategy", lambda: type("Two", (), {"num_replicas_in_sync": 2})())
    with pytest.raises(ValueError, match=r"a batch of 6 per replica \(the global batch of 12 over 2 replicas.*4 × 2"):
        MinibatchStdDev(group_size=4)(np.zeros((6, 2, 2, 1), "float32"))


def test_minibatch_std_takes_the_batch_size_from_the_tensor():
    layer = MinibatchStdDev(group_size=4)
    fn = tf.function(layer, input_signature=[tf.TensorSpec((None, 3, 3, 2))], autograph=False)
    for batch in (8, 2):
        x = _rng(batch).normal(size=(batch, 3, 3, 2)).astype("float32")
        np.testing.assert_allclose(_np(fn(x)), _np_minibatch_std(x, 4), rtol=1e-5, atol=1e-6)


# --- MinibatchDiscrimination --------------------------------------------------------------------------------


def test_minibatch_discrimination_matches_numpy():
    num_kernels, kernel_dim = 3, 2
    x = _rng().normal(size=(5, 4)).astype("float32")
    t = _rng(1).normal(size=(4, num_kernels * kernel_dim)).astype("float32")
    layer = MinibatchDiscrimination(num_kernels, kernel_dim)
    layer.build((None, 4))
    layer.kernel.assign(t)
    out = _np(layer(x))
    m = (x @ t).reshape(5, num_kernels, kernel_dim)
    expected = np.zeros((5, num_kernels))
    for i in range(5):
        for j in range(5):  # j = i included, as in the paper's sum
            expected[i] += np.exp(-np.abs(m[i] - m[j]).sum(axis=-1))
    assert out.shape == (5, 4 + num_kernels)
    np.testing.assert_allclose(out[:, :4], x)
    np.testing.assert_allclose(out[:, 4:], expected, rtol=1e-5)
    # identical samples: every c_b(i, j) is 1, so each feature is the batch size
    same = _np(layer(np.repeat(x[:1], 3, axis=0)))
    np.testing.assert_allclose(same[:, 4:], 3.0, rtol=1e-6)


def test_minibatch_discrimination_rejects_feature_maps():
    with pytest.raises(ValueError, match="after Flatten"):
        MinibatchDiscrimination()(np.zeros((2, 3, 3, 1), "float32"))
    with pytest.raises(ValueError, match="num_kernels"):
        MinibatchDiscrimination(num_kernels=0)


# --- serialization of both layers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer",
    [MinibatchStdDev(group_size=2, name="mbstd"), MinibatchDiscrimination(7, 3, kernel_initializer="ones", name="mbd")],
    ids=["std", "discrimination"],
)
def test_layers_round_trip_through_config(layer):
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    shape = (4, 2, 2, 3) if isinstance(layer, MinibatchStdDev) else (4, 6)
    x = _rng().normal(size=shape).astype("float32")
    expected = _np(layer(x))
    clone.build(shape)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(_np(clone(x)), expected, rtol=1e-6)


def test_a_model_using_both_layers_saves_and_loads(tmp_path):
    inputs = keras.Input((3, 3, 2))
    x = MinibatchStdDev(group_size=2)(inputs)
    x = keras.layers.Flatten()(x)
    x = MinibatchDiscrimination(num_kernels=4, kernel_dim=3)(x)
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    images = _rng().normal(size=(4, 3, 3, 2)).astype("float32")
    expected = _np(model(images))
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    assert loaded.layers[1].group_size == 2 and loaded.layers[3].num_kernels == 4
    np.testing.assert_allclose(_np(loaded(images)), expected, rtol=1e-6)


# --- dcgan_discriminator ------------------------------------------------------------------------------------


def _frozen_dcgan_discriminator(image_shape, base_filters=64, kernel_size=4):
    """The discriminator as it was before the options were added: the defaults must still build this."""
    _check_square(image_shape)
    depth = dcgan_depth(image_shape[0])
    image = keras.Input(tuple(image_shape), name="images")
    x = image
    for i in range(depth):
        x = keras.layers.Conv2D(
            base_filters * 2**i,
            kernel_size,
            strides=2,
            padding="same",
            use_bias=i == 0,
            kernel_initializer=weight_init(),
        )(x)
        if i > 0:
            x = normalization_layer("batch")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Flatten()(x)
    logit = keras.layers.Dense(1, kernel_initializer=weight_init(), dtype="float32", name="logit")(x)
    return keras.Model(image, logit, name="discriminator")


def _configs(model):
    def strip(config):
        return {k: v for k, v in config.items() if k != "name"}

    return [(type(l), strip(l.get_config())) for l in model.layers]


@pytest.mark.parametrize("image_shape,base_filters", [((16, 16, 3), 4), ((28, 28, 1), 8), ((64, 64, 3), 64)])
def test_default_discriminator_is_unchanged(image_shape, base_filters):
    new = dcgan_discriminator(image_shape, base_filters)
    old = _frozen_dcgan_discriminator(image_shape, base_filters)
    assert _configs(new) == _configs(old)
    assert new.count_params() == old.count_params()
    assert new.name == "discriminator" and new.layers[0].name == "images" and new.layers[-1].name == "logit"
    assert any(isinstance(l, keras.layers.BatchNormalization) for l in new.layers)


def _of(model, cls):
    return [l for l in model.layers if isinstance(l, cls)]


def test_layer_norm_replaces_batch_norm_and_keeps_samples_independent():
    d = dcgan_discriminator((16, 16, 1), 4, normalization="layer")
    norms = _of(d, keras.layers.LayerNormalization)
    assert len(norms) == dcgan_depth(16) - 1 == 1
    assert not _of(d, keras.layers.BatchNormalization)
    assert tuple(norms[0].axis) == (1, 2, 3)  # over H, W and C of each sample
    # each sample's logit is independent of the rest of the batch (not true of BatchNorm in training mode)
    x = _rng().normal(size=(4, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(_np(d(x[:1], training=True)), _np(d(x, training=True))[:1], rtol=1e-4, atol=1e-6)
    bn = dcgan_discriminator((16, 16, 1), 4)
    assert not np.allclose(_np(bn(x[:1], training=True)), _np(bn(x, training=True))[:1], atol=1e-4)


def test_no_normalization_gives_every_conv_a_bias():
    d = dcgan_discriminator((16, 16, 1), 4, normalization="none")
    assert not _of(d, keras.layers.BatchNormalization) and not _of(d, keras.layers.LayerNormalization)
    assert all(l.use_bias for l in _of(d, keras.layers.Conv2D))
    default = dcgan_discriminator((16, 16, 1), 4)
    assert [l.use_bias for l in _of(default, keras.layers.Conv2D)] == [True, False]


def test_bad_normalization_is_rejected():
    with pytest.raises(ValueError, match="normalization='instance'.*'batch', 'layer', 'none'"):
        dcgan_discriminator((16, 16, 1), 4, normalization="instance")


def _top_singular_value(kernel):
    kernel = _np(kernel)
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


def test_spectral_norm_wraps_every_conv_and_the_logit_and_converges_to_one():
    d = dcgan_discriminator((16, 16, 1), 4, spectral_norm=True)
    wrapped = _of(d, keras.layers.SpectralNormalization)
    assert [type(l.layer) for l in wrapped] == [keras.layers.Conv2D] * dcgan_depth(16) + [keras.layers.Dense]
    assert not _of(d, keras.layers.Conv2D) and not _of(d, keras.layers.Dense)  # nothing left bare
    assert not _of(d, keras.layers.BatchNormalization)  # SNGAN has no BatchNorm
    assert d.layers[-1].name == "logit"
    assert all(abs(_top_singular_value(l.layer.kernel) - 1) > 0.2 for l in wrapped)  # N(0, 0.02) init is far from 1
    x = _rng().normal(size=(4, 16, 16, 1)).astype("float32")
    frozen = [_np(l.layer.kernel).copy() for l in wrapped]
    d(x, training=False)  # inference does not touch the kernels
    assert all(np.array_equal(k, _np(l.layer.kernel)) for k, l in zip(frozen, wrapped))
    for _ in range(10):
        d(x, training=True)
    for layer in wrapped:
        assert _top_singular_value(layer.layer.kernel) == pytest.approx(1.0, abs=0.02)


def test_spectral_norm_keeps_batch_norm_only_when_asked():
    d = dcgan_discriminator((16, 16, 1), 4, normalization="batch", spectral_norm=True)
    assert len(_of(d, keras.layers.BatchNormalization)) == 1
    assert len(_of(d, keras.layers.SpectralNormalization)) == 3


def test_logit_stays_float32_under_mixed_precision():
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        for kwargs in ({}, {"spectral_norm": True}):
            d = dcgan_discriminator((16, 16, 1), 4, **kwargs)
            assert d(np.zeros((2, 16, 16, 1), "float32"), training=True).dtype == "float32"
    finally:
        keras.config.set_dtype_policy(previous)


def test_minibatch_std_adds_one_channel_before_flatten():
    plain = dcgan_discriminator((16, 16, 1), 4)
    d = dcgan_discriminator((16, 16, 1), 4, minibatch_std=True)
    std = _of(d, MinibatchStdDev)
    assert len(std) == 1
    index = d.layers.index(std[0])
    assert isinstance(d.layers[index - 1], keras.layers.LeakyReLU)
    assert isinstance(d.layers[index + 1], keras.layers.Flatten)
    assert tuple(std[0].output.shape) == (None, 4, 4, 9)  # 8 filters + the statistic
    assert d.get_layer("logit").kernel.shape == (4 * 4 * 9, 1)
    assert d.count_params() == plain.count_params() + 4 * 4  # only the logit's extra inputs
    assert d(np.zeros((8, 16, 16, 1), "float32"), training=True).shape == (8, 1)


def test_minibatch_discrimination_sits_between_flatten_and_the_logit():
    d = dcgan_discriminator((16, 16, 1), 4, minibatch_discrimination=True)
    layer = d.get_layer("minibatch_discrimination")
    assert isinstance(layer, MinibatchDiscrimination) and (layer.num_kernels, layer.kernel_dim) == (100, 5)
    index = d.layers.index(layer)
    assert isinstance(d.layers[index - 1], keras.layers.Flatten) and d.layers[index + 1].name == "logit"
    assert d.get_layer("logit").kernel.shape == (4 * 4 * 8 + 100, 1)
    assert d(np.zeros((3, 16, 16, 1), "float32"), training=True).shape == (3, 1)


def test_discriminator_with_every_option_saves_and_loads(tmp_path):
    d = dcgan_discriminator(
        (16, 16, 1), 4, normalization="layer", spectral_norm=True, minibatch_std=True, minibatch_discrimination=True
    )
    x = _rng().normal(size=(4, 16, 16, 1)).astype("float32")
    d(x, training=True)
    expected = _np(d(x))
    d.save(tmp_path / "d.keras")
    loaded = keras.saving.load_model(tmp_path / "d.keras", safe_mode=True)
    np.testing.assert_allclose(_np(loaded(x)), expected, rtol=1e-5, atol=1e-6)


# --- DiffAugment ----------------------------------------------------------------------------------------------


def _images(batch=4, size=16, channels=3, seed=0):
    return _rng(seed).uniform(-1, 1, (batch, size, size, channels)).astype("float32")


def test_diff_augment_is_seeded_and_keeps_shape_and_dtype():
    x = _images()
    a, b, c = diff_augment(x, seed=1), diff_augment(x, seed=1), diff_augment(x, seed=2)
    np.testing.assert_array_equal(_np(a), _np(b))
    assert not np.allclose(_np(a), _np(c))
    assert tuple(a.shape) == x.shape and a.dtype == "float32"
    g1, g2 = keras.random.SeedGenerator(5), keras.random.SeedGenerator(5)
    first = _np(diff_augment(x, seed=g1))
    np.testing.assert_array_equal(first, _np(diff_augment(x, seed=g2)))
    assert not np.allclose(first, _np(diff_augment(x, seed=g1)))  # the generator advanced
    half = diff_augment(x.astype("float16"), seed=1)
    assert half.dtype == "float16" and tuple(half.shape) == x.shape


def test_diff_augment_is_differentiable():
    x = tf.constant(_images())
    weights = tf.constant(_rng(1).normal(size=x.shape).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(diff_augment(x, seed=3) * weights)
    grad = tape.gradient(loss, x)
    assert grad is not None and grad.shape == x.shape
    assert np.all(np.isfinite(_np(grad))) and float(tf.reduce_max(tf.abs(grad))) > 0.0


def _shifts(seed, batch=32, size=16):
    """Where a centre pixel went under translation: (rows, cols) offsets per image."""
    x = np.zeros((batch, size, size, 1), "float32")
    x[:, size // 2, size // 2] = 1.0
    out = _np(diff_augment(x, "translation", seed=seed))
    assert np.all(out.reshape(batch, -1).sum(axis=1) == 1.0)  # the pixel moved, nothing else appeared
    rows, cols = np.nonzero(out[..., 0].reshape(batch, size, size))[1:]
    return rows - size // 2, cols - size // 2


def test_translation_shifts_by_at_most_an_eighth_and_fills_with_zeros():
    dr, dc = _shifts(seed=4)
    assert np.abs(dr).max() == 2 and np.abs(dc).max() == 2  # 16 / 8, both directions reached
    assert dr.min() == -2 and dc.min() == -2
    assert len(set(zip(dr, dc))) > 5  # per-image shifts
    # same seed and shape, so the same shifts: an all-ones image loses exactly the uncovered border
    ones = _np(diff_augment(np.ones((32, 16, 16, 1), "float32"), "translation", seed=4))
    zeros = (ones == 0).reshape(32, -1).sum(axis=1)
    np.testing.assert_array_equal(zeros, 16 * 16 - (16 - np.abs(dr)) * (16 - np.abs(dc)))
    assert set(np.unique(ones)) <= {0.0, 1.0}


def test_cutout_zeroes_a_square_of_half_the_size_in_each_image():
    out = _np(diff_augment(np.ones((16, 16, 16, 3), "float32"), "cutout", seed=5))
    corners = set()
    for image in out:
        zeros = image[..., 0] == 0
        assert zeros.sum() == 8 * 8 and np.all(image[zeros] == 0) and np.all(image[~zeros] == 1)
        rows, cols = np.nonzero(zeros)
        assert rows.max() - rows.min() == 7 and cols.max() - cols.min() == 7  # one contiguous 8×8 square
        corners.add((rows.min(), cols.min()))
    assert len(corners) > 5


def test_color_changes_only_the_brightness_of_a_constant_image():
    x = np.full((16, 4, 4, 3), 0.2, "float32")
    out = _np(diff_augment(x, "color", seed=6))
    per_image = out.reshape(16, -1)
    np.testing.assert_allclose(per_image, per_image[:, :1] * np.ones_like(per_image), atol=1e-6)
    delta = per_image[:, 0] - 0.2
    assert np.all(np.abs(delta) <= 0.5) and delta.std() > 0.1
    # saturation and contrast do act on a non-constant image
    y = _images(batch=16, size=4)
    changed = _np(diff_augment(y, "color", seed=6)) - y
    assert changed.reshape(16, -1).std(axis=1).min() > 1e-3


def test_the_sampler_hook_supplies_every_random_number():
    shapes = []

    def half(fn, shape):
        shapes.append(shape)
        return ops.full(shape, 0.5)

    x = _images(batch=3)
    out = _np(diff_augment(x, sampler=half))
    assert len(shapes) == 5 and all(shape[0] == 3 for shape in shapes)
    # 0.5 everywhere: brightness +0, saturation ×1, contrast ×1, no shift, the square at floor(0.5 · 9) = 4
    expected = x.copy()
    expected[:, 4:12, 4:12] = 0.0
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_diff_augment_takes_the_batch_size_from_the_tensor():
    seed = keras.random.SeedGenerator(0)
    fn = tf.function(
        lambda t: diff_augment(t, seed=seed), input_signature=[tf.TensorSpec((None, 8, 8, 1))], autograph=False
    )
    for batch in (5, 2):
        out = fn(np.ones((batch, 8, 8, 1), "float32"))
        assert out.shape == (batch, 8, 8, 1)


def test_unknown_policy_is_rejected():
    assert parse_policy("color, translation") == ("color", "translation")
    assert parse_policy("") == () and parse_policy(["cutout"]) == ("cutout",)
    assert set(AUGMENTATIONS) == {"color", "translation", "cutout"}
    with pytest.raises(ValueError, match="Unknown DiffAugment policy 'flip'.*color, translation, cutout"):
        diff_augment(_images(), "color,flip", seed=0)
    with pytest.raises(TypeError, match="SeedGenerator"):
        diff_augment(_images(), seed="abc")
    with pytest.raises(ValueError, match="NHWC"):
        diff_augment(np.zeros((4, 8), "float32"), seed=0)
