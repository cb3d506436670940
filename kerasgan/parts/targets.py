"""Target transforms: what the discriminator's loss is told real and fake images are.

The model passes the targets (1 for real, 0 for fake) through its `targets=`
parts in order (`transform(model, real_targets, fake_targets, shape)`); they
apply to the losses that read targets (cross-entropy, least squares,
relativistic), not to Wasserstein or hinge.
"""

import keras
from keras import ops

from kerasgan.parts.part import Part
from kerasgan.parts.registry import register
from kerasgan.utils import checks


class TargetTransform(Part):
    kind = "target"

    def transform(self, model, real_targets, fake_targets, shape):
        raise NotImplementedError


@register("label_smoothing")
class LabelSmoothing(TargetTransform):
    """One-sided label smoothing: real targets are 1 - α, fake targets stay 0.

    Args:
        alpha: α in [0, 1).

    Reference:
        Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016,
        Section 3.4. https://arxiv.org/abs/1606.03498
    """

    remedies = {
        "discriminator_overpowering": "make its targets softer: targets=[LabelSmoothing(0.1)]",
        "mode_collapse": "targets=[LabelSmoothing(0.1)]",
    }

    def __init__(self, alpha=0.1, **kwargs):
        super().__init__(**kwargs)
        self.alpha = checks.in_range("LabelSmoothing", "alpha", alpha, 0.0, 1.0)

    def transform(self, model, real_targets, fake_targets, shape):
        return real_targets - self.alpha, fake_targets

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


@register("label_noise")
class LabelNoise(TargetTransform):
    """Noisy targets: real targets lowered and fake targets raised by σ·U(0, 1), independently per sample.

    Args:
        sigma: σ >= 0.
        seed: seed of the noise (default: from the model's).
    """

    uses_random = True
    remedies = {"discriminator_overpowering": "targets=[LabelNoise(0.05)]"}

    def __init__(self, sigma=0.05, **kwargs):
        super().__init__(**kwargs)
        self.sigma = checks.nonnegative("LabelNoise", "sigma", sigma)

    def transform(self, model, real_targets, fake_targets, shape):
        real_targets = real_targets - self.sigma * self.random(keras.random.uniform, shape)
        fake_targets = fake_targets + self.sigma * self.random(keras.random.uniform, shape)
        return real_targets, fake_targets

    def get_config(self):
        return {**super().get_config(), "sigma": self.sigma}


@register("label_flip")
class LabelFlip(TargetTransform):
    """Flipped targets: a fraction of the discriminator's real and fake targets swapped, per sample.

    Args:
        fraction: probability that a sample's two targets are swapped, in [0, 0.5).
        seed: seed of the flips (default: from the model's).
    """

    uses_random = True
    remedies = {"discriminator_overpowering": "targets=[LabelFlip(0.05)]"}

    def __init__(self, fraction=0.05, **kwargs):
        super().__init__(**kwargs)
        self.fraction = checks.in_range("LabelFlip", "fraction", fraction, 0.0, 0.5, " (the share of flipped labels)")

    def transform(self, model, real_targets, fake_targets, shape):
        real_targets = ops.broadcast_to(ops.cast(real_targets, "float32"), shape)
        fake_targets = ops.broadcast_to(ops.cast(fake_targets, "float32"), shape)
        flip = self.random(keras.random.uniform, shape) < self.fraction
        return ops.where(flip, fake_targets, real_targets), ops.where(flip, real_targets, fake_targets)

    def get_config(self):
        return {**super().get_config(), "fraction": self.fraction}
