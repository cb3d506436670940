"""Conditional models: ConditionalGAN, ACGAN and InfoGAN."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from gan_contract import GANContract, tiny_images

import kerasgan
from kerasgan.models import ACGAN, ConditionalGAN, InfoGAN
from kerasgan.parts import R1


def _small(cls, **kwargs):
    return cls.for_images((8, 8, 1), latent_dim=4, base_filters=4, **kwargs)


def _log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class TestConditionalGAN(GANContract):
    num_classes = 3

    def make_model(self, **kwargs):
        return _small(ConditionalGAN, num_classes=3, **kwargs)


class TestConditionalGANProjectionWithPenalty(GANContract):
    """Projection discriminator, learned embedding, and a base-class option (R1) on top."""

    num_classes = 3

    def make_model(self, **kwargs):
        return _small(
            ConditionalGAN, num_classes=3, projection=True, label_embedding=5, regularizers=[R1(1.0)], **kwargs
        )


class TestACGAN(GANContract):
    num_classes = 3

    def make_model(self, **kwargs):
        return _small(ACGAN, num_classes=3, **kwargs)

    def test_logs_class_terms(self):
        history = self.fit(self.compiled())
        assert np.isfinite(history["d_class"]).all() and np.isfinite(history["g_class"]).all()


class TestInfoGAN(GANContract):
    def make_model(self, **kwargs):
        return _small(InfoGAN, categorical_codes=(3, 2), continuous_codes=2, **kwargs)

    def generation_inputs(self, gan, latents):
        codes = {"categorical": [[i % 3, i % 2] for i in range(len(latents))], "continuous": [0.5, -0.25]}
        return np.concatenate([latents, gan.codes_for(len(latents), codes)], axis=1), {"codes": codes}


# ---------------------------------------------------------------- loss terms


def test_acgan_class_terms_equal_hand_computed_cross_entropies():
    gan = _small(ACGAN, num_classes=3, class_weight=0.5)
    real = np.array([[2.0, 0.0, -1.0], [0.1, 0.2, 0.3]], "float32")
    fake = np.array([[0.0, 3.0, 0.0], [-2.0, 1.0, 0.5]], "float32")
    labels = np.array([0, 2], "int32")
    ce_real = -np.mean(_log_softmax(real)[[0, 1], labels])
    ce_fake = -np.mean(_log_softmax(fake)[[0, 1], labels])
    d_terms = gan.discriminator_auxiliary_terms(real, fake, labels, None)
    g_terms = gan.generator_auxiliary_terms(fake, labels, None)
    np.testing.assert_allclose(float(d_terms["d_class"]), 0.5 * (ce_real + ce_fake), rtol=1e-6)
    np.testing.assert_allclose(float(g_terms["g_class"]), 0.5 * ce_fake, rtol=1e-6)
    # by hand for the first real sample: log(e^2 + 1 + e^-1) - 2
    np.testing.assert_allclose(-_log_softmax(real)[0, 0], np.log(np.e**2 + 1 + np.e**-1) - 2, rtol=1e-6)


def test_infogan_information_loss_equals_hand_computed_value():
    gan = _small(InfoGAN, categorical_codes=(3, 2), continuous_codes=2, lambda_categorical=1.0, lambda_continuous=0.1)
    z = np.zeros((2, 4), "float32")
    codes = np.array(
        # code 1 (3 categories) | code 2 (2 categories) | 2 continuous
        [[0, 1, 0, 1, 0, 0.5, -0.5], [0, 0, 1, 0, 1, -1.0, 0.25]],
        "float32",
    )
    latents = np.concatenate([z, codes], axis=1)
    q_categorical = np.array([[0.0, 1.0, 0.0, 2.0, 0.0], [1.0, 1.0, 1.0, 0.0, 0.0]], "float32")
    q_continuous = np.array([[0.5, 0.5], [0.0, 0.0]], "float32")
    ce1 = np.mean([-_log_softmax(q_categorical[:, :3])[0, 1], np.log(3.0)])
    ce2 = np.mean([-_log_softmax(q_categorical[:, 3:])[0, 0], np.log(2.0)])
    gauss = np.mean([0.5 * (0.0**2 + 1.0**2), 0.5 * (1.0**2 + 0.25**2)])
    expected = ce1 + ce2 + 0.1 * gauss
    value = gan.information_loss((q_categorical, q_continuous), latents)
    np.testing.assert_allclose(float(value), expected, rtol=1e-6)


def test_infogan_samples_valid_codes():
    gan = _small(InfoGAN, categorical_codes=(5,), continuous_codes=3, seed=0)
    latents = keras.ops.convert_to_numpy(gan.sample_latents(4000))
    assert latents.shape == (4000, 4 + 5 + 3)
    one_hot, continuous = latents[:, 4:9], latents[:, 9:]
    assert np.all(one_hot.sum(axis=1) == 1) and set(np.unique(one_hot)) == {0.0, 1.0}
    np.testing.assert_allclose(one_hot.mean(axis=0), 0.2, atol=0.03)  # uniform over 5 categories
    assert continuous.min() >= -1 and continuous.max() <= 1
    np.testing.assert_allclose(continuous.mean(axis=0), 0.0, atol=0.05)
    assert abs(latents[:, :4].std() - 1) < 0.05  # z ~ N(0, 1)


# ---------------------------------------------------------------- conditioning


def test_labels_change_what_both_networks_compute():
    for options in ({}, {"projection": True}, {"label_embedding": 6}):
        gan = _small(ConditionalGAN, num_classes=3, seed=0, **options)
        latents = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
        same_latents = np.repeat(latents[:1], 3, axis=0)
        images = gan.generate(latents=same_latents, labels=[0, 1, 2])
        assert np.abs(images[0] - images[1]).max() > 1e-4 and np.abs(images[1] - images[2]).max() > 1e-4
        x = keras.ops.convert_to_tensor(np.repeat(images[:1], 3, axis=0))
        logits = keras.ops.convert_to_numpy(gan.discriminator([x, keras.ops.convert_to_tensor(np.arange(3))]))
        assert np.ptp(logits) > 1e-6, options


def test_generate_takes_one_label_names_or_one_per_sample():
    gan = _small(ConditionalGAN, num_classes=3, class_names=["cat", "dog", "emu"], seed=0)
    latents = np.random.default_rng(1).normal(size=(4, 4)).astype("float32")
    np.testing.assert_array_equal(gan.generate(latents=latents, labels="dog"), gan.generate(latents=latents, labels=1))
    np.testing.assert_array_equal(
        gan.generate(latents=latents, labels=[1, 1, 1, 1]), gan.generate(latents=latents, labels=1)
    )
    with pytest.raises(ValueError, match=r"in \[0, 3\)"):
        gan.generate(latents=latents, labels=3)
    with pytest.raises(ValueError, match="one per sample"):
        gan.generate(latents=latents, labels=[0, 1])
    with pytest.raises(ValueError, match="Unknown class name 'yak'.*cat, dog, emu"):
        gan.generate(2, labels="yak")


def test_conditional_grid_has_one_row_per_class_and_one_latent_per_column():
    gan = _small(ConditionalGAN, num_classes=3, seed=0)
    latents = np.random.default_rng(2).normal(size=(7, 4)).astype("float32")
    images, cols = gan.grid_samples(latents)
    assert cols == 2 and images.shape == (6, 8, 8, 1)
    for row in range(3):
        np.testing.assert_allclose(
            images[2 * row : 2 * row + 2], gan.generate(latents=latents[:2], labels=row), atol=1e-6
        )


def test_infogan_grid_rows_are_categories_and_columns_sweep_a_continuous_code():
    gan = _small(InfoGAN, categorical_codes=(3,), continuous_codes=2, seed=0)
    latents = np.random.default_rng(3).normal(size=(12, 4)).astype("float32")
    images, cols = gan.grid_samples(latents)
    assert cols == 4 and images.shape == (12, 8, 8, 1)
    sweep = np.linspace(-2, 2, 4)
    expected = gan.generate(
        latents=np.repeat(latents[1:2], 4, axis=0),
        codes={"categorical": 1, "continuous": np.stack([sweep, np.zeros(4)], axis=1)},
    )
    np.testing.assert_allclose(images[4:8], expected, atol=1e-6)


def test_image_grid_callback_uses_the_conditional_layout(tmp_path):
    gan = _small(ConditionalGAN, num_classes=3, seed=0)
    gan.compile()
    grid = kerasgan.callbacks.ImageGrid(tmp_path, num_images=6)
    gan.fit(tiny_images(16), np.arange(16) % 3, batch_size=8, epochs=1, callbacks=[grid], verbose=0)
    picture = keras.utils.load_img(grid.paths[0])
    # 3 rows × 2 columns of 8-pixel images with 2-pixel padding
    assert picture.size == (2 * 8 + 3 * 2, 3 * 8 + 4 * 2)


# ---------------------------------------------------------------- errors


def test_out_of_range_labels_in_a_dataset_stop_fit_with_a_clear_error():
    gan = _small(ConditionalGAN, num_classes=3, seed=0)
    gan.compile()
    labels = np.arange(16) % 4  # a label 3 for a 3-class model
    dataset = tf.data.Dataset.from_tensor_slices((tiny_images(16), labels)).batch(8)
    with pytest.raises(ValueError, match="class label 3.*num_classes=3"):
        gan.fit(dataset, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"in \[0, 3\).*3"):
        gan.fit(tiny_images(16), labels, batch_size=8, epochs=1, verbose=0)


def test_a_late_bad_label_is_caught_at_the_end_of_the_epoch():
    gan = _small(ACGAN, num_classes=3, seed=0)
    gan.compile()
    labels = np.zeros(32, "int64")
    labels[-1] = -1
    dataset = tf.data.Dataset.from_tensor_slices((tiny_images(32), labels)).batch(8)
    with pytest.raises(ValueError, match="class label -1"):
        gan.fit(dataset, epochs=1, verbose=0)


def test_class_count_of_the_data_must_match_the_model(tmp_path):
    import imageio.v3 as iio

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for i in range(4):
            iio.imwrite(tmp_path / name / f"{i}.png", np.full((8, 8), 60 * i, "uint8"))
    dataset = kerasgan.data.image_folder(tmp_path, 8, channels=1, batch_size=4, labels=True)
    gan = _small(ConditionalGAN, num_classes=3)
    gan.compile()
    with pytest.raises(ValueError, match="2 classes.*num_classes=3.*num_classes=2"):
        gan.fit(dataset, epochs=1, verbose=0)


def test_constructor_errors_are_clear():
    with pytest.raises(ValueError, match="num_classes"):
        _small(ConditionalGAN, num_classes=1)
    with pytest.raises(ValueError, match="class_names"):
        _small(ACGAN, num_classes=3, class_names=["a", "b"])
    with pytest.raises(ValueError, match="at least one code"):
        _small(InfoGAN, categorical_codes=(), continuous_codes=0)
    with pytest.raises(ValueError, match="2 categories"):
        _small(InfoGAN, categorical_codes=(1,))
    unconditional_g = kerasgan.networks.dcgan_generator(4, (8, 8, 1), 4)
    with pytest.raises(ValueError, match="2 input"):
        _small(ConditionalGAN, num_classes=3, generator=unconditional_g)
    plain_d = kerasgan.networks.dcgan_discriminator((8, 8, 1), 4)
    with pytest.raises(ValueError, match="class logits"):
        _small(ACGAN, num_classes=3, discriminator=plain_d)
    conditional_g = kerasgan.networks.conditional_generator(4, 3, (8, 8, 1), 4)
    with pytest.raises(ValueError, match="ConditionalGAN or ACGAN"):
        _small(kerasgan.models.DCGAN, generator=conditional_g)


def test_infogan_codes_are_checked():
    gan = _small(InfoGAN, categorical_codes=(3,), continuous_codes=1)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        gan.generate(2, codes={"categorical": 3})
    with pytest.raises(ValueError, match=r"continuous.*\(1,\)"):
        gan.generate(2, codes={"continuous": [0.1, 0.2, 0.3]})
    with pytest.raises(ValueError, match="Unknown code"):
        gan.generate(2, codes={"style": 1})
