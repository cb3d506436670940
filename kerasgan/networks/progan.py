"""ProGAN's networks (Karras et al. 2018): built once at the target size, grown by a `growth` input.

Every block of every resolution exists from the start, so the optimizers'
slots exist from the start too and nothing is rebuilt or re-compiled as the
networks grow. Both networks take a second input, `growth`, of shape
(batch, 2): the current level (0 for 4×4, 1 for 8×8, ...) and the fade-in
`alpha`. The model feeds it from its own state (see `kerasgan.models.ProGAN`);
the networks themselves hold none.

The level is a tensor, not a Python value, so one traced step serves every
level: each network computes all its levels and blends them with weights read
from `growth` (the "linear" structure of the paper's code), so that no
control flow stands in the way of the gradient penalty's second derivative,
tf.distribute or XLA. Weights of the blocks above the current level get exact
zero gradients.

The images are always at the target size. The generator's output at level L
is `alpha · toRGB_L(h_L) + (1 - alpha) · up(toRGB_{L-1}(h_{L-1}))`, nearest-
upsampled to the target size; the discriminator average-pools its input back
to each level's resolution (exact on such an image) and mirrors the blend:
`alpha · block_L(fromRGB_L(x_L)) + (1 - alpha) · fromRGB_{L-1}(pool(x_L))`.
The real images get the same treatment (`fade_images`), as in the paper's code.
"""

import math

import keras
from keras import ops

from kerasgan.networks.layers import MinibatchStdDev


def levels_of(side, owner="ProGAN"):
    """The number of doublings from 4×4 to `side` (a power of two ≥ 4)."""
    side = int(side)
    if side < 4 or side & (side - 1):
        raise ValueError(
            f"{owner} grows from 4×4 by doublings: the image side must be a power of two ≥ 4 (4, 8, 16, 32, 64, ...); "
            f"got {side}. Resize the images (--image-size 64)."
        )
    return int(math.log2(side)) - 2


def level_weights(level, alpha):
    """The weight of each level's image in the blend at (`level`, `alpha`): a function of the level k (tensors broadcast)."""
    alpha = ops.where(ops.equal(level, 0.0), 1.0, alpha)  # 4×4 has nothing to fade from

    def weight(k):
        return ops.where(ops.equal(level, float(k)), alpha, ops.where(ops.equal(level, float(k + 1)), 1.0 - alpha, 0.0))

    return weight


def blend_levels(images, growth, side):
    """Σ_k w_k · up(images[k]): the images of every level (4×4, 8×8, ...) blended at `growth`, at `side`×`side`."""
    growth = ops.cast(growth, "float32")
    weight = level_weights(growth[:, 0:1, None, None], growth[:, 1:2, None, None])
    total = 0.0
    for k, image in enumerate(images):
        factor = side // image.shape[1]
        image = ops.cast(image, "float32")
        if factor > 1:
            image = ops.repeat(ops.repeat(image, factor, axis=1), factor, axis=2)
        total = total + weight(k) * image
    return total


def downscale(images, factor):
    """Average pooling by `factor` (a box filter: exact on an image nearest-upsampled by `factor`)."""
    if factor == 1:
        return images
    _, h, w, c = images.shape
    y = ops.reshape(images, (-1, h // factor, factor, w // factor, factor, c))
    return ops.mean(y, axis=(2, 4))


def fade_images(images, growth):
    """What real images look like at `growth`: each level's average-pooled copy, blended as the generator's output."""
    side = images.shape[1]
    levels = levels_of(side)
    return blend_levels([downscale(images, 2 ** (levels - k)) for k in range(levels + 1)], growth, side)


@keras.saving.register_keras_serializable(package="kerasgan")
class EqualizedDense(keras.layers.Layer):
    """A dense layer with an equalized learning rate: weights stored N(0, 1), multiplied by √(gain / fan_in) at run time.

    With Adam, whose step size does not depend on the gradient's scale, every
    weight then learns at the same speed relative to its effect (Karras et al.
    2018, section 4.1); He's initialization is applied in the forward pass
    rather than to the stored weights.

    Args:
        units: output size.
        gain: the squared gain: 2 for layers followed by a (leaky) ReLU, 1 for a linear output.
        use_bias: add a bias (initialized to zero, not scaled).
    """

    def __init__(self, units, gain=2.0, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.gain = float(gain)
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.scale = math.sqrt(self.gain / fan_in)
        self.kernel = self.add_weight(
            name="kernel", shape=(fan_in, self.units), initializer=keras.initializers.RandomNormal(0.0, 1.0)
        )
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros") if self.use_bias else None

    def call(self, inputs):
        x = ops.matmul(inputs, ops.cast(self.kernel, self.compute_dtype) * self.scale)
        return x + ops.cast(self.bias, self.compute_dtype) if self.use_bias else x

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "gain": self.gain, "use_bias": self.use_bias}


@keras.saving.register_keras_serializable(package="kerasgan")
class EqualizedConv2D(keras.layers.Layer):
    """A 'same'-padded, stride-1 convolution with an equalized learning rate (see `EqualizedDense`); fan_in = k·k·C_in."""

    def __init__(self, filters, kernel_size=3, gain=2.0, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.gain = float(gain)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        fan_in = self.kernel_size * self.kernel_size * channels
        self.scale = math.sqrt(self.gain / fan_in)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.kernel_size, self.kernel_size, channels, self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")

    def call(self, inputs):
        kernel = ops.cast(self.kernel, self.compute_dtype) * self.scale
        return ops.conv(inputs, kernel, padding="same") + ops.cast(self.bias, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size, "gain": self.gain}


@keras.saving.register_keras_serializable(package="kerasgan")
class PixelNormalization(keras.layers.Layer):
    """Pixelwise feature normalization (Karras et al. 2018, section 4.2): x / √(mean over channels of x² + ε)."""

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        x = x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)
        return ops.cast(x, inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="kerasgan")
class GrowthBlend(keras.layers.Layer):
    """The generator's output: inputs [growth, image at 4×4, at 8×8, ...], blended at `growth` (`blend_levels`) at the target size."""

    def __init__(self, side, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.side = int(side)

    def call(self, inputs):
        return blend_levels(inputs[1:], inputs[0], self.side)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.side, self.side, input_shape[-1][-1])

    def get_config(self):
        return {**super().get_config(), "side": self.side}


@keras.saving.register_keras_serializable(package="kerasgan")
class GrowthMix(keras.layers.Layer):
    """Where the discriminator reads level `level`'s image: inputs [growth, features from the block above, fromRGB features].

    At the current level L the fromRGB features enter alone; at L - 1 they
    are blended with the block above's, (1 - alpha) · fromRGB + alpha · block; below L
    only the block above's features pass; above L neither (zeros).
    """

    def __init__(self, level, **kwargs):
        super().__init__(**kwargs)
        self.level = int(level)

    def call(self, inputs):
        growth, above, entry = inputs
        growth = ops.cast(growth, "float32")
        current, alpha = growth[:, 0:1, None, None], growth[:, 1:2, None, None]
        here = ops.equal(current, float(self.level))
        fading = ops.equal(current, float(self.level + 1))
        entry_weight = ops.where(here, 1.0, ops.where(fading, 1.0 - alpha, 0.0))
        above_weight = ops.where(fading, alpha, ops.where(current > self.level + 1, 1.0, 0.0))
        dtype = above.dtype
        return ops.cast(entry_weight, dtype) * entry + ops.cast(above_weight, dtype) * above

    def compute_output_shape(self, input_shape):
        return input_shape[1]

    def get_config(self):
        return {**super().get_config(), "level": self.level}


def progan_filters(side, base_filters, max_filters):
    """Width at each resolution 4, 8, ..., side: `base_filters` at the target, doubling per halving, at most `max_filters`."""
    return {4 * 2**k: min(max_filters, base_filters * side // (4 * 2**k)) for k in range(levels_of(side) + 1)}


def _leaky(x):
    return keras.layers.LeakyReLU(negative_slope=0.2)(x)


def progan_generator(latent_dim, image_shape, base_filters=16, max_filters=512, name="generator"):
    """ProGAN's generator: (latents, growth) → images in [-1, 1] at the target size.

    Pixel norm of z, an equalized dense layer to 4×4, then per doubling a
    nearest upsampling and two 3×3 convolutions (leaky ReLU 0.2, pixel norm
    after each); every resolution has its own 1×1 toRGB (then tanh, so that
    images lie in [-1, 1] as every kerasgan model's do; the paper's output
    is linear), and `GrowthBlend` picks and fades them by `growth`.
    """
    side, _, channels = image_shape
    levels = levels_of(side)
    widths = progan_filters(side, base_filters, max_filters)
    z = keras.Input((latent_dim,), name="latents")
    growth = keras.Input((2,), name="growth")
    x = PixelNormalization()(z)
    # gain (√2/4)² as in the paper's code: the 4×4 dense layer is a 4×4 transposed convolution of a 1×1 input
    x = EqualizedDense(16 * widths[4], gain=2.0 / 16, name="dense_4x4")(x)
    x = keras.layers.Reshape((4, 4, widths[4]))(x)
    x = PixelNormalization()(_leaky(x))
    x = PixelNormalization()(_leaky(EqualizedConv2D(widths[4], 3, name="conv_4x4")(x)))
    images = [
        keras.layers.Activation("tanh", name="rgb_4x4")(EqualizedConv2D(channels, 1, gain=1.0, name="to_rgb_4x4")(x))
    ]
    for k in range(1, levels + 1):
        res = 4 * 2**k
        x = keras.layers.UpSampling2D(2)(x)
        for i in range(2):
            x = PixelNormalization()(_leaky(EqualizedConv2D(widths[res], 3, name=f"conv{i}_{res}x{res}")(x)))
        rgb = EqualizedConv2D(channels, 1, gain=1.0, name=f"to_rgb_{res}x{res}")(x)
        images.append(keras.layers.Activation("tanh", name=f"rgb_{res}x{res}")(rgb))
    out = GrowthBlend(side, name="growth_blend")([growth, *images])
    return keras.Model([z, growth], out, name=name)


def progan_discriminator(image_shape, base_filters=16, max_filters=512, group_size=4, name="discriminator"):
    """ProGAN's discriminator: (images at the target size, growth) → logits (B, 1), without normalization.

    Per resolution a 1×1 fromRGB of the input average-pooled to it; per
    halving two 3×3 convolutions and a 2×2 average pooling, then `GrowthMix`;
    at 4×4 the minibatch standard deviation, a 3×3 convolution, an equalized
    dense layer and the linear logit.
    """
    side, _, _ = image_shape
    levels = levels_of(side)
    widths = progan_filters(side, base_filters, max_filters)
    image = keras.Input(tuple(image_shape), name="images")
    growth = keras.Input((2,), name="growth")
    entries = []
    for k in range(levels + 1):
        res = 4 * 2**k
        x = image if res == side else keras.layers.AveragePooling2D(side // res, name=f"pool_{res}x{res}")(image)
        entries.append(_leaky(EqualizedConv2D(widths[res], 1, name=f"from_rgb_{res}x{res}")(x)))
    h = entries[levels]
    for k in range(levels, 0, -1):
        res = 4 * 2**k
        h = _leaky(EqualizedConv2D(widths[res], 3, name=f"conv0_{res}x{res}")(h))
        h = _leaky(EqualizedConv2D(widths[res // 2], 3, name=f"conv1_{res}x{res}")(h))
        h = keras.layers.AveragePooling2D(2)(h)
        h = GrowthMix(k - 1, name=f"growth_mix_{res // 2}x{res // 2}")([growth, h, entries[k - 1]])
    h = MinibatchStdDev(group_size)(h)
    h = _leaky(EqualizedConv2D(widths[4], 3, name="conv_4x4")(h))
    h = _leaky(EqualizedDense(widths[4], name="dense_4x4")(keras.layers.Flatten()(h)))
    logit = EqualizedDense(1, gain=1.0, name="logit", dtype="float32")(h)  # float32 under mixed precision
    return keras.Model([image, growth], logit, name=name)
