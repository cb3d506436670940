"""BiGAN / ALI on MNIST: a generator, an encoder learned without labels, and reconstructions G(E(x)).

    python examples/mnist_bigan.py                        # the MNIST test set shipped with kerasgan
    python examples/mnist_bigan.py mnist                  # all 70,000 digits via keras.datasets (a download)

Besides the sample grids, `progress.gif` and `tb/`, the run folder gets `reconstructions.png`: each
row pair is 16 real digits over G(E(x)) of the same digits, and `codes.npy`, E(x) of those digits
(`kerasgan encode --run-dir ...` encodes any image folder the same way). The encoder's features feed
a nearest-neighbour classifier: `python benchmarks/inference_mnist.py --steps 1500` prints its
accuracy beside the same encoder at initialization (0.914 against 0.896 measured after 1,500 steps)
and the share of reconstructions the yardstick classifier gives the input's label (0.325 there:
BiGAN's reconstructions keep the digit only sometimes, as in the paper). The default 10 epochs are
1,560 steps of 64 (their CPU time is not measured yet).
"""

import os

from example_args import fit, parse, save_reconstructions

import kerasgan

args = parse(__doc__, epochs=10, data=kerasgan.data.EMBEDDED_MNIST, data_help="the digits")

dataset = kerasgan.data.load_dataset(args.data, batch_size=64, seed=0)
bigan = kerasgan.models.BiGAN.for_images((28, 28, 1), latent_dim=50, seed=0)
bigan.compile()
bigan = fit(bigan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
bigan.save(os.path.join(args.run_dir, "gan.keras"))

save_reconstructions(bigan, dataset, args.run_dir)
