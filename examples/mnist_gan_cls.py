"""GAN-CLS on the captioned MNIST (Reed et al. 2016): write a caption, get that digit, thin or thick.

    python examples/mnist_gan_cls.py                       # the MNIST test set shipped with kerasgan
    python examples/mnist_gan_cls.py ../shared/data/mnist  # local IDX files (labels beside them)
    python examples/mnist_gan_cls.py --interpolation       # GAN-INT: also train on interpolated captions

Each digit is captioned from its label and its measured stroke thickness and
slant ("a thick, slanted seven", "a thin one", "a four"; the grammar is in
kerasgan.data.captions). The sample grids in RUN_DIR/images/ have one row per
caption "a zero" ... "a nine"; captions.png shows one row per caption of
CAPTIONS below, the same latents in every row.
"""

import numpy as np
from example_args import fit, parse

import kerasgan

CAPTIONS = ["a thin seven", "a thick seven", "an upright one", "a slanted one", "a thick, slanted four"]


def own_flags(parser):
    parser.add_argument("--interpolation", action="store_true", help="GAN-INT: interpolated text embeddings too")


args = parse(__doc__, epochs=5, data=kerasgan.data.EMBEDDED_MNIST, data_help="the labelled digits", own_flags=own_flags)

dataset = kerasgan.data.captioned_mnist_dataset(args.data, batch_size=64, seed=0)  # (images, caption strings)
encoder = kerasgan.networks.text_encoder(kerasgan.data.caption_words())  # trained with the discriminator
gan = kerasgan.models.GANCLS.for_images((28, 28, 1), text_encoder=encoder, interpolation=args.interpolation, seed=0)
gan.compile()  # Adam(2e-4, beta_1=0.5) for both networks
gan = fit(gan, dataset, args, kerasgan.callbacks.run_callbacks(args.run_dir))
gan.save(f"{args.run_dir}/gan.keras")
latents = np.tile(np.random.default_rng(0).standard_normal((8, gan.latent_dim)), (len(CAPTIONS), 1))
rows = gan.generate(latents=latents, captions=[c for c in CAPTIONS for _ in range(8)])
kerasgan.callbacks.save_image_grid(f"{args.run_dir}/captions.png", rows, cols=8)
