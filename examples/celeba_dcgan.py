"""DCGAN on CelebA faces at 64×64 (Radford et al. 2015), from a folder of the aligned images.

    python examples/celeba_dcgan.py img_align_celeba/   # any folder of face images (searched recursively)

CelebA has no direct public download: get "Align&Cropped Images" (img_align_celeba.zip, 202,599
178×218 JPEGs) from the official site, https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html (a Google
Drive folder), or the Kaggle mirror https://www.kaggle.com/datasets/jessicali9530/celeba-dataset
(`kaggle datasets download -d jessicali9530/celeba-dataset`), unzip it and pass the folder.

Each image is center-cropped to a square (178×178, the face and a little background) and resized to
64×64 with antialiasing (`kerasgan.data.image_folder`); the decoded images (2.5 GB as uint8) are kept in
memory after the first epoch when a quarter of the free memory holds them. The DCGAN paper's networks
(4×4×512 → 64×64×3) and optimizers, batch 128, latent size 100.

Time for the default 5 epochs (7,910 steps of 128 images): over 4 CPU-hours (2.0 CPU-seconds a step,
measured over 20 steps on synthetic batches, 2 shared CPU cores at load 5–7), plus decoding the JPEGs. On a
GPU a step (about 0.4 TFLOP) takes some 10–20 ms: roughly 2–3 minutes of steps; decoding 202,599 JPEGs for
the first epoch takes minutes on a few CPU cores, so about 10 minutes in all (estimated, not measured).
"""

import keras
from example_args import fit, parse

import kerasgan

args = parse(__doc__, epochs=5, data_help="a folder of CelebA images (img_align_celeba/; see above)", image_size=64)

dataset = kerasgan.data.image_folder(args.data, image_size=args.image_size, channels=3, batch_size=128, seed=0)
gan = kerasgan.models.DCGAN.for_images((args.image_size, args.image_size, 3), latent_dim=100, seed=0)
gan.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
)
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
