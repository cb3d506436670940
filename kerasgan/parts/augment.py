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

    def seen_shape(self, shape):
        """The shape of one sample after `augment` (its input shape unless the part packs samples)."""
        return tuple(shape)


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


@register("pacgan")
class PacGAN(Augmentation):
    """PacGAN packing: the discriminator judges `packs` samples at once, concatenated along the last axis.

    Every batch the discriminator sees, real or fake, of B samples becomes B / packs
    packed samples: pack i holds samples i·packs, ..., i·packs + packs - 1, in
    that order, along the channel axis of images ((H, W, C) → (H, W, packs·C),
    Lin et al.'s choice) or the coordinates of points ((d,) → (packs·d,)). A
    pack is all real or all fake, so the discriminator sees the diversity of
    a batch and penalizes a generator that collapses. The default
    discriminator of a model with this part is built for the packed shape
    (`model.seen_shape`); the batch size must be a multiple of `packs`. Put
    the part last in `augment=` so that other augmentations see single samples.

    Args:
        packs: samples per pack, m (the paper's default 2).

    Reference:
        Lin, Khetan, Fanti, Oh, PacGAN: The Power of Two Samples in Generative
        Adversarial Networks, NeurIPS 2018. https://arxiv.org/abs/1712.04086
    """

    uses_random = False
    remedies = {"mode_collapse": "let the discriminator see several samples at once: augment=PacGAN(2)"}

    def __init__(self, packs=2, **kwargs):
        super().__init__(**kwargs)
        self.packs = checks.positive_int("PacGAN", "packs", packs)
        if self.packs < 2:
            raise ValueError(f"PacGAN: packs must be at least 2 (1 packs nothing); got {packs!r}.")

    def seen_shape(self, shape):
        return (*shape[:-1], shape[-1] * self.packs)

    def augment(self, model, images):
        m = self.packs
        batch = images.shape[0]
        if batch is not None and batch % m:
            raise ValueError(
                f"PacGAN packs {m} samples per discriminator input but the batch holds {batch}; use a batch size "
                f"that is a multiple of {m}."
            )
        if batch is None:  # a smaller last batch loses the samples that fill no pack
            images = images[: ops.shape(images)[0] // m * m]
        sample = tuple(images.shape[1:])
        grouped = ops.reshape(images, (-1, m, *sample))
        # (B/m, m, ..., C) -> (B/m, ..., m, C) -> (B/m, ..., m·C): sample j of a pack fills channels j·C ... j·C + C - 1.
        grouped = ops.moveaxis(grouped, 1, -2)
        return ops.reshape(grouped, (-1, *self.seen_shape(sample)))

    def get_config(self):
        return {**super().get_config(), "packs": self.packs}
