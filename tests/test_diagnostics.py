"""Tests for kerasgan.callbacks.Diagnostics: each failure mode engineered on tiny data must fire its warning.

The healthy real-data run that must fire none is in test_diagnostics_real_data.py (slow).
"""

import glob
import json
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from gan_contract import tiny_images

import kerasgan
from kerasgan.callbacks import Diagnostics, GANDiagnosticWarning, oscillation_score
from kerasgan.networks.dcgan import dcgan_generator_body

SHAPE, LATENT = (8, 8, 1), 8


def tiny_gan(d_lr=2e-4, g_lr=2e-4, generator=None, **kwargs):
    keras.utils.set_random_seed(3)
    gan = kerasgan.models.DCGAN.for_images(
        SHAPE, latent_dim=LATENT, base_filters=4, seed=3, generator=generator, **kwargs
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(d_lr, beta_1=0.5), g_optimizer=keras.optimizers.Adam(g_lr, beta_1=0.5)
    )
    return gan


def fit(gan, diagnostics, steps, data=None, batch_size=8, extra=()):
    data = tiny_images(64, SHAPE) if data is None else data
    epochs = -(-steps // (len(data) // batch_size))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GANDiagnosticWarning)
        gan.fit(data, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[diagnostics, *extra])
    return [w for w in caught if issubclass(w.category, GANDiagnosticWarning)]


def kinds(diagnostics):
    return [w.kind for w in diagnostics.warnings]


# --- the oscillation detector on synthetic loss sequences ----------------------------------------


def _noise(seed, n=200, scale=0.3):
    return np.random.default_rng(seed).normal(0.0, scale, n)


@pytest.mark.parametrize("seed", range(10))
def test_oscillation_score_flags_cycles_but_not_noise_or_trends(seed):
    t = np.arange(200)
    cycles = 1.0 + 0.9 * np.sin(2 * np.pi * t / 50) + _noise(seed)  # 4 cycles, amplitude 3 × the noise std
    noisy_trend = 1.5 - 0.004 * t + _noise(seed)  # a loss falling steadily
    decay = 0.6 + 1.0 * np.exp(-t / 40) + _noise(seed)  # falls, then flattens: a curved trend
    flat = 1.0 + _noise(seed)

    score, crossings = oscillation_score(cycles)
    assert score >= 4.0 and crossings >= 4, (score, crossings)
    for quiet in (noisy_trend, decay, flat):
        score, crossings = oscillation_score(quiet)
        assert score < 4.0 or crossings < 4, (score, crossings)


def test_oscillation_score_is_nan_for_short_or_nonfinite_series():
    assert np.isnan(oscillation_score(np.ones(30))[0])
    values = np.ones(200)
    values[7] = np.nan
    assert np.isnan(oscillation_score(values)[0])


def _running_means(per_step, steps_per_epoch):
    """What Keras logs at each batch end: the epoch's running mean (trackers reset each epoch)."""
    out = []
    for start in range(0, len(per_step), steps_per_epoch):
        chunk = np.asarray(per_step[start : start + steps_per_epoch])
        out.extend(np.cumsum(chunk) / np.arange(1, len(chunk) + 1))
    return out


def _feed(diagnostics, d_loss, g_loss, steps_per_epoch=150):
    """Runs synthetic per-step losses through the callback as Keras would log them."""
    d_means, g_means = _running_means(d_loss, steps_per_epoch), _running_means(g_loss, steps_per_epoch)
    acc = _running_means(np.full(len(d_loss), 0.7), steps_per_epoch)
    diagnostics.on_train_begin()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GANDiagnosticWarning)
        for i, (d, g, a) in enumerate(zip(d_means, g_means, acc)):
            if i % steps_per_epoch == 0:
                diagnostics.on_epoch_begin(i // steps_per_epoch)
            logs = {"d_loss": d, "g_loss": g, "d_acc_real": a, "d_acc_fake": a}
            diagnostics.on_train_batch_end(i % steps_per_epoch, logs)


def _trend_only_diagnostics():
    # collapse_ratio=0: the untrained tiny generator's samples barely differ;
    # these tests are about the loss trends alone.
    d = Diagnostics(tiny_images(16, SHAPE), every_n_batches=100, window=200, warmup_steps=0, collapse_ratio=0.0)
    d.set_model(tiny_gan())
    return d


def test_oscillating_logs_fire_oscillation_and_per_step_values_are_recovered():
    t = np.arange(400)
    d_loss = 1.2 + 0.9 * np.sin(2 * np.pi * t / 40) + _noise(1, 400)  # D and G take turns winning
    g_loss = 0.9 + _noise(2, 400)
    diagnostics = _trend_only_diagnostics()
    _feed(diagnostics, d_loss, g_loss)
    # The callback undoes Keras' running means across the epoch boundary at step 150.
    np.testing.assert_allclose(list(diagnostics._series["d_loss"]), d_loss[-200:], atol=1e-6)
    assert kinds(diagnostics) == ["oscillation"]  # once: the cooldown holds back the repeats
    message = diagnostics.warnings[0].message
    assert "d_loss oscillates" in message and "learning rate" in message and "regularizers=[R1(10)]" in message
    assert diagnostics.history[-1]["oscillation_d_loss"] >= 4.0
    assert diagnostics.history[-1]["oscillation_g_loss"] < 4.0


def test_smoothly_converging_logs_fire_nothing():
    t = np.arange(400)
    d_loss = 1.0 + 0.4 * np.exp(-t / 100) + _noise(3, 400)
    g_loss = 0.7 + 0.8 * np.exp(-t / 150) + _noise(4, 400)
    diagnostics = _trend_only_diagnostics()
    _feed(diagnostics, d_loss, g_loss)
    assert len(diagnostics.history) == 4
    assert diagnostics.warnings == []


# --- engineered failures in real training ---------------------------------------------------------


def test_discriminator_with_50x_learning_rate_against_a_frozen_generator_is_overpowering():
    gan = tiny_gan(d_lr=1e-2, g_lr=0.0)  # D: 50 × the default rate; G never moves
    diagnostics = Diagnostics(tiny_images(32, SHAPE, seed=1), every_n_batches=20, window=60, warmup_steps=60)
    caught = fit(gan, diagnostics, steps=200)
    assert "discriminator_overpowering" in kinds(diagnostics)
    assert "nonfinite" not in kinds(diagnostics)
    message = next(w.message for w in diagnostics.warnings if w.kind == "discriminator_overpowering")
    assert "near 0" in message and "d_optimizer" in message and "targets=[LabelSmoothing(0.1)]" in message
    assert "augment=InstanceNoise(0.1)" in message and "loss='hinge'" in message
    assert any("overpowering" in str(w.message) for w in caught)  # also a real Python warning
    last = diagnostics.history[-1]
    print(
        f"\nD 50x lr, frozen G: first warning at step {diagnostics.warnings[0].step}; last probe: mean d_loss "
        f"{last['mean_d_loss']:.4f}, acc real {last['mean_d_acc_real']:.3f}, fake {last['mean_d_acc_fake']:.3f}, "
        f"g_grad_norm {last['g_grad_norm']:.3g}, d_grad_norm {last['d_grad_norm']:.3g}"
    )
    assert last["mean_d_loss"] < 0.1 and min(last["mean_d_acc_real"], last["mean_d_acc_fake"]) >= 0.98


def test_a_25x_learning_rate_with_heavy_momentum_oscillates_and_the_default_rate_does_not():
    def oscillation_run(lr, beta_1):
        keras.utils.set_random_seed(3)
        gan = kerasgan.models.DCGAN.for_images(SHAPE, latent_dim=LATENT, base_filters=4, seed=3)
        gan.compile(
            d_optimizer=keras.optimizers.Adam(lr, beta_1=beta_1), g_optimizer=keras.optimizers.Adam(lr, beta_1=beta_1)
        )
        diagnostics = Diagnostics(tiny_images(32, SHAPE, seed=1), every_n_batches=25, window=100, warmup_steps=50)
        fit(gan, diagnostics, steps=200)
        scores = [
            (h["step"], round(h["oscillation_d_loss"], 2), round(h["oscillation_g_loss"], 2))
            for h in diagnostics.history
            if "oscillation_d_loss" in h
        ]
        print(f"\nAdam({lr}, beta_1={beta_1}): (step, d_loss score, g_loss score) {scores}")
        return diagnostics

    wild = oscillation_run(5e-3, 0.9)
    assert "oscillation" in kinds(wild) and "nonfinite" not in kinds(wild)
    assert "oscillates" in next(w.message for w in wild.warnings if w.kind == "oscillation")
    calm = oscillation_run(2e-4, 0.5)
    assert "oscillation" not in kinds(calm)


def test_minimax_loss_against_an_overpowering_discriminator_has_a_vanishing_generator_gradient():
    gan = tiny_gan(d_lr=1e-2, g_lr=0.0, loss="minimax")  # the saturating loss of the GAN paper
    # cooldown=100: the loss-and-accuracy evidence fires first; the gradient vanishes a little later.
    diagnostics = Diagnostics(
        tiny_images(32, SHAPE, seed=1), every_n_batches=25, window=100, warmup_steps=50, cooldown=100
    )
    fit(gan, diagnostics, steps=300)
    norms = [h["g_grad_norm"] for h in diagnostics.history]
    print(f"\nminimax, D 50x lr, frozen G: g_grad_norm {np.round(norms, 4).tolist()}")
    assert norms[-1] < 0.05 * max(norms)
    messages = [w.message for w in diagnostics.warnings if w.kind == "discriminator_overpowering"]
    assert any("gradient norm" in m and "of its peak" in m for m in messages), messages
    assert "loss='non_saturating' instead of 'minimax'" in messages[0]


def test_a_generator_that_ignores_its_input_is_a_mode_collapse():
    latents = keras.Input((LATENT,))
    ignored = keras.layers.Rescaling(0.0)(latents)  # every latent becomes 0: one output, a learned constant
    generator = keras.Model(latents, dcgan_generator_body(ignored, SHAPE, 4))
    gan = tiny_gan(generator=generator)
    diagnostics = Diagnostics(tiny_images(32, SHAPE, seed=1), every_n_batches=20, window=40, warmup_steps=40)
    fit(gan, diagnostics, steps=120)
    assert "mode_collapse" in kinds(diagnostics)
    message = next(w.message for w in diagnostics.warnings if w.kind == "mode_collapse")
    assert "minibatch_std=True" in message and "d_steps" in message and "loss='wasserstein'" in message
    print(f"\nconstant generator: diversity ratios {[round(h['diversity_ratio'], 6) for h in diagnostics.history]}")
    assert max(h["diversity_ratio"] for h in diagnostics.history) < 1e-3


def test_nan_in_the_discriminator_warns_names_the_loss_and_stops_training(tmp_path):
    gan = tiny_gan()
    kernel = gan.discriminator.trainable_variables[0]
    kernel.assign(np.full(kernel.shape, np.nan, "float32"))
    diagnostics = Diagnostics(tiny_images(16, SHAPE), every_n_batches=5, warnings_path=tmp_path / "diagnostics.json")
    fit(gan, diagnostics, steps=40)
    assert kinds(diagnostics) == ["nonfinite"]
    assert int(gan.g_optimizer.iterations) == 1  # stopped after the first step
    assert "d_loss = nan" in diagnostics.warnings[0].message and "step 1" in diagnostics.warnings[0].message
    # The same warning in the run folder, its remedies apart (kerasgan report shows them).
    (record,) = json.loads((tmp_path / "diagnostics.json").read_text())
    assert (
        record["step"] == 1 and record["kind"] == "nonfinite" and record["message"] == diagnostics.warnings[0].message
    )
    assert "d_loss = nan" in record["summary"] and "Remedies" not in record["summary"]
    assert record["remedies"] == kerasgan.callbacks.diagnostics.remedies("nonfinite")


def test_a_watched_run_without_warnings_writes_an_empty_list(tmp_path):
    path = tmp_path / "diagnostics.json"
    path.write_text(json.dumps([{"step": 5, "kind": "oscillation", "summary": "from a later step"}]))
    diagnostics = Diagnostics(tiny_images(16, SHAPE), every_n_batches=5, warnings_path=path)
    assert fit(tiny_gan(), diagnostics, steps=8) == []  # before warmup_steps
    assert json.loads(path.read_text()) == []  # resumed from step 0: the step-5 warning of the old run never happened


def test_nonfinite_without_stopping_trains_on_and_warns_once_per_cooldown():
    gan = tiny_gan()
    kernel = gan.discriminator.trainable_variables[0]
    kernel.assign(np.full(kernel.shape, np.nan, "float32"))
    diagnostics = Diagnostics(tiny_images(16, SHAPE), every_n_batches=5, stop_on_nonfinite=False, cooldown=10)
    fit(gan, diagnostics, steps=24)
    assert int(gan.g_optimizer.iterations) == 24
    assert [w.step for w in diagnostics.warnings] == [1, 11, 21]


def test_a_nan_batchnorm_statistic_is_found_in_the_weights():
    """A NaN that the training-mode losses never see (a moving mean) is caught by the weight check."""

    class Poison(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                moving = next(v for v in self.model.generator.weights if "moving_mean" in v.path)
                moving.assign(np.full(moving.shape, np.nan, "float32"))

    gan = tiny_gan()
    diagnostics = Diagnostics(tiny_images(16, SHAPE), every_n_batches=4)
    fit(gan, diagnostics, steps=16, extra=[Poison()])
    assert kinds(diagnostics) == ["nonfinite"]
    assert "moving_mean" in diagnostics.warnings[0].message
    assert int(gan.g_optimizer.iterations) == 4  # the probe at step 4 stopped it


# --- the probe itself -------------------------------------------------------------------------------


def test_attaching_diagnostics_does_not_change_training():
    """The probe runs both networks in training mode; BatchNorm statistics and random streams are restored."""
    plain = tiny_gan()
    plain.fit(tiny_images(64, SHAPE), epochs=2, batch_size=8, verbose=0)
    watched = tiny_gan()
    diagnostics = Diagnostics(tiny_images(16, SHAPE, seed=1), every_n_batches=3, warmup_steps=10**6)
    fit(watched, diagnostics, steps=16)
    assert len(diagnostics.history) == 5
    for a, b in zip(plain.weights, watched.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b), err_msg=a.path)


def test_probe_gradient_norms_match_an_independent_computation():
    gan = tiny_gan()
    reference = tiny_images(16, SHAPE, seed=1)
    diagnostics = Diagnostics(reference, every_n_batches=1000)
    diagnostics.set_model(gan)
    diagnostics.on_train_begin()
    signals = diagnostics.probe()
    # By hand, with Keras' own BinaryCrossentropy (real target 1, fake 0; generator target 1).
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    latents = diagnostics._latents
    with tf.GradientTape(persistent=True) as tape:
        fake = gan.generator(latents, training=True)
        real_logits = gan.discriminator(reference, training=True)
        fake_logits = gan.discriminator(fake, training=True)
        d_loss = bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits)
        g_loss = bce(tf.ones_like(fake_logits), fake_logits)
    d_norm = tf.linalg.global_norm(tape.gradient(d_loss, gan.discriminator.trainable_variables))
    g_norm = tf.linalg.global_norm(tape.gradient(g_loss, gan.generator.trainable_variables))
    np.testing.assert_allclose(signals["d_grad_norm"], float(d_norm), rtol=1e-4)
    np.testing.assert_allclose(signals["g_grad_norm"], float(g_norm), rtol=1e-4)
    fake = fake.numpy().reshape(16, -1)
    pairs = [np.linalg.norm(fake[i] - fake[j]) for i in range(16) for j in range(16) if i != j]
    real = reference.reshape(16, -1)
    real_pairs = [np.linalg.norm(real[i] - real[j]) for i in range(16) for j in range(16) if i != j]
    np.testing.assert_allclose(signals["diversity_ratio"], np.mean(pairs) / np.mean(real_pairs), rtol=1e-5)


def test_signals_go_to_tensorboard_at_the_generator_step(tmp_path):
    gan = tiny_gan()
    diagnostics = Diagnostics(tiny_images(16, SHAPE), every_n_batches=4, tensorboard_dir=tmp_path / "tb")
    fit(gan, diagnostics, steps=8)
    seen = {}
    for path in glob.glob(str(tmp_path / "tb" / "events.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                seen.setdefault(value.tag, []).append((event.step, float(tf.make_ndarray(value.tensor))))
    for tag in ("d_grad_norm", "g_grad_norm", "diversity_ratio", "mean_d_acc_real", "mean_d_acc_fake"):
        assert [step for step, _ in seen[f"diagnostics/{tag}"]] == [4, 8]
    assert [v for _, v in seen["diagnostics/g_grad_norm"]] == pytest.approx(
        [h["g_grad_norm"] for h in diagnostics.history], rel=1e-6
    )


def test_conditional_models_need_labelled_reference_and_compare_within_classes():
    keras.utils.set_random_seed(3)
    gan = kerasgan.models.ConditionalGAN.for_images(SHAPE, num_classes=2, latent_dim=LATENT, base_filters=4, seed=3)
    gan.compile()
    images, labels = tiny_images(32, SHAPE), np.arange(32) % 2
    with pytest.raises(ValueError, match="reference=\\(images, labels\\)"):
        gan.fit(images, labels, epochs=1, batch_size=8, verbose=0, callbacks=[Diagnostics(images[:8])])
    diagnostics = Diagnostics((images[:16], labels[:16]), every_n_batches=4)
    gan.fit(images, labels, epochs=1, batch_size=8, verbose=0, callbacks=[diagnostics])
    assert len(diagnostics.history) == 1 and diagnostics.history[0]["g_grad_norm"] > 0
    # Real diversity is measured between images of the same label only.
    real = images[:16].reshape(16, -1)
    same = [np.linalg.norm(real[i] - real[j]) for i in range(16) for j in range(16) if i != j and i % 2 == j % 2]
    np.testing.assert_allclose(diagnostics._real_diversity, np.mean(same), rtol=1e-5)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="at least 4 images"):
        Diagnostics(np.zeros((2, 8, 8, 1), "float32"))
    with pytest.raises(ValueError, match="labels"):
        Diagnostics((np.zeros((8, 8, 8, 1), "float32"), np.zeros(5)))
    with pytest.raises(ValueError, match="every_n_batches"):
        Diagnostics(np.zeros((8, 8, 8, 1), "float32"), every_n_batches=0)
    gan = tiny_gan()
    with pytest.raises(ValueError, match="reference images of shape"):
        gan.fit(
            tiny_images(16, SHAPE),
            epochs=1,
            batch_size=8,
            verbose=0,
            callbacks=[Diagnostics(np.zeros((8, 16, 16, 1), "float32"))],
        )


def test_run_callbacks_adds_diagnostics_only_with_a_reference(tmp_path):
    plain = kerasgan.callbacks.run_callbacks(str(tmp_path))
    assert not any(isinstance(c, Diagnostics) for c in plain)
    watched = kerasgan.callbacks.run_callbacks(str(tmp_path), diagnostics_reference=tiny_images(8, SHAPE))
    (diagnostics,) = [c for c in watched if isinstance(c, Diagnostics)]
    assert diagnostics.tensorboard_dir == str(tmp_path / "tb") and len(watched) == len(plain) + 1
    assert diagnostics.warnings_path == str(tmp_path / "diagnostics.json")


def test_infogan_latents_come_from_the_model_without_moving_its_random_stream():
    keras.utils.set_random_seed(3)
    gan = kerasgan.models.InfoGAN.for_images(
        SHAPE, latent_dim=4, base_filters=4, categorical_codes=(3,), continuous_codes=1, q_hidden_units=4, seed=3
    )
    gan.compile()
    state = keras.ops.convert_to_numpy(gan.seed_generator.state).copy()
    diagnostics = Diagnostics(tiny_images(12, SHAPE), every_n_batches=1000)
    diagnostics.set_model(gan)
    diagnostics.on_train_begin()
    signals = diagnostics.probe()
    latents = keras.ops.convert_to_numpy(diagnostics._latents)
    assert latents.shape == (12, 4 + 3 + 1)
    np.testing.assert_array_equal(latents[:, 4:7].sum(axis=1), np.ones(12))  # one-hot categorical code
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(gan.seed_generator.state), state)
    assert signals["g_grad_norm"] > 0 and signals["d_grad_norm"] > 0
