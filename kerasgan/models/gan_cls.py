"""GAN-CLS: text-to-image synthesis with a matching-aware discriminator (Reed et al. 2016)."""

import collections

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan.models.dcgan import DCGAN
from kerasgan.networks import matching_discriminator, text_generator
from kerasgan.networks.text import conditioning_augmentation as conditioning_network
from kerasgan.utils import checks

_SERIALIZE = keras.saving.serialize_keras_object

#: GAN's `StepBatch` plus what GAN-INT and conditioning augmentation add: the fakes made from interpolated
#: text embeddings (and those embeddings), and the KL term of the conditioning augmentation.
TextStepBatch = collections.namedtuple(
    "TextStepBatch",
    ["real", "fake", "condition", "latents", "interpolated_fake", "interpolated_text", "kl"],
    defaults=(None, None, None, None, None),
)


def kl_to_standard_normal(mu, log_sigma):
    """KL(N(μ, σ²) ‖ N(0, I)) per sample, summed over the dimensions, averaged over the batch.

    ½ Σ_j (μ_j² + σ_j² − 1 − 2 log σ_j): StackGAN's regularizer of the
    conditioning augmentation (Zhang et al. 2017, eq. 3).
    """
    per_sample = 0.5 * ops.sum(ops.square(mu) + ops.exp(2.0 * log_sigma) - 1.0 - 2.0 * log_sigma, axis=-1)
    return ops.mean(per_sample)


@keras.saving.register_keras_serializable(package="kerasgan")
class GANCLS(DCGAN):
    """GAN-CLS (Reed et al. 2016): a text-conditioned DCGAN whose discriminator judges whether image and text match.

    The generator takes (z, φ(t)) and the discriminator (x, φ(t)), φ(t) the
    text embedding. The discriminator sees three kinds of pairs (the paper's
    Algorithm 1): a real image with its text s_r → real; a real image with
    a wrong text s_w (another sample's, see `mismatched`) and a fake image
    with the right text s_f → fake, each weighted ½:
    L_D = −log D(x, h) − ½ [log(1 − D(x, ĥ)) + log(1 − D(x̂, h))]. With any
    adversarial loss L(real logits, fake logits) this is
    ½ [L(s_r, s_f) + L(s_r, s_w)], logged as "d_loss" ("d_acc_wrong": the
    share of wrong pairs judged fake). The generator's loss is L's on s_f.

    Options:

    - GAN-INT (`interpolation=True`): the generator also makes images from
      β·φ(t₁) + (1 − β)·φ(t₂) (t₂ the wrong texts of `mismatched`, β = ½ in
      the paper) and is trained to make D call them real:
      `interpolation_weight` × L's generator loss, logged as "g_int".
    - Conditioning augmentation (`conditioning_augmentation=C`, StackGAN):
      a Dense layer maps φ(t) to μ, log σ (C each); the generator is fed
      c = μ + σ ⊙ ε and its loss gains `kl_weight` × KL(N(μ, σ²) ‖ N(0, I)),
      logged as "g_kl". Sampling uses c = μ.

    The text is caption strings, encoded by `text_encoder` (trained by the
    discriminator's optimizer, on the matching-aware loss), or precomputed
    embeddings of size `text_dim`: fit() takes (images, text) batches
    (`kerasgan.data.captioned_mnist_dataset`, `captioned_folder`).

    Args:
        text_dim: size of the precomputed embeddings (without `text_encoder`).
        text_encoder: a `keras.Model` from caption strings (batch,) to
            embeddings (batch, d), e.g. `kerasgan.networks.text_encoder(vocabulary)`.
        interpolation: GAN-INT, see above.
        interpolation_weight: weight of the GAN-INT term (1 in the paper).
        beta: the interpolation weight β (0.5 in the paper).
        conditioning_augmentation: None (Reed et al.), or the size C of c.
        kl_weight: weight λ of the KL term (1 in StackGAN).
        conditioning: the CA network (built when None).
        text_units: size of the compressed text in both networks (128 in the paper).
        text_at: where the discriminator takes the text: "features" (Reed et al.:
            joined to the image features before the logit) or "input" (also
            broadcast to extra input channels, as the conditional GAN takes its
            label). Measured on the captioned MNIST at 500 steps: "input" makes
            "thick" draw thicker strokes than "thin" for 0.95 of the same latents
            (1.87 → 2.30 px; "features": 0.81 at 500 steps, then no effect),
            but costs about 3× the CPU per step at 28×28.
        grid_captions: captions of a training grid's rows (with `text_encoder`);
            default: "a zero" ... "a nine" when the encoder knows those words.
        **kwargs: the `DCGAN` / `GAN` arguments.

    Example:
        ```python
        data = kerasgan.data.captioned_mnist_dataset(batch_size=64, seed=0)
        encoder = kerasgan.networks.text_encoder(kerasgan.data.caption_words())
        gan = kerasgan.models.GANCLS.for_images((28, 28, 1), text_encoder=encoder)
        gan.compile()
        gan.fit(data, epochs=5)
        images = gan.generate(8, captions="a thick, slanted seven")
        ```

    References:
        Reed et al., Generative Adversarial Text to Image Synthesis, ICML 2016.
        https://arxiv.org/abs/1605.05396
        Zhang et al., StackGAN: Text to Photo-realistic Image Synthesis with
        Stacked Generative Adversarial Networks, ICCV 2017. https://arxiv.org/abs/1612.03242
    """

    data_kind = "captioned_images"
    generator_input_count = 2
    discriminator_input_count = 2

    def __init__(
        self,
        generator=None,
        discriminator=None,
        text_dim=None,
        text_encoder=None,
        interpolation=False,
        interpolation_weight=1.0,
        beta=0.5,
        conditioning_augmentation=None,
        kl_weight=1.0,
        conditioning=None,
        text_units=128,
        text_at="features",
        grid_captions=None,
        **kwargs,
    ):
        name = type(self).__name__
        if text_encoder is not None:
            encoded = text_encoder.output_shape
            if isinstance(encoded, list) or len(encoded) != 2:
                raise ValueError(f"{name}: text_encoder must output embeddings (batch, d); it outputs {encoded}.")
            if text_dim is not None and int(text_dim) != encoded[-1]:
                raise ValueError(
                    f"{name}: text_dim={text_dim} but the text_encoder outputs {encoded[-1]} numbers; drop text_dim."
                )
            text_dim = encoded[-1]
        if text_dim is None:
            raise ValueError(
                f"{name} needs text_dim= (the size of precomputed text embeddings) or text_encoder= (a model from "
                "caption strings to embeddings, e.g. kerasgan.networks.text_encoder(vocabulary))."
            )
        self.text_dim = checks.positive_int(name, "text_dim", text_dim)
        self.interpolation = bool(interpolation)
        self.interpolation_weight = checks.nonnegative(name, "interpolation_weight", interpolation_weight)
        self.beta = float(beta)
        if not 0.0 <= self.beta <= 1.0:
            raise ValueError(f"{name}: beta must be in [0, 1] (the paper's is 0.5); got {beta!r}.")
        self.conditioning_augmentation = (
            None
            if conditioning_augmentation is None
            else checks.positive_int(name, "conditioning_augmentation", conditioning_augmentation)
        )
        self.kl_weight = checks.nonnegative(name, "kl_weight", kl_weight)
        self.text_units = checks.positive_int(name, "text_units", text_units)
        if text_at not in ("features", "input"):
            raise ValueError(f"{name}: text_at must be 'features' (Reed et al.) or 'input'; got {text_at!r}.")
        self.text_at = text_at
        self.grid_captions = None if grid_captions is None else [str(c) for c in grid_captions]
        if self.grid_captions is not None and text_encoder is None:
            raise ValueError(f"{name}: grid_captions need a text_encoder to encode them.")
        if self.conditioning_augmentation is not None and conditioning is None:
            conditioning = conditioning_network(self.text_dim, self.conditioning_augmentation)
        elif self.conditioning_augmentation is None and conditioning is not None:
            raise ValueError(f"{name}: a conditioning network needs conditioning_augmentation=C (its size).")
        # Before the base's __init__, which attaches the parts (a GeneratorEMA averages the CA network too).
        for what, network in (("text_encoder", text_encoder), ("conditioning", conditioning)):
            if network is not None and not isinstance(network, keras.Model):
                raise TypeError(f"{name}: {what} must be a keras.Model; got {type(network).__name__}.")
        self.text_encoder, self.conditioning = text_encoder, conditioning
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)
        if self.loss.matches_features:
            raise ValueError(f"{name} judges (image, text) pairs; use a loss on logits, not feature_matching.")
        self._check_text_networks()

    @property
    def code_dim(self):
        """Size of what the generator takes besides z: c (with conditioning augmentation) or φ(t)."""
        return self.text_dim if self.conditioning_augmentation is None else self.conditioning_augmentation

    def build_generator(self):
        return text_generator(self.latent_dim, self.code_dim, self.image_shape, self.base_filters, self.text_units)

    def build_discriminator(self):
        return matching_discriminator(
            self.seen_shape(self.image_shape),
            self.text_dim,
            self.base_filters,
            self.text_units,
            text_at=self.text_at,
            **self.discriminator_options(),
        )

    def _check_text_networks(self):
        name = type(self).__name__
        shapes = {
            "generator's second input": (tuple(self.generator.inputs[1].shape[1:]), (self.code_dim,)),
            "discriminator's second input": (tuple(self.discriminator.inputs[1].shape[1:]), (self.text_dim,)),
        }
        if self.conditioning is not None:
            outputs = self.conditioning.output_shape
            shapes["conditioning network's outputs"] = (
                tuple(tuple(s[1:]) for s in outputs) if isinstance(outputs, list) else (tuple(outputs[1:]),),
                ((self.code_dim,), (self.code_dim,)),
            )
        for what, (got, expected) in shapes.items():
            if got != expected:
                raise ValueError(
                    f"{name}: the {what} has shape {got}; it must be {expected} (text_dim={self.text_dim})."
                )

    def discriminator_networks(self):
        return [self.discriminator] + ([self.text_encoder] if self.text_encoder is not None else [])

    def generator_networks(self):
        return [self.generator] + ([self.conditioning] if self.conditioning is not None else [])

    def auxiliary_term_names(self):
        return (
            ("d_acc_wrong",)
            + (("g_int",) if self.interpolation else ())
            + (("g_kl",) if self.conditioning_augmentation is not None else ())
        )

    # ------------------------------------------------------------------ what a run reads for it
    @classmethod
    def data_image_size(cls, size, arguments):
        """The side at which a run reads the images for `cls(**arguments)`, `size` being the run's image side (the
        data's, or --image-size): `size` itself (StackGAN's stage I trains at half of it)."""
        return size

    @classmethod
    def encodes_data_text(cls, arguments):
        """Whether a run gives `cls(**arguments)` a text encoder over the data's captions (StackGAN's stage II reads
        the text with its stage I's)."""
        return True

    # ------------------------------------------------------------------ text
    def embed(self, text, training=True):
        """φ(t): caption strings through `text_encoder`; embeddings (float) as they are."""
        if text.dtype == tf.string:
            return self.text_encoder(text, training=training)
        return ops.cast(text, "float32")

    def condition_codes(self, embedding, noise, conditioning=None):
        """(what the generator is fed for `embedding`, the KL term or None): c = μ + σ ε with CA (ε = 0 without `noise`).

        `conditioning`: the CA network to use (default the trained one; sampling passes its moving average).
        """
        if self.conditioning is None:
            return embedding, None
        mu, log_sigma = (conditioning or self.conditioning)(embedding, training=True)
        code = mu
        if noise:
            code = mu + ops.exp(log_sigma) * self.replica_random(keras.random.normal, ops.shape(mu))
        return code, kl_to_standard_normal(mu, log_sigma)

    @staticmethod
    def mismatched(text):
        """The wrong text of each sample: the nearest earlier one in the batch (cyclically) that differs from its own.

        The batch's texts shifted by one gave a real image its own caption wherever two neighbours shared it
        (1.8 % of the pairs in batches of 64 of the captioned MNIST, whose 27,829 pairs use 90 captions); this
        never does, unless every text of the batch is the same (then it is the shift by one). A different
        caption can still be true of the image ("a seven" for a thick seven): 5.7 % of the shifted captions
        were, 3.9 % of these are (measured over one shuffled epoch, seed 0).
        """
        n = tf.shape(text)[0]
        shifts = tf.range(1, n + 1)
        candidates = (tf.range(n)[:, None] - shifts[None, :]) % n  # [i, k - 1]: the sample k places before i
        same = tf.equal(tf.gather(text, candidates), text[:, None])
        if text.shape.rank > 1:  # embeddings: equal in every dimension
            same = tf.reduce_all(same, axis=list(range(2, text.shape.rank + 1)))
        shift = tf.reduce_min(tf.where(same, n + 1, shifts[None, :]), axis=1)
        shift = tf.where(shift > n, 1, shift)
        return tf.gather(text, (tf.range(n) - shift) % n)

    # ------------------------------------------------------------------ hooks
    def unpack_batch(self, data):
        images, text, _ = keras.utils.unpack_x_y_sample_weight(data)
        name = type(self).__name__
        if text is None:
            raise ValueError(
                f"{name} is conditioned on text: fit() needs (images, text) batches, the text in place of labels "
                "(caption strings with a text_encoder, or embeddings of size text_dim); load them with "
                "kerasgan.data.captioned_folder or captioned_mnist_dataset."
            )
        if text.dtype == tf.string:
            if self.text_encoder is None:
                raise ValueError(
                    f"{name} got caption strings but has no text_encoder; build it with "
                    "text_encoder=kerasgan.networks.text_encoder(vocabulary), or feed embeddings."
                )
            text = ops.reshape(text, (-1,))
        elif tuple(text.shape[1:]) != (self.text_dim,):
            raise ValueError(
                f"{name} was built for text embeddings of size {self.text_dim}; the data's text has shape "
                f"{tuple(text.shape[1:])} ({text.dtype}). Build the model with the data's text_dim."
            )
        return images, text

    def generator_feed(self, latents, embedding, codes, noise):
        """What the generator is fed for latents z, the text's embedding and its codes c (see `condition_codes`):
        [z, c]. StackGAN's stage II feeds [stage I's image, c] (`noise`: whether that image's code is sampled)."""
        return [latents, codes]

    def generator_inputs(self, latents, condition):
        embedding = self.embed(condition, training=False)
        return self.generator_feed(latents, embedding, self.condition_codes(embedding, noise=False)[0], noise=False)

    def sampling_inputs(self, latents, condition, use_ema):
        # c = μ of the CA network that goes with the sampled generator: its moving average under `ema=`
        conditioning = self.conditioning
        if use_ema and conditioning is not None:
            conditioning = self.sampling_network(conditioning)
        embedding = self.embed(condition, training=False)
        codes = self.condition_codes(embedding, False, conditioning)[0]
        return self.generator_feed(latents, embedding, codes, noise=False)

    def discriminator_inputs(self, images, condition):
        return [images, self.embed(condition)]

    def step_batch(self, real, condition):
        n = ops.shape(real)[0]
        embedding = self.embed(condition)
        latents = self.sample_latents(n)
        codes, kl = self.condition_codes(embedding, noise=True)
        interpolated_text = None
        if self.interpolation:
            interpolated_text = self.beta * embedding + (1.0 - self.beta) * self.mismatched(embedding)
            extra_codes, extra_kl = self.condition_codes(interpolated_text, noise=True)
            # One generator pass for both batches.
            feed = self.generator_feed(
                ops.concatenate([latents, self.sample_latents(n)]),
                ops.concatenate([embedding, interpolated_text]),
                ops.concatenate([codes, extra_codes]),
                noise=True,
            )
            fakes = self.generator(feed, training=True)
            fake, interpolated_fake = fakes[:n], fakes[n:]
            kl = None if kl is None else 0.5 * (kl + extra_kl)
        else:
            feed = self.generator_feed(latents, embedding, codes, noise=True)
            fake, interpolated_fake = self.generator(feed, training=True), None
        return TextStepBatch(real, fake, condition, latents, interpolated_fake, interpolated_text, kl)

    # ------------------------------------------------------------------ the objectives
    def discriminator_objective(self, batch):
        real_logits, _ = self.discriminate(batch.real, batch.condition)
        wrong_logits, _ = self.discriminate(batch.real, self.mismatched(batch.condition))
        fake_logits, _ = self.discriminate(batch.fake, batch.condition)
        loss = 0.5 * (
            self.discriminator_loss(real_logits, fake_logits) + self.discriminator_loss(real_logits, wrong_logits)
        )
        terms = {"d_loss": loss, **self.part_terms("discriminator", batch)}
        self.observe_logits(real_logits, fake_logits)
        metrics = {
            "d_acc_real": ops.mean(ops.cast(real_logits > 0, "float32")),
            "d_acc_fake": ops.mean(ops.cast(fake_logits < 0, "float32")),
            "d_acc_wrong": ops.mean(ops.cast(wrong_logits < 0, "float32")),
        }
        return terms, metrics

    def generator_objective(self, batch):
        fake_logits, _ = self.discriminate(batch.fake, batch.condition)
        real_logits = self.discriminate(batch.real, batch.condition)[0] if self.loss.needs_real_logits else None
        terms = {"g_loss": self.loss.generator_loss(fake_logits, real_logits)}
        if self.interpolation:
            interpolated_logits, _ = self.discriminate(batch.interpolated_fake, batch.interpolated_text)
            terms["g_int"] = self.interpolation_weight * self.loss.generator_loss(interpolated_logits, real_logits)
        if batch.kl is not None:
            terms["g_kl"] = self.kl_weight * batch.kl
        return {**terms, **self.part_terms("generator", batch)}, {}

    def fit(self, x=None, y=None, *args, **kwargs):
        if isinstance(y, (list, tuple)) or (isinstance(y, np.ndarray) and y.dtype.kind in "UOS"):
            # Keras' array adapter takes no strings: images and captions as a data set of full batches.
            captions = np.asarray(y).astype(str)
            if len(captions) != len(x):
                raise ValueError(f"Got {len(x)} images but {len(captions)} captions; give one caption per image.")
            batch_size = kwargs.pop("batch_size", None) or 32
            data = tf.data.Dataset.from_tensor_slices((np.asarray(x), captions))
            if kwargs.pop("shuffle", True):
                data = data.shuffle(len(captions), seed=self.seed)
            x, y = data.batch(batch_size, drop_remainder=True), None
        return super().fit(x, y, *args, **kwargs)

    # ------------------------------------------------------------------ sampling
    def call(self, inputs, training=False):
        latents, text = inputs
        generator = self.generator if training else self.sampling_network(self.generator)
        return generator(self.sampling_inputs(latents, text, use_ema=not training), training=training)

    def text_for(self, n, captions=None, text=None):
        """Embeddings (n, text_dim) for `captions` (one string or n) or `text` (one embedding or n)."""
        name = type(self).__name__
        if captions is not None and text is not None:
            raise ValueError(f"{name}.generate() takes captions= (strings) or text= (embeddings), not both.")
        if captions is None and text is None:
            # As the class-conditional models cycle through their classes: the grid's captions in turn, else the
            # zero embedding (the middle of the embeddings a text encoder or the data gave).
            rows = self.caption_rows()
            if rows is None:
                return np.zeros((n, self.text_dim), "float32")
            captions = [rows[i % len(rows)] for i in range(n)]
        if captions is not None:
            if self.text_encoder is None:
                raise ValueError(f"{name} has no text_encoder to read captions; pass text= embeddings instead.")
            captions = [captions] if isinstance(captions, str) else [str(c) for c in captions]
            if len(captions) == 1:
                captions = captions * n
            if len(captions) != n:
                raise ValueError(f"Got {len(captions)} captions for {n} images; give one caption or one per image.")
            return ops.convert_to_numpy(self.text_encoder(tf.constant(captions), training=False)).astype("float32")
        text = np.asarray(text, "float32")
        if text.ndim == 1:
            text = np.tile(text[None], (n, 1))
        if text.shape != (n, self.text_dim):
            raise ValueError(f"text must have shape ({self.text_dim},) or ({n}, {self.text_dim}); got {text.shape}.")
        return text

    def generate(self, n=None, captions=None, text=None, latents=None, seed=None, batch_size=256, use_ema=True):
        """Generates images for captions or text embeddings (float32 NHWC numpy array in [-1, 1]).

        Args:
            n: number of images (latents drawn from N(0, I) with `seed`).
            captions: one caption for all images, or one per image (needs `text_encoder`).
            text: one embedding (text_dim,) or one per image, instead of captions. Neither: the grid's
                captions ("a zero" ... "a nine" for the captioned MNIST) in turn, else the zero embedding.
            latents, seed, batch_size, use_ema: as for `GAN.generate`.
        """
        latents = self.latents_for(n, latents, seed)
        return self._generate(latents, self.text_for(len(latents), captions, text), batch_size, use_ema)

    def match_scores(self, images, captions=None, text=None, batch_size=256):
        """The discriminator's logits D(x, φ(t)) (inference mode) for images (n, H, W, C) in [-1, 1] and their texts.

        High: a real image that matches its text. `captions` / `text` as for `generate`.
        """
        images = np.asarray(images, "float32")
        text = self.text_for(len(images), captions, text)
        scores = [
            ops.convert_to_numpy(
                self.discriminator(
                    [ops.convert_to_tensor(images[i : i + batch_size]), ops.convert_to_tensor(text[i : i + batch_size])]
                )
            )
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(scores)[:, 0] if scores else np.zeros(0, "float32")

    def caption_rows(self):
        """The captions of a training grid's rows (None: no encoder, or none known)."""
        if self.grid_captions is not None:
            return self.grid_captions
        if self.text_encoder is None:
            return None
        from kerasgan.data.captions import DIGIT_WORDS, describe

        vocabulary = set()
        for layer in self.text_encoder.layers:
            if isinstance(layer, keras.layers.TextVectorization):
                vocabulary.update(layer.get_vocabulary())
        return [describe(d) for d in range(10)] if vocabulary.issuperset(DIGIT_WORDS) else None

    def grid_samples(self, latents):
        """One row per grid caption, the same latents in each column; without captions, a zero embedding."""
        rows = self.caption_rows()
        if rows is None:
            return self.generate(latents=latents, text=np.zeros(self.text_dim, "float32")), None
        cols = max(1, len(latents) // len(rows))
        captions = [c for c in rows for _ in range(cols)]
        return self.generate(latents=np.tile(latents[:cols], (len(rows), 1)), captions=captions), cols

    def get_config(self):
        return {
            **super().get_config(),
            "text_dim": self.text_dim,
            "text_encoder": None if self.text_encoder is None else _SERIALIZE(self.text_encoder),
            "interpolation": self.interpolation,
            "interpolation_weight": self.interpolation_weight,
            "beta": self.beta,
            "conditioning_augmentation": self.conditioning_augmentation,
            "kl_weight": self.kl_weight,
            "conditioning": None if self.conditioning is None else _SERIALIZE(self.conditioning),
            "text_units": self.text_units,
            "text_at": self.text_at,
            "grid_captions": self.grid_captions,
        }
