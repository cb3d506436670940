"""Pairs of image folders for image-to-image translation, as `tf.data` pipelines of `(images_a, images_b)`.

- `paired_images`: aligned pairs for pix2pix, either side-by-side `A|B` files
  (as in the original pix2pix data sets: facades, maps, edges2shoes) or two
  folders whose files are matched by name (`a/12.png` ↔ `b/12.jpg`).
- `unpaired_images`: two independent folders for CycleGAN; each epoch pairs
  max(N_A, N_B) images drawn from independently shuffled streams.
- `held_out_images`: the images left out of training with `holdout=`, as
  arrays, for evaluation and translation grids.

Random jitter (Isola et al. 2017, Appendix 6.2): each image is resized to
286/256 of the output size, a random output-size window is cropped and the
result is flipped left-right with probability ½; the two images of a pair get
the same crop and flip. Batches are float32 NHWC in [-1, 1].
"""

import os

import numpy as np
import tensorflow as tf

from kerasgan.data.folder import (
    IMAGE_EXTENSIONS,
    _fits_in_memory,
    center_crop_resize,
    check_batch_size,
    check_channels,
    check_image_size,
    convert_channels,
    known_length,
    list_image_files,
    read_image,
    skip_warner,
)

#: Jitter resizes to this fraction of the output size before the random crop (286 / 256 in pix2pix).
JITTER_SCALE = 286 / 256


def _images_in(path, role):
    files = list_image_files(path)
    if not files:
        raise ValueError(
            f"No image files ({', '.join(IMAGE_EXTENSIONS)}) found under {os.fspath(path)!r} ({role}), "
            "searching recursively; point to the folder that holds the images."
        )
    return files


def _stems(files, root):
    stems = {}
    for file in files:
        stem = os.path.splitext(os.path.relpath(file, root))[0]
        if stem in stems:
            raise ValueError(
                f"{stems[stem]!r} and {file!r} have the same name up to the extension, so they cannot be matched "
                "with the other folder by name; rename or remove one."
            )
        stems[stem] = file
    return stems


def paired_files(path_a, path_b=None):
    """The training items of a paired data set, in name order.

    Args:
        path_a: a folder of side-by-side `A|B` images when `path_b` is None,
            else the folder of A images.
        path_b: the folder of B images, matched to A by relative path without
            extension (`a/x/12.png` ↔ `b/x/12.jpg`).

    Returns:
        A list of side-by-side files, or of `(file_a, file_b)` pairs.

    Raises:
        ValueError: for an empty or missing folder, names that do not match
            (the first few of each side are listed), or a side-by-side image of
            odd width.
    """
    files_a = _images_in(path_a, "domain A" if path_b is not None else "side-by-side A|B images")
    if path_b is None:
        from PIL import Image  # reads only the header: cheap even for thousands of files

        for file in files_a:
            try:
                with Image.open(file) as image:
                    width = image.size[0]
            except OSError:
                continue  # undecodable: skipped with a warning by the pipeline
            if width % 2:
                raise ValueError(
                    f"{file!r} is {width} pixels wide; a side-by-side A|B image must have an even width "
                    "(A is the left half, B the right half). Pass two folders (path_b) for separate files."
                )
        return files_a
    stems_a = _stems(files_a, path_a)
    stems_b = _stems(_images_in(path_b, "domain B"), path_b)
    only_a = sorted(set(stems_a) - set(stems_b))
    only_b = sorted(set(stems_b) - set(stems_a))
    if only_a or only_b:
        raise ValueError(
            f"The files of {os.fspath(path_a)!r} and {os.fspath(path_b)!r} must match by name: "
            f"{len(only_a)} only in A (e.g. {only_a[:5]}), {len(only_b)} only in B (e.g. {only_b[:5]}). "
            "Use unpaired_images for folders that are not aligned."
        )
    return [(stems_a[s], stems_b[s]) for s in sorted(stems_a)]


def _split_holdout(items, holdout, what):
    if int(holdout) != holdout or holdout < 0:
        raise ValueError(f"holdout must be an int >= 0; got {holdout!r}.")
    if holdout >= len(items):
        raise ValueError(f"holdout={holdout} leaves no training images: {what} holds {len(items)}.")
    return (items[: len(items) - holdout], items[len(items) - holdout :]) if holdout else (items, [])


def _load_size(size, jitter):
    if not jitter:
        return size
    return tuple(int(round(s * JITTER_SCALE)) for s in size)


def _decode_pair(item, size, channels, target_channels):
    """Decodes one item into two uint8 images of `size`, or None when a file cannot be decoded."""
    if isinstance(item, tuple):
        a, reason = read_image(item[0], channels)
        b, reason_b = read_image(item[1], target_channels) if a is not None else (None, None)
        if a is None or b is None:
            return None, reason or reason_b
    else:
        image, reason = read_image(item, 3)
        if image is None:
            return None, reason
        width = image.shape[1]
        if width % 2:
            raise ValueError(f"{item!r} is {width} pixels wide; a side-by-side A|B image must have an even width.")
        a = convert_channels(image[:, : width // 2], channels)
        b = convert_channels(image[:, width // 2 :], target_channels)
    return (center_crop_resize(a, size), center_crop_resize(b, size)), None


def _decoded(items, size, channels, target_channels=None):
    """A dataset of uint8 image tuples at `size`: (a, b) for pairs and side-by-side files, (a,) for
    single images (`target_channels` None). Undecodable items are left out with a warning."""
    warn_once = skip_warner()
    single = target_channels is None
    paired = not single and isinstance(items[0], tuple)
    shapes = ((None, None, channels),) if single else ((None, None, channels), (None, None, target_channels))

    def load(*files):
        names = tuple(os.fsdecode(f.numpy()) for f in files)
        if single:
            image, reason = read_image(names[0], channels)
            decoded = None if image is None else (center_crop_resize(image, size),)
        else:
            decoded, reason = _decode_pair(names if paired else names[0], size, channels, target_channels)
        if decoded is None:
            warn_once(names if paired else names[0], reason)
            return tuple(tf.zeros((0, 0, shape[-1]), tf.uint8) for shape in shapes)
        return decoded

    def decode(*files):
        images = tf.py_function(load, files, (tf.uint8,) * len(shapes))
        for image, shape in zip(images, shapes):
            image.set_shape(shape)
        return tuple(images)

    if paired:
        names = tuple([os.fsencode(item[i]) for item in items] for i in range(2))
    else:
        names = ([os.fsencode(item) for item in items],)
    dataset = tf.data.Dataset.from_tensor_slices(names)
    dataset = dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    return known_length(dataset.filter(lambda *images: tf.size(images[0]) > 0), len(items))


def _jitter(dataset, size, jitter, flip, seed):
    """The same random crop and flip for every image of an element (a tuple of images)."""
    if not (jitter or flip):
        return dataset
    height, width = size
    seeds = tf.data.Dataset.random(seed=seed).batch(2)

    def augment(images, seed_pair):
        splits = [image.shape[-1] for image in images]
        both = tf.concat(images, axis=-1)
        seed_pair = tf.cast(seed_pair, tf.int64)
        if jitter:
            both = tf.image.stateless_random_crop(both, (height, width, both.shape[-1]), seed=seed_pair)
        if flip:
            both = tf.image.stateless_random_flip_left_right(both, seed=seed_pair[::-1])
        return tuple(tf.split(both, splits, axis=-1))

    return tf.data.Dataset.zip((dataset, seeds)).map(augment, num_parallel_calls=tf.data.AUTOTUNE)


def _to_float(a, b):
    return tf.cast(a, tf.float32) / 127.5 - 1.0, tf.cast(b, tf.float32) / 127.5 - 1.0


def _check_common(image_size, channels, target_channels, batch_size, cache):
    size = check_image_size(image_size)
    check_channels(channels)
    check_channels(target_channels)
    check_batch_size(batch_size)
    if cache not in ("auto", True, False):
        raise ValueError(f"cache must be 'auto', True or False, got {cache!r}.")
    return size


def paired_images(
    path_a,
    path_b=None,
    image_size=256,
    channels=3,
    target_channels=None,
    batch_size=1,
    shuffle=True,
    seed=None,
    jitter=True,
    flip=True,
    cache="auto",
    drop_remainder=True,
    holdout=0,
):
    """Aligned image pairs (pix2pix) as batches of `(images_a, images_b)`, float32 in [-1, 1].

    Args:
        path_a: a folder of side-by-side `A|B` images (A left, B right) when
            `path_b` is None; else the folder of A images.
        path_b: folder of B images matched to A by name (see `paired_files`).
        image_size: output size, an int or (height, width).
        channels: channels of A (1 or 3; converted whatever the file has).
        target_channels: channels of B; default `channels`.
        batch_size: pairs per batch (1 in the paper).
        shuffle: reshuffle the pairs every epoch.
        seed: seed of the shuffle and of the jitter.
        jitter: resize to 286/256 of the size, then crop a random window.
        flip: random left-right flips.
        cache: keep the decoded images in memory (True, False, or "auto": when
            they take under a quarter of the memory available).
        drop_remainder: drop the last, smaller batch.
        holdout: leave the last N pairs (in name order) out, for evaluation
            (`held_out_images`).

    Returns:
        A `tf.data.Dataset` of `(a, b)` float32 tensors, `(batch, H, W, C)`.

    Example:
        ```python
        data = kerasgan.data.paired_images("facades/train", image_size=256)
        kerasgan.models.Pix2Pix(image_shape=(256, 256, 3)).fit(data, epochs=200)
        ```
    """
    target_channels = channels if target_channels is None else target_channels
    size = _check_common(image_size, channels, target_channels, batch_size, cache)
    items, _ = _split_holdout(paired_files(path_a, path_b), holdout, os.fspath(path_a))
    if drop_remainder and len(items) < batch_size:
        raise ValueError(
            f"{os.fspath(path_a)!r} holds {len(items)} training pairs, fewer than batch_size={batch_size}; "
            "lower batch_size or pass drop_remainder=False."
        )
    load = _load_size(size, jitter)
    dataset = _decoded(items, load, channels, target_channels)
    if cache == "auto":
        cache = _fits_in_memory(len(items) * load[0] * load[1] * (channels + target_channels))
    if cache:
        dataset = dataset.cache()
    if shuffle:
        dataset = dataset.shuffle(len(items), seed=seed)
    dataset = _jitter(dataset, size, jitter, flip, seed)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    return dataset.map(_to_float, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def unpaired_images(
    path_a,
    path_b,
    image_size=256,
    channels=3,
    channels_b=None,
    batch_size=1,
    shuffle=True,
    seed=None,
    jitter=True,
    flip=True,
    cache="auto",
    holdout=0,
):
    """Two unaligned folders (CycleGAN) as batches of `(images_a, images_b)`, float32 in [-1, 1].

    Each domain is an independent, reshuffled, endlessly repeated stream; an
    epoch is max(N_A, N_B) // batch_size batches, so every image of the
    larger folder is seen once per epoch and the smaller one is cycled.

    Args:
        path_a, path_b: folders of the two domains (searched recursively).
        image_size: output size, an int or (height, width).
        channels: channels of domain A (1 or 3).
        channels_b: channels of domain B; default `channels`.
        batch_size: images per domain per batch (1 in the paper).
        shuffle: shuffle each stream.
        seed: seed of the shuffles and the jitter.
        jitter, flip: random jitter and flips, independently per domain.
        cache: as in `paired_images`.
        holdout: leave the last N images of each folder out, for evaluation.

    Returns:
        A `tf.data.Dataset` of `(a, b)` float32 tensors.
    """
    channels_b = channels if channels_b is None else channels_b
    size = _check_common(image_size, channels, channels_b, batch_size, cache)
    files_a, _ = _split_holdout(_images_in(path_a, "domain A"), holdout, os.fspath(path_a))
    files_b, _ = _split_holdout(_images_in(path_b, "domain B"), holdout, os.fspath(path_b))
    load = _load_size(size, jitter)
    per_epoch = max(len(files_a), len(files_b))
    if per_epoch < batch_size:
        raise ValueError(f"The folders hold {per_epoch} images, fewer than batch_size={batch_size}.")

    def stream(files, c, offset):
        dataset = _decoded(files, load, c)
        use_cache = _fits_in_memory(len(files) * load[0] * load[1] * c) if cache == "auto" else cache
        if use_cache:
            dataset = dataset.cache()
        if shuffle:
            dataset = dataset.shuffle(len(files), seed=None if seed is None else seed + offset)
        dataset = dataset.repeat()
        return _jitter(dataset, size, jitter, flip, None if seed is None else seed + offset).map(lambda a: a)

    dataset = tf.data.Dataset.zip((stream(files_a, channels, 0), stream(files_b, channels_b, 1)))
    dataset = dataset.take(per_epoch).batch(batch_size, drop_remainder=True)
    return dataset.map(_to_float, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def held_out_images(path_a, path_b=None, image_size=256, channels=3, target_channels=None, holdout=8, paired=True):
    """The images that `holdout=N` left out of training, as float32 arrays in [-1, 1] (no jitter).

    Args:
        path_a, path_b: as given to `paired_images` (`paired=True`) or
            `unpaired_images` (`paired=False`).
        image_size: output size.
        channels, target_channels: channels of A and of B (default `channels`).
        holdout: N.
        paired: whether the folders are aligned pairs.

    Returns:
        `(images_a, images_b)`, each `(N, H, W, C)`; for unpaired folders the
        last N images of each folder.
    """
    target_channels = channels if target_channels is None else target_channels
    size = _check_common(image_size, channels, target_channels, 1, False)
    if paired:
        _, items = _split_holdout(paired_files(path_a, path_b), holdout, os.fspath(path_a))
    else:
        _, files_a = _split_holdout(_images_in(path_a, "domain A"), holdout, os.fspath(path_a))
        _, files_b = _split_holdout(_images_in(path_b, "domain B"), holdout, os.fspath(path_b))
        items = list(zip(files_a, files_b))
    a, b = [], []
    for item in items:
        decoded, reason = _decode_pair(item, size, channels, target_channels)
        if decoded is None:
            raise ValueError(f"Held-out image {item!r} could not be decoded ({reason}).")
        a.append(decoded[0].numpy())
        b.append(decoded[1].numpy())
    return tuple(np.stack(x).astype("float32") / 127.5 - 1.0 for x in (a, b))
