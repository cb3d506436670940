"""InfoGAN on MNIST (Chen et al. 2016): without labels, a 10-way code learns the digits.

    python examples/mnist_infogan.py                       # the MNIST test set shipped with kerasgan
    python examples/mnist_infogan.py mnist                 # all 70,000 digits via keras.datasets (a download)
    python examples/mnist_infogan.py ../shared/data/mnist  # local IDX files

The grids in RUN_DIR/images/ have one row per value of the categorical code,
and the columns sweep the first continuous code from -2 to 2 (the paper's
Figure 2): rows become digits, columns a style such as slant.
"""

import numpy as np
from example_args import fit, parse

import kerasgan

args = parse(__doc__, epochs=20, data=kerasgan.data.EMBEDDED_MNIST, data_help="the digits (labels unused)")

dataset = kerasgan.data.load_dataset(args.data, batch_size=64, seed=0)
gan = kerasgan.models.InfoGAN.for_images(
    (28, 28, 1),
    latent_dim=62,
    categorical_codes=(10,),
    continuous_codes=2,
    seed=0,  # the paper's MNIST codes
)
gan.compile()
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
# Code value 4, the second continuous code swept from -2 to 2, one z for all.
sweep = np.stack([np.zeros(10), np.linspace(-2, 2, 10)], axis=1)
z = np.repeat(np.random.default_rng(0).standard_normal((1, 62)), 10, axis=0)
kerasgan.callbacks.save_image_grid(
    f"{args.run_dir}/code4_sweep.png", gan.generate(latents=z, codes={"categorical": 4, "continuous": sweep}), cols=10
)
