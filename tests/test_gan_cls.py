"""GAN-CLS (text to image): the model contract, the matching-aware and KL terms against numpy, captions, caption data."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from gan_contract import GANContract, tiny_images

import kerasgan
from kerasgan.data import captions as captions_lib
from kerasgan.models import GANCLS
from kerasgan.models.gan_cls import kl_to_standard_normal
from kerasgan.parts import StepBatch

TEXT_DIM = 6
WORDS = kerasgan.data.caption_words()


def _embeddings(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, TEXT_DIM)).astype("float32")


def _captions(n):
    return np.asarray([kerasgan.data.describe(i % 10, ("thin", "thick", None)[i % 3]) for i in range(n)])


def _encoder():
    return kerasgan.networks.text_encoder(WORDS, output_dim=TEXT_DIM, embedding_dim=4, filters=8)


def _small(**kwargs):
    kwargs.setdefault("text_dim", None if "text_encoder" in kwargs else TEXT_DIM)
    return GANCLS.for_images((8, 8, 1), latent_dim=4, base_filters=4, text_units=4, **kwargs)


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


class TestGANCLSWithEmbeddings(GANContract):
    """Precomputed embeddings, the plain GAN-CLS."""

    num_classes = 3  # conditional: the contract's fit() passes the text where labels go

    def make_model(self, **kwargs):
        return _small(**kwargs)

    def labels(self, n):
        return _embeddings(n)

    def generation_inputs(self, gan, latents):
        text = _embeddings(len(latents), seed=1)
        return [latents, text], {"text": text}


class TestGANCLSWithCaptionsInterpolationAndAugmentation(GANContract):
    """Caption strings through a trained text encoder, GAN-INT and conditioning augmentation on."""

    num_classes = 3

    def make_model(self, **kwargs):
        return _small(text_encoder=_encoder(), interpolation=True, conditioning_augmentation=3, **kwargs)

    def labels(self, n):
        return _captions(n)

    def generation_inputs(self, gan, latents):
        captions = _captions(len(latents))
        return [latents, tf.constant(captions)], {"captions": list(captions)}

    def test_logs_the_option_terms_and_trains_the_encoder_and_conditioning(self):
        gan = self.compiled()
        encoder_before = [np.copy(v) for v in gan.text_encoder.trainable_weights]
        conditioning_before = [np.copy(v) for v in gan.conditioning.trainable_weights]
        history = self.fit(gan)
        for key in ("g_int", "g_kl", "d_acc_wrong"):
            assert np.isfinite(history[key]).all(), key
        assert all(not np.array_equal(a, b) for a, b in zip(encoder_before, gan.text_encoder.trainable_weights))
        assert all(not np.array_equal(a, b) for a, b in zip(conditioning_before, gan.conditioning.trainable_weights))
        assert {id(v) for v in gan.text_encoder.trainable_weights} <= {id(v) for v in gan.d_variables()}
        assert {id(v) for v in gan.conditioning.trainable_weights} <= {id(v) for v in gan.g_variables()}


def _logits(gan, images, text):
    images, text = (keras.ops.convert_to_tensor(keras.ops.convert_to_numpy(t)) for t in (images, text))
    return keras.ops.convert_to_numpy(gan.discriminator([images, text], training=True))[:, 0]


def test_matching_aware_discriminator_loss_equals_reeds_weighted_terms():
    gan = _small(seed=0)
    real, fake = tiny_images(8, (8, 8, 1), seed=1), tiny_images(8, (8, 8, 1), seed=2)
    text = _embeddings(8)
    terms, metrics = gan.discriminator_objective(StepBatch(tf.constant(real), tf.constant(fake), tf.constant(text)))
    s_r, s_f = _logits(gan, real, text), _logits(gan, fake, text)
    s_w = _logits(gan, real, np.roll(text, 1, axis=0))  # each real image with its neighbour's text
    # −log σ(s_r) − ½ log(1 − σ(s_w)) − ½ log(1 − σ(s_f)), averaged over the batch
    expected = _softplus(-s_r).mean() + 0.5 * _softplus(s_w).mean() + 0.5 * _softplus(s_f).mean()
    np.testing.assert_allclose(float(terms["d_loss"]), expected, rtol=1e-5)
    np.testing.assert_allclose(float(metrics["d_acc_wrong"]), np.mean(s_w < 0), rtol=1e-6)
    assert set(terms) == {"d_loss"}


def test_generator_terms_with_gan_int_equal_hand_computed_values():
    gan = _small(seed=0, interpolation=True, interpolation_weight=0.5, beta=0.25)
    real, text = tiny_images(8, (8, 8, 1), seed=1), _embeddings(8)
    batch = gan.step_batch(tf.constant(real), tf.constant(text))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(batch.interpolated_text), 0.25 * text + 0.75 * np.roll(text, 1, axis=0), rtol=1e-6
    )
    assert batch.fake.shape == batch.interpolated_fake.shape == (8, 8, 8, 1)
    terms, _ = gan.generator_objective(batch)
    s_f = _logits(gan, keras.ops.convert_to_numpy(batch.fake), text)
    s_int = _logits(gan, keras.ops.convert_to_numpy(batch.interpolated_fake), batch.interpolated_text)
    np.testing.assert_allclose(float(terms["g_loss"]), _softplus(-s_f).mean(), rtol=1e-5)
    np.testing.assert_allclose(float(terms["g_int"]), 0.5 * _softplus(-s_int).mean(), rtol=1e-5)


def test_kl_term_against_the_closed_form_of_two_gaussians():
    rng = np.random.default_rng(0)
    mu, sigma = rng.normal(size=(5, 3)), np.exp(rng.normal(size=(5, 3)) * 0.5)
    # KL(N(μ, σ²) ‖ N(0, 1)) = ln(1/σ) + (σ² + μ²)/2 − ½ per dimension
    expected = np.mean(np.sum(-np.log(sigma) + (sigma**2 + mu**2) / 2 - 0.5, axis=1))
    got = float(kl_to_standard_normal(mu.astype("float32"), np.log(sigma).astype("float32")))
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert float(kl_to_standard_normal(np.zeros((2, 3), "float32"), np.zeros((2, 3), "float32"))) == 0.0


def test_conditioning_augmentation_term_and_sampling_from_mu():
    gan = _small(seed=0, conditioning_augmentation=3, kl_weight=2.0)
    real, text = tiny_images(8, (8, 8, 1), seed=1), _embeddings(8)
    batch = gan.step_batch(tf.constant(real), tf.constant(text))
    terms, _ = gan.generator_objective(batch)
    mu, log_sigma = (keras.ops.convert_to_numpy(t) for t in gan.conditioning(text))
    sigma2 = np.exp(2 * log_sigma)
    expected = np.mean(0.5 * np.sum(mu**2 + sigma2 - 1 - np.log(sigma2), axis=1))
    np.testing.assert_allclose(float(terms["g_kl"]), 2.0 * expected, rtol=1e-5)
    # sampling feeds c = μ (no noise): generate() equals the generator on (z, μ)
    latents = np.random.default_rng(3).normal(size=(8, 4)).astype("float32")
    direct = keras.ops.convert_to_numpy(gan.generator([latents, mu], training=False))
    np.testing.assert_allclose(gan.generate(latents=latents, text=text), direct, atol=1e-6)


def test_sampling_with_a_moving_average_uses_the_averaged_conditioning_network_too():
    from kerasgan.parts import GeneratorEMA

    gan = _small(seed=0, conditioning_augmentation=3, ema=GeneratorEMA(0.5))
    gan.compile()
    text = _embeddings(16)
    gan.fit(tiny_images(16, (8, 8, 1), seed=1), text, epochs=1, batch_size=8, verbose=0)
    average_g, average_ca = gan.ema.average_of(gan.generator), gan.ema.average_of(gan.conditioning)
    rng = np.random.default_rng(4)
    for weight in average_ca.weights:  # an average far from the trained network, so that the two tell apart
        weight.assign(keras.ops.convert_to_numpy(weight) + rng.normal(size=weight.shape).astype("float32") * 3)
    mu_average = keras.ops.convert_to_numpy(average_ca(text[:4])[0])
    mu_trained = keras.ops.convert_to_numpy(gan.conditioning(text[:4])[0])
    latents = np.random.default_rng(3).normal(size=(4, 4)).astype("float32")
    expected = keras.ops.convert_to_numpy(average_g([latents, mu_average], training=False))
    with_trained_ca = keras.ops.convert_to_numpy(average_g([latents, mu_trained], training=False))
    assert np.abs(expected - with_trained_ca).max() > 1e-4
    np.testing.assert_allclose(gan.generate(latents=latents, text=text[:4]), expected, atol=1e-6)
    # without the average, both the trained generator and the trained CA network
    trained = keras.ops.convert_to_numpy(gan.generator([latents, mu_trained], training=False))
    np.testing.assert_allclose(gan.generate(latents=latents, text=text[:4], use_ema=False), trained, atol=1e-6)


def test_text_changes_what_both_networks_compute():
    gan = _small(seed=0)
    latents = np.random.default_rng(0).normal(size=(4, 4)).astype("float32")
    a, b = _embeddings(1, seed=1)[0], _embeddings(1, seed=2)[0]
    assert not np.allclose(gan.generate(latents=latents, text=a), gan.generate(latents=latents, text=b))
    images = tiny_images(4, (8, 8, 1))
    assert not np.allclose(_logits(gan, images, np.tile(a, (4, 1))), _logits(gan, images, np.tile(b, (4, 1))))


def test_text_encoder_reads_words_and_tolerates_unknown_ones():
    encoder = _encoder()
    out = keras.ops.convert_to_numpy(encoder(tf.constant(["a thick, slanted seven", "a thin one", "a purple seven"])))
    assert out.shape == (3, TEXT_DIM) and np.isfinite(out).all()
    assert not np.allclose(out[0], out[1])
    assert kerasgan.networks.caption_vocabulary(["a b b", "c c c"]) == ["c", "b", "a"]  # most frequent first


def test_generate_and_fit_errors_are_clear():
    gan = _small()
    with pytest.raises(ValueError, match="captions=.*text=.*not both"):
        gan.generate(2, captions="a one", text=np.zeros(6))
    np.testing.assert_array_equal(gan.generate(2, seed=0), gan.generate(2, text=np.zeros(6), seed=0))
    with pytest.raises(ValueError, match="no text_encoder"):
        gan.generate(2, captions="a seven")
    with pytest.raises(ValueError, match=r"shape \(6,\)"):
        gan.generate(2, text=np.zeros(5))
    with pytest.raises(ValueError, match="text_dim=.*text_encoder="):
        GANCLS.for_images((8, 8, 1))
    gan.compile()
    images = tiny_images(16, (8, 8, 1))
    with pytest.raises(ValueError, match="no text_encoder"):
        gan.fit(images, _captions(16), batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="embeddings of size 6"):
        gan.fit(images, np.zeros((16, 5), "float32"), batch_size=8, verbose=0)
    captioned = _small(text_encoder=_encoder())
    with pytest.raises(ValueError, match="2 captions for 3 images"):
        captioned.generate(3, captions=["a one", "a two"])


def test_grid_has_one_row_per_digit_caption():
    gan = _small(text_encoder=_encoder(), seed=0)
    latents = np.random.default_rng(0).normal(size=(20, 4)).astype("float32")
    images, cols = gan.grid_samples(latents)
    assert cols == 2 and images.shape == (20, 8, 8, 1)
    np.testing.assert_allclose(images[4:6], gan.generate(latents=latents[:2], captions="a two"), atol=1e-6)


# ------------------------------------------------------------------ captions and caption data
def test_caption_grammar():
    describe = kerasgan.data.describe
    assert describe(7, "thick", "slanted") == "a thick, slanted seven"
    assert describe(7, "thin") == "a thin seven"
    assert describe(8) == "an eight"
    assert describe(1, None, "upright") == "an upright one"
    with pytest.raises(ValueError, match="0..9"):
        describe(10)
    with pytest.raises(ValueError, match="thickness"):
        describe(3, "bold")
    captions = captions_lib.digit_captions([7, 3], [3.0, 2.0], [0.5, 0.1])
    assert captions[0] == ["a thick, slanted seven", "a slanted seven", "a thick seven", "a seven"]
    assert captions[1] == ["a three"]  # medium thickness and slant: no adjective is true
    assert set(" ".join(c for cs in captions for c in cs).replace(",", "").split()) <= set(WORDS)


def _bar(width, length=20):
    image = np.zeros((28, 28), "uint8")
    image[4 : 4 + length, 10 : 10 + width] = 255
    return image


def test_stroke_thickness_and_slant_on_drawn_strokes():
    diagonal = np.zeros((28, 28), "uint8")
    for y in range(4, 24):
        diagonal[y, 27 - y] = 255  # the top to the right: one column per row
    thickness, slant = kerasgan.data.stroke_properties(np.stack([_bar(1), _bar(3), diagonal]))
    # 2 × area / perimeter edges: width w, length 20 → 2·20w / (2·20 + 2w)
    np.testing.assert_allclose(thickness[:2], [2 * 20 / 42, 2 * 60 / 46], rtol=1e-6)
    np.testing.assert_allclose(slant, [0.0, 0.0, 1.0], atol=1e-6)
    with pytest.raises(ValueError, match="uint8"):
        kerasgan.data.stroke_properties(np.zeros((2, 28, 28), "float32"))


def test_captioned_mnist_captions_follow_the_measured_properties():
    images, captions, labels, thickness, slant = kerasgan.data.captioned_mnist()
    assert len(images) == len(captions) == 10_000
    for i in range(0, 10_000, 997):
        full = captions[i][0]
        assert full.split()[-1] == captions_lib.DIGIT_WORDS[labels[i]]
        assert ("thick" in full) == (thickness[i] > captions_lib.THICK_ABOVE)
        assert ("thin" in full) == (thickness[i] < captions_lib.THIN_BELOW)
        assert ("slanted" in full) == (slant[i] > captions_lib.SLANTED_ABOVE)
    # the thresholds are the terciles: about a third of the digits on each side
    assert 0.3 < np.mean(thickness < captions_lib.THIN_BELOW) < 0.37
    assert 0.3 < np.mean(slant > captions_lib.SLANTED_ABOVE) < 0.37
    data = kerasgan.data.captioned_mnist_dataset(batch_size=16, seed=0)
    batch_images, batch_text = next(iter(data))
    assert batch_images.shape == (16, 28, 28, 1) and batch_text.dtype == tf.string
    assert float(tf.reduce_min(batch_images)) >= -1.0 and len(data.captions) == sum(map(len, captions))


def _write_png(path, value):
    keras.utils.save_img(str(path), np.full((10, 10, 3), value, "uint8"), scale=False)


def test_caption_folder_jsonl_with_embeddings_and_text_files(tmp_path):
    jsonl = tmp_path / "jsonl"
    jsonl.mkdir()
    for i in range(3):
        _write_png(jsonl / f"{i}.png", 80 * i)
    with open(jsonl / "captions.jsonl", "w") as f:
        f.write(json.dumps({"image": "0.png", "captions": ["a dark square", "black"]}) + "\n")
        f.write(json.dumps({"image": "1.png", "caption": "a grey square"}) + "\n\n")
        f.write(json.dumps({"image": "2.png", "captions": ["a light square"]}) + "\n")
    files, caps = kerasgan.data.caption_pairs(jsonl)
    assert [os.path.basename(f) for f in files] == ["0.png", "1.png", "2.png"]
    assert caps == [["a dark square", "black"], ["a grey square"], ["a light square"]]
    embeddings = np.arange(4 * 2, dtype="float32").reshape(4, 2)  # one per (image, caption) pair
    np.save(jsonl / "embeddings.npy", embeddings)
    data = kerasgan.data.captioned_folder(jsonl, image_size=8, channels=1, batch_size=4, shuffle=False)
    images, text = next(iter(data))
    assert images.shape == (4, 8, 8, 1)
    np.testing.assert_array_equal(text, embeddings)
    # the pairs keep their images: pixel value 0, 0, 80, 160 → [-1, -1, -0.37, 0.25]
    np.testing.assert_allclose(images[:, 0, 0, 0], np.array([0, 0, 80, 160]) / 127.5 - 1, atol=0.02)

    per_file = tmp_path / "txt"
    per_file.mkdir()
    _write_png(per_file / "a.png", 10)
    _write_png(per_file / "b.png", 20)
    (per_file / "a.txt").write_text("first caption\n\nsecond caption\n")
    assert kerasgan.data.caption_pairs(per_file)[1] == [["first caption", "second caption"]]  # b.png has none

    np.save(jsonl / "embeddings.npy", embeddings[:3])
    with pytest.raises(ValueError, match="4 .image, caption. pairs"):
        kerasgan.data.captioned_folder(jsonl, batch_size=2)
    with open(jsonl / "captions.jsonl", "a") as f:
        f.write(json.dumps({"image": "missing.png", "caption": "x"}) + "\n")
    with pytest.raises(ValueError, match="missing.png"):
        kerasgan.data.caption_pairs(jsonl)
    bare = tmp_path / "bare"
    bare.mkdir()
    _write_png(bare / "c.png", 30)
    with pytest.raises(ValueError, match="captions.jsonl"):
        kerasgan.data.caption_pairs(bare)


def test_captions_conditioning_and_interpolation_train_under_mixed_float16():
    keras.config.set_dtype_policy("mixed_float16")
    try:
        gan = _small(text_encoder=_encoder(), interpolation=True, conditioning_augmentation=3, seed=0)
        gan.compile()
        history = gan.fit(tiny_images(16, (8, 8, 1)), _captions(16), batch_size=8, epochs=1, verbose=0).history
    finally:
        keras.config.set_dtype_policy("float32")
    assert all(np.isfinite(v).all() for v in history.values())
    assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert gan.generate(2, captions="a one").dtype == np.float32


def test_text_at_the_input_reaches_the_first_convolution():
    gan = _small(text_at="input", seed=0)
    first_conv = next(layer for layer in gan.discriminator.layers if isinstance(layer, keras.layers.Conv2D))
    assert first_conv.input.shape[-1] == 1 + gan.text_units  # the image's channel and the broadcast text
    images = tiny_images(4, (8, 8, 1))
    a, b = np.tile(_embeddings(1, seed=1), (4, 1)), np.tile(_embeddings(1, seed=2), (4, 1))
    assert not np.allclose(_logits(gan, images, a), _logits(gan, images, b))
    assert type(gan).from_config(gan.get_config()).text_at == "input"
    with pytest.raises(ValueError, match="text_at"):
        _small(text_at="middle")


def test_the_wrong_text_is_never_the_right_one():
    # neighbours sharing a caption, as in the captioned MNIST's batches: the nearest earlier text that differs
    captions = tf.constant(["a one", "a one", "a two", "a one", "a three", "a three"])
    wrong = GANCLS.mismatched(captions).numpy()
    np.testing.assert_array_equal(wrong, [b"a three", b"a three", b"a one", b"a two", b"a one", b"a one"])
    embeddings = tf.constant(_embeddings(3)[[0, 0, 1, 2, 2]])
    wrong = GANCLS.mismatched(embeddings).numpy()
    assert not (wrong == embeddings.numpy()).all(axis=1).any()
    np.testing.assert_array_equal(GANCLS.mismatched(tf.constant(["a", "a"])).numpy(), [b"a", b"a"])  # nothing differs
    # on batches of the captioned MNIST the shift by one gave some images their own caption; mismatched gives none
    shifted_equal = 0
    for _, text in kerasgan.data.captioned_mnist_dataset(batch_size=64, seed=0).take(20):
        assert not (GANCLS.mismatched(text).numpy() == text.numpy()).any()
        shifted_equal += int((np.roll(text.numpy(), 1) == text.numpy()).sum())
    assert shifted_equal > 0
