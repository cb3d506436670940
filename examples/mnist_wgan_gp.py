"""WGAN-GP on MNIST (Gulrajani et al. 2017): λ = 10, 5 critic steps per generator
step, Adam(1e-4, β1 = 0, β2 = 0.9), a layer-normalized critic.

    python examples/mnist_wgan_gp.py                       # the MNIST test set shipped with kerasgan
    python examples/mnist_wgan_gp.py mnist                 # all 70,000 digits via keras.datasets (a download)
    python examples/mnist_wgan_gp.py ../shared/data/mnist  # local IDX files

Watch `d_loss` in TensorBoard: it is minus the critic's Wasserstein estimate,
and unlike a standard GAN's loss it tracks sample quality.
"""

from example_args import fit, parse

import kerasgan

args = parse(__doc__, epochs=50, data=kerasgan.data.EMBEDDED_MNIST, data_help="the digits")

gan = kerasgan.models.WGANGP.for_images((28, 28, 1), latent_dim=100, seed=0)
# Each fit() batch feeds the 5 critic steps: 5 minibatches of 64.
dataset = kerasgan.data.load_dataset(args.data, batch_size=64 * gan.d_steps, seed=0)
gan.compile()  # the paper's optimizers
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
