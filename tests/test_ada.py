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
    # Non-leaking: each transform's draws include the identity (the paper's code), so even at p = 1 an xflip
    # leaves half the images as they are and a rotate90 a quarter.
    flipped = _np(_attached(initial_p=1.0, policy="xflip").augment(None, images))
    which = [[np.array_equal(f[i], flipped[i]) for f in (images, images[:, :, ::-1])] for i in range(len(images))]
    assert all(sum(w) == 1 for w in which)  # each image as it was or mirrored
    assert 0.4 < np.mean([w[1] for w in which]) < 0.6  # 256 draws of ½
    rotated = _np(_attached(initial_p=1.0, policy="rotate90").augment(None, images))
    rotations = [np.rot90(images, k, axes=(1, 2)) for k in (0, 1, 2, 3)]
    which = [[np.array_equal(r[i], rotated[i]) for r in rotations] for i in range(len(images))]
    assert all(sum(w) == 1 for w in which)  # every image rotated by one of 0°, 90°, 180°, 270°
    counts = np.sum(which, axis=0)
    assert counts.min() > 40  # all four, about a quarter each
    half = _np(_attached(initial_p=0.5, policy="xflip").augment(None, images))
    changed = np.mean([not np.array_equal(a, b) for a, b in zip(half, images)])
    assert 0.15 < changed < 0.35  # 256 draws at p = ½ of a flip drawn half the time: ¼
    with pytest.raises(ValueError, match="unknown or empty policy"):
        ADA(policy="xflip,blur")


def test_affine_warp_against_numpy_identity_rotation_and_mirrored_shifts():
    from kerasgan.augment import affine_warp

    images = np.random.default_rng(2).normal(size=(2, 6, 6, 3)).astype("float32")

    def warp(a, t=(0.0, 0.0)):
        matrix = np.array([[a[0][0], a[0][1], t[0]], [a[1][0], a[1][1], t[1]]], "float32")
        return _np(affine_warp(images, np.repeat(matrix[None], len(images), 0)))

    np.testing.assert_array_equal(warp([[1, 0], [0, 1]]), images)
    rotated = warp([[0, -1], [1, 0]])  # a quarter turn about the centre
    assert min(np.abs(rotated - np.rot90(images, k, axes=(1, 2))).max() for k in (1, 3)) < 1e-5
    # output(x, y) = input(x + 1, y): the content moves one column left, the last column mirrored back in
    np.testing.assert_allclose(
        warp([[1, 0], [0, 1]], (1, 0)), np.concatenate([images[:, :, 1:], images[:, :, -1:]], axis=2), atol=1e-6
    )
    # half a pixel down: the mean of each row and the next, the last row mirrored onto itself
    below = np.concatenate([images[:, 1:], images[:, -1:]], axis=1)
    np.testing.assert_allclose(warp([[1, 0], [0, 1]], (0, 0.5)), (images + below) / 2, atol=1e-6)


def test_geometric_transforms_draw_the_papers_distributions():
    part = _attached()
    images = np.zeros((4096, 8, 8, 1), "float32")
    scale = _np(part._sampling_matrix("scale", images))
    assert np.allclose(scale[:, 0, 0], scale[:, 1, 1]) and np.std(np.log2(scale[:, 0, 0])) == pytest.approx(
        0.2, rel=0.1
    )
    aniso = _np(part._sampling_matrix("aniso", images))
    assert np.allclose(aniso[:, 0, 0] * aniso[:, 1, 1], 1.0, atol=1e-5)
    assert np.std(np.log2(aniso[:, 0, 0])) == pytest.approx(0.2, rel=0.1)
    rotate = _np(part._sampling_matrix("rotate", images))
    assert np.allclose(np.linalg.det(rotate[:, :2, :2]), 1.0, atol=1e-5)
    angles = np.arctan2(rotate[:, 1, 0], rotate[:, 0, 0])  # uniform in ±π: mean |θ| = π/2
    assert np.mean(np.abs(angles)) == pytest.approx(np.pi / 2, rel=0.05)
    shift = _np(part._sampling_matrix("xfrac", images))[:, :2, 2]
    assert np.std(shift, axis=0) == pytest.approx([1.0, 1.0], rel=0.1)  # N(0, (8/8)²) pixels on an 8-px side
    np.testing.assert_array_equal(shift.shape, (4096, 2))


def test_lumaflip_and_hue_against_numpy():
    rgb = np.random.default_rng(3).uniform(-1, 1, size=(64, 4, 4, 3)).astype("float32")
    v = np.ones(3) / np.sqrt(3)
    flipped = _np(_attached(initial_p=1.0, policy="lumaflip").augment(None, rgb))
    reflected = rgb - 2 * (rgb @ v)[..., None] * v
    was_flipped = [np.allclose(f, r, atol=1e-5) for f, r in zip(flipped, reflected)]
    assert all(w or np.allclose(f, x, atol=1e-6) for w, f, x in zip(was_flipped, flipped, rgb))  # flipped or as it was
    assert 0.25 < np.mean(was_flipped) < 0.75  # half of 64
    gray = rgb[..., :1]
    flipped = _np(_attached(initial_p=1.0, policy="lumaflip").augment(None, gray))
    assert all(np.allclose(f, -x, atol=1e-5) or np.allclose(f, x) for f, x in zip(flipped, gray))
    hued = _np(_attached(initial_p=1.0, policy="hue").augment(None, rgb))
    # a rotation about the luma axis: the luma and each pixel's distance from gray stay, the colour turns
    np.testing.assert_allclose(hued.mean(axis=-1), rgb.mean(axis=-1), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(hued, axis=-1), np.linalg.norm(rgb, axis=-1), atol=1e-5)
    assert np.abs(hued - rgb).max() > 0.1
    np.testing.assert_allclose(_np(_attached(initial_p=1.0, policy="hue").augment(None, gray)), gray, atol=1e-5)
    with pytest.raises(ValueError, match="needs gray or RGB images"):
        _attached(initial_p=1.0, policy="hue").augment(None, np.zeros((2, 4, 4, 2), "float32"))


def test_every_transform_compiles_under_xla():
    import tensorflow as tf

    images = np.random.default_rng(4).uniform(-1, 1, size=(8, 8, 8, 3)).astype("float32")
    everything = ",".join(kerasgan.parts.augment.ADA_TRANSFORMS)
    out = _np(tf.function(_attached(initial_p=1.0, policy=everything).augment, jit_compile=True)(None, images))
    assert out.shape == images.shape and np.isfinite(out).all() and np.abs(out - images).mean() > 0.05
    flip = _np(tf.function(_attached(initial_p=1.0, policy="lumaflip").augment, jit_compile=True)(None, images))
    v = np.ones(3) / np.sqrt(3)
    reflected = images - 2 * (images @ v)[..., None] * v
    assert all(np.allclose(f, r, atol=1e-5) or np.allclose(f, x, atol=1e-6) for f, r, x in zip(flip, reflected, images))


def test_gradient_flows_through_every_transform():
    import tensorflow as tf

    images = tf.constant(np.random.default_rng(1).normal(size=(8, 8, 8, 3)).astype("float32"))
    part = _attached(initial_p=1.0, policy=",".join(kerasgan.parts.augment.ADA_TRANSFORMS))
    with tf.GradientTape() as tape:
        tape.watch(images)
        total = tf.reduce_sum(part.augment(None, images) ** 2)
    grad = _np(tape.gradient(total, images))
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0


def _run(images, d_learning_rate, steps=48, initial_p=0.0):
    keras.utils.set_random_seed(0)
    ada = ADA(ada_kimg=0.5, initial_p=initial_p)
    gan = kerasgan.models.DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, seed=0, augment=ada)
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
    frozen, _ = _run(tiny, 0.0, initial_p=0.9)
    print(
        "ADA p",
        p,
        float(_np(overfit.augment[0].r_t)),
        float(_np(frozen.augment[0].p)),
        float(_np(frozen.augment[0].r_t)),
    )
    # a frozen D is never sure of the reals (r_t below the target), so p falls by 0.064 at each of 12 adjustments
    assert float(_np(frozen.augment[0].p)) == pytest.approx(0.9 - 12 * 0.064, abs=1e-5)
    # p is model state: saved and restored
    path = tmp_path / "ada.keras"
    overfit.save(path)
    assert float(_np(keras.saving.load_model(path).augment[0].p)) == pytest.approx(p)


def test_cli_name_resolves():
    part = kerasgan.parts.get("ada", "augment")
    assert isinstance(part, ADA) and part.target == 0.6 and part.ada_kimg == 500
