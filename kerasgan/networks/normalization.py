"""The one factory of normalization layers (and the weight initializer) that every network builder uses."""

import keras
import tensorflow as tf

#: every kind `normalization_layer` makes; each builder accepts a subset
NORMALIZATIONS = ("batch", "layer", "instance", "none")


def weight_init():
    """N(0, 0.02), the initializer of DCGAN, pix2pix and CycleGAN."""
    return keras.initializers.RandomNormal(0.0, 0.02)


def normalization_layer(kind, allowed=NORMALIZATIONS, owner="normalization_layer"):
    """A new normalization layer of `kind`, or None for "none".

    - "batch": BatchNorm with momentum 0.9 (PyTorch's 0.1), so the moving
      statistics that inference uses track the fast-changing GAN activations,
      and γ ~ N(1, 0.02). Built under a multi-replica tf.distribute strategy it
      is synchronized, so the statistics are the global batch's, as on one
      device; not otherwise (Keras' synchronized path costs ~40 % of a 28×28 step).
    - "layer": over H, W and C of each sample, as the WGAN-GP paper suggests for critics.
    - "instance": per sample and channel without affine parameters (Ulyanov et
      al. 2016; CycleGAN's InstanceNorm2d(affine=False)), as GroupNormalization
      with one group per channel.

    Args:
        kind: one of `allowed`.
        allowed: the kinds the calling builder accepts.
        owner: the builder's name, for the error message.
    """
    if kind not in allowed:
        raise ValueError(f"{owner}: normalization must be one of {', '.join(map(repr, allowed))}; got {kind!r}.")
    if kind == "batch":
        return keras.layers.BatchNormalization(
            momentum=0.9,
            epsilon=1e-5,
            gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
            synchronized=tf.distribute.get_strategy().num_replicas_in_sync > 1,
        )
    if kind == "layer":
        return keras.layers.LayerNormalization(axis=(1, 2, 3), epsilon=1e-5)
    if kind == "instance":
        return keras.layers.GroupNormalization(groups=-1, center=False, scale=False, epsilon=1e-5)
    return None
