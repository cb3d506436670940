"""The semi-supervised AAE against a supervised classifier of the same encoder, on MNIST with 100 labels: errors printed.

The MNIST test digits of ../shared/data/mnist: the first 8,000 are the
training images, of which `--labels` keep their label (`keep_labels`: the
same number per digit, chosen by `--seed`); the last 2,000 are held out and
scored. `SemiSupervisedAAE` trains on every training image (labels hidden)
plus a labelled minibatch per step (`kerasgan.data.semi_supervised`); the
baseline is the same encoder network (`bigan_encoder`, its first 10 outputs
as the class logits), trained with cross-entropy on the labelled images
alone, in minibatches of the AAE's labelled size, for the same number of
steps and with the same optimizer as the AAE's encoder. Both report the held-out
classification error of argmax q(y|x), the CPU seconds (user + sys) of
their training and their logs (means over the steps: one epoch of `--steps`).

    python benchmarks/semi_supervised_mnist.py --steps 1000
"""

import argparse
import pathlib
import time

import keras
import numpy as np

import kerasgan


def fit(model, dataset, steps):
    start = time.process_time()
    history = model.fit(dataset.repeat(), epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0).history
    return time.process_time() - start, history


def held_out_error(predicted, labels):
    return float(np.mean(predicted != labels))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(pathlib.Path(__file__).resolve().parents[2] / "shared/data/mnist"))
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--labels", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latent-dim", type=int, default=8)
    parser.add_argument("--models", default="aae_semi,supervised")
    args = parser.parse_args()
    images, labels = kerasgan.data.load_arrays(args.data)
    train, test = images[:8000], images[8000:]
    test_images = test.astype("float32") / 127.5 - 1.0
    test_labels = labels[8000:]
    kept = kerasgan.data.keep_labels(labels[:8000], args.labels, seed=args.seed)
    data = kerasgan.data.semi_supervised(train, kept, batch_size=args.batch_size, seed=args.seed)
    print(
        f"{args.labels} labels ({np.bincount(kept[kept >= 0]).tolist()} per digit) of 8,000 training digits; "
        f"{args.steps} steps, batch {args.batch_size} unlabelled + {min(args.batch_size, args.labels)} labelled; "
        f"error on the last 2,000 digits"
    )
    keras.utils.set_random_seed(args.seed)
    aae = kerasgan.models.SemiSupervisedAAE(
        num_classes=10, image_shape=(28, 28, 1), latent_dim=args.latent_dim, seed=args.seed
    )
    if "aae_semi" in args.models:
        aae.compile()
        before = held_out_error(aae.classify(test_images), test_labels)
        cpu, history = fit(aae, data, args.steps)
        after = held_out_error(aae.classify(test_images), test_labels)
        means = {k: round(float(v[-1]), 3) for k, v in history.items()}
        print(f"SemiSupervisedAAE: error {after:.4f} (at initialization {before:.4f}); CPU {cpu:.0f} s; logs {means}")
    if "supervised" in args.models:
        keras.utils.set_random_seed(args.seed)
        encoder = kerasgan.networks.bigan_encoder((28, 28, 1), 10 + args.latent_dim, aae.base_filters)
        classifier = keras.Model(encoder.inputs, encoder.outputs[0][:, :10], name="supervised")
        classifier.compile(
            optimizer=aae.default_optimizers()[1],  # a fresh copy of what trains the AAE's encoder
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        known = np.flatnonzero(kept >= 0)
        labelled = kerasgan.data.from_array(
            train[known], batch_size=min(args.batch_size, args.labels), seed=args.seed + 1, labels=kept[known]
        )
        cpu, history = fit(classifier, labelled, args.steps)
        predicted = np.argmax(classifier.predict(test_images, batch_size=256, verbose=0), axis=1)
        print(
            f"supervised encoder on the {args.labels} labels alone: error {held_out_error(predicted, test_labels):.4f}; "
            f"CPU {cpu:.0f} s; training loss {history['loss'][-1]:.4f}"
        )


if __name__ == "__main__":
    main()
