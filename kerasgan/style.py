"""Neural style transfer (Gatys et al. 2016): an image optimized to keep one image's content and take another's style.

`transfer(content, style)` starts from the content image and descends, with
Adam, the weighted sum of

- the content loss, mean((F - P)²) between the `content_layer` features of
  the image (F) and of the content image (P);
- the style loss, the mean over the `style_layers` of mean((G - A)²), with G
  and A the Gram matrices of the image's and the style image's features,
  each normalized by the feature map's positions, G = FᵀF / (H·W);
- the total variation, Σ|x[i+1, j] - x[i, j]| + Σ|x[i, j+1] - x[i, j]| of the
  image in [0, 1].

Layers (the Keras material's and the paper's): VGG19's block1_conv1 …
block5_conv1 for style, block5_conv2 for content. The losses, weights and
optimizer (Adam(0.02, beta_1=0.99, epsilon=0.1) on the image in [0, 1],
clipped after each step; content weight 1e4, style weight 1e-2, total
variation weight 30) are those of TensorFlow's style-transfer tutorial,
which uses the same layers with Adam; the Keras example normalizes the Gram
differences by 4·3²·(image pixels)² instead and descends with SGD.

The extractor is keras.applications.VGG19 (ImageNet weights, downloaded once
by Keras, `extractor=None` or "vgg19"), VGG19 with a local weights file
(`extractor="path.h5"`, never downloads), or any Keras model with the named
layers (`extractor=model`; it is fed images in [-1, 1], not VGG's input).

Reference:
    Gatys, Ecker, Bethge, Image Style Transfer Using Convolutional Neural
    Networks, CVPR 2016. https://openaccess.thecvf.com/content_cvpr_2016/html/Gatys_Image_Style_Transfer_CVPR_2016_paper.html
"""

import collections
import glob
import os

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan.parts.objectives import vgg19, vgg_input

#: VGG19's style layers (the first convolution of each block) and its content layer
STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
CONTENT_LAYER = "block5_conv2"

#: what `transfer` returns: the image (float32 (H, W, 3) in [-1, 1]), the losses of every step, the frames written
Stylized = collections.namedtuple("Stylized", ["image", "history", "frames"])


def gram_matrix(features):
    """FᵀF / (H·W) of feature maps (B, H, W, C) or (H, W, C): (B, C, C) or (C, C), float32."""
    features = ops.cast(features, "float32")
    single = len(features.shape) == 3
    if single:
        features = features[None]
    shape = ops.shape(features)
    flat = ops.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))
    gram = ops.einsum("bpi,bpj->bij", flat, flat) / ops.cast(shape[1] * shape[2], "float32")
    return gram[0] if single else gram


def total_variation(images):
    """Σ of the absolute differences between vertical and horizontal neighbours, per image (B,)."""
    down = ops.abs(images[:, 1:, :, :] - images[:, :-1, :, :])
    right = ops.abs(images[:, :, 1:, :] - images[:, :, :-1, :])
    return ops.sum(down, axis=(1, 2, 3)) + ops.sum(right, axis=(1, 2, 3))


def load_image(image, max_size=None, what="image"):
    """An image file, a uint8 array or a float array in [-1, 1] as float32 (H, W, 3) in [-1, 1].

    `max_size` scales the image (keeping its aspect) so its longer side is at
    most that many pixels.
    """
    from kerasgan.data import read_image

    if isinstance(image, (str, os.PathLike)):
        path = os.fspath(image)
        if not os.path.isfile(path):
            raise ValueError(f"The {what} {path!r} does not exist; pass the path of an image file.")
        decoded, reason = read_image(path, 3)
        if decoded is None:
            raise ValueError(f"The {what} {path!r} could not be decoded as an image ({reason}).")
        array = np.asarray(decoded, "float32") / 127.5 - 1.0
    else:
        array = np.asarray(image)
        if array.ndim != 3 or array.shape[-1] != 3:
            raise ValueError(f"The {what} must be an RGB image (H, W, 3); got an array of shape {array.shape}.")
        if array.dtype == np.uint8:
            array = array.astype("float32") / 127.5 - 1.0
        elif not np.issubdtype(array.dtype, np.floating) or array.min() < -1.0 or array.max() > 1.0:
            raise ValueError(
                f"The {what} must be uint8 or floats in [-1, 1]; got {array.dtype} in [{array.min()}, {array.max()}]."
            )
        array = array.astype("float32")
    if max_size is not None and max(array.shape[:2]) > max_size:
        scale = max_size / max(array.shape[:2])
        size = (max(1, round(array.shape[0] * scale)), max(1, round(array.shape[1] * scale)))
        array = np.clip(ops.convert_to_numpy(tf.image.resize(array, size, antialias=True)), -1.0, 1.0)
    return array


def feature_extractor(extractor=None, style_layers=STYLE_LAYERS, content_layer=CONTENT_LAYER):
    """(a model from images in [-1, 1] to [style features..., content features], its frozen extractor).

    Args:
        extractor: None or "vgg19" (ImageNet weights), a VGG19 weights file
            (.h5), or a Keras model with the named layers.
        style_layers, content_layer: layer names of the extractor.
    """
    if extractor is None or isinstance(extractor, (str, os.PathLike)):
        base, prepare = vgg19("vgg19" if extractor is None else os.fspath(extractor)), vgg_input
    elif isinstance(extractor, keras.Model):
        base, prepare = extractor, None
    else:
        raise TypeError(f"extractor must be None, 'vgg19', a VGG19 weights path or a keras.Model; got {extractor!r}.")
    base.trainable = False
    names = [*style_layers, content_layer]
    if not style_layers:
        raise ValueError("style_layers is empty; name at least one layer of the extractor.")
    missing = [n for n in names if n not in {layer.name for layer in base.layers}]
    if missing:
        known = ", ".join(layer.name for layer in base.layers)
        raise ValueError(f"The extractor has no layer {', '.join(map(repr, missing))}; its layers: {known}.")
    features = keras.Model(base.input, [base.get_layer(n).output for n in names])
    if prepare is None:
        return features
    images = keras.Input((None, None, 3))
    return keras.Model(images, features(prepare(images)))


def transfer(
    content,
    style,
    steps=1000,
    content_weight=1e4,
    style_weight=1e-2,
    tv_weight=30.0,
    extractor=None,
    style_layers=STYLE_LAYERS,
    content_layer=CONTENT_LAYER,
    learning_rate=0.02,
    max_size=512,
    frames_dir=None,
    every=None,
    gif=None,
    verbose=1,
):
    """Gatys et al.'s style transfer from `content`: returns `Stylized(image, history, frames)`.

    Args:
        content, style: image files, uint8 arrays or float arrays in [-1, 1], (H, W, 3).
        steps: Adam steps.
        content_weight, style_weight, tv_weight: the weights of the three terms.
        extractor: None / "vgg19" (ImageNet weights), a VGG19 weights file, or a Keras model.
        style_layers, content_layer: the extractor's layers of the two terms.
        learning_rate: Adam's step size, on the image in [0, 1].
        max_size: both images are scaled so their longer side is at most this (None: as they are).
        frames_dir: where to write the image every `every` steps (step_00000.png is the start).
        every: steps between frames (default steps // 10).
        gif: a .gif path: the frames as an animation, written at the end (needs `frames_dir`).
        verbose: 1 shows a progress bar.

    Returns:
        `image`: float32 (H, W, 3) in [-1, 1] at the content image's (scaled)
        size; `history`: {"loss", "content_loss", "style_loss", "tv_loss"}
        (the unweighted terms) before each step and after the last, steps + 1
        values each; `frames`: the frame files written.
    """
    from kerasgan.callbacks import GifBuilder, save_image_grid

    steps = int(steps)
    if steps < 1:
        raise ValueError(f"steps must be a positive int; got {steps!r}.")
    every = max(1, steps // 10) if every is None else int(every)
    if every < 1:
        raise ValueError(f"every must be a positive int; got {every!r}.")
    if gif is not None and frames_dir is None:
        raise ValueError("gif= animates the frames: pass frames_dir= too.")
    if frames_dir is not None and glob.glob(os.path.join(glob.escape(os.fspath(frames_dir)), "step_*.png")):
        raise ValueError(
            f"frames_dir {os.fspath(frames_dir)!r} already holds step_*.png frames of another run; "
            "choose an empty folder (the GIF would mix both runs)."
        )
    content_image = load_image(content, max_size, "content image")
    style_image = load_image(style, max_size, "style image")
    features = feature_extractor(extractor, tuple(style_layers), content_layer)
    n_style = len(style_layers)

    *style_targets, _ = features(style_image[None])
    style_targets = [gram_matrix(f) for f in style_targets]
    content_target = features(content_image[None])[-1]
    weights = [float(w) for w in (content_weight, style_weight, tv_weight)]

    def losses(image01):
        *style_features, content_features = features(image01 * 2.0 - 1.0)
        content_loss = ops.mean(ops.square(ops.cast(content_features, "float32") - content_target))
        style_loss = sum(
            ops.mean(ops.square(gram_matrix(f) - t)) for f, t in zip(style_features, style_targets)
        ) / float(n_style)
        tv_loss = total_variation(image01)[0]
        total = weights[0] * content_loss + weights[1] * style_loss + weights[2] * tv_loss
        return total, content_loss, style_loss, tv_loss

    image = tf.Variable((content_image[None] + 1.0) / 2.0, name="stylized")
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.99, epsilon=0.1)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            values = losses(image)
        optimizer.apply_gradients([(tape.gradient(values[0], image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return values

    names = ("loss", "content_loss", "style_loss", "tv_loss")
    history = {name: [] for name in names}
    frames = []

    def frame(i):
        if frames_dir is not None:
            path = os.path.join(os.fspath(frames_dir), f"step_{i:05d}.png")
            save_image_grid(path, ops.convert_to_numpy(image) * 2.0 - 1.0, cols=1, padding=0)
            frames.append(path)

    bar = keras.utils.Progbar(steps, stateful_metrics=names) if verbose else None
    frame(0)
    for i in range(steps):
        values = [float(v) for v in step()]
        for name, value in zip(names, values):
            history[name].append(value)
        if not np.isfinite(values[0]):
            raise FloatingPointError(f"style transfer: the loss became {values[0]} at step {i}; lower learning_rate.")
        if (i + 1) % every == 0 or i + 1 == steps:
            frame(i + 1)
        if bar is not None:
            bar.update(i + 1, list(zip(names, values)))
    for name, value in zip(names, (float(v) for v in losses(image))):
        history[name].append(value)
    if gif is not None:
        GifBuilder(frames_dir, gif, pattern="step_*.png").build()
    return Stylized(ops.convert_to_numpy(image)[0] * 2.0 - 1.0, history, frames)
