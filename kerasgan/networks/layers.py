"""Custom layers used by the networks, registered for `.keras` serialization."""

import keras
from keras import ops

from kerasgan.utils import checks


@keras.saving.register_keras_serializable(package="kerasgan")
class Maxout(keras.layers.Layer):
    """Maxout units (Goodfellow et al. 2013): the max over `pieces` affine maps.

    Used by the discriminator of the original GAN paper on MNIST.

    Args:
        units: number of output units.
        pieces: number of affine pieces each unit takes the maximum of.

    Reference:
        Goodfellow et al., Maxout Networks, ICML 2013. https://arxiv.org/abs/1302.4389
    """

    def __init__(self, units, pieces=5, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.pieces = int(pieces)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.dense = keras.layers.Dense(self.units * self.pieces, kernel_initializer=self.kernel_initializer)

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, inputs):
        z = self.dense(inputs)
        z = ops.reshape(z, (-1, self.units, self.pieces))
        return ops.max(z, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "pieces": self.pieces,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }


@keras.saving.register_keras_serializable(package="kerasgan")
class MinibatchStdDev(keras.layers.Layer):
    """Minibatch standard deviation (Karras et al. 2018): one extra feature map of batch statistics.

    The batch is split into groups of `group_size` samples; within each group
    the standard deviation of every feature at every position is taken across
    the group's samples, averaged over features and positions into one number,
    and that number is appended as a constant feature map to each sample of the
    group. A discriminator can then see how varied a batch is, which penalizes a
    collapsed generator.

    As in the paper's code, sample `n` belongs to group `n mod (B / G)` (the
    batch is reshaped to `(G, B / G, H, W, C)`), the variance is the population
    variance, and 1e-8 is added under the square root, so a batch of identical
    samples gives 1e-4 rather than exactly 0. The statistic is computed in float32.

    Args:
        group_size: samples per group, G = min(group_size, batch size). The
            batch size must be a multiple of G; a batch smaller than
            `group_size` forms a single group.

    Input shape: `(batch, height, width, channels)`.
    Output shape: `(batch, height, width, channels + 1)`.

    Example:
        >>> x = keras.random.normal((8, 4, 4, 16))
        >>> MinibatchStdDev(group_size=4)(x).shape
        (8, 4, 4, 17)

    Reference:
        Karras, Aila, Laine, Lehtinen, Progressive Growing of GANs for Improved
        Quality, Stability, and Variation, ICLR 2018, section 3.
        https://arxiv.org/abs/1710.10196
    """

    def __init__(self, group_size=4, **kwargs):
        super().__init__(**kwargs)
        self.group_size = checks.positive_int("MinibatchStdDev", "group_size", group_size)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"MinibatchStdDev expects NHWC feature maps (rank 4); got input shape {tuple(input_shape)}. "
                "Insert it before Flatten."
            )

    def call(self, inputs):
        batch, height, width, _ = ops.shape(inputs)
        if isinstance(batch, int):
            group = min(self.group_size, batch)
            if batch % group:
                import tensorflow as tf

                replicas = tf.distribute.get_strategy().num_replicas_in_sync
                where = (
                    f"a batch of {batch} per replica (the global batch of {batch * replicas} over {replicas} "
                    f"replicas: the statistic is taken within each replica's batch). Use a global batch divisible by "
                    f"{group} × {replicas}, or a smaller group_size."
                    if replicas > 1
                    else f"a batch of {batch}. Use a batch size divisible by group_size, or a smaller group_size."
                )
                raise ValueError(
                    f"MinibatchStdDev(group_size={self.group_size}) needs a batch size that is a multiple of "
                    f"{group}; got {where}"
                )
        else:
            group = ops.minimum(self.group_size, batch)
        x = ops.cast(inputs, "float32")
        y = ops.reshape(x, (group, -1, height, width, x.shape[-1]))
        y = y - ops.mean(y, axis=0, keepdims=True)
        y = ops.sqrt(ops.mean(ops.square(y), axis=0) + 1e-8)
        y = ops.mean(y, axis=(1, 2, 3))
        y = ops.tile(ops.reshape(y, (-1, 1, 1, 1)), (group, height, width, 1))
        return ops.concatenate([inputs, ops.cast(y, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        channels = None if input_shape[-1] is None else input_shape[-1] + 1
        return (*input_shape[:-1], channels)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}


@keras.saving.register_keras_serializable(package="kerasgan")
class MinibatchDiscrimination(keras.layers.Layer):
    """Minibatch discrimination (Salimans et al. 2016): features measuring closeness to the rest of the batch.

    For flat features x of shape (B, A) and a learned tensor T of shape
    (A, num_kernels · kernel_dim), M = x·T is reshaped to (B, num_kernels,
    kernel_dim). For each kernel b, c_b(i, j) = exp(-‖M_i,b - M_j,b‖₁) and
    o(x_i)_b = Σ_j c_b(i, j). The sum runs over all j of the batch, j = i
    included, as in the paper's equation (the self term adds the constant 1 to
    every feature, which the following layer's bias absorbs). The output is
    concat(x, o), of shape (B, A + num_kernels). A generator that collapses
    makes o large, which the discriminator learns to detect.

    Args:
        num_kernels: number of minibatch features appended (B in the paper).
        kernel_dim: dimension of each kernel's projection (C in the paper).
        kernel_initializer: initializer of T; N(0, 0.05) as in the paper's code.

    Input shape: `(batch, features)`.
    Output shape: `(batch, features + num_kernels)`.

    Example:
        >>> x = keras.random.normal((8, 32))
        >>> MinibatchDiscrimination(num_kernels=10, kernel_dim=3)(x).shape
        (8, 42)

    Reference:
        Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016,
        section 3.2. https://arxiv.org/abs/1606.03498
    """

    def __init__(self, num_kernels=100, kernel_dim=5, kernel_initializer=None, **kwargs):
        super().__init__(**kwargs)
        self.num_kernels = checks.positive_int("MinibatchDiscrimination", "num_kernels", num_kernels)
        self.kernel_dim = checks.positive_int("MinibatchDiscrimination", "kernel_dim", kernel_dim)
        self.kernel_initializer = keras.initializers.get(
            kernel_initializer if kernel_initializer is not None else keras.initializers.RandomNormal(0.0, 0.05)
        )

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"MinibatchDiscrimination expects flat features (batch, features); got input shape "
                f"{tuple(input_shape)}. Insert it after Flatten."
            )
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=self.kernel_initializer,
            name="kernel",
        )

    def call(self, inputs):
        m = ops.reshape(ops.matmul(inputs, self.kernel), (-1, self.num_kernels, self.kernel_dim))
        # (B, 1, K, D) - (1, B, K, D): L1 distance of every pair, per kernel
        distances = ops.sum(ops.abs(ops.expand_dims(m, 1) - ops.expand_dims(m, 0)), axis=-1)
        features = ops.sum(ops.exp(-distances), axis=1)
        return ops.concatenate([inputs, features], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.num_kernels)

    def get_config(self):
        return {
            **super().get_config(),
            "num_kernels": self.num_kernels,
            "kernel_dim": self.kernel_dim,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }


@keras.saving.register_keras_serializable(package="kerasgan")
class LabelEncoding(keras.layers.Layer):
    """Integer class labels to vectors: one-hot, or a learned embedding.

    With `embedding_dim` None the output is the one-hot vector of each label;
    otherwise it is a learned `embedding_dim`-vector per class (an embedding
    table, computed as one-hot × table). A label outside [0, num_classes)
    encodes to zeros instead of failing on one device and passing silently on
    another; the conditional models check the labels they are fed and say so.

    Args:
        num_classes: number of classes K.
        embedding_dim: size of the learned embedding, or None for one-hot.
        map_size: if given as (height, width), the vector is broadcast to a
            (height, width, dim) map, to be concatenated to image channels.
    """

    def __init__(self, num_classes, embedding_dim=None, map_size=None, embeddings_initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)
        if self.num_classes < 2:
            raise ValueError(f"LabelEncoding needs num_classes >= 2; got {num_classes}.")
        self.embedding_dim = None if embedding_dim is None else int(embedding_dim)
        self.map_size = None if map_size is None else tuple(int(s) for s in map_size)
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    @property
    def output_dim(self):
        return self.num_classes if self.embedding_dim is None else self.embedding_dim

    def build(self, input_shape):
        if self.embedding_dim is not None:
            self.embeddings = self.add_weight(
                shape=(self.num_classes, self.embedding_dim), initializer=self.embeddings_initializer, name="embeddings"
            )

    def call(self, labels):
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        vectors = ops.one_hot(labels, self.num_classes, dtype=self.compute_dtype)
        if self.embedding_dim is not None:
            vectors = ops.matmul(vectors, ops.cast(self.embeddings, self.compute_dtype))
        if self.map_size is not None:
            height, width = self.map_size
            vectors = ops.tile(ops.reshape(vectors, (-1, 1, 1, self.output_dim)), (1, height, width, 1))
        return vectors

    def compute_output_shape(self, input_shape):
        if self.map_size is not None:
            return (input_shape[0], *self.map_size, self.output_dim)
        return (input_shape[0], self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "embedding_dim": self.embedding_dim,
            "map_size": None if self.map_size is None else list(self.map_size),
            "embeddings_initializer": keras.initializers.serialize(self.embeddings_initializer),
        }


@keras.saving.register_keras_serializable(package="kerasgan")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads the height and width of NHWC feature maps by reflecting them at the border.

    CycleGAN's ResNet generator pads this way before its 7×7 and residual 3×3
    convolutions, so the borders see image content rather than zeros (fewer
    border artifacts). Keras has zero padding only.

    Args:
        padding: pixels added on each side (an int), or `(pad_h, pad_w)`.

    Example:
        >>> ReflectionPadding2D(3)(keras.ops.zeros((1, 8, 8, 2))).shape
        (1, 14, 14, 2)
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        pad = (padding, padding) if isinstance(padding, int) else tuple(padding)
        if len(pad) != 2 or any(int(p) != p or p < 0 for p in pad):
            raise ValueError(f"ReflectionPadding2D: padding must be an int >= 0 or a pair of them; got {padding!r}.")
        self.padding = (int(pad[0]), int(pad[1]))

    def call(self, inputs):
        ph, pw = self.padding
        return ops.pad(inputs, ((0, 0), (ph, ph), (pw, pw), (0, 0)), mode="reflect")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        ph, pw = self.padding
        return (b, None if h is None else h + 2 * ph, None if w is None else w + 2 * pw, c)

    def get_config(self):
        return {**super().get_config(), "padding": list(self.padding)}


@keras.saving.register_keras_serializable(package="kerasgan")
class ImagePool(keras.layers.Layer):
    """A history of generated images that feeds the discriminator (Shrivastava et al. 2017).

    Calling the pool on a batch of generated images returns a batch of the same
    size. Until the pool holds `pool_size` images each incoming image is stored
    and returned as it is. Once it is full, each image is, with probability
    ½, swapped for a randomly chosen stored image (the stored one is returned,
    the new one takes its place), and otherwise returned as it is. So the
    discriminator sees the current generator's output half of the time and
    one of the last ~`pool_size` outputs the other half.

    The buffer is a non-trainable variable, so the pool works inside the
    compiled `train_step` and is saved with the model; the random choices come
    from the pool's own `SeedGenerator`. Within one batch the swapped images
    go to distinct slots (the authors' loop may pick a slot twice); images
    beyond the first `pool_size` of a batch larger than the pool are returned
    unchanged. Under `tf.distribute` every replica queries the pool with its
    own slice of the batch and only the first replica's writes are kept.

    Args:
        pool_size: images kept (50 in CycleGAN); 0 disables the pool.
        image_shape: (height, width, channels) of the images.
        seed: seed of the pool's random choices.

    Reference:
        Shrivastava et al., Learning from Simulated and Unsupervised Images
        through Adversarial Training, CVPR 2017. https://arxiv.org/abs/1612.07828
        Zhu et al. 2017, Section 4. https://arxiv.org/abs/1703.10593
    """

    def __init__(self, pool_size=50, image_shape=(256, 256, 3), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = checks.nonnegative_int("ImagePool", "pool_size", pool_size)
        self.image_shape = tuple(int(s) for s in image_shape)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.images = self.add_weight(
            shape=(max(self.pool_size, 1), *self.image_shape),
            initializer="zeros",
            trainable=False,
            name="images",
            aggregation="only_first_replica",
        )
        self.count = self.add_weight(
            shape=(),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            name="count",
            aggregation="only_first_replica",
        )
        self.built = True

    def call(self, images):
        if self.pool_size == 0:
            return images
        images = ops.cast(images, self.images.dtype)
        n = self.pool_size
        batch = ops.shape(images)[0]
        index = ops.arange(batch, dtype="int32")
        count = ops.convert_to_tensor(self.count)
        # Phase 1: while the pool is not full, images fill the free slots in order.
        slot = count + index
        filling = slot < n
        buffer = self._write(self.images, ops.logical_and(ops.one_hot(slot, n) > 0, filling[:, None]), images)
        # Phase 2: each later image is swapped with probability ½ for a stored
        # one, at distinct random slots (a random permutation of the pool).
        coin = keras.random.uniform((batch,), seed=self.seed_generator) < 0.5
        swap = ops.logical_and(ops.logical_and(ops.logical_not(filling), coin), index < n)
        permutation = ops.cast(ops.argsort(keras.random.uniform((n,), seed=self.seed_generator)), "int32")
        target = ops.take(permutation, index % n)
        returned = ops.where(ops.reshape(swap, (-1, 1, 1, 1)), ops.take(buffer, target, axis=0), images)
        buffer = self._write(buffer, ops.logical_and(ops.one_hot(target, n) > 0, swap[:, None]), images)
        self.images.assign(buffer)
        self.count.assign(ops.minimum(count + batch, n))
        return returned

    @staticmethod
    def _write(buffer, writes, images):
        """Stores images[i] at slot s where writes[i, s]; each slot is written at most once."""
        written = ops.any(writes, axis=0)
        writer = ops.argmax(ops.cast(writes, "int32"), axis=0)
        return ops.where(ops.reshape(written, (-1, 1, 1, 1)), ops.take(images, writer, axis=0), buffer)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "image_shape": list(self.image_shape),
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="kerasgan")
class PixelShuffle(keras.layers.Layer):
    """Sub-pixel convolution's rearrangement (depth to space): (B, H, W, r²·C) → (B, rH, rW, C).

    Output pixel (r·i + a, r·j + b, c) is input channel (a·r + b)·C + c at (i, j),
    TensorFlow's `depth_to_space` order.

    Args:
        scale: the upscaling factor r.

    Reference:
        Shi et al., Real-Time Single Image and Video Super-Resolution Using an
        Efficient Sub-Pixel Convolutional Neural Network, CVPR 2016.
        https://arxiv.org/abs/1609.05158
    """

    def __init__(self, scale=2, **kwargs):
        super().__init__(**kwargs)
        self.scale = checks.positive_int("PixelShuffle", "scale", scale)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is not None and channels % (self.scale**2):
            raise ValueError(
                f"PixelShuffle(scale={self.scale}) needs a channel count divisible by {self.scale**2}; got {channels}."
            )

    def call(self, inputs):
        r = self.scale
        shape = ops.shape(inputs)
        b, h, w, c = shape[0], shape[1], shape[2], inputs.shape[-1] // (r * r)
        x = ops.reshape(inputs, (b, h, w, r, r, c))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (b, h * r, w * r, c))

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.scale
        return (b, None if h is None else h * r, None if w is None else w * r, c // (r * r))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package="kerasgan")
class Scale(keras.layers.Layer):
    """Multiplies its input by a constant (ESRGAN's residual scaling β)."""

    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = float(factor)

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
