"""DiscoGAN: the translation contract, its objective against numpy, the paper's networks, the command line."""

import imageio.v3 as iio
import keras
import numpy as np
import pytest
from gan_contract import optimizer_state, tiny_images, weights_of

from kerasgan import cli
from kerasgan.models import MODELS, CycleGAN, DiscoGAN, ImageTranslation
from kerasgan.parts import CycleConsistency, StepBatch

SHAPE = (16, 16, 3)
BATCH = 4


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _compiled(**kwargs):
    keras.utils.set_random_seed(7)  # same initial weights for every model a test builds
    model = DiscoGAN(image_shape=SHAPE, base_filters=4, seed=7, **kwargs)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(1e-3, 0.5))
    return model


def _data(n=BATCH):
    a = tiny_images(n, SHAPE, seed=1)
    return a, np.tanh(a[..., ::-1] * 2.0)


def _fit(model, data, epochs=1):
    return model.fit(*data, epochs=epochs, batch_size=BATCH, shuffle=False, verbose=0).history


def _networks(model):
    return [*model.discriminator_networks(), *model.generator_networks()]


def _softplus(x):
    return np.logaddexp(0.0, x)


def _papers_objective(model, a, b):
    """Kim et al.'s terms in numpy from the networks' outputs before the step (BCE with logits, MSE reconstruction)."""

    def run(network, x):
        return _np(network(x, training=True)).astype("float64")

    g_ab, g_ba, d_a, d_b = model.generator_ab, model.generator_ba, model.discriminator_a, model.discriminator_b
    fake_b, fake_a = run(g_ab, a), run(g_ba, b)
    expected = {
        "g_ab_gan": np.mean(_softplus(-run(d_b, fake_b))),  # -log D_B(G_AB(a))
        "g_ba_gan": np.mean(_softplus(-run(d_a, fake_a))),
        "cycle_loss": np.mean((run(g_ba, fake_b) - a) ** 2) + np.mean((run(g_ab, fake_a) - b) ** 2),
        # -log D(real) - log(1 - D(fake)), no pool: this step's translations
        "d_a_loss": np.mean(_softplus(-run(d_a, a))) + np.mean(_softplus(run(d_a, fake_a))),
        "d_b_loss": np.mean(_softplus(-run(d_b, b))) + np.mean(_softplus(run(d_b, fake_b))),
    }
    expected["g_loss"] = expected["g_ab_gan"] + expected["g_ba_gan"] + expected["cycle_loss"]
    return expected


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A DiscoGAN trained one step on one batch, saved, with its weights and the paper's terms from before the step."""
    data = _data()
    model = _compiled()
    before = [weights_of(n) for n in _networks(model)]
    expected = _papers_objective(model, *data)
    history = _fit(model, data)
    path = tmp_path_factory.mktemp("discogan") / "model.keras"
    model.save(path)
    return {"model": model, "data": data, "before": before, "expected": expected, "history": history, "path": path}


def test_one_step_logs_the_papers_objective_computed_with_numpy(trained):
    assert sorted(trained["history"]) == sorted(trained["expected"])
    for key, value in trained["expected"].items():
        assert trained["history"][key][0] == pytest.approx(float(value), rel=1e-4), key


def test_every_network_is_updated(trained):
    model = trained["model"]
    for network, old in zip(_networks(model), trained["before"]):
        for variable, value in zip(network.weights, old):
            if variable.trainable:
                assert not np.array_equal(value, _np(variable)), f"{network.name}/{variable.path} did not move"
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 1


def test_keras_round_trip_keeps_weights_and_both_optimizers(trained):
    model, loaded = trained["model"], keras.saving.load_model(trained["path"], safe_mode=True)
    assert type(loaded) is DiscoGAN and loaded.image_shape == model.image_shape
    for a, b in zip(_networks(model), _networks(loaded)):
        for x, y in zip(weights_of(a), weights_of(b)):
            np.testing.assert_array_equal(x, y)
    for name in ("d_optimizer", "g_optimizer"):
        expected, actual = optimizer_state(getattr(model, name)), optimizer_state(getattr(loaded, name))
        assert len(actual) == len(expected) > 1 and int(getattr(loaded, name).iterations) == 1
        for x, y in zip(expected, actual):
            np.testing.assert_array_equal(x, y)
    a, _ = trained["data"]
    for direction in ("a2b", "b2a"):
        np.testing.assert_array_equal(loaded.translate(a, direction), model.translate(a, direction))


def test_training_continued_after_loading_matches_uninterrupted_run(trained):
    expected = _fit(_compiled(), trained["data"], epochs=3)
    continued = _fit(keras.saving.load_model(trained["path"]), trained["data"], epochs=2)
    for key in trained["expected"]:
        np.testing.assert_allclose(continued[key], expected[key][1:], rtol=1e-5, atol=1e-6, err_msg=key)


def test_generator_objective_on_a_fixed_network_against_numpy():
    """The generator terms of a hand-set linear G and D: BCE on D's logits, MSE of both reconstructions."""
    shape = (2, 2, 1)

    def generator(scale, name):
        x = keras.Input(shape)
        y = keras.layers.Conv2D(1, 1, kernel_initializer=keras.initializers.Constant(scale), bias_initializer="ones")(x)
        return keras.Model(x, keras.layers.Activation("tanh")(y), name=name)

    def discriminator(weights, name):
        x = keras.Input(shape)
        dense = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(weights), use_bias=False)
        return keras.Model(x, dense(keras.layers.Flatten()(x)), name=name)

    w_a, w_b = np.array([[1.0], [-2.0], [0.5], [3.0]]), np.array([[-1.0], [0.0], [2.0], [1.0]])
    model = DiscoGAN(
        generator(0.5, "g_ab"),
        generator(-1.5, "g_ba"),
        discriminator(w_a, "d_a"),
        discriminator(w_b, "d_b"),
        image_shape=shape,
    )
    a = np.array([[0.1, -0.3, 0.8, 0.0], [-0.9, 0.4, 0.2, 0.6]]).reshape(2, *shape).astype("float32")
    b = np.array([[0.5, 0.5, -0.2, -0.7], [0.3, -0.1, 0.9, -0.4]]).reshape(2, *shape).astype("float32")
    fake_b, fake_a = np.tanh(0.5 * a + 1), np.tanh(-1.5 * b + 1)
    terms, metrics = model.generator_objective(StepBatch(real=(a, b), fake=(fake_a, fake_b)))
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    expected = {
        "g_ab_gan": np.mean(np.logaddexp(0, -flat(fake_b) @ w_b)),
        "g_ba_gan": np.mean(np.logaddexp(0, -flat(fake_a) @ w_a)),
        "cycle_loss": np.mean((np.tanh(-1.5 * fake_b + 1) - a) ** 2) + np.mean((np.tanh(0.5 * fake_a + 1) - b) ** 2),
    }
    assert sorted(terms) == sorted(expected)
    for key, value in expected.items():
        assert float(terms[key]) == pytest.approx(value, rel=1e-5), key
    assert float(metrics["g_loss"]) == pytest.approx(sum(expected.values()), rel=1e-5)


def test_the_papers_networks_defaults_and_registration():
    model = DiscoGAN(image_shape=(64, 64, 3), base_filters=8)
    assert isinstance(model, ImageTranslation) and not isinstance(model, CycleGAN)
    assert MODELS["discogan"] is DiscoGAN and model.data_kind == "unpaired_images" and model.pool_size == 0
    generator, discriminator = model.generator_ab, model.discriminator_a
    # encoder: four 4×4 stride-2 convolutions 64 → 4; decoder: four transposed convolutions back; no skips
    convs = [layer for layer in generator.layers if type(layer) is keras.layers.Conv2D]
    assert [(c.kernel_size, c.strides, c.filters) for c in convs] == [((4, 4), (2, 2), 8 * 2**i) for i in range(4)]
    assert sum(type(layer) is keras.layers.Conv2DTranspose for layer in generator.layers) == 4
    assert not any(isinstance(layer, keras.layers.Concatenate) for layer in generator.layers)
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in generator.layers) == 5
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in generator.layers)
    assert sum(isinstance(layer, keras.layers.LeakyReLU) for layer in generator.layers) == 3
    assert discriminator.output_shape == (None, 1, 1, 1)
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in discriminator.layers) == 3
    [objective] = model.objectives
    assert type(objective) is CycleConsistency and (objective.weight, objective.criterion) == (1.0, "mse")
    model.compile()
    for optimizer in (model.d_optimizer, model.g_optimizer):
        assert float(optimizer.learning_rate) == pytest.approx(2e-4) and float(optimizer.beta_1) == 0.5
    clone = DiscoGAN.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    with pytest.raises(ValueError, match="criterion must be 'l1' or 'mse'"):
        CycleConsistency(1.0, criterion="l2")
    with pytest.raises(ValueError, match="discriminator_a maps"):
        DiscoGAN(discriminator_a=model.discriminator_a, image_shape=(32, 32, 3), base_filters=2)


def test_train_discogan_on_two_folders_then_translate(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
    for i in range(8):
        image = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
        iio.imwrite(tmp_path / "a" / f"x{i}.png", image)
        iio.imwrite(tmp_path / "b" / f"x{i}.png", 255 - image)
    run = tmp_path / "run"
    flags = ["--image-size", "16", "--batch-size", "4", "--set", "base_filters=4", "--seed", "3", "--epochs", "1"]
    data = ["--data-a", str(tmp_path / "a"), "--data-b", str(tmp_path / "b")]
    assert cli.main(["train", "discogan", *data, "--run-dir", str(run), *flags]) == 0
    model = keras.saving.load_model(run / "model.keras")
    assert type(model) is DiscoGAN and model.image_shape == SHAPE and int(model.g_optimizer.iterations) >= 1
    assert (
        cli.main(
            [
                "translate",
                "--run-dir",
                str(run),
                "--input",
                str(tmp_path / "b"),
                "--out",
                str(tmp_path / "t"),
                "--direction",
                "b2a",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == [f"x{i}.png" for i in range(8)]
    assert iio.imread(tmp_path / "t" / "x0.png").shape == SHAPE
    capsys.readouterr()
    assert cli.main(["train", "discogan", *data, "--run-dir", str(tmp_path / "r2"), *flags, "--set", "n_blocks=2"]) == 2
    assert "n_blocks" in capsys.readouterr().err
