"""StyleGAN2's networks (Karras et al. 2020): mapping, modulated synthesis with a skip output, residual discriminator.

StyleGAN (2019)'s synthesis (`stylegan_synthesis`: AdaIN instead of modulation, one toRGB) shares the mapping,
the constant input, the noise and the convolution layer (`ModulatedConv2D(modulate=False)`).

The generator is one functional model, z → images, made of two named
sub-models that the model also calls on their own (style mixing, truncation,
the path-length penalty):

- `mapping` (z → w): pixel norm of z, then `mapping_layers` equalized dense
  layers with leaky ReLU and a learning-rate multiplier of 0.01;
- `synthesis` (ws → images): ws holds one w per style input, shape
  (batch, num_ws, w_dim), `num_ws = 2·levels + 2` for levels doublings from
  4×4. A learned constant 4×4 input; at each resolution two 3×3
  `ModulatedConv2D` (the first upsampling ×2, nearest) with per-pixel noise,
  and a 1×1 toRGB without demodulation whose output is added to the
  upsampled image of the resolution below (the skip generator). Style input
  i feeds layer i; the toRGB of a resolution shares the w of the next
  resolution's first layer, as in the paper's code. The sum goes through tanh
  so that images lie in [-1, 1] (the paper's output is linear).

Simplifications against the paper's code, stated: upsampling is nearest then
a 3×3 convolution (no FIR low-pass filter), the discriminator downsamples by
2×2 average pooling, and per-pixel noise has a learned scale per channel (the
paper's code: one per layer; StyleGAN 2019: per channel).
"""

import math

import keras
from keras import ops

from kerasgan.networks.layers import MinibatchStdDev
from kerasgan.networks.progan import (
    EqualizedConv2D,
    EqualizedDense,
    PixelNormalization,
    _leaky,
    _upsample,
    levels_of,
    progan_filters,
)
from kerasgan.parts.part import replica_random


def num_ws(side):
    """How many style inputs the synthesis network of `side`×`side` images takes: 2·levels + 2."""
    return 2 * levels_of(side, "StyleGAN2") + 2


@keras.saving.register_keras_serializable(package="kerasgan")
class ModulatedConv2D(keras.layers.Layer):
    """StyleGAN2's modulated convolution with weight demodulation: [x, ws] → features, styled by ws[:, style_index].

    A style s = A(w) (an equalized dense layer, bias initialized to 1) scales
    the weights per input channel and sample, w'_ijk = s_i·w_ijk; with
    demodulation they are then normalized per output channel,
    w''_ijk = w'_ijk / √(Σ_{i,k} w'_ijk² + ε), so that unit-variance inputs give
    unit-variance outputs before the activation (the leaky ReLU then carries
    the gain √2 that keeps the second moment at 1 through the layers). Computed as the paper's "non-fused" form: the input
    is scaled by s, convolved with the shared weights (equalized learning
    rate), and the output scaled by the demodulation coefficients, which equals
    convolving with w'' exactly.

    Args:
        filters: output channels.
        style_index: which w of the style inputs ws (batch, num_ws, w_dim) styles this layer.
        kernel_size: odd kernel size; 'same' padding.
        demodulate: normalize the modulated weights (False for toRGB).
        modulate: False for StyleGAN (2019)'s plain equalized convolution (no style: `style_index` unused),
            which `AdaIN` follows instead.
        upsample: nearest-upsample the input ×2 first.
        noise: add per-pixel Gaussian noise with a learned per-channel scale, as `NoiseInjection` does
            (fresh noise in training, a stored fixed map in inference), before the bias and activation.
        activation: "leaky_relu" (slope 0.2, with the gain √2: after it when demodulating, else folded into
            the weights) or None.
        seed: seed of the training noise.
    """

    def __init__(
        self, filters, style_index=0, kernel_size=3, demodulate=True, upsample=False, noise=False, activation="leaky_relu",
        seed=None, modulate=True, **kwargs,
    ):  # fmt: skip
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.style_index = int(style_index)
        self.kernel_size = int(kernel_size)
        self.demodulate = bool(demodulate)
        self.upsample = bool(upsample)
        self.noise = bool(noise)
        if activation not in ("leaky_relu", None):
            raise ValueError(f"ModulatedConv2D: activation must be 'leaky_relu' or None; got {activation!r}.")
        self.activation = activation
        self.seed = seed
        self.modulate = bool(modulate)
        self.demodulate = self.demodulate and self.modulate
        self.seed_generator = keras.random.SeedGenerator(seed) if self.noise else None

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        channels = int(x_shape[-1])
        if self.modulate:
            self.affine = EqualizedDense(channels, gain=1.0, bias_initializer=1.0, name="affine")
            self.affine.build((w_shape[0], w_shape[-1]))
        # The gain √2 of the leaky ReLU keeps the features' second moment at 1 from layer to layer: folded into the
        # weights of the plain convolution; after the activation where demodulation normalizes the weights (as the
        # paper's code applies it), since a gain in the weights would be normalized away and the signal would then
        # shrink by the leaky ReLU's 0.52 in variance at every layer.
        gain = 2.0 if self.activation and not self.demodulate else 1.0
        self.scale = math.sqrt(gain / (self.kernel_size * self.kernel_size * channels))
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.kernel_size, self.kernel_size, channels, self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")
        if self.noise:
            h, w = x_shape[1], x_shape[2]
            if self.upsample:
                h, w = 2 * h, 2 * w
            _build_noise(self, h, w, self.filters)

    def styles(self, ws):
        """s = A(ws[:, style_index]), (batch, input channels) (modulated layers only)."""
        return ops.cast(self.affine(ws[:, self.style_index]), "float32")

    def call(self, inputs, training=False):
        x, ws = inputs
        weight = ops.cast(self.kernel, "float32") * self.scale
        x = ops.cast(x, "float32")
        if self.modulate:
            s = self.styles(ws)
            x = x * s[:, None, None, :]
        if self.upsample:
            x = _upsample(x, 2)
        y = ops.conv(x, weight, padding="same")
        if self.demodulate:
            # Σ_{i,k} (s_i·w_ijk)² = Σ_i s_i²·(Σ_k w_ijk²): (batch, filters)
            demod = ops.rsqrt(ops.matmul(ops.square(s), ops.sum(ops.square(weight), axis=(0, 1))) + 1e-8)
            y = y * demod[:, None, None, :]
        if self.noise:
            y = _add_noise(self, y, training)
        y = y + ops.cast(self.bias, "float32")
        if not self.activation:
            return y
        return _leaky(y) * math.sqrt(2.0) if self.demodulate else _leaky(y)

    def compute_output_shape(self, input_shape):
        b, h, w, _ = input_shape[0]
        if self.upsample:
            h, w = (None if h is None else 2 * h), (None if w is None else 2 * w)
        return (b, h, w, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "style_index": self.style_index,
            "kernel_size": self.kernel_size,
            "demodulate": self.demodulate,
            "upsample": self.upsample,
            "noise": self.noise,
            "activation": self.activation,
            "seed": self.seed,
            "modulate": self.modulate,
        }


def _build_noise(layer, height, width, channels):
    """A noise input's weights on `layer` (which has `seed`): the per-channel scale (0 at first) and the fixed map."""
    layer.noise_strength = layer.add_weight(name="noise_strength", shape=(channels,), initializer="zeros")
    # The paper's "const" noise: what inference adds, so that generate() is deterministic.
    layer.noise_const = layer.add_weight(
        name="noise_const",
        shape=(1, height, width, 1),
        initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=layer.seed),
        trainable=False,
    )


def _add_noise(layer, y, training):
    """y + noise·strength: one fresh N(0, 1) map per sample in training (`layer.seed_generator`), else the fixed map."""
    if training:
        shape = (ops.shape(y)[0], y.shape[1], y.shape[2], 1)
        # drawn for the global batch under tf.distribute, each replica keeping its slice
        noise = replica_random(keras.random.normal, shape, layer.seed_generator)
    else:
        noise = layer.noise_const
    # float32 throughout (under a mixed policy Keras hands the layer its variables in the compute dtype)
    return y + ops.cast(noise, "float32") * ops.cast(layer.noise_strength, "float32")


@keras.saving.register_keras_serializable(package="kerasgan")
class NoiseInjection(keras.layers.Layer):
    """Per-pixel noise with a learned per-channel scale: x + strength·n, n ~ N(0, 1) one map per sample (B in Figure 1).

    Training adds fresh noise; inference a stored fixed map (so that generation
    is deterministic). The scale starts at 0. `ModulatedConv2D(noise=True)`
    adds the same noise inside the convolution; this layer is StyleGAN
    (2019)'s noise on the constant 4×4 input, which has no convolution.

    Args:
        seed: seed of the training noise and of the fixed map.

    Reference:
        Karras, Laine, Aila, A Style-Based Generator Architecture for Generative
        Adversarial Networks, CVPR 2019, section 2 and Figure 1. https://arxiv.org/abs/1812.04948
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        _build_noise(self, input_shape[1], input_shape[2], int(input_shape[-1]))

    def call(self, x, training=False):
        return _add_noise(self, ops.cast(x, "float32"), training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="kerasgan")
class AdaIN(keras.layers.Layer):
    """StyleGAN (2019)'s adaptive instance normalization: [x, ws] → y_s·(x − μ(x))/σ(x) + y_b, styled by ws[:, style_index].

    μ and σ are each sample's per-channel mean and standard deviation over
    the pixels (ε = 1e-8 under the root); (y_s, y_b) = A(w), an equalized dense
    layer whose scale half starts at 1 and bias half at 0.

    Args:
        style_index: which w of ws (batch, num_ws, w_dim) styles it.

    Reference:
        Karras, Laine, Aila, A Style-Based Generator Architecture for Generative
        Adversarial Networks, CVPR 2019, Eq. 1. https://arxiv.org/abs/1812.04948
    """

    def __init__(self, style_index=0, **kwargs):
        super().__init__(**kwargs)
        self.style_index = int(style_index)

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        channels = int(x_shape[-1])
        self.affine = EqualizedDense(2 * channels, gain=1.0, name="affine")
        self.affine.build((w_shape[0], w_shape[-1]))
        self.affine.bias.assign(ops.concatenate([ops.ones((channels,)), ops.zeros((channels,))]))

    def styles(self, ws):
        """(y_s, y_b), each (batch, channels)."""
        y = ops.cast(self.affine(ws[:, self.style_index]), "float32")
        return ops.split(y, 2, axis=-1)

    def call(self, inputs):
        x, ws = inputs
        x = ops.cast(x, "float32")
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        x = (x - mean) * ops.rsqrt(ops.mean(ops.square(x - mean), axis=(1, 2), keepdims=True) + 1e-8)
        scale, bias = self.styles(ws)
        return x * scale[:, None, None, :] + bias[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "style_index": self.style_index}


@keras.saving.register_keras_serializable(package="kerasgan")
class NearestUpsampling(keras.layers.Layer):
    """Nearest upsampling ×`factor` (the skip generator's RGB): keras' UpSampling2D's ops.repeat has a gradient that
    XLA could not compile inside the lazy path-length cond (its Tile gradient lost the batch size)."""

    def __init__(self, factor=2, **kwargs):
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, x):
        return _upsample(x, self.factor)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        return (b, None if h is None else h * self.factor, None if w is None else w * self.factor, c)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="kerasgan")
class ConstantInput(keras.layers.Layer):
    """The synthesis network's learned 4×4 input, N(0, 1) at initialization, repeated for every sample of the batch."""

    def __init__(self, channels, size=4, **kwargs):
        super().__init__(**kwargs)
        self.channels, self.size = int(channels), int(size)

    def build(self, input_shape):
        self.const = self.add_weight(
            name="const",
            shape=(1, self.size, self.size, self.channels),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
        )

    def call(self, ws):
        return ops.broadcast_to(self.const, (ops.shape(ws)[0], self.size, self.size, self.channels))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "size": self.size}


def stylegan2_mapping(latent_dim, w_dim, layers=8, lr_multiplier=0.01, name="mapping"):
    """z → w: pixel norm, then `layers` equalized dense layers (leaky ReLU 0.2) at a learning-rate multiplier."""
    z = keras.Input((latent_dim,), name="latents")
    x = PixelNormalization()(z)
    for i in range(layers):
        x = keras.layers.LeakyReLU(0.2)(EqualizedDense(w_dim, lr_multiplier=lr_multiplier, name=f"fc{i}")(x))
    return keras.Model(z, x, name=name)


def stylegan2_synthesis(w_dim, image_shape, base_filters, max_filters, seed=None, name="synthesis"):
    """ws (batch, num_ws, w_dim) → images in [-1, 1]: the skip generator (see the module docstring)."""
    side, _, channels = image_shape
    levels = levels_of(side, "StyleGAN2")
    widths = progan_filters(side, base_filters, max_filters)
    ws = keras.Input((num_ws(side), w_dim), name="ws")

    def seeded(i):
        return None if seed is None else seed + i

    x = ConstantInput(widths[4], name="const")(ws)
    x = ModulatedConv2D(widths[4], 0, 3, noise=True, seed=seeded(0), name="conv_4x4")([x, ws])
    rgb = ModulatedConv2D(channels, 1, 1, demodulate=False, activation=None, name="to_rgb_4x4")([x, ws])
    for k in range(1, levels + 1):
        res = 4 * 2**k
        up = dict(upsample=True, noise=True, seed=seeded(2 * k - 1), name=f"conv0_{res}x{res}")
        x = ModulatedConv2D(widths[res], 2 * k - 1, 3, **up)([x, ws])
        x = ModulatedConv2D(widths[res], 2 * k, 3, noise=True, seed=seeded(2 * k), name=f"conv1_{res}x{res}")([x, ws])
        to_rgb = dict(demodulate=False, activation=None, name=f"to_rgb_{res}x{res}")
        rgb = keras.layers.Add()(
            [
                NearestUpsampling(2, name=f"up_rgb_{res}x{res}")(rgb),
                ModulatedConv2D(channels, 2 * k + 1, 1, **to_rgb)([x, ws]),
            ]
        )
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(rgb)
    return keras.Model(ws, images, name=name)


def stylegan_synthesis(w_dim, image_shape, base_filters, max_filters, seed=None, name="synthesis"):
    """StyleGAN (2019)'s synthesis: ws → images through AdaIN after every convolution, one toRGB at the end.

    The learned constant 4×4 gets per-pixel noise (`NoiseInjection`) and is
    styled by AdaIN(ws[:, 0]), then a 3×3 convolution with noise, leaky ReLU
    and AdaIN(ws[:, 1]) (the paper's Figure 1(b)); each doubling a
    nearest upsampling, two such convolutions styled by ws[:, 2k] and
    ws[:, 2k + 1]; a 1×1 toRGB and tanh. Progressive growth is not built in.
    """
    side, _, channels = image_shape
    levels = levels_of(side, "StyleGAN")
    widths = progan_filters(side, base_filters, max_filters)
    ws = keras.Input((num_ws(side), w_dim), name="ws")

    def seeded(i):
        return None if seed is None else seed + i

    # Figure 1(b): noise then AdaIN after the constant, as after each convolution (whose noise is inside it)
    x = NoiseInjection(seeded(num_ws(side)), name="noise_4x4")(ConstantInput(widths[4], name="const")(ws))
    x = AdaIN(0, name="adain0_4x4")([x, ws])
    x = ModulatedConv2D(widths[4], 0, 3, noise=True, seed=seeded(0), modulate=False, name="conv_4x4")([x, ws])
    x = AdaIN(1, name="adain1_4x4")([x, ws])
    for k in range(1, levels + 1):
        res = 4 * 2**k
        for i, up in ((0, True), (1, False)):
            index = 2 * k + i
            conv = dict(upsample=up, noise=True, seed=seeded(index), modulate=False, name=f"conv{i}_{res}x{res}")
            x = ModulatedConv2D(widths[res], index, 3, **conv)([x, ws])
            x = AdaIN(index, name=f"adain{i}_{res}x{res}")([x, ws])
    rgb = EqualizedConv2D(channels, 1, gain=1.0, name=f"to_rgb_{side}x{side}")(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(rgb)
    return keras.Model(ws, images, name=name)


def stylegan2_generator(
    latent_dim, image_shape, w_dim=None, base_filters=16, max_filters=512, mapping_layers=8, mapping_lr=0.01,
    seed=None, name="generator", synthesis=None,
):  # fmt: skip
    """z → images: `stylegan2_mapping`, w broadcast to every style input, `stylegan2_synthesis`.

    `synthesis`: the synthesis builder (default `stylegan2_synthesis`; `stylegan_synthesis` for StyleGAN 2019).
    """
    w_dim = latent_dim if w_dim is None else int(w_dim)
    mapping = stylegan2_mapping(latent_dim, w_dim, mapping_layers, mapping_lr)
    synthesis = (synthesis or stylegan2_synthesis)(w_dim, image_shape, base_filters, max_filters, seed)
    z = keras.Input((latent_dim,), name="latents")
    w = mapping(z)
    count = num_ws(image_shape[0])
    ws = keras.layers.RepeatVector(count, name="broadcast_w")(w)
    return keras.Model(z, synthesis(ws), name=name)


def stylegan2_discriminator(
    image_shape, base_filters=16, max_filters=512, group_size=4, residual=True, name="discriminator"
):
    """The residual discriminator: fromRGB, per resolution a residual block down to 4×4, minibatch stddev, logit.

    Each block: two 3×3 convolutions (leaky ReLU), 2×2 average pooling,
    added to a 1×1 convolution of the pooled input and scaled by 1/√2.
    `residual=False`: the blocks without the skip (ProGAN's and StyleGAN 2019's discriminator, not grown).
    """
    side = image_shape[0]
    levels = levels_of(side, "StyleGAN2")
    widths = progan_filters(side, base_filters, max_filters)
    image = keras.Input(tuple(image_shape), name="images")
    h = keras.layers.LeakyReLU(0.2)(EqualizedConv2D(widths[side], 1, name=f"from_rgb_{side}x{side}")(image))
    for k in range(levels, 0, -1):
        res = 4 * 2**k
        lower = widths[res // 2]
        y = keras.layers.LeakyReLU(0.2)(EqualizedConv2D(widths[res], 3, name=f"conv0_{res}x{res}")(h))
        y = keras.layers.LeakyReLU(0.2)(EqualizedConv2D(lower, 3, name=f"conv1_{res}x{res}")(y))
        y = keras.layers.AveragePooling2D(2)(y)
        if residual:
            skip = EqualizedConv2D(lower, 1, gain=1.0, name=f"skip_{res}x{res}")(keras.layers.AveragePooling2D(2)(h))
            y = keras.layers.Rescaling(1.0 / math.sqrt(2.0), name=f"residual_{res}x{res}")(
                keras.layers.Add()([skip, y])
            )
        h = y
    h = MinibatchStdDev(group_size)(h)
    h = keras.layers.LeakyReLU(0.2)(EqualizedConv2D(widths[4], 3, name="conv_4x4")(h))
    h = keras.layers.LeakyReLU(0.2)(EqualizedDense(widths[4], name="dense_4x4")(keras.layers.Flatten()(h)))
    logit = EqualizedDense(1, gain=1.0, name="logit", dtype="float32")(h)
    return keras.Model(image, logit, name=name)
