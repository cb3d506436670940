"""BiGAN and the adversarial autoencoder on MNIST (the 10,000 test digits of ../shared/data/mnist): numbers printed.

BiGAN: 1-nearest-neighbour accuracy (cosine distance, Donahue et al.'s
choice) of encoder features, 8,000 digits as the reference set and 2,000
held out, against the same encoder at initialization; reconstructions
G(E(x)) of the held-out digits that the yardstick classifier gives x's label.
AAE (N(0, I) prior): decoded prior samples' yardstick confidence and class
fractions; held-out encodings against the prior: per-dimension mean and
standard deviation, and MMD² (polynomial kernel) against as many prior draws,
beside the MMD² of two independent prior samples (its noise level).
The yardstick classifier is trained on all 10,000 digits: it scores, it is not scored.

    python benchmarks/inference_mnist.py --steps 1500
"""

import argparse
import pathlib
import sys
import time

import keras
import numpy as np

import kerasgan

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from mnist_yardstick import mnist_and_classifier  # noqa: E402


def one_nn_accuracy(train, train_labels, test, test_labels):
    a = train / (np.linalg.norm(train, axis=1, keepdims=True) + 1e-12)
    b = test / (np.linalg.norm(test, axis=1, keepdims=True) + 1e-12)
    return float(np.mean(train_labels[np.argmax(b @ a.T, axis=1)] == test_labels))


def fit(model, images, steps, batch_size, seed):
    data = kerasgan.data.from_array(images, batch_size=batch_size, seed=seed)
    epochs = -(-steps * batch_size // len(images))
    start = time.process_time()
    model.fit(data.repeat(), epochs=epochs, steps_per_epoch=steps // epochs, verbose=0)
    return time.process_time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(pathlib.Path(__file__).resolve().parents[2] / "shared/data/mnist"))
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", default="bigan,aae")
    args = parser.parse_args()
    real, labels, classifier = mnist_and_classifier(pathlib.Path(args.data))
    train, test = real[:8000], real[8000:]
    train_labels, test_labels = labels[:8000], labels[8000:]
    keras.utils.set_random_seed(args.seed)
    if "bigan" in args.models:
        bigan = kerasgan.models.BiGAN(image_shape=(28, 28, 1), latent_dim=50, seed=args.seed)
        bigan.compile()
        before = one_nn_accuracy(bigan.encode(train), train_labels, bigan.encode(test), test_labels)
        cpu = fit(bigan, train, args.steps, args.batch_size, args.seed)
        after = one_nn_accuracy(bigan.encode(train), train_labels, bigan.encode(test), test_labels)
        probs = classifier.predict(bigan.reconstruct(test), verbose=0)
        kept = float(np.mean(probs.argmax(axis=1) == test_labels))
        print(
            f"BiGAN, {args.steps} steps ({cpu:.0f} CPU s): encoder 1-NN accuracy {after:.3f} (at init {before:.3f}); "
            f"reconstructions keep the digit {kept:.3f} (chance 0.1)"
        )
    if "aae" in args.models:
        aae = kerasgan.models.AdversarialAutoencoder(image_shape=(28, 28, 1), latent_dim=8, seed=args.seed)
        aae.compile()
        cpu = fit(aae, train, args.steps, args.batch_size, args.seed)
        scores = kerasgan.metrics.classifier_scores(classifier, aae.generate(2000, seed=1))
        codes = aae.encode(test)
        prior = np.random.default_rng(2).standard_normal(codes.shape)
        noise = np.random.default_rng(3).standard_normal(codes.shape)
        print(
            f"AAE, {args.steps} steps ({cpu:.0f} CPU s): prior samples' confidence {scores['mean_confidence']:.3f}, "
            f"smallest digit fraction {scores['min_class_fraction']:.3f}; held-out codes: mean "
            f"{np.abs(codes.mean(0)).max():.3f} (max |.| over dims), std {codes.std(0).min():.3f}-{codes.std(0).max():.3f}, "
            f"MMD² vs the prior {kerasgan.metrics.mmd2_unbiased(codes, prior):.4f} "
            f"(two prior samples: {kerasgan.metrics.mmd2_unbiased(noise, prior):.4f})"
        )


if __name__ == "__main__":
    main()
