"""DiscoGAN: cross-domain relations discovered from unpaired images, with reconstruction in both directions."""

import keras

from kerasgan import losses as losses_lib
from kerasgan.models.image_translation import TwoWayTranslation
from kerasgan.networks import translation as nets
from kerasgan.parts import CycleConsistency
from kerasgan.utils import checks


@keras.saving.register_keras_serializable(package="kerasgan")
class DiscoGAN(TwoWayTranslation):
    """DiscoGAN (Kim et al. 2017): encoder-decoder G_AB and G_BA, conv discriminators D_A and D_B, BCE, reconstruction.

    The generators minimize (Eq. 2-5, L_G = L_GAB + L_GBA), with the default
    `objectives=[CycleConsistency(1.0, criterion="mse")]`:

        -E[log D_B(G_AB(a))] - E[log D_A(G_BA(b))]
        + E[(G_BA(G_AB(a)) - a)²] + E[(G_AB(G_BA(b)) - b)²],

    and each discriminator its BCE, -E[log D(real)] - E[log(1 - D(fake))]
    (L_DA, L_DB), on this step's translations (no history pool by default).
    The paper leaves the reconstruction distance open ("MSE, cosine distance,
    hinge-loss"); the authors' code uses the MSE, which is the default here
    (`CycleConsistency(w, criterion="l1")` gives CycleGAN's L1 instead).
    The four terms are summed with equal weights as in the paper's L_G; the
    authors' code also adds D's feature matching and a curriculum on the
    reconstruction weight, left out here.

    Networks (Section 4, the authors' code at 64×64): the generators are
    `unet_generator(skip_connections=False, dropout=0)` of depth 4, an
    encoder of 4×4 stride-2 convolutions C64-C128-C256-C512 with LeakyReLU(0.2)
    and BatchNorm and a decoder of transposed convolutions back up with ReLU
    and BatchNorm, tanh output, no skips (the innermost encoder layer is
    not normalized, as in pix2pix's encoder); the discriminators are
    `discogan_discriminator`: the same encoder and one logit per image.
    Optimizers: Adam(2e-4, beta_1=0.5), constant.

    Logged: `d_a_loss`, `d_b_loss`, `g_ab_gan`, `g_ba_gan`, `cycle_loss`
    (the weighted reconstruction terms) and `g_loss` (the generators' total),
    plus the parts' terms. Shared parts apply as on CycleGAN.

    Args:
        generator_ab, generator_ba: image → image networks; the paper's
            encoder-decoders when None.
        discriminator_a, discriminator_b: image → logits; the paper's
            convolutional discriminators when None.
        image_shape: (H, W, C) of both domains (64×64×3 in the paper).
        base_filters: width of the default networks (64 in the paper).
        pool_size: images in each history pool; 0 (the paper) disables them.
        objectives: the generators' extra terms; default
            `[CycleConsistency(1.0, criterion="mse")]`.
        **kwargs: `regularizers`, `augment`, `ema`, `seed`, see `AdversarialModel`.

    Example:
        ```python
        model = kerasgan.models.DiscoGAN(image_shape=(64, 64, 3))
        model.compile()
        model.fit(kerasgan.data.unpaired_images("handbags/", "shoes/", image_size=64, batch_size=64), epochs=20)
        shoes = model.translate(handbags, "a2b")
        ```

    Reference:
        Kim, Cha, Kim, Lee, Kim, Learning to Discover Cross-Domain Relations
        with Generative Adversarial Networks, ICML 2017.
        https://arxiv.org/abs/1703.05192
    """

    def __init__(
        self,
        generator_ab=None,
        generator_ba=None,
        discriminator_a=None,
        discriminator_b=None,
        image_shape=(64, 64, 3),
        base_filters=64,
        pool_size=0,
        objectives=None,
        **kwargs,
    ):
        objectives = [CycleConsistency(1.0, criterion="mse")] if objectives is None else objectives
        super().__init__(objectives=objectives, **kwargs)
        shape = checks.image_shape("DiscoGAN", image_shape)
        filters = checks.positive_int("DiscoGAN", "base_filters", base_filters)
        depth = min(4, nets.unet_depth(shape))

        def generator(name):
            return nets.unet_generator(
                shape, shape[-1], filters, depth=depth, dropout=0.0, skip_connections=False, name=name
            )

        def discriminator(name):
            return nets.discogan_discriminator(shape, base_filters=filters, name=name)

        self.set_networks(
            (generator_ab, generator_ba, discriminator_a, discriminator_b),
            shape,
            filters,
            pool_size,
            generator,
            discriminator,
        )

    def default_optimizers(self):
        return tuple(keras.optimizers.Adam(2e-4, beta_1=0.5) for _ in range(2))

    def generator_gan_loss(self, fake_logits):
        # L_GAN_B = -E[log D_B(G_AB(a))]: the non-saturating BCE
        return losses_lib.non_saturating_generator_loss(fake_logits)

    def discriminator_gan_loss(self, real_logits, fake_logits):
        return losses_lib.discriminator_loss(real_logits, fake_logits)
