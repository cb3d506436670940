"""StackGAN: text to image in two stages, a low-resolution sketch refined at twice the side (Zhang et al. 2017)."""

import os

import keras

from kerasgan.models.gan_cls import GANCLS
from kerasgan.networks import stage2_generator
from kerasgan.utils import checks

_SERIALIZE = keras.saving.serialize_keras_object


def _frozen_copy(network):
    """A copy of `network` with its weights: stage II owns its stage I, which nothing trains again."""
    copy = keras.models.clone_model(network)
    copy.set_weights(network.get_weights())
    return copy


@keras.saving.register_keras_serializable(package="kerasgan")
class StackGAN(GANCLS):
    """StackGAN (Zhang et al. 2017): stage I draws the text's rough shape at low resolution, stage II refines it at 2×.

    Stage I (`stage=1`) is GAN-CLS with conditioning augmentation (see
    `GANCLS`): the text embedding φ(t) gives μ₀ and σ₀ (one Dense layer each),
    G₀ draws s₀ = G₀(z, ĉ₀) from ĉ₀ = μ₀ + σ₀ ⊙ ε, and the matching-aware D₀
    judges (image, text) pairs at that resolution: D₀ maximizes
    L_D₀ = E[log D₀(x, φ)] + E[log(1 − D₀(G₀(z, ĉ₀), φ))] (with Reed et al.'s
    wrong-text pairs), G₀ minimizes L_G₀ = E[log(1 − D₀(G₀(z, ĉ₀), φ))] +
    λ·KL(N(μ₀, Σ₀) ‖ N(0, I)) (eq. 3-4; the non-saturating form, logged
    "g_loss" and "g_kl").

    Stage II (`stage=2`) starts from a trained stage I and keeps it frozen: it
    holds a copy of stage I's sampling generator (its moving average under
    `ema=`), CA network and text encoder, never updated and run in inference
    mode. Each step draws s₀ = G₀(z, ĉ₀) and G₁ refines it (`stage2_generator`):
    s₀ is encoded down, joined to a code ĉ = μ + σ ⊙ ε from stage II's own CA
    network (the paper's separate fully connected layers), passed through
    residual blocks and upsampled to twice s₀'s side; D₁ is the matching-aware
    discriminator at that side. The losses are eq. 5-6: stage I's, with s₀ in
    place of z (z reaches stage II only through s₀) and the KL term of stage
    II's CA network. Sampling uses ĉ₀ = μ₀ and ĉ = μ.

    Both stages train on (images, text) batches at their own resolution
    (`kerasgan.data.captioned_mnist_dataset(image_size=14)` for stage I of the
    captioned MNIST, the 28×28 digits for stage II) and `generate(captions=...)`
    at it. On the command line: `kerasgan train stackgan --stage 1`, then
    `--stage 2 --stage1-run DIR`, both at the data's side (stage I reads the
    images at half of it).

    Args:
        stage: 1 or 2.
        stage1: stage II: the trained stage I, a `StackGAN(stage=1)` or the
            path of its saved `.keras` file. Its image side, channels, latent
            size and text (encoder, or embedding size) are stage II's.
        stage1_generator, stage1_conditioning: stage II's frozen copy of stage
            I's generator and CA network, as the saved config holds them (give
            `stage1=` instead).
        conditioning_augmentation: the size of the CA code (128 in the paper);
            StackGAN always conditions through it.
        n_blocks: stage II: residual blocks of the default generator.
        **kwargs: the `GANCLS` arguments; `image_shape` of stage II defaults to
            twice stage I's side and must be that.

    Example:
        ```python
        words = kerasgan.data.caption_words()
        stage1 = kerasgan.models.StackGAN.for_images(
            (14, 14, 1), stage=1, text_encoder=kerasgan.networks.text_encoder(words))
        stage1.compile()
        stage1.fit(kerasgan.data.captioned_mnist_dataset(image_size=14, seed=0), epochs=5)
        stage2 = kerasgan.models.StackGAN(stage=2, stage1=stage1)   # 28×28, stage I frozen
        stage2.compile()
        stage2.fit(kerasgan.data.captioned_mnist_dataset(seed=0), epochs=5)
        images = stage2.generate(8, captions="a thick seven")
        ```

    Reference:
        Zhang et al., StackGAN: Text to Photo-realistic Image Synthesis with
        Stacked Generative Adversarial Networks, ICCV 2017, §3.
        https://arxiv.org/abs/1612.03242
    """

    def __init__(
        self,
        generator=None,
        discriminator=None,
        stage=1,
        stage1=None,
        stage1_generator=None,
        stage1_conditioning=None,
        conditioning_augmentation=128,
        n_blocks=4,
        **kwargs,
    ):
        name = type(self).__name__
        if isinstance(stage, bool) or stage not in (1, 2):
            raise ValueError(
                f"{name}: stage must be 1 (low resolution) or 2 (refines a trained stage 1); got {stage!r}."
            )
        self.stage = int(stage)
        if conditioning_augmentation is None:
            raise ValueError(
                f"{name} always conditions through conditioning augmentation: give its size "
                "conditioning_augmentation=C (128 in the paper)."
            )
        self.n_blocks = checks.positive_int(name, "n_blocks", n_blocks)
        given = [
            w
            for w, v in (("stage1_generator", stage1_generator), ("stage1_conditioning", stage1_conditioning))
            if v is not None
        ]
        if self.stage == 1 and (stage1 is not None or given):
            raise ValueError(
                f"{name}: stage 1 starts from nothing; {'stage1' if stage1 is not None else given[0]}= applies to "
                "stage=2 (which refines a trained stage 1)."
            )
        if self.stage == 2:
            if stage1 is not None:
                if given:
                    raise ValueError(f"{name}: give stage1= (the trained stage 1) or {given[0]}=, not both.")
                stage1_generator, stage1_conditioning, kwargs = self._take_stage1(stage1, kwargs)
            elif stage1_generator is None or stage1_conditioning is None:
                raise ValueError(
                    f"{name}(stage=2) refines a trained stage 1: pass stage1= a StackGAN(stage=1) model or the path "
                    "of its saved .keras file (on the command line: kerasgan train stackgan --stage 2 "
                    "--stage1-run DIR)."
                )
            for what, network in (("stage1_generator", stage1_generator), ("stage1_conditioning", stage1_conditioning)):
                if not isinstance(network, keras.Model):
                    raise TypeError(f"{name}: {what} must be a keras.Model; got {type(network).__name__}.")
        # Before the base's __init__, which builds and checks G₁ against them.
        self.stage1_generator, self.stage1_conditioning = stage1_generator, stage1_conditioning
        super().__init__(
            generator=generator,
            discriminator=discriminator,
            conditioning_augmentation=conditioning_augmentation,
            **kwargs,
        )

    def _take_stage1(self, stage1, kwargs):
        """(G₀, CA₀, the constructor arguments) of stage II from a trained stage 1, checked against what was given."""
        name = type(self).__name__
        if isinstance(stage1, (str, os.PathLike)):
            path = os.fspath(stage1)
            if not os.path.isfile(path):
                raise ValueError(f"{name}: stage1={path!r} is not a file; give a saved StackGAN(stage=1) .keras file.")
            stage1 = keras.saving.load_model(path)
        if not isinstance(stage1, StackGAN) or stage1.stage != 1:
            what = f"a StackGAN(stage={stage1.stage})" if isinstance(stage1, StackGAN) else type(stage1).__name__
            raise ValueError(f"{name}(stage=2): stage1= must be a trained StackGAN(stage=1); got {what}.")
        side, _, channels = stage1.image_shape
        expected = (2 * side, 2 * side, channels)
        derived = {"image_shape": expected, "latent_dim": stage1.latent_dim}
        if stage1.text_encoder is None:
            derived["text_dim"] = stage1.text_dim
        for key, value in derived.items():
            if key in kwargs and kwargs[key] is not None and tuple(_list(kwargs[key])) != tuple(_list(value)):
                reason = (
                    f"stage 2 makes images of twice stage 1's side, {side}×{side}×{channels} → {expected}"
                    if key == "image_shape"
                    else f"stage 1 was built with {key}={value}"
                )
                raise ValueError(f"{name}(stage=2): {key}={kwargs[key]} does not fit its stage 1: {reason}.")
        if kwargs.get("text_encoder") is not None:
            raise ValueError(f"{name}(stage=2) reads the text with its stage 1's text encoder; drop text_encoder=.")
        if stage1.text_encoder is not None:
            derived["text_encoder"] = _frozen_copy(stage1.text_encoder)
        generator = _frozen_copy(stage1.sampling_network(stage1.generator))
        conditioning = _frozen_copy(stage1.sampling_network(stage1.conditioning))
        return generator, conditioning, {**kwargs, **derived}

    # ------------------------------------------------------------------ networks
    @property
    def stage1_shape(self):
        """The (s, s, C) of stage I's images (stage II)."""
        return tuple(int(v) for v in self.stage1_generator.output_shape[1:])

    def build_generator(self):
        if self.stage == 1:
            return super().build_generator()
        return stage2_generator(self.stage1_shape, self.code_dim, self.base_filters, self.n_blocks)

    def _check_generator_input(self, shape):
        if self.stage == 1:
            return super()._check_generator_input(shape)
        name, low = type(self).__name__, self.stage1_shape
        if self.image_shape != (2 * low[0], 2 * low[1], low[2]):
            raise ValueError(
                f"{name}(stage=2) makes images of twice its stage 1's side ({low} → {(2 * low[0], 2 * low[1], low[2])}); "
                f"image_shape={self.image_shape} does not match. Train stage 1 at half the side, or build stage 2 "
                "for twice stage 1's."
            )
        if shape != low:
            raise ValueError(f"{name}: the stage-II generator takes inputs of shape {shape}; stage 1 makes {low}.")
        stage1_inputs = [tuple(t.shape[1:]) for t in self.stage1_generator.inputs]
        mu = self.stage1_conditioning.output_shape[0]
        if stage1_inputs != [(self.latent_dim,), tuple(mu[1:])]:
            raise ValueError(
                f"{name}: stage 1's generator takes {stage1_inputs}; it must take [(latent_dim={self.latent_dim},), "
                f"its CA code {tuple(mu[1:])}]."
            )
        if tuple(self.stage1_conditioning.inputs[0].shape[1:]) != (self.text_dim,):
            raise ValueError(f"{name}: stage 1's CA network does not take text embeddings of size {self.text_dim}.")

    def discriminator_networks(self):
        # Stage II's text encoder is stage I's, frozen with it.
        return super().discriminator_networks() if self.stage == 1 else [self.discriminator]

    # ------------------------------------------------------------------ stage I inside stage II
    def embed(self, text, training=True):
        return super().embed(text, training=training and self.stage == 1)

    def stage1_images(self, latents, embedding, noise):
        """s₀ = G₀(z, ĉ₀) of the frozen stage I (inference mode): ĉ₀ = μ₀ + σ₀ ⊙ ε with `noise`, else μ₀."""
        codes, _ = self.condition_codes(embedding, noise, self.stage1_conditioning)
        return self.stage1_generator([latents, codes], training=False)

    def generator_feed(self, latents, embedding, codes, noise):
        if self.stage == 1:
            return super().generator_feed(latents, embedding, codes, noise)
        return [self.stage1_images(latents, embedding, noise), codes]

    # ------------------------------------------------------------------ what a run reads for it
    @classmethod
    def data_image_size(cls, size, arguments):
        if arguments.get("stage", 1) == 2:
            return size
        if size % 2:
            raise ValueError(
                f"{cls.__name__}'s stage 1 trains at half the run's image side; {size} is odd. Use an even --image-size."
            )
        return size // 2

    @classmethod
    def encodes_data_text(cls, arguments):
        return arguments.get("stage", 1) == 1

    def get_config(self):
        return {
            **super().get_config(),
            "stage": self.stage,
            "stage1_generator": None if self.stage1_generator is None else _SERIALIZE(self.stage1_generator),
            "stage1_conditioning": None if self.stage1_conditioning is None else _SERIALIZE(self.stage1_conditioning),
            "n_blocks": self.n_blocks,
        }


def _list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]
