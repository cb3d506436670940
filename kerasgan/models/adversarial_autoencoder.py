"""Adversarial autoencoder: an autoencoder whose codes a discriminator matches to a chosen prior.

Reference:
    Makhzani, Shlens, Jaitly, Goodfellow, Frey, Adversarial Autoencoders,
    ICLR 2016 workshop. https://arxiv.org/abs/1511.05644
"""

import collections
import math

import keras
import numpy as np
from keras import ops

from kerasgan import losses as formulas
from kerasgan.data.arrays import UNLABELLED
from kerasgan.models.class_conditional import ClassLabels
from kerasgan.models.encoding import EncoderModel
from kerasgan.models.gan import GAN
from kerasgan.networks import bigan_encoder, dcgan_generator, point_discriminator
from kerasgan.parts import StepBatch
from kerasgan.utils import checks

_SERIALIZE = keras.saving.serialize_keras_object
PRIORS = ("normal", "mixture")


@keras.saving.register_keras_serializable(package="kerasgan")
class AdversarialAutoencoder(EncoderModel, GAN):
    """Adversarial autoencoder (Makhzani et al. 2016): E(x) is a code, G(E(x)) ≈ x, and D makes q(z) match p(z).

    Each step has the paper's two phases on one batch (Section 2): the
    reconstruction phase trains E and the decoder G on
    "reconstruction" = mean |x - G(E(x))|² (the pixel MSE); the
    regularization phase trains D on BCE(D(z'), 1) + BCE(D(E(x)), 0) with z' ~ p(z),
    then the encoder, as the generator of codes, on BCE(D(E(x)), 1). Here the
    encoder's two terms are summed into one update of E and G (the decoder
    gets no gradient from the adversarial term), after D's update on the
    same codes; the paper applies them as separate SGD updates. Sampling
    decodes draws of the prior: `generate(n)` = G(z'), z' ~ p(z).

    Args:
        prior: "normal", p(z) = N(0, I); or "mixture", an equal mixture of
            `prior_modes` Gaussians of σ `prior_sigma` whose means lie on a circle
            of radius `prior_radius` in the first two code dimensions (the
            paper's 2-D mixture of 10).
        prior_modes, prior_radius, prior_sigma: the mixture's shape.
        adversarial_weight: λ of the encoder's adversarial term against its
            reconstruction.
        encoder: a `keras.Model` from images to codes (B, latent_dim); the
            discriminator is on codes (B, latent_dim) -> (B, 1).
        base_filters: width of the default convolutional encoder and decoder.
        **kwargs: the `GAN` arguments (generator = the decoder, latent_dim,
            image_shape, seed, ...).

    Example:
        ```python
        aae = kerasgan.models.AdversarialAutoencoder(image_shape=(28, 28, 1), latent_dim=8)
        aae.compile()
        aae.fit(kerasgan.data.load_dataset("mnist"), epochs=20)
        codes, digits = aae.encode(images), aae.generate(16)
        ```
    """

    def __init__(
        self,
        generator=None,
        discriminator=None,
        encoder=None,
        prior="normal",
        prior_modes=10,
        prior_radius=4.0,
        prior_sigma=0.5,
        adversarial_weight=1.0,
        base_filters=32,
        latent_dim=8,
        **kwargs,
    ):
        name = "AdversarialAutoencoder"
        for argument in ("regularizers", "loss", "targets", "objectives", "augment"):
            if kwargs.get(argument):
                raise ValueError(f"{name} trains with the paper's objectives and takes no {argument}=; drop it.")
        if prior not in PRIORS:
            raise ValueError(f"{name}: prior must be one of {', '.join(PRIORS)}; got {prior!r}.")
        self.prior = prior
        self.prior_modes = checks.positive_int(name, "prior_modes", prior_modes)
        self.prior_radius = checks.nonnegative(name, "prior_radius", prior_radius)
        self.prior_sigma = checks.positive(name, "prior_sigma", prior_sigma)
        self.adversarial_weight = checks.nonnegative(name, "adversarial_weight", adversarial_weight)
        if prior == "mixture" and latent_dim < 2:
            raise ValueError(f"{name}: the mixture prior lies in 2 code dimensions; use latent_dim >= 2.")
        self.base_filters = int(base_filters)
        self.encoder = encoder  # built in _check_networks, once image_shape and latent_dim are known
        super().__init__(generator=generator, discriminator=discriminator, latent_dim=latent_dim, **kwargs)

    # ------------------------------------------------------------------ networks
    def build_generator(self):
        return dcgan_generator(self.latent_dim, self.image_shape, self.base_filters)

    def build_discriminator(self):
        return point_discriminator(self.latent_dim, units=(256, 256), input_scale=1.0, orthogonal_gain=None)

    def build_encoder(self):
        return bigan_encoder(self.image_shape, self.latent_dim, self.base_filters)

    def _check_networks(self):
        self.check_encoder()
        g_in, g_out = tuple(self.generator.inputs[0].shape[1:]), tuple(self.generator.output_shape[1:])
        d_in = tuple(self.discriminator.inputs[0].shape[1:])
        if g_in != (self.generator_latent_size,) or g_out != self.image_shape:
            raise ValueError(
                f"The decoder must map codes ({self.generator_latent_size},) to images {self.image_shape}; it maps "
                f"{g_in} to {g_out}."
            )
        if d_in != (self.latent_dim,):
            raise ValueError(f"The discriminator judges codes ({self.latent_dim},); this one takes {d_in}.")

    def generator_networks(self):
        return [self.encoder, self.generator]

    def loss_names(self):
        return ("d_loss", "g_loss", "reconstruction", "d_acc_real", "d_acc_fake")

    def critic_views(self, batch):
        return []

    # ------------------------------------------------------------------ the prior
    def _mixture_means(self):
        angles = 2 * math.pi * np.arange(self.prior_modes) / self.prior_modes
        means = np.zeros((self.prior_modes, self.latent_dim), "float32")
        means[:, 0], means[:, 1] = self.prior_radius * np.cos(angles), self.prior_radius * np.sin(angles)
        return means

    def sample_latents(self, batch_size):
        """z' ~ p(z), from the model's seed generator."""
        noise = self.replica_random(keras.random.normal, (batch_size, self.latent_dim))
        if self.prior == "normal":
            return noise
        modes = self.replica_random(
            lambda shape, seed: keras.random.randint(shape, 0, self.prior_modes, seed=seed), (batch_size,)
        )
        return ops.take(ops.convert_to_tensor(self._mixture_means()), modes, axis=0) + self.prior_sigma * noise

    def latents_for(self, n, latents=None, seed=None):
        """Draws of the prior (numpy, seeded by `seed`) when no `latents` are given."""
        if latents is None and n is not None and self.prior == "mixture":
            rng = np.random.default_rng(seed)
            modes = rng.integers(self.prior_modes, size=int(n))
            noise = rng.standard_normal((int(n), self.latent_dim)) * self.prior_sigma
            latents = self._mixture_means()[modes] + noise
        return super().latents_for(n, latents, seed)

    # ------------------------------------------------------------------ the phases
    def discriminator_objective(self, batch):
        """(terms, metrics) of D: prior draws (`batch.latents`) are real, codes E(x) (`batch.condition`) fake."""
        real_logits = self.discriminator(batch.latents, training=True)
        fake_logits = self.discriminator(batch.condition, training=True)
        terms = {"d_loss": formulas.discriminator_loss(real_logits, fake_logits)}
        metrics = {
            "d_acc_real": ops.mean(ops.cast(real_logits > 0, "float32")),
            "d_acc_fake": ops.mean(ops.cast(fake_logits < 0, "float32")),
        }
        return terms, metrics

    def generator_objective(self, batch):
        """(terms, metrics) of E and G: "reconstruction" (batch.fake = G(E(x))) and λ·"g_loss", E fooling D."""
        fake_logits = self.discriminator(batch.condition, training=True)
        terms = {
            "reconstruction": ops.mean(ops.square(batch.real - batch.fake)),
            "g_loss": self.adversarial_weight * formulas.non_saturating_generator_loss(fake_logits),
        }
        return terms, {}

    def step_batch(self, real, condition):
        prior = self.sample_latents(ops.shape(real)[0])
        codes = self.encoder(real, training=True)
        reconstruction = self.generator(codes, training=True)
        return StepBatch(real, reconstruction, codes, prior)

    def get_config(self):
        config = {
            **super().get_config(),
            "encoder": _SERIALIZE(self.encoder),
            "prior": self.prior,
            "prior_modes": self.prior_modes,
            "prior_radius": self.prior_radius,
            "prior_sigma": self.prior_sigma,
            "adversarial_weight": self.adversarial_weight,
            "base_filters": self.base_filters,
        }
        for argument in ("loss", "targets"):
            config.pop(argument)
        return config


@keras.saving.register_keras_serializable(package="kerasgan")
class LabelledPriorAAE(ClassLabels, AdversarialAutoencoder):
    """The adversarial autoencoder with label information in the adversarial regularization (Makhzani et al., §2.3).

    The prior is a mixture of `num_classes` Gaussians (on a circle in the
    first two code dimensions, as `AdversarialAutoencoder(prior="mixture")`)
    and the discriminator also sees the one-hot label of each image: a real
    sample for an image of class k is drawn from mode k, and D judges
    [E(x), onehot(k)] against [z' ~ mode k, onehot(k)]. The encoder must
    therefore put class k's codes in mode k, so decoding draws of mode k
    gives digits of class k: `generate(n, labels=k)`; the grids show one row
    per class. Trained on (images, labels) batches (`kerasgan train aae_labels`
    reads them like the conditional models).

    Args:
        num_classes: classes = modes of the prior.
        class_names: optional names, accepted by `generate(labels=...)`.
        **kwargs: the `AdversarialAutoencoder` arguments (`prior_radius`,
            `prior_sigma`, ...; the prior is the mixture of `num_classes` modes).
    """

    def __init__(self, num_classes=10, class_names=None, prior="mixture", prior_modes=None, **kwargs):
        self.init_classes(num_classes, class_names)
        if prior != "mixture" or prior_modes not in (None, self.num_classes):
            raise ValueError(
                f"LabelledPriorAAE puts class k's codes in mode k of a mixture of num_classes={self.num_classes} "
                f"Gaussians; drop prior= and prior_modes= (got prior={prior!r}, prior_modes={prior_modes!r})."
            )
        super().__init__(prior="mixture", prior_modes=self.num_classes, **kwargs)
        self.add_label_range()

    def build_discriminator(self):
        return point_discriminator(
            self.latent_dim + self.num_classes, units=(256, 256), input_scale=1.0, orthogonal_gain=None
        )

    def _check_networks(self):
        self.check_encoder()
        judged = tuple(self.discriminator.inputs[0].shape[1:])
        if judged != (self.latent_dim + self.num_classes,):
            raise ValueError(
                f"LabelledPriorAAE's discriminator judges [code, one-hot label] of "
                f"({self.latent_dim} + {self.num_classes},); this one takes {judged}."
            )

    def mode_draws(self, labels):
        """z' from the prior's mode of each label (the model's random stream)."""
        noise = self.replica_random(keras.random.normal, (ops.shape(labels)[0], self.latent_dim))
        return ops.take(ops.convert_to_tensor(self._mixture_means()), labels, axis=0) + self.prior_sigma * noise

    def step_batch(self, real, labels):
        onehot = ops.one_hot(labels, self.num_classes)
        codes = self.encoder(real, training=True)
        reconstruction = self.generator(codes, training=True)
        # D's inputs: the codes with the label, against draws of the label's mode with the label
        judged = ops.concatenate([codes, ops.cast(onehot, codes.dtype)], axis=-1)
        prior = ops.concatenate([self.mode_draws(labels), onehot], axis=-1)
        return StepBatch(real, reconstruction, judged, prior)

    def generate(self, n=None, labels=None, latents=None, seed=None, batch_size=256, use_ema=True):
        """Decodes draws of the modes of `labels` (one for all, one per image; None cycles the classes), or `latents`."""
        if latents is None:
            if n is None:
                raise ValueError("generate() needs the number of images n or explicit latents.")
            rng = np.random.default_rng(seed)
            modes = self._labels_for(int(n), labels)
            latents = self._mixture_means()[modes] + rng.standard_normal((int(n), self.latent_dim)) * self.prior_sigma
        elif labels is not None:
            raise ValueError("generate() takes labels (to draw latents from their modes) or latents, not both.")
        return super().generate(latents=latents, seed=seed, batch_size=batch_size, use_ema=use_ema)

    def grid_samples(self, latents):
        """One row per class: the fixed noise of `latents` around each class's mode."""
        cols = max(1, len(latents) // self.num_classes)
        noise = np.asarray(latents[:cols], "float32") * self.prior_sigma
        means = np.repeat(self._mixture_means(), cols, axis=0)
        return self.generate(latents=means + np.tile(noise, (self.num_classes, 1))), cols

    def get_config(self):
        config = {**super().get_config(), **self.classes_config()}
        for argument in ("prior", "prior_modes"):
            config.pop(argument)
        return config


#: What one step of `SemiSupervisedAAE` encodes of its batch: the class logits, q(y|x) (their softmax), the style z
#: and the batch's labels (`UNLABELLED` for an unlabelled image).
Encoding = collections.namedtuple("Encoding", ["logits", "classes", "style", "labels"])


@keras.saving.register_keras_serializable(package="kerasgan")
class SemiSupervisedAAE(ClassLabels, AdversarialAutoencoder):
    """The semi-supervised adversarial autoencoder (Makhzani et al., §5, Figure 8): q(y, z|x), a class y and a style z.

    The encoder's output is K class logits followed by a style z of
    `latent_dim`; y = softmax(logits) = q(y|x), and the decoder G
    reconstructs x from [y, z]. Each step has the paper's three phases on
    one batch: reconstruction, "reconstruction" = mean |x - G([y, z])|²;
    regularization, two discriminators on the codes: the
    `label_discriminator` D_y tells one-hot draws of Categorical(K) from y
    ("d_class_loss" = BCE(D_y(onehot), 1) + BCE(D_y(y), 0)) and the
    `discriminator` D_z tells draws of N(0, I) from z ("d_loss"), then the
    encoder, the generator of both codes, fools both (λ·"g_class_loss" +
    λ·"g_loss", non-saturating); semi-supervised classification,
    "classification" = w · the cross-entropy of q(y|x) on the batch's
    labelled images only (its mean over them; 0 in a batch without any).
    As in `AdversarialAutoencoder` the encoder's and decoder's terms are
    summed into one update, after the discriminators' update on the same
    codes; the paper applies the phases as separate SGD updates.

    Data: (images, labels) batches whose labels are class indices in
    [0, num_classes) or `kerasgan.data.UNLABELLED` (-1) for an unlabelled
    image, so `fit()` takes one data set; the reconstruction and the
    regularization read every image, the classification only the labelled
    ones. `kerasgan.data.semi_supervised` serves a labelled minibatch in every
    batch (as the paper's classification phase has), and
    `kerasgan.data.keep_labels` hides all but N labels. Any other label is
    refused after the first step (and by `fit(images, labels)` up front).

    Args:
        num_classes: K, the classes of y (its prior is uniform over them).
        class_names: optional names, accepted by `generate(labels=...)`.
        label_discriminator: a `keras.Model` on class vectors (B, K) -> (B, 1).
        classification_weight: w of the cross-entropy against the other terms.
        **kwargs: the `AdversarialAutoencoder` arguments (`adversarial_weight`
            = λ, `base_filters`, `latent_dim`, the networks; the encoder maps
            images to (B, num_classes + latent_dim), the decoder
            (B, num_classes + latent_dim) to images). The style's prior is
            N(0, I): no prior= arguments.

    Example:
        ```python
        images, labels = kerasgan.data.load_arrays("../shared/data/mnist")
        dataset = kerasgan.data.semi_supervised(images, kerasgan.data.keep_labels(labels, 100, seed=0))
        aae = kerasgan.models.SemiSupervisedAAE(num_classes=10, image_shape=(28, 28, 1))
        aae.compile()
        aae.fit(dataset, epochs=20)
        digits, sevens = aae.classify(images), aae.generate(8, labels=7)
        ```
    """

    data_kind = "partly_labelled_images"
    unlabelled = UNLABELLED

    def __init__(self, num_classes=10, class_names=None, label_discriminator=None, classification_weight=1.0, **kwargs):
        self.init_classes(num_classes, class_names)
        given = [key for key in ("prior", "prior_modes", "prior_radius", "prior_sigma") if key in kwargs]
        if given:
            raise ValueError(
                f"SemiSupervisedAAE's priors are the paper's, Categorical({self.num_classes}) for the class and "
                f"N(0, I) for the style; drop {given[0]}=."
            )
        self.classification_weight = checks.nonnegative(
            "SemiSupervisedAAE", "classification_weight", classification_weight
        )
        self.label_discriminator = label_discriminator  # built in _check_networks, as the encoder
        super().__init__(**kwargs)
        self.add_label_range()

    # ------------------------------------------------------------------ networks
    @property
    def code_size(self):
        return self.num_classes + self.latent_dim

    @property
    def generator_latent_size(self):
        return self.num_classes + self.latent_dim

    def build_generator(self):
        return dcgan_generator(self.generator_latent_size, self.image_shape, self.base_filters)

    def build_encoder(self):
        return bigan_encoder(self.image_shape, self.code_size, self.base_filters)

    def build_label_discriminator(self):
        return point_discriminator(
            self.num_classes, units=(256, 256), input_scale=1.0, orthogonal_gain=None, name="label_discriminator"
        )

    def _check_networks(self):
        if self.label_discriminator is None:
            self.label_discriminator = self.build_label_discriminator()
        super()._check_networks()
        judged = tuple(self.label_discriminator.inputs[0].shape[1:])
        if judged != (self.num_classes,):
            raise ValueError(
                f"SemiSupervisedAAE's label_discriminator judges class vectors ({self.num_classes},); this one takes "
                f"{judged}."
            )

    def discriminator_networks(self):
        return [self.discriminator, self.label_discriminator]

    def loss_names(self):
        return (
            *super().loss_names(),
            "d_class_loss",
            "g_class_loss",
            "classification",
            "d_class_acc_real",
            "d_class_acc_fake",
        )

    def split_code(self, outputs):
        """(class logits (float32), style z) of the encoder's outputs."""
        return ops.cast(outputs[:, : self.num_classes], "float32"), outputs[:, self.num_classes :]

    def generator_inputs(self, latents, condition):
        """The decoder's input [y, z]: the class vectors `condition` (q(y|x), or one-hot) and the styles `latents`."""
        return ops.concatenate([ops.cast(condition, latents.dtype), latents], axis=-1)

    # ------------------------------------------------------------------ the phases
    def sample_classes(self, batch_size):
        """One-hot y' ~ Categorical(num_classes), from the model's seed generator."""
        draws = self.replica_random(
            lambda shape, seed: keras.random.randint(shape, 0, self.num_classes, seed=seed), (batch_size,)
        )
        return ops.one_hot(draws, self.num_classes)

    def step_batch(self, real, labels):
        logits, style = self.split_code(self.encoder(real, training=True))
        classes = ops.softmax(logits)
        reconstruction = self.generator(self.generator_inputs(style, classes), training=True)
        size = ops.shape(real)[0]
        prior = (self.sample_classes(size), self.sample_latents(size))
        return StepBatch(real, reconstruction, Encoding(logits, classes, style, labels), prior)

    def discriminator_objective(self, batch):
        """(terms, metrics) of D_z and D_y: prior draws (`batch.latents`) are real, the codes (`batch.condition`) fake."""
        prior_classes, prior_style = batch.latents
        real_z = self.discriminator(prior_style, training=True)
        fake_z = self.discriminator(batch.condition.style, training=True)
        real_y = self.label_discriminator(prior_classes, training=True)
        fake_y = self.label_discriminator(batch.condition.classes, training=True)
        terms = {
            "d_loss": formulas.discriminator_loss(real_z, fake_z),
            "d_class_loss": formulas.discriminator_loss(real_y, fake_y),
        }
        metrics = {
            "d_acc_real": ops.mean(ops.cast(real_z > 0, "float32")),
            "d_acc_fake": ops.mean(ops.cast(fake_z < 0, "float32")),
            "d_class_acc_real": ops.mean(ops.cast(real_y > 0, "float32")),
            "d_class_acc_fake": ops.mean(ops.cast(fake_y < 0, "float32")),
        }
        return terms, metrics

    def generator_objective(self, batch):
        """(terms, metrics) of E and G: the reconstruction, λ·E fooling D_z and D_y, w·the labelled rows' cross-entropy."""
        codes = batch.condition
        fake_z = self.discriminator(codes.style, training=True)
        fake_y = self.label_discriminator(codes.classes, training=True)
        terms = {
            "reconstruction": ops.mean(ops.square(batch.real - batch.fake)),
            "g_loss": self.adversarial_weight * formulas.non_saturating_generator_loss(fake_z),
            "g_class_loss": self.adversarial_weight * formulas.non_saturating_generator_loss(fake_y),
            "classification": self.classification_weight
            * formulas.labelled_class_loss(codes.logits, codes.labels, UNLABELLED),
        }
        return terms, {}

    # ------------------------------------------------------------------ inference
    def class_probabilities(self, images, batch_size=256):
        """q(y|x) (float32 numpy, (n, num_classes)) of images in [-1, 1], in inference mode."""
        logits = self.encoder_outputs(images, batch_size)[:, : self.num_classes]
        return ops.convert_to_numpy(ops.softmax(ops.convert_to_tensor(logits))).astype("float32")

    def classify(self, images, batch_size=256):
        """argmax_y q(y|x): the class index (int numpy, (n,)) of each image."""
        return np.argmax(self.class_probabilities(images, batch_size), axis=-1)

    def encode(self, images, batch_size=256):
        """The style z of images (float32 numpy, (n, latent_dim)): what D_z matches to N(0, I); `classify` gives y."""
        return self.encoder_outputs(images, batch_size)[:, self.num_classes :]

    def reconstruct(self, images, batch_size=256):
        """G([q(y|x), z]): the images regenerated from their class probabilities and style."""
        outputs = self.encoder_outputs(images, batch_size)
        classes = ops.convert_to_numpy(ops.softmax(ops.convert_to_tensor(outputs[:, : self.num_classes])))
        return self._generate(outputs[:, self.num_classes :], classes, batch_size, use_ema=True)

    def generate(self, n=None, labels=None, latents=None, seed=None, batch_size=256, use_ema=True):
        """Decodes [onehot(label), z]: styles z ~ N(0, I) (numpy RNG with `seed`) or `latents`, for `labels`.

        Args:
            n: number of images.
            labels: one class for all images, or one per image (indices, or
                names from `class_names`); None cycles through the classes.
            latents: explicit styles (n, latent_dim) instead of `n`.
            seed, batch_size, use_ema: as for `GAN.generate`.
        """
        latents = self.latents_for(n, latents, seed)
        onehot = np.eye(self.num_classes, dtype="float32")[self._labels_for(len(latents), labels)]
        return self._generate(latents, onehot, batch_size, use_ema)

    def get_config(self):
        config = {
            **super().get_config(),
            **self.classes_config(),
            "label_discriminator": _SERIALIZE(self.label_discriminator),
            "classification_weight": self.classification_weight,
        }
        for argument in ("prior", "prior_modes", "prior_radius", "prior_sigma"):
            config.pop(argument)
        return config
