"""ADA: the p controller against a hand computation, the transforms at p = 0, 1 and ½, p on an overfitting D."""

import keras
import numpy as np
import pytest
from gan_contract import tiny_images

import kerasgan
from kerasgan.parts import ADA


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _attached(**kwargs):
    part = ADA(seed=0, **kwargs)
    part.attach(object())
    return part


def test_p_follows_the_sign_of_the_real_logits_toward_the_target():
    # batch 8, interval 4, ada_kimg 1: each adjustment moves p by 4·8 / 1000 = 0.032
    part = _attached(ada_kimg=1.0)
    confident = np.full((8, 1), 3.0, "float32")  # r_t = 1 > 0.6
    undecided = np.array([[1.0], [-1.0]] * 4, "float32")  # r_t = 0 < 0.6
    expected = []
    for logits, p_after in (
        (confident, 0.032),
        (confident, 0.064),
        (undecided, 0.032),
        (undecided, 0.0),
        (undecided, 0.0),
    ):
        for i in range(4):
            part.observe_logits(None, logits, logits)
            if i < 3:  # adjusted only every 4th update
                assert float(_np(part.p)) == pytest.approx(expected[-1] if expected else 0.0, abs=1e-7)
        expected.append(p_after)
        assert float(_np(part.p)) == pytest.approx(p_after, abs=1e-7)
    assert float(_np(part.r_t)) == 0.0
    # r_t between the target and 1: p rises, below it falls
    part = _attached(ada_kimg=1.0, target=0.6)
    mostly = np.array([[1.0]] * 7 + [[-1.0]], "float32")  # r_t = 0.75
    for _ in range(4):
        part.observe_logits(None, mostly, mostly)
    assert float(_np(part.r_t)) == pytest.approx(0.75) and float(_np(part.p)) == pytest.approx(0.032)


def test_transforms_at_p_zero_one_and_half():
    images = np.random.default_rng(0).normal(size=(256, 8, 8, 3)).astype("float32")
    np.testing.assert_array_equal(_np(_attached().augment(None, images)), images)  # p = 0: untouched
    flipped = _np(_attached(initial_p=1.0, policy="xflip").augment(None, images))
    np.testing.assert_array_equal(flipped, images[:, :, ::-1])
    rotated = _np(_attached(initial_p=1.0, policy="rotate90").augment(None, images))
    rotations = [np.rot90(images, k, axes=(1, 2)) for k in (1, 2, 3)]
    which = [[np.array_equal(r[i], rotated[i]) for r in rotations] for i in range(len(images))]
    assert all(sum(w) == 1 for w in which)  # every image rotated by one of 90°, 180°, 270°
    counts = np.sum(which, axis=0)
    assert counts.min() > 50  # all three, about a third each
    half = _np(_attached(initial_p=0.5, policy="xflip").augment(None, images))
    changed = np.mean([not np.array_equal(a, b) for a, b in zip(half, images)])
    assert 0.4 < changed < 0.6  # 256 draws at p = ½
    with pytest.raises(ValueError, match="unknown or empty policy"):
        ADA(policy="xflip,blur")


def test_gradient_flows_through_every_transform():
    import tensorflow as tf

    images = tf.constant(np.random.default_rng(1).normal(size=(8, 8, 8, 3)).astype("float32"))
    part = _attached(initial_p=1.0)
    with tf.GradientTape() as tape:
        tape.watch(images)
        total = tf.reduce_sum(part.augment(None, images) ** 2)
    grad = _np(tape.gradient(total, images))
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0


def _run(images, d_learning_rate, steps=48):
    keras.utils.set_random_seed(0)
    gan = kerasgan.models.DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, seed=0, augment=ADA(ada_kimg=0.5))
    gan.compile(
        d_optimizer=keras.optimizers.Adam(d_learning_rate, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5),
    )
    data = np.concatenate([images] * (steps * 8 // len(images)))
    history = gan.fit(data, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    return gan, history


def test_p_rises_when_d_overfits_a_tiny_data_set_and_stays_low_otherwise(tmp_path):
    """Eight real images, 48 steps: a learning D grows sure of them (r_t → 1) and p rises; a frozen one does not.

    ada_kimg 0.5: each adjustment (4 steps of 8 images) moves p by 0.064.
    """
    tiny = tiny_images(8, (8, 8, 1), seed=3)
    overfit, history = _run(tiny, 2e-3)
    p = float(_np(overfit.augment[0].p))
    assert p > 0.3, p
    assert float(_np(overfit.augment[0].r_t)) > 0.6
    assert "ada_p" in history and "ada_r_t" in history
    frozen, _ = _run(tiny, 0.0)
    print(
        "ADA p",
        p,
        float(_np(overfit.augment[0].r_t)),
        float(_np(frozen.augment[0].p)),
        float(_np(frozen.augment[0].r_t)),
    )
    assert float(_np(frozen.augment[0].p)) < 0.1
    # p is model state: saved and restored
    path = tmp_path / "ada.keras"
    overfit.save(path)
    assert float(_np(keras.saving.load_model(path).augment[0].p)) == pytest.approx(p)


def test_cli_name_resolves():
    part = kerasgan.parts.get("ada", "augment")
    assert isinstance(part, ADA) and part.target == 0.6 and part.ada_kimg == 500
