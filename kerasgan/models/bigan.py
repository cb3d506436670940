"""BiGAN / ALI: a generator G(z), an encoder E(x) and a discriminator of joint pairs (x, z).

References:
    Donahue, Krähenbühl, Darrell, Adversarial Feature Learning, ICLR 2017.
    https://arxiv.org/abs/1605.09782
    Dumoulin et al., Adversarially Learned Inference, ICLR 2017.
    https://arxiv.org/abs/1606.00704
"""

import keras
from keras import ops

from kerasgan import losses as formulas
from kerasgan.models.encoding import EncoderModel
from kerasgan.models.gan import GAN
from kerasgan.networks import bigan_discriminator, bigan_encoder, dcgan_generator
from kerasgan.parts import StepBatch

_SERIALIZE = keras.saving.serialize_keras_object


@keras.saving.register_keras_serializable(package="kerasgan")
class BiGAN(EncoderModel, GAN):
    """BiGAN (Donahue et al. 2017) / ALI (Dumoulin et al. 2017): D tells (x, E(x)) from (G(z), z).

    min_{G,E} max_D V(D, E, G) = E_x[log D(x, E(x))] + E_z[log(1 - D(G(z), z))] (eq. 3).
    The discriminator's loss is BCE(D(x, E(x)), 1) + BCE(D(G(z), z), 0);
    the generator and the encoder, one optimizer over both, take the
    non-saturating form with the targets inverted (Section 3.4):
    BCE(D(G(z), z), 1) + BCE(D(x, E(x)), 0). At the optimum E inverts G, so
    `reconstruct(x)` = G(E(x)) and `encode(x)` gives features learned without
    labels. This is ALI with a deterministic encoder. One step encodes the
    real batch and generates the fakes once, for both updates.

    Args:
        encoder: a `keras.Model` from images to codes (B, latent_dim); built
            with `bigan_encoder` when None.
        discriminator: a `keras.Model` on [images, codes] -> logits (B, 1).
        base_filters: width of the default networks' first convolution.
        **kwargs: the `GAN` arguments (generator, latent_dim, image_shape,
            augment, ema, seed); the loss is the paper's and regularizers are
            refused (a penalty would need the pair's gradient).

    Example:
        ```python
        bigan = kerasgan.models.BiGAN(image_shape=(28, 28, 1), latent_dim=64)
        bigan.compile()
        bigan.fit(kerasgan.data.load_dataset("mnist"), epochs=20)
        features = bigan.encode(images)
        ```
    """

    discriminator_input_count = 2

    def __init__(self, generator=None, discriminator=None, encoder=None, base_filters=32, latent_dim=64, **kwargs):
        for argument in ("regularizers", "loss", "targets", "objectives"):
            if kwargs.get(argument):
                raise ValueError(
                    f"BiGAN trains with the paper's objective on (x, z) pairs and takes no {argument}=; drop it."
                )
        self.base_filters = int(base_filters)
        self.encoder = encoder  # built in _check_networks, once image_shape and latent_dim are known
        super().__init__(generator=generator, discriminator=discriminator, latent_dim=latent_dim, **kwargs)

    def build_generator(self):
        return dcgan_generator(self.latent_dim, self.image_shape, self.base_filters)

    def build_discriminator(self):
        return bigan_discriminator(self.seen_shape(self.image_shape), self.latent_dim, self.base_filters)

    def build_encoder(self):
        return bigan_encoder(self.image_shape, self.latent_dim, self.base_filters)

    def _check_networks(self):
        super()._check_networks()
        self.check_encoder()
        d_codes = tuple(self.discriminator.inputs[1].shape[1:])
        if d_codes != (self.latent_dim,):
            raise ValueError(f"BiGAN's discriminator takes [images, codes of ({self.latent_dim},)]; got {d_codes}.")

    def generator_networks(self):
        return [self.generator, self.encoder]

    def critic_views(self, batch):
        return []

    def pair_logits(self, images, codes):
        """D's logits on (images, codes) pairs, in training mode, on what it sees of the images (augmented)."""
        return self.discriminator([self.augmented(images), codes], training=True)

    def discriminator_objective(self, batch):
        """(terms, metrics) of D on a `StepBatch` whose `condition` holds E(real): d_loss; its accuracies."""
        real_logits = self.pair_logits(batch.real, batch.condition)
        fake_logits = self.pair_logits(batch.fake, batch.latents)
        terms = {
            "d_loss": formulas.discriminator_loss(real_logits, fake_logits),
            **self.part_terms("discriminator", batch),
        }
        metrics = {
            "d_acc_real": ops.mean(ops.cast(real_logits > 0, "float32")),
            "d_acc_fake": ops.mean(ops.cast(fake_logits < 0, "float32")),
        }
        return terms, metrics

    def generator_objective(self, batch):
        """(terms, metrics) of G and E: g_loss, D's loss with the targets inverted."""
        real_logits = self.pair_logits(batch.real, batch.condition)
        fake_logits = self.pair_logits(batch.fake, batch.latents)
        return {
            "g_loss": formulas.discriminator_loss(fake_logits, real_logits),
            **self.part_terms("generator", batch),
        }, {}

    def step_batch(self, real, condition):
        latents = self.sample_latents(ops.shape(real)[0])
        fake = self.generator(latents, training=True)
        codes = self.encoder(real, training=True)
        return StepBatch(real, fake, codes, latents)

    def get_config(self):
        config = {**super().get_config(), "encoder": _SERIALIZE(self.encoder), "base_filters": self.base_filters}
        for argument in ("loss", "targets"):
            config.pop(argument)
        return config
