"""CycleGAN: unpaired translation between domains A and B with cycle consistency."""

import keras

from kerasgan import losses as losses_lib
from kerasgan.models.image_translation import TwoWayTranslation
from kerasgan.networks import translation as nets
from kerasgan.parts import CycleConsistency, Identity
from kerasgan.schedules import LinearDecay
from kerasgan.utils import checks


@keras.saving.register_keras_serializable(package="kerasgan")
class CycleGAN(TwoWayTranslation):
    """CycleGAN (Zhu et al. 2017): G: A → B, F: B → A, PatchGANs D_A and D_B, least squares, cycle consistency.

    The generators minimize (Eq. 3, least-squares adversarial terms, Section 4),
    with the default `objectives=[CycleConsistency(10), Identity(5)]`:

        E[(D_B(G(a)) - 1)²] + E[(D_A(F(b)) - 1)²]
        + λ·(E‖F(G(a)) - a‖₁ + E‖G(F(b)) - b‖₁)
        + 0.5·λ·(E‖F(a) - a‖₁ + E‖G(b) - b‖₁),        λ = 10,

    and each discriminator ½E[(D(real) - 1)²] + ½E[D(fake)²], its fakes drawn
    through a history pool of 50 images. One `g_optimizer` updates both
    generators and one `d_optimizer` both discriminators, as in the authors'
    code; Adam's per-weight updates make that the same as one optimizer per
    network. The default optimizers are Adam(2e-4, beta_1=0.5) with a
    `LinearDecay` schedule (`paper_optimizers`).

    Each step: both translations run once; both generators are updated (the
    objectives run the cycle and identity passes; without `Identity` in
    `objectives` the identity passes do not run); the same translations,
    through the pools, then update both discriminators.

    The shared parts apply to both halves: `regularizers=[R1(γ)]` penalizes
    each discriminator on its real domain and logs the sum,
    γ/2·(E‖∇D_A(a)‖² + E‖∇D_B(b)‖²); `augment=DiffAugment(...)` augments
    every image either discriminator judges, real, pooled or just
    translated; `ema=GeneratorEMA(β)` averages both generators and
    `translate` uses the averages.

    Logged: `d_a_loss`, `d_b_loss`, `g_ab_gan`, `g_ba_gan`, the objectives'
    weighted terms (`cycle_loss`, `identity_loss`) and `g_loss` (the
    generators' total), plus the parts' terms.

    Args:
        generator_ab, generator_ba: image → image networks; ResNet generators
            (`kerasgan.networks.resnet_generator`) when None.
        discriminator_a, discriminator_b: image → patch logits; 70×70
            PatchGANs with instance normalization when None.
        image_shape: (H, W, C) of both domains (the identity term needs the
            same shape; give grayscale images three channels).
        base_filters: width of the default networks (64 in the paper).
        n_blocks: residual blocks; None: 9 from 256 pixels up, else 6.
        pool_size: images in each history pool; 0 disables the pools.
        objectives: the generators' extra terms; default
            `[CycleConsistency(10), Identity(5)]` (drop `Identity` to train
            without it).
        **kwargs: `regularizers`, `augment`, `ema`, `seed` (of the pools'
            random choices), see `AdversarialModel`.

    Example:
        ```python
        model = kerasgan.models.CycleGAN(image_shape=(128, 128, 3))
        model.compile(*kerasgan.models.CycleGAN.paper_optimizers(constant_steps=50_000, decay_steps=50_000))
        model.fit(kerasgan.data.unpaired_images("horses/", "zebras/", image_size=128), epochs=100)
        zebras = model.translate(horses, "a2b")
        ```

    Reference:
        Zhu, Park, Isola, Efros, Unpaired Image-to-Image Translation using
        Cycle-Consistent Adversarial Networks, ICCV 2017.
        https://arxiv.org/abs/1703.10593
    """

    def __init__(
        self,
        generator_ab=None,
        generator_ba=None,
        discriminator_a=None,
        discriminator_b=None,
        image_shape=(256, 256, 3),
        base_filters=64,
        n_blocks=None,
        pool_size=50,
        objectives=None,
        **kwargs,
    ):
        objectives = [CycleConsistency(10.0), Identity(5.0)] if objectives is None else objectives
        super().__init__(objectives=objectives, **kwargs)
        shape = checks.image_shape("CycleGAN", image_shape)
        default_blocks = 9 if min(shape[:2]) >= 256 else 6
        self.n_blocks = checks.positive_int("CycleGAN", "n_blocks", default_blocks if n_blocks is None else n_blocks)
        filters = checks.positive_int("CycleGAN", "base_filters", base_filters)

        def generator(name):
            return nets.resnet_generator(shape, shape[-1], filters, n_blocks=self.n_blocks, name=name)

        def discriminator(name):
            return nets.patchgan_discriminator(shape, base_filters=filters, normalization="instance", name=name)

        self.set_networks(
            (generator_ab, generator_ba, discriminator_a, discriminator_b),
            shape,
            filters,
            pool_size,
            generator,
            discriminator,
        )

    @staticmethod
    def paper_optimizers(constant_steps=100_000, decay_steps=100_000, learning_rate=2e-4):
        """(d_optimizer, g_optimizer): Adam(beta_1=0.5) at `learning_rate`, constant then decaying linearly to 0.

        The paper trains 100 epochs at 2e-4 and decays over 100 more (with
        ~1,000 images at batch size 1: about 100,000 steps each, the defaults).
        """
        return tuple(
            keras.optimizers.Adam(LinearDecay(learning_rate, constant_steps, decay_steps), beta_1=0.5) for _ in range(2)
        )

    def default_optimizers(self):
        return self.paper_optimizers()

    def generator_gan_loss(self, fake_logits):
        # The paper's LS generator term is E[(D - 1)²]; kerasgan's
        # least_squares_generator_loss is Mao et al.'s ½E[(D - 1)²].
        return 2.0 * losses_lib.least_squares_generator_loss(fake_logits)

    def discriminator_gan_loss(self, real_logits, fake_logits):
        return losses_lib.least_squares_discriminator_loss(real_logits, fake_logits)

    def get_config(self):
        return {**super().get_config(), "n_blocks": self.n_blocks}
