"""StackGAN on the captioned MNIST: stage I at 14×14, then stage II at 28×28 from it; does each draw the named digit?

    python benchmarks/stackgan.py [--steps 1000] [--stage2-steps N] [--data DIR]

Stage I trains `--steps` generator steps on the digits downsampled to 14×14,
stage II `--stage2-steps` (default the same) on the 28×28 digits with stage I
frozen; both Adam(2e-4, 0.5), batch 64, seed 0, the default networks. After
each it prints the CPU seconds (user + system) of its training and the share of
1,000 samples ("a zero" ... "a nine", 100 each) that a classifier trained on
the real digits (tests/mnist_yardstick.py) calls the named digit: stage I's
samples upsampled to 28×28 (bilinear), stage II's as they are, from the same
latents.
"""

import argparse
import os
import pathlib
import sys

import keras
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from mnist_yardstick import mnist_and_classifier  # noqa: E402

import kerasgan  # noqa: E402
from kerasgan.data.captions import describe  # noqa: E402


def _cpu_seconds():
    times = os.times()
    return times.user + times.system


def _agreement(classifier, images, named):
    if images.shape[1] != 28:
        images = keras.ops.convert_to_numpy(keras.ops.image.resize(images, (28, 28), interpolation="bilinear"))
    predicted = classifier.predict(images, verbose=0).argmax(1)
    return (predicted == named).mean(), [round(float((predicted[named == d] == d).mean()), 2) for d in range(10)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--stage2-steps", type=int)
    parser.add_argument(
        "--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist")
    )
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    _, _, classifier = mnist_and_classifier(pathlib.Path(args.data))
    named = np.repeat(np.arange(10), 100)
    captions = [describe(int(d)) for d in named]
    latents = np.random.default_rng(1).standard_normal((len(named), 100)).astype("float32")

    keras.utils.set_random_seed(0)
    encoder = kerasgan.networks.text_encoder(kerasgan.data.caption_words())
    stage1 = kerasgan.models.StackGAN.for_images((14, 14, 1), stage=1, text_encoder=encoder, seed=0)
    stage1.compile()
    data = kerasgan.data.captioned_mnist_dataset(args.data, batch_size=64, seed=0, image_size=14)
    start = _cpu_seconds()
    stage1.fit(data.repeat(), epochs=1, steps_per_epoch=args.steps, verbose=0)
    cpu = _cpu_seconds() - start
    share, per_digit = _agreement(classifier, stage1.generate(latents=latents, captions=captions), named)
    print(f"stage I, {args.steps} steps at 14×14, {cpu:.0f} CPU-s: {share:.3f} are the named digit {per_digit}")

    stage2 = kerasgan.models.StackGAN(stage=2, stage1=stage1, seed=0)
    stage2.compile()
    steps = args.stage2_steps or args.steps
    data = kerasgan.data.captioned_mnist_dataset(args.data, batch_size=64, seed=0)
    start = _cpu_seconds()
    stage2.fit(data.repeat(), epochs=1, steps_per_epoch=steps, verbose=0)
    cpu = _cpu_seconds() - start
    share, per_digit = _agreement(classifier, stage2.generate(latents=latents, captions=captions), named)
    print(f"stage II, {steps} steps at 28×28, {cpu:.0f} CPU-s: {share:.3f} are the named digit {per_digit}")


if __name__ == "__main__":
    main()
