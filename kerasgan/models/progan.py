"""ProGAN: progressive growing of GANs inside one fit(), resumable mid-fade.

Reference:
    Karras, Aila, Laine, Lehtinen, Progressive Growing of GANs for Improved
    Quality, Stability, and Variation, ICLR 2018. https://arxiv.org/abs/1710.10196
"""

import keras
import tensorflow as tf
from keras import ops

from kerasgan.models.gan import GAN
from kerasgan.networks.progan import fade_images, progan_discriminator, progan_generator, square_widths
from kerasgan.parts import Drift, GradientPenalty
from kerasgan.utils import checks


def growth_schedule(images, levels, fade_images, stable_images):
    """(level, alpha) after `images` real images: the paper's order, as float64 tensors.

    4×4 trains for `stable_images`; then each new resolution is faded in,
    alpha rising linearly from 0 to 1 over `fade_images`, then stabilized at
    alpha = 1 for `stable_images`; after the last, (levels, 1) for good.
    """
    t = ops.cast(images, "float64")
    fade, stable = float(fade_images), float(stable_images)
    phase = ops.floor(ops.maximum(t - stable, 0.0) / (fade + stable))
    into = ops.maximum(t - stable, 0.0) - phase * (fade + stable)
    alpha = ops.minimum(into / fade, 1.0) if fade > 0 else ops.ones_like(t)
    level = ops.where(t < stable, 0.0, phase + 1.0)
    alpha = ops.where(t < stable, 1.0, alpha)
    done = level > levels
    return ops.where(done, float(levels), level), ops.where(done, 1.0, alpha)


class ProgressiveGrowth:
    """The growth mechanism, for any GAN whose two networks take a `growth` input (batch, 2): [level, alpha].

    Mixed into a `GAN` subclass before it: the model keeps the number of real
    images seen (an int64 variable) and the `level` and `alpha` it implies
    (`growth_schedule`) as non-trainable model state, saved in `.keras` files
    and checkpoints, so a run resumed mid-fade goes on exactly where it stopped.
    Each step feeds (level, alpha) to both networks, shows the discriminator
    the real images faded as the generator's output is (`fade_images`), and
    after its updates advances the count by the global batch size.
    """

    generator_input_count = 2
    discriminator_input_count = 2

    def create_growth_state(self, levels, fade_images, stable_images):
        self.levels = levels
        self.fade_images = checks.nonnegative_int(type(self).__name__, "fade_images", fade_images)
        self.stable_images = checks.positive_int(type(self).__name__, "stable_images", stable_images)
        self._images_seen = self.add_weight(
            shape=(), dtype="int64", initializer="zeros", trainable=False, name="images_seen",
            aggregation="only_first_replica",
        )  # fmt: skip
        self._growth_level = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="level", aggregation="only_first_replica"
        )
        self._growth_alpha = self.add_weight(
            shape=(), initializer="ones", trainable=False, name="alpha", aggregation="only_first_replica"
        )

    @property
    def images_seen(self):
        return int(ops.convert_to_numpy(self._images_seen))

    @property
    def level(self):
        """The current level: 0 for 4×4, 1 for 8×8, ..."""
        return int(ops.convert_to_numpy(self._growth_level))

    @property
    def alpha(self):
        """The current fade-in weight of the newest resolution (1 when stabilizing)."""
        return float(ops.convert_to_numpy(self._growth_alpha))

    @property
    def resolution(self):
        return 4 * 2**self.level

    def set_images_seen(self, images):
        """Moves the schedule to `images` real images seen (e.g. to start at a given resolution)."""
        self._images_seen.assign(int(images))
        self._advance(0)

    def _advance(self, batch):
        self._images_seen.assign_add(ops.cast(batch, "int64"))
        level, alpha = growth_schedule(self._images_seen, self.levels, self.fade_images, self.stable_images)
        self._growth_level.assign(ops.cast(level, "float32"))
        self._growth_alpha.assign(ops.cast(alpha, "float32"))

    def growth_inputs(self, batch_size):
        """(batch_size, 2): the current [level, alpha], what both networks read."""
        growth = ops.stack([self._growth_level.value, self._growth_alpha.value])
        return ops.broadcast_to(ops.reshape(growth, (1, 2)), (batch_size, 2))

    def generator_inputs(self, latents, condition):
        return [latents, self.growth_inputs(ops.shape(latents)[0])]

    def discriminator_inputs(self, images, condition):
        return [images, self.growth_inputs(ops.shape(images)[0])]

    def step_batch(self, real, condition):
        return super().step_batch(fade_images(real, self.growth_inputs(ops.shape(real)[0])), condition)

    def update_networks(self, data):
        super().update_networks(data)
        real = keras.utils.unpack_x_y_sample_weight(data)[0]
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        self._advance(ops.shape(real)[0] * replicas)

    def call(self, latents, training=False):
        generator = self.generator if training else self.sampling_network(self.generator)
        return generator(self.generator_inputs(latents, None), training=training)


@keras.saving.register_keras_serializable(package="kerasgan")
class ProGAN(ProgressiveGrowth, GAN):
    """Progressive growing of GANs (Karras et al. 2018), every resolution trained inside one fit().

    The networks (`kerasgan.networks.progan_generator` / `progan_discriminator`)
    are built once at the target size with every resolution's block; a
    `growth` input (level, alpha) chooses and fades them. 4×4 is trained for
    `stable_images` real images, then each doubling is faded in over
    `fade_images` (alpha 0 → 1) and stabilized over `stable_images`, the
    paper's order; the level, alpha and images seen are model state (saved,
    resumed exactly). Equalized learning rate, pixel normalization in the
    generator, the minibatch standard deviation in the discriminator, and
    WGAN-GP's loss with λ = 10 plus the drift term ε·E[D(x)²], ε = 0.001
    (`regularizers=[GradientPenalty(10), Drift(0.001)]`), one critic step per
    generator step, Adam(1e-3, β1 = 0, β2 = 0.99, ε = 1e-8): the paper's.
    `generate()` (and so `ImageGrid`) gives the current resolution upsampled
    to the target size.

    Args:
        base_filters: width at the target resolution, doubling per halving up
            to `max_filters` (the paper: 16 at 1024×1024, 512 from 32×32 down).
            Default min(512, 16384 // side), the paper's widths.
        max_filters: the widest layers (512).
        fade_images, stable_images: real images per fade-in and per
            stabilization phase (the paper: 800k each).
        group_size: the minibatch standard deviation's group (4).
        **kwargs: the `GAN` arguments (latent_dim, default 512 as in the paper, image_shape, ...).

    Example:
        ```python
        gan = kerasgan.models.ProGAN.for_images((64, 64, 3), fade_images=200_000, stable_images=200_000)
        gan.compile()
        gan.fit(kerasgan.data.image_folder("faces/", 64), epochs=100,
                callbacks=[kerasgan.callbacks.ImageGrid("logs/progan")])
        ```
    """

    def __init__(
        self,
        generator=None,
        discriminator=None,
        latent_dim=512,
        image_shape=(32, 32, 3),
        loss="wasserstein",
        regularizers=None,
        base_filters=None,
        max_filters=512,
        fade_images=800_000,
        stable_images=800_000,
        group_size=4,
        **kwargs,
    ):
        levels, self.base_filters, self.max_filters = square_widths("ProGAN", image_shape, base_filters, max_filters)
        self.group_size = checks.positive_int("ProGAN", "group_size", group_size)
        regularizers = [GradientPenalty(10.0), Drift(0.001)] if regularizers is None else regularizers
        super().__init__(
            generator,
            discriminator,
            latent_dim=latent_dim,
            image_shape=image_shape,
            loss=loss,
            regularizers=regularizers,
            **kwargs,
        )
        self.create_growth_state(levels, fade_images, stable_images)

    @classmethod
    def for_images(cls, image_shape, latent_dim=512, **kwargs):
        return cls(image_shape=tuple(image_shape), latent_dim=latent_dim, **kwargs)

    def build_generator(self):
        return progan_generator(self.latent_dim, self.image_shape, self.base_filters, self.max_filters)

    def build_discriminator(self):
        return progan_discriminator(self.image_shape, self.base_filters, self.max_filters, self.group_size)

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
            keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
        )

    def get_config(self):
        return {
            **super().get_config(),
            "base_filters": self.base_filters,
            "max_filters": self.max_filters,
            "fade_images": self.fade_images,
            "stable_images": self.stable_images,
            "group_size": self.group_size,
        }
