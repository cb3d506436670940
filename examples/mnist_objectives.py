"""Other objectives on MNIST: f-GAN divergences, EBGAN, BEGAN and Diffusion-GAN, with the DCGAN networks.

    python examples/mnist_objectives.py                                   # f-GAN, squared Hellinger
    python examples/mnist_objectives.py --divergence pearson              # f-GAN, another divergence
    python examples/mnist_objectives.py --model ebgan                     # EBGAN: autoencoder D, margin + pulling-away
    python examples/mnist_objectives.py --model began                     # BEGAN: k_t control, M_global in TensorBoard
    python examples/mnist_objectives.py --model diffusion                 # DCGAN + Diffusion-GAN's adaptive diffusion
    python examples/mnist_objectives.py mnist --model began               # all 70,000 digits (a download)

Each model logs its own signals to `tb/` (BEGAN's `k` and `m_global`, Diffusion-GAN's `diffusion_T`
and `diffusion_r_d`). Measured in tests/test_objectives_real_data.py: the f-GAN with squared
Hellinger, 2,500 steps on the shipped digits, yardstick confidence 0.642. The default 16 epochs are
2,500 steps of 64: about 2 CPU-minutes for the f-GAN and DCGAN + diffusion, which have DCGAN's
networks (3,900 DCGAN steps take 190 CPU-seconds); EBGAN's and BEGAN's autoencoder discriminators
cost more (not measured yet).
"""

import keras
from example_args import fit, parse

import kerasgan
from kerasgan.losses.f_divergence import DIVERGENCES


def own_flags(parser):
    parser.add_argument(
        "--model", choices=("fgan", "ebgan", "began", "diffusion"), default="fgan", help="the objective"
    )
    parser.add_argument("--divergence", choices=DIVERGENCES, default="squared_hellinger", help="the f-GAN's divergence")


args = parse(
    __doc__,
    epochs=16,
    data=kerasgan.data.EMBEDDED_MNIST,
    data_help="the digits",
    own_flags=own_flags,
)

dataset = kerasgan.data.load_dataset(args.data, batch_size=64, seed=0)
shape, options = (28, 28, 1), {"latent_dim": 100, "seed": 0}
if args.model == "fgan":
    gan = kerasgan.models.FGAN.for_images(shape, divergence=args.divergence, **options)
elif args.model == "ebgan":
    gan = kerasgan.models.EBGAN.for_images(shape, **options)
elif args.model == "began":
    gan = kerasgan.models.BEGAN.for_images(shape, **options)
else:
    gan = kerasgan.models.DCGAN.for_images(shape, augment=kerasgan.parts.Diffusion(), **options)
if args.model in ("ebgan", "began"):
    gan.compile()  # the paper's optimizers
else:
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5)
    )
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
