"""Conditional models on real MNIST digits (slow): does each generate what it is asked for?"""

import keras
import numpy as np
import pytest
from mnist_yardstick import mnist_and_classifier

import kerasgan

pytestmark = pytest.mark.slow

# Generator-step budgets (the outcome does not depend on the machine's speed);
# the time limits only cap a pathologically slow run.
CONDITIONAL_STEPS, CONDITIONAL_MAX_SECONDS = 2500, 400


def normalized_mutual_information(a, b):
    """NMI of two integer labellings: I(a; b) / mean(H(a), H(b)) (the arithmetic normalization)."""
    joint = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(joint, (a, b), 1.0)
    joint /= joint.sum()
    pa, pb = joint.sum(axis=1), joint.sum(axis=0)
    nonzero = joint > 0
    mutual = np.sum(joint[nonzero] * np.log(joint[nonzero] / np.outer(pa, pb)[nonzero]))
    entropy = lambda p: -np.sum(p[p > 0] * np.log(p[p > 0]))  # noqa: E731
    return mutual / ((entropy(pa) + entropy(pb)) / 2)


def test_normalized_mutual_information_reference_values():
    a = np.repeat(np.arange(4), 24)
    assert normalized_mutual_information(a, a) == pytest.approx(1.0)
    assert normalized_mutual_information(a, (a + 1) % 4) == pytest.approx(1.0)  # a relabelling
    # each value of a meets each value of b equally often: independent
    assert normalized_mutual_information(a, np.tile(np.arange(4), 24)) == pytest.approx(0.0, abs=1e-12)
    # one of two classes split in half: I = ln 2, H(a) = ln 2, H(b) = 1.5 ln 2
    a, b = np.array([0, 0, 1, 1]), np.array([0, 0, 1, 2])
    assert normalized_mutual_information(a, b) == pytest.approx(1 / 1.25)


@pytest.mark.parametrize("model_class", [kerasgan.models.ConditionalGAN, kerasgan.models.ACGAN], ids=["cgan", "acgan"])
def test_conditional_models_generate_the_requested_digit(model_class, shared_data):
    mnist = shared_data("mnist")
    _, _, classifier = mnist_and_classifier(mnist)
    keras.utils.set_random_seed(0)
    dataset = kerasgan.data.load_dataset(mnist, batch_size=64, seed=0, labels=True)
    gan = model_class.for_images((28, 28, 1), num_classes=10, seed=0)
    gan.compile()  # the default recipe, Adam(2e-4, 0.5)
    limit = kerasgan.callbacks.TimeLimit(CONDITIONAL_MAX_SECONDS)
    gan.fit(dataset.repeat(), epochs=1, steps_per_epoch=CONDITIONAL_STEPS, callbacks=[limit], verbose=0)

    requested = np.repeat(np.arange(10), 100)
    predicted = classifier.predict(gan.generate(labels=requested, latents=None, n=1000, seed=1), verbose=0).argmax(1)
    per_class = [(predicted[requested == k] == k).mean() for k in range(10)]
    accuracy = (predicted == requested).mean()
    print(
        f"\n{model_class.__name__} on MNIST after {limit.elapsed:.0f}s, {int(gan.g_optimizer.iterations)} steps: "
        f"{accuracy:.3f} of 1,000 samples are the requested digit (per digit {np.round(per_class, 2).tolist()})"
    )
    assert accuracy >= 0.85


# InfoGAN: digits are discovered without labels. The categorical code alone
# (no continuous codes, which halved the NMI's rise), default λ_cat = 2. This
# deterministic run (seed 0, fixed before λ was tuned) measured NMI 0.666
# after 6,000 steps. Other seeds are slower (exploration runs, same recipe:
# seed 1 0.564, seed 2 0.479 at 6,000 steps, still rising), so the 0.6
# holds for this run, not for every seed.
INFOGAN_STEPS, INFOGAN_MAX_SECONDS = 6000, 900


def test_infogan_categorical_code_discovers_the_digits(shared_data):
    mnist = shared_data("mnist")
    _, _, classifier = mnist_and_classifier(mnist)
    keras.utils.set_random_seed(0)
    dataset = kerasgan.data.load_dataset(mnist, batch_size=64, seed=0)  # images only: no labels
    gan = kerasgan.models.InfoGAN.for_images(
        (28, 28, 1), latent_dim=62, categorical_codes=(10,), continuous_codes=0, seed=0
    )
    gan.compile()  # the paper's learning rates: 2e-4 for D and Q, 1e-3 for G
    limit = kerasgan.callbacks.TimeLimit(INFOGAN_MAX_SECONDS)
    gan.fit(dataset.repeat(), epochs=1, steps_per_epoch=INFOGAN_STEPS, callbacks=[limit], verbose=0)

    codes = np.repeat(np.arange(10), 100)
    predicted = classifier.predict(gan.generate(1000, codes={"categorical": codes}, seed=1), verbose=0).argmax(1)
    nmi = normalized_mutual_information(codes, predicted)
    print(
        f"\nInfoGAN on MNIST after {limit.elapsed:.0f}s, {int(gan.g_optimizer.iterations)} steps: NMI between "
        f"the categorical code and the classifier's digit {nmi:.3f}"
    )
    assert nmi >= 0.6
