"""Image-to-image translation: pix2pix (paired) and CycleGAN (unpaired).

Both override `train_step` themselves (CycleGAN has four networks) but keep
the conventions of the GAN base class: `compile(d_optimizer, g_optimizer)`
with the paper's defaults, `.keras` saving that restores both optimizers and
every random stream, Mean trackers for each logged loss, and the
tf.distribute-correct gradient scaling of `GAN._apply`.

The data are pairs `(a, b)`: `fit(dataset)` with a dataset yielding
`(images_a, images_b)` (see `kerasgan.data.paired_images` and
`kerasgan.data.unpaired_images`) or `fit(images_a, images_b, batch_size=...)`.
"""

import copy

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import losses as losses_lib
from kerasgan.models.base import AdversarialModel
from kerasgan.models.gan import _InputRangeCheck
from kerasgan.networks import translation as nets

_SERIALIZE = keras.saving.serialize_keras_object
_DESERIALIZE = keras.saving.deserialize_keras_object


@keras.saving.register_keras_serializable(package="kerasgan")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant learning rate for `constant_steps`, then linear decay to 0 over `decay_steps`.

    lr(t) = lr₀ · (1 - clip((t - constant_steps) / decay_steps, 0, 1)). CycleGAN
    trains 100 epochs at 2e-4 and decays linearly to zero over the next 100;
    here the two phases are counted in optimizer steps.

    Args:
        initial_learning_rate: lr₀.
        constant_steps: steps at lr₀.
        decay_steps: steps of the linear decay (> 0).

    Example:
        >>> schedule = LinearDecay(2e-4, constant_steps=100, decay_steps=100)
        >>> float(schedule(150))
        0.0001

    Reference:
        Zhu et al. 2017, Section 4 (training details). https://arxiv.org/abs/1703.10593
    """

    def __init__(self, initial_learning_rate=2e-4, constant_steps=100_000, decay_steps=100_000):
        if not initial_learning_rate > 0:
            raise ValueError(f"LinearDecay: initial_learning_rate must be > 0; got {initial_learning_rate}.")
        if int(constant_steps) != constant_steps or constant_steps < 0:
            raise ValueError(f"LinearDecay: constant_steps must be an int >= 0; got {constant_steps!r}.")
        if int(decay_steps) != decay_steps or decay_steps < 1:
            raise ValueError(f"LinearDecay: decay_steps must be a positive int; got {decay_steps!r}.")
        self.initial_learning_rate = float(initial_learning_rate)
        self.constant_steps = int(constant_steps)
        self.decay_steps = int(decay_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        progress = ops.clip((step - self.constant_steps) / self.decay_steps, 0.0, 1.0)
        return self.initial_learning_rate * (1.0 - progress)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
        }


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
        if int(pool_size) != pool_size or pool_size < 0:
            raise ValueError(f"ImagePool: pool_size must be an int >= 0; got {pool_size!r}.")
        self.pool_size = int(pool_size)
        self.image_shape = tuple(int(s) for s in image_shape)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.images = self.add_weight(
            shape=(max(self.pool_size, 1), *self.image_shape), initializer="zeros", trainable=False,
            name="images", aggregation="only_first_replica",
        )
        self.count = self.add_weight(
            shape=(), initializer="zeros", dtype="int32", trainable=False, name="count",
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
        return {**super().get_config(), "pool_size": self.pool_size, "image_shape": list(self.image_shape), "seed": self.seed}


class _TranslationGAN(AdversarialModel):
    """What pix2pix and CycleGAN share: two optimizers, trackers, saving, `translate`."""

    #: attribute names of the networks each optimizer updates
    D_NETWORKS = ()
    G_NETWORKS = ()
    #: names of the logged losses
    LOSS_NAMES = ()

    def _finish_init(self):
        self._input_range = self.add_weight(
            shape=(2,), initializer="zeros", trainable=False, name="input_range", aggregation="only_first_replica"
        )
        self.d_optimizer = None
        self.g_optimizer = None
        self._trackers = {}
        self.built = True

    def d_variables(self):
        return [v for name in self.D_NETWORKS for v in getattr(self, name).trainable_variables]

    def g_variables(self):
        return [v for name in self.G_NETWORKS for v in getattr(self, name).trainable_variables]

    def logged_names(self):
        return self.LOSS_NAMES

    def check_labels_seen(self):
        """No labels to check (the range-check callback calls this)."""

    def train_step(self, data):
        with self.waiting_for(data):  # no op of the step runs without a batch
            self.translation_step(data)
        return self.logs()

    def translation_step(self, data):
        """One update of every network on a batch of (images_a, images_b); logs through `_update`."""
        raise NotImplementedError

    def _unpack(self, data, shapes):
        a, b, _ = keras.utils.unpack_x_y_sample_weight(data)
        name = type(self).__name__
        if b is None:
            raise ValueError(
                f"{name} trains on pairs of batches (images_a, images_b): pass a dataset yielding such tuples "
                "(kerasgan.data.paired_images / unpaired_images) or fit(images_a, images_b)."
            )
        checked = []
        for images, shape, domain in ((a, shapes[0], "A"), (b, shapes[1], "B")):
            dtype = keras.backend.standardize_dtype(images.dtype)
            if "float" not in dtype:
                raise TypeError(
                    f"fit() received domain-{domain} images of dtype {dtype}; kerasgan expects float32 images "
                    "in [-1, 1]. Scale 0-255 images with x / 127.5 - 1, or load them with kerasgan.data."
                )
            got = tuple(images.shape[1:])
            if len(got) != 3 or any(s is not None and s != e for s, e in zip(got, shape)):
                raise ValueError(
                    f"fit() received domain-{domain} images of shape {got} but {name} was built for {shape} "
                    "(NHWC); load the data at that size and channel count."
                )
            checked.append(ops.cast(images, "float32"))
        a, b = checked
        self._input_range.assign(ops.stack([ops.minimum(ops.min(a), ops.min(b)), ops.maximum(ops.max(a), ops.max(b))]))
        return a, b

    def fit(self, x=None, y=None, *args, callbacks=None, **kwargs):
        if self.d_optimizer is None:
            raise RuntimeError(f"Call {type(self).__name__}.compile() (optionally with d_optimizer=, g_optimizer=) before fit().")
        callbacks = list(callbacks or []) + [_InputRangeCheck()]
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
        elif isinstance(x, np.ndarray) and isinstance(y, np.ndarray):
            batch_size = kwargs.get("batch_size") or 32
            if len(x) >= batch_size:  # full batches only, as kerasgan.data gives
                x = x[: len(x) // batch_size * batch_size]
                y = y[: len(y) // batch_size * batch_size]
        return super().fit(x, y, *args, callbacks=callbacks, **kwargs)

    def _update(self, name, value):
        self._trackers[name].update_state(value)


    # ------------------------------------------------------------------ inference
    def translation_network(self, direction):
        raise NotImplementedError

    def translate(self, images, direction="a2b", batch_size=32):
        """Translates images (float32 NHWC in [-1, 1]) in inference mode; returns a numpy array in [-1, 1].

        Args:
            images: array of shape (n, H, W, C) in [-1, 1].
            direction: "a2b" or, for CycleGAN, "b2a".
            batch_size: images per forward pass.
        """
        network = self.translation_network(direction)
        images = np.asarray(images, dtype="float32")
        expected = tuple(network.input_shape[1:])
        if images.ndim != 4 or tuple(images.shape[1:]) != expected:
            raise ValueError(
                f"translate({direction!r}) takes images of shape (n, {', '.join(map(str, expected))}); "
                f"got {images.shape}."
            )
        chunks = [
            ops.convert_to_numpy(network(images[i : i + batch_size], training=False))
            for i in range(0, len(images), batch_size)
        ]
        if not chunks:
            return np.zeros((0, *network.output_shape[1:]), "float32")
        return np.concatenate(chunks).astype("float32")

    def call(self, images, training=False):
        return self.translation_network("a2b")(images, training=training)

    # ------------------------------------------------------------------ saving
    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # deserialization consumes the nested dicts
        for key in (*cls.D_NETWORKS, *cls.G_NETWORKS):
            if isinstance(config.get(key), dict):
                config[key] = _DESERIALIZE(config[key])
        return cls(**config)


def _shape(shape, name):
    shape = tuple(int(s) for s in shape)
    if len(shape) != 3:
        raise ValueError(f"{name} must be (height, width, channels); got {shape!r}.")
    return shape


def _check_network(network, inputs, output, what):
    got_in = network.input_shape
    got_in = [tuple(s[1:]) for s in got_in] if isinstance(got_in, list) else tuple(got_in[1:])
    if got_in != inputs or tuple(network.output_shape[1:])[: len(output)] != output:
        raise ValueError(
            f"The {what} maps {got_in} to {tuple(network.output_shape[1:])}, expected {inputs} to {output}; "
            "build it for the model's image shapes."
        )


@keras.saving.register_keras_serializable(package="kerasgan")
class Pix2Pix(_TranslationGAN):
    """pix2pix: a conditional GAN for paired image-to-image translation.

    G maps an input image x to an output y; the PatchGAN discriminator D(x, y)
    judges 70×70 patches of (input, output) pairs. The objective (Eq. 4):

        G* = arg min_G max_D  L_cGAN(G, D) + λ·E‖y - G(x)‖₁,   λ = 100,

    with the non-saturating generator loss, the discriminator's loss halved
    (Section 3.3) and no latent noise: the U-Net's dropout is the only
    randomness. Each step: G runs once; D is updated on (x, y) and (x, G(x));
    then G is updated through the updated D plus the L1 term.

    Logged: `d_loss` (halved BCE), `g_loss` (the total), `g_gan` and `g_l1`
    (unweighted mean absolute error).

    Args:
        generator: (B, H, W, C_in) → (B, H, W, C_out) in [-1, 1]; the U-Net
            (`kerasgan.networks.unet_generator`) when None.
        discriminator: [condition, image] → patch logits; the conditional
            70×70 PatchGAN when None.
        image_shape: (H, W, C_in) of the input images.
        target_channels: C_out of the output images.
        base_filters: width of the default networks (64 in the paper).
        l1_weight: λ.
        seed: seed of the U-Net's dropout streams.

    Example:
        ```python
        model = kerasgan.models.Pix2Pix(image_shape=(256, 256, 3))
        model.compile()                                  # Adam(2e-4, 0.5) for both
        model.fit(kerasgan.data.paired_images("facades/train", image_size=256), epochs=200)
        outputs = model.translate(inputs)                # float32 in [-1, 1]
        ```

    Reference:
        Isola, Zhu, Zhou, Efros, Image-to-Image Translation with Conditional
        Adversarial Networks, CVPR 2017. https://arxiv.org/abs/1611.07004
    """

    D_NETWORKS = ("discriminator",)
    G_NETWORKS = ("generator",)
    LOSS_NAMES = ("d_loss", "g_loss", "g_gan", "g_l1")

    def __init__(
        self,
        generator=None,
        discriminator=None,
        image_shape=(256, 256, 3),
        target_channels=3,
        base_filters=64,
        l1_weight=100.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = _shape(image_shape, "image_shape")
        self.target_channels = int(target_channels)
        self.target_shape = (*self.image_shape[:2], self.target_channels)
        self.base_filters = int(base_filters)
        if l1_weight < 0:
            raise ValueError(f"l1_weight must be >= 0; got {l1_weight}.")
        self.l1_weight = float(l1_weight)
        self.seed = seed
        self.generator = generator if generator is not None else nets.unet_generator(
            self.image_shape, self.target_channels, self.base_filters, seed=seed, name="generator"
        )
        self.discriminator = discriminator if discriminator is not None else nets.patchgan_discriminator(
            self.target_shape, condition_shape=self.image_shape, base_filters=self.base_filters, name="discriminator"
        )
        _check_network(self.generator, self.image_shape, self.target_shape, "generator")
        _check_network(self.discriminator, [self.image_shape, self.target_shape], (), "discriminator ([condition, image])")
        self._finish_init()

    def translation_network(self, direction):
        if direction != "a2b":
            raise ValueError(f"Pix2Pix translates in one direction only, 'a2b' (input → target); got {direction!r}.")
        return self.generator

    def translation_step(self, data):
        x, y = self._unpack(data, (self.image_shape, self.target_shape))
        # The output is generated once; the generator's tape stays open so the
        # same forward pass serves its update after the discriminator's.
        with tf.GradientTape() as g_tape:
            fake = self.generator(x, training=True)
        with tf.GradientTape() as d_tape:
            real_logits = self.discriminator([x, y], training=True)
            fake_logits = self.discriminator([x, fake], training=True)
            d_loss = 0.5 * losses_lib.discriminator_loss(real_logits, fake_logits)
        self.apply_update(d_tape, d_loss, self.d_variables(), self.d_optimizer)
        with g_tape:
            g_gan = losses_lib.non_saturating_generator_loss(self.discriminator([x, fake], training=True))
            g_l1 = losses_lib.l1_loss(y, fake)
            g_loss = g_gan + self.l1_weight * g_l1
        self.apply_update(g_tape, g_loss, self.g_variables(), self.g_optimizer)
        for name, value in (("d_loss", d_loss), ("g_loss", g_loss), ("g_gan", g_gan), ("g_l1", g_l1)):
            self._update(name, value)

    def get_config(self):
        return {
            **super().get_config(),
            "generator": _SERIALIZE(self.generator),
            "discriminator": _SERIALIZE(self.discriminator),
            "image_shape": list(self.image_shape),
            "target_channels": self.target_channels,
            "base_filters": self.base_filters,
            "l1_weight": self.l1_weight,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="kerasgan")
class CycleGAN(_TranslationGAN):
    """CycleGAN: unpaired translation between domains A and B with cycle consistency.

    Generators G: A → B (`generator_ab`) and F: B → A (`generator_ba`), and
    PatchGAN discriminators D_A (real A vs F(b)) and D_B (real B vs G(a)).
    The generators minimize (Eq. 3, least-squares adversarial terms, Section 4)

        E[(D_B(G(a)) - 1)²] + E[(D_A(F(b)) - 1)²]
        + λ·(E‖F(G(a)) - a‖₁ + E‖G(F(b)) - b‖₁)
        + λ_id·λ·(E‖F(a) - a‖₁ + E‖G(b) - b‖₁),        λ = 10, λ_id = 0.5,

    and each discriminator ½E[(D(real) - 1)²] + ½E[D(fake)²], its fakes drawn
    through a history pool of 50 images. One `g_optimizer` updates both
    generators and one `d_optimizer` both discriminators, as in the authors'
    code; Adam's per-weight updates make that the same as one optimizer per
    network. The default optimizers are Adam(2e-4, beta_1=0.5) with a
    `LinearDecay` schedule (`paper_optimizers`).

    Each step: the four generator passes (and the two identity passes) run
    once; both generators are updated; the same fakes, through the pools,
    then update both discriminators.

    Logged: `d_a_loss`, `d_b_loss`, `g_loss` (the total), `g_ab_gan`,
    `g_ba_gan`, `cycle_loss` and `identity_loss` (both weighted, as they enter
    `g_loss`).

    Args:
        generator_ab, generator_ba: image → image networks; ResNet generators
            (`kerasgan.networks.resnet_generator`) when None.
        discriminator_a, discriminator_b: image → patch logits; 70×70
            PatchGANs with instance normalization when None.
        image_shape: (H, W, C) of both domains (the identity loss needs the
            same shape; give grayscale images three channels).
        base_filters: width of the default networks (64 in the paper).
        n_blocks: residual blocks; None: 9 from 256 pixels up, else 6.
        cycle_weight: λ.
        identity_weight: λ_id, relative to λ; 0 disables the identity loss.
        pool_size: images in each history pool; 0 disables the pools.
        seed: seed of the pools' random choices.

    Example:
        ```python
        model = kerasgan.models.CycleGAN(image_shape=(128, 128, 3))
        model.compile(*kerasgan.models.CycleGAN.paper_optimizers(constant_steps=50_000, decay_steps=50_000))
        model.fit(kerasgan.data.unpaired_images("horses/", "zebras/", image_size=128), epochs=100)
        zebras = model.translate(horses, "a2b")
        ```

    Reference:
        Zhu, Park, Isola, Efros, Unpaired Image-to-Image Translation using
        Cycle-Consistent Adversarial Networks, ICCV 2017.
        https://arxiv.org/abs/1703.10593
    """

    D_NETWORKS = ("discriminator_a", "discriminator_b")
    G_NETWORKS = ("generator_ab", "generator_ba")
    LOSS_NAMES = ("d_a_loss", "d_b_loss", "g_loss", "g_ab_gan", "g_ba_gan", "cycle_loss", "identity_loss")

    def __init__(
        self,
        generator_ab=None,
        generator_ba=None,
        discriminator_a=None,
        discriminator_b=None,
        image_shape=(256, 256, 3),
        base_filters=64,
        n_blocks=None,
        cycle_weight=10.0,
        identity_weight=0.5,
        pool_size=50,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = _shape(image_shape, "image_shape")
        self.base_filters = int(base_filters)
        self.n_blocks = (9 if min(self.image_shape[:2]) >= 256 else 6) if n_blocks is None else int(n_blocks)
        for name, value in (("cycle_weight", cycle_weight), ("identity_weight", identity_weight)):
            if value < 0:
                raise ValueError(f"{name} must be >= 0; got {value}.")
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = float(identity_weight)
        self.pool_size = int(pool_size)
        self.seed = seed
        shape, channels = self.image_shape, self.image_shape[-1]

        def generator(name):
            return nets.resnet_generator(shape, channels, self.base_filters, n_blocks=self.n_blocks, name=name)

        def discriminator(name):
            return nets.patchgan_discriminator(shape, base_filters=self.base_filters, normalization="instance", name=name)

        self.generator_ab = generator_ab if generator_ab is not None else generator("generator_ab")
        self.generator_ba = generator_ba if generator_ba is not None else generator("generator_ba")
        self.discriminator_a = discriminator_a if discriminator_a is not None else discriminator("discriminator_a")
        self.discriminator_b = discriminator_b if discriminator_b is not None else discriminator("discriminator_b")
        for name in self.G_NETWORKS:
            _check_network(getattr(self, name), shape, shape, name)
        for name in self.D_NETWORKS:
            _check_network(getattr(self, name), shape, (), name)
        self.pool_a = ImagePool(self.pool_size, shape, seed=seed, name="pool_a")
        self.pool_b = ImagePool(self.pool_size, shape, seed=None if seed is None else seed + 1, name="pool_b")
        self._finish_init()

    @staticmethod
    def paper_optimizers(constant_steps=100_000, decay_steps=100_000, learning_rate=2e-4):
        """(d_optimizer, g_optimizer): Adam(beta_1=0.5) at `learning_rate`, constant then decaying linearly to 0.

        The paper trains 100 epochs at 2e-4 and decays over 100 more (with
        ~1,000 images at batch size 1: about 100,000 steps each, the defaults).
        """
        return tuple(
            keras.optimizers.Adam(LinearDecay(learning_rate, constant_steps, decay_steps), beta_1=0.5) for _ in range(2)
        )

    def default_optimizers(self):
        return self.paper_optimizers()

    def translation_network(self, direction):
        if direction not in ("a2b", "b2a"):
            raise ValueError(f"direction must be 'a2b' or 'b2a'; got {direction!r}.")
        return self.generator_ab if direction == "a2b" else self.generator_ba

    def translation_step(self, data):
        real_a, real_b = self._unpack(data, (self.image_shape, self.image_shape))
        with tf.GradientTape() as g_tape:
            fake_b = self.generator_ab(real_a, training=True)
            fake_a = self.generator_ba(real_b, training=True)
            cycled_a = self.generator_ba(fake_b, training=True)
            cycled_b = self.generator_ab(fake_a, training=True)
            # The paper's LS generator term is E[(D - 1)²]; kerasgan's
            # least_squares_generator_loss is Mao et al.'s ½E[(D - 1)²].
            g_ab_gan = 2.0 * losses_lib.least_squares_generator_loss(self.discriminator_b(fake_b, training=True))
            g_ba_gan = 2.0 * losses_lib.least_squares_generator_loss(self.discriminator_a(fake_a, training=True))
            cycle = self.cycle_weight * losses_lib.cycle_consistency_loss(real_a, cycled_a, real_b, cycled_b)
            identity = ops.zeros((), "float32")
            if self.identity_weight:
                same_a = self.generator_ba(real_a, training=True)
                same_b = self.generator_ab(real_b, training=True)
                identity = self.identity_weight * self.cycle_weight * losses_lib.identity_loss(
                    real_a, same_a, real_b, same_b
                )
            g_loss = g_ab_gan + g_ba_gan + cycle + identity
        self.apply_update(g_tape, g_loss, self.g_variables(), self.g_optimizer)

        pooled_a = self.pool_a(ops.stop_gradient(fake_a))
        pooled_b = self.pool_b(ops.stop_gradient(fake_b))
        with tf.GradientTape() as d_tape:
            d_a_loss = losses_lib.least_squares_discriminator_loss(
                self.discriminator_a(real_a, training=True), self.discriminator_a(pooled_a, training=True)
            )
            d_b_loss = losses_lib.least_squares_discriminator_loss(
                self.discriminator_b(real_b, training=True), self.discriminator_b(pooled_b, training=True)
            )
            d_loss = d_a_loss + d_b_loss
        self.apply_update(d_tape, d_loss, self.d_variables(), self.d_optimizer)
        for name, value in (
            ("d_a_loss", d_a_loss), ("d_b_loss", d_b_loss), ("g_loss", g_loss), ("g_ab_gan", g_ab_gan),
            ("g_ba_gan", g_ba_gan), ("cycle_loss", cycle), ("identity_loss", identity),
        ):
            self._update(name, value)

    def get_config(self):
        return {
            **super().get_config(),
            "generator_ab": _SERIALIZE(self.generator_ab),
            "generator_ba": _SERIALIZE(self.generator_ba),
            "discriminator_a": _SERIALIZE(self.discriminator_a),
            "discriminator_b": _SERIALIZE(self.discriminator_b),
            "image_shape": list(self.image_shape),
            "base_filters": self.base_filters,
            "n_blocks": self.n_blocks,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
            "seed": self.seed,
        }
