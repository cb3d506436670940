"""The original GAN (Goodfellow et al. 2014) on MNIST: fully connected networks,
a maxout discriminator with dropout.

    python examples/mnist_gan_mlp.py                       # MNIST via keras.datasets
    python examples/mnist_gan_mlp.py ../shared/data/mnist  # local IDX files
"""

import sys

import keras

import kerasgan

data = sys.argv[1] if len(sys.argv) > 1 else "mnist"
run = "logs/mnist_gan_mlp"

dataset = kerasgan.data.load_dataset(data, batch_size=100, seed=0)
gan = kerasgan.models.GAN(latent_dim=100, image_shape=(28, 28, 1), seed=0)
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
