"""Training diagnostics: watch a GAN for the failure modes the courses teach and say what to do.

`Diagnostics` reads the per-step losses and accuracies out of the logs every
batch (cheap), and every `every_n_batches` steps probes the model eagerly on a
fixed reference batch: gradient norms of both networks' adversarial losses and
the diversity of samples from fixed latents. It warns in plain words, with the
numbers and the kerasgan arguments that help, when it sees

- ``discriminator_overpowering``: D separates real from fake almost perfectly
  for a whole window (or the generator's gradient has all but vanished);
- ``mode_collapse``: samples from different latents look alike (their mean
  pairwise distance is a small fraction of the real batch's);
- ``oscillation``: a loss swings up and down in slow cycles well above its
  step-to-step noise (`oscillation_score`);
- ``nonfinite``: a NaN or infinity in the logged values or in the weights
  (training is stopped unless `stop_on_nonfinite=False`).
"""

import collections
import json
import logging
import math
import os
import time
import warnings

import keras
import numpy as np
import tensorflow as tf

from kerasgan import parts
from kerasgan.callbacks.loss_curves import StepValues, _is_number
from kerasgan.parts import BoundaryEquilibrium, Diffusion, EnergyMargin, StepBatch
from kerasgan.utils.io import write_json_atomic

logger = logging.getLogger(__name__)


class GANDiagnosticWarning(UserWarning):
    """Category of the warnings `Diagnostics` issues (filter it with the `warnings` module)."""


#: One warning that `Diagnostics` issued: generator step, kind, full message.
DiagnosticRecord = collections.namedtuple("DiagnosticRecord", ["step", "kind", "message"])

KINDS = ("discriminator_overpowering", "mode_collapse", "oscillation", "nonfinite")

#: What always helps against each kind; the parts of kerasgan.parts add their own advice (`Part.remedies`).
GENERAL_REMEDIES = {
    "discriminator_overpowering": (
        "lower the discriminator's learning rate, e.g. compile(d_optimizer=keras.optimizers.Adam(lr / 4, beta_1=0.5)) "
        "or a larger generator rate (TTUR); weaken D: more dropout, fewer filters (base_filters); keep d_steps=1"
    ),
    "mode_collapse": (
        "let D see the batch's variety: minibatch_std=True or minibatch_discrimination=True in "
        "kerasgan.networks.dcgan_discriminator; a stronger, better-informed D: d_steps=2 to 5; "
        "a lower generator learning rate"
    ),
    "oscillation": (
        "lower both learning rates (e.g. halve them) and keep Adam's beta_1 at 0.5 or below; "
        "spectral_norm=True in the discriminator"
    ),
    "nonfinite": (
        "lower the learning rates; spectral_norm=True in the discriminator; "
        "check that the data holds no NaN and lies in [-1, 1]; under mixed precision keep the loss scaling; "
        "resume from the last good checkpoint"
    ),
}


def remedies(kind):
    """The advice printed with a warning of `kind`: the general remedies, then every registered part's."""
    advice = [GENERAL_REMEDIES[kind]]
    for cls in parts.registered():
        if kind in cls.remedies:
            advice.append(cls.remedies[kind])
    return "; ".join(advice)


def oscillation_score(values, blocks=20):
    """How strongly a loss series swings in slow cycles: (score, crossings).

    The series (one value per training step) is cut into `blocks` equal
    blocks; each block's mean averages out the minibatch noise. A straight
    line fitted to the block means removes the trend (a loss that falls or
    rises steadily is no oscillation). Then

    - score = std(detrended block means) / (standard error of a block mean),
      the standard error being sqrt(mean within-block variance / block size)
      (at least 0.1% of the mean |value|).
      Independent noise around a trend scores about 1; slow swings well above
      the noise score far higher.
    - crossings = how often the detrended block means change sign, counting
      only block means more than one standard error from the trend. A cycle
      crosses twice, so crossings >= 4 means at least two cycles; a curved
      trend (a loss that falls, then flattens) crosses two or three times.

    `Diagnostics` calls it an oscillation when score >= `oscillation_threshold`
    (default 4) and crossings >= 4. Measured on synthetic series of 200 steps
    with noise σ = 0.3 (50 seeds each): a sine of amplitude 0.6 (2σ) and
    period 50 scores 3.3-4.6 with 7 crossings, one of amplitude 0.9 (3σ)
    4.4-5.8; noise alone, noise around a linear trend, around an
    exponential decay (time constants 40 and 80 steps) or around a slow
    random walk score at most 2.2. A healthy DCGAN on MNIST scored at most
    2.75 (tests/test_diagnostics_real_data.py), hence the default of 4.

    Args:
        values: 1-D sequence of per-step values, at least 2 × `blocks` long.
        blocks: number of blocks.

    Returns:
        (score, crossings) as (float, int); (nan, 0) when the series is too
        short or not finite.
    """
    x = np.asarray(values, dtype="float64").ravel()
    size = len(x) // blocks
    if size < 2 or not np.all(np.isfinite(x)):
        return float("nan"), 0
    x = x[len(x) - size * blocks :].reshape(blocks, size)
    means = x.mean(axis=1)
    t = np.arange(blocks, dtype="float64")
    slope, intercept = np.polyfit(t, means, 1)
    residual = means - (slope * t + intercept)
    # Floored at 0.1% of the loss's level: a loss stuck at a constant (a
    # saturated network) has no noise, and its rounding errors are no swing.
    noise = max(math.sqrt(float(np.mean(x.var(axis=1, ddof=1))) / size), 1e-3 * float(np.mean(np.abs(x))), 1e-12)
    amplitude = float(np.std(residual))
    score = amplitude / noise
    # Hysteresis: only block means at least one standard error away from the
    # trend count, so noise around a zero crossing of a curved trend does
    # not count as extra cycles.
    signs = np.sign(residual[np.abs(residual) > noise])
    crossings = int(np.sum(signs[1:] != signs[:-1]))
    return float(score), crossings


def _pairwise_distance(x, groups=None):
    """Mean Euclidean distance between different samples of `x` (n, ...), within equal `groups` if given."""
    x = np.asarray(x, dtype="float64").reshape(len(x), -1)
    squared = np.sum(x * x, axis=1)
    d2 = squared[:, None] + squared[None, :] - 2.0 * x @ x.T
    distance = np.sqrt(np.maximum(d2, 0.0))
    mask = ~np.eye(len(x), dtype=bool)
    if groups is not None:
        groups = np.asarray(groups).ravel()
        mask &= groups[:, None] == groups[None, :]
    return float(distance[mask].mean()) if mask.any() else float("nan")


def _global_norm(grads):
    total = 0.0
    for g in grads:
        if g is not None:
            if isinstance(g, tf.IndexedSlices):
                g = tf.convert_to_tensor(g)
            total += float(tf.reduce_sum(tf.square(tf.cast(g, "float32"))))
    return math.sqrt(total)


class Diagnostics(keras.callbacks.Callback):
    """Watches a kerasgan GAN for the classic failure modes and warns with remedies.

    Every batch: the step's `d_loss`, `g_loss`, `d_acc_real` and `d_acc_fake`
    are recovered from the logs (Keras logs the epoch's running mean; step t's
    value is t·mean_t − (t−1)·mean_{t−1}) and checked for NaN/inf.

    Every `every_n_batches` batches (a "probe"), eagerly, on the fixed
    `reference` batch of real images (and labels) and fixed latents drawn once:

    - `d_grad_norm`, `g_grad_norm`: global L2 norms of the gradient of the
      adversarial discriminator loss w.r.t. D's trainable weights and of the
      generator loss w.r.t. G's, through the model's own hooks
      (`generator_inputs`, `discriminate`, `discriminator_loss`,
      `generator_objective`) in training mode; penalties and auxiliary terms are
      left out. Whatever training-mode calls change (BatchNorm statistics,
      random streams) is restored afterwards, so attaching the callback does
      not change the training run.
    - `diversity_ratio`: mean pairwise Euclidean distance among the samples
      generated from the fixed latents, divided by the same statistic of the
      reference images (for conditional models: among samples of the same
      label, on both sides). About 1 when the samples vary as much as the
      data, near 0 when they collapse.
    - `oscillation_d_loss`, `oscillation_g_loss`: `oscillation_score` of the
      last `window` per-step losses.
    - the weights of both networks are checked for NaN/inf;
    - the values the model's parts log but do not train on, as they stand:
      BEGAN's `k` and `m_global` (M_global, its convergence measure: it
      falls as training converges) and `Diffusion`'s `diffusion_T` and
      `diffusion_r_d` (T grows while D is too sure of the real images).
      A `mode_collapse` warning on BEGAN states k_t (at 0 the discriminator
      only autoencodes the data and nothing keeps the fakes apart: BEGAN's
      collapse on MNIST at the paper's λ_k over a short run).

    Warnings (`GANDiagnosticWarning`, also kept in `self.warnings` as
    `DiagnosticRecord(step, kind, message)`), each at most once per `cooldown`
    steps per kind, none but `nonfinite` before `warmup_steps`:

    - `discriminator_overpowering`: over the last `window` steps the mean
      `d_acc_real` and `d_acc_fake` are both >= `accuracy_threshold` and the
      mean `d_loss` is below `d_loss_floor` (D separates the two perfectly
      and with wide margins; with label smoothing the loss cannot fall that
      low, and the smoothing is already a remedy); or `g_grad_norm` fell below
      `vanishing_ratio` × its largest value so far while D's accuracies are
      that high (the minimax loss saturating). The accuracy and loss
      tests are skipped for losses whose logits have no fixed zero
      (Wasserstein, relativistic), where only the gradient test applies.
      With a `Diffusion` part, T at its `t_max` is evidence too: the most
      diffused images still leave D too sure of the real ones.
    - `mode_collapse`: `diversity_ratio` < `collapse_ratio` on `patience`
      probes in a row.
    - `oscillation`: a loss's oscillation score >= `oscillation_threshold`
      with at least 4 crossings (two cycles) in the last `window` steps.
    - `nonfinite`: a logged value or a weight is NaN or infinite; training
      stops at the end of that batch when `stop_on_nonfinite`.

    Args:
        reference: a batch of real images (n, H, W, C) in [-1, 1], n >= 4, or
            (images, labels) for models whose `data_kind` is "labelled_images".
        every_n_batches: batches between probes.
        num_samples: samples generated from the fixed latents per probe
            (default: as many as reference images).
        window: steps over which losses and accuracies are averaged and the
            oscillation is measured.
        warmup_steps: generator steps before any warning but `nonfinite`.
        cooldown: generator steps before a kind of warning is repeated.
        accuracy_threshold, d_loss_floor, vanishing_ratio: see above.
        collapse_ratio, patience: see above.
        oscillation_threshold: see above.
        stop_on_nonfinite: stop training on a non-finite value.
        tensorboard_dir: if given, every probe's signals are written there as
            scalars "diagnostics/<name>" at the generator step.
        warnings_path: if given, a JSON file that lists every warning
            (`{"step", "kind", "summary", "remedies", "message"}`), rewritten
            atomically at each one (`kerasgan report` shows them); a resumed
            run keeps the earlier warnings up to the step it resumes from.
        seed: seed of the fixed latents.

    Attributes:
        warnings: list of `DiagnosticRecord`.
        history: one dict per probe (step and every signal).
        probe_seconds: wall-clock time spent in probes.

    Example:
        ```python
        reference = next(iter(dataset))[:64]
        diagnostics = kerasgan.callbacks.Diagnostics(reference, tensorboard_dir="logs/run1/tb")
        gan.fit(dataset, epochs=20, callbacks=[diagnostics])
        print([w.kind for w in diagnostics.warnings])
        ```
    """

    def __init__(
        self,
        reference,
        every_n_batches=100,
        num_samples=None,
        window=200,
        warmup_steps=500,
        cooldown=1000,
        accuracy_threshold=0.98,
        d_loss_floor=0.1,
        vanishing_ratio=0.05,
        collapse_ratio=0.25,
        patience=2,
        oscillation_threshold=4.0,
        stop_on_nonfinite=True,
        tensorboard_dir=None,
        seed=0,
        warnings_path=None,
    ):
        super().__init__()
        labels = None
        if isinstance(reference, (tuple, list)):
            if len(reference) != 2:
                raise ValueError("Diagnostics: `reference` must be images, or a pair (images, labels).")
            reference, labels = reference
        images = np.asarray(keras.ops.convert_to_numpy(reference), dtype="float32")
        if images.ndim != 4 or len(images) < 4:
            raise ValueError(
                f"Diagnostics: `reference` must be a batch of at least 4 images (n, H, W, C); got shape {images.shape}."
            )
        if labels is not None:
            labels = np.asarray(keras.ops.convert_to_numpy(labels)).reshape(-1).astype("int32")
            if len(labels) != len(images):
                raise ValueError(f"Diagnostics: {len(images)} reference images but {len(labels)} labels.")
        for name, value in (("every_n_batches", every_n_batches), ("window", window), ("patience", patience)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Diagnostics: `{name}` must be a positive int, got {value!r}.")
        if window < 40:
            raise ValueError(f"Diagnostics: `window` must be at least 40 steps (20 blocks of 2), got {window}.")
        self.reference = images
        self.reference_labels = labels
        self.every_n_batches = int(every_n_batches)
        self.num_samples = len(images) if num_samples is None else int(num_samples)
        self.window = int(window)
        self.warmup_steps = int(warmup_steps)
        self.cooldown = int(cooldown)
        self.accuracy_threshold = float(accuracy_threshold)
        self.d_loss_floor = float(d_loss_floor)
        self.vanishing_ratio = float(vanishing_ratio)
        self.collapse_ratio = float(collapse_ratio)
        self.patience = int(patience)
        self.oscillation_threshold = float(oscillation_threshold)
        self.stop_on_nonfinite = bool(stop_on_nonfinite)
        self.tensorboard_dir = tensorboard_dir
        self.seed = seed
        self.warnings_path = None if warnings_path is None else os.fspath(warnings_path)
        self._written = []  # what warnings_path holds: earlier runs' warnings, then this run's
        self.warnings = []
        self.history = []
        self.probe_seconds = 0.0
        self._series = {
            k: collections.deque(maxlen=self.window) for k in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")
        }
        self._latents = None
        self._sample_labels = None
        self._real_diversity = None
        self._writer = None
        self._last_warned = {}
        self._low_diversity = 0
        self._max_g_grad = 0.0
        self._batches = 0
        self._step_values = StepValues()

    # ------------------------------------------------------------------ keras hooks
    def on_train_begin(self, logs=None):
        model = self.model
        from kerasgan.models import GAN

        if not isinstance(model, GAN):
            raise TypeError(
                f"Diagnostics watches the GAN family (kerasgan.models.GAN and its variants); got a {type(model).__name__}."
            )
        if tuple(self.reference.shape[1:]) != tuple(model.image_shape):
            raise ValueError(
                f"Diagnostics: reference images of shape {self.reference.shape[1:]} but the model makes {model.image_shape}."
            )
        if model.data_kind == "labelled_images" and self.reference_labels is None:
            raise ValueError(f"Diagnostics: {type(model).__name__} is conditional; pass reference=(images, labels).")
        if self._latents is None:
            self._draw_latents()
        self._batches = 0
        if self.warnings_path is not None:
            step = self._step()
            # Written now, empty or not, so that a run without warnings shows it was watched; resumed
            # from before some of the earlier run's warnings, those did not happen.
            self._written = [w for w in read_warnings(self.warnings_path) if w.get("step", 0) <= step]
            write_json_atomic(self.warnings_path, self._written)

    def on_epoch_begin(self, epoch, logs=None):
        self._step_values.reset()  # the logged means restart each epoch

    def on_train_batch_end(self, batch, logs=None):
        self._batches += 1
        step = self._step()
        values = self._step_values(batch, logs)
        for key, value in values.items():
            if key in self._series:
                self._series[key].append(value)
        bad = {k: v for k, v in (logs or {}).items() if _is_number(v) and not math.isfinite(float(v))}
        if bad:
            self._nonfinite(step, "the logged " + ", ".join(f"{k} = {float(v)}" for k, v in sorted(bad.items())))
        if self._batches % self.every_n_batches == 0 and not bad:
            self.probe(step)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    # ------------------------------------------------------------------ signals
    def _step(self):
        optimizer = getattr(self.model, "g_optimizer", None)
        if optimizer is not None:
            return int(keras.ops.convert_to_numpy(optimizer.iterations))
        return self._batches

    def _draw_latents(self):
        model = self.model
        n = self.num_samples
        if model.generator_latent_size == model.latent_dim:
            self._latents = tf.constant(
                np.random.default_rng(self.seed).standard_normal((n, model.latent_dim)), "float32"
            )
        else:
            # InfoGAN appends codes that only the model knows how to draw; its
            # random stream is restored afterwards.
            snapshot = _snapshot(model)
            try:
                self._latents = tf.constant(keras.ops.convert_to_numpy(model.sample_latents(n)))
            finally:
                _restore(snapshot)
        if self.reference_labels is not None:
            self._sample_labels = np.resize(self.reference_labels, n).astype("int32")
        self._real_diversity = _pairwise_distance(self.reference, self.reference_labels)

    def probe(self, step=None):
        """Computes every probe signal now, records it, writes it to TensorBoard and checks it. Returns the dict."""
        start = time.perf_counter()
        step = self._step() if step is None else step
        if self._latents is None:
            self._draw_latents()
        signals = {"step": step, **self._model_signals()}
        for key in ("d_acc_real", "d_acc_fake", "d_loss", "g_loss"):
            if self._series[key]:
                signals[f"mean_{key}"] = float(np.mean(self._series[key]))
        for key in ("d_loss", "g_loss"):
            if len(self._series[key]) >= self.window:
                signals[f"oscillation_{key}"], signals[f"crossings_{key}"] = oscillation_score(self._series[key])
        for part in self.model.parts():
            for name, value in {**part.discriminator_metrics(self.model), **part.generator_metrics(self.model)}.items():
                signals[name] = float(keras.ops.convert_to_numpy(value))
        self.history.append(signals)
        self._write_summaries(signals, step)
        self._check(signals, step)
        self.probe_seconds += time.perf_counter() - start
        return signals

    def _model_signals(self):
        model = self.model
        real = tf.convert_to_tensor(self.reference)
        real_labels = None if self.reference_labels is None else tf.convert_to_tensor(self.reference_labels)
        sample_labels = None if self._sample_labels is None else tf.convert_to_tensor(self._sample_labels)
        snapshot = _snapshot(model)
        try:
            with tf.GradientTape(persistent=True) as tape:
                fake = model.generator(model.generator_inputs(self._latents, sample_labels), training=True)
                # The real and generated batches carry their own labels here, so
                # the adversarial losses are taken from the model's public hooks.
                real_logits, _ = model.discriminate(real, real_labels)
                fake_logits, _ = model.discriminate(fake, sample_labels)
                d_loss = model.discriminator_loss(real_logits, fake_logits)
                g_loss = model.generator_objective(StepBatch(real, fake, sample_labels, self._latents))[0]["g_loss"]
            d_grads = tape.gradient(d_loss, model.discriminator.trainable_variables)
            g_grads = tape.gradient(g_loss, model.generator.trainable_variables)
            del tape
        finally:
            _restore(snapshot)
        fake = keras.ops.convert_to_numpy(fake)
        signals = {
            "d_grad_norm": _global_norm(d_grads),
            "g_grad_norm": _global_norm(g_grads),
            "probe_d_loss": float(d_loss),
            "probe_g_loss": float(g_loss),
            "diversity_ratio": _pairwise_distance(fake, self._sample_labels) / max(self._real_diversity, 1e-12),
        }
        bad = [
            v.path
            for net in (model.generator, model.discriminator)
            for v in net.weights
            if not np.all(np.isfinite(keras.ops.convert_to_numpy(v)))
        ]
        signals["nonfinite_weights"] = bad
        return signals

    # ------------------------------------------------------------------ checks
    def _check(self, s, step):
        if s["nonfinite_weights"]:
            names = ", ".join(s["nonfinite_weights"][:3]) + (" ..." if len(s["nonfinite_weights"]) > 3 else "")
            self._nonfinite(step, f"the weights {names}")
            return
        if step < self.warmup_steps:
            self._max_g_grad = max(self._max_g_grad, s["g_grad_norm"])
            return
        self._check_discriminator(s, step)
        if s["diversity_ratio"] < self.collapse_ratio:
            self._low_diversity += 1
        else:
            self._low_diversity = 0
        if self._low_diversity >= self.patience:
            extra = ""
            loss = self.model.loss
            if isinstance(loss, BoundaryEquilibrium):
                extra = (
                    f"; BEGAN's k_t is {float(loss.k):.3g} (near 0, D only autoencodes the real images and nothing "
                    "pushes the fakes apart)"
                )
            elif "mean_d_acc_fake" in s and not isinstance(loss, EnergyMargin):  # energies are no logits
                extra = f"; D calls {1 - s['mean_d_acc_fake']:.0%} of the fakes real over the last {len(self._series['d_acc_fake'])} steps"
            self._warn(
                step,
                "mode_collapse",
                f"possible mode collapse: samples from {self.num_samples} different latents differ "
                f"{s['diversity_ratio']:.2f}× as much as real images do (threshold {self.collapse_ratio}, "
                f"{self._low_diversity} probes in a row){extra}. The generator maps many latents to few outputs.",
            )
        for key in ("d_loss", "g_loss"):
            score, crossings = s.get(f"oscillation_{key}", float("nan")), s.get(f"crossings_{key}", 0)
            if score >= self.oscillation_threshold and crossings >= 4:
                self._warn(
                    step,
                    "oscillation",
                    f"non-convergence: {key} oscillates over the last {self.window} steps (swing {score:.1f}× "
                    f"its step-to-step noise, threshold {self.oscillation_threshold}; {crossings} crossings of its "
                    "trend, i.e. about {:.0f} cycles). The two networks keep undoing each other's progress.".format(
                        crossings / 2
                    ),
                )

    def _check_discriminator(self, s, step):
        evidence = []
        shift_invariant = self.model.loss.shift_invariant
        full = len(self._series["d_loss"]) >= self.window
        if full and not shift_invariant:
            acc_real, acc_fake, d_loss = s["mean_d_acc_real"], s["mean_d_acc_fake"], s["mean_d_loss"]
            if min(acc_real, acc_fake) >= self.accuracy_threshold and d_loss < self.d_loss_floor:
                evidence.append(
                    f"over the last {self.window} steps D classified {acc_real:.1%} of real and {acc_fake:.1%} of "
                    f"fake images correctly (threshold {self.accuracy_threshold:.0%}) and its mean loss "
                    f"d_loss = {d_loss:.4f} is near 0 (threshold {self.d_loss_floor})"
                )
        g_norm = s["g_grad_norm"]
        # For losses with a fixed zero a small generator gradient is only
        # alarming when D also wins (the minimax loss saturating); with
        # Wasserstein-type losses the accuracy says nothing, the gradient alone counts.
        d_wins = shift_invariant or (
            full and min(s["mean_d_acc_real"], s["mean_d_acc_fake"]) >= self.accuracy_threshold
        )
        if d_wins and self._max_g_grad > 0 and g_norm < self.vanishing_ratio * self._max_g_grad:
            evidence.append(
                f"the generator's gradient norm {g_norm:.3g} is {g_norm / self._max_g_grad:.1e} of its peak "
                f"{self._max_g_grad:.3g} (threshold {self.vanishing_ratio:g}): the generator barely learns"
            )
        self._max_g_grad = max(self._max_g_grad, g_norm)
        for part in self.model.parts():
            if isinstance(part, Diffusion) and float(part.T) >= part.t_max:
                evidence.append(
                    f"Diffusion's T is at its t_max = {part.t_max} and D is still too sure of the real images "
                    f"(r_d = {float(part.r_d):.2f}, target {part.target})"
                )
        if evidence:
            self._warn(
                step,
                "discriminator_overpowering",
                "the discriminator is overpowering the generator: " + "; ".join(evidence) + ".",
            )

    def _nonfinite(self, step, where):
        stopping = self.stop_on_nonfinite
        self._warn(
            step,
            "nonfinite",
            f"non-finite values at generator step {step}: {where}. Training has diverged"
            + ("; stopping (stop_on_nonfinite=True)." if stopping else "."),
        )
        if stopping:
            self.model.stop_training = True

    def _warn(self, step, kind, message):
        last = self._last_warned.get(kind)
        if last is not None and step - last < self.cooldown:
            return
        self._last_warned[kind] = step
        advice = remedies(kind)
        full = f"Diagnostics: {message} Remedies: {advice}."
        self.warnings.append(DiagnosticRecord(step, kind, full))
        if self.warnings_path is not None:
            self._written.append({"step": step, "kind": kind, "summary": message, "remedies": advice, "message": full})
            try:
                write_json_atomic(self.warnings_path, self._written)
            except OSError as error:  # the warning itself still goes out
                logger.warning("Diagnostics: could not write %s (%s).", self.warnings_path, error)
        warnings.warn(full, GANDiagnosticWarning, stacklevel=2)

    def _write_summaries(self, s, step):
        if self.tensorboard_dir is None:
            return
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.tensorboard_dir))
        names = (
            "d_grad_norm",
            "g_grad_norm",
            "diversity_ratio",
            "oscillation_d_loss",
            "oscillation_g_loss",
            "mean_d_acc_real",
            "mean_d_acc_fake",
            *(n for part in self.model.parts() for n in (*part.d_metrics, *part.g_metrics)),
        )
        with self._writer.as_default():
            for name in names:
                if name in s and math.isfinite(s[name]):
                    tf.summary.scalar(f"diagnostics/{name}", s[name], step=step)
        self._writer.flush()


def read_warnings(path):
    """The warnings a `Diagnostics(warnings_path=path)` wrote: a list of dicts; [] when there is no such file.

    A file that cannot be read as such a list is logged and read as empty.
    """
    if not os.path.exists(path):
        return []
    try:
        with open(path) as f:
            records = json.load(f)
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ValueError("not a list of warnings")
    except (OSError, ValueError) as error:
        logger.warning("Diagnostics: %s could not be read (%s); ignoring it.", path, error)
        return []
    return records


def _snapshot(model):
    """Values of every non-trainable variable (BatchNorm statistics, random streams, trackers, ...)."""
    return [(v, keras.ops.convert_to_numpy(v).copy()) for v in model.non_trainable_variables]


def _restore(snapshot):
    for variable, value in snapshot:
        variable.assign(value)
