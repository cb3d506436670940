"""DCGAN on Fashion-MNIST (Xiao et al. 2017): 70,000 28×28 grayscale clothes, the MNIST recipe.

    python examples/fashion_mnist_dcgan.py                   # via keras.datasets (a download, once)
    python examples/fashion_mnist_dcgan.py fashion-mnist/    # local IDX files (*-idx3-ubyte[.gz])
    python examples/fashion_mnist_dcgan.py fashion.npz       # or an .npz (x_train[, x_test])

Local copies: the IDX files of https://github.com/zalandoresearch/fashion-mnist (the train and t10k
files are read together), or numpy.savez("fashion.npz", x_train=images).

Time for the default 10 epochs (10,930 steps of 64 images): about 6 CPU-minutes of training steps (0.030
CPU-seconds a step, measured over 20 steps on synthetic batches, 2 shared CPU cores at load 5–7; the input
pipeline and the grids come on top). On a GPU a step this small is mostly launch overhead, a few
milliseconds: roughly 1–2 minutes (estimated, not measured).
"""

import keras
from example_args import data_source, fit, parse

import kerasgan

args = parse(__doc__, epochs=10, data="fashion_mnist", data_help="the clothes")
LOCAL = "a folder of Fashion-MNIST IDX files or an .npz (see --help)"

dataset = kerasgan.data.load_dataset(data_source(args.data, "fashion_mnist", LOCAL), batch_size=64, seed=0)
gan = kerasgan.models.DCGAN.for_images((28, 28, 1), latent_dim=100, seed=0)
gan.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
)
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
