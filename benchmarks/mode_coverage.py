"""Mode coverage on the 2-D mixtures: plain GAN vs unrolled GAN vs PacGAN, paired seeds, numbers printed.

Metz et al.'s setting: 2×128 ReLU MLPs, z of 256, batch 512, D Adam(1e-4),
G Adam(1e-3), beta_1 0.5; 2,500 samples scored with
kerasgan.metrics.mode_coverage every --every steps.

    python benchmarks/mode_coverage.py --steps 4000 --every 500 --seeds 0,1,2
    python benchmarks/mode_coverage.py --data grid --models plain,pacgan
"""

import argparse
import time

import keras
import numpy as np

import kerasgan


def build(kind, seed, unrolled_steps):
    if kind == "unrolled":
        return kerasgan.models.UnrolledGAN.for_points(2, unrolled_steps=unrolled_steps, seed=seed)
    augment = kerasgan.parts.PacGAN(2) if kind == "pacgan" else None
    return kerasgan.models.GAN.for_points(2, augment=augment, seed=seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", choices=("ring", "grid"), default="ring")
    parser.add_argument("--models", default="plain,unrolled,pacgan")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--every", type=int, default=1000)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--unrolled-steps", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=512)
    args = parser.parse_args()
    mixture = kerasgan.data.ring() if args.data == "ring" else kerasgan.data.grid()
    seeds = [int(s) for s in args.seeds.split(",")]
    final = {}
    for kind in args.models.split(","):
        for seed in seeds:
            keras.utils.set_random_seed(seed)
            gan = build(kind, seed, args.unrolled_steps)
            gan.compile(
                d_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
            )
            start = time.process_time()
            for done in range(args.every, args.steps + 1, args.every):
                points = mixture.sample(args.every * args.batch_size, seed=seed * 1000 + done)
                gan.fit(kerasgan.data.from_points(points, args.batch_size, seed=seed), epochs=1, verbose=0)
                scores = kerasgan.metrics.mode_coverage(gan.generate(2500, seed=100 + seed), mixture=mixture)
                print(
                    f"{kind:9s} seed {seed} step {done:6d}: modes {scores['modes_captured']:2d}/{scores['modes']}, "
                    f"high quality {scores['high_quality']:.3f}, reverse KL {scores['reverse_kl']:.3f}, "
                    f"CPU {time.process_time() - start:.0f} s",
                    flush=True,
                )
            final.setdefault(kind, []).append(scores)
    print(f"\nafter {args.steps} steps, mean over seeds {seeds}:")
    for kind, runs in final.items():
        modes = np.mean([r["modes_captured"] for r in runs])
        quality = np.mean([r["high_quality"] for r in runs])
        print(f"  {kind:9s} modes {modes:.2f}, high quality {quality:.3f}")


if __name__ == "__main__":
    main()
