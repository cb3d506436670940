"""StyleGAN (2019): the style-based generator with AdaIN, on StyleGAN2's mapping, mixing, truncation and training.

Reference:
    Karras, Laine, Aila, A Style-Based Generator Architecture for Generative
    Adversarial Networks, CVPR 2019. https://arxiv.org/abs/1812.04948
"""

import keras

from kerasgan.models.stylegan2 import StyleGAN2
from kerasgan.networks.stylegan import stylegan2_discriminator, stylegan2_generator, stylegan_synthesis
from kerasgan.parts import R1


@keras.saving.register_keras_serializable(package="kerasgan")
class StyleGAN(StyleGAN2):
    """StyleGAN (Karras et al. 2019): mapping to w, AdaIN after every convolution, per-pixel noise, constant 4×4 input.

    The generator (`stylegan2_generator(..., synthesis=stylegan_synthesis)`)
    shares StyleGAN2's mapping network (8 layers, learning-rate multiplier
    0.01), constant input and noise inputs (learned per-channel scale), the
    constant getting its own noise before its first AdaIN as in the paper's
    Figure 1(b); each convolution is followed by adaptive instance
    normalization styled by its own w (`AdaIN`), and one toRGB makes the
    image. Style-mixing regularization (0.9), w̄ and the truncation trick
    (ψ, cutoff), `mix_styles`, the EMA generator and the sampling methods
    are StyleGAN2's.
    The discriminator is ProGAN's, not grown (`stylegan2_discriminator(residual=False)`);
    the loss non-saturating with R1 γ = 10 at every step (the paper's FFHQ
    setting), Adam(0.001, 0, 0.99, ε = 1e-8). Progressive growth is not
    offered here (ProGAN has it).

    Args:
        see `StyleGAN2`; `regularizers` defaults to [R1(10)].

    Example:
        ```python
        gan = kerasgan.models.StyleGAN.for_images((32, 32, 3))
        gan.compile()
        gan.fit(kerasgan.data.image_folder("faces/", 32), epochs=100)
        ```
    """

    def default_regularizers(self):
        return [R1(10.0)]

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
            keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
        )

    def build_generator(self):
        return stylegan2_generator(
            self.latent_dim, self.image_shape, self.w_dim, self.base_filters, self.max_filters, self.mapping_layers,
            self.mapping_lr, seed=self.seed, synthesis=stylegan_synthesis,
        )  # fmt: skip

    def build_discriminator(self):
        return stylegan2_discriminator(
            self.seen_shape(self.image_shape), self.base_filters, self.max_filters, self.group_size, residual=False
        )
