"""StackGAN (text to image in two stages): the model contract of both stages, stage I frozen and used by stage II."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from gan_contract import GANContract, tiny_images, weights_of

import kerasgan
from kerasgan.models import StackGAN

TEXT_DIM = 6
WORDS = kerasgan.data.caption_words()


def _embeddings(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, TEXT_DIM)).astype("float32")


def _captions(n):
    return np.asarray([kerasgan.data.describe(i % 10, ("thin", "thick", None)[i % 3]) for i in range(n)])


def _stage1(**kwargs):
    """A stage I at 8×8 (untrained: what stage II does with it does not depend on its training)."""
    if "text_encoder" not in kwargs:
        kwargs.setdefault("text_dim", TEXT_DIM)
    kwargs.setdefault("conditioning_augmentation", 3)
    return StackGAN.for_images((8, 8, 1), stage=1, latent_dim=4, base_filters=4, text_units=4, **kwargs)


def _encoder():
    return kerasgan.networks.text_encoder(WORDS, output_dim=TEXT_DIM, embedding_dim=4, filters=8)


def _stage2(stage1=None, **kwargs):
    stage1 = _stage1() if stage1 is None else stage1
    kwargs.setdefault("conditioning_augmentation", 3)
    return StackGAN(stage=2, stage1=stage1, base_filters=4, text_units=4, n_blocks=1, **kwargs)


class TestStackGANStage1(GANContract):
    """Stage I at 8×8 on precomputed embeddings."""

    num_classes = 3  # conditional: the contract's fit() passes the text where labels go

    def make_model(self, **kwargs):
        return _stage1(**kwargs)

    def labels(self, n):
        return _embeddings(n)

    def generation_inputs(self, gan, latents):
        text = _embeddings(len(latents), seed=1)
        return [latents, text], {"text": text}


class TestStackGANStage2(GANContract):
    """Stage II at 16×16 refining an 8×8 stage I, caption strings through stage I's text encoder, GAN-INT on."""

    image_shape = (16, 16, 1)
    num_classes = 3

    def make_model(self, **kwargs):
        return _stage2(_stage1(text_encoder=_encoder()), interpolation=True, **kwargs)

    def labels(self, n):
        return _captions(n)

    def generation_inputs(self, gan, latents):
        captions = _captions(len(latents))
        return [latents, tf.constant(captions)], {"captions": list(captions)}

    def test_stage1_does_not_change_while_stage2_trains(self):
        stage1 = _stage1(text_encoder=_encoder(), seed=0)
        stage1_before = [weights_of(n) for n in (stage1.generator, stage1.conditioning, stage1.text_encoder)]
        keras.utils.set_random_seed(7)
        gan = _stage2(stage1, seed=7)
        gan.compile()
        copies = (gan.stage1_generator, gan.stage1_conditioning, gan.text_encoder)
        for before, copy in zip(stage1_before, copies):  # stage II starts from stage I's weights
            for a, b in zip(before, weights_of(copy)):
                np.testing.assert_array_equal(a, b)
        generator_before = weights_of(gan.generator)
        self.fit(gan)
        assert any(not np.array_equal(a, b) for a, b in zip(generator_before, weights_of(gan.generator)))
        # neither stage II's copy (BatchNorm's moving statistics included) nor the stage I it came from moved
        originals = (stage1.generator, stage1.conditioning, stage1.text_encoder)
        for before, copy, original in zip(stage1_before, copies, originals):
            for a, b, c in zip(before, weights_of(copy), weights_of(original)):
                np.testing.assert_array_equal(a, b)
                np.testing.assert_array_equal(a, c)
        trained = {id(v) for v in gan.d_variables() + gan.g_variables()}
        assert not trained & {id(v) for n in copies for v in n.weights}

    def test_stage1_copies_come_back_from_a_saved_model(self, tmp_path):
        gan = self.compiled()
        gan.save(tmp_path / "stage2.keras")
        loaded = keras.saving.load_model(tmp_path / "stage2.keras")
        for network in ("stage1_generator", "stage1_conditioning", "text_encoder"):
            for a, b in zip(weights_of(getattr(gan, network)), weights_of(getattr(loaded, network))):
                np.testing.assert_array_equal(a, b)
        latents = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
        np.testing.assert_allclose(
            loaded.generate(latents=latents, captions="a thin one"),
            gan.generate(latents=latents, captions="a thin one"),
            atol=1e-6,
        )


def test_stage2_samples_refine_stage1s_sample_at_twice_its_side():
    stage1 = _stage1(seed=0)
    gan = _stage2(stage1, seed=0)
    latents = np.random.default_rng(3).normal(size=(5, 4)).astype("float32")
    text = _embeddings(5)
    low = stage1.generate(latents=latents, text=text)
    assert low.shape == (5, 8, 8, 1)
    mu = keras.ops.convert_to_numpy(gan.conditioning(text)[0])
    expected = keras.ops.convert_to_numpy(gan.generator([low, mu], training=False))
    images = gan.generate(latents=latents, text=text)
    assert images.shape == (5, 16, 16, 1) and images.dtype == np.float32
    # sampling is G₁(G₀(z, μ₀(φ)), μ(φ)): stage I's own sample, refined
    np.testing.assert_allclose(images, expected, atol=1e-5)


def test_stage2_generator_uses_the_stage1_image():
    gan = _stage2(seed=0)
    codes = np.zeros((4, 3), "float32")
    a, b = tiny_images(4, (8, 8, 1), seed=1), tiny_images(4, (8, 8, 1), seed=2)
    out_a = keras.ops.convert_to_numpy(gan.generator([a, codes], training=False))
    out_b = keras.ops.convert_to_numpy(gan.generator([b, codes], training=False))
    # untrained (N(0, 0.02) weights) the outputs are small: compare the change with their size
    assert np.abs(out_a - out_b).mean() > 0.1 * np.abs(out_a).mean() > 0
    # and through the model: another stage I (same text, latents and stage-II networks) gives other samples
    latents, text = np.random.default_rng(0).normal(size=(4, 4)).astype("float32"), _embeddings(4)
    before = gan.generate(latents=latents, text=text)
    last = [layer for layer in gan.stage1_generator.layers if layer.weights][-1]
    last.bias.assign(np.ones(last.bias.shape, "float32"))  # stage I's images near tanh(1) rather than near 0
    assert np.abs(gan.generate(latents=latents, text=text) - before).mean() > 0.1 * np.abs(before).mean() > 0


def test_stage2_kl_term_is_its_own_conditioning_networks():
    gan = _stage2(seed=0, kl_weight=2.0)
    real, text = tiny_images(8, (16, 16, 1), seed=1), _embeddings(8)
    batch = gan.step_batch(tf.constant(real), tf.constant(text))
    assert batch.fake.shape == (8, 16, 16, 1)
    terms, _ = gan.generator_objective(batch)
    for network, own in ((gan.conditioning, True), (gan.stage1_conditioning, False)):
        mu, log_sigma = (keras.ops.convert_to_numpy(t) for t in network(text))
        sigma2 = np.exp(2 * log_sigma)
        expected = 2.0 * np.mean(0.5 * np.sum(mu**2 + sigma2 - 1 - np.log(sigma2), axis=1))
        assert np.isclose(float(terms["g_kl"]), expected, rtol=1e-5) == own


def test_stage2_takes_stage1_from_a_saved_file(tmp_path):
    stage1 = _stage1(text_encoder=_encoder(), seed=0)
    stage1.save(tmp_path / "stage1.keras")
    gan = _stage2(str(tmp_path / "stage1.keras"), seed=0)
    assert gan.image_shape == (16, 16, 1) and gan.latent_dim == 4
    assert (
        gan.text_encoder.get_layer("tokenizer").get_vocabulary()
        == stage1.text_encoder.get_layer("tokenizer").get_vocabulary()
    )
    assert type(gan).from_config(gan.get_config()).stage1_generator.count_params() == stage1.generator.count_params()


def test_stage_errors_are_clear(tmp_path):
    stage1 = _stage1()
    with pytest.raises(ValueError, match=r"stage1=.*StackGAN\(stage=1\).*--stage1-run"):
        StackGAN(stage=2, text_dim=TEXT_DIM)
    with pytest.raises(ValueError, match=r"twice stage 1's side, 8×8×1 → \(16, 16, 1\)"):
        _stage2(stage1, image_shape=(32, 32, 1))
    with pytest.raises(ValueError, match="latent_dim=8 does not fit"):
        _stage2(stage1, latent_dim=8)
    with pytest.raises(ValueError, match="stage 1's text encoder; drop text_encoder"):
        _stage2(_stage1(text_encoder=_encoder()), text_encoder=_encoder())
    with pytest.raises(ValueError, match=r"must be a trained StackGAN\(stage=1\); got a StackGAN\(stage=2\)"):
        _stage2(_stage2(stage1))
    with pytest.raises(ValueError, match="got GANCLS"):
        _stage2(kerasgan.models.GANCLS.for_images((8, 8, 1), text_dim=TEXT_DIM, conditioning_augmentation=3))
    with pytest.raises(ValueError, match="is not a file"):
        _stage2(str(tmp_path / "missing.keras"))
    with pytest.raises(ValueError, match="stage1= applies to stage=2"):
        StackGAN(stage=1, stage1=stage1, text_dim=TEXT_DIM)
    with pytest.raises(ValueError, match="stage must be 1"):
        StackGAN(stage=3, text_dim=TEXT_DIM)
    with pytest.raises(ValueError, match="conditioning_augmentation=C"):
        StackGAN(text_dim=TEXT_DIM, conditioning_augmentation=None)
    # the saved form (stage I's networks) is checked too: a stage-I generator of another side
    config = _stage2(stage1).get_config()
    config["image_shape"] = [32, 32, 1]
    with pytest.raises(ValueError, match=r"twice its stage 1's side.*image_shape=\(32, 32, 1\)"):
        StackGAN.from_config(config)


def test_stage1_reads_the_run_at_half_its_side():
    assert StackGAN.data_image_size(28, {}) == 14 and StackGAN.data_image_size(28, {"stage": 2}) == 28
    assert kerasgan.models.GANCLS.data_image_size(28, {}) == 28
    with pytest.raises(ValueError, match="odd"):
        StackGAN.data_image_size(27, {"stage": 1})
    data = kerasgan.data.captioned_mnist_dataset(batch_size=4, seed=0, image_size=14)
    images, _ = next(iter(data))
    assert images.shape == (4, 14, 14, 1) and -1.0 <= float(tf.reduce_min(images)) < float(tf.reduce_max(images)) <= 1.0


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_stage2_trains_under_mixed_precision(policy):
    keras.config.set_dtype_policy(policy)
    try:
        gan = _stage2(_stage1(seed=0), seed=0)
        gan.compile()
        history = gan.fit(tiny_images(16, (16, 16, 1)), _embeddings(16), batch_size=8, epochs=1, verbose=0).history
    finally:
        keras.config.set_dtype_policy("float32")
    assert all(np.isfinite(v).all() for v in history.values())
    first_conv = next(layer for layer in gan.generator.layers if isinstance(layer, keras.layers.Conv2D))
    assert first_conv.compute_dtype == policy.split("_")[1]
    assert gan.generate(2, text=_embeddings(1)[0]).dtype == np.float32
