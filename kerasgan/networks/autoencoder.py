"""Autoencoder discriminators (EBGAN, BEGAN): the energy of an image is how badly D reconstructs it."""

import keras
from keras import ops

from kerasgan.networks.dcgan import _check_square, dcgan_depth


@keras.saving.register_keras_serializable(package="kerasgan")
class ReconstructionEnergy(keras.layers.Layer):
    """The per-image energy mean |x − x̂|^p over pixels (p = 1: "l1", BEGAN; p = 2: "l2", EBGAN), shape (B, 1), float32."""

    def __init__(self, distance="l1", **kwargs):
        kwargs.setdefault("dtype", "float32")  # the discriminator's output stays float32 under mixed precision
        super().__init__(**kwargs)
        if distance not in ("l1", "l2"):
            raise ValueError(f"ReconstructionEnergy: distance must be 'l1' or 'l2'; got {distance!r}.")
        self.distance = distance

    def call(self, inputs):
        images, reconstructions = (ops.cast(t, "float32") for t in inputs)
        error = ops.abs(images - reconstructions) if self.distance == "l1" else ops.square(images - reconstructions)
        return ops.mean(ops.reshape(error, (ops.shape(error)[0], -1)), axis=1, keepdims=True)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 1)

    def get_config(self):
        return {**super().get_config(), "distance": self.distance}


def autoencoder_discriminator(
    image_shape=(28, 28, 1), base_filters=32, code_dim=64, distance="l1", name="discriminator"
):
    """An autoencoder whose output is the reconstruction energy of each image.

    Encoder: a 3×3 convolution, then d stride-2 3×3 convolutions doubling the
    width (d from `dcgan_depth`: 28 → 2, 32 → 3, 64 → 4), ELU activations,
    and a Dense code of `code_dim` (layer "code", BEGAN's embedding h).
    Decoder: Dense to s×s×base_filters, then d nearest-neighbour upsamplings
    each followed by a 3×3 convolution and ELU, and a linear 3×3 convolution
    back to the image ("reconstruction"). Output: `ReconstructionEnergy`
    (layer "energy"), float32, shape (B, 1). Weights are Glorot-uniform (no
    normalization layers, as in the paper).

    References:
        Berthelot, Schumm & Metz, BEGAN, 2017, Section 3.5 (the architecture).
        https://arxiv.org/abs/1703.10717
        Zhao, Mathieu & LeCun, Energy-based GAN, ICLR 2017.
        https://arxiv.org/abs/1609.03126
    """
    _check_square(image_shape, any_channels=True)  # augment parts may add channels
    depth = dcgan_depth(image_shape[0])
    size = image_shape[0] // 2**depth
    # Glorot-uniform weights (Keras' default), not DCGAN's N(0, 0.02): with no normalization layer, a 3×3
    # convolution over 32 channels at std 0.02 shrinks the signal's std ~3× (fan-in 288 × 0.02² ≈ 0.12),
    # and through the seven layers the autoencoder barely learned: BEGAN's L(x) stalled near 0.2 on
    # MNIST, k_t fell to 0 and G collapsed onto one digit.
    conv = {"padding": "same", "activation": "elu"}
    image = keras.Input(tuple(image_shape), name="images")
    x = keras.layers.Conv2D(base_filters, 3, **conv)(image)
    for i in range(depth):
        x = keras.layers.Conv2D(base_filters * 2 ** (i + 1), 3, strides=2, **conv)(x)
    code = keras.layers.Dense(code_dim, name="code")(keras.layers.Flatten()(x))
    x = keras.layers.Reshape((size, size, base_filters))(keras.layers.Dense(size * size * base_filters)(code))
    for _ in range(depth):
        x = keras.layers.Conv2D(base_filters, 3, **conv)(keras.layers.UpSampling2D()(x))
    reconstruction = keras.layers.Conv2D(image_shape[-1], 3, padding="same", name="reconstruction")(x)
    energy = ReconstructionEnergy(distance, name="energy")([image, reconstruction])
    return keras.Model(image, energy, name=name)
