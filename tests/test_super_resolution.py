"""SRResNet, SRGAN, ESRGAN: the model contract, PixelShuffle, the content loss, tiled inference, PSNR/SSIM, the data."""

import keras
import numpy as np
import pytest
from gan_contract import optimizer_state, tiny_images, weights_of
from scipy import ndimage

from kerasgan import data
from kerasgan.metrics import super_resolution as srm
from kerasgan.models import ESRGAN, SRGAN, SRResNet, interpolate_weights
from kerasgan.networks import PixelShuffle, rrdb_generator, srresnet_generator
from kerasgan.parts import L1Reconstruction, Perceptual

SCALE, HR = 4, 16
BATCH = 4


def _np(x):
    return keras.ops.convert_to_numpy(x)


def tiny_extractor():
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="c1")(inputs)
    x = keras.layers.Conv2D(5, 3, padding="same", activation="relu", name="c2")(x)
    return keras.Model(inputs, x, name="tiny_extractor")


def _small(cls, **kwargs):
    kwargs = {"scale": SCALE, "hr_size": HR, "n_blocks": 1, "filters": 8, **kwargs}
    if cls is SRGAN:
        kwargs.setdefault("objectives", [Perceptual(tiny_extractor(), "c2", feature_scale=1 / 12.75)])
    if cls is ESRGAN:
        kwargs.setdefault("growth", 4)
        kwargs.setdefault(
            "objectives",
            [Perceptual(tiny_extractor(), "c2", before_activation=True, criterion="l1"), L1Reconstruction(1e-2)],
        )
    if cls is not SRResNet:
        kwargs.setdefault("d_filters", 4)
    return cls(**kwargs)


def _data(n=2 * BATCH):
    hr = tiny_images(n, (HR, HR, 3), seed=1)
    lr = _np(data.downscale(np.round((hr + 1) * 127.5).astype("uint8"), SCALE)) / 127.5 - 1
    return lr.astype("float32"), hr


def _compiled(cls):
    keras.utils.set_random_seed(7)
    model = _small(cls, seed=7)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    return model


def _fit(model, epochs=1, data_=None):
    lr, hr = _data() if data_ is None else data_
    return model.fit(lr, hr, epochs=epochs, batch_size=BATCH, shuffle=False, verbose=0).history


LOGS = {
    SRResNet: ("g_loss",),
    SRGAN: ("d_loss", "g_loss", "g_adv", "g_content"),
    ESRGAN: ("d_loss", "g_loss", "g_adv", "g_content", "g_l1"),
}


# --- the contract ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=[SRResNet, SRGAN, ESRGAN], ids=["SRResNet", "SRGAN", "ESRGAN"])
def trained(request, tmp_path_factory):
    model = _compiled(request.param)
    networks = [*model.discriminator_networks(), *model.generator_networks()]
    before = [weights_of(n) for n in networks]
    history = _fit(model)
    path = tmp_path_factory.mktemp(request.param.__name__) / "model.keras"
    model.save(path)
    return model, networks, before, history, path


def test_fit_logs_every_loss_finite_and_updates_every_network(trained):
    model, networks, before, history, _ = trained
    assert sorted(history) == sorted(LOGS[type(model)])
    assert all(np.isfinite(v).all() for v in history.values())
    # The relativistic average losses see only C(x_r) - E[C(x_f)]: the critic's output bias cancels, its gradient is 0
    # up to float rounding, which Adam (ε = 1e-7) turns into steps far below its learning rate (measured: exactly 0 on
    # one CPU, 3.1e-5 over these 2 steps at lr 1e-3 on another), where every other weight moves by about lr a step.
    shift_invariant = {"discriminator/logit/bias"} if isinstance(model, ESRGAN) else set()
    for network, old in zip(networks, before):
        for variable, value in zip(network.weights, old):
            name = f"{network.name}/{variable.path}"
            if name in shift_invariant:
                assert np.abs(value - _np(variable)).max() < 0.1 * 1e-3 * 2, (
                    f"{name} moved like a weight with a gradient"
                )
            elif variable.trainable:
                assert not np.array_equal(value, _np(variable)), f"{name} did not move"


def test_keras_round_trip_keeps_weights_optimizers_and_resumes_like_an_uninterrupted_run(trained):
    model, networks, _, _, path = trained
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert type(loaded) is type(model)
    for a, b in zip(networks, [*loaded.discriminator_networks(), *loaded.generator_networks()]):
        for x, y in zip(weights_of(a), weights_of(b)):
            np.testing.assert_array_equal(x, y)
    for name in ("d_optimizer", "g_optimizer"):
        for a, b in zip(optimizer_state(getattr(model, name)), optimizer_state(getattr(loaded, name))):
            np.testing.assert_array_equal(a, b)
    expected = _fit(_compiled(type(model)), epochs=3)
    continued = _fit(loaded, epochs=2)
    for key in LOGS[type(model)]:
        np.testing.assert_allclose(continued[key], expected[key][1:], rtol=1e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("cls", [SRResNet, SRGAN, ESRGAN])
def test_config_round_trip_and_bad_input(cls):
    model = _small(cls, seed=3)
    clone = cls.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    assert clone.generator.count_params() == model.generator.count_params()
    model.compile()
    lr, hr = _data()
    with pytest.raises(ValueError, match=r"pairs of batches \(lr, hr\)"):
        model.fit(lr, epochs=1, batch_size=BATCH, verbose=0)
    with pytest.raises(ValueError, match="HR images of shape"):
        fresh = _small(cls)
        fresh.compile()
        fresh.fit(lr, hr[:, :8, :8], epochs=1, batch_size=BATCH, verbose=0)
    with pytest.raises(ValueError, match="scale must be 2, 3 or 4"):
        _small(cls, scale=5, hr_size=20)


def test_srresnet_loss_is_the_pixel_mse_and_the_default_networks_are_the_papers():
    model = _compiled(SRResNet)
    lr, hr = _data(BATCH)
    expected = np.mean((_np(model.generator(lr, training=True)) - hr) ** 2)
    assert _fit(model, data_=(lr, hr))["g_loss"][0] == pytest.approx(float(expected), rel=1e-4)
    paper = srresnet_generator(4)  # 16 blocks, 64 filters, two ×2 sub-pixel stages
    assert sum(isinstance(layer, PixelShuffle) for layer in paper.layers) == 2
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in paper.layers) == 33
    rrdb = rrdb_generator(4, n_blocks=2)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in rrdb.layers)
    for scale in (2, 3, 4):
        assert srresnet_generator(scale, n_blocks=1, filters=8)(np.zeros((1, 5, 7, 3))).shape == (
            1,
            5 * scale,
            7 * scale,
            3,
        )


def test_srgan_initialized_from_srresnet_upscales_like_it():
    srresnet = _compiled(SRResNet)
    _fit(srresnet)
    srgan = _small(SRGAN)
    srgan.initialize_from(srresnet)
    lr, _ = _data(2)
    np.testing.assert_array_equal(srgan.upscale(lr), srresnet.upscale(lr))
    with pytest.raises(ValueError, match="another architecture"):
        srgan.initialize_from(_small(SRResNet, filters=4))


# --- the layers and loss terms ----------------------------------------------------------------------------
@pytest.mark.parametrize("r", [2, 3])
def test_pixel_shuffle_against_numpy(r):
    x = np.random.default_rng(0).normal(size=(2, 3, 4, r * r * 2)).astype("float32")
    out = _np(PixelShuffle(r)(x))
    expected = np.zeros((2, 3 * r, 4 * r, 2), "float32")
    for i in range(3):
        for j in range(4):
            for a in range(r):
                for b in range(r):
                    expected[:, i * r + a, j * r + b, :] = x[:, i, j, (a * r + b) * 2 : (a * r + b + 1) * 2]
    np.testing.assert_array_equal(out, expected)
    with pytest.raises(ValueError, match="divisible"):
        PixelShuffle(r)(np.zeros((1, 2, 2, r * r + 1), "float32"))


def _conv_same(x, kernel, bias):
    """A 3×3 'same' convolution in numpy, (B, H, W, Cin) → (B, H, W, Cout)."""
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    out = np.zeros((*x.shape[:3], kernel.shape[-1]))
    for dy in range(3):
        for dx in range(3):
            out += padded[:, dy : dy + x.shape[1], dx : dx + x.shape[2]] @ kernel[dy, dx]
    return out + bias


def test_content_losses_against_a_hand_computation_on_a_tiny_extractor():
    extractor = tiny_extractor()
    rng = np.random.default_rng(0)
    y, g = rng.uniform(-1, 1, (2, 6, 6, 3)).astype("float32"), rng.uniform(-1, 1, (2, 6, 6, 3)).astype("float32")
    (k1, b1), (k2, b2) = (extractor.get_layer(n).get_weights() for n in ("c1", "c2"))

    def features(x, relu=True):
        pre = _conv_same(np.maximum(_conv_same(x, k1, b1), 0), k2, b2)
        return np.maximum(pre, 0) if relu else pre

    srgan = Perceptual(extractor, "c2", feature_scale=1 / 12.75, weight=1.0)
    expected = np.mean((features(y) / 12.75 - features(g) / 12.75) ** 2)
    assert float(srgan.distance(y, g)) == pytest.approx(expected, rel=1e-4)
    esrgan = Perceptual(extractor, "c2", before_activation=True, criterion="l1", weight=2.0)
    expected = 2.0 * np.mean(np.abs(features(y, relu=False) - features(g, relu=False)))
    assert float(esrgan.distance(y, g)) == pytest.approx(expected, rel=1e-4)
    # VGG's caffe preprocessing: 0-255, BGR, ImageNet means subtracted
    vgg = Perceptual(extractor, "c2", preprocess="vgg")
    prepared = _np(vgg.prepare(keras.ops.convert_to_tensor(y)))
    np.testing.assert_allclose(prepared[..., 0], (y[..., 2] + 1) * 127.5 - 103.939, rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="no layer 'nope'"):
        Perceptual(extractor, "nope")
    with pytest.raises(ValueError, match="a term of models trained on"):
        from kerasgan.models import DCGAN

        DCGAN.for_images((8, 8, 1), objectives=[Perceptual(tiny_extractor(), "c2")])


def test_esrgan_uses_the_relativistic_average_losses_with_the_papers_weights():
    model = _compiled(ESRGAN)
    assert model.loss.average and model.adversarial_weight == 5e-3
    lr, hr = _data(BATCH)
    fake = model.generator(lr, training=True)
    real_logits, fake_logits = (_np(model.discriminator(x, training=True)) for x in (hr, fake))

    def softplus(x):
        return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)

    # Wang et al. 2018, Eq. 1-2: D_Ra(a, b) = σ(C(a) - E[C(b)])
    real_rel, fake_rel = real_logits - fake_logits.mean(), fake_logits - real_logits.mean()
    d_expected = np.mean(softplus(-real_rel)) + np.mean(softplus(fake_rel))
    g_expected = 5e-3 * (np.mean(softplus(real_rel)) + np.mean(softplus(-fake_rel)))
    terms, _ = model.discriminator_objective(model_batch(lr, hr, fake))
    assert float(terms["d_loss"]) == pytest.approx(d_expected, rel=1e-4)
    terms, _ = model.generator_objective(model_batch(lr, hr, fake))
    assert float(terms["g_adv"]) == pytest.approx(g_expected, rel=1e-4)
    assert float(terms["g_l1"]) == pytest.approx(1e-2 * np.mean(np.abs(hr - _np(fake))), rel=1e-4)


def model_batch(lr, hr, fake):
    from kerasgan.parts import StepBatch

    return StepBatch(real=keras.ops.convert_to_tensor(hr), fake=fake, condition=lr)


def test_interpolate_weights_blends_the_two_networks():
    a, b = _small(ESRGAN, seed=1), _small(ESRGAN, seed=2)
    blended = interpolate_weights(a, b, 0.3)
    for wa, wb, w in zip(weights_of(a.generator), weights_of(b.generator), weights_of(blended)):
        np.testing.assert_allclose(w, 0.7 * wa + 0.3 * wb, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\]"):
        interpolate_weights(a, b, 1.5)


# --- inference --------------------------------------------------------------------------------------------
def test_tiled_inference_equals_whole_image_inference():
    model = _compiled(
        SRResNet
    )  # 9×9, 2 × 3×3 (block), 3×3, 3×3 (up) and 9×9 convs: receptive radius 4+2+1+1+1 LR px + 4/4
    _fit(model)
    image = np.random.default_rng(3).uniform(-1, 1, (23, 30, 3)).astype("float32")
    whole = model.upscale(image)
    tiled = model.upscale(image, tile=8, overlap=12)  # 3 × 4 tiles, edge tiles smaller
    assert tiled.shape == whole.shape == (92, 120, 3)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)
    # too little context: the seams differ (the test above is not vacuous)
    assert np.abs(model.upscale(image, tile=8, overlap=1) - whole).max() > 1e-3


# --- PSNR and SSIM ----------------------------------------------------------------------------------------
def _reference_ssim(x, y):
    """Wang et al. 2004 on 0-255 grayscale, each 11×11 window's Gaussian-weighted statistics computed directly."""
    g = np.exp(-((np.arange(11) - 5.0) ** 2) / (2 * 1.5**2))
    w = np.outer(g, g) / np.outer(g, g).sum()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    scores = []
    for i in range(x.shape[0] - 10):
        for j in range(x.shape[1] - 10):
            a, b = x[i : i + 11, j : j + 11], y[i : i + 11, j : j + 11]
            ma, mb = (w * a).sum(), (w * b).sum()
            va, vb, cov = (w * (a - ma) ** 2).sum(), (w * (b - mb) ** 2).sum(), (w * (a - ma) * (b - mb)).sum()
            scores.append((2 * ma * mb + c1) * (2 * cov + c2) / ((ma**2 + mb**2 + c1) * (va + vb + c2)))
    return np.mean(scores)


def test_psnr_and_ssim_against_independent_values():
    rng = np.random.default_rng(0)
    smooth = ndimage.gaussian_filter(rng.uniform(0, 255, (40, 36, 3)), (3, 3, 0))
    clean = (smooth / 127.5 - 1).astype("float64")
    assert srm.psnr(clean, clean) == float("inf") and srm.ssim(clean, clean) == pytest.approx(1.0)
    # Gaussian noise of σ = 5 grey levels on RGB: PSNR ≈ 20 log10(255 / 5) = 34.15 dB
    big = rng.uniform(-0.6, 0.6, (200, 200, 3))
    noisy = big + rng.normal(0, 5 / 127.5, big.shape)
    assert srm.psnr(big, noisy, channel="rgb") == pytest.approx(20 * np.log10(255 / 5), abs=0.05)
    # Y = 16 + (65.481 R + 128.553 G + 24.966 B) on [0, 1]: white is 235, black 16
    assert srm.to_y(np.ones((1, 1, 3)))[0, 0] == pytest.approx(235.0, abs=1e-3)
    assert srm.to_y(-np.ones((1, 1, 3)))[0, 0] == pytest.approx(16.0)
    noisy = np.clip(clean + rng.normal(0, 0.05, clean.shape), -1, 1)
    y_clean, y_noisy = srm.to_y(clean)[4:-4, 4:-4], srm.to_y(noisy)[4:-4, 4:-4]
    mse = np.mean((y_clean - y_noisy) ** 2)
    assert srm.psnr(clean, noisy, crop=4) == pytest.approx(10 * np.log10(255**2 / mse), rel=1e-9)
    assert srm.ssim(clean, noisy, crop=4) == pytest.approx(_reference_ssim(y_clean, y_noisy), rel=1e-9)
    rgb = np.mean([_reference_ssim((clean[..., c] + 1) * 127.5, (noisy[..., c] + 1) * 127.5) for c in range(3)])
    assert srm.ssim(clean, noisy, channel="rgb") == pytest.approx(rgb, rel=1e-9)
    assert 0.0 < srm.ssim(clean, noisy) < 1.0


def test_laplacian_variance_grows_with_high_frequencies():
    rng = np.random.default_rng(1)
    image = rng.uniform(-1, 1, (32, 32, 3))
    assert srm.laplacian_variance(ndimage.gaussian_filter(image, (2, 2, 0))) < 0.1 * srm.laplacian_variance(image)


# --- data -------------------------------------------------------------------------------------------------
def test_sr_patches_pair_each_hr_patch_with_its_bicubic_lr(tmp_path):
    import imageio.v3 as iio

    rng = np.random.default_rng(0)
    for i in range(3):
        iio.imwrite(tmp_path / f"{i}.png", rng.integers(0, 256, (40 + i, 36, 3), dtype="uint8"))
    batches = list(data.sr_patches(tmp_path, scale=4, hr_size=16, batch_size=2, patches_per_image=2, seed=0))
    assert len(batches) == 3
    for lr, hr in batches:
        assert lr.shape == (2, 4, 4, 3) and hr.shape == (2, 16, 16, 3)
        hr_uint8 = np.round((hr.numpy() + 1) * 127.5).astype("uint8")
        np.testing.assert_allclose(lr.numpy(), _np(data.downscale(hr_uint8, 4)) / 127.5 - 1, atol=1e-6)
    # without augmentation every HR patch is a crop of one of the (differently sized) images
    images = [iio.imread(tmp_path / f"{i}.png") for i in range(3)]
    for _, hr in data.sr_patches(tmp_path, scale=4, hr_size=16, batch_size=2, augment=False, seed=1):
        for patch in np.round((hr.numpy() + 1) * 127.5).astype("uint8"):
            windows = [np.lib.stride_tricks.sliding_window_view(im, (16, 16, 3)) for im in images]
            assert any((w == patch).all(axis=(-3, -2, -1)).any() for w in windows)
    with pytest.raises(ValueError, match="smaller than hr_size=48"):
        data.sr_patches(tmp_path, scale=4, hr_size=48)
    # an antialiased bicubic ÷4 of a constant image is the same constant
    assert np.all(_np(data.downscale(np.full((8, 8, 3), 77, "uint8"), 4)) == 77)


# --- the command line -------------------------------------------------------------------------------------
TINY_NET = ["--set", "n_blocks=1", "--set", "filters=4"]
CLI_COMMON = ["--image-size", "16", "--batch-size", "2", "--epochs", "1"]


@pytest.fixture(scope="module")
def srresnet_run(tmp_path_factory):
    """A folder of 6 small HR images and a one-epoch tiny SRResNet run trained on it by the CLI."""
    import imageio.v3 as iio

    import kerasgan_cli

    root = tmp_path_factory.mktemp("sr_cli")
    rng = np.random.default_rng(0)
    folder = root / "hr"
    folder.mkdir()
    for i in range(6):
        iio.imwrite(folder / f"{i}.png", rng.integers(0, 256, (24, 28, 3), dtype="uint8"))
    run = str(root / "srresnet")
    assert (
        kerasgan_cli.main(["train", "srresnet", "--data", str(folder), *CLI_COMMON, *TINY_NET, "--run-dir", run]) == 0
    )
    return folder, run


def test_cli_trains_evaluates_and_upscales_a_super_resolution_run(srresnet_run, tmp_path, capsys):
    import json

    import imageio.v3 as iio

    import kerasgan_cli

    folder, run = srresnet_run
    capsys.readouterr()
    assert kerasgan_cli.main(["evaluate", "--run-dir", run, "--data", str(folder)]) == 0
    table = capsys.readouterr().out
    assert "bicubic" in table and "PSNR-Y" in table
    scores = json.load(open(f"{run}/evaluation.json"))["super_resolution"]["hr"]
    assert scores["images"] == 6 and 0 < scores["bicubic"]["ssim_y"] < 1
    out = tmp_path / "out"
    assert kerasgan_cli.main(["upscale", "--run-dir", run, "--input", str(folder / "0.png"), "--out", str(out)]) == 0
    assert iio.imread(out / "0.png").shape == (96, 112, 3)
    assert kerasgan_cli.main(["train", "dcgan", "--data", str(folder), "--scale", "4"]) == 2
    assert "--scale applies to srresnet" in capsys.readouterr().err


def test_cli_srgan_starts_from_the_srresnet_run_with_a_local_vgg_file(srresnet_run, tmp_path, monkeypatch, capsys):
    import kerasgan_cli
    from kerasgan import callbacks
    from kerasgan.cli.commands import load_run
    from kerasgan.networks import vgg19_stand_in

    folder, run = srresnet_run
    standin = vgg19_stand_in(seed=3)
    standin.save(tmp_path / "standin.keras")
    at_start = {}
    fit = callbacks.fit_with_checkpoints

    def recording_fit(model, *args, **kwargs):  # the generator as training begins (step 0)
        at_start["generator"] = weights_of(model.generator)
        return fit(model, *args, **kwargs)

    monkeypatch.setattr(callbacks, "fit_with_checkpoints", recording_fit)
    srgan_flags = ["train", "srgan", "--data", str(folder), *CLI_COMMON, "--set", "d_filters=4", "--scale", "4"]
    tiny_srgan = [*srgan_flags, *TINY_NET]
    gan_run = str(tmp_path / "srgan")
    vgg = ["--vgg-weights", str(tmp_path / "standin.keras")]
    assert kerasgan_cli.main([*tiny_srgan, *vgg, "--init-from", run, "--run-dir", gan_run]) == 0
    for mine, theirs in zip(at_start["generator"], weights_of(load_run(run).generator)):
        np.testing.assert_array_equal(mine, theirs)
    srgan = load_run(gan_run)
    (content,) = srgan.objectives
    assert content.spec == str(tmp_path / "standin.keras") and content.preprocess == "vgg"
    for mine, theirs in zip(weights_of(content.feature_extractor()), weights_of(standin)):
        np.testing.assert_array_equal(mine, theirs)
    # built from its file again on loading, the extractor is no weight of the model (VGG19's 80 MB stay out of it)
    assert not {id(v) for v in content.feature_extractor().weights} & {id(v) for v in srgan.weights}

    # upscaling needs no content loss: the run upscales with its extractor's file gone
    (tmp_path / "standin.keras").unlink()
    out = tmp_path / "upscaled"
    assert (
        kerasgan_cli.main(["upscale", "--run-dir", gan_run, "--input", str(folder / "0.png"), "--out", str(out)]) == 0
    )
    assert (out / "0.png").is_file()
    standin.save(tmp_path / "standin.keras")

    # every bad --init-from or --vgg-weights is a one-line error before any data is read or run folder made
    dcgan = tmp_path / "dcgan"
    dcgan.mkdir()
    from kerasgan.models import DCGAN

    DCGAN.for_images((8, 8, 1), latent_dim=2).save(dcgan / "model.keras")
    capsys.readouterr()
    bad = {
        "is not a finished run folder": [*vgg, "--init-from", str(tmp_path)],
        "holds a DCGAN, not a super-resolution model": [*vgg, "--init-from", str(dcgan)],
        "upscales ×4, this one --scale 2": [*vgg, "--init-from", run, "--scale", "2"],
        "another architecture": [*vgg, "--init-from", run, "--set", "n_blocks=2", "--set", "filters=4"],
        "--vgg-weights 'vgg.h5': no such file": ["--vgg-weights", "vgg.h5"],
        "--vgg-weights 'vgg.pt': pass imagenet": ["--vgg-weights", "vgg.pt"],
        "--set extractor: set it with --vgg-weights": ["--set", "extractor=vgg.h5"],
    }
    for message, extra in bad.items():
        out = str(tmp_path / f"bad{len(message)}")
        flags = srgan_flags if "n_blocks=2" in extra else tiny_srgan
        assert kerasgan_cli.main([*flags, *extra, "--run-dir", out]) == 2, message
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert kerasgan_cli.main(["train", "srresnet", "--data", str(folder), *CLI_COMMON, *vgg]) == 2
    assert "--vgg-weights does not apply to srresnet" in capsys.readouterr().err

    # offline without the flag: one line naming the file to fetch and the flag
    from keras.src.utils import file_utils

    def offline(origin=None, *args, **kwargs):
        raise Exception(f"URL fetch failure on {origin}: None -- [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(file_utils, "get_file", lambda fname, origin=None, **kw: offline(origin))
    assert kerasgan_cli.main([*tiny_srgan, "--run-dir", str(tmp_path / "offline")]) == 2
    err = capsys.readouterr().err
    assert "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5" in err and "--vgg-weights PATH" in err
    assert err.count("\n") == 1, err


def test_srgan_takes_its_extractor_one_way():
    from kerasgan.networks import vgg19_stand_in

    model = _small(SRGAN, objectives=None, extractor=vgg19_stand_in())
    (content,) = model.objectives
    assert content.layer == "block5_conv4" and content.preprocess == "vgg" and content.feature_scale == 1 / 12.75
    with pytest.raises(ValueError, match="not both"):
        _small(SRGAN, extractor=vgg19_stand_in())  # _small gives objectives too
    # the stand-in is seeded: the same seed, the same weights
    for a, b in zip(weights_of(vgg19_stand_in(seed=1)), weights_of(vgg19_stand_in(seed=1))):
        np.testing.assert_array_equal(a, b)
