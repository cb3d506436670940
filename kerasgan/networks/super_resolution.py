"""Super-resolution networks: SRResNet and SRGAN's discriminator (Ledig et al. 2017), ESRGAN's RRDB net (Wang et al. 2018).

The generators are fully convolutional (input `(None, None, C)`), so one
network upscales images of any size; the discriminators end in dense layers
and judge fixed-size HR patches.
"""

import keras

from kerasgan.networks.layers import PixelShuffle, Scale
from kerasgan.utils import checks

#: the upsampling stages of each scale factor: ×4 is two ×2 stages
SCALE_STAGES = {2: (2,), 3: (3,), 4: (2, 2)}


def upsampling_stages(owner, scale):
    """The per-stage factors of `scale` (2, 3 or 4), with a clear error for another."""
    if scale not in SCALE_STAGES:
        raise ValueError(f"{owner}: scale must be 2, 3 or 4; got {scale!r}.")
    return SCALE_STAGES[scale]


def _prelu(name):
    # One slope per channel, shared over positions, so the network takes any image size.
    return keras.layers.PReLU(shared_axes=[1, 2], alpha_initializer=keras.initializers.Constant(0.25), name=name)


def srresnet_generator(scale=4, channels=3, n_blocks=16, filters=64, name="generator"):
    """SRResNet (Ledig et al. 2017, Figure 4): B residual blocks with BN and PReLU, a long skip, sub-pixel upsampling.

    9×9 conv + PReLU; B × [3×3 conv, BN, PReLU, 3×3 conv, BN, + skip]; 3×3
    conv, BN, + the first conv's output; per ×2 (or ×3) stage a 3×3 conv to
    r²·filters channels, `PixelShuffle(r)`, PReLU; a 9×9 conv to `channels`.
    The output is linear (the paper's HR targets are in [-1, 1]; inference clips).

    Args:
        scale: 2, 3 or 4.
        channels: image channels.
        n_blocks: residual blocks B (16 in the paper).
        filters: feature maps (64 in the paper).
    """
    stages = upsampling_stages("srresnet_generator", scale)
    n_blocks = checks.positive_int("srresnet_generator", "n_blocks", n_blocks)
    filters = checks.positive_int("srresnet_generator", "filters", filters)
    conv = keras.layers.Conv2D
    inputs = keras.Input((None, None, channels), name="lr")
    x = _prelu("head_prelu")(conv(filters, 9, padding="same", name="head")(inputs))
    skip = x
    for i in range(n_blocks):
        y = conv(filters, 3, padding="same", name=f"block{i}_conv1")(x)
        y = _prelu(f"block{i}_prelu")(keras.layers.BatchNormalization(name=f"block{i}_bn1")(y))
        y = conv(filters, 3, padding="same", name=f"block{i}_conv2")(y)
        y = keras.layers.BatchNormalization(name=f"block{i}_bn2")(y)
        x = keras.layers.Add(name=f"block{i}_add")([x, y])
    x = keras.layers.BatchNormalization(name="trunk_bn")(conv(filters, 3, padding="same", name="trunk")(x))
    x = keras.layers.Add(name="long_skip")([skip, x])
    for i, r in enumerate(stages):
        x = conv(filters * r * r, 3, padding="same", name=f"up{i}_conv")(x)
        x = _prelu(f"up{i}_prelu")(PixelShuffle(r, name=f"up{i}_shuffle")(x))
    outputs = conv(channels, 9, padding="same", name="tail")(x)
    return keras.Model(inputs, outputs, name=name)


def srgan_discriminator(hr_size=96, channels=3, filters=64, name="discriminator"):
    """SRGAN's VGG-style discriminator (Ledig et al. 2017, Figure 4): eight 3×3 convs, two dense layers, a logit.

    Filters 64, 64, 128, 128, 256, 256, 512, 512 (× `filters`/64) with strides
    1, 2, 1, 2, ...; BN after every conv but the first; LeakyReLU(0.2);
    Dense(1024), LeakyReLU, Dense(1) (a logit: the paper's sigmoid is in the loss).

    Args:
        hr_size: side of the HR patches it judges (96 in the paper).
        channels: image channels.
        filters: width of the first conv (64 in the paper).
    """
    hr_size = checks.positive_int("srgan_discriminator", "hr_size", hr_size)
    if hr_size % 16:
        raise ValueError(f"srgan_discriminator: hr_size must be a multiple of 16 (four stride-2 convs); got {hr_size}.")
    inputs = keras.Input((hr_size, hr_size, channels), name="hr")
    x = keras.layers.LeakyReLU(0.2)(keras.layers.Conv2D(filters, 3, padding="same", name="conv0")(inputs))
    for i, (multiple, stride) in enumerate([(1, 2), (2, 1), (2, 2), (4, 1), (4, 2), (8, 1), (8, 2)], start=1):
        x = keras.layers.Conv2D(filters * multiple, 3, strides=stride, padding="same", name=f"conv{i}")(x)
        x = keras.layers.LeakyReLU(0.2)(keras.layers.BatchNormalization(name=f"bn{i}")(x))
    x = keras.layers.Flatten()(x)
    x = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(16 * filters, name="dense")(x))
    outputs = keras.layers.Dense(1, name="logit")(x)
    return keras.Model(inputs, outputs, name=name)


def vgg19_stand_in(filters=8, seed=0, name="vgg19_stand_in"):
    """A two-conv random-weight stand-in for VGG19 in smoke runs and offline demos: *not* a perceptual feature space.

    It takes what VGG19 takes (caffe-preprocessed RGB: 0-255, BGR, ImageNet
    means subtracted) and names its layers like VGG19's (`block1_conv1`,
    `block5_conv4`, a ReLU Conv2D), so it drops in wherever the content
    loss's extractor goes (`SRGAN(extractor=vgg19_stand_in())`, or saved as
    .keras for `kerasgan train srgan --vgg-weights FILE.keras`). Seeded: the
    same `seed` gives the same weights. A content loss on it trains SRGAN to
    match random features of the target, not VGG's: use it to check that a
    pipeline runs, never to judge the results.
    """
    filters = checks.positive_int("vgg19_stand_in", "filters", filters)
    init = keras.initializers.GlorotUniform(seed=seed)
    inputs = keras.Input((None, None, 3), name="image")
    x = keras.layers.Rescaling(1 / 127.5, name="rescale")(inputs)
    x = keras.layers.Conv2D(
        filters, 3, padding="same", activation="relu", kernel_initializer=init, name="block1_conv1"
    )(x)
    x = keras.layers.Conv2D(
        filters, 3, padding="same", activation="relu", kernel_initializer=init, name="block5_conv4"
    )(x)
    return keras.Model(inputs, x, name=name)


def _dense_block(x, filters, growth, beta, name):
    """ESRGAN's residual dense block: five 3×3 convs, each fed every earlier output; x + β·(the fifth)."""
    features = [x]
    for i in range(4):
        inputs = features[0] if i == 0 else keras.layers.Concatenate(name=f"{name}_cat{i}")(features)
        y = keras.layers.Conv2D(growth, 3, padding="same", name=f"{name}_conv{i}")(inputs)
        features.append(keras.layers.LeakyReLU(0.2, name=f"{name}_act{i}")(y))
    y = keras.layers.Conv2D(filters, 3, padding="same", name=f"{name}_conv4")(
        keras.layers.Concatenate(name=f"{name}_cat4")(features)
    )
    return keras.layers.Add(name=f"{name}_add")([x, Scale(beta, name=f"{name}_beta")(y)])


def rrdb_generator(scale=4, channels=3, n_blocks=23, filters=64, growth=32, residual_scaling=0.2, name="generator"):
    """ESRGAN's RRDBNet (Wang et al. 2018, Figure 4): residual-in-residual dense blocks, no BatchNorm.

    3×3 conv; B × RRDB (three dense blocks, each x + β·block(x), and the RRDB
    x + β·(the three)); 3×3 conv + the first conv's output; per stage a
    nearest-neighbour ×r upsampling, 3×3 conv, LeakyReLU(0.2) (the authors'
    released code upsamples so; the paper's figure keeps SRGAN's layout); 3×3
    conv, LeakyReLU; 3×3 conv to `channels`.

    Args:
        scale: 2, 3 or 4.
        channels: image channels.
        n_blocks: RRDBs (23 in the paper).
        filters: feature maps (64).
        growth: channels each dense-block conv adds (32).
        residual_scaling: β (0.2).
    """
    stages = upsampling_stages("rrdb_generator", scale)
    n_blocks = checks.positive_int("rrdb_generator", "n_blocks", n_blocks)
    conv = keras.layers.Conv2D
    inputs = keras.Input((None, None, channels), name="lr")
    x = head = conv(filters, 3, padding="same", name="head")(inputs)
    for i in range(n_blocks):
        y = x
        for j in range(3):
            y = _dense_block(y, filters, growth, residual_scaling, f"rrdb{i}_rdb{j}")
        x = keras.layers.Add(name=f"rrdb{i}_add")([x, Scale(residual_scaling, name=f"rrdb{i}_beta")(y)])
    x = keras.layers.Add(name="long_skip")([head, conv(filters, 3, padding="same", name="trunk")(x)])
    for i, r in enumerate(stages):
        x = keras.layers.UpSampling2D(r, interpolation="nearest", name=f"up{i}_nearest")(x)
        x = keras.layers.LeakyReLU(0.2)(conv(filters, 3, padding="same", name=f"up{i}_conv")(x))
    x = keras.layers.LeakyReLU(0.2)(conv(filters, 3, padding="same", name="hr_conv")(x))
    outputs = conv(channels, 3, padding="same", name="tail")(x)
    return keras.Model(inputs, outputs, name=name)
