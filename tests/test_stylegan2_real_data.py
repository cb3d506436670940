"""Real-data test (slow): StyleGAN2 at 32×32 on ../shared/data/anime_faces, scored by SWD on held-out faces."""

import keras
import numpy as np
import pytest

import kerasgan

pytestmark = pytest.mark.slow

#: the step budget: 1,000 steps of 16 faces (about 110 CPU-seconds on an idle core, SWD included)
STEPS, BATCH = 1000, 16


@pytest.fixture(scope="module")
def faces_run(shared_data):
    folder = shared_data("anime_faces")  # absent: a skip here, a failure in CI (KERASGAN_REQUIRE_DATA=1)
    dataset = kerasgan.data.image_folder(folder, image_size=32, batch_size=500, shuffle=False, cache=False)
    images = np.concatenate([np.asarray(b) for b in dataset])
    train, held_out = images[:4500], images[4500:]
    keras.utils.set_random_seed(0)
    gan = kerasgan.models.StyleGAN2.for_images(
        (32, 32, 3), latent_dim=64, base_filters=16, max_filters=32, mapping_layers=4, seed=0
    )
    gan.compile()

    def score():
        return kerasgan.metrics.swd(held_out, gan.generate(500, seed=1), patches_per_image=32, seed=0)["swd"]

    before = score()
    rng = np.random.default_rng(0)
    order = np.concatenate([rng.permutation(len(train)) for _ in range(-(-STEPS * BATCH // len(train)))])
    history = gan.fit(train[order[: STEPS * BATCH]], epochs=1, batch_size=BATCH, shuffle=False, verbose=0).history
    return gan, before, score(), history


def test_swd_to_held_out_faces_falls_below_the_measured_bound(faces_run):
    gan, before, after, history = faces_run
    print(f"StyleGAN2 32×32, {STEPS} steps of {BATCH}: SWD×1e3 {before:.1f} at init → {after:.1f}")
    # measured (seed 0, TF 2.21 CPU): 145.4 at initialization, 56.1 after 1,000 steps (53.0 before the path-length
    # pass mixed styles as the main pass does; 148.2 → 54.9 before the leaky ReLU gain of the demodulated layers was
    # restored)
    assert after < 80.0
    assert after < 0.55 * before
    assert int(gan.g_optimizer.iterations) == STEPS
    assert np.isfinite(history["pl"]).all() and history["pl_mean"][-1] > 0  # the path-length mean is tracked


def test_truncation_trades_diversity_for_typicality_on_the_trained_model(faces_run):
    gan = faces_run[0]
    spread = [gan.generate(200, seed=2, truncation_psi=psi).std(axis=0).mean() for psi in (0.0, 0.5, 1.0)]
    assert spread[0] < 1e-5 < spread[1] < spread[2], spread
