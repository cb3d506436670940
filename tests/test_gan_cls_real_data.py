"""GAN-CLS on the captioned MNIST (slow): do the images follow the caption's digit, and does D read the text?

One model, trained once on a step budget (1,750 steps: 121 CPU-seconds for the
whole file, yardstick included, measured with /usr/bin/time on 2 shared cores),
answers both. This deterministic run (seed 0) measured: 0.562 of 1,000 samples
are the named digit (per digit from 0.13 for "eight" to 1.0 for "one"; 0.532
before the wrong caption was made one that differs from the right one), below the issue's 0.8, which this budget does not reach (see
benchmarks/text_to_image.py: 0.54 after 2,000 steps, against 0.95 for a
one-hot cGAN); a wrong caption lowers D's score for 0.979 of 1,000 real digits
(mean logit 0.65 → -4.48; 0.972 before). The thickness words do not move the measured
thickness at this budget ("thin" 2.05 px, "thick" 2.06 px for the same
latents in an earlier run, thicker for 0.56 of them), so no test asserts it.
"""

import keras
import numpy as np
import pytest
from conftest import require_shared_data
from mnist_yardstick import mnist_and_classifier

import kerasgan
from kerasgan.data.captions import describe

pytestmark = pytest.mark.slow

# Generator steps, so that the outcome does not depend on the machine's speed.
STEPS = 1750
PER_DIGIT = 100


@pytest.fixture(scope="module")
def trained():
    mnist = require_shared_data("mnist")
    keras.utils.set_random_seed(1234)  # as conftest's per-test seeding, which runs after a module fixture
    real, labels, classifier = mnist_and_classifier(mnist)
    keras.utils.set_random_seed(0)
    data = kerasgan.data.captioned_mnist_dataset(mnist, batch_size=64, seed=0)
    encoder = kerasgan.networks.text_encoder(kerasgan.data.caption_words())
    gan = kerasgan.models.GANCLS.for_images((28, 28, 1), text_encoder=encoder, seed=0)
    gan.compile()  # Reed et al.'s Adam(2e-4, 0.5)
    gan.fit(data.repeat(), epochs=1, steps_per_epoch=STEPS, verbose=0)
    assert int(gan.g_optimizer.iterations) == STEPS
    return gan, classifier, real, labels


def test_a_caption_naming_a_digit_generates_that_digit(trained):
    gan, classifier, _, _ = trained
    named = np.repeat(np.arange(10), PER_DIGIT)
    images = gan.generate(captions=[describe(int(d)) for d in named], n=len(named), seed=1)
    predicted = classifier.predict(images, verbose=0).argmax(1)
    per_digit = [(predicted[named == d] == d).mean() for d in range(10)]
    accuracy = (predicted == named).mean()
    print(f"\n{accuracy:.3f} of {len(named)} samples are the named digit (per digit {np.round(per_digit, 2).tolist()})")
    assert accuracy >= 0.4  # measured 0.562; 0.1 (chance) if the caption were ignored


def test_a_wrong_caption_lowers_the_discriminators_score_for_a_real_image(trained):
    gan, _, real, labels = trained
    images, digits = real[-1000:], labels[-1000:]  # the digits fit() also saw: D's score, not a held-out test
    wrong = (digits + 1 + np.arange(len(digits)) % 9) % 10  # every other digit, in turn
    right_scores = gan.match_scores(images, captions=[describe(int(d)) for d in digits])
    wrong_scores = gan.match_scores(images, captions=[describe(int(d)) for d in wrong])
    lower = np.mean(wrong_scores < right_scores)
    print(
        f"\nD(real, right caption) {right_scores.mean():.2f}, D(real, wrong caption) {wrong_scores.mean():.2f} "
        f"(logits); lower for {lower:.3f} of {len(images)} real images"
    )
    assert lower >= 0.9  # measured 0.979; 0.5 if D ignored the text
