"""Networks that take class labels, or that have auxiliary heads, on the DCGAN architecture.

- `conditional_generator`: (latents, labels) → images; the encoded label is
  joined to the latent vector (Mirza & Osindero 2014).
- `conditional_discriminator`: (images, labels) → one logit; the encoded label
  is broadcast to extra input channels (Mirza & Osindero 2014), or enters
  through an inner product with the features (projection discriminator,
  Miyato & Koyama 2018).
- `auxiliary_discriminator`: images → [logit, head, ...]; the heads share the
  discriminator's body (ACGAN's classifier, Odena et al. 2017; InfoGAN's Q
  network, Chen et al. 2016).

Labels are int32 tensors of shape (batch,), input "labels".
"""

import keras

from kerasgan.networks.dcgan import (
    _check_square,
    dcgan_discriminator_features,
    dcgan_generator_body,
    dense_output,
)
from kerasgan.networks.layers import LabelEncoding
from kerasgan.networks.normalization import normalization_layer


def _labels_input():
    return keras.Input((), dtype="int32", name="labels")


def conditional_generator(
    latent_dim, num_classes, image_shape=(28, 28, 1), base_filters=64, label_embedding=None, name="generator"
):
    """DCGAN generator fed [z, encode(y)]: the label is one-hot (`label_embedding` None) or a learned embedding.

    Reference: Mirza & Osindero, Conditional Generative Adversarial Nets, 2014.
    https://arxiv.org/abs/1411.1784
    """
    _check_square(image_shape)
    latents = keras.Input((latent_dim,), name="latents")
    labels = _labels_input()
    code = LabelEncoding(num_classes, label_embedding, name="label_encoding")(labels)
    x = keras.layers.Concatenate()([latents, code])
    return keras.Model([latents, labels], dcgan_generator_body(x, image_shape, base_filters), name=name)


def conditional_discriminator(
    image_shape,
    num_classes,
    base_filters=64,
    label_embedding=None,
    projection=False,
    name="discriminator",
    logit_bias=True,
    **options,
):
    """DCGAN discriminator of (images, labels).

    Args:
        image_shape: (size, size, channels) of the images.
        num_classes: number of classes K.
        base_filters: width of the first convolution.
        label_embedding: None: the one-hot label is broadcast to K extra input
            channels (the "broadcast to channels" of the conditional GAN
            courses); an int: a learned embedding of that size is broadcast
            instead. Ignored with `projection`.
        projection: the projection discriminator D(x, y) = ψ(φ(x)) + embed(y)·φ(x)
            (Miyato & Koyama 2018): the label does not enter the convolutions,
            only an inner product with the features φ(x), with a learned
            class embedding of the features' size.
        logit_bias: whether ψ has a bias.
        **options: the `dcgan_discriminator_features` options (normalization,
            spectral_norm, minibatch_std, minibatch_discrimination).

    References:
        Mirza & Osindero 2014, https://arxiv.org/abs/1411.1784;
        Miyato & Koyama, cGANs with Projection Discriminator, ICLR 2018,
        https://arxiv.org/abs/1802.05637.
    """
    _check_square(image_shape, any_channels=True)  # augment parts may add channels
    images = keras.Input(tuple(image_shape), name="images")
    labels = _labels_input()
    spectral_norm = options.get("spectral_norm", False)
    if projection:
        features = dcgan_discriminator_features(images, base_filters, **options)
        psi = dense_output(features, 1, spectral_norm=spectral_norm, use_bias=logit_bias, name="logit")
        embedded = LabelEncoding(num_classes, features.shape[-1], name="label_projection")(labels)
        inner = keras.layers.Dot(axes=1, dtype="float32")([embedded, features])
        logit = keras.layers.Add(dtype="float32", name="projected_logit")([psi, inner])
    else:
        size = tuple(image_shape[:2])
        label_maps = LabelEncoding(num_classes, label_embedding, map_size=size, name="label_encoding")(labels)
        x = keras.layers.Concatenate()([images, label_maps])
        features = dcgan_discriminator_features(x, base_filters, **options)
        logit = dense_output(features, 1, spectral_norm=spectral_norm, use_bias=logit_bias, name="logit")
    return keras.Model([images, labels], logit, name=name)


def auxiliary_discriminator(
    image_shape, heads, base_filters=64, hidden_units=None, name="discriminator", logit_bias=True, **options
):
    """DCGAN discriminator with extra output heads on its shared body: images → [logit, *heads].

    Args:
        image_shape: (size, size, channels) of the images.
        heads: dict of head name → output units, in output order (e.g.
            {"class_logits": 10} for ACGAN; {"q_categorical": 10,
            "q_continuous": 2} for InfoGAN).
        base_filters: width of the first convolution.
        hidden_units: if given, the heads share one more hidden layer
            (Dense → BatchNorm → LeakyReLU(0.2)) on the features, as InfoGAN's
            Q network does; None puts each head directly on the features
            (ACGAN's classifier).
        logit_bias: whether the real/fake logit has a bias.
        **options: the `dcgan_discriminator_features` options.

    References:
        Odena et al., Conditional Image Synthesis with Auxiliary Classifier
        GANs, ICML 2017, https://arxiv.org/abs/1610.09585;
        Chen et al., InfoGAN, NeurIPS 2016, https://arxiv.org/abs/1606.03657.
    """
    _check_square(image_shape, any_channels=True)  # augment parts may add channels
    if not heads:
        raise ValueError("auxiliary_discriminator needs at least one head, e.g. heads={'class_logits': 10}.")
    images = keras.Input(tuple(image_shape), name="images")
    spectral_norm = options.get("spectral_norm", False)
    features = dcgan_discriminator_features(images, base_filters, **options)
    logit = dense_output(features, 1, spectral_norm=spectral_norm, use_bias=logit_bias, name="logit")
    shared = features
    if hidden_units:
        shared = keras.layers.Dense(hidden_units, use_bias=False, name="head_hidden")(features)
        shared = keras.layers.LeakyReLU(0.2)(normalization_layer("batch")(shared))
    outputs = [logit] + [dense_output(shared, int(units), name=name_) for name_, units in heads.items()]
    return keras.Model(images, outputs, name=name)
