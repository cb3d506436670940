"""DiffAugment (Zhao et al. 2020): differentiable augmentations applied to real and fake images alike.

With little data a discriminator memorizes the training set. DiffAugment
applies the same family of random, differentiable transforms T to every image
the discriminator sees, real or generated: D is trained on D(T(x)) and
D(T(G(z))), and G on D(T(G(z))), the gradient flowing back through T. Because
the fakes are augmented too, the generator does not learn to produce augmented
images.

Policies (comma-separated, applied in the order given):

- "color": random brightness (add U(-0.5, 0.5)), saturation (scale each
  pixel's deviation from its channel mean by U(0, 2)) and contrast (scale the
  deviation from the image mean by U(0.5, 1.5)), one draw per image each;
- "translation": shift each image by a random integer number of pixels in
  [-s, s] along each axis, s = round(size / 8), filling with zeros;
- "cutout": zero a random square of half the image size in each image.

Every random number is per image, drawn with the batch size taken from the
tensor, so the function works with any batch and inside `tf.function`.

Reference:
    Zhao, Liu, Lin, Zhu, Han, Differentiable Augmentation for Data-Efficient
    GAN Training, NeurIPS 2020. https://arxiv.org/abs/2006.10738
"""

import keras
from keras import ops

AUGMENTATIONS = ("color", "translation", "cutout")
DEFAULT_POLICY = "color,translation,cutout"


def parse_policy(policy):
    """Checks a DiffAugment policy and returns it as a tuple of augmentation names.

    Args:
        policy: comma-separated names ("color,translation,cutout"), a list or
            tuple of names, or "" / None / () for no augmentation.

    Returns:
        The names, in the order they are applied.

    Raises:
        ValueError: for a name that is not one of `AUGMENTATIONS`.
        TypeError: for a policy that is neither a string nor a sequence of strings.

    Example:
        >>> parse_policy("color, translation")
        ('color', 'translation')
    """
    if policy is None:
        return ()
    if isinstance(policy, str):
        names = [name.strip() for name in policy.split(",")]
        names = [name for name in names if name]
    elif isinstance(policy, (list, tuple)) and all(isinstance(name, str) for name in policy):
        names = list(policy)
    else:
        raise TypeError(
            f"DiffAugment policy must be a comma-separated string like {DEFAULT_POLICY!r} or a list of names; "
            f"got {policy!r}."
        )
    unknown = [name for name in names if name not in AUGMENTATIONS]
    if unknown:
        raise ValueError(
            f"Unknown DiffAugment policy {unknown[0]!r} in policy={policy!r}; choose from "
            f"{', '.join(AUGMENTATIONS)}, comma-separated (e.g. {DEFAULT_POLICY!r})."
        )
    return tuple(names)


def _seeded_sampler(seed):
    """`sampler(fn, shape)` drawing `fn(shape, seed=...)` from `seed`."""
    if seed is None or isinstance(seed, keras.random.SeedGenerator):
        return lambda fn, shape: fn(shape, seed=seed)
    if isinstance(seed, int) and not isinstance(seed, bool):
        # An int seeds stateless draws: the same int would give every draw the same
        # numbers (x and y shifts equal, ...), so each draw gets its own derived seed.
        counter = iter(range(1 << 30))
        return lambda fn, shape: fn(shape, seed=(seed * 1_000_003 + next(counter)) % (1 << 32))
    raise TypeError(
        f"diff_augment: seed must be a keras.random.SeedGenerator, an int or None; got {seed!r}. "
        "Pass the model's SeedGenerator inside a train_step."
    )


def diff_augment(images, policy=DEFAULT_POLICY, seed=None, sampler=None):
    """Applies DiffAugment's random differentiable augmentations, independently per image.

    Args:
        images: float NHWC batch in [-1, 1]. Height and width must be known.
        policy: the augmentations to apply, see `parse_policy`; the paper uses
            "color,translation,cutout" with little data, "translation,cutout"
            or "translation" otherwise.
        seed: where the random numbers come from: a `keras.random.SeedGenerator`
            (a model passes its own, so that a seed reproduces a run), an int
            (the same augmentation at every call: for tests), or None (Keras'
            global generator: not reproducible).
        sampler: optional `sampler(fn, shape)` returning `fn(shape, seed=...)`
            for a random function `fn` (`keras.random.uniform`) and a shape
            whose first entry is the batch size; it replaces the draws from
            `seed`. A GAN under `tf.distribute` passes its `replica_random`,
            which draws for the global batch and keeps this replica's slice.

    Returns:
        The augmented images, same shape and dtype as `images`, differentiable
        with respect to them.

    Raises:
        ValueError: for an unknown policy name or images that are not NHWC.
        TypeError: for non-float images or a bad `seed`.

    Example:
        >>> seed = keras.random.SeedGenerator(0)
        >>> real_logits = discriminator(diff_augment(real, seed=seed), training=True)
        >>> fake_logits = discriminator(diff_augment(fake, seed=seed), training=True)

    Reference:
        Zhao et al., Differentiable Augmentation for Data-Efficient GAN
        Training, NeurIPS 2020. https://arxiv.org/abs/2006.10738
    """
    names = parse_policy(policy)
    x = ops.convert_to_tensor(images)
    if len(x.shape) != 4 or x.shape[1] is None or x.shape[2] is None:
        raise ValueError(f"diff_augment expects NHWC images with known height and width; got shape {tuple(x.shape)}.")
    if not keras.backend.is_float_dtype(x.dtype):
        raise TypeError(
            f"diff_augment expects float images in [-1, 1]; got dtype {x.dtype}. Cast and rescale them first."
        )
    if sampler is None:
        sampler = _seeded_sampler(seed)
    for name in names:
        x = _FUNCTIONS[name](x, sampler)
    return x


def _uniform(x, sampler, *shape):
    """Float32 U[0, 1) numbers of shape (batch, *shape), the batch size read from the tensor."""
    return ops.cast(sampler(keras.random.uniform, (ops.shape(x)[0], *shape)), "float32")


def _color(x, sampler):
    def magnitude(low, high):
        return ops.cast(_uniform(x, sampler, 1, 1, 1) * (high - low) + low, x.dtype)

    x = x + magnitude(-0.5, 0.5)
    mean = ops.mean(x, axis=3, keepdims=True)
    x = (x - mean) * magnitude(0.0, 2.0) + mean
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    return (x - mean) * magnitude(0.5, 1.5) + mean


def _random_integers(u, low, high):
    """Integers uniform in [low, high] from U[0, 1) numbers `u`."""
    values = ops.floor(u * (high - low + 1)) + low
    return ops.cast(ops.minimum(values, high), "int32")


def _shift(x, shift, axis):
    """Per-image shift along `axis` (1 or 2): output[i] = x[i + shift], zero outside; a differentiable gather."""
    size = x.shape[axis]
    padding = [[0, 0]] * 4
    padding[axis] = [1, 1]
    padded = ops.pad(x, padding)
    # index 0 and size + 1 are the zero padding: out-of-range sources land there
    index = ops.clip(ops.arange(size, dtype="int32")[None, :] + shift[:, None] + 1, 0, size + 1)
    index = ops.reshape(index, (-1, size, 1, 1) if axis == 1 else (-1, 1, size, 1))
    return ops.take_along_axis(padded, ops.broadcast_to(index, ops.shape(x)), axis=axis)


def _translation(x, sampler, ratio=0.125):
    u = _uniform(x, sampler, 2)
    for axis in (1, 2):
        limit = int(x.shape[axis] * ratio + 0.5)
        if limit:
            x = _shift(x, _random_integers(u[:, axis - 1], -limit, limit), axis)
    return x


def _cutout(x, sampler, ratio=0.5):
    # The square lies wholly inside the image (the official code lets its centre
    # be anywhere, so part of it can fall outside): each image loses exactly
    # (size/2)² pixels.
    u = _uniform(x, sampler, 2)
    inside = None
    for axis in (1, 2):
        size = x.shape[axis]
        cut = int(size * ratio + 0.5)
        start = _random_integers(u[:, axis - 1], 0, size - cut)[:, None]
        position = ops.arange(size, dtype="int32")[None, :]
        covered = ops.logical_and(position >= start, position < start + cut)
        covered = ops.reshape(covered, (-1, size, 1, 1) if axis == 1 else (-1, 1, size, 1))
        inside = covered if inside is None else ops.logical_and(inside, covered)
    return x * ops.cast(ops.logical_not(inside), x.dtype)


_FUNCTIONS = {"color": _color, "translation": _translation, "cutout": _cutout}


def affine_warp(images, matrices):
    """Resamples each image through an affine map of pixel coordinates: output(p) = input(A·(p − c) + c + t).

    Args:
        images: float NHWC batch with known height and width.
        matrices: (N, 2, 3) per image, [A | t] acting on (x, y, 1), x the
            column and y the row, measured from the image centre c: the
            identity leaves the image as it is, a rotation matrix rotates it
            about its centre, t shifts it by -t pixels.

    Bilinear interpolation with symmetric (mirror) padding outside the image,
    as ADA's geometric transforms use (Karras et al. 2020, appendix B; their
    wavelet anti-aliasing filter is not applied). Built from gathers, so it is
    differentiable with respect to the images and compiles under XLA.
    """
    x = ops.convert_to_tensor(images)
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    if len(x.shape) != 4 or height is None or width is None:
        raise ValueError(f"affine_warp expects NHWC images with known height and width; got shape {tuple(x.shape)}.")
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    rows, cols = ops.meshgrid(ops.arange(height, dtype="float32"), ops.arange(width, dtype="float32"), indexing="ij")
    grid = ops.stack([ops.reshape(cols, (-1,)) - cx, ops.reshape(rows, (-1,)) - cy, ops.ones((height * width,))])
    source = ops.einsum("nij,jp->nip", ops.cast(matrices, "float32"), grid)  # (N, 2, H·W)
    u, v = _mirror(source[:, 0] + cx, width), _mirror(source[:, 1] + cy, height)
    u0, v0 = ops.floor(u), ops.floor(v)
    fu, fv = ops.cast(u - u0, x.dtype)[..., None], ops.cast(v - v0, x.dtype)[..., None]
    u0, v0 = ops.cast(u0, "int32"), ops.cast(v0, "int32")
    u1, v1 = ops.minimum(u0 + 1, width - 1), ops.minimum(v0 + 1, height - 1)
    flat = ops.reshape(x, (-1, height * width, channels))

    def at(row, col):
        index = ops.broadcast_to((row * width + col)[..., None], ops.shape(flat))
        return ops.take_along_axis(flat, index, axis=1)

    top = at(v0, u0) * (1 - fu) + at(v0, u1) * fu
    bottom = at(v1, u0) * (1 - fu) + at(v1, u1) * fu
    return ops.reshape(top * (1 - fv) + bottom * fv, ops.shape(x))


def _mirror(position, size):
    """Continuous pixel positions reflected into [0, size - 1] about the image's edges (symmetric padding)."""
    period = 2.0 * size
    folded = ops.mod(position + 0.5, period)
    folded = ops.where(folded >= size, period - folded, folded) - 0.5
    return ops.clip(folded, 0.0, size - 1.0)
