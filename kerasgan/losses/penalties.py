"""Gradient penalties on the discriminator: WGAN-GP, R1 and DRAGAN.

Each penalty takes the discriminator as a callable `critic(images) -> logits`
of shape (B, 1) and takes its random numbers from the caller, so the model
owns the randomness (a `keras.random.SeedGenerator`) and a seed reproduces a
run. The gradient with respect to the images is taken with an inner
`tf.GradientTape`; called under the model's own tape, the penalty can then be
differentiated again with respect to the critic's weights (double backprop).

The per-sample gradients are those of the sum of the logits, which equals the
gradient of each sample's own logit only when the critic treats samples
independently: no batch normalization in training mode and no minibatch
statistics layer in the critic (Gulrajani et al. 2017 recommend
layer normalization for this reason). Summing rather than averaging also keeps
the inner gradient O(1) per sample, away from float16 underflow under mixed
precision.

All penalties return a float32 scalar, the mean over the (local) batch.
Under mixed float16 pass the optimizer's loss `scale`: the inner gradient is
taken of the scaled logits and divided by the scale in float32, so small
per-sample gradients do not flush to zero in float16 backprop.
"""

import tensorflow as tf
from keras import ops

#: Added under the square root so the norm is differentiable at a zero gradient.
_NORM_EPSILON = 1e-12


def _input_gradients(critic, images, scale=1.0):
    """∇ₓ Σᵢ critic(x)ᵢ at `images`, flattened to (B, -1), in float32; computed `scale` times larger, then divided."""
    images = ops.cast(images, "float32")
    with tf.GradientTape() as tape:
        tape.watch(images)
        logits = ops.cast(critic(images), "float32")
        total = ops.sum(logits) * scale
    gradients = tape.gradient(total, images)
    if gradients is None:
        raise ValueError(
            "The critic's output does not depend on its input images, so there is no gradient to penalize. "
            "Pass a callable that runs the discriminator on the images it is given."
        )
    gradients = ops.cast(gradients, "float32") / scale
    return ops.reshape(gradients, (ops.shape(gradients)[0], -1))


def _gradient_norms(critic, images, scale=1.0):
    gradients = _input_gradients(critic, images, scale)
    return ops.sqrt(ops.sum(ops.square(gradients), axis=1) + _NORM_EPSILON)


def _norm_penalty(norms, one_sided):
    excess = norms - 1.0
    if one_sided:
        excess = ops.relu(excess)
    return ops.mean(ops.square(excess))


def gradient_penalty(critic, real, fake, epsilon, one_sided=False, scale=1.0):
    """Gradient penalty of WGAN-GP: E[(‖∇D(x̂)‖₂ - 1)²] at x̂ = εx + (1 - ε)x̃.

    The penalty is taken on random points of the lines between real and
    generated samples, one ε per sample. The norm has 1e-12 under the square
    root so that a zero gradient does not produce NaN. With `one_sided=True`
    only norms above 1 are penalized, E[max(0, ‖∇D(x̂)‖₂ - 1)²] (Petzka et al.
    2018), which is the Lipschitz constraint itself rather than a norm of
    exactly 1.

    Args:
        critic: callable from images (B, ...) to logits (B, 1), e.g.
            `lambda x: discriminator(x, training=True)`.
        real: real images, shape (B, ...).
        fake: generated images, same shape as `real`.
        epsilon: interpolation weights drawn by the caller, uniform in [0, 1],
            shaped to broadcast against the images: (B, 1, 1, 1) for NHWC.
        one_sided: penalize only norms above 1.
        scale: loss scale of the inner gradient (mixed float16), see above.

    Returns:
        A float32 scalar; multiply by λ (10 in the paper) in the model.

    Example:
        >>> eps = keras.random.uniform((ops.shape(real)[0], 1, 1, 1), seed=seed_generator)
        >>> gp = gradient_penalty(lambda x: d(x, training=True), real, fake, eps)

    Reference:
        Gulrajani et al., Improved Training of Wasserstein GANs, NeurIPS 2017,
        Algorithm 1. https://arxiv.org/abs/1704.00028
        Petzka, Fischer & Lukovnikov, On the regularization of Wasserstein
        GANs, ICLR 2018 (one-sided penalty). https://arxiv.org/abs/1709.08894
    """
    real = ops.cast(real, "float32")
    fake = ops.cast(fake, "float32")
    epsilon = ops.cast(epsilon, "float32")
    interpolates = epsilon * real + (1.0 - epsilon) * fake
    return _norm_penalty(_gradient_norms(critic, interpolates, scale), one_sided)


def r1_penalty(critic, real, scale=1.0):
    """R1 regularizer: E[‖∇ₓD(x)‖₂²] on real data.

    Penalizes the discriminator's gradient on the data manifold only, which
    makes the training dynamics locally convergent. This is the bare mean of
    squared norms: the model multiplies by γ/2 (and by the interval when the
    penalty is applied lazily, every k-th step, as in StyleGAN2).

    Args:
        critic: callable from images (B, ...) to logits (B, 1).
        real: real images, shape (B, ...).
        scale: loss scale of the inner gradient (mixed float16).

    Returns:
        A float32 scalar.

    Reference:
        Mescheder, Geiger & Nowozin, Which Training Methods for GANs do
        actually Converge?, ICML 2018. https://arxiv.org/abs/1801.04406
    """
    gradients = _input_gradients(critic, real, scale)
    return ops.mean(ops.sum(ops.square(gradients), axis=1))


def dragan_penalty(critic, real, perturbation, scale=1.0):
    """DRAGAN penalty: E[(‖∇D(x + δ)‖₂ - 1)²] around the real data.

    Penalizes gradient norms other than 1 in a neighbourhood of the real
    samples, where the sharp gradients that go with mode collapse appear. The
    caller draws the perturbation; `kerasgan.models.GAN` uses the authors'
    choice δ = 0.5·std(x)·U(0, 1), elementwise, with std over the whole
    (global) batch.

    Args:
        critic: callable from images (B, ...) to logits (B, 1).
        real: real images, shape (B, ...).
        perturbation: δ, the same shape as `real` (or broadcastable to it).
        scale: loss scale of the inner gradient (mixed float16).

    Returns:
        A float32 scalar; multiply by λ (10 in the paper) in the model.

    Reference:
        Kodali et al., On Convergence and Stability of GANs, 2017.
        https://arxiv.org/abs/1705.07215
    """
    points = ops.cast(real, "float32") + ops.cast(perturbation, "float32")
    return _norm_penalty(_gradient_norms(critic, points, scale), one_sided=False)


def path_lengths(synthesize, ws, noise):
    """StyleGAN2's path lengths ‖J_wᵀ y‖₂ per sample, J_w the Jacobian of the images with respect to w.

    ‖J_wᵀ y‖ is taken as the gradient of Σ (images · y) with respect to the
    style inputs ws (batch, num_ws, w_dim); as in the paper's code the squared
    norm is summed over w's dimensions and averaged over the style inputs before
    the square root. The caller draws y ~ N(0, I)/√(H·W) (`noise`, the images'
    shape), so that the lengths do not depend on the resolution.

    Args:
        synthesize: callable from ws to images, e.g. the synthesis network in training mode.
        ws: the style inputs, (batch, num_ws, w_dim).
        noise: y, shaped like the images.

    Returns:
        float32 lengths, shape (batch,), differentiable with respect to the
        generator's weights (double backprop).

    Reference:
        Karras et al., Analyzing and Improving the Image Quality of StyleGAN, CVPR 2020, Eq. 4.
        https://arxiv.org/abs/1912.04958
    """
    ws = ops.cast(ws, "float32")
    with tf.GradientTape() as tape:
        tape.watch(ws)
        images = ops.cast(synthesize(ws), "float32")
        total = ops.sum(images * ops.cast(noise, "float32"))
    gradients = tape.gradient(total, ws)
    if gradients is None:
        raise ValueError("The generator's images do not depend on ws; pass a callable that synthesizes from them.")
    return ops.sqrt(ops.mean(ops.sum(ops.square(gradients), axis=2), axis=1) + _NORM_EPSILON)
