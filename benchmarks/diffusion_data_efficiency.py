"""Diffusion-GAN's data-efficiency claim: DCGAN with and without `Diffusion` on 500 anime faces, SWD to held-out faces.

Wang et al. (2022) report that diffusing what D sees helps most on small data.
Here both models have the same DCGAN networks (the Diffusion run's D takes one
more input channel, t / t_max, as the part conditions it), the same optimizers,
the same steps and the same seeds; only `augment=Diffusion()` differs. Each is
scored by SWD (×1e3, lower is better) between `--held-out` generated faces and
as many real faces none of the models trained on. Per seed it prints both SWDs
and the ratio diffusion / plain (below 1: Diffusion-GAN wins), then the means.

    python benchmarks/diffusion_data_efficiency.py                           # 500 faces, 3,000 steps, seeds 0,1
    python benchmarks/diffusion_data_efficiency.py --steps 6000 --seeds 0,1,2 --base-filters 64
"""

import argparse
import os
import pathlib
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import kerasgan  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_DATA = pathlib.Path(os.environ.get("KERASGAN_DATA") or ROOT.parent / "shared" / "data") / "anime_faces"


def faces(folder, size):
    """Every face of the folder at size×size, in file order (0.jpg, 1.jpg, ...)."""
    dataset = kerasgan.data.image_folder(folder, size, batch_size=500, shuffle=False, cache=False, drop_remainder=False)
    return np.concatenate([np.asarray(batch) for batch in dataset])


def train_and_score(kind, seed, train, held_out, args):
    keras.utils.set_random_seed(seed)
    augment = kerasgan.parts.Diffusion() if kind == "diffusion" else None
    gan = kerasgan.models.DCGAN.for_images(
        train.shape[1:], latent_dim=100, base_filters=args.base_filters, augment=augment, seed=seed
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5), g_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5)
    )
    dataset = tf.data.Dataset.from_tensor_slices(train).shuffle(len(train), seed=seed).batch(64, drop_remainder=True)
    start = time.process_time()
    history = gan.fit(dataset.repeat(), epochs=1, steps_per_epoch=args.steps, verbose=0).history
    cpu = time.process_time() - start
    generated = gan.generate(len(held_out), seed=1000 + seed)
    score = kerasgan.metrics.swd(held_out, generated, patches_per_image=32, seed=seed)["swd"]
    extra = ""
    if kind == "diffusion":
        extra = f", T {int(gan.augment[0].T)}, r_d {history['diffusion_r_d'][-1]:.2f}"
    print(f"{kind:9s} seed {seed}: SWD {score:7.2f}  ({args.steps} steps, {cpu:.0f} CPU-s{extra})", flush=True)
    return score


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the anime_faces folder")
    parser.add_argument("--train-images", type=int, default=500)
    parser.add_argument("--held-out", type=int, default=1000, help="faces from the end of the folder, never trained on")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--base-filters", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-4)
    args = parser.parse_args()
    images = faces(args.data, args.image_size)
    if args.train_images + args.held_out > len(images):
        raise SystemExit(
            f"{args.data} holds {len(images)} faces, fewer than --train-images {args.train_images} + "
            f"--held-out {args.held_out}; lower one of them."
        )
    train, held_out = images[: args.train_images], images[-args.held_out :]
    floor = kerasgan.metrics.swd(
        held_out, images[args.train_images : args.train_images + args.held_out], patches_per_image=32
    )["swd"]
    print(
        f"{len(train)} training faces, {len(held_out)} held out, {args.image_size}x{args.image_size}; "
        f"SWD between two sets of real faces (the floor): {floor:.2f}"
    )
    seeds = [int(s) for s in args.seeds.split(",")]
    ratios = []
    for seed in seeds:
        plain = train_and_score("plain", seed, train, held_out, args)
        diffused = train_and_score("diffusion", seed, train, held_out, args)
        ratios.append(diffused / plain)
        print(f"seed {seed}: diffusion / plain = {ratios[-1]:.3f}", flush=True)
    verdict = "Diffusion-GAN better" if np.mean(ratios) < 1 else "Diffusion-GAN not better"
    print(f"\nmean ratio diffusion / plain over seeds {seeds}: {np.mean(ratios):.3f} ({verdict})")


if __name__ == "__main__":
    main()
