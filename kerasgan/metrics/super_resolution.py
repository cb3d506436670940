"""PSNR and SSIM the way the super-resolution papers report them: on Y (BT.601) with `scale` border pixels cropped.

Protocol (SRGAN, ESRGAN and most SR papers since Kim et al. 2016): images in
[-1, 1] are mapped to 0-255, converted to the luma Y of ITU-R BT.601 as
MATLAB's `rgb2ycbcr` (Y = 16 + (65.481 R + 128.553 G + 24.966 B), R, G, B in
[0, 1], so Y in [16, 235]), `scale` pixels are cropped from every border, and
PSNR = 10 log10(255² / MSE). SSIM is Wang et al.'s (2004): an 11×11 Gaussian
window with σ = 1.5, K1 = 0.01, K2 = 0.03, L = 255, the mean over the
windows that fit inside the image ("valid", as their MATLAB `ssim_index`).
`channel="rgb"` scores the three channels instead (SSIM: their mean).
"""

import numpy as np

#: BT.601 luma weights of R, G, B in [0, 1], giving Y in [16, 235]
_Y_WEIGHTS = np.array([65.481, 128.553, 24.966])


def to_y(images):
    """The BT.601 luma (16-235, float64) of RGB images in [-1, 1], shape (..., H, W, 3) → (..., H, W)."""
    rgb = (np.asarray(images, "float64") + 1.0) / 2.0
    if rgb.shape[-1] != 3:
        raise ValueError(f"to_y takes RGB images (..., H, W, 3); got shape {rgb.shape}.")
    return 16.0 + rgb @ _Y_WEIGHTS


def _prepare(a, b, channel, crop):
    a, b = np.asarray(a, "float64"), np.asarray(b, "float64")
    if a.shape != b.shape:
        raise ValueError(f"PSNR/SSIM compare images of the same shape; got {a.shape} and {b.shape}.")
    if channel == "y":
        if a.shape[-1] == 3:
            a, b = to_y(a), to_y(b)
        else:  # grayscale: its one channel is its luma
            a, b = (a[..., 0] + 1.0) * 127.5, (b[..., 0] + 1.0) * 127.5
        a, b = a[..., None], b[..., None]
    elif channel == "rgb":
        a, b = (a + 1.0) * 127.5, (b + 1.0) * 127.5
    else:
        raise ValueError(f"channel must be 'y' or 'rgb'; got {channel!r}.")
    if crop:
        a, b = a[..., crop:-crop, crop:-crop, :], b[..., crop:-crop, crop:-crop, :]
    return a, b


def psnr(a, b, channel="y", crop=0):
    """PSNR in dB between two images (H, W, C) in [-1, 1], on Y or RGB, `crop` border pixels removed."""
    a, b = _prepare(a, b, channel, crop)
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else float(10.0 * np.log10(255.0**2 / mse))


def gaussian_window(size=11, sigma=1.5):
    x = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-(x**2) / (2.0 * sigma**2))
    return g / g.sum()


def _filter_valid(image, g):
    """Separable 'valid' filtering of a (H, W) image with the 1-D window g along both axes."""
    k = len(g)
    rows = sum(g[i] * image[i : image.shape[0] - k + 1 + i] for i in range(k))
    return sum(g[j] * rows[:, j : rows.shape[1] - k + 1 + j] for j in range(k))


def ssim(a, b, channel="y", crop=0, size=11, sigma=1.5):
    """SSIM (Wang et al. 2004) between two images (H, W, C) in [-1, 1]; the mean over channels for RGB."""
    a, b = _prepare(a, b, channel, crop)
    if a.shape[0] < size or a.shape[1] < size:
        raise ValueError(f"SSIM needs images of at least {size}×{size} after cropping; got {a.shape[:2]}.")
    g = gaussian_window(size, sigma)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    scores = []
    for c in range(a.shape[-1]):
        x, y = a[..., c], b[..., c]
        mx, my = _filter_valid(x, g), _filter_valid(y, g)
        vx = _filter_valid(x * x, g) - mx**2
        vy = _filter_valid(y * y, g) - my**2
        cov = _filter_valid(x * y, g) - mx * my
        s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
        scores.append(s.mean())
    return float(np.mean(scores))


def laplacian_variance(image):
    """The variance of the 4-neighbour Laplacian of an image's luma: a measure of its high-frequency energy."""
    y = to_y(image) if np.shape(image)[-1] == 3 else (np.asarray(image, "float64")[..., 0] + 1.0) * 127.5
    lap = y[1:-1, :-2] + y[1:-1, 2:] + y[:-2, 1:-1] + y[2:, 1:-1] - 4.0 * y[1:-1, 1:-1]
    return float(lap.var())
