"""Every variant under mixed precision (float16 with loss scaling, bfloat16) and under XLA."""

import inspect

import keras
import numpy as np
import pytest
from gan_contract import tiny_images

from kerasgan.models import DCGAN, GAN, MODELS
from kerasgan.parts import DRAGAN, R1, GradientPenalty

CONDITIONAL = {"cgan", "acgan"}
GANS = sorted(name for name, cls in MODELS.items() if issubclass(cls, GAN))


def _make(name, **options):
    if name in CONDITIONAL:
        options["num_classes"] = 3
    if name == "infogan":
        options.update(categorical_codes=(3,), continuous_codes=1)
    if MODELS[name].data_kind == "captioned_images":
        options["text_dim"] = 3  # precomputed text embeddings (StackGAN: its stage I)
    keras.utils.set_random_seed(0)
    return MODELS[name].for_images((8, 8, 1), latent_dim=4, seed=0, **options)


def _fit(gan, steps=2):
    data = tiny_images(8 * gan.d_steps * steps)
    labels = np.arange(len(data)) % 3 if gan.data_kind in ("labelled_images", "partly_labelled_images") else None
    if gan.data_kind == "captioned_images":
        labels = np.random.default_rng(0).normal(size=(len(data), 3)).astype("float32")
    return gan.fit(data, labels, batch_size=8 * gan.d_steps, epochs=1, verbose=0).history


@pytest.fixture
def policy(request):
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_dtype_policy("float32")


def _narrow(name):
    """The smallest convolutional width for the variants that have one (the MLP GAN and the unrolled GAN do not)."""
    cls = MODELS[name]
    return {"base_filters": 4} if "base_filters" in inspect.signature(cls).parameters or issubclass(cls, DCGAN) else {}


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"], indirect=True)
@pytest.mark.parametrize("name", GANS)
def test_every_variant_trains_under_mixed_precision(name, policy):
    # gan's default MLP discriminator is large for a 2-step test; its own options are what matter
    gan = _make(name, **_narrow(name))
    gan.compile()
    assert gan.generator.layers[1].compute_dtype == policy.split("_")[1]
    if policy == "mixed_float16":
        assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
        assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
    history = _fit(gan)
    for key, values in history.items():
        assert np.isfinite(values).all(), key
    for network in (gan.generator, gan.discriminator):
        assert all(w.dtype == "float32" for w in network.weights)  # master weights stay float32
        assert all(np.isfinite(keras.ops.convert_to_numpy(w)).all() for w in network.weights)
    assert gan.generate(3, seed=0).dtype == np.float32
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        # Each step is applied, or (float16) skipped for overflowing gradients, which halves the loss scale.
        skipped = 0
        if policy == "mixed_float16":
            skipped = round(np.log2(optimizer.initial_scale / float(optimizer.dynamic_scale)))
        assert int(optimizer.iterations) + skipped == 2 * (gan.d_steps if optimizer is gan.d_optimizer else 1)
    assert int(gan.g_optimizer.iterations) >= 1


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_penalties_under_float16_use_the_loss_scale_and_match_float32(policy):
    """The inner gradient of GP / R1 / DRAGAN is loss-scaled: the penalties stay close to their float32 values."""

    def options():
        return dict(base_filters=4, regularizers=[GradientPenalty(10.0), R1(1.0), DRAGAN(1.0)])

    gan = _make("dcgan", **options())
    gan.compile()
    history = _fit(gan, steps=1)
    keras.config.set_dtype_policy("float32")
    reference = _make("dcgan", **options())
    reference.compile()
    expected = _fit(reference, steps=1)
    for key in ("gp", "r1", "dragan"):
        assert history[key][0] > 0
        np.testing.assert_allclose(history[key][0], expected[key][0], rtol=0.05, err_msg=key)


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_a_mixed_precision_gan_saves_and_loads_with_its_loss_scale_optimizers(policy, tmp_path):
    gan = _make("dcgan", base_filters=4)
    gan.compile()
    _fit(gan)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.saving.load_model(tmp_path / "gan.keras")
    assert isinstance(loaded.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert float(loaded.d_optimizer.dynamic_scale) == float(gan.d_optimizer.dynamic_scale)
    assert int(loaded.g_optimizer.iterations) == 2


@pytest.fixture
def xla_allowed():
    # Keras quietly turns jit_compile=True off while op determinism (conftest) is enabled.
    from tensorflow.python.framework import config

    config.disable_op_determinism()
    yield
    config.enable_op_determinism()


@pytest.mark.parametrize("name", GANS)
def test_every_variant_trains_with_xla(name, xla_allowed):
    gan = _make(name, **_narrow(name))
    gan.compile(jit_compile=True)
    before = {id(w): keras.ops.convert_to_numpy(w).copy() for w in gan.generator.weights + gan.discriminator.weights}
    history = _fit(gan)
    assert gan.jit_compile is True  # Keras falls back silently when a model cannot be compiled
    for key, values in history.items():
        assert np.isfinite(values).all(), key
    for network in (gan.generator, gan.discriminator):  # both networks were updated
        assert any(not np.array_equal(before[id(w)], keras.ops.convert_to_numpy(w)) for w in network.trainable_weights)
    assert int(gan.g_optimizer.iterations) == 2
    # XLA draws random numbers with its own kernels, so the values differ from a
    # run without XLA of the same seed; that the losses are the same computation
    # is shown for a model without randomness inside the step below.


def test_xla_computes_the_same_step(xla_allowed):
    """With the latents fixed (no random numbers in the step), XLA and TensorFlow agree."""
    import tensorflow as tf

    results = []
    for jit in (False, True):
        gan = _make("lsgan", base_filters=4)
        gan.sample_latents = lambda batch_size: tf.ones((batch_size, 4)) * 0.3
        gan.compile(jit_compile=jit)
        results.append(_fit(gan))
    for key in ("d_loss", "g_loss"):
        np.testing.assert_allclose(results[1][key], results[0][key], rtol=1e-4, err_msg=key)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"], indirect=True)
@pytest.mark.parametrize("name", ["pix2pix", "cyclegan"])
def test_translation_models_train_under_mixed_precision(name, policy):
    keras.utils.set_random_seed(0)
    options = {"n_blocks": 1, "pool_size": 2} if name == "cyclegan" else {}
    model = MODELS[name](image_shape=(8, 8, 3), base_filters=2, seed=0, **options)
    model.compile()
    if policy == "mixed_float16":
        assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
    a = np.tanh(np.random.default_rng(0).normal(size=(8, 8, 8, 3))).astype("float32")
    history = model.fit(a, np.tanh(a[..., ::-1] * 2), batch_size=4, epochs=1, verbose=0).history
    for key, values in history.items():
        assert np.isfinite(values).all(), key
    networks = model.discriminator_networks() + model.generator_networks()
    assert all(w.dtype == "float32" for net in networks for w in net.weights)
    assert model.translate(a[:2]).dtype == np.float32
