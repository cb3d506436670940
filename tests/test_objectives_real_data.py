"""Real-data quality tests (slow) of the objectives of tests/test_objectives.py, on MNIST with a step budget.

Every model is judged by one yardstick, trained once for the module on the real digits: its mean
confidence on 1,000 samples and every digit's share of them. The bars are stated per model, below
what was measured at these budgets (seed 0); the budgets and widths (base_filters 32 for the new
ones) are CI-sized, not the papers'.

BEGAN has no test yet: at CI budgets (800-1,200 steps, widths 16 and 32, γ 0.5-0.7, λ_k 0.001-0.03,
learning rates 1e-4-3e-4) it collapsed onto one or a few digits every time (see issue 15's note).
"""

import keras
import numpy as np
import pytest
from mnist_yardstick import mnist_and_classifier

import kerasgan

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mnist(shared_data):
    path = shared_data("mnist")
    keras.utils.set_random_seed(0)  # a module fixture runs before conftest's per-test seeding
    return path, mnist_and_classifier(path)[2]


def train(gan, mnist_dir, steps, lr=None, epochs=4):
    """Fits `gan` for `steps` batches of 64 digits (Adam(lr, β1 = 0.5) for both, or the model's default).

    The steps are cut into `epochs` so the history shows a trend (one epoch-mean per quarter).
    """
    if lr is None:
        gan.compile()
    else:
        gan.compile(
            d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5), g_optimizer=keras.optimizers.Adam(lr, beta_1=0.5)
        )
    dataset = kerasgan.data.load_dataset(mnist_dir, batch_size=64, seed=0)
    history = gan.fit(dataset.repeat(), epochs=epochs, steps_per_epoch=steps // epochs, verbose=0).history
    assert int(gan.g_optimizer.iterations) == steps
    return history


def digit_scores(name, gan, classifier):
    scores = kerasgan.metrics.classifier_scores(classifier, gan.generate(1000, seed=1))
    print(
        f"\n{name} on MNIST, {int(gan.g_optimizer.iterations)} steps: mean confidence "
        f"{scores['mean_confidence']:.3f}, class fractions {np.round(scores['class_fractions'], 3).tolist()}"
    )
    return scores


def test_fgan_squared_hellinger_learns_mnist_digits(mnist):
    mnist_dir, classifier = mnist
    keras.utils.set_random_seed(0)
    gan = kerasgan.models.FGAN.for_images((28, 28, 1), divergence="squared_hellinger", seed=0)
    history = train(gan, mnist_dir, 2500)
    scores = digit_scores("FGAN (squared Hellinger)", gan, classifier)
    # Measured 0.642 and a smallest share of 0.037 at 2,500 steps (DCGAN's 0.8 takes 4,000) with two TensorFlow
    # threads; the same seed on one thread gave a smallest share of 0.008, so the share's bar only rules out a
    # digit that is never drawn.
    assert scores["mean_confidence"] >= 0.55
    assert scores["min_class_fraction"] >= 0.004, "some digit is (almost) never generated: mode collapse"
    # −d_loss is the run's mean estimate of the squared Hellinger distance Σ(√p − √q)², in [0, 2].
    assert 0.0 < -history["d_loss"][-1] <= 2.0


def test_ebgan_learns_mnist_digits(mnist):
    mnist_dir, classifier = mnist
    keras.utils.set_random_seed(0)
    gan = kerasgan.models.EBGAN.for_images((28, 28, 1), base_filters=32, seed=0)
    train(gan, mnist_dir, 1000)
    scores = digit_scores("EBGAN", gan, classifier)
    # Measured 0.714 and a smallest share of 0.013 (every digit drawn) at 1,000 steps.
    assert scores["mean_confidence"] >= 0.65
    assert scores["min_class_fraction"] >= 0.004, "some digit is (almost) never generated: mode collapse"


def test_diffusion_gan_learns_mnist_digits_and_raises_t(mnist):
    mnist_dir, classifier = mnist
    keras.utils.set_random_seed(0)
    diffusion = kerasgan.parts.Diffusion()
    gan = kerasgan.models.DCGAN.for_images((28, 28, 1), base_filters=32, augment=diffusion, seed=0)
    history = train(gan, mnist_dir, 1000, lr=2e-4)
    scores = digit_scores("DCGAN + Diffusion", gan, classifier)
    # Measured 0.734 and a smallest share of 0.020 at 1,000 steps.
    assert scores["mean_confidence"] >= 0.65
    assert scores["min_class_fraction"] >= 0.01, "some digit is (almost) never generated: mode collapse"
    # D was too sure of the real digits (r_d above its 0.6 target; 0.75 in a run without op determinism), so T rose from
    # t_min = 10 (208 by the last quarter in that run)
    assert history["diffusion_r_d"][-1] > diffusion.target
    assert history["diffusion_T"][-1] > 2 * diffusion.t_min
