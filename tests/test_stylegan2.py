"""StyleGAN2: the contract, modulation/demodulation against numpy, style mixing, truncation, path length, EMA ramp-up."""

import math

import keras
import numpy as np
import pytest
from gan_contract import GANContract, tiny_images

from kerasgan.losses.penalties import path_lengths
from kerasgan.models import StyleGAN2
from kerasgan.networks import ModulatedConv2D, stylegan2_generator
from kerasgan.parts import GeneratorEMA, PathLength, StepBatch


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _tiny(**kwargs):
    options = dict(latent_dim=4, base_filters=2, max_filters=4, mapping_layers=2)
    return StyleGAN2.for_images((8, 8, 1), **{**options, **kwargs})


class TestStyleGAN2Contract(GANContract):
    # 8×8: 4 style inputs; the resume contract goes through lazy R1 (step 0 of 16) and path length (steps 0, 4, 8).
    image_shape = (8, 8, 1)

    def make_model(self, **kwargs):
        return _tiny(**kwargs)

    def test_training_continued_after_loading_matches_uninterrupted_run(self, tmp_path):
        super().test_training_continued_after_loading_matches_uninterrupted_run(tmp_path)
        # the saved part state: pl_mean, w̄ and the EMA continue exactly
        data = self.data()
        uninterrupted = self.compiled()
        self.fit(uninterrupted, epochs=2, data=data)
        first = self.compiled()
        self.fit(first, epochs=1, data=data)
        first.save(tmp_path / "one.keras")
        resumed = keras.saving.load_model(tmp_path / "one.keras")
        self.fit(resumed, epochs=1, data=data)
        pl = [p for p in resumed.regularizers if isinstance(p, PathLength)][0]
        pl_expected = [p for p in uninterrupted.regularizers if isinstance(p, PathLength)][0]
        assert (
            float(_np(pl.pl_mean)) == pytest.approx(float(_np(pl_expected.pl_mean)), rel=1e-5)
            and float(_np(pl.pl_mean)) > 0
        )
        np.testing.assert_allclose(_np(resumed.w_avg), _np(uninterrupted.w_avg), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(resumed.generate(3, seed=1), uninterrupted.generate(3, seed=1), atol=1e-5)


def test_defaults_are_the_papers():
    gan = _tiny()
    (r1,) = [p for p in gan.regularizers if type(p).__name__ == "R1"]
    (pl,) = [p for p in gan.regularizers if isinstance(p, PathLength)]
    assert (r1.gamma, r1.interval) == (10.0, 16)
    assert (pl.weight, pl.interval, pl.decay, pl.batch_shrink) == (2.0, 4, 0.01, 2)
    assert (gan.ema.decay, gan.ema.rampup) == (0.999, 0.05)
    assert gan.style_mixing == 0.9 and gan.num_ws == 4  # 8×8: conv 4×4, toRGB 4×4 / conv0 8×8, conv1 8×8, toRGB 8×8
    d_opt, g_opt = gan.default_optimizers()
    # the lazy-regularization correction, c = k / (k + 1)
    assert float(d_opt.learning_rate) == pytest.approx(0.0025 * 16 / 17)
    assert d_opt.beta_2 == pytest.approx(0.99 ** (16 / 17)) and d_opt.beta_1 == 0.0
    assert float(g_opt.learning_rate) == pytest.approx(0.0025 * 4 / 5)
    # a subclass of R1 is corrected for its interval too; no path length, no correction of G's Adam
    from kerasgan.parts import R1

    class MyR1(R1):
        pass

    d_opt, g_opt = _tiny(regularizers=[MyR1(5.0, interval=8)]).default_optimizers()
    assert float(d_opt.learning_rate) == pytest.approx(0.0025 * 8 / 9, rel=1e-6)
    assert float(g_opt.learning_rate) == pytest.approx(0.0025, rel=1e-6)
    mapping = [layer for layer in gan.mapping.layers if type(layer).__name__ == "EqualizedDense"]
    assert len(mapping) == 2 and all(layer.lr_multiplier == 0.01 for layer in mapping)


def test_bad_arguments_say_what_to_fix():
    with pytest.raises(ValueError, match="power of two"):
        StyleGAN2.for_images((12, 12, 3), latent_dim=4)
    with pytest.raises(ValueError, match="square"):
        StyleGAN2.for_images((8, 16, 3), latent_dim=4)
    gan = _tiny()
    with pytest.raises(ValueError, match="truncation_cutoff must be in"):
        gan.generate(2, truncation_psi=0.5, truncation_cutoff=9)
    with pytest.raises(ValueError, match=r"styles must have shape \(n, 4, 4\)"):
        gan.generate(styles=np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="crossover must be in"):
        gan.mix_styles(np.zeros((1, 4)), np.zeros((1, 4)), crossover=5)


def test_equalized_dense_lr_multiplier_stores_scaled_weights_and_computes_the_same_function():
    from kerasgan.networks import EqualizedDense

    keras.utils.set_random_seed(0)
    layer = EqualizedDense(256, lr_multiplier=0.01, bias_initializer=1.0)
    x = np.random.default_rng(0).normal(size=(3, 64)).astype("float32")
    out = _np(layer(x))
    kernel, bias = _np(layer.kernel), _np(layer.bias)
    assert layer.scale == pytest.approx(0.01 * math.sqrt(2 / 64))
    assert abs(kernel.std() - 100.0) < 3.0  # stored N(0, 1/λ²): 16384 draws
    np.testing.assert_allclose(bias, 100.0)  # 1 / λ
    np.testing.assert_allclose(out, x @ (kernel * 0.01 * math.sqrt(2 / 64)) + 1.0, rtol=1e-4, atol=1e-4)


def _modulated_reference(x, ws, layer, demodulate, upsample):
    """numpy: per-sample weights w''_b = demod(s_b · w), convolved 'same' with the (upsampled) input."""
    affine = layer.affine
    s = ws[:, layer.style_index] @ (_np(affine.kernel) * affine.scale) + _np(affine.bias) * affine.lr_multiplier
    weight = _np(layer.kernel) * layer.scale  # (k, k, in, out)
    per_sample = weight[None] * s[:, None, None, :, None]
    if demodulate:
        per_sample = per_sample / np.sqrt((per_sample**2).sum(axis=(1, 2, 3), keepdims=True) + 1e-8)
    if upsample:
        x = x.repeat(2, axis=1).repeat(2, axis=2)
    k = weight.shape[0]
    pad = k // 2
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    b, h, w, _ = x.shape
    out = np.zeros((b, h, w, weight.shape[-1]))
    for dy in range(k):
        for dx in range(k):
            out += np.einsum("bhwi,bio->bhwo", padded[:, dy : dy + h, dx : dx + w], per_sample[:, dy, dx])
    return out + _np(layer.bias)


@pytest.mark.parametrize("demodulate,upsample", [(True, False), (False, False), (True, True)])
def test_modulated_convolution_against_numpy(demodulate, upsample):
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 5, 3)).astype("float32")
    ws = rng.normal(size=(2, 3, 6)).astype("float32")
    layer = ModulatedConv2D(4, style_index=1, kernel_size=3, demodulate=demodulate, upsample=upsample, activation=None)
    out = _np(layer([x, ws]))
    layer.bias.assign(rng.normal(size=(4,)).astype("float32"))
    layer.affine.bias.assign(rng.normal(size=(3,)).astype("float32") * 100)  # styles away from 1
    out = _np(layer([x, ws]))
    np.testing.assert_allclose(out, _modulated_reference(x, ws, layer, demodulate, upsample), rtol=1e-4, atol=1e-4)


def test_demodulated_outputs_have_unit_variance_for_unit_variance_inputs():
    """Demodulation makes every output channel's expected variance 1 whatever the styles; without it, it is Σ w'²."""
    keras.utils.set_random_seed(2)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 24, 24, 16)).astype("float32")
    ws = rng.normal(size=(8, 1, 8)).astype("float32") * 3
    for demodulate in (True, False):
        layer = ModulatedConv2D(6, kernel_size=3, demodulate=demodulate, activation=None)
        layer([x[:1], ws[:1]])
        layer.affine.bias.assign(np.full((16,), 3.0, "float32"))  # s ≈ 3: far from unit-scale weights
        out = _np(layer([x, ws]))[:, 1:-1, 1:-1]  # interior: the zero padding lowers the border's variance
        variance = out.var(axis=(1, 2))  # per sample and output channel
        if demodulate:
            # 22·22 overlapping windows per sample and channel: each within 0.25, their mean over the batch within 0.1
            np.testing.assert_allclose(variance, 1.0, atol=0.25)
            np.testing.assert_allclose(variance.mean(axis=0), 1.0, atol=0.1)
        else:
            s = _np(layer.styles(ws))
            expected = ((_np(layer.kernel) * layer.scale)[None] ** 2 * (s**2)[:, None, None, :, None]).sum(
                axis=(1, 2, 3)
            )
            np.testing.assert_allclose(variance, expected, rtol=0.3)
            np.testing.assert_allclose(variance.mean(axis=0), expected.mean(axis=0), rtol=0.1)
            assert variance.mean() > 4.0  # and not 1


def test_the_signal_keeps_its_scale_through_a_stack_of_demodulated_layers():
    """The leaky ReLU's gain √2 after each demodulated layer keeps the second moment near 1 through the depth.

    Without it (a gain in the weights is normalized away) the second moment falls by E[lrelu(x)²] = 0.52 per
    layer: about 0.52⁸ = 0.005 after eight, the features of a 64×64 generator's top layer.
    """
    keras.utils.set_random_seed(5)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 16, 16, 16)).astype("float32")
    ws = rng.normal(size=(4, 1, 8)).astype("float32")
    moments = []
    for i in range(8):
        x = _np(ModulatedConv2D(16, kernel_size=3, name=f"conv{i}")([x, ws]))
        moments.append(float(np.mean(x[:, 2:-2, 2:-2] ** 2)))  # interior: the zero padding lowers the border
    assert all(0.5 < m < 2.0 for m in moments), moments


def _blur(images, factor):
    b, h, w, c = images.shape
    return images.reshape(b, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))


def _generator_for_mixing():
    keras.utils.set_random_seed(3)
    return StyleGAN2.for_images((32, 32, 3), latent_dim=16, base_filters=8, max_filters=16, mapping_layers=2, seed=3)


def test_style_mixing_locality():
    """Fine styles change the fine detail and leave the 4×4 blur within tolerance; coarse styles the other way round.

    32×32: 8 style inputs, 0-1 the 4×4 layers (coarse), 6-7 the 32×32 ones (fine). At initialization (seed 3),
    16 pairs: "coarse" is the 4×4 average-pooled copy, "detail" the image minus its 2×2-pooled copy.
    """
    gan = _generator_for_mixing()
    rng = np.random.default_rng(0)
    z_a, z_b = rng.normal(size=(16, 16)), rng.normal(size=(16, 16))
    base = gan.mix_styles(z_a, z_b, crossover=8)  # all of A
    fine_swapped = gan.mix_styles(z_a, z_b, crossover=6)  # A but for B's 32×32 styles
    coarse_swapped = gan.mix_styles(z_b, z_a, crossover=2)  # B's 4×4 styles, A's others
    np.testing.assert_allclose(base, gan.generate(latents=z_a), atol=1e-6)

    def coarse(x):
        return _blur(x, 8)

    def detail(x):
        return x - _blur(x, 2).repeat(2, axis=1).repeat(2, axis=2)

    def change(f, x):
        return float(np.sqrt(((f(x) - f(base)) ** 2).mean()))

    fine_coarse, coarse_coarse = change(coarse, fine_swapped), change(coarse, coarse_swapped)
    fine_detail, coarse_detail = change(detail, fine_swapped), change(detail, coarse_swapped)
    # measured: 0.211 and 0.642 (RMS of the 4×4 blur's change, images in [-1, 1]). An untrained generator is only
    # roughly local: every resolution's toRGB adds its own colours, so a fine swap moves the blur too (a trained
    # one's fine styles carry the colour scheme, as in the paper's figure 3).
    assert fine_coarse < 0.5 * coarse_coarse, (fine_coarse, coarse_coarse)
    assert coarse_coarse > 0.3, coarse_coarse
    # what a fine swap changes is more detail than structure, a coarse swap the other way (measured 0.85 vs 0.30)
    assert fine_detail / fine_coarse > 2 * coarse_detail / coarse_coarse, (fine_detail, coarse_detail)


def test_truncation_to_w_bar_and_diversity_falls_with_psi():
    gan = _generator_for_mixing()
    rng = np.random.default_rng(1)
    w = _np(gan.mapping(rng.normal(size=(512, 16)).astype("float32")))
    gan.w_avg.assign(w.mean(axis=0))
    images = gan.generate(8, seed=0, truncation_psi=0.0)
    w_bar_image = gan.generate(styles=_np(gan.w_avg)[None])
    np.testing.assert_allclose(images, np.repeat(w_bar_image, 8, axis=0), atol=1e-6)
    diversity = [gan.generate(64, seed=0, truncation_psi=psi).std(axis=0).mean() for psi in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert diversity[0] < 1e-6
    assert all(a < b for a, b in zip(diversity, diversity[1:])), diversity
    # cutoff: only the coarse inputs truncated: the samples differ, but less than untruncated
    cut = gan.generate(64, seed=0, truncation_psi=0.0, truncation_cutoff=4).std(axis=0).mean()
    assert 0 < cut < diversity[-1]


def test_a_walk_in_w_runs_straight_between_the_mapped_styles():
    from kerasgan import latent

    gan = _generator_for_mixing()
    keypoints = np.random.default_rng(5).normal(size=(3, 16)).astype("float32")
    images = latent.walk(gan, keypoints, steps=5, method="w")
    assert images.shape == (9, 32, 32, 3)  # two segments of 5, the shared end once
    np.testing.assert_allclose(images[[0, 4, 8]], gan.generate(latents=keypoints), atol=1e-5)
    # the midpoint of the first segment is the synthesis of the mean of the two ends' w (mapped here by the network)
    w = _np(gan.mapping(keypoints[:2]))
    np.testing.assert_allclose(images[2], gan.generate(styles=w.mean(axis=0, keepdims=True))[0], atol=1e-5)
    # ... which is not the image at the midpoint of z: the mapping is not linear
    z_walk = latent.walk(gan, keypoints, steps=5, method="linear")
    assert np.abs(z_walk[2] - images[2]).mean() > 1e-3
    # ψ = 0: every style is w̄, so the whole walk is the w̄ image
    still = latent.walk(gan, keypoints, steps=3, method="w", closed=True, truncation_psi=0.0)
    assert len(still) == 6 and np.allclose(still, still[:1], atol=1e-6)
    with pytest.raises(ValueError, match="truncation_psi applies to walks in w"):
        latent.walk(gan, keypoints, steps=3, method="slerp", truncation_psi=0.5)


def test_walks_in_w_and_mixing_grids_need_a_style_based_model():
    from kerasgan import latent
    from kerasgan.models import DCGAN

    gan = DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=2)
    with pytest.raises(ValueError, match="A walk in w needs a style-based model .*'slerp' or 'linear'"):
        latent.walk(gan, np.zeros((2, 4), "float32"), steps=3, method="w")
    with pytest.raises(ValueError, match="choose one of linear, slerp, w"):
        latent.walk(gan, np.zeros((2, 4), "float32"), steps=3, method="spline")
    with pytest.raises(ValueError, match="A style-mixing grid needs a style-based model"):
        latent.style_mixing_grid(gan)


def test_w_bar_tracks_the_mean_mapped_w():
    keras.utils.set_random_seed(4)
    gan = _tiny(w_avg_beta=0.5, seed=4)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.0), g_optimizer=keras.optimizers.Adam(0.0))  # networks frozen
    gan.fit(tiny_images(32 * 16, (8, 8, 1)), epochs=1, batch_size=32, verbose=0)
    w = _np(gan.mapping(np.random.default_rng(0).normal(size=(20000, 4)).astype("float32")))
    # 16 steps at β = 0.5: the last few batch means of 32, each w's spread / √32 ≈ 0.18 σ
    np.testing.assert_allclose(_np(gan.w_avg), w.mean(axis=0), atol=0.35 * w.std(axis=0).max())
    assert np.abs(_np(gan.w_avg)).max() > 0


def test_path_lengths_against_a_linear_generator():
    """G(ws) = Σ_ij ws_ij A_ij: J_wᵀ y = A·y, so the lengths are √(mean_i Σ_j (A_i· y)_j²)."""
    rng = np.random.default_rng(5)
    a = rng.normal(size=(3, 4, 2 * 2 * 1)).astype("float32")
    ws = rng.normal(size=(5, 3, 4)).astype("float32")
    y = rng.normal(size=(5, 2, 2, 1)).astype("float32")

    def synthesize(styles):
        return keras.ops.reshape(keras.ops.einsum("bij,ijp->bp", styles, a), (-1, 2, 2, 1))

    grads = np.einsum("ijp,bp->bij", a, y.reshape(5, -1))
    expected = np.sqrt((grads**2).sum(axis=2).mean(axis=1))
    np.testing.assert_allclose(_np(path_lengths(synthesize, ws, y)), expected, rtol=1e-5)


class _Stub:
    """What PathLength reads of a model: the view, the image shape and the generator's step count."""

    image_shape = (2, 2, 1)

    def __init__(self, a, ws):
        self.a, self.ws = a, ws
        self.g_optimizer = type("Opt", (), {"iterations": keras.Variable(0, dtype="int64")})()

    def path_length_view(self, batch, batch_shrink):
        def synthesize(styles):
            return keras.ops.reshape(keras.ops.einsum("bij,ijp->bp", styles, self.a), (-1, 2, 2, 1))

        return self.ws, synthesize


def test_path_length_part_lazy_weighting_and_running_mean():
    rng = np.random.default_rng(6)
    a = rng.normal(size=(3, 4, 4)).astype("float32")
    ws = rng.normal(size=(5, 3, 4)).astype("float32")
    y = rng.normal(size=(5, 2, 2, 1)).astype("float32")
    part = PathLength(weight=2.0, interval=4, decay=0.01)
    model = _Stub(a, ws)
    part.attach(model)
    part.random = lambda sampler, shape: y  # the y the part draws, known to the test
    scaled = y.reshape(5, -1) / math.sqrt(4)  # y / √(H·W)
    lengths = np.sqrt((np.einsum("ijp,bp->bij", a, scaled) ** 2).sum(axis=2).mean(axis=1))
    batch = StepBatch(None, None, None, np.zeros((10, 4), "float32"))
    mean = 0.0
    for step in range(9):
        model.g_optimizer.iterations.assign(step)
        pl = float(_np(part.generator_terms(model, batch)["pl"]))
        if step % 4 == 0:
            mean = mean + 0.01 * (lengths.mean() - mean)
            assert pl == pytest.approx(2.0 * 4 * ((lengths - mean) ** 2).mean(), rel=1e-4), step
        else:
            assert pl == 0.0, step
        assert float(_np(part.pl_mean)) == pytest.approx(mean, rel=1e-5), step
    with pytest.raises(ValueError, match="PathLength regularizes a style-based generator"):
        import kerasgan

        kerasgan.models.DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=2, regularizers=[PathLength()])


def test_the_path_length_pass_measures_style_mixed_ws_like_the_main_pass():
    """As in the paper's code, the path-length pass maps its latents with style mixing at the model's probability."""
    latents = keras.ops.convert_to_tensor(np.random.default_rng(8).normal(size=(512, 4)).astype("float32"))
    batch = StepBatch(None, None, None, latents)
    shares = {}
    for probability in (1.0, 0.5, 0.0):
        keras.utils.set_random_seed(8)
        gan = _tiny(style_mixing=probability, seed=8)
        ws, synthesize = gan.path_length_view(batch, 2)
        assert tuple(synthesize(ws).shape) == (256, 8, 8, 1)
        ws = _np(ws)
        assert ws.shape == (256, 4, 4)  # every 2nd latent, 4 style inputs of w_dim 4
        # below the crossover (the first style input at least) each sample keeps the w of its own latent
        np.testing.assert_allclose(ws[:, 0], _np(gan.mapping(latents[::2])), atol=1e-6)
        changes = np.abs(np.diff(ws, axis=1)).max(axis=2) > 1e-6  # (256, 3): where the ws switch latent
        assert changes.sum(axis=1).max() <= 1  # one crossover at most
        if probability == 1.0:  # every sample mixed, the crossover anywhere in [1, num_ws)
            assert changes.sum(axis=1).min() == 1
            assert set(np.argmax(changes, axis=1) + 1) == {1, 2, 3}
        shares[probability] = changes.any(axis=1).mean()
    assert shares[1.0] == 1.0 and shares[0.0] == 0.0
    assert 0.4 < shares[0.5] < 0.6, shares  # 256 samples: the share's standard deviation is 0.03


def test_ema_ramp_up_caps_the_half_life():
    ema = GeneratorEMA(0.999, rampup=0.05)
    model = type("M", (), {})()
    model.g_optimizer = type("Opt", (), {"iterations": keras.Variable(0, dtype="int64")})()
    half_life = math.log(0.5) / math.log(0.999)  # 692.8 steps
    for steps, expected_half_life in ((1, 0.05), (4000, 200.0), (20000, half_life)):
        model.g_optimizer.iterations.assign(steps)
        assert float(_np(ema.current_decay(model))) == pytest.approx(0.5 ** (1 / expected_half_life), rel=1e-5)
    assert GeneratorEMA(0.9).current_decay(model) == 0.9
    assert GeneratorEMA.from_config(ema.get_config()).rampup == 0.05
    with pytest.raises(ValueError, match="rampup"):
        GeneratorEMA(0.9, rampup=-1)


def test_generator_builder_names_its_halves():
    g = stylegan2_generator(4, (8, 8, 1), base_filters=2, max_filters=4, mapping_layers=1)
    assert g.get_layer("mapping").output.shape == (None, 4)
    assert g.get_layer("synthesis").input.shape == (None, 4, 4)


def test_project_recovers_an_image_made_from_a_known_w():
    gan = _generator_for_mixing()
    rng = np.random.default_rng(7)
    gan.w_avg.assign(_np(gan.mapping(rng.normal(size=(256, 16)).astype("float32"))).mean(axis=0))
    target_w = _np(gan.mapping(rng.normal(size=(2, 16)).astype("float32")))
    target = gan.generate(styles=target_w)
    start = gan.generate(styles=np.repeat(_np(gan.w_avg)[None], 2, axis=0))
    ws, made = gan.project(target, steps=60)
    assert ws.shape == (2, 8, 16) and made.shape == target.shape
    np.testing.assert_allclose(made, gan.generate(styles=ws), atol=1e-6)
    before, after = np.mean((start - target) ** 2), np.mean((made - target) ** 2)
    assert after < 0.25 * before, (before, after)
    with pytest.raises(ValueError, match=r"project\(\) takes images of shape \(n, 32, 32, 3\)"):
        gan.project(np.zeros((1, 8, 8, 3)))
