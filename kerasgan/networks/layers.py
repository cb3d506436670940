"""Custom layers used by the networks, registered for `.keras` serialization."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class Maxout(keras.layers.Layer):
    """Maxout units (Goodfellow et al. 2013): the max over `pieces` affine maps.

    Used by the discriminator of the original GAN paper on MNIST.

    Args:
        units: number of output units.
        pieces: number of affine pieces each unit takes the maximum of.

    Reference:
        Goodfellow et al., Maxout Networks, ICML 2013. https://arxiv.org/abs/1302.4389
    """

    def __init__(self, units, pieces=5, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.pieces = int(pieces)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.dense = keras.layers.Dense(self.units * self.pieces, kernel_initializer=self.kernel_initializer)

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, inputs):
        z = self.dense(inputs)
        z = ops.reshape(z, (-1, self.units, self.pieces))
        return ops.max(z, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "pieces": self.pieces,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
