"""Conditional models: conditional GAN, ACGAN (class labels) and InfoGAN (latent codes).

All three are the base class's procedure; they change only what the networks
are fed and the extra terms of each loss, through the `GAN` hooks, so every
loss and training trick of the base class applies to them.
"""

import functools

import keras
import numpy as np
from keras import ops

from kerasgan import losses as losses_lib
from kerasgan.models.dcgan import DCGAN
from kerasgan.networks import auxiliary_discriminator, conditional_discriminator, conditional_generator, dcgan_generator


class _ClassConditional(DCGAN):
    """A DCGAN whose generator takes (latents, labels); trained on (images, labels) batches.

    Shared by `ConditionalGAN` and `ACGAN`: the label argument checks, feeding
    the labels, `generate(labels=...)`, a grid with one row per class, and the
    check that the labels fit() sees are in [0, num_classes).
    """

    uses_labels = True
    generator_input_count = 2

    def __init__(self, num_classes=10, class_names=None, label_embedding=None, generator=None, discriminator=None, **kwargs):
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
            raise ValueError(f"num_classes must be an int >= 2; got {num_classes!r}.")
        self.num_classes = int(num_classes)
        if class_names is not None:
            class_names = [str(name) for name in class_names]
            if len(class_names) != self.num_classes:
                raise ValueError(f"Got {len(class_names)} class_names for num_classes={self.num_classes}.")
        self.class_names = class_names
        self.label_embedding = None if label_embedding is None else int(label_embedding)
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)
        # Smallest and largest label fit() has seen (0 before any), checked by a
        # callback after the first step and every epoch: an out-of-range label
        # encodes to zeros in the networks rather than failing mid-graph.
        self._label_range = self.add_weight(
            shape=(2,), initializer="zeros", trainable=False, name="label_range", aggregation="only_first_replica"
        )

    def build_generator(self):
        return conditional_generator(
            self.latent_dim, self.num_classes, self.image_shape, self.base_filters, self.label_embedding
        )

    def _check_networks(self):
        super()._check_networks()
        labels = self.generator.inputs[1]
        if tuple(labels.shape[1:]) != () or "int" not in keras.backend.standardize_dtype(labels.dtype):
            raise ValueError(
                f"{type(self).__name__}'s generator must take [latents, labels] with integer labels of shape (batch,); "
                f"its second input is {labels.dtype} of shape {tuple(labels.shape)}."
            )

    # ------------------------------------------------------------------ hooks
    def unpack_batch(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is None:
            raise ValueError(
                f"{type(self).__name__} is conditional: fit() needs (images, labels) batches. Load the data with "
                "labels (kerasgan.data.load_dataset(..., labels=True), or a folder with one sub-folder per class), "
                "or pass fit(images, labels)."
            )
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        seen = ops.cast(self._label_range, "int32")
        self._label_range.assign(
            ops.cast(ops.stack([ops.minimum(seen[0], ops.min(labels)), ops.maximum(seen[1], ops.max(labels))]), "float32")
        )
        return images, labels

    def generator_inputs(self, latents, condition):
        return [latents, condition]

    def check_labels_seen(self):
        low, high = (int(v) for v in ops.convert_to_numpy(self._label_range))
        if low < 0 or high >= self.num_classes:
            self.stop_training = True
            raise ValueError(
                f"fit() received the class label {low if low < 0 else high}, but {type(self).__name__} was built for "
                f"num_classes={self.num_classes} (labels 0..{self.num_classes - 1}). Build the model with the data's "
                "class count, or remap the labels."
            )

    def fit(self, x=None, *args, **kwargs):
        names = getattr(x, "class_names", None)
        if names is not None and len(names) != self.num_classes:
            raise ValueError(
                f"The data set has {len(names)} classes ({', '.join(map(str, names[:5]))}"
                f"{', ...' if len(names) > 5 else ''}) but {type(self).__name__} was built for "
                f"num_classes={self.num_classes}; build it with num_classes={len(names)}."
            )
        y = args[0] if args else kwargs.get("y")
        if y is not None and not isinstance(y, (dict, tuple, list)):
            self._check_labels(np.asarray(y))
        return super().fit(x, *args, **kwargs)

    # ------------------------------------------------------------------ sampling
    def _check_labels(self, labels):
        if labels.size and not np.issubdtype(labels.dtype, np.integer) and not np.all(labels == np.round(labels)):
            raise ValueError(f"Class labels must be integers; got values such as {labels.ravel()[:5].tolist()}.")
        bad = labels[(labels < 0) | (labels >= self.num_classes)]
        if bad.size:
            raise ValueError(
                f"Class labels must be in [0, {self.num_classes}) for num_classes={self.num_classes}; got "
                f"{bad[:5].tolist()}{' ...' if bad.size > 5 else ''}."
            )

    def label_index(self, label):
        """The class index of `label`: an index, or a name from `class_names`."""
        if isinstance(label, str):
            if not self.class_names or label not in self.class_names:
                known = ", ".join(self.class_names or [])
                raise ValueError(f"Unknown class name {label!r}; the classes are: {known or 'unnamed (use indices)'}.")
            return self.class_names.index(label)
        return label

    def _labels_for(self, n, labels):
        """Labels for `n` samples: None cycles through the classes; one label (index or name) is repeated."""
        if labels is None:
            return np.arange(n, dtype="int32") % self.num_classes
        labels = np.asarray(
            [self.label_index(label) for label in labels] if isinstance(labels, (list, tuple)) else self.label_index(labels)
        )
        if labels.ndim == 0:
            labels = np.full(n, labels)
        if labels.shape != (n,):
            raise ValueError(f"labels must be one label or {n} labels (one per sample); got shape {labels.shape}.")
        self._check_labels(labels)
        return labels.astype("int32")

    def generate(self, n=None, labels=None, latents=None, seed=None, batch_size=256, use_ema=True):
        """Generates images of the given classes (float32 NHWC numpy array in [-1, 1]).

        Args:
            n: number of images (latents drawn from N(0, I) with `seed`).
            labels: one class for all images, or one per image (indices, or
                names from `class_names`); None cycles through the classes.
            latents: explicit latents (n, latent_dim) instead of `n`.
            seed, batch_size, use_ema: as for `GAN.generate`.
        """
        latents = self._latents_for(n, latents, seed)
        return self._generate(latents, self._labels_for(len(latents), labels), batch_size, use_ema)

    def grid_samples(self, latents):
        """One row per class, the same latents in each column (so a column is one "style")."""
        cols = max(1, len(latents) // self.num_classes)
        labels = np.repeat(np.arange(self.num_classes), cols)
        return self.generate(latents=np.tile(latents[:cols], (self.num_classes, 1)), labels=labels), cols

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "class_names": self.class_names,
            "label_embedding": self.label_embedding,
        }


@keras.saving.register_keras_serializable(package="kerasgan")
class ConditionalGAN(_ClassConditional):
    """Conditional GAN (Mirza & Osindero 2014): both networks see the class label.

    The generator models p(x | y): its input is z joined to the encoded label.
    The discriminator judges (image, label) pairs, so a realistic image of the
    wrong class is fake to it. Fakes are generated for the labels of the real
    batch, so they follow the data's class frequencies. Networks: DCGAN's.

    Args:
        num_classes: number of classes K; labels are ints in [0, K).
        class_names: optional names of the classes (kept in the config, and
            accepted by `generate(labels=...)`).
        label_embedding: None: the label is one-hot (the paper) — joined to z,
            and broadcast to K extra discriminator input channels; an int: a
            learned embedding of that size is used instead.
        projection: a projection discriminator (Miyato & Koyama 2018): the
            label enters the discriminator through an inner product with its
            features instead of as input channels.
        **kwargs: the `DCGAN` / `GAN` arguments (latent_dim, image_shape,
            base_filters, loss, every training trick, ...).

    Example:
        ```python
        data = kerasgan.data.load_dataset("mnist", labels=True)  # (images, labels) batches
        gan = kerasgan.models.ConditionalGAN.for_images((28, 28, 1), num_classes=10)
        gan.compile()
        gan.fit(data, epochs=20)
        sevens = gan.generate(16, labels=7)
        ```

    References:
        Mirza & Osindero, Conditional Generative Adversarial Nets, 2014.
        https://arxiv.org/abs/1411.1784
        Miyato & Koyama, cGANs with Projection Discriminator, ICLR 2018.
        https://arxiv.org/abs/1802.05637
    """

    discriminator_input_count = 2

    def __init__(self, generator=None, discriminator=None, projection=False, **kwargs):
        self.projection = bool(projection)
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)

    def build_discriminator(self, **options):
        options.setdefault("logit_bias", not getattr(self._d_loss_fn, "shift_invariant", False))
        return conditional_discriminator(
            self.image_shape, self.num_classes, self.base_filters, self.label_embedding, self.projection, **options
        )

    def discriminator_inputs(self, images, condition):
        return [images, condition]

    def get_config(self):
        return {**super().get_config(), "projection": self.projection}


@keras.saving.register_keras_serializable(package="kerasgan")
class ACGAN(_ClassConditional):
    """Auxiliary classifier GAN (Odena et al. 2017).

    The generator takes (z, c); the discriminator sees only the image and
    outputs both P(S | X) (real or fake, the logit) and P(C | X) (class
    logits) from a shared body. With L_S the log-likelihood of the correct
    source and L_C that of the correct class, the discriminator maximizes
    L_S + L_C and the generator L_C − L_S (the paper's eq. 2-3); as losses,
    the discriminator adds `class_weight` × (CE on real + CE on fake), logged
    as "d_class", and the generator `class_weight` × CE on fake, logged as
    "g_class", to their adversarial losses. Fakes are generated for the labels
    of the real batch.

    Args:
        num_classes, class_names, label_embedding: as for `ConditionalGAN`
            (the embedding only feeds the generator).
        class_weight: weight of the class terms (1 in the paper).
        **kwargs: the `DCGAN` / `GAN` arguments.

    Example:
        ```python
        gan = kerasgan.models.ACGAN.for_images((28, 28, 1), num_classes=10)
        gan.compile()
        gan.fit(kerasgan.data.load_dataset("mnist", labels=True), epochs=20)
        ```

    Reference:
        Odena, Olah, Shlens, Conditional Image Synthesis with Auxiliary
        Classifier GANs, ICML 2017. https://arxiv.org/abs/1610.09585
    """

    def __init__(self, generator=None, discriminator=None, class_weight=1.0, **kwargs):
        if not class_weight >= 0:
            raise ValueError(f"class_weight must be >= 0; got {class_weight}.")
        self.class_weight = float(class_weight)
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)

    def build_discriminator(self, **options):
        options.setdefault("logit_bias", not getattr(self._d_loss_fn, "shift_invariant", False))
        return auxiliary_discriminator(self.image_shape, {"class_logits": self.num_classes}, self.base_filters, **options)

    def _check_networks(self):
        super()._check_networks()
        shapes = self.discriminator.output_shape
        if not isinstance(shapes, list) or len(shapes) != 2 or tuple(shapes[1][1:]) != (self.num_classes,):
            raise ValueError(
                f"ACGAN's discriminator must output [logit (batch, 1), class logits (batch, {self.num_classes})]; "
                f"it outputs {shapes}."
            )

    def split_discriminator_output(self, outputs):
        logits, class_logits = outputs
        return logits, class_logits

    def discriminator_term_names(self):
        return super().discriminator_term_names() + ("d_class",)

    def generator_term_names(self):
        return super().generator_term_names() + ("g_class",)

    def discriminator_auxiliary_terms(self, real_aux, fake_aux, condition, latents):
        loss = losses_lib.class_loss(real_aux, condition) + losses_lib.class_loss(fake_aux, condition)
        return {"d_class": self.class_weight * loss}

    def generator_auxiliary_terms(self, fake_aux, condition, latents):
        return {"g_class": self.class_weight * losses_lib.class_loss(fake_aux, condition)}

    def get_config(self):
        return {**super().get_config(), "class_weight": self.class_weight}


@keras.saving.register_keras_serializable(package="kerasgan")
class InfoGAN(DCGAN):
    """InfoGAN (Chen et al. 2016): latent codes the generator must keep recoverable, learned without labels.

    The generator's input is [z, c]: z ~ N(0, I) of `latent_dim` numbers, and
    codes c — categorical codes (one-hot, uniform over their categories) and
    continuous codes (uniform in [-1, 1]). A Q network sharing the
    discriminator's body predicts c from the generated image; both the
    generator and Q (with the discriminator's body) minimize
    λ·L_I = λ_cat·Σ CE(Q_cat(x), c_cat) + λ_cont·½‖Q_cont(x) − c_cont‖², the
    negated variational lower bound of the mutual information I(c; G(z, c)),
    up to constants. Logged as "d_info" (in the discriminator's update) and
    "g_info" (in the generator's). On MNIST a 10-way code learns the digit
    classes and continuous codes learn rotation and width.

    Args:
        categorical_codes: category count of each categorical code (the
            paper's MNIST model: one code of 10).
        continuous_codes: number of continuous codes (2 on MNIST).
        lambda_categorical: λ of the categorical terms. The paper's 1 goes
            with its larger networks; with these, measured on MNIST (10-way
            code, 6,000 steps, seeds 0 / 1, see
            tests/test_conditional_real_data.py), λ = 2 lets the code find the
            digits faster: NMI with the digit 0.67 / 0.56 against 0.43 / 0.48
            with λ = 1; λ = 4 was worse (0.39 after 4,000 steps).
        lambda_continuous: λ of the continuous terms; the paper uses a smaller
            λ for them so that the term stays on the GAN loss's scale.
        q_hidden_units: width of Q's hidden layer on the shared features.
        **kwargs: the `DCGAN` / `GAN` arguments; `latent_dim` is the size of z
            alone (62 in the paper's MNIST model).

    Example:
        ```python
        gan = kerasgan.models.InfoGAN.for_images((28, 28, 1), latent_dim=62)
        gan.compile()
        gan.fit(kerasgan.data.load_dataset("mnist"), epochs=20)
        fours = gan.generate(10, codes={"categorical": 4, "continuous": [[x, 0] for x in np.linspace(-2, 2, 10)]})
        ```

    Reference:
        Chen, Duan, Houthooft, Schulman, Sutskever, Abbeel, InfoGAN:
        Interpretable Representation Learning by Information Maximizing
        Generative Adversarial Nets, NeurIPS 2016. https://arxiv.org/abs/1606.03657
    """

    def __init__(
        self,
        generator=None,
        discriminator=None,
        categorical_codes=(10,),
        continuous_codes=2,
        lambda_categorical=2.0,
        lambda_continuous=0.1,
        q_hidden_units=128,
        **kwargs,
    ):
        self.categorical_codes = tuple(int(k) for k in (categorical_codes or ()))
        if any(k < 2 for k in self.categorical_codes):
            raise ValueError(f"Each categorical code needs at least 2 categories; got {categorical_codes!r}.")
        self.continuous_codes = int(continuous_codes)
        if self.continuous_codes < 0 or not (self.categorical_codes or self.continuous_codes):
            raise ValueError("InfoGAN needs at least one code: set categorical_codes and/or continuous_codes > 0.")
        for name, value in (("lambda_categorical", lambda_categorical), ("lambda_continuous", lambda_continuous)):
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0; got {value}.")
        self.lambda_categorical = float(lambda_categorical)
        self.lambda_continuous = float(lambda_continuous)
        self.q_hidden_units = int(q_hidden_units)
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)
        if self.feature_matching:
            raise ValueError("InfoGAN does not support feature_matching: its generator loss has the Q term as well.")

    def default_optimizers(self):
        """The paper's: Adam with a learning rate of 2e-4 for D (and Q) and 1e-3 for G, β1 = 0.5.

        Measured on MNIST (tests/test_conditional_real_data.py): with 2e-4 for
        both the generator learns to hide the code in a detail Q can read, and
        the categorical code's NMI with the digit stays near 0.04 after 2,500
        steps; with the paper's rates it rises.
        """
        return keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5)

    @property
    def code_dim(self):
        """Numbers the codes add to the generator's input: Σ categories + continuous codes."""
        return sum(self.categorical_codes) + self.continuous_codes

    @property
    def generator_latent_size(self):
        return self.latent_dim + self.code_dim

    def build_generator(self):
        return dcgan_generator(self.generator_latent_size, self.image_shape, self.base_filters)

    def build_discriminator(self, **options):
        options.setdefault("logit_bias", not getattr(self._d_loss_fn, "shift_invariant", False))
        heads = {}
        if self.categorical_codes:
            heads["q_categorical"] = sum(self.categorical_codes)
        if self.continuous_codes:
            heads["q_continuous"] = self.continuous_codes
        return auxiliary_discriminator(
            self.image_shape, heads, self.base_filters, hidden_units=self.q_hidden_units, **options
        )

    def _check_networks(self):
        super()._check_networks()
        expected = [(1,)] + [(k,) for k in (sum(self.categorical_codes), self.continuous_codes) if k]
        shapes = self.discriminator.output_shape
        if not isinstance(shapes, list) or [tuple(s[1:]) for s in shapes] != expected:
            raise ValueError(f"InfoGAN's discriminator must output [logit, Q heads] of shapes {expected}; got {shapes}.")

    # ------------------------------------------------------------------ hooks
    def sample_latents(self, batch_size):
        """[z, one-hot categorical codes, continuous codes], drawn from the model's seed generator."""
        parts = [self.replica_random(keras.random.normal, (batch_size, self.latent_dim))]
        for size in self.categorical_codes:
            draw = functools.partial(keras.random.randint, minval=0, maxval=size, dtype="int32")
            parts.append(ops.one_hot(ops.reshape(self.replica_random(draw, (batch_size, 1)), (-1,)), size))
        if self.continuous_codes:
            uniform = functools.partial(keras.random.uniform, minval=-1.0, maxval=1.0)
            parts.append(self.replica_random(uniform, (batch_size, self.continuous_codes)))
        return ops.concatenate(parts, axis=-1)

    def split_discriminator_output(self, outputs):
        return outputs[0], tuple(outputs[1:])

    def discriminator_term_names(self):
        return super().discriminator_term_names() + ("d_info",)

    def generator_term_names(self):
        return super().generator_term_names() + ("g_info",)

    def information_loss(self, q_outputs, latents):
        """λ·L_I: the weighted code losses of Q's outputs for the codes inside `latents` ([z, codes])."""
        codes = latents[:, self.latent_dim :]
        total, head = 0.0, 0
        n_categorical = sum(self.categorical_codes)
        if self.categorical_codes:
            total = self.lambda_categorical * losses_lib.categorical_code_loss(
                q_outputs[head], codes[:, :n_categorical], self.categorical_codes
            )
            head += 1
        if self.continuous_codes:
            total = total + self.lambda_continuous * losses_lib.continuous_code_loss(
                q_outputs[head], codes[:, n_categorical:]
            )
        return total

    def discriminator_auxiliary_terms(self, real_aux, fake_aux, condition, latents):
        return {"d_info": self.information_loss(fake_aux, latents)}

    def generator_auxiliary_terms(self, fake_aux, condition, latents):
        return {"g_info": self.information_loss(fake_aux, latents)}

    # ------------------------------------------------------------------ sampling
    def codes_for(self, n, codes=None, seed=None):
        """The (n, code_dim) code part of the generator's input.

        `codes` is a dict with optional entries "categorical" (one category
        for all, n categories, or (n, number of categorical codes)) and
        "continuous" (one vector of `continuous_codes` values for all, or
        (n, continuous_codes)); entries left out are drawn at random (numpy
        RNG with `seed`).
        """
        codes = dict(codes or {})
        unknown = set(codes) - {"categorical", "continuous"}
        if unknown:
            raise ValueError(f"Unknown code kind(s) {sorted(unknown)}; codes takes 'categorical' and 'continuous'.")
        rng = np.random.default_rng(seed)
        parts = []
        if self.categorical_codes:
            chosen = codes.get("categorical")
            if chosen is None:
                chosen = np.stack([rng.integers(0, k, n) for k in self.categorical_codes], axis=1)
            chosen = np.asarray(chosen)
            if chosen.ndim == 0:
                chosen = np.full((n, len(self.categorical_codes)), chosen)
            elif chosen.ndim == 1:
                chosen = chosen.reshape(n, 1) if len(chosen) == n else np.tile(chosen, (n, 1))
            if chosen.shape != (n, len(self.categorical_codes)):
                raise ValueError(
                    f"codes['categorical'] must be one category, {n} categories or shape "
                    f"({n}, {len(self.categorical_codes)}); got shape {np.shape(codes.get('categorical'))}."
                )
            for i, size in enumerate(self.categorical_codes):
                if chosen[:, i].min() < 0 or chosen[:, i].max() >= size:
                    raise ValueError(f"Categorical code {i} takes values in [0, {size}); got {chosen[:, i].tolist()[:5]}.")
                parts.append(np.eye(size, dtype="float32")[chosen[:, i]])
        if self.continuous_codes:
            values = codes.get("continuous")
            if values is None:
                values = rng.uniform(-1.0, 1.0, (n, self.continuous_codes))
            values = np.asarray(values, dtype="float32")
            if values.shape == (self.continuous_codes,):
                values = np.tile(values, (n, 1))
            if values.shape != (n, self.continuous_codes):
                raise ValueError(
                    f"codes['continuous'] must have shape ({self.continuous_codes},) or ({n}, {self.continuous_codes}); "
                    f"got {values.shape}."
                )
            parts.append(values)
        return np.concatenate(parts, axis=1).astype("float32")

    def generate(self, n=None, codes=None, latents=None, seed=None, batch_size=256, use_ema=True):
        """Generates images for chosen codes (float32 NHWC numpy array in [-1, 1]).

        Args:
            n: number of images; z drawn from N(0, I) with `seed`.
            codes: the codes to use, see `codes_for`; None draws them all.
            latents: explicit z of shape (n, latent_dim), without the codes.
            seed, batch_size, use_ema: as for `GAN.generate`.
        """
        latents = self._latents_for(n, latents, seed)
        full = np.concatenate([latents, self.codes_for(len(latents), codes, seed)], axis=1)
        return self._generate(full, None, batch_size, use_ema)

    def grid_samples(self, latents):
        """One row per value of the first categorical code (one z per row); columns sweep the first continuous code over [-2, 2]."""
        rows = self.categorical_codes[0] if self.categorical_codes else 1
        cols = max(1, len(latents) // rows)
        n = rows * cols
        codes = {}
        if self.categorical_codes:
            categorical = np.zeros((n, len(self.categorical_codes)), "int64")
            categorical[:, 0] = np.repeat(np.arange(rows), cols)
            codes["categorical"] = categorical
        if self.continuous_codes:
            continuous = np.zeros((n, self.continuous_codes), "float32")
            continuous[:, 0] = np.tile(np.linspace(-2.0, 2.0, cols), rows)
            codes["continuous"] = continuous
        per_row = latents[np.arange(rows) % len(latents)]
        z = np.repeat(per_row, cols, axis=0) if self.continuous_codes else np.tile(latents[:cols], (rows, 1))
        return self.generate(latents=z, codes=codes), cols

    def get_config(self):
        return {
            **super().get_config(),
            "categorical_codes": list(self.categorical_codes),
            "continuous_codes": self.continuous_codes,
            "lambda_categorical": self.lambda_categorical,
            "lambda_continuous": self.lambda_continuous,
            "q_hidden_units": self.q_hidden_units,
        }
