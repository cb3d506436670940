"""What every kerasgan model shares, whatever its `train_step`: two optimizers and correct updates.

`AdversarialModel` holds the discriminator-side and generator-side optimizers
(`compile(d_optimizer=, g_optimizer=)`, the paper's by default, saved and
restored with the model), the logged loss trackers, and the one way a loss
becomes a weight update: scaled for tf.distribute and for mixed-precision loss
scaling. Both `GAN` (Algorithm 1 with hooks) and the translation models
(pix2pix, CycleGAN, several networks per side) build on it.
"""

import keras
import tensorflow as tf
from keras import ops

_SERIALIZE = keras.saving.serialize_keras_object
_DESERIALIZE = keras.saving.deserialize_keras_object


class AdversarialModel(keras.Model):
    """A `keras.Model` with a discriminator-side and a generator-side optimizer.

    Subclasses define `d_variables()` and `g_variables()` (what each optimizer
    updates) and `logged_names()` (the trackers), and in `train_step` update
    with `self.apply_update(tape, loss, variables, optimizer)`, run the step's
    ops under `self.waiting_for(data)` and return `self.logs()`.
    """

    def d_variables(self):
        raise NotImplementedError

    def g_variables(self):
        raise NotImplementedError

    def logged_names(self):
        raise NotImplementedError

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
        if d_optimizer is g_optimizer:
            raise ValueError(
                "d_optimizer and g_optimizer are the same object; give each side its own optimizer instance."
            )
        if self.dtype_policy.name == "mixed_float16":
            # float16 gradients underflow without loss scaling.
            d_optimizer, g_optimizer = (
                opt if isinstance(opt, keras.optimizers.LossScaleOptimizer) else keras.optimizers.LossScaleOptimizer(opt)
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

    # ------------------------------------------------------------------ saving
    def _own_state(self):
        # Keras saves no seed generator state (the model's, Dropout's, an image
        # pool's, ...); without them a reloaded model would replay its random
        # streams from the start and a resumed run would diverge from an
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

    # ------------------------------------------------------------------ training
    def apply_update(self, tape, loss, variables, optimizer):
        """One optimizer step of `variables` on `loss`, correct under tf.distribute and mixed precision.

        The loss is a per-replica mean and the optimizer sums gradients over
        replicas, so it is divided by the replica count here, once, for every
        loss and penalty; under mixed float16 it is multiplied by the dynamic
        loss scale, which the LossScaleOptimizer divides out of the gradients
        (skipping the step when they overflow). Logged values stay unscaled.
        Returns the gradients it applied (loss-scaled under mixed float16).
        """
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        with tape:  # recorded, so the gradient flows through the scaling
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
        if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode():
            logs = {name: ops.reshape(value, (1,)) for name, value in logs.items()}
        return logs
