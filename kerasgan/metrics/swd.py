"""Sliced Wasserstein distance between Laplacian-pyramid patches (Karras et al. 2018).

Needs no pretrained network, so it works offline and on any image size. Each
image is decomposed into a Laplacian pyramid (5-tap binomial filter, halving
down to `min_resolution`); from every level, random `patch_size`² patches
(7×7×C in the paper) are taken as descriptors and normalized per channel and
set; at each level the two sets of descriptors are compared by the sliced
Wasserstein distance (random unit directions, sorted projections). Fine
levels measure texture and edges, the coarsest one colour and layout.

Memory: the descriptors are kept (sorting needs them), levels ×
patches_per_image × patch_size² × channels float32 values per image, about
113 KB per 96×96 RGB image with the defaults; pass fewer images or patches
for big sets.
"""

import math

import numpy as np

_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


def _blur(x):
    """Separable 5×5 binomial filter on NHWC float32 arrays, mirrored borders (a TF depthwise convolution)."""
    import tensorflow as tf

    x = np.asarray(x, np.float32)
    if min(x.shape[1:3]) <= 2:  # too small to mirror 2 pixels: repeat the edge instead
        padded = np.pad(x, [(0, 0), (2, 2), (2, 2), (0, 0)], mode="edge")
    else:
        padded = tf.pad(x, [[0, 0], [2, 2], [2, 2], [0, 0]], mode="REFLECT")
    kernel = np.outer(_BINOMIAL, _BINOMIAL).astype(np.float32)[:, :, None, None]
    kernel = np.repeat(kernel, x.shape[-1], axis=2)
    return tf.nn.depthwise_conv2d(padded, kernel, [1, 1, 1, 1], "VALID").numpy()


def _pyr_down(x):
    return _blur(x)[:, ::2, ::2]


def _pyr_up(x, shape):
    up = np.zeros((x.shape[0], shape[0], shape[1], x.shape[3]), x.dtype)
    up[:, ::2, ::2] = x
    return _blur(up) * 4.0


def laplacian_pyramid(images, levels):
    """The `levels` levels of the Laplacian pyramid of NHWC images, finest first.

    The last level is the remaining Gaussian (low-pass) image, so the levels
    sum back to the images when upsampled.
    """
    current = np.asarray(images, np.float32)
    pyramid = []
    for _ in range(levels - 1):
        down = _pyr_down(current)
        pyramid.append(current - _pyr_up(down, current.shape[1:3]))
        current = down
    pyramid.append(current)
    return pyramid


def pyramid_levels(image_size, min_resolution=16, patch_size=7):
    """Number of pyramid levels for images of `image_size` (H, W): halving down to `min_resolution`."""
    side = min(image_size)
    if side < patch_size:
        raise ValueError(
            f"SWD needs images of at least {patch_size}×{patch_size} pixels (the patch size); got {image_size}."
        )
    levels = 1
    while side // 2 >= max(min_resolution, patch_size):
        side = math.ceil(side / 2)
        levels += 1
    return levels


class PatchDescriptors:
    """Collects the per-level patch descriptors of a set of images, batch by batch.

    Patch positions come from a numpy RNG seeded with `seed`, so two sets
    drawn with the same seed and the same image sizes use the same positions:
    identical sets give identical descriptors and a distance of exactly 0.
    """

    def __init__(self, patches_per_image=64, patch_size=7, min_resolution=16, seed=0):
        self.patches_per_image = int(patches_per_image)
        self.patch_size = int(patch_size)
        self.min_resolution = int(min_resolution)
        self._rng = np.random.default_rng(seed)
        self.levels = None
        self.image_shape = None
        self._descriptors = None

    def update(self, images):
        images = np.asarray(images, np.float32)
        if images.ndim != 4:
            raise ValueError(f"SWD needs NHWC images; got shape {images.shape}.")
        if self.levels is None:
            self.image_shape = images.shape[1:]
            self.levels = pyramid_levels(images.shape[1:3], self.min_resolution, self.patch_size)
            self._descriptors = [[] for _ in range(self.levels)]
        elif images.shape[1:] != self.image_shape:
            raise ValueError(f"SWD images of shape {images.shape[1:]} after {self.image_shape}; use one image size.")
        p = self.patch_size
        offsets = np.arange(p)
        for level, lap in enumerate(laplacian_pyramid(images, self.levels)):
            n, h, w, _ = lap.shape
            ys = self._rng.integers(0, h - p + 1, size=(n, self.patches_per_image))
            xs = self._rng.integers(0, w - p + 1, size=(n, self.patches_per_image))
            rows = ys[..., None, None] + offsets[:, None]  # (n, P, p, 1)
            cols = xs[..., None, None] + offsets[None, :]  # (n, P, 1, p)
            patches = lap[np.arange(n)[:, None, None, None], rows, cols]  # (n, P, p, p, C)
            self._descriptors[level].append(patches.reshape(n * self.patches_per_image, -1).astype(np.float32))
        return self

    def descriptors(self):
        """Per level, the descriptors normalized to zero mean and unit variance per channel."""
        if self.levels is None:
            raise ValueError("No images were added to the SWD descriptors.")
        channels = self.image_shape[-1]
        out = []
        for parts in self._descriptors:
            d = np.concatenate(parts).reshape(-1, self.patch_size**2, channels)
            mean = d.mean(axis=(0, 1), keepdims=True)
            std = d.std(axis=(0, 1), keepdims=True)
            out.append(((d - mean) / np.where(std > 0, std, 1.0)).reshape(len(d), -1))
        return out

    def resolutions(self):
        sizes, (h, w) = [], self.image_shape[:2]
        for _ in range(self.levels):
            sizes.append((h, w))
            h, w = math.ceil(h / 2), math.ceil(w / 2)
        return sizes


def sliced_wasserstein(a, b, dir_repeats=4, dirs_per_repeat=128, seed=0):
    """Sliced Wasserstein-1 distance between two point sets (n, d), random unit directions.

    For each direction the projections of both sets are sorted and matched in
    order; the distance is the mean absolute difference, averaged over
    `dir_repeats × dirs_per_repeat` directions. The larger set is subsampled
    (without replacement) to the smaller one's size.
    """
    rng = np.random.default_rng(seed)
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"Descriptors of sizes {a.shape[1]} and {b.shape[1]}; the images must have the same channels.")
    n = min(len(a), len(b))
    if len(a) > n:
        a = a[rng.choice(len(a), n, replace=False)]
    if len(b) > n:
        b = b[rng.choice(len(b), n, replace=False)]
    distances = []
    for _ in range(int(dir_repeats)):
        dirs = rng.standard_normal((a.shape[1], int(dirs_per_repeat))).astype(np.float32)
        dirs /= np.linalg.norm(dirs, axis=0, keepdims=True)
        # (directions, n): each projection sorted along contiguous memory
        pa, pb = np.sort(dirs.T @ a.T, axis=1), np.sort(dirs.T @ b.T, axis=1)
        distances.append(np.abs(pa - pb).mean(dtype=np.float64))
    return float(np.mean(distances))


def iterate_batches(images, batch_size=256):
    """Yields numpy batches from an array, a `tf.data.Dataset` or any iterable of batches.

    `(images, labels)` batches yield their images.
    """
    if isinstance(images, np.ndarray):
        for i in range(0, len(images), batch_size):
            yield images[i : i + batch_size]
        return
    for batch in images:
        if isinstance(batch, (tuple, list)):
            batch = batch[0]
        yield np.asarray(batch)


def swd(
    real,
    fake,
    patches_per_image=64,
    patch_size=7,
    min_resolution=16,
    dir_repeats=4,
    dirs_per_repeat=128,
    seed=0,
    batch_size=256,
):
    """Sliced Wasserstein distance between two sets of images, per Laplacian level and averaged.

    Args:
        real, fake: images in [-1, 1] (any range works: descriptors are
            normalized), arrays (n, H, W, C) or iterables of batches; both sets
            the same size.
        patches_per_image: random patches taken per image and level (the
            paper takes 128).
        patch_size: side of the patches (7 in the paper).
        min_resolution: the pyramid halves the images down to this size (16).
        dir_repeats, dirs_per_repeat: 4 × 128 random directions (the paper's).
        seed: seed of the patch positions and the directions.
        batch_size: images processed at a time for arrays.

    Returns:
        A dict: `"swd"` the mean over levels, `"levels"` the distance of each
        level (finest first), `"resolutions"` their sizes. Distances are
        multiplied by 10³, the unit of the paper's tables. 0 for identical sets.

    Reference:
        Karras et al., Progressive Growing of GANs for Improved Quality,
        Stability, and Variation, ICLR 2018 (appendix D).
        https://arxiv.org/abs/1710.10196
    """
    sets = []
    for images in (real, fake):
        collector = PatchDescriptors(patches_per_image, patch_size, min_resolution, seed)
        for batch in iterate_batches(images, batch_size):
            collector.update(batch)
        sets.append(collector)
    if sets[0].image_shape != sets[1].image_shape:
        raise ValueError(f"SWD compares images of one shape; got {sets[0].image_shape} and {sets[1].image_shape}.")
    levels = [
        1e3 * sliced_wasserstein(a, b, dir_repeats, dirs_per_repeat, seed=seed + level)
        for level, (a, b) in enumerate(zip(sets[0].descriptors(), sets[1].descriptors()))
    ]
    return {"swd": float(np.mean(levels)), "levels": levels, "resolutions": [list(r) for r in sets[0].resolutions()]}
