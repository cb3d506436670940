"""In-memory image arrays: IDX and .npz files, Keras' named data sets, `load_dataset`."""

import gzip
import os
import re

import numpy as np
import tensorflow as tf

from kerasgan.data.folder import (
    TooFewImagesError,
    center_crop_resize,
    check_batch_size,
    check_channels,
    check_image_size,
    convert_channels,
    finish_batches,
    image_folder,
    list_image_files,
)

# Names that `load_dataset` passes to `keras.datasets.<name>.load_data()`.
DATASET_NAMES = ("mnist", "fashion_mnist", "cifar10", "cifar100")

#: The MNIST test set shipped inside the package (10,000 labelled 28×28 digits; attribution and licence in
#: its README.md): the command line's default data, readable with no network and no data preparation.
EMBEDDED_MNIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mnist_test")

_IDX_IMAGES_MAGIC = 2051  # unsigned bytes, 3 dimensions (count, rows, columns)
_IDX_LABELS_MAGIC = 2049  # unsigned bytes, 1 dimension (count)
_IDX_IMAGES_NAME = re.compile(r"idx3[-.]ubyte(\.gz)?$")
# (images key, labels key) pairs, concatenated in order; the first layout found wins.
_NPZ_LAYOUTS = (
    (("x_train", "y_train"), ("x_test", "y_test")),  # keras.datasets
    (("images", "labels"),),
    (("x", "y"),),
)


def from_array(
    images,
    batch_size=64,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    image_size=None,
    channels=None,
    labels=None,
):
    """Serves an in-memory array as batches of float32 NHWC images in [-1, 1].

    Args:
        images: Array `(N, H, W, C)` or `(N, H, W)`: uint8 in 0-255 (scaled
            here) or float already in [-1, 1]. Floats with no negative value
            are refused as [0, 1] data.
        batch_size: Images per batch.
        shuffle: Whether to reshuffle the images every epoch.
        seed: Seed of the shuffle, for a reproducible order.
        drop_remainder: Whether to drop the last, smaller batch.
        image_size: Optional output size, an int or `(height, width)`: images
            are center-cropped to its aspect ratio and resized with
            antialiasing (e.g. 32 to feed MNIST to a 32x32 network).
        channels: Optional 1 (grayscale) or 3 (RGB) to convert to.
        labels: Optional array of N integer class labels (0, 1, ...);
            batches are then `(images, labels)` pairs of float32 images and
            int32 labels, and the data set's `class_names` attribute lists
            the classes "0" ... "K-1" (K = the largest label + 1).

    Returns:
        A `tf.data.Dataset` of float32 tensors `(batch_size, H, W, C)`, or of
        `(images, labels)` pairs when `labels` is given.

    Raises:
        TypeError: If `images` is neither uint8 nor float.
        ValueError: If float images are outside [-1, 1] or look like [0, 1]
            data, there are fewer images
            than `batch_size` while `drop_remainder` is set, or an argument is
            out of range.

    Example:
        (x, _), _ = keras.datasets.mnist.load_data()
        dataset = kerasgan.data.from_array(x, image_size=32, seed=0)
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(
            f"images must be shaped (N, height, width, channels) with 1-4 channels, or "
            f"(N, height, width), got shape {images.shape}."
        )
    if images.dtype.kind == "f":
        images = images.astype(np.float32, copy=False)
        _check_scaled(images)
    elif images.dtype != np.uint8:
        raise TypeError(
            f"images must be uint8 (0-255) or float in [-1, 1], got dtype {images.dtype}; "
            "cast 0-255 integers with images.astype('uint8')."
        )
    size = None if image_size is None else check_image_size(image_size)
    if channels is not None:
        check_channels(channels)
    check_batch_size(batch_size)
    count = len(images)
    if drop_remainder and count < batch_size:
        raise TooFewImagesError(
            f"There are {count} images, fewer than batch_size={batch_size}, so no full batch "
            "can be made; lower batch_size or pass drop_remainder=False.",
            count,
            batch_size,
            "the data",
        )
    class_names = None
    if labels is not None:
        labels = check_labels(labels, count)
        class_names = [str(i) for i in range(int(labels.max()) + 1)]

    # Shuffling indices and gathering whole batches avoids a per-image
    # pipeline and a second copy of the array in a shuffle buffer.
    images = tf.constant(images)
    labels = None if labels is None else tf.constant(labels)

    def gather(indices):
        batch = tf.gather(images, indices)
        if channels is not None:
            batch = convert_channels(batch, channels)
        if size is not None:
            batch = center_crop_resize(batch, size)
        return batch if labels is None else (batch, tf.gather(labels, indices))

    dataset = tf.data.Dataset.range(count)
    if shuffle:
        dataset = dataset.shuffle(count, seed=seed)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    return finish_batches(dataset.map(gather, num_parallel_calls=tf.data.AUTOTUNE), class_names)


#: The label of an unlabelled image in semi-supervised data (`keep_labels`, `semi_supervised`, `SemiSupervisedAAE`).
UNLABELLED = -1


def keep_labels(labels, count, seed=None):
    """`labels` with all but `count` of them hidden (set to `UNLABELLED`), the same number kept of every class.

    Each of the K classes keeps `count // K` labels (the first `count % K`
    classes one more), at images chosen at random with `seed`: the
    semi-supervised benchmarks' "100 labels" are `keep_labels(y, 100)`, ten
    of each MNIST digit.

    Raises:
        ValueError: If `count` is not in [K, N], or a class has fewer images
            than the labels it should keep.
    """
    labels = check_labels(labels, len(np.asarray(labels)))
    classes = int(labels.max()) + 1 if labels.size else 0
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not classes <= count <= len(labels):
        raise ValueError(
            f"keep_labels: count must be an int from {classes} (one label per class) to {len(labels)} (every image); "
            f"got {count!r}."
        )
    rng = np.random.default_rng(seed)
    kept = np.full(len(labels), UNLABELLED, np.int32)
    for k in range(classes):
        share = count // classes + (k < count % classes)
        members = np.flatnonzero(labels == k)
        if len(members) < share:
            raise ValueError(
                f"keep_labels: class {k} has {len(members)} images, fewer than the {share} labels it should keep of "
                f"{count}; keep fewer labels."
            )
        chosen = rng.choice(members, share, replace=False)
        kept[chosen] = k
    return kept


def semi_supervised(
    images,
    labels,
    batch_size=64,
    labelled_batch_size=None,
    shuffle=True,
    seed=None,
    image_size=None,
    channels=None,
):
    """Serves partly labelled images as (images, labels) batches, each with a labelled minibatch, for semi-supervised models.

    Each batch is `batch_size` images of the whole set with their labels
    hidden (`UNLABELLED`; one pass over `images` is one epoch), followed by
    `labelled_batch_size` of the labelled images with their labels, drawn
    in turn from those images reshuffled at each pass. So every step sees a
    labelled minibatch however few labels there are, as Makhzani et al.'s
    semi-supervised classification phase does (100 labels of 8,000 images
    would otherwise give about one labelled image per batch of 64).

    Args:
        images: Array `(N, H, W, C)` or `(N, H, W)`, as `from_array` takes.
        labels: `N` class indices, `UNLABELLED` (-1) for the images without
            a label (`keep_labels` hides all but a few).
        batch_size: Unlabelled images per batch.
        labelled_batch_size: Labelled images per batch; default
            `min(batch_size, number of labelled images)`.
        shuffle, seed, image_size, channels: as for `from_array`.

    Returns:
        A `tf.data.Dataset` of `(images, labels)` pairs, float32 images and
        int32 labels, `batch_size + labelled_batch_size` of each per batch;
        its `class_names` are "0" ... "K-1" (K = the largest label + 1).

    Example:
        images, labels = kerasgan.data.load_arrays("../shared/data/mnist")
        dataset = kerasgan.data.semi_supervised(images, kerasgan.data.keep_labels(labels, 100, seed=0))
        aae = kerasgan.models.SemiSupervisedAAE(num_classes=10, image_shape=(28, 28, 1))
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(
            f"Got {len(images)} images but labels of shape {labels.shape}; pass one label per image "
            f"({UNLABELLED} for an unlabelled one)."
        )
    known = np.flatnonzero(labels != UNLABELLED)
    if not len(known):
        raise ValueError(
            f"semi_supervised: every label is {UNLABELLED} (unlabelled); keep some labels (kerasgan.data.keep_labels) "
            "or train an unsupervised model."
        )
    if labels[known].min() < 0:
        raise ValueError(
            f"Labels must be class indices >= 0, or {UNLABELLED} for an unlabelled image; got {int(labels[known].min())}."
        )
    known_labels = check_labels(labels[known], len(known))
    if labelled_batch_size is None:
        labelled_batch_size = min(batch_size, len(known))
    check_batch_size(labelled_batch_size)
    common = dict(shuffle=shuffle, image_size=image_size, channels=channels)
    unlabelled = from_array(images, batch_size=batch_size, seed=seed, **common)
    labelled = from_array(
        np.asarray(images)[known],
        batch_size=labelled_batch_size,
        seed=None if seed is None else seed + 1,
        labels=known_labels,
        **common,
    ).repeat()

    def join(hidden, shown):
        shown_images, shown_labels = shown
        hidden_labels = tf.fill([tf.shape(hidden)[0]], tf.constant(UNLABELLED, tf.int32))
        return tf.concat([hidden, shown_images], 0), tf.concat([hidden_labels, shown_labels], 0)

    dataset = tf.data.Dataset.zip((unlabelled, labelled)).map(join, num_parallel_calls=tf.data.AUTOTUNE)
    dataset.class_names = [str(k) for k in range(int(known_labels.max()) + 1)]
    return dataset


def check_labels(labels, count):
    """`labels` as an int32 vector of `count` non-negative class indices, or a clear error."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]  # (N, 1), as keras.datasets.cifar10 gives them
    if labels.ndim != 1 or len(labels) != count:
        raise ValueError(f"Got {count} images but labels of shape {labels.shape}; pass one class index per image.")
    if labels.dtype.kind not in "iu" and not (labels.dtype.kind == "f" and np.all(labels == np.round(labels))):
        raise ValueError(
            f"Labels must be integer class indices (0, 1, ...); got dtype {labels.dtype}. "
            "One-hot labels: pass labels.argmax(axis=1)."
        )
    if count and labels.min() < 0:
        raise ValueError(f"Labels must be class indices >= 0; got {int(labels.min())}.")
    return labels.astype(np.int32)


def _check_scaled(images):
    if images.size == 0:
        return
    low, high = float(images.min()), float(images.max())
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError("Float images contain NaN or infinity; remove or fix those images.")
    # Rounding in the user's own scaling may overshoot by a few ulps.
    if low < 0.0 and low >= -1.0 - 1e-5 and high <= 1.0 + 1e-5:
        return
    # [0, 1] lies inside [-1, 1], but a whole data set scaled to [-1, 1] with
    # not one pixel darker than mid-grey does not happen: no negative value
    # means [0, 1] data, which would train the generator on a washed-out range.
    if low >= 0.0 and high <= 1.0 + 1e-5:
        fix = "they look like [0, 1] images: pass images * 2 - 1"
    else:
        fix = "they look like 0-255 images: pass images.astype('uint8') or images / 127.5 - 1"
    raise ValueError(f"Float images must lie in [-1, 1], found values in [{low:g}, {high:g}]; {fix}.")


def mnist_idx(images_path, labels_path=None):
    """Reads an MNIST-style IDX images file, and its labels when there are any.

    Args:
        images_path: An `*-images-idx3-ubyte` file, gzipped or not.
        labels_path: Its `*-labels-idx1-ubyte` file. When omitted, the labels
            file beside the images (`t10k-images-idx3-ubyte.gz` ->
            `t10k-labels-idx1-ubyte.gz`, with or without `.gz`) is used if
            it exists.

    Returns:
        `(images, labels)`: uint8 `(N, rows, cols, 1)` and int64 `(N,)`, or
        `None` for labels when there is no labels file. Always a pair, so
        callers never have to check what came back.

    Raises:
        ValueError: If a file is missing, truncated, or has the wrong IDX
            magic number, or the counts of images and labels differ.

    Example:
        images, labels = kerasgan.data.mnist_idx("mnist/t10k-images-idx3-ubyte.gz")
    """
    images_path = os.fspath(images_path)
    images = _read_idx(images_path, _IDX_IMAGES_MAGIC, "images (idx3-ubyte)")[..., np.newaxis]
    if labels_path is None:
        labels_path = _find_labels(images_path)
    if labels_path is None:
        return images, None
    labels = _read_idx(os.fspath(labels_path), _IDX_LABELS_MAGIC, "labels (idx1-ubyte)")
    if len(labels) != len(images):
        raise ValueError(
            f"{os.fspath(labels_path)!r} holds {len(labels)} labels but {images_path!r} holds "
            f"{len(images)} images; pass the labels file that belongs to these images."
        )
    return images, labels.astype(np.int64)


def _find_labels(images_path):
    folder, name = os.path.split(images_path)
    stem = name[:-3] if name.endswith(".gz") else name
    labels_stem = stem.replace("images", "labels").replace("idx3", "idx1")
    if labels_stem == stem:  # no naming convention to follow
        return None
    for candidate in (labels_stem + ".gz", labels_stem):
        if os.path.isfile(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    return None


def _read_idx(path, magic, kind):
    if not os.path.isfile(path):
        raise ValueError(f"IDX file {path!r} does not exist; pass the path of an {kind} file.")
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"  # decide by content, not by name
    try:
        with (gzip.open if gzipped else open)(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as err:
        raise ValueError(f"Could not read {path!r} ({err}); the file is corrupt, download it again.") from err
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise ValueError(
            f"{path!r} has IDX magic number {found}, expected {magic} for an MNIST {kind} file; "
            "check that the file is an IDX file of that kind and is not corrupt."
        )
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    expected = int(np.prod(shape))
    if len(data) - offset != expected:
        raise ValueError(
            f"{path!r} should hold {expected} bytes of data for shape {shape} but holds "
            f"{len(data) - offset}; the file is truncated or corrupt, download it again."
        )
    # A copy, because an array over the bytes object would be read-only.
    return np.frombuffer(data, np.uint8, offset=offset).reshape(shape).copy()


def load_arrays(spec):
    """Loads a data set that fits in memory as numpy arrays.

    Args:
        spec: One of `DATASET_NAMES` (through `keras.datasets`, which needs a
            network or Keras' download cache), an `.npz` file, an IDX images
            file, or a folder holding IDX images files (all are concatenated).
            An `.npz` file holds `x_train` (and `x_test`, concatenated), as
            `keras.datasets` saves them, or `images` or `x`; labels are read
            from the matching `y_train`/`y_test`, `labels` or `y`.

    Returns:
        `(images, labels)`: uint8 (or float) `(N, H, W, C)` and `(N,)` labels,
        or `None` for labels when there are none.

    Raises:
        ValueError: If `spec` is none of the above or cannot be read.
    """
    if isinstance(spec, str) and spec in DATASET_NAMES and not os.path.exists(spec):
        return _load_named(spec)
    path = os.fspath(spec)
    if os.path.isdir(path):
        idx_files = _idx_images_files(path)
        if not idx_files:
            raise ValueError(f"{path!r} holds no IDX images files (*-idx3-ubyte[.gz]).")
        pairs = [mnist_idx(f) for f in idx_files]
        labels = [p[1] for p in pairs]
        return (
            np.concatenate([p[0] for p in pairs]),
            None if any(y is None for y in labels) else np.concatenate(labels),
        )
    if not os.path.isfile(path):
        raise ValueError(
            f"Dataset {path!r} not found: it is neither an existing file or folder nor one of "
            f"the names {', '.join(DATASET_NAMES)}."
        )
    if path.lower().endswith(".npz"):
        return _load_npz(path)
    if _IDX_IMAGES_NAME.search(os.path.basename(path)):
        return mnist_idx(path)
    raise ValueError(
        f"{path!r} is not a data set file: pass an .npz file, an IDX images file "
        "(*-idx3-ubyte[.gz]), a folder of IDX files or images, or one of the names "
        f"{', '.join(DATASET_NAMES)}."
    )


def _idx_images_files(folder):
    return sorted(
        os.path.join(folder, name)
        for name in os.listdir(folder)
        if _IDX_IMAGES_NAME.search(name) and os.path.isfile(os.path.join(folder, name))
    )


def _load_npz(path):
    import zipfile

    if not zipfile.is_zipfile(path):  # else NumPy's message is about allow_pickle
        raise ValueError(
            f"{path!r} is not an .npz archive (not a zip file; damaged, or another format renamed); save it with "
            "numpy.savez(path, x_train=images)."
        )
    with np.load(path, allow_pickle=False) as npz:
        keys = set(npz.files)
        for layout in _NPZ_LAYOUTS:
            present = [(x, y) for x, y in layout if x in keys]
            if present:
                break
        else:
            raise ValueError(
                f"{path!r} holds the arrays {sorted(keys)}; expected images under 'x_train' "
                "(and 'x_test'), 'images' or 'x'. Re-save it with one of those keys."
            )
        images = np.concatenate([npz[x] for x, _ in present])
        labels = None
        if all(y in keys for _, y in present):
            labels = np.concatenate([npz[y].reshape(-1) for _, y in present])
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return images, labels


def _load_named(name):
    import keras  # only here, so that importing kerasgan.data stays light

    try:
        (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
    except Exception as err:
        raise ValueError(
            f"Could not load {name!r} through keras.datasets ({type(err).__name__}: {err}); it "
            "is downloaded on first use, which needs a network. Pass a local path instead: an "
            ".npz file, an IDX file or a folder of IDX files or images; or, for MNIST, the test set "
            "shipped with kerasgan (kerasgan.data.EMBEDDED_MNIST; kerasgan train without --data)."
        ) from err
    images = np.concatenate([x_train, x_test])
    if images.ndim == 3:
        images = images[..., np.newaxis]
    # cifar labels come shaped (N, 1).
    labels = np.concatenate([y_train.reshape(-1), y_test.reshape(-1)]).astype(np.int64)
    return images, labels


def load_dataset(
    spec,
    image_size=None,
    channels=None,
    batch_size=64,
    shuffle=True,
    seed=None,
    cache="auto",
    labels=False,
):
    """Loads any supported data set as batches of float32 NHWC images in [-1, 1].

    The single entry point of the CLI.

    Args:
        spec: A name from `DATASET_NAMES`, an `.npz` file, an IDX images file,
            a folder holding IDX files, or a folder of images.
        image_size: Output size, an int or `(height, width)`. Arrays keep
            their own size when it is None; image folders default to 64.
        channels: 1 or 3. Arrays keep their own channels when it is None;
            image folders default to 3.
        batch_size: Images per batch; the last, smaller batch is dropped.
        shuffle: Whether to reshuffle the images every epoch.
        seed: Seed of the shuffle.
        cache: For image folders, as in `image_folder`; arrays are in memory
            already.
        labels: Also yield class labels, for conditional models: batches
            become `(images, labels)` pairs and the data set's `class_names`
            attribute names the classes. A folder needs one sub-folder per
            class; IDX images need their labels file beside them; an .npz
            needs a labels array.

    Returns:
        A `tf.data.Dataset` of float32 tensors `(batch_size, H, W, C)`; its
        `element_spec.shape[1:]` is the image shape to build a model for.

    Raises:
        ValueError: If `spec` cannot be found or read, it holds fewer images
            than `batch_size`, or an argument is out of range.

    Example:
        dataset = kerasgan.data.load_dataset("../shared/data/mnist", image_size=32)
        gan = kerasgan.models.DCGAN.for_images(dataset.element_spec.shape[1:])
    """
    if _is_image_folder(spec):
        return image_folder(
            spec,
            64 if image_size is None else image_size,
            channels=3 if channels is None else channels,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            cache=cache,
            labels=labels,
        )
    images, found = load_arrays(spec)
    if labels and found is None:
        raise ValueError(
            f"{os.fspath(spec)!r} holds no labels, which a conditional model needs. For IDX files put the "
            "*-labels-idx1-ubyte(.gz) file beside the images; for .npz store a 'labels' (or 'y') array."
        )
    return from_array(
        images,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        image_size=image_size,
        channels=channels,
        labels=found if labels else None,
    )


def count_images(spec):
    """Number of images `load_dataset(spec)` reads, before undecodable files are skipped.

    Cheap for image folders (a directory listing); array data sets are loaded.
    """
    if _is_image_folder(spec):
        return len(list_image_files(spec))
    return len(load_arrays(spec)[0])


def _is_image_folder(spec):
    path = os.fspath(spec)
    return os.path.isdir(path) and not _idx_images_files(path)
