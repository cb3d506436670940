"""Extra objectives of the generator side beyond the adversarial loss: reconstruction terms of translation.

An objective adds a named, weighted term to the generator's loss
(`generator_terms(model, batch)`), logged under its name. It may run the
model's networks itself (inside the generator's tape): CycleGAN's cycle and
identity terms do, through the public `translation_network(direction)`.
Each states the kind of data it makes sense on (`data_kinds`, matched
against the model's `data_kind`), so that an L1 term on a CycleGAN, or a
cycle term on a pix2pix, fails when the model is built instead of computing
a meaningless number. Later families plug in the same way (SRGAN's
perceptual loss).
"""

import contextlib
import os

import keras
from keras import ops

from kerasgan import losses as formulas
from kerasgan.parts.part import Part
from kerasgan.parts.registry import register
from kerasgan.utils import checks


class Objective(Part):
    """Base of the generator's extra terms: a weight and the kinds of data the term is defined on."""

    kind = "objective"
    #: the model `data_kind`s the term is defined on
    data_kinds = ()

    def __init__(self, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.weight = checks.nonnegative(type(self).__name__, "weight", weight)

    def attach(self, model, seed=None):
        if model.data_kind not in self.data_kinds:
            raise ValueError(
                f"{type(self).__name__} is a term of models trained on {' or '.join(self.data_kinds)}, but "
                f"{type(model).__name__} trains on {model.data_kind}; drop it from objectives=."
            )
        super().attach(model, seed)

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


@register("l1")
class L1Reconstruction(Objective):
    """pix2pix's λ·E‖y - G(x)‖₁ between the target and the translation; logged as "g_l1" (weighted).

    Args:
        weight: λ (100 in the paper).

    Reference:
        Isola et al., Image-to-Image Translation with Conditional Adversarial
        Networks, CVPR 2017, Eq. 3-4. https://arxiv.org/abs/1611.07004
    """

    g_terms = ("g_l1",)
    # batch.real is the target of batch.fake only when the data are pairs
    data_kinds = ("paired_images", "super_resolution")

    def __init__(self, weight=100.0, **kwargs):
        super().__init__(weight=weight, **kwargs)

    def generator_terms(self, model, batch):
        return {"g_l1": self.weight * formulas.l1_loss(batch.real, batch.fake)}


@register("cycle")
class CycleConsistency(Objective):
    """CycleGAN's λ·(E‖F(G(a)) - a‖₁ + E‖G(F(b)) - b‖₁); logged as "cycle_loss" (weighted).

    Runs the two generators on the translations of the step (batch.real =
    (a, b), batch.fake = (F(b), G(a))). `criterion="mse"` gives DiscoGAN's
    reconstruction losses, the squared error in both directions.

    Args:
        weight: λ (10 in the paper; 1 in DiscoGAN's).
        criterion: "l1" (CycleGAN) or "mse" (DiscoGAN).

    Reference:
        Zhu et al., Unpaired Image-to-Image Translation using Cycle-Consistent
        Adversarial Networks, ICCV 2017, Eq. 2. https://arxiv.org/abs/1703.10593
    """

    g_terms = ("cycle_loss",)
    data_kinds = ("unpaired_images",)

    def __init__(self, weight=10.0, criterion="l1", **kwargs):
        super().__init__(weight=weight, **kwargs)
        if criterion not in formulas.translation.DISTANCES:
            raise ValueError(f"CycleConsistency: criterion must be 'l1' or 'mse'; got {criterion!r}.")
        self.criterion = criterion

    def generator_terms(self, model, batch):
        (real_a, real_b), (fake_a, fake_b) = batch.real, batch.fake
        cycled_a = model.translation_network("b2a")(fake_b, training=True)
        cycled_b = model.translation_network("a2b")(fake_a, training=True)
        loss = formulas.cycle_consistency_loss(real_a, cycled_a, real_b, cycled_b, criterion=self.criterion)
        return {"cycle_loss": self.weight * loss}

    def get_config(self):
        return {**super().get_config(), "criterion": self.criterion}


@register("identity")
class Identity(Objective):
    """CycleGAN's identity term w·(E‖F(a) - a‖₁ + E‖G(b) - b‖₁); logged as "identity_loss" (weighted).

    Each generator, fed an image of its own target domain, should return it
    unchanged; the paper uses w = 0.5·λ = 5 for photo↔painting.

    Args:
        weight: w.

    Reference:
        Zhu et al. 2017, Section 5.2, after Taigman et al. 2017. https://arxiv.org/abs/1703.10593
    """

    g_terms = ("identity_loss",)
    data_kinds = ("unpaired_images",)

    def __init__(self, weight=5.0, **kwargs):
        super().__init__(weight=weight, **kwargs)

    def generator_terms(self, model, batch):
        real_a, real_b = batch.real
        same_a = model.translation_network("b2a")(real_a, training=True)
        same_b = model.translation_network("a2b")(real_b, training=True)
        return {"identity_loss": self.weight * formulas.identity_loss(real_a, same_a, real_b, same_b)}


#: ImageNet channel means (BGR, 0-255) that VGG's "caffe" preprocessing subtracts
_VGG_MEAN_BGR = (103.939, 116.779, 123.68)


# Serializable but not in the part registry (no --objective name yet): the registry's shared contract
# compares its config after a .keras round trip, and an injected extractor's config came back different there.
@keras.saving.register_keras_serializable(package="kerasgan")
class Perceptual(Objective):
    """A perceptual (content) loss: the distance between features of the target and the output; logged as "g_content".

    weight · criterion(s·φ(y), s·φ(G(x))), with φ the output of `layer` of the
    extractor and s = `feature_scale`:

    - SRGAN (Ledig et al. 2017, Eq. 5): φ5,4 of VGG19 after its ReLU, squared
      error, the feature maps rescaled by s = 1/12.75 (so the loss is
      1/12.75² of the raw feature MSE), weight 1:
      `Perceptual("vgg19", "block5_conv4", feature_scale=1/12.75)`;
    - ESRGAN (Wang et al. 2018, Section 3.3): the same layer *before* its
      activation, L1, weight 1:
      `Perceptual("vgg19", "block5_conv4", before_activation=True, criterion="l1")`.

    Args:
        extractor: "vgg19" (keras.applications.VGG19 with ImageNet weights,
            downloaded once by Keras into ~/.keras/models/), the path of a
            local copy of those weights (or other VGG19 weights: .h5, no top),
            the path of a saved Keras feature model (.keras), or any Keras
            model (its weights are frozen; tests inject a tiny one, e.g.
            `kerasgan.networks.vgg19_stand_in()`).
        layer: the name of the extractor layer whose output is φ; None: the
            model's output.
        before_activation: take `layer`'s convolution before its activation
            (the layer must be a Conv2D).
        criterion: "mse" or "l1".
        feature_scale: s.
        weight: the term's weight.
        preprocess: "vgg" maps images in [-1, 1] to VGG's caffe input (0-255,
            BGR, ImageNet means subtracted); "none" feeds them as they are.
            Default: "vgg" for a string (VGG19, a weights or .keras file), "none" for a model.

    References:
        Ledig et al., Photo-Realistic Single Image Super-Resolution Using a
        Generative Adversarial Network, CVPR 2017. https://arxiv.org/abs/1609.04802
        Wang et al., ESRGAN: Enhanced Super-Resolution Generative Adversarial
        Networks, ECCV Workshops 2018. https://arxiv.org/abs/1809.00219
    """

    g_terms = ("g_content",)
    data_kinds = ("paired_images", "super_resolution")

    def __init__(
        self,
        extractor="vgg19",
        layer="block5_conv4",
        before_activation=False,
        criterion="mse",
        feature_scale=1.0,
        weight=1.0,
        preprocess=None,
        **kwargs,
    ):
        super().__init__(weight=weight, **kwargs)
        if criterion not in ("mse", "l1"):
            raise ValueError(f"Perceptual: criterion must be 'mse' or 'l1'; got {criterion!r}.")
        if isinstance(extractor, dict):  # a serialized model, from get_config
            extractor = keras.saving.deserialize_keras_object(extractor)
        self.spec = extractor if isinstance(extractor, str) else None
        self.preprocess = preprocess or ("vgg" if isinstance(extractor, str) else "none")
        if self.preprocess not in ("vgg", "none"):
            raise ValueError(f"Perceptual: preprocess must be 'vgg' or 'none'; got {preprocess!r}.")
        self.layer, self.before_activation, self.criterion = layer, bool(before_activation), criterion
        self.feature_scale = float(feature_scale)
        if not isinstance(extractor, (str, keras.Model)):
            raise TypeError(
                f"Perceptual: extractor must be 'vgg19', a weights path or a keras.Model; got {extractor!r}."
            )
        # VGG19 is built (and its weights downloaded) when a model takes the part, not when it is named.
        # An injected model is an attribute, saved with the model; what a spec names is built into
        # `_frozen`, which Keras' saving does not walk: loading builds it from the spec again, so VGG19's
        # 80 MB of frozen weights stay out of every .keras file and checkpoint.
        self.extractor = None if isinstance(extractor, str) else extractor
        self._frozen = None if self.extractor is None else _Untracked(self.extractor, self._feature_function(extractor))

    def attach(self, model, seed=None):
        super().attach(model, seed)
        if not _DEFERRED:
            self.build_extractor()

    def build_extractor(self):
        """Builds the extractor named by a string spec (VGG19), once."""
        if self._frozen is None:
            model = vgg19(self.spec)
            self._frozen = _Untracked(model, self._feature_function(model))

    def feature_extractor(self):
        """The extractor model (built from the spec if need be)."""
        self.build_extractor()
        return self._frozen.model

    def _feature_function(self, model):
        model.trainable = False
        if self.layer is None:
            if self.before_activation:
                raise ValueError("Perceptual: before_activation=True needs the name of a Conv2D layer in layer=.")
            return lambda x: model(x, training=False)
        try:
            target = model.get_layer(self.layer)
        except ValueError:
            names = ", ".join(layer.name for layer in model.layers)
            raise ValueError(f"Perceptual: the extractor has no layer {self.layer!r}; its layers: {names}.") from None
        if not self.before_activation:
            return keras.Model(model.inputs, target.output)
        if not isinstance(target, keras.layers.Conv2D):
            raise ValueError(
                f"Perceptual: before_activation=True needs a Conv2D layer; {self.layer!r} is a {type(target).__name__}."
            )
        below = keras.Model(model.inputs, target.input)

        def before(x):
            y = target.convolution_op(below(x, training=False), target.kernel)
            return y + target.bias if target.use_bias else y

        return before

    def prepare(self, images):
        """Images in [-1, 1] as the extractor takes them."""
        return images if self.preprocess == "none" else vgg_input(images)

    def distance(self, target, output):
        """The weighted term on two image batches: weight · criterion(s·φ(target), s·φ(output))."""
        self.build_extractor()
        a = self.feature_scale * self._frozen.features(self.prepare(target))
        b = self.feature_scale * self._frozen.features(self.prepare(output))
        difference = ops.abs(a - b) if self.criterion == "l1" else ops.square(a - b)
        return self.weight * ops.mean(ops.cast(difference, "float32"))

    def generator_terms(self, model, batch):
        return {"g_content": self.distance(ops.stop_gradient(batch.real), batch.fake)}

    def get_config(self):
        return {
            **super().get_config(),
            "extractor": self.spec if self.spec is not None else keras.saving.serialize_keras_object(self.extractor),
            "layer": self.layer,
            "before_activation": self.before_activation,
            "criterion": self.criterion,
            "feature_scale": self.feature_scale,
            "preprocess": self.preprocess,
        }


_DEFERRED = []


@contextlib.contextmanager
def extractors_deferred():
    """Within it, a `Perceptual` part builds its extractor when first used, not when a model takes it.

    For loading a model only to run its generator (`kerasgan upscale`,
    `evaluate`, `--init-from`): then neither VGG19's download nor its weights
    file is needed. A model loaded so and then trained builds the extractor in
    its first step.
    """
    _DEFERRED.append(True)
    try:
        yield
    finally:
        _DEFERRED.pop()


class _Untracked:
    """The extractor and its feature function, held where Keras neither tracks nor saves them."""

    def __init__(self, model, features):
        self.model, self.features = model, features


#: the file keras.applications.VGG19(include_top=False, weights="imagenet") downloads (once, into ~/.keras/models/)
VGG19_WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
    "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
)


def vgg_input(images):
    """Images in [-1, 1] as VGG's "caffe" preprocessing gives them: 0-255, BGR, the ImageNet means subtracted."""
    rgb = (images + 1.0) * 127.5
    return rgb[..., ::-1] - ops.convert_to_tensor(_VGG_MEAN_BGR, dtype=images.dtype)


def vgg19(spec):
    """The VGG19 a string names: ImageNet weights ("vgg19"), a VGG19 weights file (.h5), or a saved .keras model.

    The one builder of VGG19 (the perceptual losses, `kerasgan.style`): the
    ImageNet weights are downloaded once by Keras (offline: a one-line error
    naming the file and the flag), a file is never downloaded.
    """
    if spec != "vgg19":
        if not spec.endswith((".h5", ".keras")):
            raise ValueError(
                f"The extractor {spec!r} is neither 'vgg19' nor a file: VGG19 weights (.h5, without the top) "
                "or a saved Keras feature model (.keras)."
            )
        if not os.path.isfile(spec):
            raise ValueError(f"The VGG19 weights file {spec!r} does not exist; check the path.")
        if spec.endswith(".keras"):
            return keras.saving.load_model(spec, compile=False)
        return keras.applications.VGG19(include_top=False, weights=spec, input_shape=(None, None, 3))
    try:
        return keras.applications.VGG19(include_top=False, weights="imagenet", input_shape=(None, None, 3))
    except Exception as error:  # Keras' download failure is a bare Exception
        if "fetch failure" not in str(error) and not isinstance(error, OSError):
            raise
        raise ValueError(
            f"Could not download VGG19's ImageNet weights from {VGG19_WEIGHTS_URL} ({error}); offline, copy that "
            "file here and pass its path (kerasgan train / stylize --vgg-weights PATH; Python: extractor=PATH)."
        ) from None
