"""StyleGAN2: a style-based generator with modulated convolutions, trained with lazy R1 and path-length regularization.

Reference:
    Karras, Laine, Aittala, Hellsten, Lehtinen, Aila, Analyzing and Improving
    the Image Quality of StyleGAN, CVPR 2020. https://arxiv.org/abs/1912.04958
"""

import keras
import numpy as np
from keras import ops

from kerasgan.losses import global_batch_mean
from kerasgan.models.gan import GAN
from kerasgan.networks.progan import square_widths
from kerasgan.networks.stylegan import num_ws, stylegan2_discriminator, stylegan2_generator
from kerasgan.parts import R1, GeneratorEMA, PathLength, StepBatch
from kerasgan.utils import checks


@keras.saving.register_keras_serializable(package="kerasgan")
class StyleGAN2(GAN):
    """StyleGAN2 (Karras et al. 2020): mapping to w, modulated convolutions, skip generator, residual discriminator.

    The generator (`kerasgan.networks.stylegan2_generator`) is z → w by an
    8-layer mapping network (learning-rate multiplier 0.01), then a synthesis
    network from a learned constant 4×4 input through modulated, demodulated
    3×3 convolutions with per-pixel noise, each resolution's toRGB added to the
    upsampled image below it; the discriminator is residual with the minibatch
    standard deviation. Training, as in the paper's config F: the
    non-saturating loss; style-mixing regularization (with probability
    `style_mixing` each fake takes the ws of a second latent from a random
    crossover layer on); lazy R1 (γ, every 16 discriminator steps) and the
    path-length penalty (weight 2, every 4 generator steps), both regularizer
    parts; a moving average of the generator with ramp-up (`GeneratorEMA`) that
    `generate()` samples from; and w̄, the moving average of the mapped w
    (`w_avg_beta`, saved with the model), for the truncation trick.
    Adam(0.0025, β = (0, 0.99), ε = 1e-8) with the lazy-regularization
    correction of the paper's appendix B: lr·c and β₂^c, c = k / (k + 1).

    Args:
        latent_dim: z's size (512 in the paper); w has the same size unless `w_dim` is given.
        w_dim: w's size.
        image_shape: (side, side, channels), side a power of two ≥ 4.
        base_filters: width at the target resolution, doubling per halving up to
            `max_filters` (default min(512, 16384 // side)).
        max_filters: the widest layers (512).
        mapping_layers: depth of the mapping network (8).
        mapping_lr: its learning-rate multiplier (0.01).
        style_mixing: the probability of mixing two latents' styles in a fake (0.9).
        w_avg_beta: w̄ ← mean(w) + β·(w̄ − mean(w)) at every step (0.995).
        group_size: the minibatch standard deviation's group (4).
        regularizers: default [R1(10, interval=16), PathLength(2, interval=4)].
        ema: default GeneratorEMA(0.999, rampup=0.05).
        **kwargs: the other `GAN` arguments (loss, augment, seed, ...).

    Example:
        ```python
        gan = kerasgan.models.StyleGAN2.for_images((32, 32, 3), augment="ada")
        gan.compile()
        gan.fit(kerasgan.data.image_folder("faces/", 32), epochs=100)
        images = gan.generate(16, truncation_psi=0.7)
        grid = gan.mix_styles(z_a, z_b, crossover=4)
        ```
    """

    def __init__(
        self,
        generator=None,
        discriminator=None,
        latent_dim=512,
        image_shape=(32, 32, 3),
        w_dim=None,
        base_filters=None,
        max_filters=512,
        mapping_layers=8,
        mapping_lr=0.01,
        style_mixing=0.9,
        w_avg_beta=0.995,
        group_size=4,
        regularizers=None,
        ema="default",
        **kwargs,
    ):
        name = type(self).__name__
        _, self.base_filters, self.max_filters = square_widths(name, image_shape, base_filters, max_filters)
        self.w_dim = checks.positive_int(name, "w_dim", latent_dim if w_dim is None else w_dim)
        self.mapping_layers = checks.positive_int(name, "mapping_layers", mapping_layers)
        self.mapping_lr = checks.positive(name, "mapping_lr", mapping_lr)
        self.style_mixing = checks.in_range(name, "style_mixing", style_mixing, 0.0, 1.0 + 1e-9)
        self.w_avg_beta = checks.in_range(name, "w_avg_beta", w_avg_beta, 0.0, 1.0)
        self.group_size = checks.positive_int(name, "group_size", group_size)
        self.num_ws = num_ws(int(image_shape[0]))
        if regularizers is None:
            regularizers = self.default_regularizers()
        if isinstance(ema, str) and ema == "default":
            ema = GeneratorEMA(0.999, rampup=0.05)
        super().__init__(
            generator, discriminator, latent_dim=latent_dim, image_shape=image_shape, regularizers=regularizers,
            ema=ema, **kwargs,
        )  # fmt: skip
        for part in ("mapping", "synthesis"):
            try:
                self.generator.get_layer(part)
            except ValueError:
                raise ValueError(
                    f"{name}'s generator must hold sub-models named 'mapping' (z → w) and 'synthesis' (ws → "
                    f"images), as kerasgan.networks.stylegan2_generator builds; this one has no {part!r}."
                ) from None
        self.w_avg = self.add_weight(
            shape=(self.w_dim,), initializer="zeros", trainable=False, name="w_avg", aggregation="only_first_replica"
        )

    @classmethod
    def for_images(cls, image_shape, latent_dim=512, **kwargs):
        return cls(image_shape=tuple(image_shape), latent_dim=latent_dim, **kwargs)

    def default_regularizers(self):
        """The paper's: lazy R1 (γ 10, every 16 D steps) and path length (weight 2, every 4 G steps)."""
        return [R1(10.0, interval=16), PathLength(2.0, interval=4)]

    def build_generator(self):
        return stylegan2_generator(
            self.latent_dim, self.image_shape, self.w_dim, self.base_filters, self.max_filters, self.mapping_layers,
            self.mapping_lr, seed=self.seed,
        )  # fmt: skip

    def build_discriminator(self):
        return stylegan2_discriminator(
            self.seen_shape(self.image_shape), self.base_filters, self.max_filters, self.group_size
        )

    def default_optimizers(self):
        def adam(interval):
            c = interval / (interval + 1.0) if interval > 1 else 1.0  # only lazy regularization is corrected
            return keras.optimizers.Adam(0.0025 * c, beta_1=0.0, beta_2=0.99**c, epsilon=1e-8)

        def interval(kind):  # of the lazy regularizer of that kind (a subclass too), 1 without one
            return next((p.interval for p in self.regularizers if isinstance(p, kind)), 1)

        return adam(interval(R1)), adam(interval(PathLength))

    # ------------------------------------------------------------------ the networks' halves
    @property
    def mapping(self):
        """The mapping network z → w (training weights)."""
        return self.generator.get_layer("mapping")

    @property
    def synthesis(self):
        """The synthesis network ws (batch, num_ws, w_dim) → images (training weights)."""
        return self.generator.get_layer("synthesis")

    def _sampling_halves(self, use_ema=True):
        generator = self.sampling_network(self.generator) if use_ema else self.generator
        return generator.get_layer("mapping"), generator.get_layer("synthesis")

    def broadcast(self, w):
        """w (batch, w_dim) as ws (batch, num_ws, w_dim): the same style at every layer."""
        # a broadcast, not ops.repeat: XLA cannot compile repeat's gradient inside the lazy path-length cond
        return ops.broadcast_to(ops.expand_dims(w, 1), (ops.shape(w)[0], self.num_ws, w.shape[-1]))

    def mixed(self, ws_a, ws_b, crossover):
        """ws of `ws_a` at style inputs below `crossover` (per sample, shape (batch,)) and of `ws_b` from it on."""
        index = ops.arange(self.num_ws, dtype="int32")[None, :, None]
        return ops.where(index < ops.cast(crossover, "int32")[:, None, None], ws_a, ws_b)

    # ------------------------------------------------------------------ training
    def training_styles(self, latents):
        """(w, ws) of `latents` as training maps them: w = mapping(z), ws with style-mixing regularization.

        With probability `style_mixing` a sample takes, from a random crossover layer on, the ws of a second
        latent drawn here; the others keep w at every style input.
        """
        w = self.mapping(latents, training=True)
        ws = self.broadcast(w)
        if self.style_mixing > 0:
            batch = ops.shape(latents)[0]
            other = self.broadcast(self.mapping(self.sample_latents(batch), training=True))
            u, cut = (self.replica_random(keras.random.uniform, (batch,)) for _ in range(2))
            # a crossover in [1, num_ws) with probability style_mixing, else num_ws (no mixing)
            crossover = ops.floor(1.0 + cut * (self.num_ws - 1))
            crossover = ops.where(u < self.style_mixing, crossover, float(self.num_ws))
            ws = self.mixed(ws, other, crossover)
        return w, ws

    def step_batch(self, real, condition):
        """The fakes with style-mixing regularization; w̄ follows the mapped w."""
        latents = self.sample_latents(ops.shape(real)[0])
        w, ws = self.training_styles(latents)
        mean = global_batch_mean(ops.stop_gradient(w), axis=0)
        self.w_avg.assign(mean + self.w_avg_beta * (self.w_avg - mean))
        fake = self.synthesis(ws, training=True)
        return StepBatch(real, fake, condition, latents)

    def path_length_view(self, batch, batch_shrink):
        """(ws, synthesize) of the path-length penalty: every batch_shrink-th latent of the step's, mapped anew.

        The ws are style-mixed as the main pass's are (`training_styles`: a fresh second latent and crossover),
        as in the paper's code, whose path-length pass runs the generator in training mode, mixing included; the
        lengths are measured against those mixed ws.

        Strided rather than the first share, so that under tf.distribute (each replica a contiguous slice of the
        global batch) the replicas together regularize the samples one device would.
        """
        _, ws = self.training_styles(batch.latents[::batch_shrink])
        return ws, lambda styles: self.synthesis(styles, training=True)

    # ------------------------------------------------------------------ sampling
    def map_latents(self, latents, truncation_psi=1.0, truncation_cutoff=None, use_ema=True):
        """ws (n, num_ws, w_dim) of numpy `latents` (n, latent_dim), truncated toward w̄.

        w' = w̄ + ψ·(w − w̄) at the style inputs below `truncation_cutoff`
        (all when None); ψ = 1 leaves w as it is, ψ = 0 gives w̄.
        """
        psi = float(truncation_psi)
        if not np.isfinite(psi):
            raise ValueError(f"truncation_psi must be a finite number (0.7 is usual); got {truncation_psi!r}.")
        latents = self.latents_for(None, latents)
        mapping, _ = self._sampling_halves(use_ema)
        w = keras.ops.convert_to_numpy(mapping(ops.convert_to_tensor(latents), training=False))
        ws = np.repeat(w[:, None, :], self.num_ws, axis=1)
        w_avg = keras.ops.convert_to_numpy(self.w_avg)
        cutoff = self.num_ws if truncation_cutoff is None else int(truncation_cutoff)
        if not 0 <= cutoff <= self.num_ws:
            raise ValueError(f"truncation_cutoff must be in [0, {self.num_ws}] (the style inputs); got {cutoff}.")
        ws[:, :cutoff] = w_avg + psi * (ws[:, :cutoff] - w_avg)
        return ws.astype("float32")

    def synthesize(self, ws, batch_size=256, use_ema=True):
        """Images (numpy, [-1, 1]) from explicit style inputs ws, (n, num_ws, w_dim) or (n, w_dim)."""
        ws = np.asarray(ws, "float32")
        if ws.ndim == 2:
            ws = np.repeat(ws[:, None, :], self.num_ws, axis=1)
        if ws.ndim != 3 or ws.shape[1:] != (self.num_ws, self.w_dim):
            raise ValueError(
                f"styles must have shape (n, {self.num_ws}, {self.w_dim}) or (n, {self.w_dim}); got {ws.shape}."
            )
        _, synthesis = self._sampling_halves(use_ema)
        chunks = [
            keras.ops.convert_to_numpy(synthesis(ops.convert_to_tensor(ws[i : i + batch_size]), training=False))
            for i in range(0, len(ws), batch_size)
        ]
        return np.concatenate(chunks).astype("float32") if chunks else np.zeros((0, *self.image_shape), "float32")

    def generate(
        self, n=None, latents=None, seed=None, batch_size=256, use_ema=True, truncation_psi=1.0,
        truncation_cutoff=None, styles=None,
    ):  # fmt: skip
        """Images (float32 NHWC numpy in [-1, 1]) from the moving-average generator, with the truncation trick.

        Args:
            n, latents, seed, batch_size, use_ema: as `GAN.generate`.
            truncation_psi: ψ, w' = w̄ + ψ·(w − w̄) (1: no truncation; 0.7 is usual).
            truncation_cutoff: truncate only the style inputs below it (the coarse ones); None: all.
            styles: explicit ws (n, num_ws, w_dim) or (n, w_dim) instead of latents (no truncation applied).
        """
        if styles is not None:
            return self.synthesize(styles, batch_size, use_ema)
        latents = self.latents_for(n, latents, seed)
        if truncation_psi == 1.0 and truncation_cutoff is None:
            return super().generate(latents=latents, batch_size=batch_size, use_ema=use_ema)
        return self.synthesize(
            self.map_latents(latents, truncation_psi, truncation_cutoff, use_ema), batch_size, use_ema
        )

    def mix_styles(self, z_a, z_b, crossover, truncation_psi=1.0, use_ema=True):
        """Images with `z_a`'s styles at the style inputs below `crossover` and `z_b`'s from it on.

        A small crossover (2, 4×4) takes only the coarse styles from A (pose,
        shape) and the rest from B; a large one keeps A but for B's fine styles
        (colours, texture). Rows of `z_a` and `z_b` pair up (the same count).
        """
        crossover = int(crossover)
        if not 0 <= crossover <= self.num_ws:
            raise ValueError(f"crossover must be in [0, {self.num_ws}] (the style inputs); got {crossover}.")
        ws_a = self.map_latents(z_a, truncation_psi, use_ema=use_ema)
        ws_b = self.map_latents(z_b, truncation_psi, use_ema=use_ema)
        if len(ws_a) != len(ws_b):
            raise ValueError(f"mix_styles pairs the rows of z_a and z_b; got {len(ws_a)} and {len(ws_b)}.")
        ws = np.concatenate([ws_a[:, :crossover], ws_b[:, crossover:]], axis=1)
        return self.synthesize(ws, use_ema=use_ema)

    def project(self, images, steps=200, learning_rate=0.05, use_ema=True):
        """Finds a w per image whose synthesis matches it: (ws (n, num_ws, w_dim), the reconstructions).

        As StyleGAN2's projector, w starts at w̄ and is optimized with Adam,
        the same w at every style input; the distance here is the mean squared
        error in pixels and on a 2×2-pooled copy (the paper's projector uses
        LPIPS, a pretrained network, and also optimizes the noise maps; both are
        left out so that projection needs no download).

        Args:
            images: (n, H, W, C) in [-1, 1], the model's image shape.
            steps: Adam steps.
            learning_rate: Adam's step size.
        """
        import tensorflow as tf

        images = np.asarray(images, "float32")
        if images.ndim != 4 or images.shape[1:] != tuple(self.image_shape):
            raise ValueError(
                f"project() takes images of shape (n, {', '.join(map(str, self.image_shape))}); got {images.shape}."
            )
        steps = checks.positive_int("project", "steps", steps)
        _, synthesis = self._sampling_halves(use_ema)
        target = tf.constant(images)
        w = tf.Variable(np.repeat(keras.ops.convert_to_numpy(self.w_avg)[None], len(images), axis=0))
        optimizer = keras.optimizers.Adam(learning_rate)
        optimizer.build([w])

        def pooled(x):
            return ops.average_pool(x, 2, 2) if x.shape[1] >= 8 else x

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                made = synthesis(self.broadcast(w), training=False)
                loss = ops.mean(ops.square(made - target)) + ops.mean(ops.square(pooled(made) - pooled(target)))
            optimizer.apply_gradients([(tape.gradient(loss, w), w)])
            return loss

        for _ in range(steps):
            step()
        ws = np.repeat(keras.ops.convert_to_numpy(w)[:, None], self.num_ws, axis=1)
        return ws, self.synthesize(ws, use_ema=use_ema)

    def get_config(self):
        return {
            **super().get_config(),
            "w_dim": self.w_dim,
            "base_filters": self.base_filters,
            "max_filters": self.max_filters,
            "mapping_layers": self.mapping_layers,
            "mapping_lr": self.mapping_lr,
            "style_mixing": self.style_mixing,
            "w_avg_beta": self.w_avg_beta,
            "group_size": self.group_size,
        }
