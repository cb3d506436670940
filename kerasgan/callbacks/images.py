"""Sample grids and progress GIFs: turning generator output into files.

`tile_images` / `save_image_grid` are plain numpy helpers (the CLI's `sample`
command uses them); `ImageGrid` and `GifBuilder` are Keras callbacks built on
them. Every file is written through `kerasgan.utils.io.atomic_path`, so a crash
or a concurrent reader (TensorBoard, a GIF build) never sees a half-written file.
"""

import glob
import logging
import math
import os

import imageio.v3 as iio
import keras
import numpy as np

from kerasgan.utils import checks
from kerasgan.utils.io import atomic_path

logger = logging.getLogger(__name__)

_CHANNELS = (1, 3, 4)


def tile_images(images, cols=None, padding=2, pad_value=1.0):
    """Tiles a batch of float images in [-1, 1] into one uint8 grid image.

    Images are placed row-major: image `k` lands in row `k // cols`, column
    `k % cols`. Its top-left pixel is at
    `(padding + row * (H + padding), padding + col * (W + padding))`.
    The grid is exactly

        rows * H + (rows + 1) * padding   pixels high and
        cols * W + (cols + 1) * padding   pixels wide,

    where `rows = ceil(n / cols)`; cells past the last image are filled with
    `pad_value`. Values are clipped to [-1, 1] and mapped linearly to 0..255
    (-1 -> 0, 1 -> 255); NaN maps to 0 so a diverged generator still draws.

    Args:
        images: array-like (numpy, tensor) of shape `(n, H, W, C)` with C in
            {1, 3, 4}, or `(n, H, W)` for grayscale.
        cols: number of columns. Defaults to `ceil(sqrt(n))`, a near-square grid.
        padding: pixels between images and around the border.
        pad_value: colour of the padding in image units ([-1, 1]); the default
            1.0 is white, which separates white-on-black digits.

    Returns:
        A uint8 numpy array of shape `(H_grid, W_grid, C)`; grayscale input
        keeps a single channel (`save_image_grid` squeezes it for PNG).

    Example:
        grid = tile_images(gan.generate(16))      # 4 x 4 grid
    """
    images = keras.ops.convert_to_numpy(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in _CHANNELS:
        raise ValueError(
            "tile_images: expected images of shape (n, H, W, C) with C in "
            f"{_CHANNELS} or (n, H, W), got shape {images.shape}. Pass a batch "
            "of NHWC images, e.g. `gan.generate(16)`."
        )
    n, h, w, c = images.shape
    if n == 0:
        raise ValueError("tile_images: got an empty batch; pass at least one image.")
    cols = checks.positive_int("tile_images", "cols", cols, allow_none=True)
    if cols is None:
        cols = math.ceil(math.sqrt(n))
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"tile_images: `padding` must be an int >= 0, got {padding!r}.")
    rows = math.ceil(n / cols)

    def to_uint8(x):
        x = np.nan_to_num(np.asarray(x, dtype=np.float32), nan=-1.0, posinf=1.0, neginf=-1.0)
        return np.round((np.clip(x, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)

    grid = np.full(
        (rows * h + (rows + 1) * padding, cols * w + (cols + 1) * padding, c),
        to_uint8(pad_value),
        dtype=np.uint8,
    )
    pixels = to_uint8(images)
    for k in range(n):
        top = padding + (k // cols) * (h + padding)
        left = padding + (k % cols) * (w + padding)
        grid[top : top + h, left : left + w] = pixels[k]
    return grid


#: `upscale_factor`'s defaults: small pictures are enlarged until their shorter side is at least MIN_SIDE
#: pixels, as long as the longer side stays within MAX_SIDE.
MIN_SIDE = 256
MAX_SIDE = 2048


def upscale_factor(height, width, min_side=MIN_SIDE, max_side=MAX_SIDE):
    """The integer factor that makes a `height` × `width` picture big enough to see.

    k = ceil(min_side / min(height, width)), lowered until max(height,
    width) · k <= max_side, and never below 1 (a picture already that big
    is left alone). A 32 × 32 digit grid becomes 256 × 256 (k = 8); the
    242-pixel grid of 64 MNIST digits 484 × 484 (k = 2).

    Example:
        upscale_factor(28, 28)   # 10
    """
    shorter, longer = min(int(height), int(width)), max(int(height), int(width))
    if shorter < 1:
        raise ValueError(f"upscale_factor: a picture of {height} × {width} pixels has no pixels.")
    k = math.ceil(min_side / shorter)
    return max(1, min(k, max_side // longer))


def upscale_nearest(pictures, factor, batched=False):
    """Enlarges pictures `factor` times by repeating each pixel (nearest neighbour).

    Every output pixel is an exact copy of one input pixel:
    out[y, x] = in[y // factor, x // factor].

    Args:
        pictures: one picture (H, W) or (H, W, C), or with `batched` a stack
            (n, H, W) or (n, H, W, C).
        factor: a positive int (`upscale_factor`).
        batched: whether the first axis counts pictures.
    """
    pictures = np.asarray(pictures)
    factor = checks.positive_int("upscale_nearest", "factor", factor)
    if factor == 1:
        return pictures
    rows = 1 if batched else 0
    return np.repeat(np.repeat(pictures, factor, axis=rows), factor, axis=rows + 1)


def _write_png(path, grid):
    # PNG writers reject (H, W, 1); a 2-D array is written as 8-bit grayscale.
    if grid.ndim == 3 and grid.shape[-1] == 1:
        grid = grid[..., 0]
    with atomic_path(path) as tmp:
        iio.imwrite(tmp, grid, extension=".png")


def save_image_grid(path, images, cols=None, padding=2, pad_value=1.0):
    """Tiles `images` (floats in [-1, 1]) and writes the grid to `path` as a PNG.

    The write is atomic: on any error the previous file at `path` is kept and
    no temporary file is left behind. See `tile_images` for the layout and the
    exact pixel size.

    Args:
        path: output file; written as PNG whatever its extension.
        images: `(n, H, W, C)` or `(n, H, W)` floats in [-1, 1].
        cols: number of columns (default: near-square).
        padding: pixels between images and around the border.
        pad_value: padding colour in [-1, 1].

    Returns:
        The uint8 grid that was written (grayscale keeps its channel axis).

    Example:
        save_image_grid("logs/run1/samples.png", gan.generate(64))
    """
    grid = tile_images(images, cols=cols, padding=padding, pad_value=pad_value)
    _write_png(path, grid)
    return grid


class _ImageSummary:
    """Logs grids to TensorBoard as the image `tag`, opening the writer on first use."""

    def __init__(self, directory, tag):
        self.directory, self.tag, self._writer = directory, tag, None

    def write(self, grid, step):
        # Imported here so the callbacks work on other Keras backends when no
        # TensorBoard output is requested.
        import tensorflow as tf

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.directory)
        with self._writer.as_default():
            tf.summary.image(self.tag, grid[None], step=step)
        self._writer.flush()

    def close(self):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _global_step(model, fallback):
    # The generator's update counter is the number of training steps (one per
    # fit() batch, whatever d_steps is) and survives a resumed run (it is saved
    # with the optimizer), so file names keep sorting in training order.
    optimizer = getattr(model, "g_optimizer", None) or model.optimizer
    if optimizer is None:
        return fallback
    return int(keras.ops.convert_to_numpy(optimizer.iterations))


class ImageGrid(keras.callbacks.Callback):
    """Saves a grid of samples from fixed latents during training.

    Every `every_n_epochs` epochs (and, optionally, every `every_n_batches`
    batches) the callback generates from the same latents, through
    `model.grid_samples(latents)` (kerasgan models: conditional ones lay out
    one row per class, InfoGAN one row per category with a continuous code
    swept along the columns) or else `model.generate(latents=...)`, and writes `directory/epoch_{epoch:04d}_step_{step:08d}.png`
    (epoch counted from 1, step = `model.g_optimizer.iterations`), so the
    names sort in training order and `GifBuilder` can animate them. The first
    grid is written after the first epoch (or the first N batches).

    The latents are drawn once (standard normal, `numpy` RNG seeded with
    `seed`) and stored in `directory/latents.npy`; if that file exists with
    shape `(num_images, model.latent_dim)` it is reused, so a resumed run keeps
    drawing the same faces.

    Args:
        directory: folder for the PNGs and `latents.npy` (created if missing).
        num_images: images per grid.
        every_n_epochs: write a grid every this many epochs; None for never.
        every_n_batches: also write a grid every this many training batches
            (counted across epochs); None (default) for never.
        tensorboard_dir: if given, each grid is also logged there as a
            `tf.summary.image` named "samples" at the global step. Keras'
            `TensorBoard(write_images=True)` draws weights, not samples.
        seed: seed for drawing the latents.
        cols: grid columns (default: near-square).

    Attributes:
        latents: the `(num_images, latent_dim)` float32 latents in use.
        paths: the files written so far, in order.

    Example:
        gan.fit(ds, epochs=50, callbacks=[
            kerasgan.callbacks.ImageGrid("logs/run1/images",
                                         tensorboard_dir="logs/run1/tb")])
    """

    LATENTS_FILE = "latents.npy"

    def __init__(
        self,
        directory,
        num_images=64,
        every_n_epochs=1,
        every_n_batches=None,
        tensorboard_dir=None,
        seed=0,
        cols=None,
    ):
        super().__init__()
        self.directory = os.fspath(directory)
        self.num_images = checks.positive_int("ImageGrid", "num_images", num_images)
        self.every_n_epochs = checks.positive_int("ImageGrid", "every_n_epochs", every_n_epochs, allow_none=True)
        self.every_n_batches = checks.positive_int("ImageGrid", "every_n_batches", every_n_batches, allow_none=True)
        if self.every_n_epochs is None and self.every_n_batches is None:
            raise ValueError(
                "ImageGrid: `every_n_epochs` and `every_n_batches` are both None, so "
                "no grid would ever be written; set at least one of them."
            )
        self.tensorboard_dir = None if tensorboard_dir is None else os.fspath(tensorboard_dir)
        self.seed = seed
        self.cols = checks.positive_int("ImageGrid", "cols", cols, allow_none=True)
        self.latents = None
        self.paths = []
        self._summary = None if self.tensorboard_dir is None else _ImageSummary(self.tensorboard_dir, "samples")
        self._batches_seen = 0
        self._epoch = 0
        self._last_path = None

    @property
    def latents_path(self):
        return os.path.join(self.directory, self.LATENTS_FILE)

    def _check_model(self):
        from kerasgan.models import GAN

        if not isinstance(self.model, GAN):
            raise TypeError(
                f"ImageGrid: the model {type(self.model).__name__} is not a kerasgan GAN (no latent_dim and "
                "generate(latents=...)); use ImageGrid with a kerasgan.models.GAN or one of its variants "
                "(TranslationGrid for pix2pix and CycleGAN)."
            )

    def _load_or_draw_latents(self):
        shape = (self.num_images, int(self.model.latent_dim))
        if os.path.exists(self.latents_path):
            try:
                latents = np.load(self.latents_path)
            except (OSError, ValueError) as e:
                latents = None
                reason = f"could not be read ({e})"
            else:
                reason = f"has shape {latents.shape}, expected {shape}"
            if latents is not None and latents.shape == shape:
                self.latents = latents.astype(np.float32)
                return
            logger.warning(
                "ImageGrid: %s %s; drawing new latents with seed %s and replacing it.",
                self.latents_path,
                reason,
                self.seed,
            )
        rng = np.random.default_rng(self.seed)
        self.latents = rng.standard_normal(shape).astype(np.float32)
        with atomic_path(self.latents_path) as tmp:
            np.save(tmp, self.latents)

    def on_train_begin(self, logs=None):
        self._check_model()
        self._load_or_draw_latents()
        self._batches_seen = 0
        self._last_path = None

    def on_train_batch_end(self, batch, logs=None):
        self._batches_seen += 1
        if self.every_n_batches and self._batches_seen % self.every_n_batches == 0:
            self.write_grid(self._epoch)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            self.write_grid(epoch)

    def on_train_end(self, logs=None):
        if self._summary is not None:
            self._summary.close()

    def write_grid(self, epoch):
        """Generates and writes the grid for 0-based `epoch` at the current step.

        Returns:
            The path of the PNG, or None if that exact file was just written
            (an epoch end that coincides with a batch grid).
        """
        if self.latents is None:
            self._check_model()
            self._load_or_draw_latents()
        step = _global_step(self.model, self._batches_seen)
        path = os.path.join(self.directory, f"epoch_{epoch + 1:04d}_step_{step:08d}.png")
        if path == self._last_path:
            return None
        images, cols = self.model.grid_samples(self.latents)
        grid = tile_images(images, cols=self.cols or cols)
        _write_png(path, grid)
        self._last_path = path
        self.paths.append(path)
        if self._summary is not None:
            self._summary.write(grid, step)
        return path


class GifBuilder(keras.callbacks.Callback):
    """Animates the grids written by `ImageGrid` into a looping GIF.

    `build()` reads the files in `image_dir` matching `pattern`, sorted by name
    (ImageGrid's names sort in training order), and writes them to
    `output_path` atomically. It runs automatically at the end of `fit()`.
    Grayscale and RGB(A) PNGs both work; if they are mixed, grayscale frames
    are promoted to RGB. Note that the GIF encoder (Pillow) merges consecutive
    identical frames into one longer frame, so the file can hold fewer frames
    than `build()` reports when training did not change the samples.

    Small frames are enlarged by an integer factor, each pixel repeated
    (`upscale_factor`: the shorter side becomes at least `min_side` pixels,
    the longer at most 2048), so 8 × 8 samples can be seen in a browser;
    the PNG grids themselves keep their size.

    Args:
        image_dir: folder with the frames.
        output_path: the GIF to write.
        fps: frames per second.
        pattern: glob pattern, relative to `image_dir`, selecting the frames.
        min_side: enlarge frames whose shorter side is below this many
            pixels; None keeps every frame at its own size.

    Example:
        GifBuilder("logs/run1/images", "logs/run1/progress.gif").build()
    """

    def __init__(self, image_dir, output_path, fps=4, pattern="epoch_*.png", min_side=MIN_SIDE):
        super().__init__()
        if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not fps > 0:
            raise ValueError(f"GifBuilder: `fps` must be a positive number, got {fps!r}.")
        self.min_side = checks.positive_int("GifBuilder", "min_side", min_side, allow_none=True)
        self.image_dir = os.fspath(image_dir)
        self.output_path = os.fspath(output_path)
        self.fps = fps
        self.pattern = pattern

    def frame_paths(self):
        """The files that `build()` would use, in order."""
        return sorted(glob.glob(os.path.join(glob.escape(self.image_dir), self.pattern)))

    def build(self):
        """Writes the GIF and returns the number of frames it was built from.

        Returns 0 and writes nothing (leaving any existing GIF alone) when no
        file matches.

        Raises:
            ValueError: if the frames differ in height or width, or a frame is
                not an 8-bit image.
        """
        paths = self.frame_paths()
        if not paths:
            logger.warning(
                "GifBuilder: no files match %r in %s; not writing %s.",
                self.pattern,
                self.image_dir,
                self.output_path,
            )
            return 0
        frames = [iio.imread(p) for p in paths]
        first = frames[0]
        for path, frame in zip(paths, frames):
            if frame.dtype != np.uint8:
                raise ValueError(
                    f"GifBuilder: {path} has dtype {frame.dtype}; GIF frames must be "
                    "8-bit. Write the frames with save_image_grid / ImageGrid."
                )
            if frame.shape[:2] != first.shape[:2]:
                raise ValueError(
                    f"GifBuilder: {path} is {frame.shape[0]}x{frame.shape[1]} pixels but "
                    f"{paths[0]} is {first.shape[0]}x{first.shape[1]}; all frames must "
                    "have the same size. Did num_images or cols change between runs? "
                    "Move the old frames out of the folder or narrow `pattern`."
                )
        frames = _common_mode(frames)
        if self.min_side is not None:
            frames = upscale_nearest(frames, upscale_factor(*frames.shape[1:3], min_side=self.min_side), batched=True)
        with atomic_path(self.output_path) as tmp:
            # is_batch: a stack of narrow grayscale frames would otherwise be
            # taken for one colour image.
            iio.imwrite(
                tmp,
                frames,
                extension=".gif",
                is_batch=True,
                duration=1000.0 / self.fps,
                loop=0,
            )
        return len(paths)

    def on_train_end(self, logs=None):
        # A bad frame must not raise out of fit(): the trained model would be
        # lost to a script that saves it after fit() returns.
        try:
            self.build()
        except ValueError as e:
            logger.error("GifBuilder: GIF not written: %s", e)


def _common_mode(frames):
    """Stacks frames as (n, H, W) grayscale, or (n, H, W, 3) RGB if any has colour."""
    if all(f.ndim == 2 for f in frames):
        return np.stack(frames)
    rgb = []
    for f in frames:
        if f.ndim == 2:
            f = f[..., None]
        if f.shape[-1] in (1, 2):  # gray or gray+alpha
            f = np.repeat(f[..., :1], 3, axis=-1)
        rgb.append(f[..., :3])
    return np.stack(rgb)
