"""Adversarial losses: pure functions on discriminator logits, in `keras.ops`.

Every function returns the batch mean as a scalar. Discriminator losses take
the targets for real and fake samples so that one-sided label smoothing and
label noise (Salimans et al. 2016) are a matter of passing other targets.
"""

from kerasgan.losses.adversarial import (
    LOSSES,
    binary_crossentropy_from_logits,
    discriminator_loss,
    get,
    minimax_generator_loss,
    non_saturating_generator_loss,
)

__all__ = [
    "LOSSES",
    "binary_crossentropy_from_logits",
    "discriminator_loss",
    "get",
    "minimax_generator_loss",
    "non_saturating_generator_loss",
]
