"""More objectives: the f-GAN divergences (FDivergence, FGAN), EBGAN, BEGAN and Diffusion-GAN's diffusion."""

import keras
import numpy as np
import pytest
from gan_contract import GANContract

import kerasgan
from kerasgan.losses import f_divergence
from kerasgan.models import ACGAN, BEGAN, DCGAN, EBGAN, FGAN, Pix2Pix
from kerasgan.networks import autoencoder_discriminator
from kerasgan.parts import R1, BoundaryEquilibrium, Diffusion, EnergyMargin, FDivergence, GradientPenalty, PacGAN
from kerasgan.parts.part import StepBatch
from kerasgan.parts.regularizers import pulling_away

LOG2 = np.log(2.0)

# Each divergence as f, f' and the inverse of its output activation g_f, written here from the
# paper's Tables 1 and 2 (Nowozin et al. 2016), independently of kerasgan.losses.f_divergence.
F = {
    "kl": lambda u: u * np.log(u),
    "reverse_kl": lambda u: -np.log(u),
    "pearson": lambda u: (u - 1) ** 2,
    "neyman": lambda u: (1 - u) ** 2 / u,
    "squared_hellinger": lambda u: (np.sqrt(u) - 1) ** 2,
    "jensen_shannon": lambda u: -(u + 1) * np.log((1 + u) / 2) + u * np.log(u),
    "total_variation": lambda u: 0.5 * np.abs(u - 1),
    "gan": lambda u: u * np.log(u) - (u + 1) * np.log(u + 1),
}
F_PRIME = {
    "kl": lambda u: 1 + np.log(u),
    "reverse_kl": lambda u: -1 / u,
    "pearson": lambda u: 2 * (u - 1),
    "neyman": lambda u: 1 - 1 / u**2,
    "squared_hellinger": lambda u: 1 - 1 / np.sqrt(u),
    "jensen_shannon": lambda u: np.log(2 * u / (1 + u)),
    "total_variation": lambda u: 0.5 * np.sign(u - 1),
    "gan": lambda u: np.log(u / (u + 1)),
}
INVERSE_ACTIVATION = {
    "kl": lambda t: t,
    "reverse_kl": lambda t: -np.log(-t),
    "pearson": lambda t: t,
    "neyman": lambda t: -np.log(1 - t),
    "squared_hellinger": lambda t: -np.log(1 - t),
    "jensen_shannon": lambda t: -np.log(np.exp(LOG2 - t) - 1),
    # tanh reaches ±1 only at ±inf; ±9 is within 1e-7 of it in float32.
    "total_variation": lambda t: np.arctanh(np.clip(2 * t, -1 + 1e-7, 1 - 1e-7)),
    "gan": lambda t: -np.log(np.expm1(-t)),
}
# f*(t) at points inside each domain, by hand from the paper's Table 2.
CONJUGATE_POINTS = {
    "kl": [(1.0, 1.0), (0.0, np.exp(-1.0)), (2.0, np.e)],
    "reverse_kl": [(-1.0, -1.0), (-0.5, -1 + np.log(2)), (-2.0, -1 - np.log(2))],
    "pearson": [(0.0, 0.0), (2.0, 3.0), (-2.0, -1.0)],
    "neyman": [(0.0, 0.0), (0.75, 1.0), (-3.0, -2.0)],
    "squared_hellinger": [(0.0, 0.0), (0.5, 1.0), (-1.0, -0.5)],
    "jensen_shannon": [(0.0, 0.0), (np.log(1.5), np.log(2.0)), (-np.inf, -np.log(2.0))],
    "total_variation": [(0.25, 0.25), (-0.5, -0.5), (0.0, 0.0)],
    "gan": [(-LOG2, LOG2), (np.log(0.75), np.log(4.0)), (-np.inf, 0.0)],
}

P = np.array([0.5, 0.3, 0.2])
Q = np.array([0.2, 0.3, 0.5])


def _weighted_samples(probabilities, values, n=10):
    """`values` repeated in proportion to `probabilities` (multiples of 1/n): a mean over them is the expectation."""
    return np.repeat(values, np.round(probabilities * n).astype(int)).astype("float32")[:, None]


@pytest.mark.parametrize("divergence", f_divergence.DIVERGENCES)
def test_bound_at_the_optimal_discriminator_is_the_divergence(divergence):
    ratio = P / Q
    v_star = INVERSE_ACTIVATION[divergence](F_PRIME[divergence](ratio))
    bound = f_divergence.variational_bound(divergence, _weighted_samples(P, v_star), _weighted_samples(Q, v_star))
    closed_form = float(np.sum(Q * F[divergence](ratio)))
    assert abs(closed_form) > 0.05  # a pair of distributions that differ (the gan divergence is 2·JSD − log 4 < 0)
    np.testing.assert_allclose(float(bound), closed_form, rtol=2e-5, atol=2e-6)
    # any other discriminator gives a smaller bound
    worse = f_divergence.variational_bound(
        divergence, _weighted_samples(P, v_star * 0.5 + 0.1), _weighted_samples(Q, v_star * 0.5 + 0.1)
    )
    assert float(worse) < float(bound)


@pytest.mark.parametrize("divergence", f_divergence.DIVERGENCES)
def test_conjugates_match_the_papers_table(divergence):
    for t, expected in CONJUGATE_POINTS[divergence]:
        np.testing.assert_allclose(float(f_divergence.conjugate(divergence, t)), expected, rtol=1e-6, atol=1e-6)
    # the finite form of f*(g_f(v)) is f* applied to g_f where both are representable
    v = np.linspace(-5, 5, 41).astype("float32")
    direct = f_divergence.conjugate(divergence, f_divergence.activation(divergence, v))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(f_divergence.conjugate_of_activation(divergence, v)),
        keras.ops.convert_to_numpy(direct),
        rtol=1e-4,
        atol=1e-5,
    )


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("divergence", f_divergence.DIVERGENCES)
def test_losses_and_gradients_are_finite_for_extreme_logits(divergence, dtype):
    import tensorflow as tf

    info = np.finfo(dtype)
    sweep = np.concatenate([[info.min, -1e4, -100, -30, -17, -1, 0, 1, 17, 30, 100, 1e4, info.max]])
    real = tf.Variable(sweep.astype(dtype)[:, None])
    fake = tf.Variable(sweep[::-1].astype(dtype)[:, None])
    loss = FDivergence(divergence)
    alternative = FDivergence(divergence, alternative=True)
    with tf.GradientTape(persistent=True) as tape:
        values = [
            loss.discriminator_loss(real, fake),
            loss.generator_loss(fake),
            alternative.generator_loss(fake),
        ]
    for value in values:
        assert np.isfinite(float(value)), (divergence, dtype, values)
        for grad in tape.gradient(value, [real, fake]):
            if grad is not None:
                assert np.isfinite(keras.ops.convert_to_numpy(grad)).all(), (divergence, dtype)


def test_generator_objectives_saddle_and_alternative():
    fake = np.array([[-1.0], [0.5], [2.0]], "float32")
    saddle = float(FDivergence("gan").generator_loss(fake))
    alternative = float(FDivergence("gan", alternative=True).generator_loss(fake))
    # gan: f*(g_f(v)) = -log(1 - sigmoid(v)), g_f(v) = log sigmoid(v)
    sigmoid = 1 / (1 + np.exp(-fake))
    np.testing.assert_allclose(saddle, np.mean(np.log(1 - sigmoid)), rtol=1e-6)
    np.testing.assert_allclose(alternative, -np.mean(np.log(sigmoid)), rtol=1e-6)


def test_bad_divergence_says_which_exist():
    with pytest.raises(ValueError, match="Unknown f-divergence 'js'.*jensen_shannon"):
        FDivergence("js")
    with pytest.raises(ValueError, match="divergence=.*not loss="):
        FGAN(loss="hinge")


class TestFGAN(GANContract):
    def make_model(self, **kwargs):
        return FGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, divergence="squared_hellinger", **kwargs)


# ---------------------------------------------------------------- Diffusion-GAN


def _attached(**kwargs):
    part = Diffusion(seed=3, **kwargs)
    part.attach(object())
    return part


def test_diffusion_has_the_closed_form_mean_and_variance():
    part = _attached(sigma=0.5)
    t = 150
    alpha_bar = np.prod(1 - np.linspace(1e-4, 2e-2, 500)[:t])
    x = np.full((4000, 2, 2, 1), 0.8, "float32")
    x_t = keras.ops.convert_to_numpy(part.diffuse(x, np.full(4000, t, "int32")))
    np.testing.assert_allclose(x_t.mean(), np.sqrt(alpha_bar) * 0.8, atol=3 * 0.5 / np.sqrt(16000))
    np.testing.assert_allclose(x_t.var(), (1 - alpha_bar) * 0.25, rtol=0.05)


def test_diffusion_at_t_0_leaves_the_image_unchanged():
    x = np.random.default_rng(0).uniform(-1, 1, (3, 4, 4, 2)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(_attached().diffuse(x, np.zeros(3, "int32"))), x)


def test_timesteps_follow_the_priority_distribution():
    part = _attached(t_min=5)
    t = keras.ops.convert_to_numpy(part.sample_timesteps(40000))
    shares = np.bincount(t, minlength=6) / len(t)
    expected = np.concatenate([[0.5], 0.5 * np.arange(1, 6) / 15])  # ½ at t = 0, then ∝ t on 1..5
    np.testing.assert_allclose(shares, expected, atol=0.01)


def _adapt(part, logits_sign, updates, batch=8):
    """Shows the part `updates` adjustment intervals of real logits of one sign; returns T after each."""
    T = []
    for _ in range(updates):
        for _ in range(part.interval):
            part.observe_logits(None, np.full((batch, 1), logits_sign, "float32"), np.zeros((batch, 1), "float32"))
        T.append(float(part.T))
    return T


def test_t_rises_when_the_discriminator_is_too_sure_of_real_data_and_falls_otherwise():
    part = _attached(ada_kimg=1.0)  # p moves by 8 · 4 / 1000 each interval of 4 steps
    rising = _adapt(part, 1.0, 5)
    p = 0.032 * np.arange(1, 6)
    np.testing.assert_allclose(rising, np.round(10 + p * 490))
    assert float(part.r_d) == 1.0
    falling = _adapt(part, -1.0, 3)
    np.testing.assert_allclose(falling, np.round(10 + 0.032 * np.array([4, 3, 2]) * 490))
    assert float(part.r_d) == -1.0
    assert _adapt(part, -1.0, 10)[-1] == 10.0  # clipped at t_min


def test_diffusion_refuses_bad_arguments():
    with pytest.raises(ValueError, match="t_min .* must not exceed t_max"):
        Diffusion(t_min=20, t_max=10)
    with pytest.raises(ValueError, match="target"):
        Diffusion(target=1.5)


class TestDCGANWithDiffusion(GANContract):
    def make_model(self, target=0.6, **kwargs):
        diffusion = Diffusion(t_min=5, t_max=50, ada_kimg=0.01, target=target)
        return DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, augment=diffusion, **kwargs)

    def test_t_adapts_in_training_and_is_logged_saved_and_restored(self, tmp_path):
        # Steered toward r_d = -0.99, any discriminator not wrong about every real image is "too sure":
        # the first adjustment (after 4 steps, p += 8·4/10) takes T to t_max.
        gan = self.compiled(target=-0.99)
        history = self.fit(gan)
        part = gan.augment[0]
        assert float(part.r_d) > -0.99 and float(part.T) == 50.0
        assert history["diffusion_T"][0] == pytest.approx((3 * 5 + 50) / 4)  # the epoch's mean of T over 4 steps
        gan.save(tmp_path / "gan.keras")
        loaded = keras.saving.load_model(tmp_path / "gan.keras").augment[0]
        for name in ("T", "p", "r_d", "alphas_bar"):
            np.testing.assert_array_equal(np.asarray(getattr(loaded, name)), np.asarray(getattr(part, name)))


# ---------------------------------------------------------------- EBGAN and BEGAN


def test_ebgan_margin_loss_against_numpy():
    real = np.array([[0.1], [0.3], [0.2]], "float32")
    fake = np.array([[0.5], [1.7], [0.9]], "float32")
    loss = EnergyMargin(margin=1.0)
    np.testing.assert_allclose(float(loss.discriminator_loss(real, fake)), 0.2 + (0.5 + 0.0 + 0.1) / 3, rtol=1e-6)
    np.testing.assert_allclose(float(loss.generator_loss(fake)), np.mean(fake), rtol=1e-6)


def test_pulling_away_term_against_numpy():
    codes = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    expected = np.mean(
        [
            (codes[i] @ codes[j] / np.linalg.norm(codes[i]) / np.linalg.norm(codes[j])) ** 2
            for i in range(5)
            for j in range(5)
            if i != j
        ]
    )
    np.testing.assert_allclose(float(pulling_away(codes)), expected, rtol=1e-5)
    assert float(pulling_away(np.tile(codes[:1], (4, 1)))) == pytest.approx(1.0, abs=1e-5)  # one mode: the maximum


def test_began_k_update_and_m_global_against_numpy():
    loss = BoundaryEquilibrium(gamma=0.4, lambda_k=0.1)
    loss.attach(object())
    rng = np.random.default_rng(1)
    k, ks = 0.0, []
    for _ in range(6):
        # fakes reconstructed better than γ·real at first (k rises), then worse (it falls back)
        real = rng.uniform(0.0, 1.0, (8, 1)).astype("float32")
        fake = rng.uniform(0.0, 0.3 if len(ks) < 3 else 1.0, (8, 1)).astype("float32")
        np.testing.assert_allclose(float(loss.discriminator_loss(real, fake)), real.mean() - k * fake.mean(), rtol=1e-5)
        loss.observe_logits(None, real, fake)
        balance = 0.4 * real.mean() - fake.mean()
        k = float(np.clip(k + 0.1 * balance, 0.0, 1.0))
        np.testing.assert_allclose(float(loss.k), k, atol=1e-6)
        np.testing.assert_allclose(float(loss.m_global), real.mean() + abs(balance), rtol=1e-5)
        ks.append(k)
    assert ks[2] > 0.0 and ks[-1] < ks[2]


def test_autoencoder_discriminator_outputs_the_reconstruction_error():
    net = autoencoder_discriminator((8, 8, 1), base_filters=4, code_dim=3, distance="l2")
    x = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 1)).astype("float32")
    reconstruction = keras.Model(net.inputs, net.get_layer("reconstruction").output)(x)
    expected = np.mean((x - keras.ops.convert_to_numpy(reconstruction)) ** 2, axis=(1, 2, 3))[:, None]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(net(x)), expected, rtol=1e-5)


def test_untrained_autoencoder_discriminator_passes_the_signal_through():
    """At MNIST size the untrained decoder's output is not vanishingly small (DCGAN's N(0, 0.02) weights made it so)."""
    keras.utils.set_random_seed(0)
    net = autoencoder_discriminator((28, 28, 1), base_filters=32, code_dim=64)
    x = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")  # std 0.58
    reconstruction = keras.Model(net.input, net.get_layer("reconstruction").output)(x)
    # Measured: std 0.048 with Glorot-uniform weights; 9.5e-5 with N(0, 0.02), where BEGAN collapsed on MNIST.
    assert float(np.std(keras.ops.convert_to_numpy(reconstruction))) > 0.01


class TestEBGAN(GANContract):
    def make_model(self, **kwargs):
        return EBGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, code_dim=3, **kwargs)

    def test_logs_the_pulling_away_term(self):
        history = self.fit(self.compiled())
        assert 0.0 < history["pt"][0] <= 0.1


class TestBEGAN(GANContract):
    def make_model(self, **kwargs):
        return BEGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, code_dim=3, lambda_k=0.05, **kwargs)

    def test_logs_k_and_m_global_every_step(self):
        history = self.fit(self.compiled())
        assert 0.0 <= history["k"][0] <= 1.0 and history["m_global"][0] > 0.0


def test_cli_spells_the_new_parts():
    from kerasgan.cli.options import build_part

    loss = build_part("loss", "loss", "fgan:divergence=kl,alternative=true")
    assert isinstance(loss, FDivergence) and (loss.divergence, loss.alternative) == ("kl", True)
    diffusion = build_part("augment", "augment", "diffusion:t_max=200,target=0.5")
    assert isinstance(diffusion, Diffusion) and (diffusion.t_max, diffusion.target) == (200, 0.5)
    with pytest.raises(ValueError, match="Unknown f-divergence 'chi2'"):
        build_part("loss", "loss", "fgan:divergence=chi2")


def test_diagnostics_record_t_and_m_global_and_warn_when_t_is_at_its_maximum():
    import warnings

    from gan_contract import tiny_images

    from kerasgan.callbacks import Diagnostics, GANDiagnosticWarning

    # Steered toward r_d = -0.99, T reaches t_max at the first adjustment (step 4) and stays.
    gan = TestDCGANWithDiffusion().compiled(target=-0.99)
    diagnostics = Diagnostics(tiny_images(8, (8, 8, 1)), every_n_batches=4, warmup_steps=0, collapse_ratio=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GANDiagnosticWarning)
        gan.fit(tiny_images(32, (8, 8, 1)), epochs=2, batch_size=8, verbose=0, callbacks=[diagnostics])
    assert [p["diffusion_T"] for p in diagnostics.history] == [50.0] * 2
    message = next(w.message for w in diagnostics.warnings if w.kind == "discriminator_overpowering")
    assert "Diffusion's T is at its t_max = 50" in message and "augment=Diffusion()" in message

    began = TestBEGAN().compiled()
    diagnostics = Diagnostics(tiny_images(8, (8, 8, 1)), every_n_batches=4, warmup_steps=0, collapse_ratio=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GANDiagnosticWarning)
        began.fit(tiny_images(32, (8, 8, 1)), epochs=1, batch_size=8, verbose=0, callbacks=[diagnostics])
    assert diagnostics.history[-1]["m_global"] == pytest.approx(float(began.loss.m_global))
    assert diagnostics.history[-1]["m_global"] > 0.0

    # Any diversity counts as collapsed here: the warning on BEGAN states k_t, not D's (meaningless) accuracy.
    began = TestBEGAN().compiled()
    diagnostics = Diagnostics(
        tiny_images(8, (8, 8, 1)), every_n_batches=4, warmup_steps=0, collapse_ratio=1e9, patience=1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GANDiagnosticWarning)
        began.fit(tiny_images(32, (8, 8, 1)), epochs=1, batch_size=8, verbose=0, callbacks=[diagnostics])
    message = next(w.message for w in diagnostics.warnings if w.kind == "mode_collapse")
    assert f"BEGAN's k_t is {float(began.loss.k):.3g}" in message and "a larger lambda_k" in message
    assert "calls" not in message


# ---------------------------------------------------------------- D(x_t, t): the timestep channel


def test_diffusion_tells_the_discriminator_t_in_one_more_channel():
    part = _attached(t_min=400, sigma=1e-6, zero_share=0.25)  # σ → 0: x_t = √ᾱ_t · x exactly
    x = np.random.default_rng(1).uniform(-1, 1, (256, 3, 3, 2)).astype("float32")
    seen = keras.ops.convert_to_numpy(part.augment(None, x))
    assert seen.shape == (256, 3, 3, 3) and part.seen_shape((3, 3, 2)) == (3, 3, 3)
    level = seen[..., 2]
    assert (level == level[:, :1, :1]).all()  # one value per image
    t = np.round(level[:, 0, 0] * 500).astype(int)
    np.testing.assert_allclose(level[:, 0, 0], t / 500, atol=1e-6)
    assert 0.15 < np.mean(t == 0) < 0.35 and t.max() <= 400
    alpha_bar = np.concatenate([[1.0], np.cumprod(1 - np.linspace(1e-4, 2e-2, 500))])
    np.testing.assert_allclose(seen[..., :2], np.sqrt(alpha_bar[t])[:, None, None, None] * x, atol=1e-5)
    # the penalties' view: undiffused, t = 0
    plain = keras.ops.convert_to_numpy(part.unaugmented(None, x))
    np.testing.assert_array_equal(plain, np.concatenate([x, np.zeros_like(x[..., :1])], axis=-1))
    # points get one more coordinate
    assert keras.ops.convert_to_numpy(part.augment(None, x[:, 0, 0])).shape == (256, 3)


def test_t_channel_off_keeps_the_shape():
    part = _attached(t_channel=False)
    x = np.zeros((2, 4, 4, 1), "float32")
    assert keras.ops.convert_to_numpy(part.augment(None, x)).shape == x.shape and part.seen_shape((4, 4, 1)) == (
        4,
        4,
        1,
    )
    with pytest.raises(ValueError, match="t_channel must be True or False"):
        Diffusion(t_channel="yes")


def test_the_penalties_judge_the_t_0_view_of_a_t_conditioned_discriminator():
    """DCGAN + Diffusion + R1 + GP: D is built for C + 1 channels and the penalties' critic sees t = 0."""
    gan = DCGAN.for_images(
        (8, 8, 1),
        latent_dim=4,
        base_filters=4,
        augment=Diffusion(t_min=5, t_max=50),
        regularizers=[R1(1.0), GradientPenalty(1.0)],
        seed=0,
    )
    assert tuple(gan.discriminator.inputs[0].shape[1:]) == (8, 8, 2)
    real = np.random.default_rng(0).uniform(-1, 1, (4, 8, 8, 1)).astype("float32")
    (view,) = gan.critic_views(StepBatch(real=real, fake=real))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(view.critic(real)),
        keras.ops.convert_to_numpy(gan.discriminator(np.concatenate([real, np.zeros_like(real)], -1), training=True)),
        rtol=1e-5,
        atol=1e-6,
    )
    gan.compile()
    history = gan.fit(real, batch_size=4, epochs=1, verbose=0).history
    assert np.isfinite(history["r1"]).all() and np.isfinite(history["gp"]).all()


def test_models_whose_discriminators_keep_the_data_shape_refuse_a_shape_changing_augment():

    with pytest.raises(ValueError, match="Pix2Pix's discriminators judge images of the data's shape.*t_channel=False"):
        Pix2Pix(image_shape=(16, 16, 3), base_filters=2, augment=Diffusion())
    Pix2Pix(image_shape=(16, 16, 3), base_filters=2, augment=Diffusion(t_channel=False))  # the shape kept: accepted
    with pytest.raises(ValueError, match="PacGAN packs .* ACGAN"):
        ACGAN.for_images((8, 8, 1), latent_dim=4, num_classes=3, base_filters=4, augment=PacGAN(2))


@pytest.mark.parametrize("name", ["cgan", "acgan", "infogan", "ebgan", "began", "bigan"])
def test_every_gan_family_discriminator_is_built_for_the_t_channel(name):
    options = {"cgan": {"num_classes": 3}, "acgan": {"num_classes": 3}, "infogan": {"categorical_codes": (3,)}}
    gan = kerasgan.models.MODELS[name].for_images(
        (8, 8, 1), latent_dim=4, base_filters=4, augment=Diffusion(t_min=5, t_max=50), seed=0, **options.get(name, {})
    )
    assert tuple(gan.discriminator.inputs[0].shape[1:]) == (8, 8, 2)
    gan.compile()
    data = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
    labels = np.arange(8) % 3 if name in ("cgan", "acgan") else None
    history = gan.fit(data, labels, batch_size=8, epochs=1, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values()) and history["diffusion_T"] == [5.0]
