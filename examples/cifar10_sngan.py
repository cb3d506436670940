"""SNGAN on CIFAR-10 (Miyato et al. 2018): hinge loss and a spectrally normalized discriminator, 32×32×3.

    python examples/cifar10_sngan.py                 # via keras.datasets (a download, once)
    python examples/cifar10_sngan.py cifar10.npz     # a local .npz (x_train[, x_test], uint8 N×32×32×3)
    python examples/cifar10_sngan.py cifar10_png/    # or a folder of 32×32 images (searched recursively)

`kerasgan.models.HingeGAN`: the DCGAN generator (4×4×256 → 32×32×3) against a DCGAN discriminator with
every layer spectrally normalized and no BatchNorm; Adam(2e-4, β1 = 0.5) for both, one discriminator
step per generator step; latent size 128, as in SNGAN. Of kerasgan's models this is the recipe the
literature finds strongest on CIFAR-10 with networks of this size: Miyato et al. compare them with the
same standard CNNs there, and spectral normalization with the hinge loss comes out ahead of WGAN-GP,
BatchNorm and weight normalization.

A local copy: numpy.savez("cifar10.npz", x_train=images) from any CIFAR-10 reader, or the PNG
folders of a mirror such as Kaggle's "CIFAR-10 - Object Recognition in Images".

Time for the default 50 epochs (46,850 steps of 64 images): about 2 CPU-hours (0.17 CPU-seconds a step,
measured over 20 steps on synthetic batches, 2 shared CPU cores at load 5–7). On a GPU a step is a few
milliseconds (about 30 GFLOP, mostly launch overhead at this size): roughly 5–10 minutes (estimated, not
measured).
"""

from example_args import data_source, fit, parse

import kerasgan

args = parse(__doc__, epochs=50, data="cifar10", data_help="the images")
LOCAL = "an .npz of 32×32×3 uint8 images (x_train) or a folder of 32×32 images"

dataset = kerasgan.data.load_dataset(
    data_source(args.data, "cifar10", LOCAL), image_size=32, channels=3, batch_size=64, seed=0
)
gan = kerasgan.models.HingeGAN.for_images((32, 32, 3), latent_dim=128, seed=0)
gan.compile()  # Adam(2e-4, beta_1=0.5) for both networks
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
