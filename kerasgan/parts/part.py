"""The base class of every part a training step is assembled from."""

import collections

import keras
import tensorflow as tf


class Part(keras.layers.Layer):
    """A small serializable piece of a GAN's training step: a loss, regularizer, augmentation, ...

    A part is a Keras layer so that the model tracks it: its weights and seed
    generators are saved in `.keras` files and checkpoints with the model. The
    constructor arguments are its config. State that depends on the model's
    networks (a moving average, a running mean of weights, a random stream) is
    made in `attach(model, seed)`, which the model calls once inside its own
    constructor, so under `tf.distribute` it is created in the strategy's scope.

    The model calls the hooks a part overrides; each gets the model as its
    first argument:

    - `discriminator_terms(model, batch)` / `generator_terms(model, batch)`:
      named scalars added to that network's loss and logged under their names
      (`d_terms` / `g_terms` list the names);
    - `discriminator_metrics(model)` / `generator_metrics(model)`: named
      values only logged, not trained on (`d_metrics` / `g_metrics` list the
      names);
    - `observe_logits(model, real_logits, fake_logits)`: the discriminator's
      logits on what it saw of the real and fake batch, once per
      discriminator update, after its loss is computed (adaptive parts read
      them: BEGAN's k_t, Diffusion-GAN's T);
    - `after_discriminator_update(model)` / `after_generator_update(model)`;
    - kind-specific hooks (`augment`, `transform`, ...), see the subclasses.

    `remedies` maps a `Diagnostics` warning kind to advice that names this
    part; Diagnostics prints it.
    """

    kind = None
    alias = None
    #: whether the part draws random numbers (then it owns a seed generator)
    uses_random = False
    d_terms = ()
    g_terms = ()
    d_metrics = ()
    g_metrics = ()
    remedies = {}

    def __init__(self, seed=None, **kwargs):
        kwargs.setdefault("name", self.alias)
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = None
        # Nothing to build from an input shape; Keras builds a model symbolically
        # (calling it on a batch) while any of its layers is unbuilt.
        self.built = True

    def attach(self, model, seed=None):
        """Creates the part's state for `model`; `seed` (derived from the model's) unless the part has its own."""
        owner = getattr(self, "_owner", None)
        if owner is not None and owner != id(model):
            raise ValueError(
                f"This {type(self).__name__} already belongs to another model, whose state it holds; give each "
                f"model its own (e.g. {type(self).__name__}(...) again, or its name {self.alias!r})."
            )
        self._owner = id(model)
        if self.uses_random:
            self.seed_generator = keras.random.SeedGenerator(self.seed if self.seed is not None else seed)
        self.built = True

    def random(self, sampler, shape):
        """`sampler(shape, seed=...)` from this part's stream, the same numbers on N replicas as on one device."""
        return replica_random(sampler, shape, self.seed_generator)

    def discriminator_terms(self, model, batch):
        return {}

    def generator_terms(self, model, batch):
        return {}

    def discriminator_metrics(self, model):
        return {}

    def generator_metrics(self, model):
        return {}

    def observe_logits(self, model, real_logits, fake_logits):
        pass

    def after_discriminator_update(self, model):
        pass

    def after_generator_update(self, model):
        pass

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def replica_random(sampler, shape, seed_generator):
    """Draws `sampler(shape, seed=seed_generator)`, identically on N replicas and on one device.

    Under tf.distribute each replica draws the numbers for the whole global
    batch (shape[0] × replicas) and keeps its own slice.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if replicas == 1:
        return sampler(shape, seed=seed_generator)
    batch = shape[0]
    values = sampler((batch * replicas, *shape[1:]), seed=seed_generator)
    replica = tf.distribute.get_replica_context().replica_id_in_sync_group
    return values[replica * batch : (replica + 1) * batch]


#: What the objectives of one step see: real and fake images, the condition (or None) and the latents.
StepBatch = collections.namedtuple("StepBatch", ["real", "fake", "condition", "latents"], defaults=(None, None))

#: A discriminator as the penalties see it: `critic(images) -> logits`, with the real and fake images it judges.
CriticView = collections.namedtuple("CriticView", ["critic", "real", "fake"])
