"""Adversarial autoencoder on MNIST (Makhzani et al. 2016): codes matched to a prior, digits decoded from it.

    python examples/mnist_aae.py                          # N(0, I) prior, the shipped MNIST test set
    python examples/mnist_aae.py --prior mixture          # a mixture of 10 Gaussians on a circle
    python examples/mnist_aae.py mnist                    # all 70,000 digits via keras.datasets (a download)

Each step has the paper's three phases: reconstruction, the discriminator on codes (prior draws
against E(x)), then the encoder as the generator. `generate(n)` decodes prior draws (the sample
grids and `progress.gif`); the run folder also gets `reconstructions.png` (16 real digits over
their reconstructions, twice) and `codes.npy` (E(x) of those digits). `python
benchmarks/inference_mnist.py --steps 1500` prints how well the codes of held-out digits match the
prior (per-dimension moments, MMD²) and the yardstick confidence of decoded prior samples (0.740
measured after 1,500 steps). The default 10 epochs are
1,560 steps of 64 (their CPU time is not measured yet).
"""

import os

from example_args import fit, parse, save_reconstructions

import kerasgan

args = parse(
    __doc__,
    epochs=10,
    data=kerasgan.data.EMBEDDED_MNIST,
    data_help="the digits",
    own_flags=lambda parser: parser.add_argument(
        "--prior", choices=("normal", "mixture"), default="normal", help="the prior of the codes (default normal)"
    ),
)

dataset = kerasgan.data.load_dataset(args.data, batch_size=64, seed=0)
aae = kerasgan.models.AdversarialAutoencoder.for_images((28, 28, 1), latent_dim=8, prior=args.prior, seed=0)
aae.compile()
aae = fit(aae, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
aae.save(os.path.join(args.run_dir, "gan.keras"))

save_reconstructions(aae, dataset, args.run_dir)
