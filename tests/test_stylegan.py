"""StyleGAN (2019): the contract, AdaIN against numpy, its networks sharing StyleGAN2's mapping, mixing and truncation."""

import keras
import numpy as np
import pytest
from gan_contract import GANContract

from kerasgan.models import StyleGAN
from kerasgan.networks import AdaIN, ModulatedConv2D


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _tiny(**kwargs):
    options = dict(latent_dim=4, base_filters=2, max_filters=4, mapping_layers=2)
    return StyleGAN.for_images((8, 8, 1), **{**options, **kwargs})


class TestStyleGANContract(GANContract):
    image_shape = (8, 8, 1)

    def make_model(self, **kwargs):
        return _tiny(**kwargs)


def test_adain_against_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 5, 4)).astype("float32") * 3 + 1
    ws = rng.normal(size=(3, 2, 6)).astype("float32")
    layer = AdaIN(style_index=1)
    layer([x, ws])
    layer.affine.bias.assign(rng.normal(size=(8,)).astype("float32"))
    out = _np(layer([x, ws]))
    affine = layer.affine
    y = ws[:, 1] @ (_np(affine.kernel) * affine.scale) + _np(affine.bias)
    scale, bias = y[:, :4], y[:, 4:]
    normalized = (x - x.mean(axis=(1, 2), keepdims=True)) / np.sqrt(x.var(axis=(1, 2), keepdims=True) + 1e-8)
    np.testing.assert_allclose(out, normalized * scale[:, None, None] + bias[:, None, None], rtol=1e-4, atol=1e-4)
    fresh = AdaIN()
    fresh([x, ws])
    np.testing.assert_array_equal(_np(fresh.affine.bias), [1, 1, 1, 1, 0, 0, 0, 0])  # y_s starts at 1, y_b at 0


def test_networks_use_adain_and_plain_convolutions_and_share_the_style_machinery():
    gan = _tiny()
    synthesis = gan.synthesis
    adain = [layer for layer in synthesis.layers if isinstance(layer, AdaIN)]
    convs = [layer for layer in synthesis.layers if isinstance(layer, ModulatedConv2D)]
    assert [layer.style_index for layer in adain] == [0, 1, 2, 3] == list(range(gan.num_ws))
    assert convs and not any(layer.modulate or layer.demodulate for layer in convs)
    assert not any("skip" in layer.name for layer in gan.discriminator.layers)  # not residual
    (r1,) = gan.regularizers
    assert (r1.gamma, r1.interval) == (10.0, 1)
    assert float(gan.default_optimizers()[0].learning_rate) == pytest.approx(1e-3)
    gan.w_avg.assign(np.full((4,), 0.3, "float32"))
    images = gan.generate(5, seed=0, truncation_psi=0.0)
    np.testing.assert_allclose(images, np.repeat(gan.generate(styles=np.full((1, 4), 0.3)), 5, axis=0), atol=1e-6)
    z = np.random.default_rng(0).normal(size=(2, 4))
    np.testing.assert_allclose(gan.mix_styles(z, z[::-1], crossover=4), gan.generate(latents=z), atol=1e-6)
    assert not np.allclose(gan.mix_styles(z, z[::-1], crossover=2), gan.generate(latents=z))


def test_the_constant_input_gets_noise_before_its_first_adain():
    """Figure 1(b): const 4×4 → noise (learned per-channel scale) → AdaIN, as after every convolution."""
    from kerasgan.networks import NoiseInjection

    keras.utils.set_random_seed(0)
    synthesis = _tiny(seed=0).synthesis
    noise = synthesis.get_layer("noise_4x4")
    assert isinstance(noise, NoiseInjection) and noise.input.shape == synthesis.get_layer("const").output.shape
    assert synthesis.get_layer("adain0_4x4").input[0] is noise.output
    block = keras.Model(synthesis.input, synthesis.get_layer("adain0_4x4").output)  # the constant block's output
    ws = np.random.default_rng(0).normal(size=(3, 4, 4)).astype("float32")
    # at initialization the scale is 0 (the paper's): the block is the styled constant, whatever the noise
    assert float(np.abs(_np(noise.noise_strength)).max()) == 0.0
    np.testing.assert_allclose(_np(block(ws, training=True)), _np(block(ws, training=True)), atol=1e-6)
    noise.noise_strength.assign(np.linspace(0.5, 1.0, noise.noise_strength.shape[0]).astype("float32"))
    first, second = _np(block(ws, training=True)), _np(block(ws, training=True))
    assert np.abs(first - second).mean() > 1e-2  # fresh noise in every training pass
    inference = _np(block(ws))
    np.testing.assert_allclose(inference, _np(block(ws)), atol=1e-6)  # a fixed map when sampling
    noise.noise_const.assign(-noise.noise_const)
    assert np.abs(_np(block(ws)) - inference).mean() > 1e-2  # ... which the output depends on
