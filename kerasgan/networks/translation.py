"""Image-to-image translation networks: U-Net and ResNet generators, PatchGAN discriminators.

Layer recipes follow the authors' code (junyanz/pytorch-CycleGAN-and-pix2pix):
4×4 convolutions of stride 2, LeakyReLU(0.2) on the way down, ReLU on the way
up, weights from N(0, 0.02), tanh output in [-1, 1].

References:
    Isola, Zhu, Zhou, Efros, Image-to-Image Translation with Conditional
    Adversarial Networks, CVPR 2017. https://arxiv.org/abs/1611.07004
    Zhu, Park, Isola, Efros, Unpaired Image-to-Image Translation using
    Cycle-Consistent Adversarial Networks, ICCV 2017.
    https://arxiv.org/abs/1703.10593
"""

import keras

from kerasgan.networks.layers import ReflectionPadding2D
from kerasgan.networks.normalization import normalization_layer, weight_init

#: the normalizations of the translation networks
NORMALIZATIONS = ("batch", "instance", "none")


def _normalization(kind):
    return normalization_layer(kind, NORMALIZATIONS, "translation networks")


def _check_shape(image_shape, what):
    shape = tuple(image_shape)
    if len(shape) != 3 or any(not isinstance(s, int) or s < 1 for s in shape):
        raise ValueError(f"{what} must be (height, width, channels) of positive ints; got {image_shape!r}.")
    return shape


def unet_depth(image_shape):
    """Stride-2 stages that take the smaller side of `image_shape` down to 1 (256 → 8, 32 → 5)."""
    size, depth = min(image_shape[:2]), 0
    while size > 1 and size % 2 == 0:
        size //= 2
        depth += 1
    return depth


def unet_generator(
    image_shape=(256, 256, 3),
    out_channels=3,
    base_filters=64,
    depth=None,
    dropout=0.5,
    normalization="batch",
    skip_connections=True,
    seed=None,
    name="unet_generator",
):
    """pix2pix's U-Net generator: an encoder-decoder whose mirrored layers are joined by skip connections.

    Encoder: `depth` 4×4 stride-2 convolutions with base_filters·2^i filters
    (capped at 8·base_filters), LeakyReLU(0.2), normalization on all but the
    first and the innermost. Decoder: transposed convolutions back up, ReLU,
    each concatenated with the encoder layer of the same resolution; the three
    innermost decoder layers use dropout (pix2pix's noise source, also used
    at test time in the paper when `training=True` is passed). At 256×256 with
    the defaults this is the paper's C64-C128-C256-C512-C512-C512-C512-C512
    encoder and CD512-CD1024-CD1024-C1024-C1024-C512-C256-C128 decoder.

    Args:
        image_shape: (height, width, channels) of the input; both sides
            divisible by 2^depth.
        out_channels: channels of the output image.
        base_filters: filters of the first encoder layer.
        depth: stride-2 stages; default: down to a 1×1 bottleneck.
        dropout: dropout rate of the three innermost decoder layers.
        normalization: "batch" (the paper), "instance" or "none".
        skip_connections: False gives the paper's plain encoder-decoder
            baseline, where everything passes through the bottleneck.
        seed: seed of the dropout layers' random streams (None: drawn from
            Keras' global seed).

    Returns:
        A functional `keras.Model` from (B, H, W, C) to (B, H, W, out_channels)
        in [-1, 1].

    Reference:
        Isola et al. 2017, Section 3.2.1 and Appendix 6.1.2.
        https://arxiv.org/abs/1611.07004
    """
    image_shape = _check_shape(image_shape, "image_shape")
    depth = unet_depth(image_shape) if depth is None else int(depth)
    h, w, _ = image_shape
    if depth < 1 and min(h, w) % 2:
        raise ValueError(
            f"unet_generator: the U-Net halves the image at each stage, so its sides must be even; {h}×{w} is not. "
            "Use a size such as 32, 64, 128 or 256 (--image-size on the command line)."
        )
    if depth < 1 or h % 2**depth or w % 2**depth:
        raise ValueError(
            f"unet_generator: the image sides {h}×{w} must be divisible by 2^depth = 2^{depth}; "
            "use a size such as 32, 64, 128 or 256, or a smaller depth."
        )
    _normalization(normalization)  # a bad name fails here

    def filters(i):
        return base_filters * min(2**i, 8)

    inputs = keras.Input(image_shape, name="image")
    x, skips = inputs, []
    for i in range(depth):
        if i > 0:
            x = keras.layers.LeakyReLU(0.2)(x)
        norm = _normalization(normalization) if 0 < i < depth - 1 else None
        # No bias before a normalization, which subtracts it again.
        x = keras.layers.Conv2D(
            filters(i), 4, strides=2, padding="same", use_bias=norm is None, kernel_initializer=weight_init()
        )(x)
        if norm is not None:
            x = norm(x)
        skips.append(x)
    for i in reversed(range(depth - 1)):
        x = keras.layers.ReLU()(x)
        norm = _normalization(normalization)
        x = keras.layers.Conv2DTranspose(
            filters(i), 4, strides=2, padding="same", use_bias=norm is None, kernel_initializer=weight_init()
        )(x)
        if norm is not None:
            x = norm(x)
        if i >= depth - 4 and dropout:
            x = keras.layers.Dropout(dropout, seed=None if seed is None else seed + i)(x)
        if skip_connections:
            x = keras.layers.Concatenate()([x, skips[i]])
    x = keras.layers.ReLU()(x)
    x = keras.layers.Conv2DTranspose(out_channels, 4, strides=2, padding="same", kernel_initializer=weight_init())(x)
    outputs = keras.layers.Activation("tanh", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=name)


def resnet_generator(
    image_shape=(256, 256, 3),
    out_channels=3,
    base_filters=64,
    n_blocks=9,
    n_downsampling=2,
    normalization="instance",
    name="resnet_generator",
):
    """CycleGAN's generator: c7s1-64, d128, d256, n_blocks × R256, u128, u64, c7s1-out (Johnson et al. 2016).

    Reflection padding before the 7×7 and the residual 3×3 convolutions,
    instance normalization and ReLU after every convolution but the last,
    which is followed by tanh. The paper uses 9 blocks at 256×256 and 6 at
    128×128.

    Args:
        image_shape: (height, width, channels); sides divisible by 2^n_downsampling.
        out_channels: channels of the output image.
        base_filters: filters of the first convolution (64 in the paper).
        n_blocks: residual blocks at the lowest resolution.
        n_downsampling: stride-2 convolutions (and as many upsamplings).
        normalization: "instance" (the paper), "batch" or "none".

    Reference:
        Zhu et al. 2017, Appendix 7.2. https://arxiv.org/abs/1703.10593
    """
    image_shape = _check_shape(image_shape, "image_shape")
    h, w, _ = image_shape
    if h % 2**n_downsampling or w % 2**n_downsampling:
        raise ValueError(
            f"resnet_generator: the image sides {h}×{w} must be divisible by 2^n_downsampling = {2**n_downsampling}."
        )
    _normalization(normalization)

    def conv_norm_relu(x, filters, kernel, strides=1, transpose=False, reflect=0, relu=True):
        if reflect:
            x = ReflectionPadding2D(reflect)(x)
        layer = keras.layers.Conv2DTranspose if transpose else keras.layers.Conv2D
        norm = _normalization(normalization)
        x = layer(
            filters,
            kernel,
            strides=strides,
            padding="valid" if reflect else "same",
            use_bias=norm is None,
            kernel_initializer=weight_init(),
        )(x)
        if norm is not None:
            x = norm(x)
        return keras.layers.ReLU()(x) if relu else x

    inputs = keras.Input(image_shape, name="image")
    x = conv_norm_relu(inputs, base_filters, 7, reflect=3)
    for i in range(n_downsampling):
        x = conv_norm_relu(x, base_filters * 2 ** (i + 1), 3, strides=2)
    filters = base_filters * 2**n_downsampling
    for _ in range(n_blocks):
        y = conv_norm_relu(x, filters, 3, reflect=1)
        y = conv_norm_relu(y, filters, 3, reflect=1, relu=False)
        x = keras.layers.Add()([x, y])
    for i in reversed(range(n_downsampling)):
        x = conv_norm_relu(x, base_filters * 2**i, 3, strides=2, transpose=True)
    x = ReflectionPadding2D(3)(x)
    x = keras.layers.Conv2D(out_channels, 7, padding="valid", kernel_initializer=weight_init())(x)
    outputs = keras.layers.Activation("tanh", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=name)


def patchgan_discriminator(
    image_shape=(256, 256, 3),
    condition_shape=None,
    base_filters=64,
    n_layers=3,
    normalization="batch",
    name="patchgan_discriminator",
):
    """PatchGAN: a fully convolutional discriminator that classifies each N×N patch as real or fake.

    C64-C128-C256-C512 then a 1-channel convolution: `n_layers` 4×4 stride-2
    convolutions after the first, one of stride 1, and the stride-1 output
    layer; LeakyReLU(0.2), no normalization on the first layer. With
    `n_layers=3` each output logit sees a 70×70 input patch (the paper's
    choice); 1 gives 16×16, 5 gives 286×286 ("ImageGAN" at 256).

    With `condition_shape` it is pix2pix's conditional discriminator D(x, y):
    the model takes `[condition, image]` and concatenates them along the
    channels.

    Args:
        image_shape: (height, width, channels) of the judged image.
        condition_shape: shape of the conditioning input image, or None.
        base_filters: filters of the first layer.
        n_layers: stride-2 layers after the first (3 → 70×70 patches).
        normalization: "batch" (pix2pix), "instance" (CycleGAN) or "none".

    Returns:
        A functional `keras.Model` giving raw logits of shape (B, h, w, 1).

    Reference:
        Isola et al. 2017, Section 3.2.2 and Appendix 6.1.2.
        https://arxiv.org/abs/1611.07004
    """
    image_shape = _check_shape(image_shape, "image_shape")
    _normalization(normalization)
    if int(n_layers) != n_layers or n_layers < 1:
        raise ValueError(
            f"patchgan_discriminator: n_layers must be a positive int (3 gives 70×70 patches); got {n_layers!r}."
        )
    image = keras.Input(image_shape, name="image")
    if condition_shape is not None:
        condition_shape = _check_shape(condition_shape, "condition_shape")
        if condition_shape[:2] != image_shape[:2]:
            raise ValueError(
                f"patchgan_discriminator: the condition {condition_shape} and the image {image_shape} "
                "must have the same height and width."
            )
        condition = keras.Input(condition_shape, name="condition")
        inputs = [condition, image]
        x = keras.layers.Concatenate()(inputs)
    else:
        inputs = image
        x = image
    x = keras.layers.Conv2D(base_filters, 4, strides=2, padding="same", kernel_initializer=weight_init())(x)
    x = keras.layers.LeakyReLU(0.2)(x)
    for i in range(1, n_layers + 1):
        strides = 2 if i < n_layers else 1
        x = keras.layers.Conv2D(
            base_filters * min(2**i, 8),
            4,
            strides=strides,
            padding="same",
            use_bias=normalization == "none",
            kernel_initializer=weight_init(),
        )(x)
        norm = _normalization(normalization)
        if norm is not None:
            x = norm(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    logits = keras.layers.Conv2D(1, 4, padding="same", kernel_initializer=weight_init(), dtype="float32")(x)
    return keras.Model(inputs, logits, name=name)


def receptive_field(n_layers):
    """Side of the input patch that one PatchGAN logit sees: 70 for n_layers=3."""
    # Back from the output: the two stride-1 4×4 layers, then the stride-2 ones.
    size = 4 + 3
    for _ in range(n_layers):
        size = 2 * size + 2
    return size


def discogan_discriminator(image_shape=(64, 64, 3), base_filters=64, n_layers=None, name="discogan_discriminator"):
    """DiscoGAN's discriminator: stride-2 4×4 convolutions down to 4×4, then one logit per image.

    C64-C128-C256-C512 (LeakyReLU(0.2), BatchNorm on all but the first; at
    64×64 four layers take the image to 4×4), then a convolution over the
    whole remaining map gives one logit (the paper's sigmoid output, as a
    logit for the BCE losses).

    Args:
        image_shape: (height, width, channels); sides divisible by 2^n_layers.
        base_filters: filters of the first layer (64 in the paper).
        n_layers: stride-2 layers; default: down to 4×4 (at most 4 layers, at least 1).

    Returns:
        A functional `keras.Model` giving raw logits of shape (B, 1, 1, 1).

    Reference:
        Kim, Cha, Kim, Lee, Kim, Learning to Discover Cross-Domain Relations
        with Generative Adversarial Networks, ICML 2017, Section 4 and the
        authors' code (SKTBrain/DiscoGAN). https://arxiv.org/abs/1703.05192
    """
    image_shape = _check_shape(image_shape, "image_shape")
    h, w, _ = image_shape
    if n_layers is None:
        n_layers = min(4, max(1, unet_depth(image_shape) - 2))
    if int(n_layers) != n_layers or n_layers < 1 or h % 2**n_layers or w % 2**n_layers:
        raise ValueError(
            f"discogan_discriminator: the image sides {h}×{w} must be divisible by 2^n_layers (n_layers={n_layers!r}, "
            "a positive int); use a size such as 32, 64 or 128."
        )
    image = keras.Input(image_shape, name="image")
    x = image
    for i in range(n_layers):
        norm = _normalization("batch") if i > 0 else None
        x = keras.layers.Conv2D(
            base_filters * min(2**i, 8),
            4,
            strides=2,
            padding="same",
            use_bias=norm is None,
            kernel_initializer=weight_init(),
        )(x)
        if norm is not None:
            x = norm(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    kernel = (h // 2**n_layers, w // 2**n_layers)
    logits = keras.layers.Conv2D(1, kernel, padding="valid", kernel_initializer=weight_init(), dtype="float32")(x)
    return keras.Model(image, logits, name=name)
