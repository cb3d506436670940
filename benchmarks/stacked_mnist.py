"""Stacked MNIST (1,000 modes): modes captured and KL to uniform of a trained DCGAN, with and without PacGAN.

The data: three digits of ../shared/data/mnist (the 10,000 test digits) as
the R, G and B channels (`kerasgan.data.stacked_mnist`). Each model trains
--steps steps of batch --batch-size, then --samples generated images are
scored by `kerasgan.metrics.stacked_mnist_modes` with the yardstick
classifier (tests/mnist_yardstick.py, trained on the same 10,000 digits: it
scores, it is not scored). The baseline of the same invocation is as many
real stacked images through the same classifier: it shows what a perfect
generator would score at this sample size (a ratio of 1.00), and the
classifier's own errors.

    python benchmarks/stacked_mnist.py --steps 2000 --models dcgan,pacgan
"""

import argparse
import pathlib
import sys
import time

import keras

import kerasgan

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from mnist_yardstick import mnist_and_classifier  # noqa: E402


def build(kind, seed):
    augment = kerasgan.parts.PacGAN(2) if kind == "pacgan" else None
    return kerasgan.models.DCGAN.for_images((28, 28, 3), latent_dim=100, augment=augment, seed=seed)


def line(name, scores, reference):
    return (
        f"{name:8s} modes {scores['modes_captured']:4d}/1000 (x{scores['modes_captured'] / reference['modes_captured']:.2f} "
        f"of real), KL to uniform {scores['reverse_kl']:.3f} (real {reference['reverse_kl']:.3f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(pathlib.Path(__file__).resolve().parents[2] / "shared/data/mnist"))
    parser.add_argument("--models", default="dcgan,pacgan")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--samples", type=int, default=26000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    real, labels, classifier = mnist_and_classifier(pathlib.Path(args.data))
    stacked, _ = kerasgan.data.stacked_mnist(real, labels, args.steps * args.batch_size, seed=args.seed)
    held_out, _ = kerasgan.data.stacked_mnist(real, labels, args.samples, seed=args.seed + 1)
    reference = kerasgan.metrics.stacked_mnist_modes(classifier, held_out)
    print(line("real", reference, reference), flush=True)
    for kind in args.models.split(","):
        keras.utils.set_random_seed(args.seed)
        gan = build(kind, args.seed)
        gan.compile()
        start = time.process_time()
        data = kerasgan.data.from_array(stacked, batch_size=args.batch_size, seed=args.seed)
        gan.fit(data, epochs=1, verbose=0)
        cpu = time.process_time() - start
        scores = kerasgan.metrics.stacked_mnist_modes(classifier, gan.generate(args.samples, seed=args.seed + 2))
        print(f"{line(kind, scores, reference)}; {args.steps} steps, {cpu:.0f} CPU s", flush=True)


if __name__ == "__main__":
    main()
