"""The parts contract: every part of kerasgan.parts round-trips through its config and a .keras file, is logged
under a stable name, contributes exactly zero at weight zero and leaves training alone where it should.

(Two replicas equal one device: tests/test_distribute.py runs every part under MirroredStrategy.)
"""

import keras
import numpy as np
import pytest
from gan_contract import tiny_images
from keras import ops

import kerasgan
from kerasgan import parts
from kerasgan.callbacks.diagnostics import remedies

SHAPE = (8, 8, 1)


def _gan(**options):
    keras.utils.set_random_seed(7)
    gan = kerasgan.models.DCGAN.for_images(SHAPE, latent_dim=4, base_filters=4, seed=7, **options)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5)
    )
    return gan


def _pix2pix(**options):
    keras.utils.set_random_seed(7)
    model = kerasgan.models.Pix2Pix(image_shape=(8, 8, 3), base_filters=2, seed=7, **options)
    model.compile()
    return model


def _cyclegan(**options):
    keras.utils.set_random_seed(7)
    model = kerasgan.models.CycleGAN(image_shape=(8, 8, 3), base_filters=2, n_blocks=1, pool_size=2, seed=7, **options)
    model.compile()
    return model


def _ebgan(**options):
    keras.utils.set_random_seed(7)
    model = kerasgan.models.EBGAN.for_images(
        SHAPE, latent_dim=4, base_filters=4, code_dim=3, pt_weight=0, seed=7, **options
    )
    model.compile()
    return model


def _stylegan2(**options):
    # without its default R1 and path length, and with fixed optimizers (the defaults' lazy-regularization
    # correction depends on the regularizers), so that the model with the part differs from it by the part alone
    keras.utils.set_random_seed(7)
    options.setdefault("regularizers", [])
    model = kerasgan.models.StyleGAN2.for_images(
        SHAPE, latent_dim=4, base_filters=2, max_filters=4, mapping_layers=2, seed=7, **options
    )
    model.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0), g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0)
    )
    return model


def _fit(model):
    if isinstance(model, kerasgan.models.ImageTranslation):
        a = tiny_images(8, (8, 8, 3), seed=1)
        return model.fit(a, np.tanh(a[..., ::-1] * 2), batch_size=4, epochs=1, shuffle=False, verbose=0).history
    return model.fit(tiny_images(16, SHAPE), epochs=1, batch_size=8, shuffle=False, verbose=0).history


# alias -> (model builder, the model argument, the part with a nonzero weight, the same part at weight zero or
# None where it has no weight, the names it logs: its terms, then its logged-only metrics)
CASES = {
    "non_saturating": (_gan, "loss", parts.NonSaturating(), None, ()),
    "minimax": (_gan, "loss", parts.Minimax(), None, ()),
    "wasserstein": (_gan, "loss", parts.Wasserstein(), None, ()),
    "hinge": (_gan, "loss", parts.Hinge(), None, ()),
    "least_squares": (_gan, "loss", parts.LeastSquares(), None, ()),
    "relativistic": (_gan, "loss", parts.Relativistic(average=True), None, ()),
    "feature_matching": (_gan, "loss", parts.FeatureMatching("least_squares"), None, ()),
    "fgan": (_gan, "loss", parts.FDivergence("neyman", alternative=True), None, ()),
    "ebgan": (_gan, "loss", parts.EnergyMargin(0.5), None, ()),
    "began": (_gan, "loss", parts.BoundaryEquilibrium(0.7, 0.01), None, ("k", "m_global")),
    "label_smoothing": (_gan, "targets", parts.LabelSmoothing(0.2), parts.LabelSmoothing(0.0), ()),
    "label_noise": (_gan, "targets", parts.LabelNoise(0.1), parts.LabelNoise(0.0), ()),
    "label_flip": (_gan, "targets", parts.LabelFlip(0.2), parts.LabelFlip(0.0), ()),
    "diffaugment": (_gan, "augment", parts.DiffAugment("color,translation,cutout"), None, ()),
    "pacgan": (_gan, "augment", parts.PacGAN(2), None, ()),
    "instance_noise": (_gan, "augment", parts.InstanceNoise(0.3, steps=100), parts.InstanceNoise(0.0), ()),
    "diffusion": (_gan, "augment", parts.Diffusion(t_min=5, t_max=50), None, ("diffusion_T", "diffusion_r_d")),
    "ada": (_gan, "augment", parts.ADA(ada_kimg=0.01, initial_p=0.5), None, ("ada_p", "ada_r_t")),
    "gp": (_gan, "regularizers", parts.GradientPenalty(2.0, one_sided=True), parts.GradientPenalty(0.0), ("gp",)),
    "r1": (_gan, "regularizers", parts.R1(2.0, interval=2), parts.R1(0.0), ("r1",)),
    "drift": (_gan, "regularizers", parts.Drift(0.5), parts.Drift(0.0), ("drift",)),
    "path_length": (
        _stylegan2,
        "regularizers",
        parts.PathLength(2.0, interval=2),
        parts.PathLength(0.0, interval=2),
        ("pl", "pl_mean"),
    ),
    "dragan": (_gan, "regularizers", parts.DRAGAN(2.0), parts.DRAGAN(0.0), ("dragan",)),
    "historical_average": (
        _gan,
        "regularizers",
        parts.HistoricalAverage(0.5),
        parts.HistoricalAverage(0.0),
        ("hist_d", "hist_g"),
    ),
    "pulling_away": (_ebgan, "regularizers", parts.PullingAway(0.2), parts.PullingAway(0.0), ("pt",)),
    "weight_clip": (_gan, "constraints", parts.WeightClip(0.05), None, ()),
    "ema": (_gan, "ema", parts.GeneratorEMA(0.8), None, ()),
    "l1": (_pix2pix, "objectives", parts.L1Reconstruction(10.0), parts.L1Reconstruction(0.0), ("g_l1",)),
    "cycle": (_cyclegan, "objectives", parts.CycleConsistency(10.0), parts.CycleConsistency(0.0), ("cycle_loss",)),
    "identity": (_cyclegan, "objectives", parts.Identity(5.0), parts.Identity(0.0), ("identity_loss",)),
}
LIST_ARGUMENTS = ("targets", "augment", "regularizers", "constraints", "objectives")


def _with(argument, part):
    return {argument: [part] if argument in LIST_ARGUMENTS else part}


def _fresh(part):
    return type(part).from_config(part.get_config())


def test_every_registered_part_is_in_the_contract():
    assert sorted(CASES) == sorted(cls.alias for cls in parts.registered())


@pytest.mark.parametrize("alias", sorted(CASES))
def test_part_round_trips_through_its_config_and_the_registry(alias):
    _, argument, part, _, _ = CASES[alias]
    config = part.get_config()
    assert _fresh(part).get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(part))
    assert type(restored) is type(part) and restored.get_config() == config
    assert isinstance(parts.get(alias, part.kind), type(part))  # the short name builds the class with its defaults


@pytest.mark.parametrize("alias", sorted(CASES))
def test_part_is_logged_under_its_name_and_survives_a_keras_file(alias, tmp_path):
    build, argument, part, _, names = CASES[alias]
    model = build(**_with(argument, _fresh(part)))
    history = _fit(model)
    assert (*part.d_terms, *part.g_terms, *part.d_metrics, *part.g_metrics) == names
    for name in names:
        assert name in history and np.isfinite(history[name]).all(), (name, sorted(history))
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    restored = [p for p in loaded.parts() if type(p) is type(part)]
    assert len(restored) == 1 and restored[0].get_config() == part.get_config()
    original = next(p for p in model.parts() if type(p) is type(part))
    for a, b in zip(original.variables, restored[0].variables):  # its weights and its random stream
        np.testing.assert_array_equal(ops.convert_to_numpy(a), ops.convert_to_numpy(b))


WEIGHTED = sorted(alias for alias, case in CASES.items() if case[3] is not None)


@pytest.mark.parametrize("alias", WEIGHTED)
def test_part_at_weight_zero_contributes_exactly_zero(alias):
    build, argument, part, zero, names = CASES[alias]
    if argument == "objectives":
        # The models' default objectives are these parts: compare against the defaults without this one.
        others = [p for p in build().objectives if type(p) is not type(part)]
        plain = build(objectives=[_fresh(p) for p in others])
        weighted = build(objectives=[*(_fresh(p) for p in others), _fresh(zero)])
    else:
        plain, weighted = build(), build(**_with(argument, _fresh(zero)))
    history = _fit(weighted)
    _fit(plain)
    for name in names:
        assert history[name] == [0.0], name
    for a, b in zip(plain.g_variables() + plain.d_variables(), weighted.g_variables() + weighted.d_variables()):
        np.testing.assert_array_equal(ops.convert_to_numpy(a), ops.convert_to_numpy(b))


def test_parts_that_do_not_change_training_leave_the_weights_alone():
    """The moving average only watches; training with it takes the same steps."""
    plain, watched = _gan(), _gan(ema=parts.GeneratorEMA(0.9))
    _fit(plain)
    _fit(watched)
    for a, b in zip(plain.g_variables() + plain.d_variables(), watched.g_variables() + watched.d_variables()):
        np.testing.assert_array_equal(ops.convert_to_numpy(a), ops.convert_to_numpy(b))


def test_diagnostics_remedies_come_from_the_parts():
    assert "regularizers=[R1(10)]" in remedies("oscillation")
    assert "targets=[LabelSmoothing(0.1)]" in remedies("discriminator_overpowering")
    assert "augment=DiffAugment('color,translation,cutout')" in remedies("mode_collapse")


def test_a_users_own_part_plugs_in_by_name_and_saves_with_the_model(tmp_path):
    @parts.register("weight_decay_test")
    class WeightDecay(parts.Regularizer):
        """λ·Σ‖θ_D‖², a plain L2 penalty on the discriminator's weights."""

        d_terms = ("weight_decay",)
        remedies = {"nonfinite": "regularizers=['weight_decay_test']"}

        def __init__(self, weight=1e-3, **kwargs):
            super().__init__(**kwargs)
            self.weight = weight

        def discriminator_terms(self, model, batch):
            return {"weight_decay": self.weight * sum(ops.sum(ops.square(w)) for w in model.d_variables())}

        def get_config(self):
            return {**super().get_config(), "weight": self.weight}

    try:
        gan = _gan(regularizers=["weight_decay_test"])
        history = _fit(gan)
        expected = 1e-3 * sum(float(np.sum(np.square(ops.convert_to_numpy(w)))) for w in gan.d_variables())
        assert history["weight_decay"][0] == pytest.approx(expected, rel=0.1)  # the epoch mean of a slowly moving sum
        assert "regularizers=['weight_decay_test']" in remedies("nonfinite")
        gan.save(tmp_path / "gan.keras")
        assert isinstance(keras.saving.load_model(tmp_path / "gan.keras").regularizers[0], WeightDecay)
    finally:
        parts.registry._REGISTRY["regularizer"].pop("weight_decay_test")


def test_a_part_belongs_to_one_model():
    r1 = parts.R1(1.0)
    _gan(regularizers=[r1])
    with pytest.raises(ValueError, match="This R1 already belongs to another model"):
        _gan(regularizers=[r1])


def test_parts_validate_their_arguments():
    for make, message in (
        (lambda: parts.R1(-1.0), "R1: gamma must be a number >= 0"),
        (lambda: parts.R1(1.0, interval=0), "R1: interval must be a positive integer"),
        (lambda: parts.GeneratorEMA(1.0), r"GeneratorEMA: decay must be in \(0, 1\)"),
        (lambda: parts.WeightClip(0.0), "WeightClip: clip_value must be a number > 0"),
        (lambda: parts.DiffAugment("color,flip"), "Unknown DiffAugment policy 'flip'"),
        (lambda: parts.LabelFlip(0.5), r"LabelFlip: fraction must be in \[0, 0.5\)"),
        (lambda: parts.InstanceNoise(0.1, steps=0), "InstanceNoise: steps must be a positive integer"),
    ):
        with pytest.raises(ValueError, match=message):
            make()
