"""pix2pix: a conditional GAN for paired image-to-image translation."""

import keras
import tensorflow as tf

from kerasgan import losses as losses_lib
from kerasgan.models.image_translation import ImageTranslation, check_network
from kerasgan.networks import translation as nets
from kerasgan.parts import CriticView, L1Reconstruction, StepBatch
from kerasgan.utils import checks

_SERIALIZE = keras.saving.serialize_keras_object


@keras.saving.register_keras_serializable(package="kerasgan")
class Pix2Pix(ImageTranslation):
    """pix2pix (Isola et al. 2017): G maps x to y, a 70×70 PatchGAN judges (x, y) pairs.

    The objective (Eq. 4), with `objectives=[L1Reconstruction(100)]`:

        G* = arg min_G max_D  L_cGAN(G, D) + λ·E‖y - G(x)‖₁,   λ = 100,

    with the non-saturating generator loss, the discriminator's loss halved
    (Section 3.3) and no latent noise: the U-Net's dropout is the only
    randomness. Each step: G runs once; D is updated on (x, y) and (x, G(x));
    then G is updated through the updated D plus the objectives' terms.

    The shared parts apply to the conditional discriminator:

    - `regularizers=[R1(γ)]` penalizes γ/2·E‖∇_y D(x, y)‖² on the real pairs,
      the gradient taken with respect to the judged image y, the condition x
      held fixed (as a class-conditional GAN holds its labels);
    - `augment=DiffAugment(...)` augments the input and the output as one
      stacked image, so both get the same translation and cutout (and
      brightness; the colour statistics are those of the stack), whether D
      judges a real pair or a translated one;
    - `ema=GeneratorEMA(β)` averages the generator; `translate` uses the average.

    Logged: `d_loss` (halved BCE), `g_gan` (the adversarial term), `g_l1`
    (λ·L1, as it enters the generator's loss) and `g_loss` (the generator's
    total), plus the parts' terms (`r1`, ...).

    Args:
        generator: (B, H, W, C_in) → (B, H, W, C_out) in [-1, 1]; the U-Net
            (`kerasgan.networks.unet_generator`) when None.
        discriminator: [condition, image] → patch logits; the conditional
            70×70 PatchGAN when None.
        image_shape: (H, W, C_in) of the input images.
        target_channels: C_out of the output images.
        base_filters: width of the default networks (64 in the paper).
        objectives: the generator's extra terms; default
            `[L1Reconstruction(100)]`, `[]` for the cGAN loss alone.
        **kwargs: `regularizers`, `constraints`, `augment`, `ema` and `seed`
            (of the U-Net's dropout and the parts' random streams), see
            `AdversarialModel`.

    Example:
        ```python
        model = kerasgan.models.Pix2Pix(image_shape=(256, 256, 3))
        model.compile()                                  # Adam(2e-4, 0.5) for both
        model.fit(kerasgan.data.paired_images("facades/train", image_size=256), epochs=200)
        outputs = model.translate(inputs)                # float32 in [-1, 1]
        ```

    Reference:
        Isola, Zhu, Zhou, Efros, Image-to-Image Translation with Conditional
        Adversarial Networks, CVPR 2017. https://arxiv.org/abs/1611.07004
    """

    def __init__(
        self,
        generator=None,
        discriminator=None,
        image_shape=(256, 256, 3),
        target_channels=3,
        base_filters=64,
        objectives=None,
        **kwargs,
    ):
        objectives = [L1Reconstruction(100.0)] if objectives is None else objectives
        super().__init__(objectives=objectives, **kwargs)
        self.image_shape = checks.image_shape("Pix2Pix", image_shape)
        self.target_channels = checks.positive_int("Pix2Pix", "target_channels", target_channels)
        self.target_shape = (*self.image_shape[:2], self.target_channels)
        self.base_filters = checks.positive_int("Pix2Pix", "base_filters", base_filters)
        self.generator = (
            generator
            if generator is not None
            else nets.unet_generator(
                self.image_shape, self.target_channels, self.base_filters, seed=self.seed, name="generator"
            )
        )
        self.discriminator = (
            discriminator
            if discriminator is not None
            else nets.patchgan_discriminator(
                self.target_shape,
                condition_shape=self.image_shape,
                base_filters=self.base_filters,
                name="discriminator",
            )
        )
        check_network(self.generator, self.image_shape, self.target_shape, "generator")
        check_network(
            self.discriminator, [self.image_shape, self.target_shape], (), "discriminator ([condition, image])"
        )
        self.attach_parts()

    def discriminator_networks(self):
        return [self.discriminator]

    def generator_networks(self):
        return [self.generator]

    def loss_names(self):
        return ("d_loss", "g_loss", "g_gan")

    def translation_network(self, direction):
        self.check_direction(direction)
        return self.generator

    def discriminate(self, condition, images):
        """Patch logits of D, in training mode, on what it sees of the pair (condition, images).

        With `augment` parts the two are augmented as one stacked image: a
        spatial transform that moved the output but not the input would
        misalign the pair, which D could then tell apart from real pairs.
        """
        if self.augment:
            stacked = self.augmented(keras.ops.concatenate([condition, images], axis=-1))
            condition, images = stacked[..., : self.image_shape[-1]], stacked[..., self.image_shape[-1] :]
        return self.discriminator([condition, images], training=True)

    def critic_views(self, batch):
        """D as a function of the judged image, the condition fixed; the penalties see no augmentation."""
        return [CriticView(lambda y: self.discriminator([batch.condition, y], training=True), batch.real, batch.fake)]

    def discriminator_objective(self, batch):
        """(terms, metrics) of D on a `StepBatch(real=y, fake=G(x), condition=x)`."""
        real_logits = self.discriminate(batch.condition, batch.real)
        fake_logits = self.discriminate(batch.condition, batch.fake)
        d_loss = 0.5 * losses_lib.discriminator_loss(real_logits, fake_logits)
        return {"d_loss": d_loss, **self.part_terms("discriminator", batch)}, {}

    def generator_objective(self, batch):
        """(terms, metrics) of G: the adversarial "g_gan" and the objectives' and parts' terms; their total "g_loss"."""
        g_gan = losses_lib.non_saturating_generator_loss(self.discriminate(batch.condition, batch.fake))
        terms = {"g_gan": g_gan, **self.part_terms("generator", batch)}
        return terms, {"g_loss": sum(terms.values())}

    def update_networks(self, data):
        x, y = self.unpack_pair(data, self.image_shape, self.target_shape)
        # The output is generated once; the generator's tape stays open so the
        # same forward pass serves its update after the discriminator's.
        with tf.GradientTape() as g_tape:
            fake = self.generator(x, training=True)
        batch = StepBatch(real=y, fake=fake, condition=x)
        with tf.GradientTape() as d_tape:
            d_terms, d_metrics = self.discriminator_objective(batch)
        self.update("discriminator", d_tape, d_terms, d_metrics)
        with g_tape:
            g_terms, g_metrics = self.generator_objective(batch)
        self.update("generator", g_tape, g_terms, g_metrics)

    def get_config(self):
        return {
            **super().get_config(),
            "generator": _SERIALIZE(self.generator),
            "discriminator": _SERIALIZE(self.discriminator),
            "image_shape": list(self.image_shape),
            "target_channels": self.target_channels,
            "base_filters": self.base_filters,
        }
