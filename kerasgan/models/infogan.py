"""InfoGAN: latent codes the generator must keep recoverable, learned without labels."""

import functools

import keras
import numpy as np
from keras import ops

from kerasgan import losses as losses_lib
from kerasgan.models.dcgan import DCGAN
from kerasgan.networks import auxiliary_discriminator, dcgan_generator
from kerasgan.utils import checks


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
        self.lambda_categorical = checks.nonnegative("InfoGAN", "lambda_categorical", lambda_categorical)
        self.lambda_continuous = checks.nonnegative("InfoGAN", "lambda_continuous", lambda_continuous)
        self.q_hidden_units = int(q_hidden_units)
        loss = kwargs.get("loss")
        if loss == "feature_matching" or getattr(loss, "matches_features", False):
            raise ValueError("InfoGAN does not support FeatureMatching: its generator loss has the Q term as well.")
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)

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

    def build_discriminator(self):
        heads = {}
        if self.categorical_codes:
            heads["q_categorical"] = sum(self.categorical_codes)
        if self.continuous_codes:
            heads["q_continuous"] = self.continuous_codes
        return auxiliary_discriminator(
            self.seen_shape(self.image_shape),
            heads,
            self.base_filters,
            hidden_units=self.q_hidden_units,
            **self.discriminator_options(),
        )

    def _check_networks(self):
        super()._check_networks()
        expected = [(1,)] + [(k,) for k in (sum(self.categorical_codes), self.continuous_codes) if k]
        shapes = self.discriminator.output_shape
        if not isinstance(shapes, list) or [tuple(s[1:]) for s in shapes] != expected:
            raise ValueError(
                f"InfoGAN's discriminator must output [logit, Q heads] of shapes {expected}; got {shapes}."
            )

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

    def auxiliary_term_names(self):
        return ("d_info", "g_info")

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
                    raise ValueError(
                        f"Categorical code {i} takes values in [0, {size}); got {chosen[:, i].tolist()[:5]}."
                    )
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
        latents = self.latents_for(n, latents, seed)
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
