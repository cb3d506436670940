"""SRResNet: the PSNR-oriented super-resolution network of Ledig et al. (2017), trained on pixel MSE."""

import keras
import tensorflow as tf
from keras import ops

from kerasgan.models.super_resolution import SuperResolution
from kerasgan.networks import super_resolution as nets

_SERIALIZE = keras.saving.serialize_keras_object


@keras.saving.register_keras_serializable(package="kerasgan")
class SRResNet(SuperResolution):
    """SRResNet (Ledig et al. 2017): 16 residual blocks with BN and PReLU, a long skip, sub-pixel upsampling, pixel MSE.

    The generator minimizes l_MSE = E‖I_HR - G(I_LR)‖² (Eq. 4, here on
    images in [-1, 1]); there is no discriminator (the `d_optimizer` is
    unused). `pixel_loss="l1"` with an RRDB `generator=` is ESRGAN's
    PSNR-oriented first stage (Wang et al. 2018, Section 4.1).

    Logged: `g_loss` (the pixel loss) plus the objectives' terms.

    Args:
        generator: an upscaling network (None, None, C) → (None, None, C);
            `srresnet_generator(scale, channels, n_blocks, filters)` when None.
        scale: 2, 3 or 4.
        channels: image channels.
        hr_size: side of the HR training patches (96 in the paper).
        n_blocks, filters: of the default generator (16, 64 in the paper).
        pixel_loss: "mse" (the paper) or "l1".
        **kwargs: `objectives`, `ema`, `seed`, see `AdversarialModel`.

    Example:
        ```python
        model = kerasgan.models.SRResNet(scale=4)
        model.compile()                                   # Adam(1e-4, beta_1=0.9)
        model.fit(kerasgan.data.sr_patches("photos/", scale=4), epochs=100)
        hr = model.upscale(lr_images, tile=128)           # float32 in [-1, 1]
        ```

    Reference:
        Ledig et al., Photo-Realistic Single Image Super-Resolution Using a
        Generative Adversarial Network, CVPR 2017, Section 2.2 and 3.2.
        https://arxiv.org/abs/1609.04802
    """

    def __init__(
        self, generator=None, scale=4, channels=3, hr_size=96, n_blocks=16, filters=64, pixel_loss="mse", **kwargs
    ):
        super().__init__(scale=scale, channels=channels, hr_size=hr_size, **kwargs)
        if pixel_loss not in ("mse", "l1"):
            raise ValueError(f"SRResNet: pixel_loss must be 'mse' or 'l1'; got {pixel_loss!r}.")
        self.pixel_loss, self.n_blocks, self.filters = pixel_loss, n_blocks, filters
        self.generator = (
            generator
            if generator is not None
            else nets.srresnet_generator(self.scale, self.channels, n_blocks, filters, name="generator")
        )
        self.check_generator()
        self.attach_parts()

    def default_optimizers(self):
        # Ledig et al. 2017, Section 3.2: Adam, beta_1 0.9, learning rate 1e-4.
        return keras.optimizers.Adam(1e-4, beta_1=0.9), keras.optimizers.Adam(1e-4, beta_1=0.9)

    def discriminator_networks(self):
        return []

    def loss_names(self):
        return ("g_loss",)

    def critic_views(self, batch):
        return []

    def generator_objective(self, batch):
        """(terms, metrics) on a `StepBatch(real=hr, fake=G(lr), condition=lr)`: the pixel loss "g_loss" and the parts' terms."""
        difference = ops.cast(batch.real, "float32") - ops.cast(batch.fake, "float32")
        pixel = ops.mean(ops.abs(difference)) if self.pixel_loss == "l1" else ops.mean(ops.square(difference))
        return {"g_loss": pixel, **self.part_terms("generator", batch)}, {}

    def update_networks(self, data):
        from kerasgan.parts import StepBatch

        lr, hr = self.unpack_pair(data)
        with tf.GradientTape() as tape:
            batch = StepBatch(real=hr, fake=self.generator(lr, training=True), condition=lr)
            terms, metrics = self.generator_objective(batch)
        self.update("generator", tape, terms, metrics)

    def get_config(self):
        return {
            **super().get_config(),
            "generator": _SERIALIZE(self.generator),
            "n_blocks": self.n_blocks,
            "filters": self.filters,
            "pixel_loss": self.pixel_loss,
        }
