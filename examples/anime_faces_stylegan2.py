"""StyleGAN2 on anime faces (Karras et al. 2020) with ADA, then truncated samples, a style-mixing grid and a walk in w.

    python examples/anime_faces_stylegan2.py IMAGE_FOLDER                   # e.g. ../shared/data/anime_faces, 64×64
    python examples/anime_faces_stylegan2.py IMAGE_FOLDER --image-size 32 --small   # a CPU-sized run

The paper's config F: mapping network (8 layers, learning rate ×0.01), modulated and demodulated
convolutions with noise inputs, skip generator, residual discriminator, the non-saturating loss
with style mixing (0.9), lazy R1 (γ 10, every 16 steps), path-length regularization (2, every 4
steps), a moving average of the generator with ramp-up, Adam(0.0025, β = 0, 0.99) corrected for the
lazy intervals. A folder of 5,000 faces is small for a GAN, so ADA is on (D's augmentations applied
with a probability p that follows D's overfitting toward r_t = 0.6; `--no-ada` turns it off).
--small is the slow test's configuration (latent 64, widths 16-32, mapping depth 4: at 32×32 about
100 CPU-seconds per 1,000 steps of 16, where the SWD to held-out faces falls from 145 to 56 in the slow test).

After training it writes, beside the model: `truncated.png` (the same latents at ψ = 1, 0.7 and
0.4, one row each: the truncation trick trades variety for typical faces), `style_mixing.png` (the
row sources' coarse styles, 4×4 and 8×8, with each column source's finer ones) and `walk_w.gif` (a
loop through six latents along straight lines in w, at ψ = 0.7). The run folder, checkpoints and
resume work as in every example.
"""

import numpy as np
from example_args import fit, parse

import kerasgan


def own_flags(parser):
    parser.add_argument("--no-ada", action="store_true", help="train without adaptive discriminator augmentation")
    parser.add_argument("--small", action="store_true", help="the slow test's small networks (for a CPU)")


args = parse(
    __doc__,
    epochs=100,
    data_help="a folder of face images (png/jpg, searched recursively)",
    image_size=64,
    own_flags=own_flags,
)

size = args.image_size
small = dict(latent_dim=64, base_filters=16, max_filters=32, mapping_layers=4) if args.small else {}
dataset = kerasgan.data.image_folder(args.data, image_size=size, channels=3, batch_size=16, seed=0)
gan = kerasgan.models.StyleGAN2.for_images(
    (size, size, 3), augment=None if args.no_ada else "ada", seed=0, **{"latent_dim": 512, **small}
)
gan.compile()  # the paper's optimizers
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")

latents = np.random.default_rng(1).standard_normal((8, gan.latent_dim))
rows = [gan.generate(latents=latents, truncation_psi=psi) for psi in (1.0, 0.7, 0.4)]
kerasgan.callbacks.save_image_grid(f"{args.run_dir}/truncated.png", np.concatenate(rows), cols=8)
crossover = min(4, gan.num_ws // 2)  # the 4×4 and 8×8 style inputs (fewer for tiny images)
grid = kerasgan.latent.style_mixing_grid(gan, sources=5, crossover=crossover, seed=2)
kerasgan.callbacks.save_image_grid(f"{args.run_dir}/style_mixing.png", grid, cols=6)
keypoints = np.random.default_rng(3).standard_normal((6, gan.latent_dim))
walk = kerasgan.latent.walk(gan, keypoints, steps=16, method="w", closed=True, truncation_psi=0.7)
kerasgan.latent.save_gif(f"{args.run_dir}/walk_w.gif", walk, boomerang=False)
p = f", ADA p {float(gan.augment[0].p):.2f}" if gan.augment else ""
print(
    f"anime_faces_stylegan2.py: {int(gan.g_optimizer.iterations)} steps{p}; wrote truncated.png, style_mixing.png, walk_w.gif"
)
