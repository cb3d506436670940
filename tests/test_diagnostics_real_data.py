"""Diagnostics on a healthy real-data run (slow): the default DCGAN on MNIST must trigger no warning.

Measured here (seed 0, 2,000 steps, probes every 100 steps; after the 500-step
warmup unless said otherwise), against the default thresholds:

- diversity ratio 0.94-1.01 (collapse below 0.25; whole run from 0.30 at step 100);
- mean D accuracy on real 0.89-0.94, on fake 0.89-0.93 (overpowering at >= 0.98 on both);
- mean d_loss 0.45-0.71 (overpowering below 0.1);
- g_grad_norm 6.5-14.9 over the whole run, never below 43% of its peak (vanishing: 5%);
- oscillation score of d_loss 0.88-2.75 (with 5 crossings at its peak), of g_loss
  0.22-0.33, 2.57 before the warmup (oscillation at >= 4 with >= 4 crossings);
- the probes took 9 s of the run's 160 s (2 cores shared with other jobs).
"""

import warnings

import keras
import numpy as np
import pytest

import kerasgan

pytestmark = pytest.mark.slow

STEPS, MAX_SECONDS = (
    2000,
    400,
)  # ~1-2 CPU-minutes on an idle machine; counted in steps, so load does not change the outcome


def test_healthy_mnist_dcgan_run_fires_no_diagnostic(shared_data):
    mnist = shared_data("mnist")
    keras.utils.set_random_seed(0)
    dataset = kerasgan.data.load_dataset(mnist, batch_size=64, seed=0)
    reference = next(iter(dataset))[:64]
    gan = kerasgan.models.DCGAN.for_images((28, 28, 1), seed=0)
    gan.compile()  # the default recipe
    diagnostics = kerasgan.callbacks.Diagnostics(reference, every_n_batches=100)
    limit = kerasgan.callbacks.TimeLimit(MAX_SECONDS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", kerasgan.callbacks.GANDiagnosticWarning)
        gan.fit(dataset.repeat(), epochs=1, steps_per_epoch=STEPS, callbacks=[diagnostics, limit], verbose=0)

    history = diagnostics.history
    after_warmup = [h for h in history if h["step"] >= diagnostics.warmup_steps]

    def span(key, rows=after_warmup):
        values = np.array([h[key] for h in rows if key in h], dtype="float64")
        return f"{key} {values.min():.3g}..{values.max():.3g}"

    print(
        f"\nHealthy DCGAN/MNIST: {int(gan.g_optimizer.iterations)} steps in {limit.elapsed:.0f}s "
        f"({diagnostics.probe_seconds:.1f}s in {len(history)} probes); after the {diagnostics.warmup_steps}-step warmup: "
        + ", ".join(
            span(k)
            for k in (
                "diversity_ratio",
                "mean_d_acc_real",
                "mean_d_acc_fake",
                "mean_d_loss",
                "mean_g_loss",
                "d_grad_norm",
                "g_grad_norm",
                "oscillation_d_loss",
                "oscillation_g_loss",
            )
        )
        + f"; whole run: {span('diversity_ratio', history)}, {span('g_grad_norm', history)}; "
        + f"g_grad_norm / its peak >= {min(h['g_grad_norm'] for h in history) / max(h['g_grad_norm'] for h in history):.3f}; "
        + "crossings at the highest oscillation scores: "
        + ", ".join(
            f"{key} {max((h[f'oscillation_{key}'], h[f'crossings_{key}']) for h in history if f'oscillation_{key}' in h)}"
            for key in ("d_loss", "g_loss")
        )
    )
    assert int(gan.g_optimizer.iterations) >= 1500, "the run was cut short; its signals would not say much"
    assert len(after_warmup) >= 10
    assert diagnostics.warnings == [], [w.message for w in diagnostics.warnings]
    assert not [w for w in caught if issubclass(w.category, kerasgan.callbacks.GANDiagnosticWarning)]
    # The probes saw a working run, so the silence means something.
    assert all(np.isfinite(h["d_grad_norm"]) and h["g_grad_norm"] > 0 for h in history)
    assert min(h["diversity_ratio"] for h in after_warmup) > diagnostics.collapse_ratio
