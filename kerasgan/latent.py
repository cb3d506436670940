"""Exploring a generator's latent space: interpolations, strips, GIFs and vector arithmetic.

Linear interpolation cuts through the middle of a Gaussian latent space,
where latents are rarely drawn (their norms concentrate around √d); spherical
interpolation (White 2016) follows the sphere instead. Radford et al. (2015)
showed arithmetic on averaged latents (smiling woman − neutral woman + neutral
man ≈ smiling man).

For conditional models (a `num_classes` attribute and
`generate(latents=..., labels=...)`), pass `labels` to interpolate with a
fixed class.
"""

import numpy as np

from kerasgan.utils.io import atomic_path


def lerp(z0, z1, steps):
    """`steps` points from z0 to z1 on the straight line, both ends included: (steps, d)."""
    z0, z1 = _pair(z0, z1, steps)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return ((1 - t) * z0 + t * z1).astype(np.float32)


def slerp(z0, z1, steps):
    """`steps` points from z0 to z1 along the great circle, both ends included: (steps, d).

    The direction turns at constant angular speed through the angle Ω between
    z0 and z1, (sin((1-t)Ω) û0 + sin(tΩ) û1) / sin Ω, and the norm changes
    linearly from ‖z0‖ to ‖z1‖, so every point keeps the norm when the
    endpoints share it (White's formula exactly). Nearly parallel endpoints
    fall back to `lerp`; opposite ones have no unique great circle and raise.

    Reference:
        White, Sampling Generative Networks, 2016. https://arxiv.org/abs/1609.04468
    """
    z0, z1 = _pair(z0, z1, steps)
    z0d, z1d = z0.astype(np.float64), z1.astype(np.float64)
    n0, n1 = np.linalg.norm(z0d), np.linalg.norm(z1d)
    if n0 == 0 or n1 == 0:
        raise ValueError("slerp needs non-zero latents (the direction of a zero vector is undefined); use lerp.")
    u0, u1 = z0d / n0, z1d / n1
    omega = np.arccos(np.clip(u0 @ u1, -1.0, 1.0))
    if omega < 1e-6:
        return lerp(z0, z1, steps)
    if np.pi - omega < 1e-6:
        raise ValueError("slerp between opposite latents is undefined (every great circle joins them); use lerp.")
    t = np.linspace(0.0, 1.0, steps)[:, None]
    direction = (np.sin((1 - t) * omega) * u0 + np.sin(t * omega) * u1) / np.sin(omega)
    points = direction * ((1 - t) * n0 + t * n1)
    points[0], points[-1] = z0d, z1d  # exact endpoints, no round-off
    return points.astype(np.float32)


INTERPOLATIONS = {"linear": lerp, "slerp": slerp}
WALKS = (*INTERPOLATIONS, "w")  # and straight lines between mapped styles, for style-based models (`walk`)


def _pair(z0, z1, steps):
    z0, z1 = np.asarray(z0, np.float32).reshape(-1), np.asarray(z1, np.float32).reshape(-1)
    if z0.shape != z1.shape:
        raise ValueError(f"Latents of different sizes: {z0.shape[0]} and {z1.shape[0]}.")
    if isinstance(steps, bool) or int(steps) < 2:
        raise ValueError(f"steps must be an int >= 2 (both ends are included); got {steps!r}.")
    return z0, z1


def latent_path(keypoints, steps, method="slerp", closed=False):
    """Interpolates through a sequence of latents: (segments × (steps - 1) + 1, d), or a loop when `closed`.

    Each segment has `steps` points; shared ends appear once.
    """
    if method not in INTERPOLATIONS:
        raise ValueError(f"Unknown interpolation {method!r}; choose one of {', '.join(INTERPOLATIONS)}.")
    keypoints = np.asarray(keypoints, np.float32)
    if keypoints.ndim != 2 or len(keypoints) < 2:
        raise ValueError(f"keypoints must be (k >= 2, latent_dim); got shape {keypoints.shape}.")
    if closed:
        keypoints = np.concatenate([keypoints, keypoints[:1]])
    fn = INTERPOLATIONS[method]
    parts = [fn(a, b, steps)[:-1] for a, b in zip(keypoints[:-1], keypoints[1:])]
    if not closed:
        parts.append(keypoints[-1:])
    return np.concatenate(parts)


def average_latents(latents):
    """The mean of a group of latents (n, d): one "concept" vector, as in Radford et al."""
    latents = np.asarray(latents, np.float64)
    if latents.ndim == 1:
        return latents
    if latents.ndim != 2 or len(latents) == 0:
        raise ValueError(f"A latent group must be (n >= 1, latent_dim); got shape {latents.shape}.")
    return latents.mean(axis=0)


def latent_arithmetic(terms):
    """Σ cᵢ · mean(groupᵢ) over `(coefficient, latents)` terms, in float64.

    Example:
        # smiling woman - neutral woman + neutral man
        z = latent_arithmetic([(1, z_smiling_woman), (-1, z_neutral_woman), (1, z_neutral_man)])
        images = gan.generate(latents=z[None])

    Reference:
        Radford et al., Unsupervised Representation Learning with Deep
        Convolutional Generative Adversarial Networks, ICLR 2016, section 6.3.
        https://arxiv.org/abs/1511.06434
    """
    terms = list(terms)
    if not terms:
        raise ValueError("latent_arithmetic needs at least one (coefficient, latents) term.")
    means = [average_latents(group) for _, group in terms]
    if len({m.shape for m in means}) != 1:
        raise ValueError(f"Latent groups of different sizes: {[m.shape[0] for m in means]}.")
    return sum(float(c) * m for (c, _), m in zip(terms, means))


def generate(gan, latents, labels=None):
    """`gan.generate(latents=...)`, with one class for all latents when the model is conditional.

    Args:
        gan: a kerasgan model (anything with `latent_dim` and `generate`).
        latents: (n, latent_dim).
        labels: for a conditional model (`gan.num_classes` set): a class index
            for every latent, or one per latent; required there, refused for
            an unconditional model.
    """
    from kerasgan.models import ClassConditional, InfoGAN

    latents = np.asarray(latents, np.float32)
    if not isinstance(gan, ClassConditional):
        if labels is not None:
            raise ValueError(f"{type(gan).__name__} is not conditional (no num_classes); drop the class label.")
        if isinstance(gan, InfoGAN):
            # InfoGAN: one set of codes for the whole walk, so only z moves.
            codes = gan.codes_for(1, seed=0)
            return gan.generate(latents=latents, codes=_repeated_codes(gan, codes, len(latents)))
        return gan.generate(latents=latents)
    if labels is None:
        raise ValueError(
            f"{type(gan).__name__} is conditional on {gan.num_classes} classes; pass the class to keep fixed."
        )
    return gan.generate(latents=latents, labels=labels)  # the model checks the labels


def _repeated_codes(gan, codes, n):
    """InfoGAN's `generate(codes=...)` dict for one code vector (1, code_dim) repeated n times."""
    n_categorical = sum(gan.categorical_codes)
    result = {}
    if gan.categorical_codes:
        starts = np.cumsum([0, *gan.categorical_codes[:-1]])
        chosen = [int(np.argmax(codes[0, s : s + k])) for s, k in zip(starts, gan.categorical_codes)]
        result["categorical"] = np.tile(chosen, (n, 1))
    if gan.continuous_codes:
        result["continuous"] = np.tile(codes[0, n_categorical:], (n, 1))
    return result


def walk(gan, keypoints, steps, method="slerp", closed=False, labels=None, truncation_psi=1.0):
    """Images along a path through `keypoints` (latents z, (k >= 2, latent_dim)), as `latent_path` lays it.

    Args:
        gan: the model.
        keypoints: the latents the path passes through.
        steps: images per segment, both ends included.
        method: "slerp" or "linear" interpolate z. "w" (style-based models:
            StyleGAN, StyleGAN2) maps the keypoints to their styles w first and
            walks straight lines between those in W, as Karras et al. (2019,
            §4) do: w = mapping(z) is not Gaussian, so slerp has no meaning there.
        closed: return to the first keypoint (a loop, for GIFs).
        labels: the fixed class of a conditional model (see `generate`).
        truncation_psi: with method "w", the keypoints' styles are truncated
            toward w̄ first, w̄ + ψ·(w − w̄).
    """
    if method not in WALKS:
        raise ValueError(f"Unknown interpolation {method!r}; choose one of {', '.join(WALKS)}.")
    if method != "w":
        if truncation_psi != 1.0:
            raise ValueError("truncation_psi applies to walks in w (method 'w') of style-based models.")
        return generate(gan, latent_path(keypoints, steps, method, closed), labels)
    if not hasattr(gan, "map_latents"):
        raise ValueError(
            f"A walk in w needs a style-based model (StyleGAN, StyleGAN2); {type(gan).__name__} has no mapping "
            "network. Interpolate z instead: 'slerp' or 'linear'."
        )
    if labels is not None:
        raise ValueError(f"{type(gan).__name__} is not conditional (no num_classes); drop the class label.")
    ws = gan.map_latents(np.asarray(keypoints, np.float32), truncation_psi)
    path = latent_path(ws.reshape(len(ws), -1), steps, "linear", closed)
    return gan.generate(styles=path.reshape(-1, *ws.shape[1:]))


def style_mixing_grid(gan, sources=4, crossover=2, truncation_psi=1.0, seed=None):
    """Karras et al.'s style-mixing figure as images ((sources + 1)², H, W, C), row by row, for a style-based model.

    The first row is a blank corner and the column sources; each further row
    starts with its row source, then that row's coarse styles (the style
    inputs below `crossover`) mixed with each column's finer ones
    (`gan.mix_styles`). Latents from N(0, I), seeded by `seed`; `truncation_psi`
    truncates every style toward w̄. Save it with `save_image_grid(path, grid,
    cols=sources + 1)`.
    """
    if not hasattr(gan, "mix_styles"):
        raise ValueError(
            f"A style-mixing grid needs a style-based model (StyleGAN, StyleGAN2); got {type(gan).__name__}."
        )
    rng = np.random.default_rng(seed)
    rows, columns = (rng.standard_normal((int(sources), gan.latent_dim)).astype(np.float32) for _ in range(2))
    top = gan.generate(latents=columns, truncation_psi=truncation_psi)
    left = gan.generate(latents=rows, truncation_psi=truncation_psi)
    cells = [
        gan.mix_styles(np.repeat(r[None], len(columns), 0), columns, crossover, truncation_psi=truncation_psi)
        for r in rows
    ]
    blank = np.zeros((1, *top.shape[1:]), np.float32)
    return np.concatenate([blank, top, *[np.concatenate([left[i : i + 1], cells[i]]) for i in range(len(rows))]])


def interpolate(gan, z0, z1, steps=8, method="slerp", labels=None, truncation_psi=1.0):
    """Images along the interpolation from z0 to z1: (steps, H, W, C) in [-1, 1].

    Args:
        gan: the model.
        z0, z1: endpoint latents (latent_dim,).
        steps: images, both ends included.
        method: "slerp" (default), "linear", or "w" for style-based models (see `walk`).
        labels: the fixed class of a conditional model (see `generate`).
        truncation_psi: with method "w", ψ of the truncation trick (see `walk`).
    """
    z0, z1 = _pair(z0, z1, steps)
    return walk(gan, np.stack([z0, z1]), steps, method, labels=labels, truncation_psi=truncation_psi)


def interpolation_grid(gan, rows=4, steps=8, method="slerp", labels=None, seed=None, truncation_psi=1.0):
    """`rows` interpolations between random latent pairs: images (rows, steps, H, W, C).

    Latents come from N(0, I) with a numpy RNG seeded by `seed`; `method` and
    `truncation_psi` as in `walk`.
    """
    from kerasgan.utils.progress import progress_bar

    rng = np.random.default_rng(seed)
    pairs = rng.standard_normal((int(rows), 2, int(gan.latent_dim))).astype(np.float32)
    bar = progress_bar(int(rows) * int(steps), label=f"Generating {rows} interpolations of {steps} images")
    strips = []
    for a, b in pairs:
        strips.append(interpolate(gan, a, b, steps, method, labels, truncation_psi))
        bar.add(steps)
    return np.stack(strips)


def save_strip(path, images, cols=None):
    """Writes interpolation images (steps, H, W, C) or (rows, steps, H, W, C) as a PNG grid, one row each.

    The grid is enlarged by `kerasgan.callbacks.images.upscale_factor` (each
    pixel repeated, so the shorter side is at least 256 pixels). Returns the
    uint8 picture written.
    """
    from kerasgan.callbacks.images import _write_png, tile_images, upscale_factor, upscale_nearest

    images = np.asarray(images)
    if images.ndim == 5:
        cols = images.shape[1]
        images = images.reshape(-1, *images.shape[2:])
    elif cols is None:
        cols = len(images)
    grid = tile_images(images, cols=cols)
    grid = upscale_nearest(grid, upscale_factor(*grid.shape[:2]))
    _write_png(path, grid)
    return grid


def save_gif(path, frames, fps=8, boomerang=True):
    """Writes images (n, H, W, C) in [-1, 1] as a looping GIF, atomically.

    Args:
        frames: the frames; a 5-D array (rows, steps, H, W, C) is tiled
            into one row of images per frame step.
        fps: frames per second.
        boomerang: play forward then backward, so the loop has no jump.

    Small frames are enlarged as in `save_strip`.

    Returns:
        The number of frames written.
    """
    import imageio.v3 as iio

    from kerasgan.callbacks.images import tile_images, upscale_factor, upscale_nearest

    frames = np.asarray(frames)
    if frames.ndim == 5:  # (rows, steps, ...) -> per step, all rows side by side
        frames = [tile_images(frames[:, s], cols=len(frames), padding=2) for s in range(frames.shape[1])]
    else:
        frames = [tile_images(f[None], padding=0) for f in frames]
    if boomerang and len(frames) > 2:
        frames = frames + frames[-2:0:-1]
    stack = np.stack(frames)
    stack = upscale_nearest(stack, upscale_factor(*stack.shape[1:3]), batched=True)
    if stack.shape[-1] == 1:
        stack = stack[..., 0]
    with atomic_path(path) as tmp:
        iio.imwrite(tmp, stack, extension=".gif", is_batch=True, duration=1000.0 / fps, loop=0)
    return len(stack)
