"""DCGAN on 64×64 anime faces, the setup the GAN courses use (latent size 128).

    python examples/anime_faces_dcgan.py IMAGE_FOLDER   # e.g. ../shared/data/anime_faces

On a CPU an epoch over 5,000 faces takes minutes; on a GPU, seconds.
"""

import keras
from example_args import fit, parse

import kerasgan

args = parse(__doc__, epochs=50, data_help="a folder of face images (png/jpg, searched recursively)")

dataset = kerasgan.data.image_folder(args.data, image_size=64, channels=3, batch_size=128, seed=0)
gan = kerasgan.models.DCGAN.for_images((64, 64, 3), latent_dim=128, seed=0)
gan.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
)
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
