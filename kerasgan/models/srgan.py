"""SRGAN: SRResNet fine-tuned against a VGG-style discriminator with a VGG19 content loss (Ledig et al. 2017)."""

import keras
import tensorflow as tf

from kerasgan import parts as parts_lib
from kerasgan.models.super_resolution import SuperResolution
from kerasgan.networks import super_resolution as nets
from kerasgan.parts import CriticView, Perceptual, StepBatch

_SERIALIZE = keras.saving.serialize_keras_object


@keras.saving.register_keras_serializable(package="kerasgan")
class SRGAN(SuperResolution):
    """SRGAN (Ledig et al. 2017): SRResNet's generator, a VGG-style discriminator, content + 10⁻³·adversarial loss.

    The perceptual loss (Eq. 3) is l_X + 10⁻³·l_Gen: the content loss l_X is
    the squared error of VGG19's φ5,4 features, rescaled by 1/12.75 (Eq. 5,
    `objectives=[Perceptual("vgg19", "block5_conv4", feature_scale=1/12.75)]`),
    and l_Gen = -log D(G(I_LR)) (Eq. 6, `loss="non_saturating"`). D minimizes
    the cross-entropy of real HR patches against G's outputs. Each step runs G
    once: D is updated, then G through the updated D.

    Train an `SRResNet` first and start from it (`model.initialize_from(srresnet)`
    or `kerasgan train srgan --init-from RUN_DIR`): the paper initializes SRGAN
    with the MSE-trained network "to avoid undesired local optima".

    Logged: `d_loss`, `g_adv` (weighted adversarial term), `g_content` and
    `g_loss` (G's total), plus the parts' terms.

    Args:
        generator: the upscaling network; `srresnet_generator` when None.
        discriminator: (hr_size, hr_size, C) → logit; `srgan_discriminator` when None.
        scale, channels, hr_size: see `SuperResolution`.
        n_blocks, filters: of the default generator (16, 64).
        d_filters: width of the default discriminator (64).
        loss: the adversarial loss (a part or its name).
        adversarial_weight: 10⁻³ in the paper.
        extractor: what the default content loss takes φ5,4 from: "vgg19"
            (keras.applications.VGG19 with ImageNet weights, downloaded once
            by Keras), the path of a local copy of those weights (.h5) or of a
            saved feature model (.keras), or a Keras model; a model or
            .keras file is fed VGG's caffe input and needs a Conv2D layer
            named "block5_conv4" (tests and offline smoke runs inject
            `kerasgan.networks.vgg19_stand_in()`). The CLI's `--vgg-weights`.
        objectives: the content terms; default the VGG19 φ5,4 loss above on
            `extractor` (give one or the other).
        **kwargs: `regularizers`, `augment`, `ema`, `seed`, see `AdversarialModel`.

    Reference:
        Ledig et al., Photo-Realistic Single Image Super-Resolution Using a
        Generative Adversarial Network, CVPR 2017, Section 2. https://arxiv.org/abs/1609.04802
    """

    def __init__(
        self,
        generator=None,
        discriminator=None,
        scale=4,
        channels=3,
        hr_size=96,
        n_blocks=16,
        filters=64,
        d_filters=64,
        loss="non_saturating",
        adversarial_weight=1e-3,
        extractor="vgg19",
        objectives=None,
        **kwargs,
    ):
        if objectives is not None and not (isinstance(extractor, str) and extractor == "vgg19"):
            raise ValueError(
                f"{type(self).__name__}: give extractor= (for the default content loss) or objectives=, not both."
            )
        objectives = self.default_objectives(extractor) if objectives is None else objectives
        super().__init__(scale=scale, channels=channels, hr_size=hr_size, objectives=objectives, **kwargs)
        self.loss = parts_lib.get(loss, "loss")
        self.adversarial_weight = float(adversarial_weight)
        self.n_blocks, self.filters, self.d_filters = n_blocks, filters, d_filters
        self.generator = generator if generator is not None else self.default_generator()
        self.discriminator = (
            discriminator
            if discriminator is not None
            else nets.srgan_discriminator(self.hr_size, self.channels, d_filters, name="discriminator")
        )
        self.check_generator()
        self.attach_parts()

    def default_generator(self):
        return nets.srresnet_generator(self.scale, self.channels, self.n_blocks, self.filters, name="generator")

    @staticmethod
    def default_objectives(extractor="vgg19"):
        return [Perceptual(extractor, "block5_conv4", feature_scale=1 / 12.75, preprocess="vgg")]

    def default_optimizers(self):
        # Ledig et al. 2017, Section 3.2: Adam, beta_1 0.9, learning rate 1e-4 (then 1e-5).
        return keras.optimizers.Adam(1e-4, beta_1=0.9), keras.optimizers.Adam(1e-4, beta_1=0.9)

    def parts(self):
        return [self.loss, *super().parts()]

    def discriminator_networks(self):
        return [self.discriminator]

    def loss_names(self):
        return ("d_loss", "g_loss", "g_adv")

    def critic_views(self, batch):
        return [CriticView(lambda x: self.discriminator(x, training=True), batch.real, batch.fake)]

    def discriminate(self, images):
        return self.discriminator(self.augmented(images), training=True)

    def discriminator_objective(self, batch):
        """(terms, metrics) of D on a `StepBatch(real=hr, fake=G(lr), condition=lr)`."""
        d_loss = self.loss.discriminator_loss(self.discriminate(batch.real), self.discriminate(batch.fake))
        return {"d_loss": d_loss, **self.part_terms("discriminator", batch)}, {}

    def generator_objective(self, batch):
        """(terms, metrics) of G: the weighted adversarial "g_adv" and the content terms; their total "g_loss"."""
        real_logits = self.discriminate(batch.real) if self.loss.needs_real_logits else None
        g_adv = self.adversarial_weight * self.loss.generator_loss(self.discriminate(batch.fake), real_logits)
        terms = {"g_adv": g_adv, **self.part_terms("generator", batch)}
        return terms, {"g_loss": sum(terms.values())}

    def update_networks(self, data):
        lr, hr = self.unpack_pair(data)
        # G runs once; its tape stays open so the same pass serves its update after D's.
        with tf.GradientTape() as g_tape:
            fake = self.generator(lr, training=True)
        batch = StepBatch(real=hr, fake=fake, condition=lr)
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
            "n_blocks": self.n_blocks,
            "filters": self.filters,
            "d_filters": self.d_filters,
            "loss": _SERIALIZE(self.loss),
            "adversarial_weight": self.adversarial_weight,
        }
