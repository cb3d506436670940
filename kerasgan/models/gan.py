"""The GAN base class: Algorithm 1 of Goodfellow et al. (2014), written once.

Variants change the procedure through small hooks instead of copying
`train_step`:

- `unpack_batch(data)`: what a batch holds (images, or images and a condition);
- `sample_latents(batch_size)`, `generator_inputs(latents, condition)` and
  `discriminator_inputs(images, condition)`: what the networks are fed;
- `discriminator_loss(real_logits, fake_logits)` and
  `generator_loss(fake_logits, real_logits)` (real logits only for losses that
  need them, the relativistic ones);
- `discriminator_terms(real, fake, condition)`: extra named terms (a gradient
  penalty, ...) added to the discriminator loss and logged under their names;
- `split_discriminator_output(outputs)`, `discriminator_auxiliary_terms(...)`
  and `generator_auxiliary_terms(...)`: for discriminators with extra heads
  (ACGAN's classifier, InfoGAN's Q network), the extra outputs and the named
  terms they add to each network's loss;
- `after_discriminator_update()`: e.g. WGAN's weight clipping;
- `d_steps`: discriminator updates per generator update;
- `default_optimizers()`: the paper's optimizers, used by a bare `compile()`.
"""

import contextlib
import copy
import warnings

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import augment
from kerasgan import losses as losses_lib
from kerasgan.losses import penalties
from kerasgan.models.base import AdversarialModel
from kerasgan.networks import mlp_discriminator, mlp_generator

_SERIALIZE = keras.saving.serialize_keras_object
_DESERIALIZE = keras.saving.deserialize_keras_object


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(AdversarialModel):
    """Generative adversarial network trained with `compile()` / `fit()`.

    Without networks given, builds the fully connected networks of the original
    paper (ReLU generator, maxout discriminator with dropout) for `image_shape`.

    Each step (Algorithm 1): sample latents and generate a batch of fakes once;
    update the discriminator on the real batch and the fakes; then update the
    generator by passing the same fakes through the updated discriminator. With
    `d_steps` = k > 1 one step is one outer iteration of the algorithm: the
    batch is split into k minibatches, each a fresh real sample for one
    discriminator update, followed by one generator update.

    Args:
        generator: a `keras.Model` from latents (B, latent_dim) to images
            (B, *image_shape) in [-1, 1]; built from `build_generator` when None.
        discriminator: a `keras.Model` from images to logits (B, 1); built from
            `build_discriminator` when None.
        latent_dim: size of the latent vector z ~ N(0, I).
        image_shape: (height, width, channels) of the images.
        loss: "non_saturating" (default), "minimax" (the paper's saturating
            generator loss), or a pair of functions, see `kerasgan.losses.get`.
        label_smoothing: one-sided label smoothing α: real targets are 1 - α
            (Salimans et al. 2016). 0 disables it.
        label_noise: σ ≥ 0; real targets are lowered and fake targets raised by
            σ·U(0, 1), independently per sample. 0 disables it.
        label_flip: fraction of discriminator targets swapped between real
            and fake, per sample (a label-noise trick from the GAN courses).
        instance_noise: σ₀ of Gaussian noise added to every discriminator
            input, annealed linearly to 0 over `instance_noise_steps`
            generator steps (Sønderby et al. 2016; Arjovsky & Bottou 2017).
        gradient_penalty: λ of the WGAN-GP penalty E[(‖∇D(x̂)‖ - 1)²] at random
            interpolates x̂ (Gulrajani et al. 2017); logged as "gp".
        gp_one_sided: penalize only norms above 1 (Petzka et al. 2018).
        r1_gamma: γ of the R1 penalty γ/2·E[‖∇D(x)‖²] on real data
            (Mescheder et al. 2018); logged as "r1".
        r1_interval: lazy regularization: R1 on every k-th discriminator step,
            weighted by k (Karras et al. 2020).
        dragan: λ of the DRAGAN penalty at perturbed real data (Kodali et al. 2017).
        clip_value: c of WGAN weight clipping: after every discriminator
            update each weight is clipped to [-c, c] (Arjovsky et al. 2017).
        diff_augment: a DiffAugment policy such as "color,translation,cutout":
            the same kind of random differentiable augmentation is applied to
            real and generated images before the discriminator, in both
            networks' updates (Zhao et al. 2020); for small data sets.
        feature_matching: the generator matches the batch mean of the
            discriminator's last hidden layer on real data instead of
            maximizing its output (Salimans et al. 2016); needs a functional
            discriminator whose last layer is the logit.
        historical_averaging: λ of ‖θ - θ̄‖², added to each network's loss, θ̄
            the running mean of its past weights (Salimans et al. 2016);
            logged as "hist_d" and "hist_g".
        ema_decay: β of an exponential moving average of the generator's
            weights (BatchNorm statistics included), updated after every
            generator step, θ_ema ← β·θ_ema + (1 - β)·θ; `generate()` samples
            from it. None disables it. (Yazıcı et al. 2019; Karras et al. 2018.)
        d_steps: discriminator updates per generator update; the batch size
            must be a multiple of it (batch = d_steps × minibatch).
        seed: seed of the model's random stream (latents, label noise).

    Example:
        ```python
        gan = kerasgan.models.GAN(latent_dim=100, image_shape=(28, 28, 1))
        gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
        gan.fit(kerasgan.data.load_dataset("mnist"), epochs=50)
        images = gan.generate(16)
        ```

    Reference:
        Goodfellow et al., Generative Adversarial Nets, NeurIPS 2014.
        https://arxiv.org/abs/1406.2661
    """

    def __init__(
        self,
        generator=None,
        discriminator=None,
        latent_dim=100,
        image_shape=(28, 28, 1),
        loss="non_saturating",
        label_smoothing=0.0,
        label_noise=0.0,
        label_flip=0.0,
        instance_noise=0.0,
        instance_noise_steps=10_000,
        gradient_penalty=0.0,
        gp_one_sided=False,
        r1_gamma=0.0,
        r1_interval=1,
        dragan=0.0,
        clip_value=None,
        diff_augment=None,
        feature_matching=False,
        historical_averaging=0.0,
        ema_decay=None,
        d_steps=1,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.latent_dim = int(latent_dim)
        self.image_shape = tuple(int(s) for s in image_shape)
        if len(self.image_shape) != 3:
            raise ValueError(f"image_shape must be (height, width, channels); got {image_shape!r}.")
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1); got {label_smoothing}.")
        if label_noise < 0.0:
            raise ValueError(f"label_noise must be >= 0; got {label_noise}.")
        if int(d_steps) < 1:
            raise ValueError(f"d_steps must be a positive integer; got {d_steps}.")
        if int(r1_interval) < 1:
            raise ValueError(f"r1_interval must be a positive integer; got {r1_interval}.")
        if not 0.0 <= label_flip < 0.5:
            raise ValueError(f"label_flip is the fraction of flipped labels, in [0, 0.5); got {label_flip}.")
        for name, value in (
            ("instance_noise", instance_noise),
            ("gradient_penalty", gradient_penalty),
            ("r1_gamma", r1_gamma),
            ("dragan", dragan),
            ("historical_averaging", historical_averaging),
        ):
            if value < 0:
                raise ValueError(f"{name} must be >= 0; got {value}.")
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1) (e.g. 0.999) or None; got {ema_decay}.")
        if clip_value is not None and not clip_value > 0:
            raise ValueError(f"clip_value must be a positive number or None; got {clip_value}.")
        self.loss_name = loss
        self._d_loss_fn, self._g_loss_fn = losses_lib.get(loss)
        self.label_smoothing = float(label_smoothing)
        self.label_noise = float(label_noise)
        self.label_flip = float(label_flip)
        self.instance_noise = float(instance_noise)
        self.instance_noise_steps = int(instance_noise_steps)
        self.gradient_penalty = float(gradient_penalty)
        self.gp_one_sided = bool(gp_one_sided)
        self.r1_gamma = float(r1_gamma)
        self.r1_interval = int(r1_interval)
        self.dragan = float(dragan)
        self.clip_value = None if clip_value is None else float(clip_value)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.diff_augment = diff_augment
        self.feature_matching = bool(feature_matching)
        self.historical_averaging = float(historical_averaging)
        if diff_augment:
            augment.parse_policy(diff_augment)  # a bad policy fails here, not in fit()
        self.d_steps = int(d_steps)
        self.seed = seed

        self.generator = generator if generator is not None else self.build_generator()
        self.discriminator = discriminator if discriminator is not None else self.build_discriminator()
        self._check_networks()
        self._discriminator_features = None
        if self.feature_matching:
            self._discriminator_features = keras.Model(
                self.discriminator.inputs, _last_hidden_layer(self.discriminator), name="discriminator_features"
            )
        self._history = {}
        if self.historical_averaging:
            # θ̄ of each network: the running mean of its weights after every update.
            for key, network in (("d", self.discriminator), ("g", self.generator)):
                self._history[key] = [
                    self.add_weight(shape=w.shape, initializer="zeros", trainable=False, name=f"hist_{key}_{i}")
                    for i, w in enumerate(network.trainable_weights)
                ]
        self.generator_ema = None
        if self.ema_decay:
            self.generator_ema = keras.models.clone_model(self.generator)
            self.generator_ema.set_weights(self.generator.get_weights())
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Min and max of the last real batch, read after the first step of fit()
        # to reject data in the wrong range (e.g. 0-255) with a clear message.
        self._input_range = self.add_weight(
            shape=(2,), initializer="zeros", trainable=False, name="input_range", aggregation="only_first_replica"
        )
        self.d_optimizer = None
        self.g_optimizer = None
        self._trackers = {}
        self.built = True

    #: whether fit() takes (images, labels) batches (ConditionalGAN, ACGAN)
    uses_labels = False
    #: number of inputs of each network (conditional models also feed labels)
    generator_input_count = 1
    discriminator_input_count = 1

    @property
    def generator_latent_size(self):
        """Length of the latent vector the generator takes (InfoGAN appends its codes to z)."""
        return self.latent_dim

    @classmethod
    def for_images(cls, image_shape, latent_dim=100, **kwargs):
        """The variant with its default networks built for `image_shape` (H, W, C)."""
        return cls(image_shape=tuple(image_shape), latent_dim=latent_dim, **kwargs)

    # ------------------------------------------------------------------ networks
    def build_generator(self):
        """The default generator for this variant (hook for subclasses)."""
        return mlp_generator(self.latent_dim, self.image_shape)

    def build_discriminator(self):
        """The default discriminator for this variant (hook for subclasses)."""
        return mlp_discriminator(self.image_shape)

    def _check_networks(self):
        g_out = self.generator.output_shape
        if isinstance(g_out, list) or len(self.generator.inputs) != self.generator_input_count:
            raise ValueError(
                f"{type(self).__name__} needs a generator with {self.generator_input_count} input(s) and one output; "
                f"this one has {len(self.generator.inputs)} input(s) and "
                f"{len(g_out) if isinstance(g_out, list) else 1} output(s). A generator that takes class labels "
                "belongs to ConditionalGAN or ACGAN."
            )
        g_in = tuple(self.generator.inputs[0].shape[1:])
        if g_in != (self.generator_latent_size,):
            raise ValueError(
                f"The generator takes latents of shape {g_in} but {type(self).__name__} feeds it "
                f"{self.generator_latent_size} numbers (latent_dim={self.latent_dim}); "
                "pass the latent_dim the generator was built for."
            )
        if tuple(g_out[1:]) != self.image_shape:
            raise ValueError(
                f"The generator outputs images of shape {g_out[1:]} but image_shape={self.image_shape}; "
                "pass the image_shape the generator was built for."
            )
        if len(self.discriminator.inputs) != self.discriminator_input_count:
            raise ValueError(
                f"{type(self).__name__} needs a discriminator with {self.discriminator_input_count} input(s); "
                f"this one has {len(self.discriminator.inputs)}."
            )
        d_in = self.discriminator.inputs[0].shape
        if tuple(d_in[1:]) != self.image_shape:
            raise ValueError(
                f"The discriminator takes inputs of shape {d_in[1:]} but the generator makes {self.image_shape}."
            )

    # ------------------------------------------------------------------ compile
    # ------------------------------------------------------------------ optimizers
    def d_variables(self):
        return self.discriminator.trainable_variables

    def g_variables(self):
        return self.generator.trainable_variables

    def logged_names(self):
        return ("d_loss", "g_loss", "d_acc_real", "d_acc_fake", *self.discriminator_term_names(), *self.generator_term_names())

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

    def replica_random(self, sampler, shape):
        """Draws `sampler(shape, seed=...)` from the model's seed generator, the same under tf.distribute.

        Each replica draws the numbers for the whole global batch and keeps its
        own slice, so N replicas see exactly the numbers one device would.
        """
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if replicas == 1:
            return sampler(shape, seed=self.seed_generator)
        batch = shape[0]
        values = sampler((batch * replicas, *shape[1:]), seed=self.seed_generator)
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        return values[replica * batch : (replica + 1) * batch]

    def generator_inputs(self, latents, condition):
        """What the generator is fed (hook for conditional variants)."""
        return latents

    def discriminator_inputs(self, images, condition):
        """What the discriminator is fed (hook for conditional variants)."""
        return images

    def discriminator_loss(self, real_logits, fake_logits):
        """Adversarial discriminator loss, with label smoothing / noise / flips when enabled."""
        real_targets, fake_targets = 1.0 - self.label_smoothing, 0.0
        shape = ops.shape(real_logits)
        if self.label_noise:
            real_targets = real_targets - self.label_noise * self.replica_random(keras.random.uniform, shape)
            fake_targets = self.label_noise * self.replica_random(keras.random.uniform, shape)
        if self.label_flip:
            real_targets = ops.broadcast_to(ops.cast(real_targets, "float32"), shape)
            fake_targets = ops.broadcast_to(ops.cast(fake_targets, "float32"), shape)
            flip = self.replica_random(keras.random.uniform, shape) < self.label_flip
            real_targets, fake_targets = ops.where(flip, fake_targets, real_targets), ops.where(flip, real_targets, fake_targets)
        return self._d_loss_fn(real_logits, fake_logits, real_targets, fake_targets)

    def generator_loss(self, fake_logits, real_logits=None):
        """Adversarial generator loss; `real_logits` are given when the loss needs them (relativistic)."""
        return self._g_loss_fn(fake_logits, real_logits)

    @property
    def generator_loss_needs_real(self):
        return getattr(self._g_loss_fn, "needs_real_logits", False)

    def discriminator_term_names(self):
        """Names of the extra terms `discriminator_terms` returns (each gets a logged tracker)."""
        enabled = (("gp", self.gradient_penalty), ("r1", self.r1_gamma), ("dragan", self.dragan))
        names = tuple(name for name, weight in enabled if weight)
        return names + (("hist_d",) if self.historical_averaging else ())

    def generator_term_names(self):
        """Names of the extra terms of the generator's loss (each gets a logged tracker)."""
        return ("hist_g",) if self.historical_averaging else ()

    def split_discriminator_output(self, outputs):
        """(adversarial logits, auxiliary outputs or None) from what the discriminator returns."""
        return outputs, None

    def discriminator_auxiliary_terms(self, real_aux, fake_aux, condition, latents):
        """Named terms the discriminator's auxiliary outputs add to its loss (ACGAN, InfoGAN)."""
        return {}

    def generator_auxiliary_terms(self, fake_aux, condition, latents):
        """Named terms the discriminator's auxiliary outputs on fakes add to the generator's loss."""
        return {}

    def discriminator_terms(self, real_images, fake_images, condition):
        """Extra named scalars added to the discriminator loss: the enabled penalties, weighted."""
        def critic(images):
            outputs = self.discriminator(self.discriminator_inputs(images, condition), training=True)
            return self.split_discriminator_output(outputs)[0]

        # Mixed float16: the penalties' inner gradient is loss-scaled like the outer one.
        scale = getattr(self.d_optimizer, "dynamic_scale", None)
        scale = 1.0 if scale is None else ops.cast(scale, "float32")
        terms = {}
        batch = ops.shape(real_images)[0]
        if self.gradient_penalty:
            # One interpolation weight per sample, uniform in [0, 1].
            epsilon = self.replica_random(keras.random.uniform, (batch, 1, 1, 1))
            gp = penalties.gradient_penalty(
                critic, real_images, fake_images, epsilon, one_sided=self.gp_one_sided, scale=scale
            )
            terms["gp"] = self.gradient_penalty * gp
        if self.r1_gamma:
            weight = 0.5 * self.r1_gamma * self.r1_interval
            if self.r1_interval == 1:
                terms["r1"] = weight * penalties.r1_penalty(critic, real_images, scale=scale)
            else:
                due = ops.equal(self.d_optimizer.iterations % self.r1_interval, 0)
                terms["r1"] = ops.cond(
                    due,
                    lambda: weight * penalties.r1_penalty(critic, real_images, scale=scale),
                    lambda: ops.zeros((), "float32"),
                )
        if self.dragan:
            # δ = 0.5·std(x)·U(0, 1), std over the global batch.
            mean = losses_lib.global_batch_mean(real_images)
            std = ops.sqrt(ops.maximum(losses_lib.global_batch_mean(ops.square(real_images)) - mean**2, 0.0))
            delta = 0.5 * std * self.replica_random(keras.random.uniform, ops.shape(real_images))
            terms["dragan"] = self.dragan * penalties.dragan_penalty(critic, real_images, delta, scale=scale)
        if self._history:
            terms["hist_d"] = self._historical_term("d")
        return terms

    def _historical_term(self, key):
        network = self.discriminator if key == "d" else self.generator
        return self.historical_averaging * sum(
            ops.sum(ops.square(w - average)) for w, average in zip(network.trainable_weights, self._history[key])
        )

    def _update_history(self, key):
        if not self._history:
            return
        optimizer = self.d_optimizer if key == "d" else self.g_optimizer
        count = ops.cast(optimizer.iterations, "float32")  # updates so far, this one included
        network = self.discriminator if key == "d" else self.generator
        for w, average in zip(network.trainable_weights, self._history[key]):
            average.assign(average + (w - average) / count)

    def after_discriminator_update(self):
        """Runs after every discriminator update: WGAN weight clipping when enabled."""
        if self.clip_value:
            for w in self.discriminator.trainable_variables:
                w.assign(ops.clip(w, -self.clip_value, self.clip_value))

    def _discriminator_view(self, images, condition):
        """What the discriminator sees: `discriminator_inputs`, after DiffAugment and instance noise when enabled."""
        if self.diff_augment:
            images = augment.diff_augment(images, self.diff_augment, sampler=self.replica_random)
        if self.instance_noise:
            progress = ops.cast(self.g_optimizer.iterations, "float32") / self.instance_noise_steps
            sigma = self.instance_noise * ops.maximum(1.0 - progress, 0.0)
            images = images + sigma * self.replica_random(keras.random.normal, ops.shape(images))
        return self.discriminator_inputs(images, condition)

    # ------------------------------------------------------------------ training
    def train_step(self, data):
        with self.waiting_for(data):  # no op of the step runs without a batch
            real, condition = self.unpack_batch(data)
            real = self._check_images(real)
            self._input_range.assign(ops.stack([ops.min(real), ops.max(real)]))
            # One fit() step is one iteration of Algorithm 1's outer loop: with
            # d_steps = k the batch is split into k minibatches, each a fresh real
            # sample for one discriminator update; the last one's fakes then serve
            # the generator update. (No tf.cond: a synchronization point such as an
            # optimizer update inside control flow fails under tf.distribute.)
            reals = self._split(real)
            conditions = self._split(condition) if condition is not None else [None] * self.d_steps
            for i in range(self.d_steps):
                self._step(reals[i], conditions[i], update_generator=i == self.d_steps - 1)
        return self.logs()

    def _check_batch_size(self, batch_size):
        if batch_size is not None and batch_size % self.d_steps:
            raise ValueError(
                f"With d_steps={self.d_steps} each batch is split into {self.d_steps} discriminator minibatches, "
                f"but the batch size {batch_size} is not a multiple of {self.d_steps}. Use a batch size of "
                f"{self.d_steps} × the minibatch size."
            )

    def _split(self, tensor):
        if self.d_steps == 1:
            return [tensor]
        self._check_batch_size(tensor.shape[0])
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

    def _step(self, real, condition, update_generator):
        batch_size = ops.shape(real)[0]
        latents = self.sample_latents(batch_size)
        g_inputs = self.generator_inputs(latents, condition)
        # The fakes are generated once; the generator's tape stays open so the
        # same forward pass serves its own update after the discriminator's.
        g_tape = tf.GradientTape() if update_generator else None
        with g_tape or contextlib.nullcontext():
            fake = self.generator(g_inputs, training=True)
        self._update_discriminator(real, fake, condition, latents)
        if update_generator:
            with g_tape:
                if self.feature_matching:
                    features = self._discriminator_features
                    g_loss = losses_lib.feature_matching_loss(
                        features(self._discriminator_view(real, condition), training=True),
                        features(self._discriminator_view(fake, condition), training=True),
                    )
                    terms = {}
                else:
                    fake_logits, fake_aux = self._discriminate(fake, condition)
                    real_logits = None
                    if self.generator_loss_needs_real:
                        real_logits, _ = self._discriminate(real, condition)
                    g_loss = self.generator_loss(fake_logits, real_logits)
                    terms = self.generator_auxiliary_terms(fake_aux, condition, latents)
                if self._history:
                    terms["hist_g"] = self._historical_term("g")
                total = g_loss + sum(terms.values()) if terms else g_loss
            self.apply_update(g_tape, total, self.g_variables(), self.g_optimizer)
            self._update_history("g")
            self._trackers["g_loss"].update_state(g_loss)
            for name, value in terms.items():
                self._trackers[name].update_state(value)
            if self.generator_ema is not None:
                self._update_ema()

    def _discriminate(self, images, condition):
        """(logits, auxiliary outputs) of the discriminator in training mode on what it sees of `images`."""
        return self.split_discriminator_output(
            self.discriminator(self._discriminator_view(images, condition), training=True)
        )

    def _update_ema(self):
        decay = self.ema_decay
        for average, weight in zip(self.generator_ema.weights, self.generator.weights):
            average.assign(decay * average + (1.0 - decay) * ops.cast(weight, average.dtype))

    def _update_discriminator(self, real, fake, condition, latents):
        with tf.GradientTape() as tape:
            real_logits, real_aux = self._discriminate(real, condition)
            fake_logits, fake_aux = self._discriminate(fake, condition)
            d_loss = self.discriminator_loss(real_logits, fake_logits)
            terms = {
                **self.discriminator_terms(real, fake, condition),
                **self.discriminator_auxiliary_terms(real_aux, fake_aux, condition, latents),
            }
            total = d_loss + sum(terms.values()) if terms else d_loss
        self.apply_update(tape, total, self.d_variables(), self.d_optimizer)
        self.after_discriminator_update()
        self._update_history("d")
        self._trackers["d_loss"].update_state(d_loss)
        self._trackers["d_acc_real"].update_state(ops.mean(ops.cast(real_logits > 0, "float32")))
        self._trackers["d_acc_fake"].update_state(ops.mean(ops.cast(fake_logits < 0, "float32")))
        for name, value in terms.items():
            self._trackers[name].update_state(value)

    def _check_images(self, real):
        if isinstance(real, dict) or isinstance(real, (tuple, list)):
            raise ValueError(
                f"{type(self).__name__} expects batches of images, got a {type(real).__name__}; "
                "yield plain image tensors of shape (batch, height, width, channels)."
            )
        dtype = keras.backend.standardize_dtype(real.dtype)
        if "float" not in dtype:
            raise TypeError(
                f"fit() received images of dtype {dtype}; kerasgan expects float32 images in [-1, 1]. "
                "Scale 0-255 images with x / 127.5 - 1, or load them with kerasgan.data.from_array / load_dataset."
            )
        shape = tuple(real.shape[1:])
        if len(shape) != 3 or any(s is not None and s != e for s, e in zip(shape, self.image_shape)):
            hint = ""
            if len(shape) == 3 and shape[-1] is not None and shape[-1] != self.image_shape[-1]:
                hint = (
                    f" The channel count differs ({shape[-1]} vs {self.image_shape[-1]}): load the data with "
                    f"channels={self.image_shape[-1]} or build the model for {shape[-1]} channels."
                )
            raise ValueError(
                f"fit() received images of shape {shape} but {type(self).__name__} was built for "
                f"{self.image_shape} (NHWC).{hint}"
            )
        return ops.cast(real, "float32")

    def fit(self, x=None, *args, callbacks=None, **kwargs):
        if self.d_optimizer is None:
            raise RuntimeError(f"Call {type(self).__name__}.compile(d_optimizer=..., g_optimizer=...) before fit().")
        self._check_batch_size(kwargs.get("batch_size"))
        callbacks = list(callbacks or []) + [_InputRangeCheck()]
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)  # a Dataset shuffles itself; Keras warns otherwise
        elif isinstance(x, np.ndarray) and not args and kwargs.get("y") is None:
            # Full batches only, as kerasgan.data's pipelines give: a smaller
            # last batch would retrace the step and could leave a d_steps
            # minibatch empty.
            batch_size = kwargs.get("batch_size") or 32
            if len(x) >= batch_size:
                x = x[: len(x) // batch_size * batch_size]
        return super().fit(x, *args, callbacks=callbacks, **kwargs)

    # ------------------------------------------------------------------ sampling
    def call(self, latents, training=False):
        if not training and self.generator_ema is not None:
            return self.generator_ema(latents, training=False)
        return self.generator(latents, training=training)

    def generate(self, n=None, latents=None, seed=None, batch_size=256, use_ema=True):
        """Generates images (float32 NHWC numpy array in [-1, 1]) in inference mode.

        Samples come from the generator's moving average when `ema_decay` is
        set (and `use_ema`), else from the generator itself.

        Args:
            n: number of images, with latents drawn from N(0, I) (numpy RNG with
                `seed`, so sampling never disturbs the training random stream).
            latents: explicit latents of shape (n, latent_dim), instead of `n`.
            seed: seed for the latents drawn when `latents` is None.
            batch_size: images generated per forward pass.
        """
        latents = self._latents_for(n, latents, seed)
        return self._generate(latents, None, batch_size, use_ema)

    def _latents_for(self, n, latents, seed):
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

    def _generate(self, latents, condition, batch_size, use_ema):
        """Images from numpy `latents` and per-sample `condition` (or None), `batch_size` at a time."""
        generator = self.generator_ema if use_ema and self.generator_ema is not None else self.generator
        chunks = []
        for i in range(0, len(latents), batch_size):
            part = None if condition is None else ops.convert_to_tensor(condition[i : i + batch_size])
            inputs = self.generator_inputs(ops.convert_to_tensor(latents[i : i + batch_size]), part)
            chunks.append(keras.ops.convert_to_numpy(generator(inputs, training=False)))
        if not chunks:
            return np.zeros((0, *self.image_shape), "float32")
        return np.concatenate(chunks).astype("float32")

    def check_labels_seen(self):
        """Raises a clear error when fit() was fed labels the model cannot take (conditional models)."""

    def grid_samples(self, latents):
        """(images, columns) of a training-progress grid from fixed `latents`; columns None: near-square.

        `ImageGrid` calls this; conditional models lay out one row per class.
        """
        return self.generate(latents=latents), None

    # ------------------------------------------------------------------ saving
    def get_config(self):
        config = super().get_config()
        loss = self.loss_name
        if not isinstance(loss, str):
            loss = [_SERIALIZE(f) for f in loss]
        config.update(
            generator=_SERIALIZE(self.generator),
            discriminator=_SERIALIZE(self.discriminator),
            latent_dim=self.latent_dim,
            image_shape=list(self.image_shape),
            loss=loss,
            label_smoothing=self.label_smoothing,
            label_noise=self.label_noise,
            label_flip=self.label_flip,
            instance_noise=self.instance_noise,
            instance_noise_steps=self.instance_noise_steps,
            gradient_penalty=self.gradient_penalty,
            gp_one_sided=self.gp_one_sided,
            r1_gamma=self.r1_gamma,
            r1_interval=self.r1_interval,
            dragan=self.dragan,
            clip_value=self.clip_value,
            diff_augment=self.diff_augment,
            feature_matching=self.feature_matching,
            historical_averaging=self.historical_averaging,
            ema_decay=self.ema_decay,
            d_steps=self.d_steps,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # deserialization consumes the nested dicts
        for key in ("generator", "discriminator"):
            if isinstance(config.get(key), dict):
                config[key] = _DESERIALIZE(config[key])
        if isinstance(config.get("loss"), list):
            config["loss"] = tuple(_DESERIALIZE(f) for f in config["loss"])
        return cls(**config)


def _last_hidden_layer(discriminator):
    """The features the logit is computed from: the input of the layer named "logit", else of the last layer."""
    try:
        return discriminator.get_layer("logit").input
    except ValueError:
        if len(discriminator.outputs) != 1:
            raise ValueError(
                "feature_matching needs to find the discriminator's last hidden layer: name its logit layer 'logit'."
            ) from None
        return discriminator.layers[-2].output


class _InputRangeCheck(keras.callbacks.Callback):
    """Stops fit() after its first step when the real images are not in [-1, 1], or a label is out of range.

    Labels are checked again at every epoch's end (the model records the
    extreme labels of every batch).
    """

    def on_epoch_end(self, epoch, logs=None):
        self.model.check_labels_seen()

    def on_train_batch_end(self, batch, logs=None):
        if getattr(self, "_done", False):
            return
        self._done = True
        self.model.check_labels_seen()
        low, high = (float(v) for v in keras.ops.convert_to_numpy(self.model._input_range))
        if low < -1.001 or high > 1.001:
            self.model.stop_training = True
            raise ValueError(
                f"fit() received images with values in [{low:.4g}, {high:.4g}]; kerasgan expects float32 in [-1, 1]. "
                "Scale 0-255 images with x / 127.5 - 1, or load them with kerasgan.data (which does it)."
            )
        if low >= 0.0:
            warnings.warn(
                f"The first batch of images lies in [{low:.4g}, {high:.4g}] with no negative values; kerasgan "
                "expects [-1, 1]. If your images are scaled to [0, 1], use x * 2 - 1.",
                stacklevel=2,
            )
