"""DCGAN on 64×64 anime faces, the setup the GAN courses use (latent size 128).

    python examples/anime_faces_dcgan.py [IMAGE_FOLDER]   # default ../shared/data/anime_faces

On a CPU an epoch over 5,000 faces takes minutes; on a GPU, seconds.
"""

import sys

import keras

import kerasgan

folder = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/anime_faces"
run = "logs/anime_faces_dcgan"

dataset = kerasgan.data.image_folder(folder, image_size=64, channels=3, batch_size=128, seed=0)
gan = kerasgan.models.DCGAN.for_images((64, 64, 3), latent_dim=128, seed=0)
gan.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
)
gan.fit(
    dataset,
    epochs=50,
    callbacks=kerasgan.callbacks.run_callbacks(run),
)
gan.save(f"{run}/gan.keras")
