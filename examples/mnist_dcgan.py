"""DCGAN on MNIST (Radford et al. 2015) with the default kerasgan recipe.

python examples/mnist_dcgan.py                       # MNIST via keras.datasets
python examples/mnist_dcgan.py ../shared/data/mnist  # local IDX files
"""

import sys

import keras

import kerasgan

data = sys.argv[1] if len(sys.argv) > 1 else "mnist"
run = "logs/mnist_dcgan"

dataset = kerasgan.data.load_dataset(data, batch_size=64, seed=0)
gan = kerasgan.models.DCGAN.for_images((28, 28, 1), latent_dim=100, seed=0)
gan.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
)
gan.fit(
    dataset,
    epochs=20,
    callbacks=kerasgan.callbacks.run_callbacks(run),
)
gan.save(f"{run}/gan.keras")
