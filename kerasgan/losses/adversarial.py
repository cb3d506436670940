"""Adversarial losses on discriminator logits.

The original GAN (Goodfellow et al. 2014) and its successors: Wasserstein,
hinge, least squares and the relativistic losses.

D(x) = sigmoid(l(x)). Working on logits keeps every term finite: log D and
log(1 - D) become -softplus(-l) and -softplus(l).

These are the formulas; the models take them through the loss parts of
`kerasgan.parts` (`NonSaturating`, `Wasserstein`, ...), which pair a
discriminator and a generator loss and state what they need.

Conventions: a discriminator loss is `d(real_logits, fake_logits,
real_targets=1.0, fake_targets=0.0)`; only the losses built on target codes
(cross-entropy, least squares, relativistic) read the targets. A generator
loss is `g(fake_logits, real_logits=None)`; the relativistic ones need
`real_logits`.
"""

import keras
import tensorflow as tf
from keras import ops


def global_batch_mean(x, axis=None):
    """Mean of `x` over the global batch, also under `tf.distribute`.

    Outside a distribution strategy (or in one with a single replica) this is
    `ops.mean(x)`. In the replica context of a strategy with several replicas,
    each replica holds a slice of the global batch, so a plain `ops.mean`
    would give each replica a different, local value; this all-reduces the
    local means instead. All replicas must hold equal-size batches (as
    `tf.distribute` gives them) and must all call it, in the same order.

    The all-reduce is differentiable: its gradient is the all-reduced
    upstream gradient, which is the gradient of the sum of the replica losses,
    the quantity the optimizer's cross-replica gradient sum descends.

    Args:
        x: a tensor of any shape.
        axis: None for the mean of all entries (a scalar), or 0 for the
            per-feature mean over the batch.

    Returns:
        A float32 scalar, or a tensor of `x.shape[1:]` with `axis=0`.
    """
    local = ops.mean(ops.cast(x, "float32"), axis=axis)
    context = tf.distribute.get_replica_context()
    # None in a cross-replica context, where the caller already sees the whole batch.
    if context is None or context.num_replicas_in_sync == 1:
        return local
    return context.all_reduce(tf.distribute.ReduceOp.MEAN, local)


def global_batch(x):
    """The whole global batch of `x` (its replicas' slices concatenated in replica order), also under `tf.distribute`.

    For a statistic over pairs of samples (EBGAN's pulling-away term), which
    the mean of per-replica values does not give. Outside a strategy with
    several replicas it is `x`. Like `global_batch_mean` it is differentiable
    and its gradient is the all-reduced upstream gradient (sliced to the
    replica's rows): a loss every replica computes on the gathered batch, then
    divided by the replica count as the shared update does, gets the gradient
    it has on one device.
    """
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return x
    return context.all_gather(x, axis=0)


def _as_float32(*tensors):
    return tuple(ops.cast(t, "float32") for t in tensors)


def _targets_like(targets, logits):
    return ops.broadcast_to(ops.cast(targets, "float32"), ops.shape(logits))


def _require_real_logits(real_logits, name):
    if real_logits is None:
        raise TypeError(
            f"{name} is a relativistic loss and needs the discriminator's logits on real images: call it as "
            f"{name}(fake_logits, real_logits)."
        )


@keras.saving.register_keras_serializable(package="kerasgan")
def binary_crossentropy_from_logits(targets, logits):
    """Mean binary cross-entropy between `targets` in [0, 1] and sigmoid(logits).

    Uses BCE(y, l) = y * softplus(-l) + (1 - y) * softplus(l), which equals
    softplus(l) - y * l but never subtracts two large numbers: in float32, with
    y = 1, the latter is 1% off at l = 10 and returns 0 at l = 20.
    """
    logits = ops.cast(logits, "float32")
    targets = ops.cast(targets, "float32")
    return ops.mean(targets * ops.softplus(-logits) + (1.0 - targets) * ops.softplus(logits))


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
def minimax_generator_loss(fake_logits, real_logits=None):
    """The paper's (saturating) generator loss: minimize E[log(1 - D(G(z)))].

    log(1 - sigmoid(l)) = -softplus(l). Its gradient vanishes when D confidently
    rejects the fakes, which is why the paper recommends the non-saturating form.

    Args:
        fake_logits: discriminator logits on generated images, shape (B, 1).
        real_logits: ignored (part of the common generator-loss signature).

    Reference:
        Goodfellow et al. 2014, Eq. 1. https://arxiv.org/abs/1406.2661
    """
    return -ops.mean(ops.softplus(ops.cast(fake_logits, "float32")))


@keras.saving.register_keras_serializable(package="kerasgan")
def non_saturating_generator_loss(fake_logits, real_logits=None):
    """Non-saturating generator loss: maximize E[log D(G(z))], i.e. BCE(fake, 1).

    Args:
        fake_logits: discriminator logits on generated images, shape (B, 1).
        real_logits: ignored (part of the common generator-loss signature).

    Reference:
        Goodfellow et al. 2014, Section 3 ("rather than training G to minimize
        log(1 - D(G(z))) we can train G to maximize log D(G(z))").
        https://arxiv.org/abs/1406.2661
    """
    return binary_crossentropy_from_logits(1.0, fake_logits)


@keras.saving.register_keras_serializable(package="kerasgan")
def wasserstein_discriminator_loss(real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
    """Wasserstein critic loss: E[D(G(z))] - E[D(x)].

    The critic maximizes E[D(x)] - E[D(G(z))], an estimate of the
    Wasserstein-1 distance when D is 1-Lipschitz (weight clipping, a gradient
    penalty or spectral normalization enforce that); this is its negative. The
    outputs are unbounded scores, not probabilities, and no targets are used.

    Args:
        real_logits: critic outputs on real images, shape (B, 1).
        fake_logits: critic outputs on generated images, shape (B, 1).
        real_targets: ignored.
        fake_targets: ignored.

    Reference:
        Arjovsky, Chintala & Bottou, Wasserstein GAN, ICML 2017, Algorithm 1.
        https://arxiv.org/abs/1701.07875
    """
    real_logits, fake_logits = _as_float32(real_logits, fake_logits)
    return ops.mean(fake_logits) - ops.mean(real_logits)


@keras.saving.register_keras_serializable(package="kerasgan")
def wasserstein_generator_loss(fake_logits, real_logits=None):
    """Wasserstein generator loss: -E[D(G(z))].

    Args:
        fake_logits: critic outputs on generated images, shape (B, 1).
        real_logits: ignored.

    Reference:
        Arjovsky, Chintala & Bottou, Wasserstein GAN, ICML 2017, Algorithm 1.
        https://arxiv.org/abs/1701.07875
    """
    return -ops.mean(ops.cast(fake_logits, "float32"))


@keras.saving.register_keras_serializable(package="kerasgan")
def hinge_discriminator_loss(real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
    """Hinge discriminator loss: E[relu(1 - D(x))] + E[relu(1 + D(G(z)))].

    Zero once real logits are >= 1 and fake logits <= -1: only samples inside
    the margin contribute. No targets are used.

    Args:
        real_logits: discriminator logits on real images, shape (B, 1).
        fake_logits: discriminator logits on generated images, shape (B, 1).
        real_targets: ignored.
        fake_targets: ignored.

    Reference:
        Lim & Ye, Geometric GAN, 2017. https://arxiv.org/abs/1705.02894
        Miyato et al., Spectral Normalization for Generative Adversarial
        Networks, ICLR 2018. https://arxiv.org/abs/1802.05957
    """
    real_logits, fake_logits = _as_float32(real_logits, fake_logits)
    return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))


@keras.saving.register_keras_serializable(package="kerasgan")
def hinge_generator_loss(fake_logits, real_logits=None):
    """Hinge-GAN generator loss: -E[D(G(z))].

    Args:
        fake_logits: discriminator logits on generated images, shape (B, 1).
        real_logits: ignored.

    Reference:
        Miyato et al., Spectral Normalization for Generative Adversarial
        Networks, ICLR 2018. https://arxiv.org/abs/1802.05957
    """
    return -ops.mean(ops.cast(fake_logits, "float32"))


@keras.saving.register_keras_serializable(package="kerasgan")
def least_squares_discriminator_loss(real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
    """Least-squares discriminator loss: ½E[(D(x) - b)²] + ½E[(D(G(z)) - a)²].

    The targets are the codes b (real) and a (fake); the defaults are the
    paper's 0-1 coding a = 0, b = c = 1, so label smoothing and label noise
    move the codes just as they move cross-entropy targets. D outputs raw
    scores (no sigmoid).

    Args:
        real_logits: discriminator outputs on real images, shape (B, 1).
        fake_logits: discriminator outputs on generated images, shape (B, 1).
        real_targets: the code b for real images, scalar or per-sample.
        fake_targets: the code a for generated images, scalar or per-sample.

    Reference:
        Mao et al., Least Squares Generative Adversarial Networks, ICCV 2017
        (the 0-1 coding). https://arxiv.org/abs/1611.04076
    """
    real_logits, fake_logits = _as_float32(real_logits, fake_logits)
    real_targets = _targets_like(real_targets, real_logits)
    fake_targets = _targets_like(fake_targets, fake_logits)
    return 0.5 * ops.mean(ops.square(real_logits - real_targets)) + 0.5 * ops.mean(
        ops.square(fake_logits - fake_targets)
    )


@keras.saving.register_keras_serializable(package="kerasgan")
def least_squares_generator_loss(fake_logits, real_logits=None):
    """Least-squares generator loss: ½E[(D(G(z)) - c)²] with c = 1.

    Args:
        fake_logits: discriminator outputs on generated images, shape (B, 1).
        real_logits: ignored.

    Reference:
        Mao et al., Least Squares Generative Adversarial Networks, ICCV 2017
        (the 0-1 coding). https://arxiv.org/abs/1611.04076
    """
    fake_logits = ops.cast(fake_logits, "float32")
    return 0.5 * ops.mean(ops.square(fake_logits - 1.0))


@keras.saving.register_keras_serializable(package="kerasgan")
def relativistic_discriminator_loss(real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
    """Relativistic standard discriminator loss (RSGAN): BCE(C(x_r) - C(x_f), 1).

    D(x_r, x_f) = sigmoid(C(x_r) - C(x_f)) is the probability that the real
    sample is more realistic than its paired fake; real and fake sample i are
    paired, so both batches must have the same size. `real_targets` is the
    target of that probability (1 by default; smoothing or flipping moves it);
    `fake_targets` is unused because each pair has a single target.

    Args:
        real_logits: critic outputs C on real images, shape (B, 1).
        fake_logits: critic outputs C on generated images, shape (B, 1).
        real_targets: target for "real is more realistic", scalar or per pair.
        fake_targets: ignored.

    Reference:
        Jolicoeur-Martineau, The relativistic discriminator: a key element
        missing from standard GAN, 2018 (RSGAN).
        https://arxiv.org/abs/1807.00734
    """
    real_logits, fake_logits = _as_float32(real_logits, fake_logits)
    difference = real_logits - fake_logits
    return binary_crossentropy_from_logits(_targets_like(real_targets, difference), difference)


@keras.saving.register_keras_serializable(package="kerasgan")
def relativistic_generator_loss(fake_logits, real_logits=None):
    """Relativistic standard generator loss (RSGAN): BCE(C(x_f) - C(x_r), 1).

    Needs the real logits ; sample i of each
    batch is paired.

    Args:
        fake_logits: critic outputs C on generated images, shape (B, 1).
        real_logits: critic outputs C on real images, shape (B, 1); required.

    Raises:
        TypeError: if `real_logits` is None.

    Reference:
        Jolicoeur-Martineau, The relativistic discriminator: a key element
        missing from standard GAN, 2018 (RSGAN).
        https://arxiv.org/abs/1807.00734
    """
    _require_real_logits(real_logits, "relativistic_generator_loss")
    # The paper's symmetry: the discriminator's loss with the roles swapped.
    return relativistic_discriminator_loss(fake_logits, real_logits)


@keras.saving.register_keras_serializable(package="kerasgan")
def relativistic_average_discriminator_loss(real_logits, fake_logits, real_targets=1.0, fake_targets=0.0):
    """Relativistic average discriminator loss (RaSGAN).

    BCE(C(x_r) - E[C(x_f)], 1) + BCE(C(x_f) - E[C(x_r)], 0): each real sample
    should look more realistic than the average fake, and each fake less than
    the average real. The averages are over the global batch
    (`global_batch_mean`), so the loss is the same under `tf.distribute`. The
    targets (1 and 0 by default) allow label smoothing and noise as in the
    standard loss.

    Args:
        real_logits: critic outputs C on real images, shape (B, 1).
        fake_logits: critic outputs C on generated images, shape (B, 1).
        real_targets: target of the real term, scalar or per-sample.
        fake_targets: target of the fake term, scalar or per-sample.

    Reference:
        Jolicoeur-Martineau, The relativistic discriminator: a key element
        missing from standard GAN, 2018 (RaSGAN).
        https://arxiv.org/abs/1807.00734
    """
    real_logits, fake_logits = _as_float32(real_logits, fake_logits)
    real_relative = real_logits - global_batch_mean(fake_logits)
    fake_relative = fake_logits - global_batch_mean(real_logits)
    return binary_crossentropy_from_logits(
        _targets_like(real_targets, real_relative), real_relative
    ) + binary_crossentropy_from_logits(_targets_like(fake_targets, fake_relative), fake_relative)


@keras.saving.register_keras_serializable(package="kerasgan")
def relativistic_average_generator_loss(fake_logits, real_logits=None):
    """Relativistic average generator loss (RaSGAN).

    BCE(C(x_f) - E[C(x_r)], 1) + BCE(C(x_r) - E[C(x_f)], 0): the generator
    also gets a gradient through the real term. Averages over the global
    batch; needs the real logits .

    Args:
        fake_logits: critic outputs C on generated images, shape (B, 1).
        real_logits: critic outputs C on real images, shape (B, 1); required.

    Raises:
        TypeError: if `real_logits` is None.

    Reference:
        Jolicoeur-Martineau, The relativistic discriminator: a key element
        missing from standard GAN, 2018 (RaSGAN).
        https://arxiv.org/abs/1807.00734
    """
    _require_real_logits(real_logits, "relativistic_average_generator_loss")
    # The paper's symmetry: the discriminator's loss with the roles swapped.
    return relativistic_average_discriminator_loss(fake_logits, real_logits)


@keras.saving.register_keras_serializable(package="kerasgan")
def feature_matching_loss(real_features, fake_features):
    """Feature matching: ‖E[f(x)] - E[f(G(z))]‖₂² for discriminator features f.

    The generator matches the statistics of an intermediate discriminator
    layer on real data instead of maximizing the discriminator's output.
    The expectations are global batch means, also under tf.distribute.

    Reference:
        Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016,
        Section 3.1. https://arxiv.org/abs/1606.03498
    """
    real_features = ops.cast(real_features, "float32")  # float16 features under mixed precision
    fake_features = ops.cast(fake_features, "float32")
    real_mean = ops.stop_gradient(
        global_batch_mean(ops.reshape(real_features, (ops.shape(real_features)[0], -1)), axis=0)
    )
    fake_mean = global_batch_mean(ops.reshape(fake_features, (ops.shape(fake_features)[0], -1)), axis=0)
    return ops.sum(ops.square(real_mean - fake_mean))
