"""Super-resolution speed: training-step images/s of SRResNet and ESRGAN, and tiled vs whole-image ×4 inference on 512².

    python benchmarks/super_resolution.py [--steps 10] [--tile 128] [--full]
    python benchmarks/super_resolution.py --kernels [--run-dir SRRESNET_RUN] [../shared/data/sr/CSet5 ...]

`--kernels` measures instead what the bicubic kernel changes: the bicubic
baseline's Y-PSNR / SSIM (scale pixels cropped) on each test folder with the
LR made by TensorFlow's antialiased bicubic (`kerasgan.data.downscale`, what
kerasgan uses) or by a numpy port of MATLAB's `imresize(I, 1/4, "bicubic")`
(`matlab_imresize` below), upscaled back by either; with `--run-dir`, also a
trained model (on TF-made LR) fed both kinds of LR.

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


def _cubic(x):
    """Keys' cubic convolution kernel with a = -0.5, MATLAB's `cubic`."""
    x = np.abs(x)
    return np.where(x <= 1, 1.5 * x**3 - 2.5 * x**2 + 1, np.where(x <= 2, -0.5 * x**3 + 2.5 * x**2 - 4 * x + 2, 0.0))


def _contributions(in_length, out_length, scale):
    """MATLAB imresize's (weights, indices) along one axis: (out_length, taps) each, 0-based indices."""
    width = 4.0 / scale if scale < 1 else 4.0  # antialiasing: when shrinking, the kernel is stretched by 1/scale
    u = np.arange(1, out_length + 1, dtype="float64")
    x = u / scale + 0.5 * (1 - 1 / scale)  # the output pixel's centre in input coordinates (1-based)
    left = np.floor(x - width / 2)
    taps = int(np.ceil(width)) + 2
    indices = left[:, None] + np.arange(taps)[None, :]  # 1-based
    distance = x[:, None] - indices
    weights = scale * _cubic(scale * distance) if scale < 1 else _cubic(distance)
    weights /= weights.sum(axis=1, keepdims=True)
    mirror = np.concatenate([np.arange(in_length), np.arange(in_length)[::-1]])  # symmetric padding
    indices = mirror[np.mod(indices - 1, 2 * in_length).astype(int)]
    keep = np.any(weights != 0, axis=0)
    return weights[:, keep], indices[:, keep]


def matlab_imresize(image, scale, round_between=True):
    """MATLAB's `imresize(image, scale, "bicubic")` (antialiased) of a uint8 image (H, W, C); uint8.

    MATLAB resizes along the rows first, then the columns, and for uint8 input
    rounds and saturates the intermediate result to uint8 (`round_between`).
    """
    out = np.asarray(image, "float64")
    for axis in (0, 1):
        length = out.shape[axis]
        weights, indices = _contributions(length, int(np.ceil(length * scale)), scale)
        moved = np.moveaxis(out, axis, 0)
        moved = np.einsum("ot,ot...->o...", weights, moved[indices])
        out = np.moveaxis(moved, 0, axis)
        if round_between or axis == 1:
            out = np.clip(np.round(out), 0, 255)
    return out.astype("uint8")


def kernels(folders, scale, run_dir=None):
    """{folder: {"LR by X, up by Y": (Y-PSNR, SSIM)}} for X, Y in TF's and MATLAB's bicubic (and a model)."""
    from kerasgan import data
    from kerasgan.data.super_resolution import crop_to_scale
    from kerasgan.metrics import super_resolution as srm

    model = None
    if run_dir is not None:
        from kerasgan.cli.commands import load_run

        model = load_run(run_dir)
    to_float = lambda u: u.astype("float32") / 127.5 - 1.0  # noqa: E731
    to_uint8 = lambda f: np.clip(np.round((f + 1) * 127.5), 0, 255).astype("uint8")  # noqa: E731
    table = {}
    for folder in folders:
        rows = {}
        for file in data.list_image_files(folder):
            hr = crop_to_scale(data.read_image(file, 3)[0].numpy(), scale)
            lrs = {"TF": np.asarray(data.downscale(hr, scale)), "MATLAB": matlab_imresize(hr, 1 / scale)}
            for down, lr in lrs.items():
                ups = {
                    "TF bicubic": data.upscale_bicubic(to_float(lr), scale),
                    "MATLAB bicubic": to_float(matlab_imresize(lr, scale)),
                }
                if model is not None:
                    ups[type(model).__name__] = model.upscale(to_float(lr))
                for up, sr in ups.items():
                    sr = to_float(to_uint8(sr))  # scored as the saved 8-bit image
                    scores = (srm.psnr(sr, to_float(hr), crop=scale), srm.ssim(sr, to_float(hr), crop=scale))
                    rows.setdefault(f"LR by {down}, up by {up}", []).append(scores)
            # MATLAB's evaluation scripts: rgb2ycbcr of uint8 images rounds Y to uint8 (PSNR only)
            sr = matlab_imresize(lrs["MATLAB"], scale)
            y_sr, y_hr = (np.round(srm.to_y(to_float(u)))[scale:-scale, scale:-scale] for u in (sr, hr))
            psnr = 10 * np.log10(255**2 / np.mean((y_sr - y_hr) ** 2))
            rows.setdefault("MATLAB both ways, Y rounded (PSNR)", []).append((psnr, np.nan))
        table[folder] = {k: tuple(float(v) for v in np.mean(s, axis=0)) for k, s in rows.items()}
    return table


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
    parser.add_argument("--kernels", action="store_true", help="measure the downscaling kernels instead")
    parser.add_argument("--run-dir", help="with --kernels: also a trained srresnet/srgan/esrgan run")
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("folders", nargs="*", default=["../shared/data/sr/CSet5", "../shared/data/sr/CSet14"])
    args = parser.parse_args()
    if args.kernels:
        for folder, rows in kernels(args.folders, args.scale, args.run_dir).items():
            print(f"{folder} ×{args.scale} (Y, {args.scale} border pixels cropped): Y-PSNR dB / SSIM")
            for name, (psnr, ssim) in rows.items():
                print(f"  {name:<36} {psnr:7.3f}  {ssim:.4f}")
        return
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
