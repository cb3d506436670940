"""What every kerasgan model shares, whatever its algorithm: optimizers, parts, updates, checks, logs, saving.

`AdversarialModel` holds the discriminator-side and generator-side optimizers
(`compile(d_optimizer=, g_optimizer=)`, the paper's by default, saved and
restored with the model), the parts shared by every family (`regularizers`,
`constraints`, `augment`, `ema`, `objectives`, see `kerasgan.parts`), the input checks, one
way to update a network (`update`: the terms summed, scaled for tf.distribute
and mixed precision, every gradient computed before any weight is written,
then the parts' after-update hooks) and one way to log (`track`).

A model built on it:

- builds its networks in `__init__` and ends it with `self.attach_parts()`;
- says which networks each optimizer trains (`discriminator_networks()`,
  `generator_networks()`), which it logs beyond its parts (`loss_names()`) and
  how the penalties see its discriminators (`critic_views(batch)`);
- implements `update_networks(data)`, one step on a batch: public methods
  `discriminator_objective(batch)` and `generator_objective(batch)` return
  `(terms, metrics)`, the named scalars summed into that side's loss and named
  values only logged, and `update(side, tape, terms, metrics)` applies them.
"""

import copy
import math
import warnings

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import parts as parts_lib

_SERIALIZE = keras.saving.serialize_keras_object
_DESERIALIZE = keras.saving.deserialize_keras_object

#: Which optimizer, variables and after-update hook each side of a model uses.
SIDES = ("discriminator", "generator")


class AdversarialModel(keras.Model):
    """A `keras.Model` trained adversarially, with a discriminator-side and a generator-side optimizer.

    Args:
        regularizers: parts that join a network's loss (`GradientPenalty`,
            `R1`, `DRAGAN`, `HistoricalAverage`, or their names).
        constraints: parts applied to the weights after an update (`WeightClip`).
        augment: what the discriminator sees, in order (`DiffAugment`,
            `InstanceNoise`): one part or a list.
        ema: a `GeneratorEMA` that sampling uses, or None.
        objectives: extra terms of the generator's loss (`L1Reconstruction`,
            `CycleConsistency`, `Identity`, ...).
        seed: seed of the model's random stream; parts without their own seed
            derive theirs from it.
    """

    #: what fit() takes, for the CLI, data loaders and grid callbacks:
    #: "images", "labelled_images", "paired_images" or "unpaired_images"
    data_kind = "images"

    def __init__(
        self, regularizers=None, constraints=None, augment=None, ema=None, objectives=None, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.objectives = parts_lib.get_list(objectives, "objective")
        self.regularizers = parts_lib.get_list(regularizers, "regularizer")
        self.constraints = parts_lib.get_list(constraints, "constraint")
        self.augment = parts_lib.get_list(augment, "augment")
        self.ema = None if ema is None else parts_lib.get(ema, "ema")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Min and max of the last real batch, read after the first step of fit()
        # to reject data in the wrong range (e.g. 0-255) with a clear message.
        self._input_range = self.add_weight(
            shape=(2,), initializer="zeros", trainable=False, name="input_range", aggregation="only_first_replica"
        )
        self.d_optimizer = None
        self.g_optimizer = None
        self._trackers = {}

    # ------------------------------------------------------------------ what subclasses declare
    def discriminator_networks(self):
        """The networks `d_optimizer` trains."""
        raise NotImplementedError

    def generator_networks(self):
        """The networks `g_optimizer` trains (and a `GeneratorEMA` averages)."""
        raise NotImplementedError

    def loss_names(self):
        """The names the model logs itself (its parts add theirs)."""
        raise NotImplementedError

    def critic_views(self, batch):
        """[CriticView(critic, real, fake)]: each discriminator as the penalties differentiate it."""
        raise NotImplementedError

    def update_networks(self, data):
        """One update of every network on the batch `data`."""
        raise NotImplementedError

    def parts(self):
        """Every part of the model, in the order their after-update hooks run."""
        return [
            *self.augment,
            *self.constraints,
            *self.regularizers,
            *self.objectives,
            *([self.ema] if self.ema else []),
        ]

    #: whether the model builds (and checks) its discriminators for `seen_shape`, so that an augment part
    #: may change the shape of what they see (PacGAN, a t-conditioned Diffusion)
    discriminator_sees_augmented_shape = False

    def attach_parts(self):
        """Creates the parts' state for this model's networks; the last line of a subclass's `__init__`."""
        probe = (4, 4, 3)
        if not self.discriminator_sees_augmented_shape and self.seen_shape(probe) != probe:
            changing = [type(p).__name__ for p in self.augment if p.seen_shape(probe) != probe]
            raise ValueError(
                f"{type(self).__name__}'s discriminators judge images of the data's shape, but {changing[0]} changes "
                "the shape of what they see; drop it (for Diffusion: Diffusion(t_channel=False) keeps the shape)."
            )
        names = list(self.loss_names())
        for i, part in enumerate(self.parts()):
            part.attach(self, None if self.seed is None else self.seed + 1000 * (i + 1))
            names += [*part.d_terms, *part.g_terms, *part.d_metrics, *part.g_metrics]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"{type(self).__name__}: two parts log {repeated[0]!r}; give each part once.")
        self.built = True

    def d_variables(self):
        return [v for network in self.discriminator_networks() for v in network.trainable_variables]

    def g_variables(self):
        return [v for network in self.generator_networks() for v in network.trainable_variables]

    def logged_names(self):
        names = list(self.loss_names())
        for part in self.parts():
            names += [*part.d_terms, *part.g_terms, *part.d_metrics, *part.g_metrics]
        return tuple(names)

    def augmented(self, images):
        """What a discriminator sees of `images`: the `augment` parts applied in order."""
        for part in self.augment:
            images = part.augment(self, images)
        return images

    def unaugmented(self, images):
        """What a discriminator sees of `images` with the augmentations off: the view the penalties judge."""
        for part in self.augment:
            images = part.unaugmented(self, images)
        return images

    def seen_shape(self, shape):
        """The shape of what the discriminator sees of a sample of `shape`, after the `augment` parts (PacGAN packs)."""
        for part in self.augment:
            shape = part.seen_shape(shape)
        return tuple(shape)

    def sampling_network(self, network):
        """`network`, or its moving average when the model has a `GeneratorEMA`."""
        return self.ema.average_of(network) if self.ema is not None else network

    # ------------------------------------------------------------------ compile
    def default_optimizers(self):
        """(d_optimizer, g_optimizer) that compile() uses when none are given: the paper's."""
        # Radford et al. (2015): Adam, lr 2e-4, beta_1 0.5; measured on MNIST
        # with benchmarks/time_to_quality.py against 4e-4 and other batch sizes.
        return keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)

    def compile(self, d_optimizer=None, g_optimizer=None, optimizer=None, loss=None, **kwargs):
        """Configures the two optimizers.

        Args:
            d_optimizer: optimizer (or name) of the discriminator side; the
                model's `default_optimizers()` when None.
            g_optimizer: optimizer (or name) of the generator side; likewise.
            optimizer, loss: refused; the model has one optimizer per side and
                chooses its losses in the constructor.
            **kwargs: passed to `keras.Model.compile` (`jit_compile`,
                `run_eagerly`, `steps_per_execution`).

        Under the `mixed_float16` dtype policy both optimizers are wrapped in
        `keras.optimizers.LossScaleOptimizer`, each with its own dynamic scale.
        """
        name = type(self).__name__
        if optimizer is not None:
            raise ValueError(
                f"{name} has two optimizers: call compile(d_optimizer=..., g_optimizer=...) instead of "
                "compile(optimizer=...)."
            )
        if loss is not None:
            raise ValueError(
                f"{name} chooses its losses in the constructor (e.g. DCGAN(loss='minimax')), not with "
                "compile(loss=...); pass d_optimizer= and g_optimizer= to compile()."
            )
        if kwargs.get("metrics") or kwargs.get("weighted_metrics"):
            raise ValueError(f"compile(metrics=...) is not supported: {name} logs its own losses.")
        default_d, default_g = self.default_optimizers()
        d_optimizer = keras.optimizers.get(d_optimizer) if d_optimizer is not None else default_d
        g_optimizer = keras.optimizers.get(g_optimizer) if g_optimizer is not None else default_g
        for side, opt in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer)):
            _check_optimizer(name, side, opt)
        if d_optimizer is g_optimizer:
            raise ValueError(
                "d_optimizer and g_optimizer are the same object; give each side its own optimizer instance."
            )
        if self.dtype_policy.name == "mixed_float16":
            # float16 gradients underflow without loss scaling.
            d_optimizer, g_optimizer = (
                opt
                if isinstance(opt, keras.optimizers.LossScaleOptimizer)
                else keras.optimizers.LossScaleOptimizer(opt)
                for opt in (d_optimizer, g_optimizer)
            )
        # optimizer=None: Keras would otherwise create an RMSprop over all weights.
        super().compile(optimizer=None, loss=None, **kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        # Built here, in the strategy scope and outside any tf.function: lazily
        # created slots fail under MirroredStrategy, and loading a .keras file
        # needs the slots to exist before it restores them.
        self.d_optimizer.build(self.d_variables())
        self.g_optimizer.build(self.g_variables())
        self._trackers = {name: keras.metrics.Mean(name=name) for name in self.logged_names()}

    @property
    def metrics(self):
        return list(self._trackers.values())

    def get_compile_config(self):
        if self.d_optimizer is None:
            return None
        return {
            "d_optimizer": _SERIALIZE(self.d_optimizer),
            "g_optimizer": _SERIALIZE(self.g_optimizer),
            "jit_compile": self._jit_compile,
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        self.compile(
            d_optimizer=_DESERIALIZE(config["d_optimizer"]),
            g_optimizer=_DESERIALIZE(config["g_optimizer"]),
            jit_compile=config.get("jit_compile", "auto"),
            steps_per_execution=config.get("steps_per_execution", 1),
        )

    # ------------------------------------------------------------------ training
    def train_step(self, data):
        with self.waiting_for(data):  # no op of the step runs without a batch
            self.update_networks(data)
        return self.logs()

    def part_terms(self, side, batch):
        """The named terms every part adds to that side's loss on a `StepBatch`."""
        terms = {}
        for part in self.parts():
            terms.update(getattr(part, f"{side}_terms")(self, batch))
        return terms

    def observe_logits(self, real_logits, fake_logits):
        """Shows every part the discriminator's logits on this step's real and fake batch (before its update)."""
        for part in self.parts():
            part.observe_logits(self, real_logits, fake_logits)

    def update(self, side, tape, terms, metrics=None):
        """Updates one side ("discriminator" or "generator") on the sum of its named `terms`, then logs them.

        The sum is recorded on `tape`; the parts' after-update hooks (weight
        clipping, running averages, the generator's EMA) run after the update.
        `metrics`, and the parts' metrics for that side, are logged too but not trained on.
        """
        if side == "discriminator":
            optimizer, variables = self.d_optimizer, self.d_variables()
        else:
            optimizer, variables = self.g_optimizer, self.g_variables()
        self.apply_update(tape, terms, variables, optimizer)
        for part in self.parts():
            getattr(part, f"after_{side}_update")(self)
        metrics = dict(metrics or {})
        for part in self.parts():
            metrics.update(getattr(part, f"{side}_metrics")(self))
        self.track({**terms, **metrics})

    @staticmethod
    def apply_update(tape, terms, variables, optimizer):
        """One optimizer step of `variables` on the sum of the named `terms`, correct under tf.distribute and mixed precision.

        The loss is a per-replica mean and the optimizer sums gradients over
        replicas, so it is divided by the replica count here, once, for every
        loss and penalty; under mixed float16 it is multiplied by the dynamic
        loss scale, which the LossScaleOptimizer divides out of the gradients
        (skipping the step when they overflow). Logged values stay unscaled.
        Returns the gradients it applied (loss-scaled under mixed float16).
        """
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        with tape:  # recorded, so the gradient flows through the sum and the scaling
            loss = sum(terms.values())
            if replicas > 1:
                loss = loss / replicas
            loss = optimizer.scale_loss(loss)
        grads = tape.gradient(loss, variables)
        # Every gradient is computed before any variable is written. Without this
        # barrier TensorFlow's graph optimizer (grappler's dependency optimizer)
        # in some traces lets a gradient read a weight the optimizer has already
        # updated: WGAN's critic (no logit bias) trained differently in 5 of 6
        # identical runs, up to one learning rate per weight and step. See
        # test_every_gradient_is_computed_before_any_weight_is_updated.
        with tf.control_dependencies([g for g in grads if g is not None]):
            grads = [None if g is None else tf.identity(g) for g in grads]
        optimizer.apply_gradients(zip(grads, variables))
        return grads

    def track(self, values):
        """Adds this step's named values to their trackers (epoch means in the logs)."""
        for name, value in values.items():
            self._trackers[name].update_state(value)

    def loss_scale(self, side):
        """The dynamic loss scale of that side's optimizer under mixed float16, else 1."""
        optimizer = self.d_optimizer if side == "discriminator" else self.g_optimizer
        scale = getattr(optimizer, "dynamic_scale", None)
        return 1.0 if scale is None else ops.cast(scale, "float32")

    def replica_random(self, sampler, shape):
        """Draws `sampler(shape, seed=...)` from the model's seed generator, the same under tf.distribute."""
        return parts_lib.replica_random(sampler, shape, self.seed_generator)

    @staticmethod
    def waiting_for(data):
        """A context in which every op waits for the batch `data`.

        Keras ends an epoch over a data set of unknown length (an image folder)
        by calling the step once more and catching the end of the data; ops
        that did not read the batch (latent sampling, the optimizers' step
        counters) ran in that phantom step, so each epoch advanced the random
        streams and step counts by one step too many.
        """
        # train_on_batch(x) passes (x, None, None): no op to wait for in a None.
        return tf.control_dependencies([t for t in tf.nest.flatten(data) if t is not None])

    def logs(self):
        """What `train_step` returns: each tracker's result, by name.

        Under MultiWorkerMirroredStrategy Keras averages the step's outputs
        across workers along axis 0, which fails for scalars, so there each
        value has shape (1,) (and comes out of the average a scalar again).
        """
        logs = {name: tracker.result() for name, tracker in self._trackers.items()}
        strategy = tf.distribute.get_strategy()
        if (
            isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode()
        ):
            logs = {name: ops.reshape(value, (1,)) for name, value in logs.items()}
        return logs

    # ------------------------------------------------------------------ input checks
    def check_images(self, images, shape, domain=None):
        """`images` as float32 after checking that they are a float NHWC batch of `shape`; records their range."""
        name, what = type(self).__name__, f"domain-{domain} images" if domain else "images"
        if isinstance(images, (dict, tuple, list)):
            raise ValueError(
                f"{name} expects batches of images, got a {type(images).__name__}; "
                "yield plain image tensors of shape (batch, height, width, channels)."
            )
        dtype = keras.backend.standardize_dtype(images.dtype)
        if "float" not in dtype:
            raise TypeError(
                f"fit() received {what} of dtype {dtype}; kerasgan expects float32 images in [-1, 1]. "
                "Scale 0-255 images with x / 127.5 - 1, or load them with kerasgan.data.from_array / load_dataset."
            )
        got = tuple(images.shape[1:])
        if len(got) != 3 or any(s is not None and e is not None and s != e for s, e in zip(got, shape)):
            hint = ""
            if len(got) == 3 and got[-1] is not None and got[-1] != shape[-1]:
                hint = (
                    f" The channel count differs ({got[-1]} vs {shape[-1]}): load the data with "
                    f"channels={shape[-1]} or build the model for {got[-1]} channels."
                )
            raise ValueError(
                f"fit() received {what} of shape {got} but {name} was built for {tuple(shape)} (NHWC).{hint}"
            )
        return ops.cast(images, "float32")

    def check_points(self, points, dim):
        """`points` as float32 after checking that they are a float (batch, dim) array."""
        name = type(self).__name__
        if isinstance(points, (dict, tuple, list)) or "float" not in keras.backend.standardize_dtype(points.dtype):
            raise TypeError(
                f"{name} expects batches of float points of shape (batch, {dim}); got {type(points).__name__} of "
                f"{getattr(points, 'dtype', None)}. Serve an (N, {dim}) array with kerasgan.data.from_points."
            )
        got = tuple(points.shape[1:])
        if got != (dim,):
            raise ValueError(f"fit() received points of shape {got} but {name} was built for ({dim},) coordinates.")
        return ops.cast(points, "float32")

    #: whether the real data must lie in [-1, 1] (images); unbounded data (points) is checked for NaN/inf only
    bounded_inputs = True

    def record_input_range(self, *batches):
        """Keeps the smallest and largest value of this step's real images (NaN for a non-finite pixel).

        Three reductions per batch: a NaN or infinity anywhere makes the sum
        non-finite (an overflowing sum needs values far outside [-1, 1], also
        refused), where min and max may skip a NaN.
        """
        lows = [ops.min(b) for b in batches]
        highs = [ops.max(b) for b in batches]
        sums = [ops.sum(b) for b in batches]
        low = lows[0] if len(lows) == 1 else ops.min(ops.stack(lows))
        high = highs[0] if len(highs) == 1 else ops.max(ops.stack(highs))
        total = sums[0] if len(sums) == 1 else ops.sum(ops.stack(sums))
        low = ops.where(ops.isfinite(total), low, float("nan"))
        self._input_range.assign(ops.stack([low, high]))

    def check_input_range(self, where="the first batch", first=True):
        """Raises a clear error when the real images of the last step were not finite or not in [-1, 1].

        Args:
            where: names the batch in the message ("batch 5 (step 5)"), or a
                function returning that name (called only for an error).
            first: also warn when the batch looks scaled to [0, 1].
        """
        low, high = (float(v) for v in ops.convert_to_numpy(self._input_range))
        if (math.isnan(low) or low < -1.001 or high > 1.001) and callable(where):
            where = where()
        if math.isnan(low):
            self.stop_training = True
            raise ValueError(
                f"fit() received a NaN or infinite value in {where}; training stopped. Find the "
                "broken file or the division by zero in the data pipeline (kerasgan.data skips undecodable files)."
            )
        if not self.bounded_inputs:
            return
        if low < -1.001 or high > 1.001:
            self.stop_training = True
            raise ValueError(
                f"fit() received images with values in [{low:.4g}, {high:.4g}] in {where}; kerasgan expects "
                "float32 in [-1, 1]. Scale 0-255 images with x / 127.5 - 1, or load them with kerasgan.data (which "
                "does it)."
            )
        if first and low >= 0.0:
            warnings.warn(
                f"The first batch of images lies in [{low:.4g}, {high:.4g}] with no negative values; kerasgan "
                "expects [-1, 1]. If your images are scaled to [0, 1], use x * 2 - 1.",
                stacklevel=2,
            )

    def check_labels_seen(self):
        """Raises a clear error when fit() was fed labels the model cannot take (conditional models override it)."""

    def check_batch_size(self, batch_size):
        """Raises a clear error for a batch size the algorithm cannot split (GAN's d_steps)."""

    def fit(self, x=None, y=None, *args, callbacks=None, **kwargs):
        if self.d_optimizer is None:
            raise RuntimeError(f"Call {type(self).__name__}.compile(d_optimizer=..., g_optimizer=...) before fit().")
        self.check_batch_size(kwargs.get("batch_size"))
        # First, so that a bad batch is named before a callback sees its NaN losses or saves its weights.
        callbacks = [_InputChecks(), *(callbacks or [])]
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)  # a Dataset shuffles itself; Keras warns otherwise
        elif isinstance(x, np.ndarray):
            # Full batches only, as kerasgan.data's pipelines give: a smaller
            # last batch would retrace the step and could leave a d_steps
            # minibatch empty.
            batch_size = kwargs.get("batch_size") or 32
            full = len(x) // batch_size * batch_size
            if full:
                if isinstance(y, np.ndarray) and len(y) == len(x):
                    y = y[:full]
                x = x[:full]
        return super().fit(x, y, *args, callbacks=callbacks, **kwargs)

    # ------------------------------------------------------------------ saving
    def get_config(self):
        return {
            **super().get_config(),
            "regularizers": [_SERIALIZE(p) for p in self.regularizers],
            "constraints": [_SERIALIZE(p) for p in self.constraints],
            "augment": [_SERIALIZE(p) for p in self.augment],
            "ema": None if self.ema is None else _SERIALIZE(self.ema),
            "objectives": [_SERIALIZE(p) for p in self.objectives],
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # deserialization consumes the nested dicts
        for key, value in config.items():
            if _is_serialized(value):
                config[key] = _DESERIALIZE(value)
            elif isinstance(value, list) and value and all(_is_serialized(v) for v in value):
                config[key] = [_DESERIALIZE(v) for v in value]
        return cls(**config)

    def _own_state(self):
        # Keras saves no seed generator state (the model's, the parts', Dropout's,
        # an image pool's, ...); without them a reloaded model would replay its
        # random streams from the start and a resumed run would diverge from an
        # uninterrupted one.
        seeds = [sg.state for layer in self._flatten_layers() for sg in layer._seed_generators]
        return self._trainable_variables + self._non_trainable_variables + seeds

    def save_own_variables(self, store):
        for i, v in enumerate(self._own_state()):
            store[str(i)] = v

    def load_own_variables(self, store):
        own = self._own_state()
        if len(store.keys()) != len(own):
            raise ValueError(
                f"The saved {type(self).__name__} holds {len(store.keys())} own variables, this one {len(own)}."
            )
        for i, v in enumerate(own):
            v.assign(store[str(i)])


#: optimizer hyper-parameters that must lie in [0, 1): Adam's betas, RMSprop's rho, SGD's momentum
_UNIT_INTERVAL = ("beta_1", "beta_2", "rho", "momentum")


def _check_optimizer(owner, side, optimizer):
    """Refuses hyper-parameters out of their valid range, which would train to NaN without naming the cause."""
    inner = getattr(optimizer, "inner_optimizer", optimizer)  # a LossScaleOptimizer's
    config = inner.get_config()
    what = f"{owner}.compile(): the {side} ({type(inner).__name__})"
    for key in _UNIT_INTERVAL:
        value = config.get(key)
        if isinstance(value, (int, float)) and not 0 <= value < 1:
            hint = " (DCGAN's is 0.5)" if key == "beta_1" else ""
            raise ValueError(f"{what} has {key}={value:.4g}; it must be in [0, 1){hint}.")
    rate = config.get("learning_rate")
    if isinstance(rate, (int, float)) and not (math.isfinite(rate) and rate >= 0):  # 0 freezes, as tests do
        raise ValueError(f"{what} has learning_rate={rate:.4g}; it must be a finite number >= 0 (e.g. 2e-4).")
    epsilon = config.get("epsilon")
    if isinstance(epsilon, (int, float)) and not epsilon >= 0:
        raise ValueError(f"{what} has epsilon={epsilon:.4g}; it must be >= 0 (e.g. 1e-7).")


def _is_serialized(value):
    return isinstance(value, dict) and "class_name" in value and "config" in value


class _InputChecks(keras.callbacks.Callback):
    """Stops fit() at the first batch whose real images are not finite or not in [-1, 1], or a label out of range.

    The step records each batch's extremes (`record_input_range`); reading
    them is two floats per batch. Labels are checked after the first batch and
    at every epoch's end (the model records the extreme labels of every batch).
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self.model.check_labels_seen()

    def on_train_batch_end(self, batch, logs=None):
        first = not getattr(self, "_done", False)
        self._done = True
        if first:
            self.model.check_labels_seen()

        def where():
            step = int(ops.convert_to_numpy(self.model.g_optimizer.iterations))
            return f"batch {batch + 1} of epoch {getattr(self, '_epoch', 0) + 1} (step {step})"

        self.model.check_input_range(where, first=first)
