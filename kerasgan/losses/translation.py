"""Reconstruction terms of image-to-image translation: pix2pix's L1 and CycleGAN's cycle and identity losses.

The adversarial parts reuse `kerasgan.losses.adversarial`; these are the
terms that compare images with images. Each returns a float32 scalar, the
mean absolute difference over every pixel and channel of the batch.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
def l1_loss(target, output):
    """Mean absolute error E[‖y - G(x)‖₁] (per pixel and channel).

    pix2pix adds λ·L1 (λ = 100) to the conditional GAN loss: L1 captures the
    low frequencies, the PatchGAN the high ones, and L1 blurs less than L2.

    Reference:
        Isola et al., Image-to-Image Translation with Conditional Adversarial
        Networks, CVPR 2017, Eq. 3. https://arxiv.org/abs/1611.07004
    """
    return ops.mean(ops.abs(ops.cast(target, "float32") - ops.cast(output, "float32")))


@keras.saving.register_keras_serializable(package="kerasgan")
def mse_loss(target, output):
    """Mean squared error E[(y - G(x))²] (per pixel and channel): DiscoGAN's reconstruction distance."""
    return ops.mean(ops.square(ops.cast(target, "float32") - ops.cast(output, "float32")))


#: the reconstruction distances of the cycle terms, by name
DISTANCES = {"l1": l1_loss, "mse": mse_loss}


@keras.saving.register_keras_serializable(package="kerasgan")
def cycle_consistency_loss(real_a, cycled_a, real_b, cycled_b, criterion="l1"):
    """The cycle-consistency loss d(F(G(a)), a) + d(G(F(b)), b), with d the mean of |·| ("l1") or (·)² ("mse").

    CycleGAN uses L1: E‖F(G(a)) - a‖₁ + E‖G(F(b)) - b‖₁; DiscoGAN's
    reconstruction losses L_CONST_A + L_CONST_B use a distance d that the
    authors' code takes as the MSE.

    Args:
        real_a, real_b: images of domains A and B.
        cycled_a: F(G(real_a)), the forward cycle's reconstruction.
        cycled_b: G(F(real_b)), the backward cycle's reconstruction.
        criterion: "l1" or "mse".

    References:
        Zhu et al., Unpaired Image-to-Image Translation using Cycle-Consistent
        Adversarial Networks, ICCV 2017, Eq. 2. https://arxiv.org/abs/1703.10593
        Kim et al., Learning to Discover Cross-Domain Relations with Generative
        Adversarial Networks, ICML 2017, Eq. 2-5. https://arxiv.org/abs/1703.05192
    """
    if criterion not in DISTANCES:
        raise ValueError(
            f"cycle_consistency_loss: criterion must be one of {', '.join(map(repr, DISTANCES))}; got {criterion!r}."
        )
    distance = DISTANCES[criterion]
    return distance(real_a, cycled_a) + distance(real_b, cycled_b)


@keras.saving.register_keras_serializable(package="kerasgan")
def identity_loss(real_a, same_a, real_b, same_b):
    """CycleGAN's identity loss E‖F(a) - a‖₁ + E‖G(b) - b‖₁.

    Each generator, fed an image of its own target domain, should return it
    unchanged; the paper adds it with weight 0.5·λ for photo↔painting to keep
    the colours.

    Args:
        real_a, real_b: images of domains A and B.
        same_a: F(real_a), the B→A generator applied to an A image.
        same_b: G(real_b), the A→B generator applied to a B image.

    Reference:
        Zhu et al. 2017, Section 5.2 ("Photo generation from paintings"),
        after Taigman et al. 2017. https://arxiv.org/abs/1703.10593
    """
    return l1_loss(real_a, same_a) + l1_loss(real_b, same_b)
