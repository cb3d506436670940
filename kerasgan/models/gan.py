"""GAN: Algorithm 1 of Goodfellow et al. (2014), written once, with its tricks plugged in as parts.

One step: sample latents and generate a batch of fakes once; update the
discriminator on the real batch and the fakes; then update the generator by
passing the same fakes through the updated discriminator. The public methods
compute each network's named terms (`discriminator_objective`,
`generator_objective`, the shape of Keras' `compute_loss`); `update_networks`
only generates, sums, applies and logs.

Variants change what the networks are fed and the extra terms of each loss
through small hooks: `unpack_batch`, `sample_latents`, `generator_inputs`,
`discriminator_inputs`, `split_discriminator_output`,
`discriminator_auxiliary_terms`, `generator_auxiliary_terms`,
`build_generator`, `build_discriminator`, `default_optimizers`.
"""

import contextlib

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import parts as parts_lib
from kerasgan.models.base import AdversarialModel
from kerasgan.networks import mlp_discriminator, mlp_generator, point_discriminator, point_generator
from kerasgan.parts import CriticView, StepBatch
from kerasgan.utils import checks

_SERIALIZE = keras.saving.serialize_keras_object


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(AdversarialModel):
    """Generative adversarial network trained with `compile()` / `fit()`.

    Without networks given, builds the fully connected networks of the original
    paper (ReLU generator, maxout discriminator with dropout) for `image_shape`.
    With `d_steps` = k > 1 one step is one outer iteration of the algorithm:
    the batch is split into k minibatches, each a fresh real sample for one
    discriminator update, followed by one generator update.

    Args:
        generator: a `keras.Model` from latents (B, latent_dim) to images
            (B, *image_shape) in [-1, 1]; built from `build_generator` when None.
        discriminator: a `keras.Model` from images to logits (B, 1); built from
            `build_discriminator` when None.
        latent_dim: size of the latent vector z ~ N(0, I).
        image_shape: (height, width, channels) of the images, or (dim,) for a
            GAN of points (see `for_points`: unbounded values, MLPs).
        loss: the adversarial loss, an `AdversarialLoss` or its name:
            "non_saturating" (default), "minimax", "wasserstein", "hinge",
            "least_squares", "relativistic", "feature_matching".
        targets: target transforms of the discriminator's loss, in order
            (`LabelSmoothing`, `LabelNoise`, `LabelFlip`).
        d_steps: discriminator updates per generator update; the batch size
            must be a multiple of it (batch = d_steps × minibatch).
        **kwargs: `regularizers`, `constraints`, `augment`, `ema` and `seed`,
            see `AdversarialModel`.

    Example:
        ```python
        gan = kerasgan.models.GAN(latent_dim=100, image_shape=(28, 28, 1),
                                  targets=[kerasgan.parts.LabelSmoothing(0.1)])
        gan.compile()
        gan.fit(kerasgan.data.load_dataset("mnist"), epochs=50)
        images = gan.generate(16)
        ```

    Reference:
        Goodfellow et al., Generative Adversarial Nets, NeurIPS 2014.
        https://arxiv.org/abs/1406.2661
    """

    #: number of inputs of each network (conditional models also feed labels)
    generator_input_count = 1
    discriminator_input_count = 1
    discriminator_sees_augmented_shape = True

    def __init__(
        self,
        generator=None,
        discriminator=None,
        latent_dim=100,
        image_shape=(28, 28, 1),
        loss="non_saturating",
        targets=None,
        d_steps=1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.latent_dim = checks.positive_int(name, "latent_dim", latent_dim)
        self.image_shape = checks.sample_shape(name, image_shape)
        self.d_steps = checks.positive_int(name, "d_steps", d_steps)
        self.loss = parts_lib.get(loss, "loss")
        self.targets = parts_lib.get_list(targets, "target")
        if self.targets and not self.loss.uses_targets:
            raise ValueError(
                f"{name}: the {self.loss.alias} loss reads no targets, so {type(self.targets[0]).__name__} would "
                "change nothing; drop targets= or use a loss on targets (non_saturating, least_squares, ...)."
            )
        self.generator = generator if generator is not None else self.build_generator()
        self.discriminator = discriminator if discriminator is not None else self.build_discriminator()
        self._check_networks()
        self._features = None
        if self.loss.matches_features:
            self._features = keras.Model(
                self.discriminator.inputs, _last_hidden_layer(self.discriminator), name="discriminator_features"
            )
        self.attach_parts()

    @property
    def generator_latent_size(self):
        """Length of the latent vector the generator takes (InfoGAN appends its codes to z)."""
        return self.latent_dim

    @classmethod
    def for_images(cls, image_shape, latent_dim=100, **kwargs):
        """The variant with its default networks built for `image_shape` (H, W, C)."""
        return cls(image_shape=tuple(image_shape), latent_dim=latent_dim, **kwargs)

    @classmethod
    def for_points(cls, dim=2, latent_dim=256, **kwargs):
        """The variant for points of `dim` coordinates (the 2-D mixtures of `kerasgan.data.points`).

        The default networks are `point_generator` / `point_discriminator`
        (two ReLU layers of 128 units, Metz et al. 2017, whose latent has 256
        dimensions); the points are not range-checked as images are.
        """
        return cls(image_shape=(int(dim),), latent_dim=latent_dim, **kwargs)

    @property
    def points(self):
        """Whether the model generates points (image_shape is (dim,)) rather than images."""
        return len(self.image_shape) == 1

    # ------------------------------------------------------------------ networks and parts
    def build_generator(self):
        """The default generator for this variant (hook for subclasses)."""
        if self.points:
            return point_generator(self.latent_dim, self.image_shape[0])
        return mlp_generator(self.latent_dim, self.image_shape)

    def build_discriminator(self):
        """The default discriminator for this variant (hook for subclasses)."""
        if self.points:
            return point_discriminator(self.seen_shape(self.image_shape)[0])
        return mlp_discriminator(self.seen_shape(self.image_shape))

    def discriminator_networks(self):
        return [self.discriminator]

    def generator_networks(self):
        return [self.generator]

    def parts(self):
        return [self.loss, *self.targets, *super().parts()]

    def loss_names(self):
        return ("d_loss", "g_loss", "d_acc_real", "d_acc_fake", *self.auxiliary_term_names())

    def auxiliary_term_names(self):
        """Names of the terms the discriminator's auxiliary heads add (ACGAN's d_class, ...)."""
        return ()

    @property
    def generator_ema(self):
        """The generator's moving average when the model has `ema=`, else None."""
        return None if self.ema is None else self.ema.average_of(self.generator)

    def _check_networks(self):
        name, g_out = type(self).__name__, self.generator.output_shape
        if isinstance(g_out, list) or len(self.generator.inputs) != self.generator_input_count:
            raise ValueError(
                f"{name} needs a generator with {self.generator_input_count} input(s) and one output; "
                f"this one has {len(self.generator.inputs)} input(s) and "
                f"{len(g_out) if isinstance(g_out, list) else 1} output(s). A generator that takes class labels "
                "belongs to ConditionalGAN or ACGAN."
            )
        self._check_generator_input(tuple(self.generator.inputs[0].shape[1:]))
        if tuple(g_out[1:]) != self.image_shape:
            raise ValueError(
                f"The generator outputs images of shape {g_out[1:]} but image_shape={self.image_shape}; "
                "pass the image_shape the generator was built for."
            )
        if len(self.discriminator.inputs) != self.discriminator_input_count:
            raise ValueError(
                f"{name} needs a discriminator with {self.discriminator_input_count} input(s); "
                f"this one has {len(self.discriminator.inputs)}."
            )
        d_in = self.discriminator.inputs[0].shape
        seen = self.seen_shape(self.image_shape)
        if tuple(d_in[1:]) != seen:
            packed = f" which the augment parts turn into {seen}" if seen != self.image_shape else ""
            raise ValueError(
                f"The discriminator takes inputs of shape {d_in[1:]} but the generator makes "
                f"{self.image_shape}{packed}; build the discriminator for {seen}."
            )

    def _check_generator_input(self, shape):
        """Raises a clear error unless the generator's first input, of `shape`, takes what the model feeds it: latents
        (StackGAN's stage II feeds stage I's images)."""
        if shape != (self.generator_latent_size,):
            raise ValueError(
                f"The generator takes latents of shape {shape} but {type(self).__name__} feeds it "
                f"{self.generator_latent_size} numbers (latent_dim={self.latent_dim}); "
                "pass the latent_dim the generator was built for."
            )

    @property
    def bounded_inputs(self):
        return not self.points  # points have no fixed range, only the NaN/inf check

    # ------------------------------------------------------------------ hooks
    def unpack_batch(self, data):
        """Returns (real_images, condition) from a batch; unconditional: condition None."""
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if y is not None:
            raise ValueError(
                f"{type(self).__name__} is unconditional but the data yields (images, labels) pairs. "
                "Drop the labels (dataset.map(lambda x, y: x)) or use a conditional model."
            )
        return x, None

    def sample_latents(self, batch_size):
        """z ~ N(0, I), drawn from the model's seed generator."""
        return self.replica_random(keras.random.normal, (batch_size, self.latent_dim))

    def generator_inputs(self, latents, condition):
        """What the generator is fed (hook for conditional variants)."""
        return latents

    def discriminator_inputs(self, images, condition):
        """What the discriminator is fed (hook for conditional variants)."""
        return images

    def split_discriminator_output(self, outputs):
        """(adversarial logits, auxiliary outputs or None) from what the discriminator returns."""
        return outputs, None

    def discriminator_auxiliary_terms(self, real_aux, fake_aux, condition, latents):
        """Named terms the discriminator's auxiliary outputs add to its loss (ACGAN, InfoGAN)."""
        return {}

    def generator_auxiliary_terms(self, fake_aux, condition, latents):
        """Named terms the discriminator's auxiliary outputs on fakes add to the generator's loss."""
        return {}

    # ------------------------------------------------------------------ the objectives
    def discriminate(self, images, condition):
        """(logits, auxiliary outputs) of the discriminator in training mode on what it sees of `images` (augmented)."""
        outputs = self.discriminator(self.discriminator_inputs(self.augmented(images), condition), training=True)
        return self.split_discriminator_output(outputs)

    def critic_views(self, batch):
        def critic(images):
            outputs = self.discriminator(
                self.discriminator_inputs(self.unaugmented(images), batch.condition), training=True
            )
            return self.split_discriminator_output(outputs)[0]

        return [CriticView(critic, batch.real, batch.fake)]

    def discriminator_loss(self, real_logits, fake_logits):
        """The adversarial discriminator loss, its targets passed through the `targets` parts."""
        real_targets, fake_targets = 1.0, 0.0
        for part in self.targets:
            real_targets, fake_targets = part.transform(self, real_targets, fake_targets, ops.shape(real_logits))
        return self.loss.discriminator_loss(real_logits, fake_logits, real_targets, fake_targets)

    def discriminator_objective(self, batch):
        """(terms, metrics) of the discriminator on a `StepBatch`: its loss "d_loss", the parts' and heads' terms; accuracies."""
        real_logits, real_aux = self.discriminate(batch.real, batch.condition)
        fake_logits, fake_aux = self.discriminate(batch.fake, batch.condition)
        terms = {"d_loss": self.discriminator_loss(real_logits, fake_logits), **self.part_terms("discriminator", batch)}
        # After the loss: a part that adapts to the logits (BEGAN's k_t) changes the next step's loss, not this one's.
        self.observe_logits(real_logits, fake_logits)
        terms.update(self.discriminator_auxiliary_terms(real_aux, fake_aux, batch.condition, batch.latents))
        metrics = {
            "d_acc_real": ops.mean(ops.cast(real_logits > 0, "float32")),
            "d_acc_fake": ops.mean(ops.cast(fake_logits < 0, "float32")),
        }
        return terms, metrics

    def generator_objective(self, batch):
        """(terms, metrics) of the generator on a `StepBatch`: its adversarial loss "g_loss", the heads' and parts' terms."""
        if self.loss.matches_features:
            real = self._features(self.discriminator_inputs(self.augmented(batch.real), batch.condition), training=True)
            fake = self._features(self.discriminator_inputs(self.augmented(batch.fake), batch.condition), training=True)
            terms = {"g_loss": self.loss.generator_loss(real, fake)}
        else:
            fake_logits, fake_aux = self.discriminate(batch.fake, batch.condition)
            real_logits = self.discriminate(batch.real, batch.condition)[0] if self.loss.needs_real_logits else None
            terms = {"g_loss": self.loss.generator_loss(fake_logits, real_logits)}
            terms.update(self.generator_auxiliary_terms(fake_aux, batch.condition, batch.latents))
        return {**terms, **self.part_terms("generator", batch)}, {}

    # ------------------------------------------------------------------ training
    def update_networks(self, data):
        real, condition = self.unpack_batch(data)
        if self.points:
            real = self.check_points(real, self.image_shape[0])
        else:
            real = self.check_images(real, self.image_shape)
        self.record_input_range(real)
        # One fit() step is one iteration of Algorithm 1's outer loop: with
        # d_steps = k the batch is split into k minibatches, each a fresh real
        # sample for one discriminator update; the last one's fakes then serve
        # the generator update. (No tf.cond: a synchronization point such as an
        # optimizer update inside control flow fails under tf.distribute.)
        reals = self._split(real)
        conditions = self._split(condition) if condition is not None else [None] * self.d_steps
        for i in range(self.d_steps):
            self._step(reals[i], conditions[i], update_generator=i == self.d_steps - 1)

    def _step(self, real, condition, update_generator):
        # The fakes are generated once; the generator's tape stays open so the
        # same forward pass serves its own update after the discriminator's.
        g_tape = tf.GradientTape() if update_generator else None
        with g_tape or contextlib.nullcontext():
            batch = self.step_batch(real, condition)
        with tf.GradientTape() as d_tape:
            d_terms, d_metrics = self.discriminator_objective(batch)
        self.update("discriminator", d_tape, d_terms, d_metrics)
        if update_generator:
            with g_tape:
                g_terms, g_metrics = self.generator_objective(batch)
            self.update("generator", g_tape, g_terms, g_metrics)

    def step_batch(self, real, condition):
        """The step's forward pass (run under the generator's tape): a `StepBatch` both objectives read."""
        latents = self.sample_latents(ops.shape(real)[0])
        fake = self.generator(self.generator_inputs(latents, condition), training=True)
        return StepBatch(real, fake, condition, latents)

    def check_batch_size(self, batch_size):
        if batch_size is not None and batch_size % self.d_steps:
            raise ValueError(
                f"With d_steps={self.d_steps} each batch is split into {self.d_steps} discriminator minibatches, "
                f"but the batch size {batch_size} is not a multiple of {self.d_steps}. Use a batch size of "
                f"{self.d_steps} × the minibatch size."
            )

    def _split(self, tensor):
        if self.d_steps == 1:
            return [tensor]
        self.check_batch_size(tensor.shape[0])
        if tensor.shape[0] is None:
            # A smaller last batch (arrays without drop_remainder) loses the
            # few samples that do not fill a minibatch.
            tensor = tensor[: ops.shape(tensor)[0] // self.d_steps * self.d_steps]
        # Strided (sample j goes to minibatch j mod k) rather than contiguous,
        # so that under tf.distribute, where each replica holds a contiguous
        # slice of the global batch, minibatch i holds the same samples as on
        # one device.
        strided = ops.reshape(tensor, (-1, self.d_steps, *tensor.shape[1:]))
        return [strided[:, i] for i in range(self.d_steps)]

    # ------------------------------------------------------------------ sampling
    def call(self, latents, training=False):
        generator = self.generator if training else self.sampling_network(self.generator)
        return generator(latents, training=training)

    def generate(self, n=None, latents=None, seed=None, batch_size=256, use_ema=True):
        """Generates images (float32 NHWC numpy array in [-1, 1]) in inference mode.

        Samples come from the generator's moving average when the model has
        `ema=` (and `use_ema`), else from the generator itself.

        Args:
            n: number of images, with latents drawn from N(0, I) (numpy RNG with
                `seed`, so sampling never disturbs the training random stream).
            latents: explicit latents of shape (n, latent_dim), instead of `n`.
            seed: seed for the latents drawn when `latents` is None.
            batch_size: images generated per forward pass.
        """
        return self._generate(self.latents_for(n, latents, seed), None, batch_size, use_ema)

    def latents_for(self, n, latents=None, seed=None):
        """`latents` checked, or `n` latents drawn from N(0, I) with a numpy RNG seeded by `seed`."""
        if latents is None:
            if n is None:
                raise ValueError("generate() needs the number of images n or explicit latents.")
            latents = np.random.default_rng(seed).standard_normal((int(n), self.latent_dim))
        latents = np.asarray(latents, dtype="float32")
        if latents.ndim != 2 or latents.shape[1] != self.latent_dim:
            raise ValueError(f"latents must have shape (n, {self.latent_dim}); got {latents.shape}.")
        if n is not None and len(latents) != n:
            raise ValueError(f"Got n={n} but {len(latents)} latents; pass one or the other.")
        return latents

    def sampling_inputs(self, latents, condition, use_ema):
        """The generator's inputs when sampling (`generate`): `generator_inputs`, unless a model conditions its
        generator through a network of its own that the moving average also covers (GAN-CLS's CA network)."""
        return self.generator_inputs(latents, condition)

    def _generate(self, latents, condition, batch_size, use_ema):
        """Images from numpy `latents` and per-sample `condition` (or None), `batch_size` at a time."""
        from kerasgan.utils.progress import progress_bar

        generator = self.sampling_network(self.generator) if use_ema else self.generator
        bar = progress_bar(len(latents), label=f"Generating {len(latents)} images")  # silent for a few
        chunks = []
        for i in range(0, len(latents), batch_size):
            part = None if condition is None else ops.convert_to_tensor(condition[i : i + batch_size])
            inputs = self.sampling_inputs(ops.convert_to_tensor(latents[i : i + batch_size]), part, use_ema)
            chunks.append(keras.ops.convert_to_numpy(generator(inputs, training=False)))
            bar.add(len(chunks[-1]))
        if not chunks:
            return np.zeros((0, *self.image_shape), "float32")
        return np.concatenate(chunks).astype("float32")

    def grid_samples(self, latents):
        """(images, columns) of a training-progress grid from fixed `latents`; columns None: near-square.

        `ImageGrid` calls this; conditional models lay out one row per class.
        """
        return self.generate(latents=latents), None

    # ------------------------------------------------------------------ saving
    def get_config(self):
        return {
            **super().get_config(),
            "generator": _SERIALIZE(self.generator),
            "discriminator": _SERIALIZE(self.discriminator),
            "latent_dim": self.latent_dim,
            "image_shape": list(self.image_shape),
            "loss": _SERIALIZE(self.loss),
            "targets": [_SERIALIZE(p) for p in self.targets],
            "d_steps": self.d_steps,
        }


def _last_hidden_layer(discriminator):
    """The features the logit is computed from: the input of the layer named "logit", else of the last layer."""
    try:
        return discriminator.get_layer("logit").input
    except ValueError:
        if len(discriminator.outputs) != 1:
            raise ValueError(
                "FeatureMatching needs to find the discriminator's last hidden layer: name its logit layer 'logit'."
            ) from None
        return discriminator.layers[-2].output
