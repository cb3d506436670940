"""CycleGAN: unpaired translation between domains A and B with cycle consistency."""

import keras
import tensorflow as tf
from keras import ops

from kerasgan import losses as losses_lib
from kerasgan.models.image_translation import ImageTranslation, check_network
from kerasgan.networks import ImagePool
from kerasgan.networks import translation as nets
from kerasgan.parts import CriticView, CycleConsistency, Identity, StepBatch
from kerasgan.schedules import LinearDecay
from kerasgan.utils import checks

_SERIALIZE = keras.saving.serialize_keras_object


@keras.saving.register_keras_serializable(package="kerasgan")
class CycleGAN(ImageTranslation):
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

    data_kind = "unpaired_images"
    directions = ("a2b", "b2a")

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
        self.image_shape = checks.image_shape("CycleGAN", image_shape)
        self.base_filters = checks.positive_int("CycleGAN", "base_filters", base_filters)
        default_blocks = 9 if min(self.image_shape[:2]) >= 256 else 6
        self.n_blocks = checks.positive_int("CycleGAN", "n_blocks", default_blocks if n_blocks is None else n_blocks)
        self.pool_size = checks.nonnegative_int("CycleGAN", "pool_size", pool_size)
        shape, channels = self.image_shape, self.image_shape[-1]

        def generator(name):
            return nets.resnet_generator(shape, channels, self.base_filters, n_blocks=self.n_blocks, name=name)

        def discriminator(name):
            return nets.patchgan_discriminator(
                shape, base_filters=self.base_filters, normalization="instance", name=name
            )

        self.generator_ab = generator_ab if generator_ab is not None else generator("generator_ab")
        self.generator_ba = generator_ba if generator_ba is not None else generator("generator_ba")
        self.discriminator_a = discriminator_a if discriminator_a is not None else discriminator("discriminator_a")
        self.discriminator_b = discriminator_b if discriminator_b is not None else discriminator("discriminator_b")
        for name, network in zip(("generator_ab", "generator_ba"), self.generator_networks()):
            check_network(network, shape, shape, name)
        for name, network in zip(("discriminator_a", "discriminator_b"), self.discriminator_networks()):
            check_network(network, shape, (), name)
        seed = self.seed
        self.pool_a = ImagePool(self.pool_size, shape, seed=seed, name="pool_a")
        self.pool_b = ImagePool(self.pool_size, shape, seed=None if seed is None else seed + 1, name="pool_b")
        self.attach_parts()

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

    def discriminator_networks(self):
        return [self.discriminator_a, self.discriminator_b]

    def generator_networks(self):
        return [self.generator_ab, self.generator_ba]

    def loss_names(self):
        return ("d_a_loss", "d_b_loss", "g_loss", "g_ab_gan", "g_ba_gan")

    def translation_network(self, direction):
        self.check_direction(direction)
        return self.generator_ab if direction == "a2b" else self.generator_ba

    def critic_views(self, batch):
        (real_a, real_b), (fake_a, fake_b) = batch.real, batch.fake
        return [
            CriticView(lambda x: self.discriminator_a(x, training=True), real_a, fake_a),
            CriticView(lambda x: self.discriminator_b(x, training=True), real_b, fake_b),
        ]

    def generator_objective(self, batch):
        """(terms, metrics) of both generators on `StepBatch(real=(a, b), fake=(F(b), G(a)))`; their total "g_loss"."""
        fake_a, fake_b = batch.fake
        # The paper's LS generator term is E[(D - 1)²]; kerasgan's
        # least_squares_generator_loss is Mao et al.'s ½E[(D - 1)²].
        d_b = self.discriminator_b(self.augmented(fake_b), training=True)
        d_a = self.discriminator_a(self.augmented(fake_a), training=True)
        terms = {
            "g_ab_gan": 2.0 * losses_lib.least_squares_generator_loss(d_b),
            "g_ba_gan": 2.0 * losses_lib.least_squares_generator_loss(d_a),
            **self.part_terms("generator", batch),
        }
        return terms, {"g_loss": sum(terms.values())}

    def discriminator_objective(self, batch):
        """(terms, metrics) of both discriminators on `StepBatch(real=(a, b), fake=(pooled F(b), pooled G(a)))`."""
        (real_a, real_b), (fake_a, fake_b) = batch.real, batch.fake
        terms = {}
        for name, network, real, fake in (
            ("d_a_loss", self.discriminator_a, real_a, fake_a),
            ("d_b_loss", self.discriminator_b, real_b, fake_b),
        ):
            terms[name] = losses_lib.least_squares_discriminator_loss(
                network(self.augmented(real), training=True), network(self.augmented(fake), training=True)
            )
        return {**terms, **self.part_terms("discriminator", batch)}, {}

    def update_networks(self, data):
        real_a, real_b = self.unpack_pair(data, self.image_shape, self.image_shape)
        with tf.GradientTape() as g_tape:
            fake_b = self.generator_ab(real_a, training=True)
            fake_a = self.generator_ba(real_b, training=True)
            g_terms, g_metrics = self.generator_objective(StepBatch(real=(real_a, real_b), fake=(fake_a, fake_b)))
        self.update("generator", g_tape, g_terms, g_metrics)
        pooled_a = self.pool_a(ops.stop_gradient(fake_a))
        pooled_b = self.pool_b(ops.stop_gradient(fake_b))
        with tf.GradientTape() as d_tape:
            d_terms, d_metrics = self.discriminator_objective(
                StepBatch(real=(real_a, real_b), fake=(pooled_a, pooled_b))
            )
        self.update("discriminator", d_tape, d_terms, d_metrics)

    def get_config(self):
        return {
            **super().get_config(),
            "generator_ab": _SERIALIZE(self.generator_ab),
            "generator_ba": _SERIALIZE(self.generator_ba),
            "discriminator_a": _SERIALIZE(self.discriminator_a),
            "discriminator_b": _SERIALIZE(self.discriminator_b),
            "image_shape": list(self.image_shape),
            "base_filters": self.base_filters,
            "n_blocks": self.n_blocks,
            "pool_size": self.pool_size,
        }
