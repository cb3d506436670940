"""Conditional GAN on MNIST (Mirza & Osindero 2014): ask for a digit, get that digit.

    python examples/mnist_cgan.py                       # the MNIST test set shipped with kerasgan
    python examples/mnist_cgan.py mnist                 # all 70,000 digits via keras.datasets (a download)
    python examples/mnist_cgan.py ../shared/data/mnist  # local IDX files (labels beside them)

The sample grids in RUN_DIR/images/ have one row per digit, and each column
keeps its latent vector, so a column shows one "handwriting" across digits.
"""

from example_args import fit, parse

import kerasgan

args = parse(__doc__, epochs=20, data=kerasgan.data.EMBEDDED_MNIST, data_help="the labelled digits")

dataset = kerasgan.data.load_dataset(args.data, batch_size=64, seed=0, labels=True)  # (images, labels) batches
gan = kerasgan.models.ConditionalGAN.for_images((28, 28, 1), num_classes=10, class_names=dataset.class_names, seed=0)
gan.compile()  # Adam(2e-4, beta_1=0.5) for both networks
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
kerasgan.callbacks.save_image_grid(f"{args.run_dir}/sevens.png", gan.generate(16, labels=7, seed=0))
