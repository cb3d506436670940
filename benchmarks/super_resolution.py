"""Super-resolution speed: training-step images/s of SRResNet and ESRGAN, and tiled vs whole-image ×4 inference on 512².

    python benchmarks/super_resolution.py [--steps 10] [--tile 128] [--full]

Peak memory is the process's peak resident set (ru_maxrss) after each phase on
CPU, or the GPU allocator's peak when a GPU is present. `--full` uses the
papers' network sizes (16 blocks / 23 RRDBs); the default is a compact size
that runs on a laptop CPU.
"""

import argparse
import resource
import time

import keras
import numpy as np
import tensorflow as tf

from kerasgan.models import SRResNet
from kerasgan.networks import rrdb_generator


def peak_memory_mb():
    if tf.config.list_physical_devices("GPU"):
        return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    if tf.config.list_physical_devices("GPU"):
        tf.config.experimental.reset_memory_stats("GPU:0")


def train_rate(model, steps, batch=16, hr=96):
    rng = np.random.default_rng(0)
    hr_images = rng.uniform(-1, 1, (batch, hr, hr, 3)).astype("float32")
    lr_images = hr_images[:, ::4, ::4]
    model.compile()
    model.train_on_batch(lr_images, hr_images)  # trace
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(lr_images, hr_images)
    return steps * batch / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--tile", type=int, default=128)
    parser.add_argument("--overlap", type=int, default=16)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    blocks, rrdbs, filters = (16, 23, 64) if args.full else (4, 2, 32)
    srresnet = SRResNet(scale=4, n_blocks=blocks, filters=filters, seed=0)
    print(f"SRResNet ({blocks} blocks, {filters} filters) training: {train_rate(srresnet, args.steps):.1f} images/s")
    esrgan_psnr = SRResNet(
        generator=rrdb_generator(4, n_blocks=rrdbs, filters=filters), hr_size=128, pixel_loss="l1", seed=0
    )
    print(f"RRDB ({rrdbs} RRDBs) L1 training: {train_rate(esrgan_psnr, args.steps, hr=128):.1f} images/s")
    lr = np.random.default_rng(1).uniform(-1, 1, (512, 512, 3)).astype("float32")
    # tiled first: on CPU the peak resident set only grows, so each phase's peak is its own only in this order
    for label, kwargs in (
        (f"tiled {args.tile}+{args.overlap}", {"tile": args.tile, "overlap": args.overlap}),
        ("whole", {}),
    ):
        srresnet.upscale(lr[:64, :64])  # warm up
        reset_peak()
        start = time.perf_counter()
        out = srresnet.upscale(lr, **kwargs)
        seconds = time.perf_counter() - start
        print(
            f"4× inference {label}: 512² → {out.shape[0]}², {1 / seconds:.2f} images/s, peak memory {peak_memory_mb():.0f} MB"
        )
    keras.backend.clear_session()


if __name__ == "__main__":
    main()
