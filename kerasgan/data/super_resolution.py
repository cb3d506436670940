"""Super-resolution data: random HR patches of an image folder with their bicubic LR inputs, or paired LR/HR folders.

The LR images are made with TensorFlow's bicubic resize with antialiasing
(`tf.image.resize(method="bicubic", antialias=True)`: Keys' cubic
convolution with a = -0.5, its support widened by the scale factor when
downscaling), from and to uint8 pixels, the way MATLAB's `imresize`
(also a = -0.5, antialiased) makes the LR images of the SR benchmarks. The two
are not bit-identical: away from the image border they give the same pixels;
at the border MATLAB mirrors the image where TensorFlow renormalizes the weights
over the pixels inside it, and MATLAB rounds to uint8 between its two passes.
The bicubic baseline's Y-PSNR on CSet5 / CSet14 ×4 (border cropped) moves by
0.003 / 0.006 dB between the two (`benchmarks/super_resolution.py --kernels`,
a numpy port of `imresize`; the numbers are in the README).
"""

import numpy as np
import tensorflow as tf

from kerasgan.data.folder import check_batch_size, list_image_files, read_image
from kerasgan.data.paired import paired_files
from kerasgan.networks.super_resolution import upsampling_stages


def downscale(hr, scale):
    """Bicubic, antialiased ÷`scale` of uint8 images (..., H, W, C) with H and W multiples of `scale`; uint8."""
    hr = tf.convert_to_tensor(hr)
    h, w = hr.shape[-3], hr.shape[-2]
    if h is not None and (h % scale or w % scale):
        raise ValueError(f"downscale: the HR size {h}×{w} must be a multiple of the scale {scale}; crop it first.")
    size = tf.shape(hr)[-3:-1] // scale
    lr = tf.image.resize(tf.cast(hr, tf.float32), size, method="bicubic", antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(lr), 0, 255), tf.uint8)


def upscale_bicubic(lr, scale):
    """The bicubic ×`scale` baseline of images in [-1, 1] (..., h, w, C), as numpy float32 in [-1, 1]."""
    lr = tf.convert_to_tensor(np.asarray(lr, "float32"))
    size = tf.shape(lr)[-3:-1] * scale
    return np.clip(tf.image.resize(lr, size, method="bicubic").numpy(), -1.0, 1.0).astype("float32")


def crop_to_scale(image, scale):
    """An image (H, W, C) cropped at its bottom and right so both sides are multiples of `scale`."""
    h, w = image.shape[0] // scale * scale, image.shape[1] // scale * scale
    return image[:h, :w]


def to_float(images):
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def _augment(hr, seed, lr=None):
    """The same random horizontal flip and rotation by a multiple of 90° of HR (and its LR)."""
    flip = tf.random.stateless_uniform((), seed, 0, 2, tf.int32)
    turns = tf.random.stateless_uniform((), seed + 1, 0, 4, tf.int32)

    def apply(x):
        x = tf.cond(flip > 0, lambda: tf.reverse(x, [1]), lambda: x)
        return tf.image.rot90(x, turns)

    return apply(hr) if lr is None else (apply(lr), apply(hr))


def _decoded(files, channels):
    def load(file):
        image, reason = read_image(file, channels)
        if image is None:
            raise ValueError(f"{file!r} could not be decoded as an image ({reason}).")
        return image.numpy()

    return [load(f) for f in files]


def sr_patches(
    path, scale=4, hr_size=96, batch_size=16, channels=3, patches_per_image=1, augment=True, seed=None, holdout=0
):
    """Random HR patches of an image folder and their bicubic LR inputs: batches of float32 (lr, hr) in [-1, 1].

    Each epoch takes `patches_per_image` random `hr_size`² crops of every
    image, flips and rotates them (`augment`), downscales each crop with
    `downscale` and shuffles; images smaller than `hr_size` are an error.

    Args:
        path: an image folder (searched recursively).
        scale: 2, 3 or 4.
        hr_size: side of the HR patches (a multiple of `scale`; 96 in SRGAN).
        batch_size: patches per batch (16 in SRGAN); the last partial batch is dropped.
        channels: 1 or 3.
        patches_per_image: crops of each image per epoch.
        augment: random flips and rotations.
        seed: seed of the crops, flips and order.
        holdout: images at the end of the sorted file list left out (for grids).
    """
    upsampling_stages("sr_patches", scale)
    check_batch_size(batch_size)
    if hr_size % scale:
        raise ValueError(f"sr_patches: hr_size ({hr_size}) must be a multiple of scale ({scale}).")
    files = list_image_files(path)
    files = files[: len(files) - holdout] if holdout else files
    if not files:
        raise ValueError(f"No training images under {path!r}.")
    images = _decoded(files, channels)
    small = [f for f, im in zip(files, images) if min(im.shape[:2]) < hr_size]
    if small:
        raise ValueError(f"{small[0]!r} is smaller than hr_size={hr_size}; pass a smaller --set hr_size or drop it.")
    count = len(images) * patches_per_image
    if count < batch_size:
        raise ValueError(f"{path!r} gives {count} patches per epoch, fewer than batch_size {batch_size}.")
    # Images of different sizes: their pixels in one flat (pixels, C) tensor, each image a slice of it (numpy
    # concatenation: tf.ragged.constant goes through Python lists, 12 s for CSet14's 14 images).
    pixels = tf.constant(np.concatenate([im.reshape(-1, channels) for im in images]))
    shapes = tf.constant([im.shape[:2] for im in images], tf.int64)
    starts = tf.constant(np.cumsum([0] + [im.shape[0] * im.shape[1] for im in images[:-1]]), tf.int64)
    indices = tf.data.Dataset.range(len(images)).repeat(patches_per_image)
    randoms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)

    def patch(index, random):
        h, w = shapes[index][0], shapes[index][1]
        image = tf.reshape(pixels[starts[index] : starts[index] + h * w], tf.stack([h, w, channels]))
        crop_seed = tf.stack([random[0], random[1]])
        hr = tf.image.stateless_random_crop(image, (hr_size, hr_size, channels), crop_seed)
        if augment:
            hr = _augment(hr, crop_seed)
        return to_float(downscale(hr, scale)), to_float(hr)

    dataset = tf.data.Dataset.zip(indices, randoms).shuffle(count, seed=seed, reshuffle_each_iteration=True)
    return dataset.map(patch, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size, drop_remainder=True).prefetch(2)


def sr_pairs(lr_path, hr_path, scale=4, hr_size=96, batch_size=16, channels=3, augment=True, seed=None):
    """Aligned random patches of paired LR and HR folders (matched by file name): batches of (lr, hr) in [-1, 1].

    Each HR image must be `scale` times its LR image (after cropping the HR to
    a multiple of `scale`).
    """
    upsampling_stages("sr_pairs", scale)
    check_batch_size(batch_size)
    pairs = paired_files(lr_path, hr_path)
    lr_size = hr_size // scale
    items = []
    for lr_file, hr_file in pairs:
        lr, hr = _decoded([lr_file, hr_file], channels)
        hr = crop_to_scale(hr, scale)
        if hr.shape[:2] != (lr.shape[0] * scale, lr.shape[1] * scale):
            raise ValueError(
                f"{hr_file!r} is {hr.shape[1]}×{hr.shape[0]} but {lr_file!r} ×{scale} is "
                f"{lr.shape[1] * scale}×{lr.shape[0] * scale}; pass matching LR/HR folders and --scale."
            )
        if min(lr.shape[:2]) < lr_size:
            raise ValueError(f"{lr_file!r} is smaller than the LR patch ({lr_size}); pass a smaller hr_size.")
        items.append((lr, hr))
    rng = np.random.default_rng(seed)

    def generate():
        for i in rng.permutation(len(items)):
            lr, hr = items[i]
            y, x = rng.integers(0, lr.shape[0] - lr_size + 1), rng.integers(0, lr.shape[1] - lr_size + 1)
            yield (
                lr[y : y + lr_size, x : x + lr_size],
                hr[y * scale : (y + lr_size) * scale, x * scale : (x + lr_size) * scale],
            )

    spec = (
        tf.TensorSpec((lr_size, lr_size, channels), tf.uint8),
        tf.TensorSpec((hr_size, hr_size, channels), tf.uint8),
    )
    dataset = tf.data.Dataset.from_generator(generate, output_signature=spec)
    if augment:
        randoms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        dataset = tf.data.Dataset.zip(dataset, randoms).map(
            lambda pair, r: _augment(pair[1], tf.stack([r[0], r[1]]), lr=pair[0])
        )
    dataset = dataset.map(lambda lr, hr: (to_float(lr), to_float(hr)))
    return dataset.batch(batch_size, drop_remainder=True).prefetch(2)


def sr_test_images(path, scale, channels=3):
    """(names, HR images, LR images) of a test folder (or a list of image files): each HR cropped to a multiple of `scale`, LR = `downscale`; float32 in [-1, 1]."""
    files = list(path) if isinstance(path, (list, tuple)) else list_image_files(path)
    if not files:
        raise ValueError(f"No images under {path!r}.")
    names, hrs, lrs = [], [], []
    for file, image in zip(files, _decoded(files, channels)):
        hr = crop_to_scale(image, scale)
        names.append(file)
        hrs.append(to_float(hr).numpy())
        lrs.append(to_float(downscale(hr, scale)).numpy())
    return names, hrs, lrs
