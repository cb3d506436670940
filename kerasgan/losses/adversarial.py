"""The losses of the original GAN (Goodfellow et al. 2014), on logits.

D(x) = sigmoid(l(x)). Working on logits keeps every term finite: log D and
log(1 - D) become -softplus(-l) and -softplus(l).
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
def binary_crossentropy_from_logits(targets, logits):
    """Mean binary cross-entropy between `targets` in [0, 1] and sigmoid(logits).

    Uses the stable identity BCE(y, l) = softplus(l) - y * l.
    """
    logits = ops.cast(logits, "float32")
    targets = ops.cast(targets, "float32")
    return ops.mean(ops.softplus(logits) - targets * logits)


@keras.saving.register_keras_serializable(package="kerasgan")
def discriminator_loss(real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
    """Discriminator loss of Goodfellow et al. (2014), Algorithm 1.

    The discriminator ascends log D(x) + log(1 - D(G(z))); as a loss to
    minimize that is BCE(real, 1) + BCE(fake, 0). Passing `real_targets` < 1
    gives one-sided label smoothing (Salimans et al. 2016).

    Args:
        real_logits: discriminator logits on real images, shape (B, 1).
        fake_logits: discriminator logits on generated images, shape (B, 1).
        real_targets: scalar or tensor of targets for the real images.
        fake_targets: scalar or tensor of targets for the generated images.

    Reference:
        Goodfellow et al., Generative Adversarial Nets, NeurIPS 2014.
        https://arxiv.org/abs/1406.2661
    """
    real_targets = ops.broadcast_to(ops.cast(real_targets, "float32"), ops.shape(real_logits))
    fake_targets = ops.broadcast_to(ops.cast(fake_targets, "float32"), ops.shape(fake_logits))
    return binary_crossentropy_from_logits(real_targets, real_logits) + binary_crossentropy_from_logits(
        fake_targets, fake_logits
    )


@keras.saving.register_keras_serializable(package="kerasgan")
def minimax_generator_loss(fake_logits):
    """The paper's (saturating) generator loss: minimize E[log(1 - D(G(z)))].

    log(1 - sigmoid(l)) = -softplus(l). Its gradient vanishes when D confidently
    rejects the fakes, which is why the paper recommends the non-saturating form.

    Reference:
        Goodfellow et al. 2014, Eq. 1. https://arxiv.org/abs/1406.2661
    """
    return -ops.mean(ops.softplus(ops.cast(fake_logits, "float32")))


@keras.saving.register_keras_serializable(package="kerasgan")
def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss: maximize E[log D(G(z))], i.e. BCE(fake, 1).

    Reference:
        Goodfellow et al. 2014, Section 3 ("rather than training G to minimize
        log(1 - D(G(z))) we can train G to maximize log D(G(z))").
        https://arxiv.org/abs/1406.2661
    """
    return binary_crossentropy_from_logits(1.0, fake_logits)


#: Named (discriminator_loss, generator_loss) pairs a model can select with `loss=`.
LOSSES = {
    "minimax": (discriminator_loss, minimax_generator_loss),
    "non_saturating": (discriminator_loss, non_saturating_generator_loss),
}


def get(loss):
    """Returns the (discriminator_loss, generator_loss) pair for `loss`.

    Args:
        loss: a name in `LOSSES`, or a pair of callables
            `(d_loss(real_logits, fake_logits, real_targets, fake_targets), g_loss(fake_logits))`.
    """
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"Unknown loss {loss!r}; choose one of {sorted(LOSSES)} or pass a pair of functions.")
        return LOSSES[loss]
    if isinstance(loss, (tuple, list)) and len(loss) == 2 and all(callable(f) for f in loss):
        return tuple(loss)
    raise TypeError(
        f"loss must be a name in {sorted(LOSSES)} or a pair (discriminator_loss, generator_loss) of functions; got {loss!r}."
    )
