"""Does reading an image folder slow DCGAN training down? Folder vs in-memory array.

Trains one DCGAN on the same images served three ways, alternating them in
rounds after a warm-up so that drifts of the machine hit all of them alike:

- folder:          `kerasgan.data.image_folder` with its default cache="auto"
                   (decoded once, then served from memory: the usual case);
- folder-nocache:  `image_folder(cache=False)`, decoding every file every
                   epoch (data sets too big for memory, and every first epoch);
- array:           the same decoded images as a uint8 numpy array through
                   `kerasgan.data.from_array` (the upper bound).

Prints training images/second for each (median and best of the rounds) and
the ratio folder / array; the target is >= 0.9.

The default --base-filters is 32 rather than DCGAN's 64: on a 2-core CPU a
64-wide 64x64 step takes ~1.7 s, which hides any input cost and makes a run
last many minutes. A narrower model steps ~4x faster, so the input pipeline's
share of each step is larger and the comparison stricter.

Usage (from the repository root):
    python benchmarks/input_pipeline.py --steps 20
"""

import argparse
import os
import pathlib
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_DATA = pathlib.Path(os.environ.get("KERASGAN_DATA") or ROOT.parent / "shared" / "data") / "anime_faces"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="image folder (default: %(default)s)")
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed run")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each variant, alternated")
    parser.add_argument("--base-filters", type=int, default=32, help="DCGAN width (see the module docstring)")
    parser.add_argument("--latent-dim", type=int, default=128)
    parser.add_argument("--skip-nocache", action="store_true", help="do not time image_folder(cache=False)")
    return parser.parse_args()


def main():
    args = parse_args()
    if not os.path.isdir(args.data):
        raise SystemExit(f"{args.data} is not a folder; pass --data or set KERASGAN_DATA.")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import numpy as np

    import kerasgan.data
    import kerasgan.models

    keras.utils.set_random_seed(0)
    size, batch = args.image_size, args.batch_size

    def timed_start(description):
        print(description, end=" ", flush=True)
        return time.perf_counter()

    start = timed_start("decoding the folder into an array...")
    ordered = kerasgan.data.image_folder(
        args.data, size, batch_size=256, shuffle=False, drop_remainder=False, cache=False
    )
    array = np.concatenate([np.rint((b.numpy() + 1.0) * 127.5).astype(np.uint8) for b in ordered])
    print(f"{len(array)} images in {time.perf_counter() - start:.1f} s")

    variants = {
        "folder": kerasgan.data.image_folder(args.data, size, batch_size=batch, seed=0),
        "array": kerasgan.data.from_array(array, batch_size=batch, seed=0),
    }
    if not args.skip_nocache:
        variants["folder-nocache"] = kerasgan.data.image_folder(args.data, size, batch_size=batch, seed=0, cache=False)

    gan = kerasgan.models.DCGAN.for_images((size, size, 3), latent_dim=args.latent_dim, base_filters=args.base_filters)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    )

    def train(dataset, steps):
        start = time.perf_counter()
        gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
        return time.perf_counter() - start

    start = timed_start("warm-up (tracing, folder cache fill)...")
    for _ in variants["folder"]:  # one full pass fills the cache, as the first epoch of training does
        pass
    for dataset in variants.values():
        train(dataset, 2)
    print(f"{time.perf_counter() - start:.1f} s")

    seconds = {name: [] for name in variants}
    for round_ in range(args.rounds):
        for name, dataset in variants.items():
            seconds[name].append(train(dataset, args.steps))
        print(f"round {round_ + 1}/{args.rounds}: " + ", ".join(f"{n} {s[-1]:.1f} s" for n, s in seconds.items()))

    # Median and best run of each variant: the median so that one disturbed
    # round does not decide, the best because other load only ever slows a run.
    images = args.steps * batch
    rate = {name: images / float(np.median(s)) for name, s in seconds.items()}
    best = {name: images / min(s) for name, s in seconds.items()}
    print(
        f"\nDCGAN {size}x{size}x3, base_filters={args.base_filters}, batch {batch}, {args.steps} steps x {args.rounds} rounds"
    )
    print(f"  {'images/s':15s} {'median':>8s} {'best':>8s}")
    for name in rate:
        print(f"  {name:15s} {rate[name]:8.1f} {best[name]:8.1f}")
    ratio = rate["folder"] / rate["array"]
    print(
        f"  {'folder / array':15s} {ratio:8.3f} {best['folder'] / best['array']:8.3f}  (target >= 0.9 on the median: {'met' if ratio >= 0.9 else 'NOT met'})"
    )
    if "folder-nocache" in rate:
        print(
            f"  {'nocache / array':15s} {rate['folder-nocache'] / rate['array']:8.3f} {best['folder-nocache'] / best['array']:8.3f}"
        )


if __name__ == "__main__":
    main()
