"""What the discriminator sees: augmentations applied to every image it judges, real or fake.

The model passes each batch through its `augment=` parts in order (`augment(model, images)`)
before the discriminator, in both networks' updates; the penalties see the
images unaugmented. Diffusion-GAN's forward diffusion (`Diffusion`, its adaptive T) and ADA (`ADA`, its
adaptive p) share one controller, `adapt_strength`.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import augment as diff_augment_lib
from kerasgan import losses as formulas
from kerasgan.parts.part import Part
from kerasgan.parts.registry import register
from kerasgan.utils import checks


class Augmentation(Part):
    kind = "augment"
    uses_random = True

    def augment(self, model, images):
        raise NotImplementedError

    def seen_shape(self, shape):
        """The shape of one sample after `augment` (its input shape unless the part packs samples or adds channels)."""
        return tuple(shape)

    def unaugmented(self, model, images):
        """`images` as the discriminator sees them with this part switched off (what the penalties judge).

        The identity, unless the part changes the shape of what D sees: PacGAN still packs, a
        t-conditioned Diffusion adds the channel of t = 0.
        """
        return images


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

    def attach(self, model, seed=None):
        super().attach(model, seed)
        conditional = getattr(model, "discriminator_input_count", 1) != 1
        if conditional or getattr(model, "auxiliary_term_names", tuple)():
            raise ValueError(
                f"PacGAN packs the images an unconditional discriminator judges; {type(model).__name__}'s "
                "discriminator also takes a condition or predicts per image, which packs cannot carry. Use PacGAN "
                "with GAN, DCGAN or the loss variants."
            )

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

    def unaugmented(self, model, images):
        return self.augment(model, images)

    def get_config(self):
        return {**super().get_config(), "packs": self.packs}


@register("diffusion")
class Diffusion(Augmentation):
    """Diffusion-GAN's forward diffusion: D sees real and fake images diffused t steps, T adapted to D.

    Every image the discriminator judges, real or generated, is replaced by
    x_t ~ q(x_t | x) = N(√ᾱ_t · x, (1 − ᾱ_t) σ² I), with ᾱ_t = Π_{s≤t} (1 − β_s)
    for a linear schedule β_1 … β_{t_max} from `beta_start` to `beta_end`;
    the generator's gradient flows through it (reparameterized). Per image, t
    is 0 with probability `zero_share` and otherwise drawn from the priority
    distribution π(t) ∝ t on {1, …, T}. T itself adapts: every `interval`
    discriminator updates, r_d = E[sign(D(x_t))] on the real images of those
    steps moves p by sign(r_d − target) · (images seen) / (ada_kimg · 1000)
    (clipped to [0, 1]) and T = t_min + round(p · (t_max − t_min)): a
    discriminator too sure of the real data sees more noise.

    T, p and the ᾱ table are the part's weights (saved and restored with the
    model) and T and r_d are logged as `diffusion_T` and `diffusion_r_d`.

    The discriminator is told t, D(x_t, t), as in the paper: with
    `t_channel=True` (the default) every image it judges carries one more
    channel (the last, or one more coordinate of a point) that holds t / t_max at
    every pixel, so a model's default discriminator is built for C + 1
    channels (`model.seen_shape`). The penalties (R1, GP, ...) judge the
    undiffused images with that channel at 0 (t = 0).

    Args:
        beta_start, beta_end: the linear β schedule's ends (the authors' 1e-4, 2e-2).
        t_min, t_max: T's range; T starts at t_min.
        sigma: σ, the noise scale (the authors' 0.05).
        target: the r_d that T steers toward (0.6).
        interval: discriminator updates between adjustments of T (4).
        ada_kimg: thousands of real images over which p could go from 0 to 1 (100).
        zero_share: the share of images left undiffused, t = 0 (the authors' ½).
        t_channel: whether D is told t (the paper's timestep-conditioned D); False gives D the
            diffused images alone, as instance noise would.
        seed: seed of the noise and the timesteps (default: from the model's).

    Reference:
        Wang, Zheng, He, Chen & Zhou, Diffusion-GAN: Training GANs with
        Diffusion, ICLR 2023 (arXiv 2022), Eqs. 1–4 and Section 3.
        https://arxiv.org/abs/2206.02262
    """

    d_metrics = ("diffusion_T", "diffusion_r_d")
    remedies = {
        "discriminator_overpowering": "diffuse what it sees, with adaptive strength: augment=Diffusion()",
        "mode_collapse": "on small data augment=Diffusion()",
    }

    def __init__(
        self,
        beta_start=1e-4,
        beta_end=2e-2,
        t_min=10,
        t_max=500,
        sigma=0.05,
        target=0.6,
        interval=4,
        ada_kimg=100,
        zero_share=0.5,
        t_channel=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        owner = "Diffusion"
        self.beta_start = checks.in_range(owner, "beta_start", beta_start, 0.0, 1.0)
        self.beta_end = checks.in_range(owner, "beta_end", beta_end, 0.0, 1.0)
        self.t_min = checks.nonnegative_int(owner, "t_min", t_min)
        self.t_max = checks.positive_int(owner, "t_max", t_max)
        if self.t_min > self.t_max:
            raise ValueError(f"Diffusion: t_min ({t_min}) must not exceed t_max ({t_max}).")
        self.sigma = checks.positive(owner, "sigma", sigma)
        self.target = checks.in_range(owner, "target", target, -1.0, 1.0)
        self.interval = checks.positive_int(owner, "interval", interval)
        self.ada_kimg = checks.positive(owner, "ada_kimg", ada_kimg)
        self.zero_share = checks.in_range(owner, "zero_share", zero_share, 0.0, 1.0)
        if not isinstance(t_channel, bool):
            raise ValueError(f"Diffusion: t_channel must be True or False; got {t_channel!r}.")
        self.t_channel = t_channel

    def attach(self, model, seed=None):
        super().attach(model, seed)
        # Made here, in the model's constructor, so that under tf.distribute they are mirrored.
        betas = np.linspace(self.beta_start, self.beta_end, self.t_max)
        # ᾱ_0 = 1: t = 0 leaves the image exactly as it was.
        alphas_bar = np.concatenate([[1.0], np.cumprod(1.0 - betas)]).astype("float32")
        self.alphas_bar = self.add_weight(
            shape=(self.t_max + 1,),
            initializer=keras.initializers.Constant(alphas_bar),
            trainable=False,
            name="alphas_bar",
        )
        scalar = {"shape": (), "trainable": False, "aggregation": "only_first_replica"}
        self.p = self.add_weight(initializer="zeros", name="p", **scalar)
        self.T = self.add_weight(initializer=keras.initializers.Constant(float(self.t_min)), name="T", **scalar)
        self.r_d = self.add_weight(initializer="zeros", name="r_d", **scalar)
        self._sign_sum = self.add_weight(initializer="zeros", name="sign_sum", **scalar)
        self._observed = self.add_weight(initializer="zeros", name="observed", **scalar)

    def sample_timesteps(self, batch_size):
        """t per image: 0 with probability `zero_share`, else π(t) ∝ t on {1, …, T} (inverse CDF k(k+1)/(T(T+1)))."""
        zero, u = (self.random(keras.random.uniform, (batch_size,)) for _ in range(2))
        T = ops.maximum(self.T, 1.0)
        t = ops.ceil((ops.sqrt(1.0 + 4.0 * u * T * (T + 1.0)) - 1.0) / 2.0)
        t = ops.clip(t, 1.0, T)
        return ops.cast(ops.where(zero < self.zero_share, 0.0, t), "int32")

    def diffuse(self, images, t):
        """x_t = √ᾱ_t · x + √(1 − ᾱ_t) · σ · ε, ε ~ N(0, I), for a timestep per image."""
        alpha_bar = self._per_sample(ops.take(self.alphas_bar, t), images)
        noise = self.random(keras.random.normal, ops.shape(images))
        alpha_bar = ops.cast(alpha_bar, images.dtype)
        return ops.sqrt(alpha_bar) * images + ops.sqrt(1.0 - alpha_bar) * ops.cast(self.sigma * noise, images.dtype)

    @staticmethod
    def _per_sample(values, images):
        """A value per sample, shaped to broadcast over the sample's axes (images or points)."""
        return ops.reshape(values, (-1,) + (1,) * (len(images.shape) - 1))

    def seen_shape(self, shape):
        return (*shape[:-1], shape[-1] + 1) if self.t_channel else tuple(shape)

    def with_t(self, images, t):
        """`images` with the channel of t / t_max appended (unchanged without `t_channel`)."""
        if not self.t_channel:
            return images
        level = self._per_sample(ops.cast(t, images.dtype) / ops.cast(self.t_max, images.dtype), images)
        return ops.concatenate([images, ops.zeros_like(images[..., :1]) + level], axis=-1)

    def augment(self, model, images):
        t = self.sample_timesteps(ops.shape(images)[0])
        return self.with_t(self.diffuse(images, t), t)

    def unaugmented(self, model, images):
        return self.with_t(images, ops.zeros((ops.shape(images)[0],), "int32"))

    def observe_logits(self, model, real_logits, fake_logits):
        adapt_strength(self, real_logits, self.r_d)
        self.T.assign(ops.round(self.t_min + self.p * (self.t_max - self.t_min)))

    def discriminator_metrics(self, model):
        return {"diffusion_T": self.T, "diffusion_r_d": self.r_d}

    def get_config(self):
        return {
            **super().get_config(),
            "beta_start": self.beta_start,
            "beta_end": self.beta_end,
            "t_min": self.t_min,
            "t_max": self.t_max,
            "sigma": self.sigma,
            "target": self.target,
            "interval": self.interval,
            "ada_kimg": self.ada_kimg,
            "zero_share": self.zero_share,
            "t_channel": self.t_channel,
        }


def adapt_strength(part, real_logits, r_logged):
    """ADA's controller, shared by `ADA` and `Diffusion`: p steered by r = E[sign(D(real))] toward `part.target`.

    The signs of the real logits are summed over `part.interval`
    discriminator updates; then r, their mean, moves p by
    sign(r − target) · (images in those updates) / (ada_kimg · 1000), clipped
    to [0, 1], and r is written to `r_logged`. `part` holds the weights `p`,
    `_sign_sum` and `_observed` and the settings `target`, `interval`, `ada_kimg`.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    part._sign_sum.assign_add(formulas.global_batch_mean(ops.sign(ops.cast(real_logits, "float32"))))
    part._observed.assign_add(1.0)
    due = part._observed >= part.interval
    r = part._sign_sum / part._observed
    images = ops.cast(ops.shape(real_logits)[0] * replicas * part.interval, "float32")
    adjusted = ops.clip(part.p + ops.sign(r - part.target) * images / (part.ada_kimg * 1000.0), 0.0, 1.0)
    part.p.assign(ops.where(due, adjusted, part.p))
    r_logged.assign(ops.where(due, r, r_logged))
    part._sign_sum.assign(ops.where(due, 0.0, part._sign_sum))
    part._observed.assign(ops.where(due, 0.0, part._observed))


#: ADA's transforms; each is applied to each image with probability p, in the order of the policy.
ADA_TRANSFORMS = (
    "xflip", "rotate90", "translation", "scale", "rotate", "aniso", "xfrac", "color", "lumaflip", "hue", "cutout",
)  # fmt: skip
#: the geometric transforms with a continuous parameter: one sampling matrix each, a run of them resampled once
ADA_GEOMETRIC = ("scale", "rotate", "aniso", "xfrac")
#: the paper's "bgc" pipeline: pixel blitting, general geometric and colour transforms (no cutout)
ADA_POLICY = "xflip,rotate90,translation,scale,rotate,aniso,xfrac,color,lumaflip,hue"
#: the luma axis of RGB, about which "lumaflip" reflects and "hue" rotates the colours
_LUMA = np.full(3, 1 / np.sqrt(3.0), "float32")


@register("ada")
class ADA(Augmentation):
    """Adaptive discriminator augmentation: each transform applied to each image with probability p, p adapted to D.

    Every image the discriminator judges, real or generated, goes through the
    transforms of `policy` in order, each one applied to each image
    independently with probability p (non-leaking as long as p stays below
    about 0.8, section 2 of the paper: each transform's draws include the
    identity, so that the augmented images still determine the originals):
    "xflip" (a horizontal flip or none, ½ each), "rotate90" (by 0°, 90°, 180°
    or 270°, ¼ each, square images), "translation" (integer,
    up to 1/8 of the side, zero fill), "scale" (isotropic, 2^N(0, 0.2²)),
    "rotate" (uniform in ±180°), "aniso" (x by s and y by 1/s, s =
    2^N(0, 0.2²)), "xfrac" (a fractional shift of N(0, (side/8)²)), "color"
    (brightness, saturation and contrast, DiffAugment's ranges), "lumaflip"
    (the colours reflected about the luma axis, or not, ½ each: −x for gray images), "hue"
    (the colours rotated about the luma axis by a uniform angle: nothing for
    gray images) and "cutout" (a square of half the side, not in the default).
    The default policy is the paper's "bgc" pipeline in its order. A run of
    consecutive geometric transforms composes their matrices and resamples
    the image once (`kerasgan.augment.affine_warp`: bilinear, mirror padding;
    the paper's anti-aliasing filter is not applied). All are differentiable,
    so the generator learns through them.

    p starts at `initial_p` and is adjusted every `interval` discriminator
    updates from r_t = E[sign(D(real))] over them: p moves by
    sign(r_t − target)·(images seen in them) / (ada_kimg·1000), clipped to
    [0, 1] (the paper: target 0.6, interval 4, ada_kimg 500: p could go from
    0 to 1 in 500k images). p and r_t are part weights (saved and resumed
    with the model) and logged as "ada_p" and "ada_r_t".

    Args:
        target: the r_t that p steers toward (0.6).
        interval: discriminator updates between adjustments (4).
        ada_kimg: thousands of real images over which p can move by 1 (500).
        initial_p: p at the start (0).
        policy: comma-separated transforms from `ADA_TRANSFORMS`.
        seed: seed of the transforms (default: from the model's).

    Reference:
        Karras, Aittala, Hellsten, Laine, Lehtinen, Aila, Training Generative
        Adversarial Networks with Limited Data, NeurIPS 2020, section 3.
        https://arxiv.org/abs/2006.06676
    """

    d_metrics = ("ada_p", "ada_r_t")
    remedies = {
        "discriminator_overpowering": "on small data sets augment=ADA() (adaptive, target 0.6)",
        "mode_collapse": "on small data augment=ADA()",
    }

    def __init__(self, target=0.6, interval=4, ada_kimg=500, initial_p=0.0, policy=ADA_POLICY, **kwargs):
        super().__init__(**kwargs)
        self.target = checks.in_range("ADA", "target", target, -1.0, 1.0)
        self.interval = checks.positive_int("ADA", "interval", interval)
        self.ada_kimg = checks.positive("ADA", "ada_kimg", ada_kimg)
        self.initial_p = checks.in_range("ADA", "initial_p", initial_p, 0.0, 1.0 + 1e-9)
        names = [n.strip() for n in (policy.split(",") if isinstance(policy, str) else policy) if n.strip()]
        unknown = [n for n in names if n not in ADA_TRANSFORMS]
        if unknown or not names:
            raise ValueError(
                f"ADA: unknown or empty policy {policy!r}; name transforms from {', '.join(ADA_TRANSFORMS)} "
                "separated by commas."
            )
        self.policy = ",".join(names)

    def attach(self, model, seed=None):
        super().attach(model, seed)
        scalar = {"shape": (), "trainable": False, "aggregation": "only_first_replica"}
        self.p = self.add_weight(initializer=keras.initializers.Constant(self.initial_p), name="p", **scalar)
        self.r_t = self.add_weight(initializer="zeros", name="r_t", **scalar)
        self._sign_sum = self.add_weight(initializer="zeros", name="sign_sum", **scalar)
        self._observed = self.add_weight(initializer="zeros", name="observed", **scalar)

    def _sampling_matrix(self, name, images):
        """(N, 3, 3) homogeneous matrices mapping output to input pixel coordinates, drawn per image."""
        n = ops.shape(images)[0]
        zero, one = ops.zeros((n,)), ops.ones((n,))
        if name == "rotate":
            angle = (self.random(keras.random.uniform, (n,)) * 2.0 - 1.0) * np.pi
            cos, sin = ops.cos(angle), ops.sin(angle)
            rows = [[cos, -sin, zero], [sin, cos, zero]]
        elif name == "xfrac":
            shift = self.random(keras.random.normal, (n, 2)) * 0.125
            rows = [[one, zero, shift[:, 0] * images.shape[2]], [zero, one, shift[:, 1] * images.shape[1]]]
        else:  # scale, aniso: log2-normal factors, σ = 0.2
            factor = ops.power(2.0, self.random(keras.random.normal, (n,)) * 0.2)
            rows = [[factor, zero, zero], [zero, factor if name == "scale" else 1.0 / factor, zero]]
        return ops.stack([ops.stack(row, axis=-1) for row in (*rows, [zero, zero, one])], axis=1)

    def _recolor(self, name, images):
        """lumaflip / hue: a 3×3 colour matrix per image about the luma axis v (gray images: its mean row sum)."""
        n, channels = ops.shape(images)[0], images.shape[-1]
        if channels not in (1, 3):
            raise ValueError(
                f"ADA's {name} needs gray or RGB images (1 or 3 channels); got {channels}. Drop it from the policy."
            )
        v = ops.convert_to_tensor(_LUMA)
        outer = ops.outer(v, v)
        if name == "lumaflip":
            matrix = ops.where(self._coin(images)[:, :, :, 0], ops.eye(3) - 2.0 * outer, ops.eye(3))
        else:  # Rodrigues: cos θ·I + sin θ·[v]× + (1 − cos θ)·v vᵀ
            angle = (self.random(keras.random.uniform, (n,)) * 2.0 - 1.0) * np.pi
            cross = ops.convert_to_tensor(
                np.array([[0, -_LUMA[2], _LUMA[1]], [_LUMA[2], 0, -_LUMA[0]], [-_LUMA[1], _LUMA[0], 0]], "float32")
            )
            cos, sin = ops.cos(angle)[:, None, None], ops.sin(angle)[:, None, None]
            matrix = cos * ops.eye(3) + sin * cross + (1.0 - cos) * outer
        matrix = ops.cast(matrix, images.dtype)
        if channels == 1:
            return images * ops.mean(ops.sum(matrix, axis=2), axis=1)[:, None, None, None]
        return ops.einsum("nhwc,ndc->nhwd", images, matrix)

    def _coin(self, images):
        """(N, 1, 1, 1) booleans, true for half the images: the flips' draw, the identity being the other outcome."""
        return self.random(keras.random.uniform, (ops.shape(images)[0],))[:, None, None, None] < 0.5

    def _transform(self, name, images):
        if name in ("lumaflip", "hue"):
            return self._recolor(name, images)
        if name == "xflip":
            return ops.where(self._coin(images), ops.flip(images, axis=2), images)
        if name == "rotate90":
            if images.shape[1] != images.shape[2]:
                raise ValueError(
                    f"ADA's rotate90 needs square images; got {images.shape[1]}×{images.shape[2]}. Drop it from the "
                    "policy (ADA(policy='xflip,translation,color,cutout'))."
                )
            quarter = ops.flip(ops.transpose(images, (0, 2, 1, 3)), axis=2)  # 90° clockwise
            half = ops.flip(ops.flip(images, axis=1), axis=2)
            three = ops.flip(ops.transpose(images, (0, 2, 1, 3)), axis=1)  # 270° clockwise
            k = ops.floor(self.random(keras.random.uniform, (ops.shape(images)[0],)) * 4.0)[:, None, None, None]
            return ops.where(k < 1, images, ops.where(k < 2, quarter, ops.where(k < 3, half, three)))
        return diff_augment_lib.diff_augment(images, name, sampler=self.random)

    def augment(self, model, images):
        p = ops.cast(self.p, "float32")
        sampling = None  # the composed matrix of the current run of geometric transforms
        for name in self.policy.split(","):
            applied = self.random(keras.random.uniform, (ops.shape(images)[0],)) < p
            if name in ADA_GEOMETRIC:
                matrix = ops.where(applied[:, None, None], self._sampling_matrix(name, images), ops.eye(3))
                sampling = matrix if sampling is None else ops.matmul(sampling, matrix)
                continue
            if sampling is not None:
                images, sampling = diff_augment_lib.affine_warp(images, sampling[:, :2]), None
            images = ops.where(applied[:, None, None, None], self._transform(name, images), images)
        if sampling is not None:
            images = diff_augment_lib.affine_warp(images, sampling[:, :2])
        return images

    def observe_logits(self, model, real_logits, fake_logits):
        adapt_strength(self, real_logits, self.r_t)

    def discriminator_metrics(self, model):
        return {"ada_p": self.p, "ada_r_t": self.r_t}

    def get_config(self):
        return {
            **super().get_config(),
            "target": self.target,
            "interval": self.interval,
            "ada_kimg": self.ada_kimg,
            "initial_p": self.initial_p,
            "policy": self.policy,
        }
