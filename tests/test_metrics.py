"""Sample quality metrics against closed forms, scipy and the papers' qualitative claims.

Feature extractors here are tiny Keras models built in the test: nothing is downloaded.
"""

import imageio.v3 as iio
import keras
import numpy as np
import pytest
from gan_contract import tiny_images

from kerasgan import metrics


def toy_extractor(image_shape=(8, 8, 1), dim=6, seed=0, softmax=False, both=False, name="toy"):
    """A random conv net: features, softmax probabilities, or a dict with both (as inception_v3)."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(image_shape)
    x = keras.layers.Conv2D(8, 3, activation="tanh")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    features = keras.layers.Dense(dim)(x)
    probabilities = keras.layers.Softmax()(features)
    if both:
        return keras.Model(inputs, {"features": features, "probabilities": probabilities}, name=name)
    return keras.Model(inputs, probabilities if softmax else features, name=name)


# ---------------------------------------------------------------------- FID
def test_frechet_distance_of_diagonal_gaussians_matches_the_closed_form():
    # Commuting (diagonal) covariances: d² = ‖μ1-μ2‖² + Σ (σ1ᵢ - σ2ᵢ)².
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
    s1, s2 = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((s1 - s2) ** 2)
    assert metrics.frechet_distance(mu1, np.diag(s1**2), mu2, np.diag(s2**2)) == pytest.approx(expected, rel=1e-12)


def test_fid_of_two_gaussian_samples_approaches_the_closed_form():
    rng = np.random.default_rng(0)
    n, mu2, s2 = 200_000, np.array([0.5, -1.0]), np.array([2.0, 0.5])
    a = rng.standard_normal((n, 2))
    b = rng.standard_normal((n, 2)) * s2 + mu2
    expected = np.sum(mu2**2) + np.sum((1.0 - s2) ** 2)  # 1.25 + 1.25
    stats_a, stats_b = metrics.GaussianStats(), metrics.GaussianStats()
    for i in range(0, n, 7_000):  # uneven batches
        stats_a.update(a[i : i + 7_000])
        stats_b.update(b[i : i + 7_000])
    assert metrics.fid(stats_a, stats_b) == pytest.approx(expected, abs=0.03)


def test_fid_equals_an_independent_scipy_computation_on_random_features():
    linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(1)
    a = rng.standard_normal((300, 16)) @ rng.standard_normal((16, 16))
    b = rng.standard_normal((250, 16)) @ rng.standard_normal((16, 16)) + 0.3
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2).real
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean)
    stats = metrics.GaussianStats()
    for chunk in np.array_split(b, 7):
        stats.update(chunk)
    assert metrics.fid(a, stats) == pytest.approx(expected, rel=1e-8)
    assert metrics.fid(a, a) == pytest.approx(0.0, abs=1e-8)


def test_running_statistics_match_numpy_and_survive_a_round_trip():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((101, 5)).astype("float32") * 3 + 10
    stats = metrics.GaussianStats(keep=20)
    for chunk in np.array_split(x, 9):
        stats.update(chunk)
    assert stats.count == 101
    np.testing.assert_allclose(stats.mean, x.astype("float64").mean(0), rtol=1e-12)
    np.testing.assert_allclose(stats.covariance, np.cov(x.astype("float64"), rowvar=False), rtol=1e-9)
    np.testing.assert_array_equal(stats.features, x[:20])
    again = metrics.GaussianStats.from_arrays(stats.to_arrays())
    np.testing.assert_array_equal(again.covariance, stats.covariance)
    with pytest.raises(ValueError, match="size 3"):
        stats.update(np.zeros((2, 3)))


def test_running_covariance_survives_a_large_mean():
    # E[xxᵀ] - μμᵀ in float64 would lose most digits here: mean 1e4, spread 1e-2
    x = 1e4 + 1e-2 * np.random.default_rng(3).standard_normal((1000, 3))
    stats = metrics.GaussianStats()
    for chunk in np.array_split(x, 10):
        stats.update(chunk)
    np.testing.assert_allclose(stats.covariance, np.cov(x, rowvar=False), rtol=1e-6, atol=1e-12)


def test_trace_sqrt_product_handles_singular_covariances():
    linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 10))  # rank 4 in 10 dimensions
    s1, s2 = a.T @ a, np.cov(rng.standard_normal((50, 10)), rowvar=False)
    expected = np.trace(linalg.sqrtm(s1 @ s2)).real
    assert metrics.trace_sqrt_product(s1, s2) == pytest.approx(expected, rel=1e-6)


# ---------------------------------------------------------------------- KID
def test_unbiased_mmd_matches_the_definition_computed_by_loops():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((5, 3)) + 1

    def k(a, b):
        return (a @ b / 3 + 1) ** 3

    xx = sum(k(x[i], x[j]) for i in range(6) for j in range(6) if i != j) / 30
    yy = sum(k(y[i], y[j]) for i in range(5) for j in range(5) if i != j) / 20
    xy = sum(k(x[i], y[j]) for i in range(6) for j in range(5)) / 30
    assert metrics.mmd2_unbiased(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_kid_is_zero_within_its_std_for_one_distribution_and_positive_for_a_shift():
    rng = np.random.default_rng(5)
    real, same = rng.standard_normal((600, 8)), rng.standard_normal((600, 8))
    shifted = rng.standard_normal((600, 8)) + 0.5
    mean, std = metrics.kid(real, same, num_subsets=20, subset_size=200)
    assert abs(mean) <= 2 * std
    mean_shift, std_shift = metrics.kid(real, shifted, num_subsets=20, subset_size=200)
    assert mean_shift > 5 * std_shift and mean_shift > 10 * abs(mean)


# ---------------------------------------------------------------------- Inception Score
@pytest.mark.parametrize("classes", [2, 5, 10])
def test_inception_score_of_uniform_confident_predictions_is_the_number_of_classes(classes):
    probs = np.eye(classes)[np.tile(np.arange(classes), 4 * 3)]  # 12 of each class, evenly in every split
    mean, std = metrics.inception_score(probs, splits=4)
    assert mean == pytest.approx(classes, rel=1e-12) and std == pytest.approx(0.0, abs=1e-12)


def test_inception_score_of_constant_predictions_is_one():
    probs = np.tile(np.random.default_rng(6).dirichlet(np.ones(7)), (50, 1))
    assert metrics.inception_score(probs, splits=5)[0] == pytest.approx(1.0, abs=1e-12)


def test_inception_score_matches_the_direct_formula_and_streaming():
    rng = np.random.default_rng(7)
    probs = rng.dirichlet(np.full(6, 0.3), size=90)
    scores = []
    for part in np.array_split(probs, 3):  # 30 each: the same contiguous splits
        marginal = part.mean(0)
        scores.append(np.exp(np.mean(np.sum(part * (np.log(part) - np.log(marginal)), axis=1))))
    accumulator = metrics.InceptionScoreAccumulator(90, splits=3)
    for chunk in np.array_split(probs, 11):
        accumulator.update(chunk)
    assert accumulator.result() == pytest.approx((np.mean(scores), np.std(scores)), rel=1e-10)
    assert metrics.inception_score(probs, splits=3) == pytest.approx(accumulator.result(), rel=1e-12)


# ---------------------------------------------------------------------- SWD
def test_laplacian_pyramid_levels_add_back_to_the_image():
    from kerasgan.metrics.swd import _pyr_up

    images = tiny_images(3, (16, 12, 3))
    pyramid = metrics.laplacian_pyramid(images, 3)
    assert [p.shape[1:3] for p in pyramid] == [(16, 12), (8, 6), (4, 3)]
    rebuilt = pyramid[2]
    for level in (1, 0):
        rebuilt = pyramid[level] + _pyr_up(rebuilt, pyramid[level].shape[1:3])
    np.testing.assert_allclose(rebuilt, images, atol=1e-6)


def test_swd_is_zero_for_identical_sets_and_grows_with_noise():
    images = tiny_images(64, (16, 16, 3), seed=1)
    kwargs = dict(patches_per_image=16, min_resolution=8, dirs_per_repeat=64)
    same = metrics.swd(images, images.copy(), **kwargs)
    assert same["swd"] == 0.0 and len(same["levels"]) == 2 and same["resolutions"] == [[16, 16], [8, 8]]
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(images.shape).astype("float32")
    values = [metrics.swd(images, images + s * noise, **kwargs)["swd"] for s in (0.05, 0.1, 0.2, 0.4, 0.8)]
    assert all(a < b for a, b in zip(values, values[1:])), values
    assert values[0] > 0


# ---------------------------------------------------------------------- precision / recall
def test_precision_recall_against_a_brute_force_computation():
    rng = np.random.default_rng(8)
    real, fake = rng.standard_normal((40, 3)), rng.standard_normal((30, 3)) + 0.7

    def coverage(ref, queries, k=3):
        d_ref = np.linalg.norm(ref[:, None] - ref[None], axis=-1)
        radii = np.sort(d_ref, axis=1)[:, k]
        d = np.linalg.norm(queries[:, None] - ref[None], axis=-1)
        return np.mean((d <= radii[None]).any(axis=1))

    result = metrics.precision_recall(real, fake, k=3, batch_size=7)
    assert result["precision"] == pytest.approx(coverage(real, fake))
    assert result["recall"] == pytest.approx(coverage(fake, real))


def test_precision_falls_as_the_fakes_shift_and_recall_falls_as_they_shrink():
    rng = np.random.default_rng(9)
    real = rng.standard_normal((1000, 4))
    base = rng.standard_normal((1000, 4))
    shifted = [metrics.precision_recall(real, base + [s, 0, 0, 0]) for s in (0.0, 1.0, 2.0, 4.0, 8.0)]
    precisions = [r["precision"] for r in shifted]
    assert all(a > b for a, b in zip(precisions, precisions[1:])), precisions
    assert precisions[0] > 0.9 and precisions[-1] < 0.05
    shrunk = [metrics.precision_recall(real, base * s) for s in (1.0, 0.6, 0.3, 0.1)]
    recalls = [r["recall"] for r in shrunk]
    assert all(a > b for a, b in zip(recalls, recalls[1:])), recalls
    assert recalls[-1] < 0.2
    # a shrunken set still lies inside the real manifold: precision stays high
    assert min(r["precision"] for r in shrunk) > 0.9


# ---------------------------------------------------------------------- classifier scores
class _FixedClassifier:
    """predict() returns fixed probabilities: no network needed to check the formulas."""

    def __init__(self, probs):
        self.probs = np.asarray(probs)

    def predict(self, images, batch_size=None, verbose=0):
        return self.probs


def test_classifier_scores_keep_the_old_keys_and_add_coverage_and_kl():
    probs = np.eye(4)[[0, 0, 0, 1, 1, 2, 0, 1]] * 0.7 + 0.075  # rows sum to 1, top-1 0.775
    scores = metrics.classifier_scores(_FixedClassifier(probs), np.zeros((8, 2, 2, 1)))
    fractions = np.array([4, 3, 1, 0]) / 8
    assert scores["class_fractions"] == pytest.approx(fractions.tolist())
    assert scores["min_class_fraction"] == 0.0 and scores["mean_confidence"] == pytest.approx(0.775)
    assert scores["class_coverage"] == pytest.approx([1.0, 1.0, 0.5, 0.0])
    assert scores["coverage"] == pytest.approx(0.625)
    nz = fractions[:3]
    assert scores["kl_to_prior"] == pytest.approx(np.sum(nz * np.log(nz / 0.25)))
    collapsed = metrics.classifier_scores(_FixedClassifier(np.eye(5)[[2] * 10]), np.zeros((10, 2, 2, 1)))
    assert collapsed["kl_to_prior"] == pytest.approx(np.log(5))
    prior = [0.5, 0.3, 0.1, 0.1]
    with_prior = metrics.classifier_scores(
        _FixedClassifier(np.eye(4)[[0] * 5 + [1] * 3 + [2, 3]]), np.zeros((10, 2, 2, 1)), prior=prior
    )
    assert with_prior["kl_to_prior"] == pytest.approx(0.0, abs=1e-12) and with_prior["coverage"] == 1.0
    with pytest.raises(ValueError, match="prior"):
        metrics.classifier_scores(_FixedClassifier(probs), np.zeros((8, 2, 2, 1)), prior=[0.5, 0.5])


# ---------------------------------------------------------------------- nearest neighbours
def test_nearest_neighbours_find_the_training_images_samples_were_copied_from(tmp_path):
    train = tiny_images(50, (6, 6, 1), seed=3)
    picks = np.array([7, 31, 49])
    samples = train[picks] + 0.01
    batches = (train[i : i + 16] for i in range(0, 50, 16))  # streamed, uneven batches
    result = metrics.neighbours_grid(tmp_path / "nn.png", samples, batches, k=2)
    np.testing.assert_array_equal(result["indices"][:, 0], picks)
    np.testing.assert_array_equal(result["images"][:, 0], train[picks])
    brute = np.linalg.norm(samples.reshape(3, 1, -1) - train.reshape(1, 50, -1), axis=-1)
    np.testing.assert_array_equal(result["indices"], np.argsort(brute, axis=1)[:, :2])
    np.testing.assert_allclose(result["distances"], np.sort(brute, axis=1)[:, :2], rtol=1e-6)
    grid = iio.imread(tmp_path / "nn.png")
    assert grid.shape == (3 * 6 + 4 * 2, 3 * 6 + 4 * 2)  # 3 rows: sample + 2 neighbours
    in_features = metrics.nearest_neighbours(samples, train, k=1, extractor=toy_extractor((6, 6, 1)))
    assert in_features["indices"].shape == (3, 1)


# ---------------------------------------------------------------------- extractors
def test_extractor_resizes_converts_gray_and_maps_the_range():
    seen = {}

    class Probe(keras.layers.Layer):
        def call(self, x):
            seen["x"] = x
            return keras.ops.mean(x, axis=(1, 2))

    inputs = keras.Input((4, 4, 3))
    extractor = metrics.Extractor(keras.Model(inputs, Probe()(inputs)), input_range=(0, 255))
    images = np.full((2, 8, 8, 1), 0.5, "float32")
    features = extractor.features(images)
    assert seen["x"].shape == (2, 4, 4, 3)
    np.testing.assert_allclose(features, np.full((2, 3), (0.5 + 1) * 127.5), rtol=1e-6)
    with pytest.raises(ValueError, match="takes 3-channel images but the images have 2"):
        extractor.features(np.zeros((1, 8, 8, 2), "float32"))


def test_extractor_identity_changes_with_the_weights_and_probabilities_are_detected():
    a, b = metrics.Extractor(toy_extractor(seed=0)), metrics.Extractor(toy_extractor(seed=1))
    assert a.identity != b.identity and a.identity == metrics.Extractor(a.model).identity
    images = tiny_images(4)
    with pytest.raises(ValueError, match="not probabilities"):
        a.probabilities(images)
    probs = metrics.Extractor(toy_extractor(softmax=True)).probabilities(images)
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-5)


# ---------------------------------------------------------------------- Evaluator, cache
class _CountingExtractor(metrics.Extractor):
    calls = 0

    def outputs(self, images):
        type(self).calls += len(images)
        return super().outputs(images)


class _ArrayGAN:
    """Stands in for a GAN: generate(n, seed) returns noisy, darkened copies of fixed images."""

    latent_dim = 2

    def __init__(self, images, noise, offset=0.0):
        self.images, self.noise, self.offset = images, noise, offset

    def generate(self, n, seed=None, **kwargs):
        rng = np.random.default_rng(seed)
        picks = self.images[rng.integers(0, len(self.images), n)]
        return np.clip(picks + self.offset + self.noise * rng.standard_normal(picks.shape), -1, 1)


def test_evaluator_scores_every_metric_and_caches_the_real_statistics(tmp_path):
    real = tiny_images(60, (16, 16, 1), seed=4)
    extractor = _CountingExtractor(toy_extractor((16, 16, 1), both=True), batch_size=16)
    kwargs = dict(
        extractor=extractor,
        num_samples=40,
        batch_size=16,
        cache_dir=tmp_path / "cache",
        data_key="tiny-16",
        kid_subsets=5,
        kid_subset_size=20,
        is_splits=4,
        swd_images=40,
        swd_patches=8,
    )
    evaluator = metrics.Evaluator(real, "fid,kid,is,swd,pr", **kwargs)
    good, bad = evaluator.score(_ArrayGAN(real, 0.01)), evaluator.score(_ArrayGAN(real, 0.5, -0.5))
    assert set(good) == {"fid", "kid", "kid_std", "is", "is_std", "swd", "swd_levels", "precision", "recall"}
    assert good["fid"] < bad["fid"] and good["swd"] < bad["swd"] and good["kid"] < bad["kid"]
    assert good["recall"] > bad["recall"]
    # the FID of the streamed pipeline equals FID on features extracted in one go
    fake = _ArrayGAN(real, 0.5, -0.5)
    fake_images = np.concatenate([fake.generate(16, seed=i) for i in range(2)] + [fake.generate(8, seed=2)])
    assert bad["fid"] == pytest.approx(
        metrics.fid(extractor.features(real[:40]), extractor.features(fake_images)), rel=1e-6
    )
    cached = list((tmp_path / "cache").glob("tiny-16-*.npz"))
    assert len(cached) == 1
    _CountingExtractor.calls = 0
    again = metrics.Evaluator(real, "fid,kid,pr", **kwargs)
    assert again.score(_ArrayGAN(real, 0.5, -0.5))["fid"] == pytest.approx(bad["fid"], rel=1e-12)
    assert again.cache_hit and _CountingExtractor.calls == 40  # only the generated images were extracted
    other = metrics.Evaluator(real, "fid", **{**kwargs, "extractor": toy_extractor((16, 16, 1), seed=5)})
    other.prepare()
    assert not other.cache_hit and len(list((tmp_path / "cache").glob("*.npz"))) == 2


def test_evaluator_rejects_bad_input():
    real = tiny_images(20, (8, 8, 1))
    with pytest.raises(ValueError, match="Unknown metric 'fld'"):
        metrics.Evaluator(real, "fid,fld", extractor=toy_extractor())
    with pytest.raises(ValueError, match="not probabilities"):
        metrics.evaluate(_ArrayGAN(real, 0.1), real, "is", extractor=toy_extractor(), num_samples=20)
    rgb = tiny_images(20, (8, 8, 3))
    with pytest.raises(ValueError, match="takes 1-channel images but the images have 3"):
        metrics.evaluate(_ArrayGAN(rgb, 0.1), rgb, "fid", extractor=toy_extractor((8, 8, 1)), num_samples=10)
    with pytest.raises(ValueError, match="compare with real images"):
        metrics.Evaluator(None, "fid,is", extractor=toy_extractor())


# ---------------------------------------------------------------------- MetricCallback
def test_metric_callback_logs_fid_where_model_checkpoint_keeps_the_best(tmp_path):
    from kerasgan.models import DCGAN

    real = tiny_images(32, (8, 8, 1), seed=2)
    keras.utils.set_random_seed(0)
    gan = DCGAN.for_images((8, 8, 1), latent_dim=4, seed=0)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5)
    )
    callback = metrics.MetricCallback(
        real, "fid", extractor=toy_extractor(), num_samples=16, batch_size=16, log_dir=str(tmp_path / "tb")
    )
    checkpoint = keras.callbacks.ModelCheckpoint(
        str(tmp_path / "ck-{epoch}.weights.h5"), monitor="fid", mode="min", save_best_only=True, save_weights_only=True
    )
    history = gan.fit(real, epochs=4, batch_size=8, verbose=0, callbacks=[callback, checkpoint]).history
    fids = history["fid"]
    assert len(fids) == 4 and fids == pytest.approx([s["fid"] for _, s in callback.history])
    best_so_far = [e + 1 for e in range(4) if fids[e] < min(fids[:e], default=np.inf)]
    saved = sorted(int(p.name.split("-")[1].split(".")[0]) for p in tmp_path.glob("ck-*.weights.h5"))
    assert saved == best_so_far
    import tensorflow as tf

    events = list((tmp_path / "tb").glob("events.out.tfevents.*"))
    tags = {
        v.tag for e in events for record in tf.compat.v1.train.summary_iterator(str(e)) for v in record.summary.value
    }
    assert "fid" in tags


def test_model_checkpoint_after_the_callback_saves_exactly_the_improving_epochs(tmp_path, monkeypatch):
    from kerasgan.models import DCGAN

    real = tiny_images(16, (8, 8, 1))
    gan = DCGAN.for_images((8, 8, 1), latent_dim=4, seed=0)
    gan.compile()
    callback = metrics.MetricCallback(real, "fid", extractor=toy_extractor(), num_samples=8, every_n_epochs=1)
    scripted = iter([3.0, 1.0, 2.0, 0.5])
    monkeypatch.setattr(callback.evaluator, "score", lambda model: {"fid": next(scripted)})
    checkpoint = keras.callbacks.ModelCheckpoint(
        str(tmp_path / "ck-{epoch}.weights.h5"), monitor="fid", mode="min", save_best_only=True, save_weights_only=True
    )
    gan.fit(real, epochs=4, batch_size=8, verbose=0, callbacks=[callback, checkpoint])
    assert sorted(p.name for p in tmp_path.glob("ck-*")) == ["ck-1.weights.h5", "ck-2.weights.h5", "ck-4.weights.h5"]


def test_inception_v3_wrapper_gives_pool_features_and_probabilities_without_downloading():
    extractor = metrics.inception_v3(weights=None, batch_size=2)  # random weights: shapes only
    out = extractor.outputs(tiny_images(2, (8, 8, 1)))  # grayscale, resized to 299×299
    assert out["features"].shape == (2, 2048) and out["probabilities"].shape == (2, 1000)
    np.testing.assert_allclose(out["probabilities"].sum(1), 1.0, rtol=1e-5)
    assert extractor.input_size == (299, 299) and extractor.input_range == (-1.0, 1.0)
    with pytest.raises(ValueError, match="existing weights file"):
        metrics.inception_v3(weights="/no/such/inception.weights.h5")


@keras.saving.register_keras_serializable(package="kerasgan_tests")
class _RawPixelFeatures(keras.Model):
    """A subclassed extractor that says in its config that it wants 0-255 pixels."""

    def __init__(self, input_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.input_range = tuple(input_range)
        self.pool = keras.layers.GlobalAveragePooling2D()

    def call(self, x):
        return self.pool(x)

    def get_config(self):
        return {"input_range": list(self.input_range)}


def test_an_extractor_config_can_ask_for_another_input_range(tmp_path):
    model = _RawPixelFeatures()
    model(np.zeros((1, 4, 4, 1), "float32"))
    model.save(tmp_path / "raw.keras")
    extractor = metrics.as_extractor(str(tmp_path / "raw.keras"))
    assert extractor.input_range == (0.0, 255.0) and extractor.input_size is None
    images = np.stack([np.full((4, 4, 1), -1.0), np.full((4, 4, 1), 0.0)]).astype("float32")
    np.testing.assert_allclose(extractor.features(images), [[0.0], [127.5]])
