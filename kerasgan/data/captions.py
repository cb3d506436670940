"""Captioned images: the captioned MNIST, caption folders, precomputed text embeddings.

Text-to-image models (`kerasgan.models.GANCLS`) train on `(images, text)`
batches, where the text is a batch of caption strings (encoded by the model's
`text_encoder`) or of precomputed embeddings (float32, (batch, dim)), which is
how the CUB / Oxford-102 data of Reed et al. is distributed.

The captioned MNIST
-------------------

`captioned_mnist` captions each MNIST digit from its label and two stroke
properties measured on the image (ink is a pixel above 127):

- thickness = 2 × ink area / ink perimeter (the perimeter counted as
  ink-to-background pixel edges, 4-neighbourhood). A stroke of width w and
  length L ≫ w has area w·L and perimeter ≈ 2L, so this is its width in pixels.
- slant = −cov(x, y) / var(y) of the ink pixels (y pointing down): the
  horizontal shift per row, positive when the top leans right.

The caption grammar (its words are the interface; `caption_words` lists them)::

    caption   := ARTICLE [THICKNESS] [", "] [SLANT] DIGIT
    THICKNESS := "thin" | "thick"           (omitted for a medium stroke)
    SLANT     := "upright" | "slanted"      (omitted for a medium slant)
    DIGIT     := "zero" | "one" | ... | "nine"
    ARTICLE   := "an" before a vowel sound ("an eight", "an upright one"), else "a"

A comma separates two adjectives: "a thick, slanted seven", "a thin seven",
"an upright one", "a seven". "thin" / "thick" are the lower / upper third of
the MNIST test set's thickness (`THIN_BELOW`, `THICK_ABOVE`); "upright" /
"slanted" the lower / upper third of its slant (`UPRIGHT_BELOW`,
`SLANTED_ABOVE`). Every image gets every caption that is true of it: the full
one and those with an adjective left out (a thick, slanted seven is also "a
thick seven", "a slanted seven" and "a seven"), so a model learns what each
word means on its own.

Caption folders
---------------

`captioned_folder(path)` reads a folder of images with either

- `captions.jsonl`: one JSON object per line, `{"image": "relative/path.png",
  "captions": ["...", ...]}` (or `"caption": "..."` for one), or
- a text file per image (`img_01.png` → `img_01.txt`), one caption per line;

and optionally `embeddings.npy`: one embedding per (image, caption) pair, in
the order the pairs are listed (`caption_pairs(path)`), shape (pairs, dim), or
(images, captions per image, dim) when every image has the same number.
"""

import json
import os

import numpy as np
import tensorflow as tf

from kerasgan.data.arrays import EMBEDDED_MNIST, load_arrays
from kerasgan.data.folder import (
    TooFewImagesError,
    center_crop_resize,
    check_batch_size,
    list_image_files,
    read_image,
)

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
THICKNESS_WORDS = ("thin", "thick")
SLANT_WORDS = ("upright", "slanted")

# Terciles of the 10,000 MNIST test digits (measured with stroke_properties on
# ../shared/data/mnist; the embedded copy is the same file): a third of the
# digits on each side of each pair of thresholds.
THIN_BELOW, THICK_ABOVE = 1.79, 2.23
UPRIGHT_BELOW, SLANTED_ABOVE = -0.025, 0.20

CAPTIONS_FILE = "captions.jsonl"
EMBEDDINGS_FILE = "embeddings.npy"


def caption_words():
    """Every word the captioned MNIST uses (articles included), in grammar order."""
    return ("a", "an", *THICKNESS_WORDS, *SLANT_WORDS, *DIGIT_WORDS)


def stroke_properties(images):
    """(thickness, slant) of each digit image: float arrays of shape (N,). See the module docstring.

    Args:
        images: uint8 (N, H, W) or (N, H, W, 1), ink bright (MNIST).
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"stroke_properties takes uint8 digit images (N, H, W) or (N, H, W, 1); got {images.dtype} "
            f"of shape {images.shape}."
        )
    ink = images > 127
    padded = np.pad(ink, ((0, 0), (1, 1), (1, 1)))
    edges = (padded[:, 1:, :] != padded[:, :-1, :]).sum(axis=(1, 2)) + (padded[:, :, 1:] != padded[:, :, :-1]).sum(
        axis=(1, 2)
    )
    area = ink.sum(axis=(1, 2))
    thickness = 2.0 * area / np.maximum(edges, 1)
    rows, cols = np.mgrid[: images.shape[1], : images.shape[2]]
    weight = ink / np.maximum(area, 1)[:, None, None]
    mean_y = (weight * rows).sum(axis=(1, 2))
    mean_x = (weight * cols).sum(axis=(1, 2))
    dy = rows[None] - mean_y[:, None, None]
    dx = cols[None] - mean_x[:, None, None]
    var_y = (weight * dy**2).sum(axis=(1, 2))
    cov = (weight * dx * dy).sum(axis=(1, 2))
    slant = -cov / np.maximum(var_y, 1e-6)
    return thickness.astype("float32"), slant.astype("float32")


def _article(word):
    return "an" if word in ("eight", "upright") else "a"


def describe(digit, thickness=None, slant=None):
    """The caption of the grammar for a digit (0-9) and optional adjectives, e.g. describe(7, "thick", "slanted")."""
    if isinstance(digit, bool) or not isinstance(digit, (int, np.integer)) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an int in 0..9; got {digit!r}.")
    if thickness not in (None, *THICKNESS_WORDS) or slant not in (None, *SLANT_WORDS):
        raise ValueError(
            f"thickness must be None, {' or '.join(map(repr, THICKNESS_WORDS))} and slant None, "
            f"{' or '.join(map(repr, SLANT_WORDS))}; got {thickness!r}, {slant!r}."
        )
    adjectives = [w for w in (thickness, slant) if w]
    words = ", ".join(adjectives)
    phrase = f"{words} {DIGIT_WORDS[digit]}" if words else DIGIT_WORDS[digit]
    return f"{_article(phrase.split()[0].strip(','))} {phrase}"


def digit_captions(labels, thickness, slant):
    """Every true caption of each digit (a list of lists of strings), from its label and stroke properties."""
    captions = []
    for digit, t, s in zip(labels, thickness, slant):
        thick = "thin" if t < THIN_BELOW else "thick" if t > THICK_ABOVE else None
        lean = "upright" if s < UPRIGHT_BELOW else "slanted" if s > SLANTED_ABOVE else None
        options = {describe(int(digit), a, b) for a in {thick, None} for b in {lean, None}}
        captions.append(sorted(options, key=lambda c: (-len(c), c)))  # the full caption first
    return captions


def captioned_mnist(spec=EMBEDDED_MNIST):
    """The captioned MNIST: (images uint8 (N, 28, 28, 1), captions: a list of N lists, labels, thickness, slant).

    Args:
        spec: MNIST-style digits with labels, as `load_arrays` reads them: a
            folder of IDX files (default: the test set shipped with kerasgan),
            an IDX images file with its labels beside it, an .npz, or "mnist".
    """
    images, labels = load_arrays(spec)
    if labels is None:
        raise ValueError(f"{os.fspath(spec)!r} holds no labels; the captions name the digit, so it needs them.")
    if images.dtype != np.uint8 or images.shape[1:] != (28, 28, 1):
        raise ValueError(
            f"The captioned MNIST measures strokes on uint8 28×28 gray digits; {os.fspath(spec)!r} holds "
            f"{images.dtype} images of shape {images.shape[1:]}."
        )
    thickness, slant = stroke_properties(images)
    return images, digit_captions(labels, thickness, slant), labels, thickness, slant


def _pairs(captions):
    """(image index per pair, caption per pair) from a list of caption lists."""
    index = np.asarray([i for i, options in enumerate(captions) for _ in options], "int64")
    text = [c for options in captions for c in options]
    return index, text


def from_captions(
    images, captions, embeddings=None, batch_size=64, shuffle=True, seed=None, image_size=None, channels=None
):
    """Batches of (images, text): every (image, caption) pair is one example.

    Args:
        images: uint8 (N, H, W, C) array, or a list of N image files.
        captions: N lists of captions (or N strings).
        embeddings: optional float array, one embedding per pair (pairs, dim) in
            the order of `captions`; then the text of a batch is its
            embeddings (float32) rather than its strings.
        batch_size, shuffle, seed: as for `from_array`; the last smaller batch is dropped.
        image_size, channels: resize / convert (files default to 64 and 3).

    Returns:
        A `tf.data.Dataset` of (float32 images in [-1, 1], text) whose
        `captions` attribute lists every caption (for a text encoder's vocabulary).
    """
    captions = [[c] if isinstance(c, str) else list(c) for c in captions]
    if len(captions) != len(images):
        raise ValueError(f"Got {len(images)} images but {len(captions)} caption lists; give one list per image.")
    empty = [i for i, c in enumerate(captions) if not c]
    if empty:
        raise ValueError(f"Image {empty[0]} has no caption; give every image at least one.")
    check_batch_size(batch_size)
    index, text = _pairs(captions)
    if embeddings is not None:
        embeddings = np.asarray(embeddings, "float32")
        if embeddings.ndim == 3:
            embeddings = embeddings.reshape(-1, embeddings.shape[-1])
        if embeddings.ndim != 2 or len(embeddings) != len(text):
            raise ValueError(
                f"The embeddings have shape {embeddings.shape} but there are {len(text)} (image, caption) pairs; "
                "give one embedding per pair, shape (pairs, dim), in the order of the captions."
            )
    if len(text) < batch_size:
        raise TooFewImagesError(
            f"There are {len(text)} (image, caption) pairs, fewer than batch_size={batch_size}; lower batch_size.",
            len(text),
            batch_size,
            "the captions",
        )
    if isinstance(images, np.ndarray):
        pixels = images[..., None] if images.ndim == 3 else images
        if isinstance(image_size, int):
            image_size = (image_size, image_size)
    else:
        size = 64 if image_size is None else image_size
        pixels = np.stack([_read(f, size, 3 if channels is None else channels) for f in images])
        image_size = None
    pixels = tf.constant(pixels)
    texts = tf.constant(embeddings if embeddings is not None else np.asarray(text, dtype=object))
    index = tf.constant(index)

    def gather(rows):
        batch = tf.cast(tf.gather(pixels, tf.gather(index, rows)), tf.float32)
        if channels is not None and batch.shape[-1] != channels:
            batch = tf.image.grayscale_to_rgb(batch) if channels == 3 else tf.image.rgb_to_grayscale(batch)
        if image_size is not None:
            batch = center_crop_resize(batch, image_size)
        return batch / 127.5 - 1.0, tf.gather(texts, rows)

    dataset = tf.data.Dataset.range(len(text))
    if shuffle:
        dataset = dataset.shuffle(len(text), seed=seed)
    dataset = dataset.batch(batch_size, drop_remainder=True).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.prefetch(tf.data.AUTOTUNE)
    dataset.captions = text
    return dataset


def _read(file, size, channels):
    image = read_image(file, channels)[0]
    return np.asarray(center_crop_resize(image, (size, size) if isinstance(size, int) else size)).astype("uint8")


def caption_pairs(path):
    """(image files, caption lists) of a caption folder: captions.jsonl, else one .txt file per image."""
    path = os.fspath(path)
    jsonl = os.path.join(path, CAPTIONS_FILE)
    if os.path.isfile(jsonl):
        files, captions = [], []
        with open(jsonl, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    name = row["image"]
                    text = row["captions"] if "captions" in row else [row["caption"]]
                except (ValueError, KeyError, TypeError):
                    raise ValueError(
                        f"{jsonl} line {number} is not a JSON object with 'image' and 'caption' or 'captions'; "
                        'write lines like {"image": "a.png", "captions": ["a red bird"]}.'
                    ) from None
                file = os.path.join(path, name)
                if not os.path.isfile(file):
                    raise ValueError(f"{jsonl} line {number} names {name!r}, which is not a file in {path}.")
                files.append(file)
                captions.append([str(t) for t in text])
        return files, captions
    files, captions = [], []
    for file in list_image_files(path):
        txt = os.path.splitext(file)[0] + ".txt"
        if os.path.isfile(txt):
            with open(txt, encoding="utf-8") as f:
                lines = [line.strip() for line in f if line.strip()]
            if lines:
                files.append(file)
                captions.append(lines)
    if not files:
        raise ValueError(
            f"{path!r} holds no {CAPTIONS_FILE} and no image with a caption file beside it (a.png → a.txt); "
            "a captioned folder needs one of the two."
        )
    return files, captions


def captioned_folder(path, image_size=64, channels=3, batch_size=64, shuffle=True, seed=None):
    """Batches of (images, text) from a caption folder (see the module docstring); `embeddings.npy` if present."""
    files, captions = caption_pairs(path)
    embeddings_file = os.path.join(os.fspath(path), EMBEDDINGS_FILE)
    embeddings = np.load(embeddings_file) if os.path.isfile(embeddings_file) else None
    return from_captions(
        files,
        captions,
        embeddings,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        image_size=image_size,
        channels=channels,
    )


def captioned_mnist_dataset(spec=EMBEDDED_MNIST, batch_size=64, shuffle=True, seed=None, image_size=None):
    """The captioned MNIST as batches of (images, caption strings): every true caption of every digit.

    `image_size`: resize the 28×28 digits (antialiased), e.g. 14 for StackGAN's stage I; the captions are
    those measured at 28×28.
    """
    images, captions = captioned_mnist(spec)[:2]
    return from_captions(images, captions, batch_size=batch_size, shuffle=shuffle, seed=seed, image_size=image_size)
