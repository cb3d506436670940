"""ProGAN on anime faces (Karras et al. 2018): grown from 4×4 to --image-size inside one fit(), resumable mid-fade.

    python examples/anime_faces_progan.py IMAGE_FOLDER                   # e.g. ../shared/data/anime_faces, 64×64
    python examples/anime_faces_progan.py IMAGE_FOLDER --image-size 32   # 4×4 → 32×32, four levels

The paper's recipe: WGAN-GP (λ = 10, one critic step) with the drift term 0.001·E[D(x)²], Adam(1e-3,
β = 0, 0.99), equalized learning rate, pixel norm, minibatch standard deviation; every resolution
fades in linearly over `--fade-images` images, then stabilizes as long (the paper: 800k each, here
40k for a 5,000-face folder). The sample grids show the current resolution upsampled, so
`progress.gif` shows the growth. The level, alpha and images seen are saved with each checkpoint:
running it again with the same --run-dir continues exactly, mid-fade included. The default 80
epochs of 5,000 faces are 400k images: 40k at 4×4, then 80k per doubling up to 64×64 (360k), and
40k more at 64×64. That takes hours on a CPU; on a Colab GPU tens of minutes (an estimate, not
measured).
"""

from example_args import fit, parse

import kerasgan


def own_flags(parser):
    parser.add_argument(
        "--fade-images", type=int, default=40_000, metavar="N", help="images per fade-in, and per stabilization"
    )


args = parse(
    __doc__,
    epochs=80,
    data_help="a folder of face images (png/jpg, searched recursively)",
    image_size=64,
    own_flags=own_flags,
)

size = args.image_size
dataset = kerasgan.data.image_folder(args.data, image_size=size, channels=3, batch_size=16, seed=0)
gan = kerasgan.models.ProGAN.for_images(
    (size, size, 3), latent_dim=256, fade_images=args.fade_images, stable_images=args.fade_images, seed=0
)
gan.compile()  # the paper's optimizers
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
print(
    f"anime_faces_progan.py: at {gan.resolution}×{gan.resolution} (alpha {gan.alpha:.2f}) after {gan.images_seen} images"
)
