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
import tensorflow as tf


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


def _init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def _batch_norm():
    # momentum 0.9 (PyTorch's 0.1) so the moving statistics that generate()
    # uses in inference mode track the fast-changing GAN activations.
    # Built under a multi-replica tf.distribute strategy, the statistics are
    # synchronized so they are those of the global batch, as on one device.
    # Not otherwise: Keras' synchronized path costs ~40 % of a 28×28 step.
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return keras.layers.BatchNormalization(
        momentum=0.9,
        epsilon=1e-5,
        gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
        synchronized=replicas > 1,
    )


def _check_square(image_shape):
    h, w, c = image_shape
    if h != w:
        raise ValueError(f"DCGAN networks are built for square images; got image_shape={tuple(image_shape)}.")
    if c not in (1, 3):
        raise ValueError(f"image_shape must have 1 (grayscale) or 3 (RGB) channels; got {c}.")


def dcgan_generator(latent_dim=100, image_shape=(64, 64, 3), base_filters=64, kernel_size=4, name="generator"):
    """DCGAN generator: project z to s×s×(f·2^(d-1)), then d fractionally strided convolutions.

    At 64×64×3 with base_filters=64: 4×4×512 → 8×8×256 → 16×16×128 → 32×32×64 → 64×64×3.
    """
    _check_square(image_shape)
    size, _, channels = image_shape
    depth = dcgan_depth(size)
    start = size // 2**depth
    filters = base_filters * 2 ** (depth - 1)

    z = keras.Input((latent_dim,), name="latents")
    x = keras.layers.Dense(start * start * filters, use_bias=False, kernel_initializer=_init())(z)
    x = keras.layers.Reshape((start, start, filters))(x)
    x = keras.layers.ReLU()(_batch_norm()(x))
    for _ in range(depth - 1):
        filters //= 2
        x = keras.layers.Conv2DTranspose(
            filters, kernel_size, strides=2, padding="same", use_bias=False, kernel_initializer=_init()
        )(x)
        x = keras.layers.ReLU()(_batch_norm()(x))
    x = keras.layers.Conv2DTranspose(channels, kernel_size, strides=2, padding="same", kernel_initializer=_init())(x)
    image = keras.layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model(z, image, name=name)


def dcgan_discriminator(image_shape=(64, 64, 3), base_filters=64, kernel_size=4, name="discriminator"):
    """DCGAN discriminator: d strided convolutions doubling the width, then one logit.

    At 64×64×3 with base_filters=64: 32×32×64 → 16×16×128 → 8×8×256 → 4×4×512 → 1.
    """
    _check_square(image_shape)
    depth = dcgan_depth(image_shape[0])
    image = keras.Input(tuple(image_shape), name="images")
    x = image
    for i in range(depth):
        x = keras.layers.Conv2D(
            base_filters * 2**i, kernel_size, strides=2, padding="same", use_bias=i == 0, kernel_initializer=_init()
        )(x)
        if i > 0:
            x = _batch_norm()(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Flatten()(x)
    logit = keras.layers.Dense(1, kernel_initializer=_init(), dtype="float32", name="logit")(x)
    return keras.Model(image, logit, name=name)
