"""What the discriminator sees: augmentations applied to every image it judges, real or fake.

The model passes each batch through its `augment=` parts in order (`augment(model, images)`)
before the discriminator, in both networks' updates; the penalties see the
images unaugmented. Later families add ADA and Diffusion-GAN's diffusion here.
"""

import keras
from keras import ops

from kerasgan import augment as diff_augment_lib
from kerasgan.parts.part import Part
from kerasgan.parts.registry import register
from kerasgan.utils import checks


class Augmentation(Part):
    kind = "augment"
    uses_random = True

    def augment(self, model, images):
        raise NotImplementedError


@register("diffaugment")
class DiffAugment(Augmentation):
    """DiffAugment: the same kind of random differentiable augmentation on real and generated images.

    Args:
        policy: comma-separated augmentations applied in order, from
            "color", "translation", "cutout" (the paper's choice with little
            data: all three).
        seed: seed of the augmentations (default: from the model's).

    Reference:
        Zhao et al., Differentiable Augmentation for Data-Efficient GAN
        Training, NeurIPS 2020. https://arxiv.org/abs/2006.10738
    """

    remedies = {
        "discriminator_overpowering": "on small data sets augment=DiffAugment('color,translation,cutout')",
        "mode_collapse": "on small data augment=DiffAugment('color,translation,cutout')",
    }

    def __init__(self, policy=diff_augment_lib.DEFAULT_POLICY, **kwargs):
        super().__init__(**kwargs)
        self.policy = ",".join(diff_augment_lib.parse_policy(policy))  # a bad policy fails here, not in fit()
        if not self.policy:
            raise ValueError("DiffAugment: the policy is empty; name at least one of color, translation, cutout.")

    def augment(self, model, images):
        return diff_augment_lib.diff_augment(images, self.policy, sampler=self.random)

    def get_config(self):
        return {**super().get_config(), "policy": self.policy}


@register("instance_noise")
class InstanceNoise(Augmentation):
    """Instance noise: Gaussian noise of σ on every discriminator input, annealed linearly to 0 over `steps`.

    σ_t = σ₀·max(1 - t / steps, 0), t the generator's step count.

    Args:
        sigma: σ₀.
        steps: generator steps over which σ falls to 0.
        seed: seed of the noise (default: from the model's).

    References:
        Sønderby et al., Amortised MAP Inference for Image Super-resolution, ICLR 2017.
        Arjovsky & Bottou, Towards Principled Methods for Training GANs, ICLR 2017.
    """

    remedies = {
        "discriminator_overpowering": "blur what it sees: augment=InstanceNoise(0.1)",
        "mode_collapse": "augment=InstanceNoise(0.1)",
    }

    def __init__(self, sigma=0.1, steps=10_000, **kwargs):
        super().__init__(**kwargs)
        self.sigma = checks.nonnegative("InstanceNoise", "sigma", sigma)
        self.steps = checks.positive_int("InstanceNoise", "steps", steps)

    def current_sigma(self, model):
        progress = ops.cast(model.g_optimizer.iterations, "float32") / self.steps
        return self.sigma * ops.maximum(1.0 - progress, 0.0)

    def augment(self, model, images):
        noise = self.random(keras.random.normal, ops.shape(images))
        return images + ops.cast(self.current_sigma(model), images.dtype) * ops.cast(noise, images.dtype)

    def get_config(self):
        return {**super().get_config(), "sigma": self.sigma, "steps": self.steps}
