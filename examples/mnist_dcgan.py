"""DCGAN on MNIST (Radford et al. 2015) with the default kerasgan recipe.

    python examples/mnist_dcgan.py                       # the MNIST test set shipped with kerasgan
    python examples/mnist_dcgan.py mnist                 # all 70,000 digits via keras.datasets (a download)
    python examples/mnist_dcgan.py ../shared/data/mnist  # local IDX files

About 2½ CPU-minutes for the 20 epochs over the shipped 10,000 digits (`kerasgan train dcgan`, the same
model, took 190 CPU-seconds for 25).
"""

import keras
from example_args import fit, parse

import kerasgan

args = parse(__doc__, epochs=20, data=kerasgan.data.EMBEDDED_MNIST, data_help="the digits")

dataset = kerasgan.data.load_dataset(args.data, batch_size=64, seed=0)
gan = kerasgan.models.DCGAN.for_images((28, 28, 1), latent_dim=100, seed=0)
gan.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
)
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
