"""BiGAN: the shared contract (its encoder trained, saved and restored too) and its objective by hand."""

import keras
import numpy as np
import pytest
from gan_contract import GANContract, tiny_images, weights_of
from keras import ops

import kerasgan
from kerasgan.models import BiGAN
from kerasgan.parts import StepBatch


class TestBiGAN(GANContract):
    image_shape = (8, 8, 1)

    def make_model(self, **kwargs):
        return BiGAN(latent_dim=4, image_shape=self.image_shape, base_filters=4, **kwargs)


def _bigan():
    return TestBiGAN().compiled()


def test_the_encoder_is_trained_with_the_generator_and_saved_with_the_model(tmp_path):
    bigan = _bigan()
    before = weights_of(bigan.encoder)
    TestBiGAN().fit(bigan)
    trainable = [v.trainable for v in bigan.encoder.weights]
    assert all(not np.array_equal(a, b) for a, b, t in zip(before, weights_of(bigan.encoder), trainable) if t)
    bigan.save(tmp_path / "bigan.keras")
    loaded = keras.saving.load_model(tmp_path / "bigan.keras")
    for a, b in zip(weights_of(bigan.encoder), weights_of(loaded.encoder)):
        np.testing.assert_array_equal(a, b)
    images = tiny_images(5, (8, 8, 1), seed=3)
    np.testing.assert_array_equal(bigan.encode(images), loaded.encode(images))
    assert bigan.reconstruct(images).shape == images.shape
    np.testing.assert_allclose(bigan.reconstruct(images), bigan.generate(latents=bigan.encode(images)), atol=1e-6)


def test_the_objectives_are_the_papers_cross_entropies_on_pairs():
    bigan = _bigan()
    real = ops.convert_to_tensor(tiny_images(8, (8, 8, 1)))
    z = ops.convert_to_tensor(np.random.default_rng(0).standard_normal((8, 4)).astype("float32"))
    codes = bigan.encoder(real)
    fake = bigan.generator(z)
    batch = StepBatch(real, fake, codes, z)
    # dropout off, so both objectives see the same logits the reference computes
    bigan.discriminator.get_layer(index=-2).rate = 0.0
    r = ops.convert_to_numpy(bigan.discriminator([real, codes], training=True)).astype("float64")
    f = ops.convert_to_numpy(bigan.discriminator([fake, z], training=True)).astype("float64")
    softplus = lambda x: np.logaddexp(0.0, x)  # noqa: E731  -log σ(-x)
    d_terms, _ = bigan.discriminator_objective(batch)
    g_terms, _ = bigan.generator_objective(batch)
    np.testing.assert_allclose(float(d_terms["d_loss"]), softplus(-r).mean() + softplus(f).mean(), rtol=1e-5)
    np.testing.assert_allclose(float(g_terms["g_loss"]), softplus(-f).mean() + softplus(r).mean(), rtol=1e-5)


def test_bigan_refuses_a_loss_and_bad_encoders():
    with pytest.raises(ValueError, match="no loss="):
        BiGAN(latent_dim=4, image_shape=(8, 8, 1), base_filters=4, loss="hinge")
    wrong = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"codes \(4,\)"):
        BiGAN(latent_dim=4, image_shape=(8, 8, 1), base_filters=4, encoder=wrong)
    with pytest.raises(ValueError, match="encode"):
        _bigan().encode(np.zeros((2, 4, 4, 1)))


def test_kerasgan_encode_writes_the_codes_of_a_folder_in_order(tmp_path, capsys):
    import imageio.v3 as iio

    from kerasgan import cli

    bigan = _bigan()
    (tmp_path / "run").mkdir()
    bigan.save(tmp_path / "run" / "model.keras")
    (tmp_path / "digits").mkdir()
    pixels = np.random.default_rng(0).integers(0, 256, (3, 8, 8), dtype=np.uint8)
    for i, image in enumerate(pixels):
        iio.imwrite(tmp_path / "digits" / f"d{i}.png", image)
    out = tmp_path / "codes.npy"
    argv = ["encode", "--run-dir", str(tmp_path / "run"), "--input", str(tmp_path / "digits"), "--out", str(out)]
    assert cli.main(argv) == 0
    expected = bigan.encode(pixels[..., None].astype("float32") / 127.5 - 1.0)
    np.testing.assert_allclose(np.load(out), expected, atol=1e-6)
    assert (tmp_path / "codes.txt").read_text().split() == ["d0", "d1", "d2"]
    gan = kerasgan.models.GAN(latent_dim=4, image_shape=(8, 8, 1))
    gan.save(tmp_path / "run" / "model.keras")
    capsys.readouterr()
    assert cli.main(argv) != 0
    err = capsys.readouterr().err
    assert "has no encoder" in err and "bigan or aae" in err, err
