"""The shared base of the super-resolution models (SRResNet, SRGAN, ESRGAN): (LR, HR) pairs in, `upscale` out.

Batches are `(lr, hr)`: LR patches of side hr_size/scale and their HR
patches, float32 in [-1, 1] (`kerasgan.data.sr_patches` makes them from an
image folder). The generator is fully convolutional; `upscale` runs it on
images of any size, whole or in overlapping tiles.
"""

import keras
import numpy as np
from keras import ops

from kerasgan.models.base import AdversarialModel
from kerasgan.networks.super_resolution import upsampling_stages
from kerasgan.utils import checks


class SuperResolution(AdversarialModel):
    """A model trained on `(lr, hr)` batches whose generator upscales images by `scale`.

    Args:
        scale: 2, 3 or 4.
        channels: image channels.
        hr_size: side of the HR training patches (the discriminator's input).
        **kwargs: the parts and `seed`, see `AdversarialModel`.
    """

    data_kind = "super_resolution"

    def __init__(self, scale=4, channels=3, hr_size=96, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        upsampling_stages(name, scale)
        self.scale = int(scale)
        self.channels = checks.positive_int(name, "channels", channels)
        self.hr_size = checks.positive_int(name, "hr_size", hr_size)
        if self.hr_size % self.scale:
            raise ValueError(f"{name}: hr_size ({hr_size}) must be a multiple of scale ({scale}).")
        self.lr_shape = (self.hr_size // self.scale, self.hr_size // self.scale, self.channels)
        self.image_shape = (self.hr_size, self.hr_size, self.channels)

    def generator_networks(self):
        return [self.generator]

    def check_generator(self):
        """Raises a clear error unless the generator upscales (None, None, channels) by `scale`."""
        probe = ops.zeros((1, 4, 4, self.channels))
        shape = tuple(self.generator(probe, training=False).shape[1:])
        if shape != (4 * self.scale, 4 * self.scale, self.channels):
            raise ValueError(
                f"{type(self).__name__}: the generator maps a 4×4×{self.channels} image to {shape}; it must upscale "
                f"by scale={self.scale} and keep {self.channels} channels."
            )

    def unpack_pair(self, data):
        """The checked float32 (lr, hr) of a batch; records their range."""
        lr, hr, _ = keras.utils.unpack_x_y_sample_weight(data)
        name = type(self).__name__
        if hr is None:
            raise ValueError(
                f"{name} trains on pairs of batches (lr, hr): pass a dataset yielding such tuples "
                "(kerasgan.data.sr_patches / sr_pairs) or fit(lr, hr)."
            )
        lr, hr = self.check_images(lr, self.lr_shape, domain="LR"), self.check_images(hr, self.image_shape, domain="HR")
        self.record_input_range(lr, hr)
        return lr, hr

    def upscale(self, images, tile=None, overlap=16, batch_size=8):
        """Upscales images (float32 NHWC in [-1, 1], any size) by `scale` in inference mode; numpy, clipped to [-1, 1].

        Args:
            images: (n, h, w, C) array, or one (h, w, C) image.
            tile: None: each image in one pass; else the side of the LR tiles
                it is cut into, each run with `overlap` LR pixels of context on
                every side that are then cut off again. The result equals the
                whole-image pass when `overlap` is at least the generator's
                receptive-field radius, and differs only near the tile seams
                (by what the zero padding changes) when it is less.
            overlap: LR pixels of context around each tile.
            batch_size: images per pass when `tile` is None.
        """
        images = np.asarray(images, dtype="float32")
        single = images.ndim == 3
        images = images[None] if single else images
        if images.ndim != 4 or images.shape[-1] != self.channels:
            raise ValueError(
                f"upscale takes images of shape (n, height, width, {self.channels}) or (height, width, "
                f"{self.channels}); got {np.shape(images)}."
            )
        if tile is not None:
            tile = checks.positive_int("upscale", "tile", tile)
            overlap = checks.nonnegative_int("upscale", "overlap", overlap)
            out = np.concatenate([self._tiled(image, tile, overlap)[None] for image in images])
        else:
            out = np.concatenate([self._run(images[i : i + batch_size]) for i in range(0, len(images), batch_size)])
        out = np.clip(out, -1.0, 1.0)
        return out[0] if single else out

    def _run(self, images):
        return ops.convert_to_numpy(self.sampling_network(self.generator)(images, training=False)).astype("float32")

    def _tiled(self, image, tile, overlap):
        h, w, _ = image.shape
        r = self.scale
        out = np.zeros((h * r, w * r, self.channels), "float32")
        for y0 in range(0, h, tile):
            for x0 in range(0, w, tile):
                y1, x1 = min(y0 + tile, h), min(x0 + tile, w)
                top, left = max(y0 - overlap, 0), max(x0 - overlap, 0)
                bottom, right = min(y1 + overlap, h), min(x1 + overlap, w)
                result = self._run(image[None, top:bottom, left:right])[0]
                dy, dx = (y0 - top) * r, (x0 - left) * r
                out[y0 * r : y1 * r, x0 * r : x1 * r] = result[dy : dy + (y1 - y0) * r, dx : dx + (x1 - x0) * r]
        return out

    def initialize_from(self, model):
        """Copies the generator weights of a trained model (SRGAN from SRResNet, ESRGAN from its PSNR-oriented run)."""
        source = getattr(model, "generator", model)
        mine, theirs = self.generator.weights, source.weights
        if [tuple(v.shape) for v in mine] != [tuple(v.shape) for v in theirs]:
            raise ValueError(
                f"{type(self).__name__}.initialize_from: the given generator ({source.count_params()} parameters) "
                f"has another architecture than this one ({self.generator.count_params()}); build both alike "
                "(same scale, n_blocks, filters)."
            )
        for v, value in zip(mine, theirs):
            v.assign(value)

    def call(self, images, training=False):
        network = self.generator if training else self.sampling_network(self.generator)
        return network(images, training=training)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "channels": self.channels, "hr_size": self.hr_size}
