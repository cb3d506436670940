"""Learning-rate schedules of the papers (`keras.optimizers.schedules` objects)."""

import keras
from keras import ops

from kerasgan.utils import checks


@keras.saving.register_keras_serializable(package="kerasgan")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant learning rate for `constant_steps`, then linear decay to 0 over `decay_steps`.

    lr(t) = lr₀ · (1 - clip((t - constant_steps) / decay_steps, 0, 1)). CycleGAN
    trains 100 epochs at 2e-4 and decays linearly to zero over the next 100;
    here the two phases are counted in optimizer steps.

    Args:
        initial_learning_rate: lr₀.
        constant_steps: steps at lr₀.
        decay_steps: steps of the linear decay (> 0).

    Example:
        >>> schedule = LinearDecay(2e-4, constant_steps=100, decay_steps=100)
        >>> float(schedule(150))
        0.0001

    Reference:
        Zhu et al. 2017, Section 4 (training details). https://arxiv.org/abs/1703.10593
    """

    def __init__(self, initial_learning_rate=2e-4, constant_steps=100_000, decay_steps=100_000):
        self.initial_learning_rate = checks.positive("LinearDecay", "initial_learning_rate", initial_learning_rate)
        self.constant_steps = checks.nonnegative_int("LinearDecay", "constant_steps", constant_steps)
        self.decay_steps = checks.positive_int("LinearDecay", "decay_steps", decay_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        progress = ops.clip((step - self.constant_steps) / self.decay_steps, 0.0, 1.0)
        return self.initial_learning_rate * (1.0 - progress)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
        }
