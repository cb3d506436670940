"""DCGAN networks (Radford et al. 2015), for square images with an even side ≥ 8.

The paper's guidelines: strided convolutions instead of pooling, BatchNorm in
both networks except at the generator's output and the discriminator's input,
ReLU in the generator with a tanh output, LeakyReLU(0.2) in the discriminator,
weights initialized from N(0, 0.02).

Reference:
    Radford, Metz, Chintala, Unsupervised Representation Learning with Deep
    Convolutional Generative Adversarial Networks, ICLR 2016.
    https://arxiv.org/abs/1511.06434
"""

import keras

from kerasgan.networks.layers import MinibatchDiscrimination, MinibatchStdDev
from kerasgan.networks.normalization import normalization_layer, weight_init


def dcgan_depth(image_size):
    """Number of stride-2 stages for a square `image_size` (28 -> 2, 32 -> 3, 64 -> 4).

    The side is halved while it stays even and at least 4, so the networks start
    (generator) and end (discriminator) at 4×4 for powers of two and at 7×7 for
    MNIST's 28.
    """
    size, depth = int(image_size), 0
    while size % 2 == 0 and size // 2 >= 4:
        size //= 2
        depth += 1
    if depth == 0:
        raise ValueError(
            f"DCGAN networks need an even image side of at least 8 (e.g. 28, 32, 64, 128); got {image_size}. "
            "Resize the images (image_size= in kerasgan.data) to such a size."
        )
    return depth


def _check_square(image_shape, any_channels=False):
    h, w, c = image_shape
    if h != w:
        raise ValueError(f"DCGAN networks are built for square images; got image_shape={tuple(image_shape)}.")
    if c not in (1, 3) and not any_channels:
        raise ValueError(f"image_shape must have 1 (grayscale) or 3 (RGB) channels; got {c}.")


def dcgan_generator(latent_dim=100, image_shape=(64, 64, 3), base_filters=64, kernel_size=4, name="generator"):
    """DCGAN generator: project z to s×s×(f·2^(d-1)), then d fractionally strided convolutions.

    At 64×64×3 with base_filters=64: 4×4×512 → 8×8×256 → 16×16×128 → 32×32×64 → 64×64×3.
    """
    _check_square(image_shape)
    z = keras.Input((latent_dim,), name="latents")
    return keras.Model(z, dcgan_generator_body(z, image_shape, base_filters, kernel_size), name=name)


def dcgan_generator_body(x, image_shape, base_filters=64, kernel_size=4):
    """The DCGAN generator's layers applied to a symbolic input vector `x`; returns the image tensor.

    For builders that feed the generator something else than bare latents
    (a conditional generator joins a label embedding to them).
    """
    _check_square(image_shape)
    size, _, channels = image_shape
    depth = dcgan_depth(size)
    start = size // 2**depth
    filters = base_filters * 2 ** (depth - 1)
    x = keras.layers.Dense(start * start * filters, use_bias=False, kernel_initializer=weight_init())(x)
    x = keras.layers.Reshape((start, start, filters))(x)
    x = keras.layers.ReLU()(normalization_layer("batch")(x))
    for _ in range(depth - 1):
        filters //= 2
        x = keras.layers.Conv2DTranspose(
            filters, kernel_size, strides=2, padding="same", use_bias=False, kernel_initializer=weight_init()
        )(x)
        x = keras.layers.ReLU()(normalization_layer("batch")(x))
    x = keras.layers.Conv2DTranspose(
        channels, kernel_size, strides=2, padding="same", kernel_initializer=weight_init()
    )(x)
    return keras.layers.Activation("tanh", dtype="float32", name="image")(x)


#: the normalizations of the DCGAN discriminator
DISCRIMINATOR_NORMALIZATIONS = ("batch", "layer", "none")


def dcgan_discriminator(
    image_shape=(64, 64, 3),
    base_filters=64,
    kernel_size=4,
    name="discriminator",
    normalization=None,
    spectral_norm=False,
    minibatch_std=False,
    minibatch_discrimination=False,
    logit_bias=True,
):
    """DCGAN discriminator: d strided convolutions doubling the width, then one logit.

    At 64×64×3 with base_filters=64: 32×32×64 → 16×16×128 → 8×8×256 → 4×4×512 → 1.
    Each stage is Conv2D (stride 2) → normalization (not after the first
    convolution) → LeakyReLU(0.2); then Flatten and a float32 Dense logit. The
    defaults build exactly the DCGAN paper's network; the options add the
    discriminator tricks of later papers.

    Args:
        image_shape: (size, size, channels) of the input images, channels 1 or 3.
        base_filters: filters of the first convolution; each stage doubles them.
        kernel_size: side of every convolution kernel.
        name: name of the returned model.
        normalization: what follows every convolution but the first:
            "batch" (BatchNorm, the DCGAN paper), "layer" (LayerNormalization
            over H, W and C of each sample, the WGAN-GP paper's recommendation
            for critics, whose per-sample gradient penalty BatchNorm breaks) or
            "none". Convolutions get a bias only when no normalization follows
            them. Default: "batch", or "none" when `spectral_norm` is set
            (SNGAN's discriminator has no BatchNorm); pass "batch" explicitly
            to combine BatchNorm with spectral normalization.
        spectral_norm: wrap every Conv2D and the final Dense in
            `keras.layers.SpectralNormalization` (Miyato et al. 2018). Its power
            iteration only runs when the model is called with `training=True`.
        minibatch_std: insert `MinibatchStdDev` (Karras et al. 2018, group
            size 4) after the last convolution stage, before Flatten.
        minibatch_discrimination: insert `MinibatchDiscrimination` (Salimans et
            al. 2016, 100 kernels of dimension 5) after Flatten, before the logit.
        logit_bias: whether the logit has a bias. Losses of logit differences
            (Wasserstein, relativistic) give it exactly zero gradient, so their
            critics leave it out rather than carry a weight that only
            optimizer noise moves.

    Returns:
        A functional `keras.Model` from images (input "images") to one logit
        per image (layer "logit", float32 under mixed precision).

    Example:
        >>> critic = dcgan_discriminator((32, 32, 3), normalization="layer")
        >>> sngan_d = dcgan_discriminator((32, 32, 3), spectral_norm=True)  # no BatchNorm

    References:
        Radford et al. 2015, https://arxiv.org/abs/1511.06434 (the network);
        Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028 (layer norm in critics);
        Miyato et al. 2018, https://arxiv.org/abs/1802.05957 (spectral normalization);
        Karras et al. 2018, https://arxiv.org/abs/1710.10196 (minibatch standard deviation);
        Salimans et al. 2016, https://arxiv.org/abs/1606.03498 (minibatch discrimination).
    """
    _check_square(image_shape, any_channels=True)  # PacGAN packs along the channels, Diffusion adds t
    image = keras.Input(tuple(image_shape), name="images")
    features = dcgan_discriminator_features(
        image, base_filters, kernel_size, normalization, spectral_norm, minibatch_std, minibatch_discrimination
    )
    logit = dense_output(features, 1, spectral_norm=spectral_norm, use_bias=logit_bias, name="logit")
    return keras.Model(image, logit, name=name)


def dcgan_discriminator_features(
    x,
    base_filters=64,
    kernel_size=4,
    normalization=None,
    spectral_norm=False,
    minibatch_std=False,
    minibatch_discrimination=False,
):
    """The DCGAN discriminator's layers up to its last hidden layer, applied to a symbolic image tensor `x`.

    Returns the flat feature tensor the logit is computed from (what feature
    matching compares, and what auxiliary heads such as ACGAN's classifier or
    InfoGAN's Q network share). `x` may have any number of channels (a
    conditional discriminator appends label maps); its side sets the depth.
    See `dcgan_discriminator` for the arguments.
    """
    if normalization is None:
        normalization = "none" if spectral_norm else "batch"
    if normalization not in DISCRIMINATOR_NORMALIZATIONS:
        raise ValueError(
            f"Unknown discriminator normalization={normalization!r}; use one of "
            f"{', '.join(map(repr, DISCRIMINATOR_NORMALIZATIONS))} "
            "('layer' or 'none' for a WGAN-GP critic, 'none' with spectral_norm=True for SNGAN)."
        )
    depth = dcgan_depth(x.shape[1])

    def wrap(layer):
        return keras.layers.SpectralNormalization(layer) if spectral_norm else layer

    for i in range(depth):
        normalized = i > 0 and normalization != "none"
        x = wrap(
            keras.layers.Conv2D(
                base_filters * 2**i,
                kernel_size,
                strides=2,
                padding="same",
                use_bias=not normalized,
                kernel_initializer=weight_init(),
            )
        )(x)
        if normalized:
            x = normalization_layer(normalization)(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    if minibatch_std:
        x = MinibatchStdDev(name="minibatch_std")(x)
    x = keras.layers.Flatten()(x)
    if minibatch_discrimination:
        x = MinibatchDiscrimination(name="minibatch_discrimination")(x)
    return x


def dense_output(x, units, spectral_norm=False, use_bias=True, name=None):
    """A float32 Dense output layer (a logit, class logits, ...), spectrally normalized when asked."""
    if spectral_norm:
        # the wrapper casts its output to its input's dtype: float32 on both keeps the output float32
        dense = keras.layers.Dense(units, use_bias=use_bias, kernel_initializer=weight_init(), dtype="float32")
        return keras.layers.SpectralNormalization(dense, dtype="float32", name=name)(x)
    return keras.layers.Dense(units, use_bias=use_bias, kernel_initializer=weight_init(), dtype="float32", name=name)(x)
