"""ACGAN: the discriminator also classifies."""

import keras

from kerasgan import losses as losses_lib
from kerasgan.models.class_conditional import ClassConditional
from kerasgan.networks import auxiliary_discriminator
from kerasgan.utils import checks


@keras.saving.register_keras_serializable(package="kerasgan")
class ACGAN(ClassConditional):
    """Auxiliary classifier GAN (Odena et al. 2017).

    The generator takes (z, c); the discriminator sees only the image and
    outputs both P(S | X) (real or fake, the logit) and P(C | X) (class
    logits) from a shared body. With L_S the log-likelihood of the correct
    source and L_C that of the correct class, the discriminator maximizes
    L_S + L_C and the generator L_C − L_S (the paper's eq. 2-3); as losses,
    the discriminator adds `class_weight` × (CE on real + CE on fake), logged
    as "d_class", and the generator `class_weight` × CE on fake, logged as
    "g_class", to their adversarial losses. Fakes are generated for the labels
    of the real batch.

    Args:
        num_classes, class_names, label_embedding: as for `ConditionalGAN`
            (the embedding only feeds the generator).
        class_weight: weight of the class terms (1 in the paper).
        **kwargs: the `DCGAN` / `GAN` arguments.

    Example:
        ```python
        gan = kerasgan.models.ACGAN.for_images((28, 28, 1), num_classes=10)
        gan.compile()
        gan.fit(kerasgan.data.load_dataset("mnist", labels=True), epochs=20)
        ```

    Reference:
        Odena, Olah, Shlens, Conditional Image Synthesis with Auxiliary
        Classifier GANs, ICML 2017. https://arxiv.org/abs/1610.09585
    """

    def __init__(self, generator=None, discriminator=None, class_weight=1.0, **kwargs):
        self.class_weight = checks.nonnegative("ACGAN", "class_weight", class_weight)
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)

    def build_discriminator(self):
        return auxiliary_discriminator(
            self.seen_shape(self.image_shape),
            {"class_logits": self.num_classes},
            self.base_filters,
            **self.discriminator_options(),
        )

    def _check_networks(self):
        super()._check_networks()
        shapes = self.discriminator.output_shape
        if not isinstance(shapes, list) or len(shapes) != 2 or tuple(shapes[1][1:]) != (self.num_classes,):
            raise ValueError(
                f"ACGAN's discriminator must output [logit (batch, 1), class logits (batch, {self.num_classes})]; "
                f"it outputs {shapes}."
            )

    def split_discriminator_output(self, outputs):
        logits, class_logits = outputs
        return logits, class_logits

    def auxiliary_term_names(self):
        return ("d_class", "g_class")

    def discriminator_auxiliary_terms(self, real_aux, fake_aux, condition, latents):
        loss = losses_lib.class_loss(real_aux, condition) + losses_lib.class_loss(fake_aux, condition)
        return {"d_class": self.class_weight * loss}

    def generator_auxiliary_terms(self, fake_aux, condition, latents):
        return {"g_class": self.class_weight * losses_lib.class_loss(fake_aux, condition)}

    def get_config(self):
        return {**super().get_config(), "class_weight": self.class_weight}
