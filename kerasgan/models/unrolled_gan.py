"""Unrolled GAN: the generator is trained against the discriminator as it will be k updates later.

Reference:
    Metz, Poole, Pfau, Sohl-Dickstein, Unrolled Generative Adversarial
    Networks, ICLR 2017. https://arxiv.org/abs/1611.02163
"""

import keras
import tensorflow as tf
from keras import ops

from kerasgan.models.gan import GAN
from kerasgan.utils import checks


@keras.saving.register_keras_serializable(package="kerasgan")
class UnrolledGAN(GAN):
    """Unrolled GAN (Metz et al. 2017): the generator's loss is f_K(θ_G, θ_D) = f(θ_G, θ_D^K(θ_G, θ_D)).

    θ_D^0 = θ_D and θ_D^{k+1} = θ_D^k - η·update(∂f/∂θ_D^k) (eq. 4-5): a copy of
    the discriminator advanced `unrolled_steps` = K steps with the rule and the
    state of the discriminator's own optimizer (SGD or Adam), on the step's
    real batch and fakes. The generator's gradient flows through those K
    updates (eq. 7, its second term is what lets the generator anticipate how
    the discriminator will answer a collapse); `second_order=False` drops it
    and treats θ_D^K as a constant, the cheaper approximation the paper
    discusses. The real discriminator takes one ordinary step
    (θ_D ← θ_D - η ∂f/∂θ_D, eq. 6); the copy exists only as tensors, inside a
    `keras.StatelessScope` (the mechanism of Keras' `stateless_call`), and
    leaves no weight, optimizer slot, step counter or random stream modified.
    The unrolling starts from the discriminator after its ordinary step,
    which is the plain GAN's step when K = 0.

    Keras' `optimizer.stateless_apply` is refused by the TensorFlow backend,
    so the update rule is written here as tensors, from the optimizer's
    hyperparameters and slots (checked to match the optimizer's own step in
    the tests); schedules are read at the current step for all K updates.

    Args:
        unrolled_steps: K, discriminator updates unrolled (the paper: 5 on the
            2-D mixtures; 0 is the plain GAN).
        second_order: backpropagate through the unrolled updates (the paper's
            method); False drops those terms.
        **kwargs: the `GAN` arguments.

    Example:
        ```python
        ring = kerasgan.data.ring()
        gan = kerasgan.models.UnrolledGAN.for_points(2, unrolled_steps=5)
        gan.compile()  # D Adam(1e-4, beta_1=0.5), G Adam(1e-3, beta_1=0.5), as Metz et al.
        gan.fit(kerasgan.data.from_points(ring.sample(512 * 1000), 512), epochs=1)
        kerasgan.metrics.mode_coverage(gan.generate(2500), mixture=ring)
        ```
    """

    def __init__(self, generator=None, discriminator=None, unrolled_steps=5, second_order=True, **kwargs):
        self.unrolled_steps = checks.nonnegative_int("UnrolledGAN", "unrolled_steps", unrolled_steps)
        if not isinstance(second_order, bool):
            raise TypeError(f"UnrolledGAN: second_order must be True or False; got {second_order!r}.")
        self.second_order = second_order
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)

    def default_optimizers(self):
        # Metz et al.'s 2-D mixture setting: Adam, D 1e-4, G 1e-3, beta_1 0.5.
        return keras.optimizers.Adam(1e-4, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5)

    def compile(self, *args, **kwargs):
        super().compile(*args, **kwargs)
        _update_rule(self.d_optimizer)  # an optimizer that cannot be unrolled fails here, not in fit()

    def unroll(self, batch):
        """θ_D^K: the discriminator's trainable weights (tensors) after K steps of its optimizer on `batch`.

        Differentiable with respect to `batch.fake` (and so the generator) when
        computed under a tape; no variable is written.
        """
        optimizer = _inner_optimizer(self.d_optimizer)
        rule = _update_rule(self.d_optimizer)
        variables = self.d_variables()
        values = [tf.identity(v) for v in variables]
        slots = [[tf.identity(s) for s in slot] for slot in _slots(optimizer, variables)]
        learning_rate = ops.cast(optimizer.learning_rate, "float32")
        for k in range(self.unrolled_steps):
            with tf.GradientTape() as tape:
                tape.watch(values)
                with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                    terms, _ = self.discriminator_objective(batch)
                loss = sum(terms.values())
            grads = tape.gradient(loss, values)
            grads = [ops.zeros_like(v) if g is None else g for g, v in zip(grads, values)]
            step = ops.cast(optimizer.iterations + 1 + k, "float32")
            values, slots = rule(optimizer, values, grads, slots, learning_rate, step)
        return values

    def generator_objective(self, batch):
        """The generator's terms against the discriminator unrolled K steps (the plain GAN's when K = 0)."""
        if self.unrolled_steps == 0:
            return super().generator_objective(batch)
        unrolling = batch if self.second_order else batch._replace(fake=ops.stop_gradient(batch.fake))
        values = self.unroll(unrolling)
        if not self.second_order:
            values = [ops.stop_gradient(v) for v in values]
        with keras.StatelessScope(state_mapping=list(zip(self.d_variables(), values))):
            return super().generator_objective(batch)

    def get_config(self):
        return {**super().get_config(), "unrolled_steps": self.unrolled_steps, "second_order": self.second_order}


def _inner_optimizer(optimizer):
    return optimizer.inner_optimizer if isinstance(optimizer, keras.optimizers.LossScaleOptimizer) else optimizer


def _slots(optimizer, variables):
    """Per variable, the optimizer's slot variables the update rule reads (Adam: m, v; SGD: momentum or none)."""
    index = [optimizer._get_variable_index(v) for v in variables]
    if isinstance(optimizer, keras.optimizers.Adam):
        return [[optimizer._momentums[i], optimizer._velocities[i]] for i in index]
    if optimizer.momentum:
        return [[optimizer.momentums[i]] for i in index]
    return [[] for _ in index]


def _update_rule(optimizer):
    """The tensor form of `optimizer`'s step, or a clear error for an optimizer (or option) it does not cover."""
    inner = _inner_optimizer(optimizer)
    if type(inner) not in (keras.optimizers.Adam, keras.optimizers.SGD):
        raise ValueError(
            f"UnrolledGAN unrolls the discriminator with its optimizer's update rule, written for Adam and SGD; "
            f"got {type(inner).__name__}. Compile with d_optimizer=keras.optimizers.Adam(...) or SGD(...)."
        )
    unsupported = [
        name
        for name in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "amsgrad")
        if getattr(inner, name, None)
    ]
    if inner.use_ema or (inner.gradient_accumulation_steps or 1) > 1:
        unsupported.append("use_ema" if inner.use_ema else "gradient_accumulation_steps")
    if unsupported:
        raise ValueError(
            f"UnrolledGAN cannot unroll a discriminator optimizer with {unsupported[0]}; compile with a plain "
            f"{type(inner).__name__} (no {', '.join(unsupported)})."
        )
    return _adam_step if isinstance(inner, keras.optimizers.Adam) else _sgd_step


def _adam_step(optimizer, values, grads, slots, lr, step):
    """Keras' Adam step as tensors (Kingma & Ba 2015, with the bias correction folded into the step size)."""
    beta_1, beta_2 = float(optimizer.beta_1), float(optimizer.beta_2)
    alpha = lr * ops.sqrt(1.0 - ops.power(beta_2, step)) / (1.0 - ops.power(beta_1, step))
    new_values, new_slots = [], []
    for value, grad, (m, v) in zip(values, grads, slots):
        m = m + (grad - m) * (1.0 - beta_1)
        v = v + (ops.square(grad) - v) * (1.0 - beta_2)
        # sqrt has an infinite derivative at 0, where a weight that never had a
        # gradient (a dead ReLU's) keeps v; its second-order term would be NaN.
        positive = v > 0
        root = ops.where(positive, ops.sqrt(ops.where(positive, v, 1.0)), 0.0)
        new_values.append(value - alpha * m / (root + optimizer.epsilon))
        new_slots.append([m, v])
    return new_values, new_slots


def _sgd_step(optimizer, values, grads, slots, lr, step):
    """Keras' SGD step as tensors (with momentum and Nesterov's variant)."""
    momentum = float(optimizer.momentum)
    if not momentum:
        return [value - lr * grad for value, grad in zip(values, grads)], slots
    new_values, new_slots = [], []
    for value, grad, (m,) in zip(values, grads, slots):
        m = m * momentum - grad * lr
        new_values.append(value + (m * momentum - grad * lr if optimizer.nesterov else m))
        new_slots.append([m])
    return new_values, new_slots
