"""The original GAN (Goodfellow et al. 2014) on MNIST: fully connected networks,
a maxout discriminator with dropout.

    python examples/mnist_gan_mlp.py                       # the MNIST test set shipped with kerasgan
    python examples/mnist_gan_mlp.py mnist                 # all 70,000 digits via keras.datasets (a download)
    python examples/mnist_gan_mlp.py ../shared/data/mnist  # local IDX files
"""

import keras
from example_args import fit, parse

import kerasgan

args = parse(__doc__, epochs=50, data=kerasgan.data.EMBEDDED_MNIST, data_help="the digits")

dataset = kerasgan.data.load_dataset(args.data, batch_size=100, seed=0)
gan = kerasgan.models.GAN(latent_dim=100, image_shape=(28, 28, 1), seed=0)
gan.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
)
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
