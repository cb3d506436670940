"""ACGAN on MNIST (Odena et al. 2017): the discriminator also classifies the digit.

    python examples/mnist_acgan.py                       # the MNIST test set shipped with kerasgan
    python examples/mnist_acgan.py mnist                 # all 70,000 digits via keras.datasets (a download)
    python examples/mnist_acgan.py ../shared/data/mnist  # local IDX files (labels beside them)

TensorBoard shows `d_class` and `g_class`, the class cross-entropies each
network adds to its adversarial loss.
"""

from example_args import fit, parse

import kerasgan

args = parse(__doc__, epochs=20, data=kerasgan.data.EMBEDDED_MNIST, data_help="the labelled digits")

dataset = kerasgan.data.load_dataset(args.data, batch_size=64, seed=0, labels=True)
gan = kerasgan.models.ACGAN.for_images((28, 28, 1), num_classes=10, class_names=dataset.class_names, seed=0)
gan.compile()
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
kerasgan.callbacks.save_image_grid(f"{args.run_dir}/threes.png", gan.generate(16, labels=3, seed=0))
