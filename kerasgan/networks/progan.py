"""ProGAN's networks (Karras et al. 2018): built once at the target size, grown by a `growth` input.

Every block of every resolution exists from the start, so the optimizers'
slots exist from the start too and nothing is rebuilt or re-compiled as the
networks grow. Both networks take a second input, `growth`, of shape
(batch, 2): the current level (0 for 4×4, 1 for 8×8, ...) and the fade-in
`alpha`. The model feeds it from its own state (see `kerasgan.models.ProGAN`);
the networks themselves hold none.

The level is a tensor, not a Python value, so one traced step serves every
level: `GrowingSynthesis` and `GrowingEncoder` branch on it with `ops.switch`
(tf.switch_case; the "recursive" structure of the paper's code), so only the
current level's blocks run. Measured against computing every level and
blending them by weights (the paper's "linear" structure) on one CPU thread,
32×32, a whole fit() step: 18.9 vs 47.0 ms at 4×4, 81.5 vs 77.5 ms at 32×32.
The gradient penalty's second derivative, XLA and mixed precision go through
the switch; the blocks that do not run get zero gradients.

The images are always at the target size. The generator's output at level L
is `alpha · toRGB_L(h_L) + (1 - alpha) · up(toRGB_{L-1}(h_{L-1}))`, nearest-
upsampled to the target size; the discriminator average-pools its input back
to each level's resolution (exact on such an image) and mirrors the blend:
`alpha · block_L(fromRGB_L(x_L)) + (1 - alpha) · fromRGB_{L-1}(pool(x_L))`.
The real images get the same treatment (`fade_images`), as in the paper's code. The
penalties differentiate D with respect to this target-size input, as the
paper's code does: below the top level the gradient norm they see is the one
at the current resolution divided by the upsampling factor.
"""

import math

import keras
from keras import ops

from kerasgan.networks.layers import MinibatchStdDev
from kerasgan.utils import checks


def levels_of(side, owner="ProGAN"):
    """The number of doublings from 4×4 to `side` (a power of two ≥ 4)."""
    side = int(side)
    if side < 4 or side & (side - 1):
        raise ValueError(
            f"{owner} grows from 4×4 by doublings: the image side must be a power of two ≥ 4 (4, 8, 16, 32, 64, ...); "
            f"got {side}. Resize the images (--image-size 64)."
        )
    return int(math.log2(side)) - 2


def square_widths(owner, image_shape, base_filters, max_filters):
    """(levels, base_filters, max_filters) of a generator grown by doublings to square `image_shape`, checked.

    `base_filters` None: the papers' width at the target resolution, min(512, 16384 // side).
    """
    side = int(image_shape[0])
    if len(image_shape) != 3 or int(image_shape[1]) != side:
        raise ValueError(f"{owner} makes square images (H, W, C); got image_shape={tuple(image_shape)}.")
    levels = levels_of(side, owner)
    max_filters = checks.positive_int(owner, "max_filters", max_filters)
    base_filters = checks.positive_int(
        owner, "base_filters", min(512, 16384 // side) if base_filters is None else base_filters
    )
    return levels, base_filters, max_filters


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

    With a learning-rate multiplier λ (StyleGAN's mapping network uses 0.01)
    the weights are stored N(0, 1/λ²) and scaled by λ·√(gain / fan_in), the
    bias stored as b/λ and scaled by λ: the layer computes the same function
    at initialization, but Adam's steps move it λ times slower.

    Args:
        units: output size.
        gain: the squared gain: 2 for layers followed by a (leaky) ReLU, 1 for a linear output.
        use_bias: add a bias (not scaled by the gain).
        lr_multiplier: λ, the learning-rate multiplier (1: ProGAN's equalized learning rate).
        bias_initializer: the bias's value at initialization (StyleGAN2's style affines start at 1).
    """

    def __init__(self, units, gain=2.0, use_bias=True, lr_multiplier=1.0, bias_initializer=0.0, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.gain = float(gain)
        self.use_bias = bool(use_bias)
        self.lr_multiplier = float(lr_multiplier)
        if not self.lr_multiplier > 0:
            raise ValueError(f"EqualizedDense: lr_multiplier must be > 0 (e.g. 0.01); got {lr_multiplier!r}.")
        self.bias_initializer = float(bias_initializer)

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.scale = self.lr_multiplier * math.sqrt(self.gain / fan_in)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_multiplier),
        )
        self.bias = (
            self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=keras.initializers.Constant(self.bias_initializer / self.lr_multiplier),
            )
            if self.use_bias
            else None
        )

    def call(self, inputs):
        x = ops.matmul(inputs, ops.cast(self.kernel, self.compute_dtype) * self.scale)
        return x + ops.cast(self.bias, self.compute_dtype) * self.lr_multiplier if self.use_bias else x

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "gain": self.gain,
            "use_bias": self.use_bias,
            "lr_multiplier": self.lr_multiplier,
            "bias_initializer": self.bias_initializer,
        }


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
        # No weights. Used inside GrowingSynthesis's branches it is never built by a symbolic call, and an
        # unbuilt layer makes fit() build the model by calling it on a data batch (which fails under
        # MirroredStrategy: the model takes latents, not images).
        self.built = True

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        x = x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)
        return ops.cast(x, inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


def progan_filters(side, base_filters, max_filters):
    """Width at each resolution 4, 8, ..., side: `base_filters` at the target, doubling per halving, at most `max_filters`."""
    return {4 * 2**k: min(max_filters, base_filters * side // (4 * 2**k)) for k in range(levels_of(side) + 1)}


def _leaky(x):
    return ops.leaky_relu(x, 0.2)


def _upsample(x, factor):
    """Nearest upsampling by `factor`: each pixel a factor × factor block (a broadcast and a reshape, whose gradient
    XLA compiles inside a lazy regularizer's cond, where ops.repeat's Tile gradient lost the batch size)."""
    if factor == 1:
        return x
    h, w, c = x.shape[1], x.shape[2], x.shape[3]
    blocks = ops.broadcast_to(x[:, :, None, :, None, :], (ops.shape(x)[0], h, factor, w, factor, c))
    return ops.reshape(blocks, (-1, h * factor, w * factor, c))


def _current(growth):
    """(level as an int32 scalar, alpha as a float32 scalar) from a `growth` batch (every row is the same)."""
    growth = ops.cast(growth, "float32")
    return ops.cast(growth[0, 0], "int32"), growth[0, 1]


@keras.saving.register_keras_serializable(package="kerasgan")
class GrowingSynthesis(keras.layers.Layer):
    """ProGAN's generator body: [latents, growth] → images at the target size, only the current level computed.

    Holds every resolution's block and toRGB; `ops.switch` on the level runs
    the branch that computes 4×4 up to the current resolution and blends its
    toRGB with the upsampled previous one by alpha, then nearest-upsamples
    to the target size. The blocks above the level do not run (their
    gradients are zero).
    """

    def __init__(self, side, channels, widths, **kwargs):
        super().__init__(**kwargs)
        self.side, self.channels = int(side), int(channels)
        self.widths = {int(k): int(v) for k, v in widths.items()}
        self.levels = levels_of(self.side)
        w4 = self.widths[4]
        self.norm = PixelNormalization()
        # gain (√2/4)² as in the paper's code: the 4×4 dense layer is a 4×4 transposed convolution of a 1×1 input
        self.dense = EqualizedDense(16 * w4, gain=2.0 / 16, name="dense_4x4")
        self.convs = [[EqualizedConv2D(w4, 3, name="conv_4x4")]]
        self.to_rgb = [EqualizedConv2D(self.channels, 1, gain=1.0, name="to_rgb_4x4")]
        for k in range(1, self.levels + 1):
            res = 4 * 2**k
            self.convs.append([EqualizedConv2D(self.widths[res], 3, name=f"conv{i}_{res}x{res}") for i in range(2)])
            self.to_rgb.append(EqualizedConv2D(self.channels, 1, gain=1.0, name=f"to_rgb_{res}x{res}"))

    def build(self, input_shape):
        # Every weight is made here, outside the branches of the switch.
        self.dense.build(input_shape[0])
        width = self.widths[4]
        for k, convs in enumerate(self.convs):
            for conv in convs:
                conv.build((None, None, None, width))
                width = conv.filters
            self.to_rgb[k].build((None, None, None, width))

    def features(self, latents, level):
        """The features of every resolution up to `level` (a Python int)."""
        x = self.norm(latents)
        x = ops.reshape(self.dense(x), (-1, 4, 4, self.widths[4]))
        x = self.norm(_leaky(x))
        out = []
        for k in range(level + 1):
            if k:
                x = _upsample(x, 2)
            for conv in self.convs[k]:
                x = self.norm(_leaky(conv(x)))
            out.append(x)
        return out

    def image(self, features, k):
        """Level k's image (tanh of its toRGB, so that images lie in [-1, 1]; the paper's is linear), float32."""
        return ops.cast(ops.tanh(self.to_rgb[k](features[k])), "float32")

    def call(self, inputs):
        latents, growth = inputs
        level, alpha = _current(growth)

        def branch(k):
            def run(latents, alpha):
                features = self.features(latents, k)
                new = self.image(features, k)
                if k:
                    new = alpha * new + (1.0 - alpha) * _upsample(self.image(features, k - 1), 2)
                return _upsample(new, self.side // (4 * 2**k))

            return run

        return ops.switch(level, [branch(k) for k in range(self.levels + 1)], latents, alpha)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.side, self.side, self.channels)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor((inputs[0].shape[0], self.side, self.side, self.channels), dtype="float32")

    def get_config(self):
        return {**super().get_config(), "side": self.side, "channels": self.channels, "widths": self.widths}


@keras.saving.register_keras_serializable(package="kerasgan")
class GrowingEncoder(keras.layers.Layer):
    """ProGAN's discriminator body: [images at the target size, growth] → 4×4 features, only the current level computed.

    `ops.switch` on the level runs the branch that average-pools the input
    to the current resolution, applies its fromRGB and block (two 3×3
    convolutions, a 2×2 average pooling), blends that by alpha with the
    previous resolution's fromRGB of the pooled input (the mirror of the
    generator's fade), then the blocks below.
    """

    def __init__(self, side, widths, **kwargs):
        super().__init__(**kwargs)
        self.side = int(side)
        self.widths = {int(k): int(v) for k, v in widths.items()}
        self.levels = levels_of(self.side)
        self.from_rgb, self.convs = [], []
        for k in range(self.levels + 1):
            res = 4 * 2**k
            self.from_rgb.append(EqualizedConv2D(self.widths[res], 1, name=f"from_rgb_{res}x{res}"))
            if k:
                self.convs.append(
                    [
                        EqualizedConv2D(self.widths[res], 3, name=f"conv0_{res}x{res}"),
                        EqualizedConv2D(self.widths[res // 2], 3, name=f"conv1_{res}x{res}"),
                    ]
                )
            else:
                self.convs.append([])

    def build(self, input_shape):
        channels = input_shape[0][-1]
        for k in range(self.levels + 1):
            res = 4 * 2**k
            self.from_rgb[k].build((None, None, None, channels))
            width = self.widths[res]
            for conv in self.convs[k]:
                conv.build((None, None, None, width))
                width = conv.filters

    def block(self, x, k):
        for conv in self.convs[k]:
            x = _leaky(conv(x))
        return downscale(x, 2)

    def call(self, inputs):
        images, growth = inputs
        level, alpha = _current(growth)

        def branch(k):
            def run(images, alpha):
                x = downscale(images, self.side // (4 * 2**k))
                h = _leaky(self.from_rgb[k](x))
                if k:
                    entry = _leaky(self.from_rgb[k - 1](downscale(x, 2)))
                    h = ops.cast(alpha, h.dtype) * self.block(h, k) + ops.cast(1.0 - alpha, h.dtype) * entry
                    for j in range(k - 1, 0, -1):
                        h = self.block(h, j)
                return h

            return run

        return ops.switch(level, [branch(k) for k in range(self.levels + 1)], images, alpha)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 4, 4, self.widths[4])

    def get_config(self):
        return {**super().get_config(), "side": self.side, "widths": self.widths}


def progan_generator(latent_dim, image_shape, base_filters=16, max_filters=512, name="generator"):
    """ProGAN's generator: (latents, growth) → images in [-1, 1] at the target size (`GrowingSynthesis`).

    Pixel norm of z, an equalized dense layer to 4×4, then per doubling a
    nearest upsampling and two 3×3 convolutions (leaky ReLU 0.2, pixel norm
    after each); every resolution has its own 1×1 toRGB.
    """
    side, _, channels = image_shape
    widths = progan_filters(side, base_filters, max_filters)
    z = keras.Input((latent_dim,), name="latents")
    growth = keras.Input((2,), name="growth")
    out = GrowingSynthesis(side, channels, widths, name="synthesis")([z, growth])
    return keras.Model([z, growth], out, name=name)


def progan_discriminator(image_shape, base_filters=16, max_filters=512, group_size=4, name="discriminator"):
    """ProGAN's discriminator: (images at the target size, growth) → logits (B, 1), without normalization.

    `GrowingEncoder` reads the input at the current resolution down to 4×4;
    there the minibatch standard deviation, a 3×3 convolution, an equalized
    dense layer and the linear logit.
    """
    side = image_shape[0]
    widths = progan_filters(side, base_filters, max_filters)
    image = keras.Input(tuple(image_shape), name="images")
    growth = keras.Input((2,), name="growth")
    h = GrowingEncoder(side, widths, name="encoder")([image, growth])
    h = MinibatchStdDev(group_size)(h)
    h = keras.layers.LeakyReLU(0.2)(EqualizedConv2D(widths[4], 3, name="conv_4x4")(h))
    h = keras.layers.LeakyReLU(0.2)(EqualizedDense(widths[4], name="dense_4x4")(keras.layers.Flatten()(h)))
    logit = EqualizedDense(1, gain=1.0, name="logit", dtype="float32")(h)  # float32 under mixed precision
    return keras.Model([image, growth], logit, name=name)
