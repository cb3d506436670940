"""StyleGAN2 against the DCGAN default recipe on the anime faces at 32×32, given the same training time.

Both models train, one after the other in this invocation, for `--budget`
seconds of this process's CPU time (user + system, so that the load of other
processes on a shared machine counts against neither; wall seconds are
printed too), on the first 4,500 faces; then 500 samples of each are scored
by the Laplacian SWD (×10³) against the 500 held-out faces. Printed: each
model's steps, seconds and SWD, and the ratio StyleGAN2 / DCGAN (below 1:
StyleGAN2 is better for that budget).

    python benchmarks/stylegan2_vs_dcgan.py [--budget 90] [--data ../shared/data/anime_faces]
"""

import argparse
import os
import pathlib
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kerasgan  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def cpu_seconds():
    times = os.times()
    return times.user + times.system


class Budget(keras.callbacks.Callback):
    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.cpu, self.wall = cpu_seconds(), time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if cpu_seconds() - self.cpu >= self.seconds:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.cpu, self.wall = cpu_seconds() - self.cpu, time.perf_counter() - self.wall


def run(name, gan, train, held_out, batch_size, budget):
    keras.utils.set_random_seed(0)
    gan.compile()
    clock = Budget(budget)
    repeats = 50  # more data than any budget uses; the callback stops the run
    data = np.concatenate([np.random.default_rng(i).permutation(train) for i in range(repeats)])
    gan.fit(data, epochs=1, batch_size=batch_size, shuffle=False, verbose=0, callbacks=[clock])
    score = kerasgan.metrics.swd(held_out, gan.generate(len(held_out), seed=1), patches_per_image=32, seed=0)["swd"]
    steps = int(gan.g_optimizer.iterations)
    print(
        f"{name:10s} {steps:6d} steps of {batch_size:3d}  {clock.cpu:6.1f} CPU-s  {clock.wall:6.1f} wall-s  SWD {score:6.1f}"
    )
    return score


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "anime_faces"))
    parser.add_argument("--budget", type=float, default=90.0, help="CPU seconds of training per model")
    args = parser.parse_args()
    dataset = kerasgan.data.image_folder(args.data, image_size=32, batch_size=500, shuffle=False, cache=False)
    images = np.concatenate([np.asarray(b) for b in dataset])
    train, held_out = images[:4500], images[4500:]
    halves = kerasgan.metrics.swd(held_out, train[:500], patches_per_image=32, seed=0)["swd"]
    print(f"reference: SWD of 500 training faces to the held-out ones {halves:.1f}")
    keras.utils.set_random_seed(0)
    dcgan = kerasgan.models.DCGAN.for_images((32, 32, 3), seed=0)
    dcgan_swd = run("dcgan", dcgan, train, held_out, 64, args.budget)
    keras.utils.set_random_seed(0)
    style = kerasgan.models.StyleGAN2.for_images(
        (32, 32, 3), latent_dim=64, base_filters=16, max_filters=32, mapping_layers=4, seed=0
    )
    style_swd = run("stylegan2", style, train, held_out, 16, args.budget)
    print(f"ratio StyleGAN2 / DCGAN SWD: {style_swd / dcgan_swd:.2f}")


if __name__ == "__main__":
    main()
