"""What the models with an encoder share (BiGAN, AdversarialAutoencoder): `encode`, `reconstruct`, the encoder's checks."""

import numpy as np
from keras import ops


class EncoderModel:
    """Mixin of a `GAN` subclass with an `encoder` from images to codes of `latent_dim` (built in `_check_networks`)."""

    def build_encoder(self):
        raise NotImplementedError

    @property
    def code_size(self):
        """Width of the encoder's output: the code of `latent_dim` (SemiSupervisedAAE's adds its class logits)."""
        return self.latent_dim

    def check_encoder(self):
        """Builds the default encoder when none was given, then checks that it maps images to codes."""
        if self.encoder is None:
            self.encoder = self.build_encoder()
        e_in, e_out = tuple(self.encoder.inputs[0].shape[1:]), tuple(self.encoder.output_shape[1:])
        if e_in != self.image_shape or e_out != (self.code_size,):
            raise ValueError(
                f"{type(self).__name__}'s encoder must map images {self.image_shape} to codes ({self.code_size},); "
                f"this one maps {e_in} to {e_out}."
            )

    def encode(self, images, batch_size=256):
        """E(x): codes (float32 numpy, (n, latent_dim)) of images in [-1, 1], in inference mode."""
        return self.encoder_outputs(images, batch_size)

    def encoder_outputs(self, images, batch_size=256):
        """The encoder's outputs (float32 numpy, (n, code_size)) on images in [-1, 1], in inference mode."""
        images = np.asarray(images, dtype="float32")
        if images.ndim != 1 + len(self.image_shape) or tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(
                f"encode() takes images of shape (n, {', '.join(map(str, self.image_shape))}); got {images.shape}."
            )
        chunks = [
            ops.convert_to_numpy(self.encoder(images[i : i + batch_size], training=False))
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(chunks) if chunks else np.zeros((0, self.code_size), "float32")

    def reconstruct(self, images, batch_size=256):
        """G(E(x)): the images regenerated from their codes."""
        return self.generate(latents=self.encode(images, batch_size), batch_size=batch_size)
