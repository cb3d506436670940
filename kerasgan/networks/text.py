"""Networks of text-to-image synthesis (GAN-CLS, StackGAN): text in, on the DCGAN architecture.

- `text_encoder`: caption strings → an embedding (TextVectorization, a word
  embedding, a small 1-D convolution, max over the words, a Dense layer), for
  users without precomputed embeddings.
- `text_generator`: (latents, text embedding) → images; the embedding is
  compressed by a Dense layer + LeakyReLU(0.2) and joined to z (Reed et al. §4.1).
- `matching_discriminator`: (images, text embedding) → one logit; the image's
  features are joined to the compressed embedding before the logit, so D
  judges whether the pair matches, not only whether the image is real.
- `conditioning_augmentation`: text embedding → [μ, log σ] (StackGAN's CA).
- `stage2_generator`: (stage-I image, CA code) → an image of twice its side (StackGAN's stage II).

Text embeddings are float32 tensors of shape (batch, text_dim), input "text".
"""

import keras

from kerasgan.networks.dcgan import _check_square, dcgan_discriminator_features, dcgan_generator_body, dense_output
from kerasgan.networks.normalization import normalization_layer, weight_init


def _text_input(text_dim):
    return keras.Input((int(text_dim),), name="text")


def _compress(text, units, name):
    code = keras.layers.Dense(units, kernel_initializer=weight_init(), name=name)(text)
    return keras.layers.LeakyReLU(0.2)(code)


def text_encoder(vocabulary, output_dim=64, embedding_dim=32, filters=64, sequence_length=16, name="text_encoder"):
    """Caption strings (batch,) → embeddings (batch, output_dim): a small trainable convolutional text encoder.

    Lower-cased, punctuation stripped, split on whitespace, cut or padded to
    `sequence_length` words; an unknown word maps to the out-of-vocabulary index.

    Args:
        vocabulary: the words it knows (e.g. `caption_vocabulary(captions)`).
        output_dim: size of the embedding the GAN is conditioned on.
        embedding_dim: size of each word's vector.
        filters: width of the convolution over 3-word windows.
        sequence_length: words read per caption.
    """
    vocabulary = [str(w) for w in vocabulary]
    if not vocabulary:
        raise ValueError("text_encoder needs a vocabulary of at least one word; build it with caption_vocabulary().")
    captions = keras.Input((), dtype="string", name="captions")
    vectorize = keras.layers.TextVectorization(
        vocabulary=vocabulary, output_sequence_length=int(sequence_length), name="tokenizer"
    )
    tokens = vectorize(captions)
    x = keras.layers.Embedding(len(vocabulary) + 2, int(embedding_dim), name="word_embedding")(tokens)
    x = keras.layers.Conv1D(int(filters), 3, padding="same", activation="relu", name="word_windows")(x)
    x = keras.layers.GlobalMaxPooling1D()(x)
    embedding = keras.layers.Dense(int(output_dim), name="text_embedding")(x)
    return keras.Model(captions, embedding, name=name)


def caption_vocabulary(captions, max_words=None):
    """The words of `captions` (strings), most frequent first, as `text_encoder`'s tokenizer splits them."""
    layer = keras.layers.TextVectorization(max_tokens=None if max_words is None else int(max_words) + 2)
    layer.adapt(list(captions))
    return [str(w) for w in layer.get_vocabulary() if w not in ("", "[UNK]")]


def text_generator(latent_dim, text_dim, image_shape=(28, 28, 1), base_filters=64, text_units=128, name="generator"):
    """DCGAN generator fed [z, compress(φ(t))] (Reed et al. 2016, §4.1).

    Reference: Reed et al., Generative Adversarial Text to Image Synthesis, ICML 2016.
    https://arxiv.org/abs/1605.05396
    """
    _check_square(image_shape)
    latents = keras.Input((int(latent_dim),), name="latents")
    text = _text_input(text_dim)
    x = keras.layers.Concatenate()([latents, _compress(text, int(text_units), "text_code")])
    return keras.Model([latents, text], dcgan_generator_body(x, image_shape, base_filters), name=name)


def matching_discriminator(
    image_shape,
    text_dim,
    base_filters=64,
    text_units=128,
    hidden_units=256,
    text_at="features",
    name="discriminator",
    logit_bias=True,
    **options,
):
    """DCGAN discriminator of (image, text) pairs: D(x, φ(t)) (Reed et al. 2016, §4.1).

    Reed et al. replicate the compressed text over the last 4×4 feature map,
    concatenate it depthwise and apply a 1×1 convolution before the logit;
    here the flattened features and the compressed text enter one Dense
    hidden layer (+ LeakyReLU(0.2)): the same sums over positions, without
    sharing the weights across them.

    Args:
        image_shape: (size, size, channels) of the images.
        text_dim: size of the text embedding.
        base_filters: width of the first convolution.
        text_units: size of the compressed text (128 in the paper).
        hidden_units: width of the joint layer.
        text_at: "features": the compressed text joins the image features
            before the logit (Reed et al.); "input": it is also broadcast to
            `text_units` extra input channels, as the conditional GAN's
            discriminator takes its label, so the convolutions see it too.
        logit_bias: whether the logit has a bias.
        **options: the `dcgan_discriminator_features` options.
    """
    _check_square(image_shape, any_channels=True)
    if text_at not in ("features", "input"):
        raise ValueError(f"text_at must be 'features' or 'input'; got {text_at!r}.")
    images = keras.Input(tuple(image_shape), name="images")
    text = _text_input(text_dim)
    code = _compress(text, int(text_units), "text_code")
    x = images
    if text_at == "input":
        maps = keras.layers.RepeatVector(image_shape[0] * image_shape[1])(code)
        maps = keras.layers.Reshape((image_shape[0], image_shape[1], int(text_units)))(maps)
        x = keras.layers.Concatenate()([images, maps])
    features = dcgan_discriminator_features(x, base_filters, **options)
    joint = keras.layers.Concatenate()([features, code])
    joint = keras.layers.Dense(int(hidden_units), kernel_initializer=weight_init(), name="joint")(joint)
    joint = keras.layers.LeakyReLU(0.2)(joint)
    spectral_norm = options.get("spectral_norm", False)
    logit = dense_output(joint, 1, spectral_norm=spectral_norm, use_bias=logit_bias, name="logit")
    return keras.Model([images, text], logit, name=name)


def conditioning_augmentation(text_dim, condition_dim=128, name="conditioning"):
    """StackGAN's conditioning augmentation: φ(t) → [μ(φ(t)), log σ(φ(t))], each (batch, condition_dim).

    One fully connected layer gives μ and log σ; the generator is fed c = μ + σ ⊙ ε, ε ~ N(0, I), and a KL term keeps
    N(μ, σ²) near N(0, I) (Zhang et al. 2017, §3.1).

    Reference: Zhang et al., StackGAN, ICCV 2017. https://arxiv.org/abs/1612.03242
    """
    text = _text_input(text_dim)
    mu = keras.layers.Dense(int(condition_dim), kernel_initializer=weight_init(), name="mu", dtype="float32")(text)
    log_sigma = keras.layers.Dense(
        int(condition_dim), kernel_initializer=weight_init(), name="log_sigma", dtype="float32"
    )(text)
    return keras.Model(text, [mu, log_sigma], name=name)


def stage2_generator(stage1_shape, code_dim, base_filters=32, n_blocks=4, name="generator"):
    """StackGAN's stage-II generator: (stage-I image s×s, CA code c) → an image of side 2s (Zhang et al. 2017, §3.2).

    The stage-I image is encoded down: a 3×3 convolution + ReLU, then a 4×4
    stride-2 convolution + BN + ReLU to s/2 × s/2 × 2f (f = `base_filters`).
    c is replicated over those positions and concatenated; a 3×3 convolution
    + BN + ReLU joins the two; `n_blocks` residual blocks follow (3×3 conv,
    BN, ReLU, 3×3 conv, BN, + the block's input, ReLU); two upsampling blocks
    (nearest 2× + 3×3 conv + BN + ReLU, to f then f/2 filters) reach 2s, and a
    3×3 convolution with tanh makes the image. The paper encodes 64 → 16 and
    upsamples 16 → 256 (two stride-2 convolutions, four upsamplings); for the
    2× step here the encoder halves once and the decoder doubles twice.

    Args:
        stage1_shape: (s, s, channels) of the stage-I images (s even).
        code_dim: size of the CA code c.
        base_filters: f above.
        n_blocks: residual blocks (4 in the authors' code, R_NUM).

    Reference: Zhang et al., StackGAN, ICCV 2017, Figure 2 and §4. https://arxiv.org/abs/1612.03242
    """
    side, _, channels = (int(v) for v in stage1_shape)
    _check_square(stage1_shape)
    if side % 2 or side < 2:
        raise ValueError(f"stage2_generator encodes the stage-I image down by 2: its side must be even; got {side}.")
    filters = 2 * int(base_filters)
    image = keras.Input((side, side, channels), name="stage1_images")
    code = keras.Input((int(code_dim),), name="codes")

    def conv(x, units, kernel=3, strides=1, normalize=True, activate=True):
        x = keras.layers.Conv2D(
            units, kernel, strides=strides, padding="same", use_bias=not normalize, kernel_initializer=weight_init()
        )(x)
        if normalize:
            x = normalization_layer("batch")(x)
        return keras.layers.ReLU()(x) if activate else x

    x = conv(image, int(base_filters), normalize=False)
    x = conv(x, filters, kernel=4, strides=2)
    half = side // 2
    maps = keras.layers.Reshape((half, half, int(code_dim)))(keras.layers.RepeatVector(half * half)(code))
    x = conv(keras.layers.Concatenate()([x, maps]), filters)
    for _ in range(int(n_blocks)):
        y = conv(conv(x, filters), filters, activate=False)
        x = keras.layers.ReLU()(keras.layers.Add()([x, y]))
    for units in (filters // 2, max(1, filters // 4)):
        x = conv(keras.layers.UpSampling2D(2, interpolation="nearest")(x), units)
    x = keras.layers.Conv2D(channels, 3, padding="same", kernel_initializer=weight_init())(x)
    return keras.Model([image, code], keras.layers.Activation("tanh", dtype="float32", name="image")(x), name=name)
