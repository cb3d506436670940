"""The encoder and the joint (x, z) discriminator of BiGAN / ALI, on DCGAN convolutions."""

import keras

from kerasgan.networks.dcgan import dcgan_discriminator_features, dense_output, weight_init


def bigan_encoder(image_shape=(28, 28, 1), latent_dim=64, base_filters=32, name="encoder"):
    """E: image -> the DCGAN discriminator's convolutions (BatchNorm) -> a linear code of `latent_dim`."""
    image = keras.Input(tuple(image_shape), name="images")
    features = dcgan_discriminator_features(image, base_filters, normalization="batch")
    code = keras.layers.Dense(latent_dim, kernel_initializer=weight_init(), dtype="float32", name="code")(features)
    return keras.Model(image, code, name=name)


def bigan_discriminator(
    image_shape=(28, 28, 1), latent_dim=64, base_filters=32, units=512, dropout=0.2, name="discriminator"
):
    """D(x, z): convolutional features of x and a dense embedding of z, joined, then one logit.

    No BatchNorm (a batch holds only real or only generated pairs, whose
    statistics would tell them apart); dropout on the joint layer, as ALI's
    discriminators use it.
    """
    image = keras.Input(tuple(image_shape), name="images")
    code = keras.Input((latent_dim,), name="codes")
    x = dcgan_discriminator_features(image, base_filters, normalization="none")
    z = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(units, kernel_initializer=weight_init())(code))
    joint = keras.layers.Concatenate()([x, z])
    joint = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(units, kernel_initializer=weight_init())(joint))
    joint = keras.layers.Dropout(dropout)(joint)
    logit = dense_output(joint, 1, name="logit")
    return keras.Model([image, code], logit, name=name)
