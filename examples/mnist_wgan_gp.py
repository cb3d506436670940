"""WGAN-GP on MNIST (Gulrajani et al. 2017): λ = 10, 5 critic steps per generator
step, Adam(1e-4, β1 = 0, β2 = 0.9), a layer-normalized critic.

    python examples/mnist_wgan_gp.py                       # MNIST via keras.datasets
    python examples/mnist_wgan_gp.py ../shared/data/mnist  # local IDX files

Watch `d_loss` in TensorBoard: it is minus the critic's Wasserstein estimate,
and unlike a standard GAN's loss it tracks sample quality.
"""

import sys

import kerasgan

data = sys.argv[1] if len(sys.argv) > 1 else "mnist"
run = "logs/mnist_wgan_gp"

gan = kerasgan.models.WGANGP.for_images((28, 28, 1), latent_dim=100, seed=0)
# Each fit() batch feeds the 5 critic steps: 5 minibatches of 64.
dataset = kerasgan.data.load_dataset(data, batch_size=64 * gan.d_steps, seed=0)
gan.compile()  # the paper's optimizers
gan.fit(dataset, epochs=50, callbacks=kerasgan.callbacks.run_callbacks(run))
gan.save(f"{run}/gan.keras")
