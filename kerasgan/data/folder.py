"""Image folders as `tf.data` pipelines, plus the steps every pipeline shares.

Every pipeline in `kerasgan.data` ends the same way: images are kept as uint8
(0-255) for as long as possible (decoding, resizing, caching, shuffling,
batching) and become float32 in [-1, 1] only once per batch, so a cache holds
a quarter of the bytes and the conversion is one vectorised op.
"""

import numbers
import os
import warnings

import tensorflow as tf

from kerasgan.utils.paths import is_within

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")

# Share of the currently available memory that cache="auto" may fill. The
# model, the optimizer slots and the shuffle machinery need the rest.
_AUTO_CACHE_FRACTION = 0.25


class TooFewImagesError(ValueError):
    """The data holds fewer images than one batch; `count`, `batch_size` and `source` say which (the CLI rephrases it)."""

    def __init__(self, message, count, batch_size, source):
        super().__init__(message)
        self.count, self.batch_size, self.source = count, batch_size, source


def list_image_files(path):
    """Lists the image files under a folder, recursively, in sorted order.

    Files and folders whose name starts with "." are left out: they are
    editor, notebook and macOS metadata (`.ipynb_checkpoints/`, `._x.jpg`),
    never training images, and the `._` ones would fail to decode. Symbolic
    links are followed, but a folder reached twice (a link to a parent, `self ->
    .`) is scanned once, and a file reached by several links is listed once.

    Args:
        path: A folder.

    Returns:
        A sorted list of paths ending in one of `IMAGE_EXTENSIONS` (any case).

    Raises:
        ValueError: If `path` does not exist or is not a folder.
    """
    path = os.fspath(path)
    if not os.path.isdir(path):
        what = "is a file, not a folder" if os.path.exists(path) else "does not exist"
        raise ValueError(f"Image folder {path!r} {what}; pass a folder that contains image files.")
    top = os.path.realpath(path)
    files, seen_dirs, seen_files = [], set(), set()
    # Sorted walk: which of several links to the same folder or file is kept must not depend on the file system.
    for root, dirs, names in os.walk(path, followlinks=True):
        real = os.path.realpath(root)
        if real in seen_dirs:
            dirs[:] = []
            continue
        seen_dirs.add(real)
        # A link to the scanned folder or above it (`up -> ..`) would loop or leave the folder.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not is_within(top, os.path.join(root, d)))
        for name in sorted(names):
            if name.startswith(".") or not name.lower().endswith(IMAGE_EXTENSIONS):
                continue
            file = os.path.join(root, name)
            target = os.path.realpath(file)
            if target not in seen_files:
                seen_files.add(target)
                files.append(file)
    # os.walk order depends on the file system; sorting makes seeds reproducible.
    return sorted(files)


def image_folder(
    path,
    image_size,
    channels=3,
    batch_size=64,
    shuffle=True,
    seed=None,
    cache="auto",
    drop_remainder=True,
    labels=False,
):
    """Reads a folder of images as batches of float32 NHWC images in [-1, 1].

    Files ending in .png, .jpg, .jpeg or .bmp are found recursively. Each image
    is center-cropped to the target aspect ratio, resized with antialiasing and
    converted to grayscale or RGB whatever its own channels (an alpha channel
    is dropped). A file that cannot be read or decoded is left out with one
    `UserWarning` naming it, however many epochs run.

    Args:
        path: Folder to search recursively.
        image_size: Output size, an int for square images or `(height, width)`.
        channels: 1 for grayscale or 3 for RGB.
        batch_size: Images per batch.
        shuffle: Whether to reshuffle the images every epoch.
        seed: Seed of the shuffle, for a reproducible order.
        cache: `True` keeps the decoded, resized images in memory after the
            first epoch; `False` decodes every epoch; `"auto"` caches when the
            images, stored as uint8, take under a quarter of the memory
            available now.
        drop_remainder: Whether to drop the last, smaller batch, so every
            batch has `batch_size` images.
        labels: Also yield class labels: each sub-folder of `path` is a
            class (sorted by name, label 0, 1, ...), holding that class's
            images at any depth. Batches become `(images, labels)` pairs with
            int32 labels, and the data set's `class_names` attribute lists
            the sub-folder names.

    Returns:
        A `tf.data.Dataset` of float32 tensors shaped
        `(batch_size, height, width, channels)`.

    Raises:
        ValueError: If the folder is missing, holds no image files or none
            that decodes, holds fewer images than `batch_size` while
            `drop_remainder` is set, or an argument is out of range.

    Example:
        dataset = kerasgan.data.image_folder("faces/", 64, seed=0)
        gan.fit(dataset, epochs=10)
    """
    height, width = check_image_size(image_size)
    check_channels(channels)
    check_batch_size(batch_size)
    if cache not in ("auto", True, False):
        raise ValueError(f"cache must be 'auto', True or False, got {cache!r}.")

    files = list_image_files(path)
    if not files:
        raise ValueError(
            f"No image files ({', '.join(IMAGE_EXTENSIONS)}) found under {os.fspath(path)!r}, "
            "searching recursively; point to the folder that holds the images."
        )
    class_names, file_labels = _class_folders(path, files) if labels else (None, None)

    warn_once = skip_warner()

    # Fail now, not at the first training step, when nothing decodes. Usually
    # only the first file is decoded here.
    for first_good, file in enumerate(files):  # noqa: B007 (the index is read after the loop)
        image, reason = read_image(file, channels)
        if image is not None:
            break
        warn_once(file, reason)
    else:
        raise ValueError(
            f"None of the {len(files)} image files under {os.fspath(path)!r} could be decoded "
            f"(first error: {reason}); check that they are valid PNG, JPEG or BMP files."
        )
    files = files[first_good:]
    if file_labels is not None:
        file_labels = file_labels[first_good:]
    if drop_remainder and len(files) < batch_size:
        raise TooFewImagesError(
            f"{os.fspath(path)!r} holds {len(files)} images, fewer than batch_size={batch_size}, "
            "so no full batch can be made; lower batch_size or pass drop_remainder=False.",
            len(files),
            batch_size,
            os.fspath(path),
        )
    if cache == "auto":
        cache = _fits_in_memory(len(files) * height * width * channels)

    def load(file):
        file = os.fsdecode(file.numpy())
        image, reason = read_image(file, channels)
        if image is None:
            warn_once(file, reason)
            return tf.zeros((0, 0, channels), tf.uint8)
        return image

    def decode(file, *label):
        # Decoding runs in Python (one call per file, once when cached) so a
        # bad file can be caught and named; graph-mode decoding can only crash
        # or drop it anonymously.
        image = tf.py_function(load, [file], tf.uint8)
        image.set_shape((None, None, channels))
        return (image, *label) if label else image

    def decode_resized(image, label):
        image = center_crop_resize(image, (height, width))
        return (image, *label) if label else image

    names = [os.fsencode(f) for f in files]
    dataset = tf.data.Dataset.from_tensor_slices(names if file_labels is None else (names, file_labels))
    if shuffle and not cache:
        # Shuffling names before decoding gives a full permutation for the
        # price of a list of strings.
        dataset = dataset.shuffle(len(files), seed=seed)
    dataset = dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.filter(lambda image, *label: tf.size(image) > 0)
    dataset = dataset.map(lambda image, *label: decode_resized(image, label), num_parallel_calls=tf.data.AUTOTUNE)
    dataset = known_length(dataset, len(files))
    if cache:
        dataset = dataset.cache()
        if shuffle:
            dataset = dataset.shuffle(len(files), seed=seed)
    return finish_batches(dataset.batch(batch_size, drop_remainder=drop_remainder), class_names)


def known_length(dataset, count):
    """Exactly `count` elements of `dataset`, a data set whose length tf.data knows.

    A `filter` (the files that fail to decode are left out) makes the length
    unknown, and Keras then ends every epoch by running into the end of the
    data ("Your input ran out of data" and one step that reads no batch).
    Here the elements are taken from `dataset.repeat()`: with every file
    readable that is one pass, unchanged; each file that fails is made up by
    an element of the next pass, so an epoch keeps its `count` images.
    """
    return dataset.repeat().take(count).apply(tf.data.experimental.assert_cardinality(count))


def _class_folders(path, files):
    """(class names, int32 label per file) for a folder with one sub-folder per class."""
    root = os.path.abspath(os.fspath(path))
    tops = [os.path.relpath(os.path.abspath(f), root).split(os.sep) for f in files]
    loose = [os.path.join(*parts) for parts in tops if len(parts) == 1]
    if loose:
        raise ValueError(
            f"Labels are read from class sub-folders, but {os.fspath(path)!r} holds {len(loose)} image(s) directly "
            f"(e.g. {loose[0]!r}). Put every image in a sub-folder named after its class (cats/, dogs/, ...)."
        )
    class_names = sorted({parts[0] for parts in tops})
    if len(class_names) < 2:
        raise ValueError(
            f"{os.fspath(path)!r} has one class folder ({class_names[0]!r}); a conditional model needs at least "
            "two classes, one sub-folder each."
        )
    index = {name: i for i, name in enumerate(class_names)}
    return class_names, [index[parts[0]] for parts in tops]


def skip_warner():
    """`warn_once(file, reason)`: one warning per undecodable file, however many epochs run."""
    warned = set()

    def warn_once(file, reason):
        if file not in warned:
            warned.add(file)
            warnings.warn(
                f"Skipping {file!r}: it could not be decoded as an image ({reason}). "
                "It is left out of every epoch; fix or delete it to silence this warning.",
                stacklevel=2,
            )

    return warn_once


def read_image(file, channels):
    """One image file as `(uint8 tensor (H, W, channels), None)`, or `(None, reason)` when it cannot be decoded.

    Args:
        file: path of a PNG, JPEG, BMP or (first frame of a) GIF file.
        channels: 1 or 3; the image is converted whatever the file holds.
    """
    try:
        with open(file, "rb") as f:
            contents = f.read()
        image = tf.io.decode_image(contents, channels=0, dtype=tf.uint8, expand_animations=False)
    except OSError as err:
        return None, err.strerror or str(err)
    except tf.errors.OpError as err:
        return None, err.message
    return convert_channels(image, channels), None


def convert_channels(images, channels):
    """Converts uint8 or float images `[..., C]` with a known C to 1 or 3 channels.

    An alpha channel (C = 2 or 4) is dropped rather than composited: the
    colour under it is the image's own, and a GAN has no use for transparency.
    """
    have = images.shape[-1]
    if have in (2, 4):
        images = images[..., : have - 1]
        have -= 1
    if have == channels:
        return images
    if channels == 3:
        return tf.image.grayscale_to_rgb(images)
    return tf.image.rgb_to_grayscale(images)


def center_crop_resize(images, size):
    """Center-crops images `[..., H, W, C]` to the aspect of `size`, then resizes.

    Cropping first keeps proportions (faces are not squashed); antialiasing
    keeps downscaled images free of aliasing. The dtype is kept: uint8 is
    rounded back to uint8.
    """
    height, width = size
    if tuple(images.shape[-3:-1]) == (height, width):
        return images
    shape = tf.shape(images)
    h, w = shape[-3], shape[-2]
    # The largest centred window with the target aspect ratio, rounded.
    crop_h = tf.maximum(1, tf.minimum(h, (w * height + width // 2) // width))
    crop_w = tf.maximum(1, tf.minimum(w, (h * width + height // 2) // height))
    top, left = (h - crop_h) // 2, (w - crop_w) // 2
    images = images[..., top : top + crop_h, left : left + crop_w, :]
    resized = tf.image.resize(images, (height, width), antialias=True)
    if images.dtype == tf.uint8:
        return tf.cast(tf.clip_by_value(tf.round(resized), 0.0, 255.0), tf.uint8)
    return tf.cast(resized, images.dtype)


def finish_batches(dataset, class_names=None):
    """Maps batches of uint8 (or already scaled float) images to float32 [-1, 1] and prefetches.

    With `class_names` (labelled data) they are set as the returned data set's
    `class_names` attribute, and labels become int32.
    """

    def to_float(images, *labels):
        if images.dtype == tf.uint8:
            images = tf.cast(images, tf.float32) / 127.5 - 1.0
        else:
            images = tf.cast(images, tf.float32)
        return (images, *(tf.cast(y, tf.int32) for y in labels)) if labels else images

    dataset = dataset.map(to_float, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
    if class_names is not None:
        dataset.class_names = list(class_names)
    return dataset


def check_image_size(image_size):
    """Returns `image_size` as a `(height, width)` pair of positive ints."""
    size = (image_size, image_size) if isinstance(image_size, numbers.Integral) else image_size
    if (
        not isinstance(size, (tuple, list))
        or len(size) != 2
        or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in size)
    ):
        raise TypeError(f"image_size must be an int or a (height, width) pair of ints, got {image_size!r}.")
    if min(size) < 1:
        raise ValueError(f"image_size must be positive, got {image_size!r}.")
    return int(size[0]), int(size[1])


def check_channels(channels):
    if isinstance(channels, bool) or channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grayscale) or 3 (RGB), got {channels!r}.")


def check_batch_size(batch_size):
    if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}.")


def _fits_in_memory(num_bytes):
    available = available_memory()
    return available is not None and num_bytes <= _AUTO_CACHE_FRACTION * available


def available_memory():
    """Bytes of memory available now, or None when the OS does not say.

    Reads MemAvailable (free memory plus reclaimable page cache) and, inside a
    container, the cgroup v2 limit, which /proc/meminfo does not reflect.
    """
    available = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    if available is None:
        try:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):
            return None
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        with open("/sys/fs/cgroup/memory.current") as f:
            used = int(f.read())
        if limit != "max":
            available = min(available, int(limit) - used)
    except (OSError, ValueError):
        pass
    return max(int(available), 0)
