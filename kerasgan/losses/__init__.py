"""Adversarial losses and gradient penalties.

Losses are pure functions on discriminator logits, in `keras.ops`, and return
the batch mean as a float32 scalar. Discriminator losses take the targets for
real and fake samples so that one-sided label smoothing and label noise
(Salimans et al. 2016) are a matter of passing other targets. Generator losses
take `(fake_logits, real_logits=None)`. The loss parts that models take
(`kerasgan.parts.NonSaturating`, ...) pair them. The penalties in `penalties` take the
discriminator as a callable and differentiate it with a tape.
"""

from kerasgan.losses import penalties
from kerasgan.losses.adversarial import (
    binary_crossentropy_from_logits,
    discriminator_loss,
    feature_matching_loss,
    global_batch,
    global_batch_mean,
    hinge_discriminator_loss,
    hinge_generator_loss,
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    minimax_generator_loss,
    non_saturating_generator_loss,
    relativistic_average_discriminator_loss,
    relativistic_average_generator_loss,
    relativistic_discriminator_loss,
    relativistic_generator_loss,
    wasserstein_discriminator_loss,
    wasserstein_generator_loss,
)
from kerasgan.losses.auxiliary import categorical_code_loss, class_loss, continuous_code_loss, labelled_class_loss
from kerasgan.losses.penalties import dragan_penalty, gradient_penalty, r1_penalty
from kerasgan.losses.translation import cycle_consistency_loss, identity_loss, l1_loss, mse_loss

__all__ = [
    "binary_crossentropy_from_logits",
    "categorical_code_loss",
    "class_loss",
    "continuous_code_loss",
    "cycle_consistency_loss",
    "discriminator_loss",
    "dragan_penalty",
    "feature_matching_loss",
    "global_batch",
    "global_batch_mean",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "identity_loss",
    "l1_loss",
    "labelled_class_loss",
    "mse_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_generator_loss",
    "non_saturating_generator_loss",
    "penalties",
    "r1_penalty",
    "relativistic_average_discriminator_loss",
    "relativistic_average_generator_loss",
    "relativistic_discriminator_loss",
    "relativistic_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]
