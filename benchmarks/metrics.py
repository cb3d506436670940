"""FID over 1,000 / 10,000 / 50,000 samples: time and peak memory with an injected extractor.

FID statistics are running float64 sums (count, sum, sum of outer products),
so memory should not grow with the number of samples. Each N runs in a fresh
process (so the peak RSS of one size does not hide another's) that streams N
"real" and N "generated" 32×32 RGB images (random, made batch by batch) through
a small random conv extractor with 512 features and computes FID with
`kerasgan.metrics.Evaluator`, exactly as `kerasgan evaluate` and
`MetricCallback` do.

Printed per N: wall time, images/s, the tracemalloc peak (Python and numpy
allocations made during the evaluation), the process' peak RSS (TensorFlow
included), and what keeping all N features would have taken instead. Last,
the ratios of the 50k and 1k peaks.

Usage (from the repository root):
    python benchmarks/metrics.py                 # N = 1000 10000 50000
    python benchmarks/metrics.py --sizes 1000 5000
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
FEATURES = 512
IMAGE_SHAPE = (32, 32, 3)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def child(n, batch_size):
    import resource
    import time
    import tracemalloc

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from kerasgan import metrics

    keras.utils.set_random_seed(0)
    inputs = keras.Input(IMAGE_SHAPE)
    x = keras.layers.Conv2D(16, 3, strides=2, activation="relu")(inputs)
    x = keras.layers.Conv2D(32, 3, strides=2, activation="relu")(x)
    x = keras.layers.Dense(FEATURES)(keras.layers.GlobalAveragePooling2D()(x))
    extractor = metrics.Extractor(keras.Model(inputs, x, name="bench"), batch_size=batch_size)

    class NoiseGAN:
        """generate(n, seed) makes random images on demand, like a generator would."""

        latent_dim = 1

        def generate(self, count, seed=None):
            return np.random.default_rng(seed).uniform(-1, 1, (count, *IMAGE_SHAPE)).astype("float32")

    def real_batches():
        rng = np.random.default_rng(12345)
        for start in range(0, n, batch_size):
            yield np.tanh(rng.standard_normal((min(batch_size, n - start), *IMAGE_SHAPE))).astype("float32")

    extractor.outputs(np.zeros((2, *IMAGE_SHAPE), "float32"))  # build and warm up outside the measurement
    tracemalloc.start()
    start = time.perf_counter()
    evaluator = metrics.Evaluator(real_batches(), "fid", extractor=extractor, num_samples=n, batch_size=batch_size)
    score = evaluator.score(NoiseGAN())
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "n": n,
                "seconds": seconds,
                "fid": score["fid"],
                "tracemalloc_peak_mb": peak / 2**20,
                "peak_rss_mb": rss_kb / 1024,
                "all_features_mb": 2 * n * FEATURES * 4 / 2**20,
            }
        )
    )


def main():
    args = parse_args()
    if args.child:
        return child(args.child, args.batch_size)
    rows = []
    print(
        f"FID, {FEATURES} features, {IMAGE_SHAPE[0]}x{IMAGE_SHAPE[1]} RGB, batch {args.batch_size}; N real + N generated"
    )
    print(
        f"{'N':>7} {'seconds':>9} {'images/s':>9} {'tracemalloc peak MB':>20} {'peak RSS MB':>12} "
        f"{'all features MB':>16} {'FID':>10}"
    )
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n), "--batch-size", str(args.batch_size)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{n:>7} {row['seconds']:>9.1f} {2 * n / row['seconds']:>9.0f} {row['tracemalloc_peak_mb']:>20.1f} "
            f"{row['peak_rss_mb']:>12.0f} {row['all_features_mb']:>16.1f} {row['fid']:>10.4f}",
            flush=True,
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(
            f"peak memory {last['n']}/{first['n']}: tracemalloc {last['tracemalloc_peak_mb'] / first['tracemalloc_peak_mb']:.2f}x, "
            f"RSS {last['peak_rss_mb'] / first['peak_rss_mb']:.2f}x (samples {last['n'] / first['n']:.0f}x)"
        )


if __name__ == "__main__":
    main()
