"""Trains the default MNIST recipe for a wall-clock budget and scores it over time.

Every `--eval-every` training seconds, 1,000 samples are scored by a small
classifier trained here on the real MNIST images: the mean top-1 confidence
(do the samples look like digits?) and the smallest fraction of samples given
to one digit (are all ten digits there?). The slow test asks for ≥ 0.8 and
≥ 3 % within 5 CPU-minutes. The clock stops while scoring. Flags override the
recipe, so a change to it is judged by measurement:

    python benchmarks/time_to_quality.py [--budget 300] [--batch-size 64] [--lr 2e-4] [--base-filters N]
"""

import argparse
import os
import pathlib
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import kerasgan  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


class Scorer(keras.callbacks.Callback):
    def __init__(self, classifier, budget, every):
        super().__init__()
        self.classifier, self.budget, self.every = classifier, budget, every

    def on_train_begin(self, logs=None):
        self.start, self.next_eval = time.perf_counter(), self.every

    def on_train_batch_end(self, batch, logs=None):
        elapsed = time.perf_counter() - self.start
        if elapsed >= self.next_eval or elapsed >= self.budget:
            paused = time.perf_counter()
            scores = kerasgan.metrics.classifier_scores(self.classifier, self.model.generate(1000, seed=1))
            print(
                f"{elapsed:6.0f}s  step {int(self.model.g_optimizer.iterations):6d}  "
                f"confidence {scores['mean_confidence']:.3f}  min digit share {scores['min_class_fraction']:.3f}  "
                f"d_loss {logs['d_loss']:.2f}  g_loss {logs['g_loss']:.2f}",
                flush=True,
            )
            self.start += time.perf_counter() - paused
            self.next_eval += self.every
        if elapsed >= self.budget:
            self.model.stop_training = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--budget", type=float, default=300.0, help="training seconds")
    parser.add_argument("--eval-every", type=float, default=30.0)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=None, help="Adam learning rate of both networks")
    parser.add_argument("--beta1", type=float, default=0.5)
    parser.add_argument("--base-filters", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    images, labels = kerasgan.data.mnist_idx(pathlib.Path(args.data) / "t10k-images-idx3-ubyte.gz")
    real = images.astype("float32") / 127.5 - 1.0
    keras.utils.set_random_seed(args.seed)
    classifier = kerasgan.networks.small_classifier((28, 28, 1), 10)
    classifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(real, labels, epochs=3, batch_size=128, verbose=0)

    dataset = kerasgan.data.load_dataset(args.data, batch_size=args.batch_size, seed=args.seed)
    extra = {"base_filters": args.base_filters} if args.base_filters else {}
    gan = kerasgan.models.DCGAN.for_images((28, 28, 1), seed=args.seed, **extra)
    if args.lr:
        gan.compile(
            d_optimizer=keras.optimizers.Adam(args.lr, beta_1=args.beta1),
            g_optimizer=keras.optimizers.Adam(args.lr, beta_1=args.beta1),
        )
    else:
        gan.compile()
    print(
        f"DCGAN base_filters={gan.base_filters}, batch {args.batch_size}, "
        f"d_optimizer {type(gan.d_optimizer).__name__}(lr={float(gan.d_optimizer.learning_rate):g}), "
        f"budget {args.budget:.0f}s"
    )
    gan.fit(dataset, epochs=10**6, verbose=0, callbacks=[Scorer(classifier, args.budget, args.eval_every)])


if __name__ == "__main__":
    main()
