"""Neural style transfer (kerasgan.style, kerasgan stylize) with injected small extractors: nothing downloads."""

import imageio.v3 as iio
import keras
import numpy as np
import pytest

from kerasgan import cli, style

SIDE = 32


def tiny_extractor():
    """A fixed random conv net with VGG19's layer names: five blocks, pooling after the first three."""
    keras.utils.set_random_seed(0)
    x = inputs = keras.Input((None, None, 3))
    for block in range(1, 6):
        x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name=f"block{block}_conv1")(x)
        if block == 5:
            x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="block5_conv2")(x)
        elif block < 4:
            x = keras.layers.AveragePooling2D(2, name=f"block{block}_pool")(x)
    return keras.Model(inputs, x)


def images():
    """A smooth colour ramp (content) and noisy high-frequency stripes (style), in [-1, 1]."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE] / (SIDE - 1.0)
    content = np.stack([xx, yy, 0.5 * np.ones_like(xx)], -1) * 1.6 - 0.8
    stripes = np.sin(xx * (SIDE - 1) * 1.5)[..., None] * np.array([0.9, -0.6, 0.3])
    noisy = stripes + 0.1 * np.random.default_rng(0).normal(size=stripes.shape)
    return content.astype("float32"), np.clip(noisy, -1, 1).astype("float32")


def _features(model, image):
    names = [*style.STYLE_LAYERS, style.CONTENT_LAYER]
    outputs = keras.Model(model.input, [model.get_layer(n).output for n in names])(image[None])
    return [keras.ops.convert_to_numpy(o)[0].astype("float64") for o in outputs]


def _numpy_gram(features):
    flat = features.reshape(-1, features.shape[-1])
    return flat.T @ flat / len(flat)


def _style_distance(model, image, style_image):
    """The mean over the style layers of mean((G - A)²), in numpy."""
    ours, theirs = _features(model, image)[:-1], _features(model, style_image)[:-1]
    return np.mean([np.mean((_numpy_gram(f) - _numpy_gram(t)) ** 2) for f, t in zip(ours, theirs)])


@pytest.fixture(scope="module")
def stylized(tmp_path_factory):
    folder = tmp_path_factory.mktemp("style")
    content, style_image = images()
    extractor = tiny_extractor()
    # The tiny net's features are ~100× smaller than VGG19's, hence its own weights and step size.
    result = style.transfer(
        content,
        style_image,
        steps=200,
        content_weight=1e5,
        style_weight=1e6,
        tv_weight=0.0,
        learning_rate=0.05,
        extractor=extractor,
        frames_dir=folder / "frames",
        every=50,
        gif=folder / "progress.gif",
        verbose=0,
    )
    return {"result": result, "content": content, "style": style_image, "extractor": extractor, "folder": folder}


def test_style_loss_falls_tenfold_while_content_stays_close(stylized):
    history, extractor = stylized["result"].history, stylized["extractor"]
    assert len(history["style_loss"]) == 201
    assert history["style_loss"][-1] < history["style_loss"][0] / 10
    # The bound: the content loss stays under 1/10 of the style image's own content loss (its distance from the
    # content image at block5_conv2), i.e. the output keeps the content far better than the style image would.
    content_features, style_features = (
        _features(extractor, stylized["content"]),
        _features(extractor, stylized["style"]),
    )
    style_image_content_loss = np.mean((style_features[-1] - content_features[-1]) ** 2)
    assert history["content_loss"][0] == pytest.approx(0.0, abs=1e-12)  # it starts from the content image
    assert history["content_loss"][-1] < 0.1 * style_image_content_loss


def test_the_outputs_gram_statistics_are_closer_to_the_styles_than_the_contents_were(stylized):
    image, extractor = stylized["result"].image, stylized["extractor"]
    assert image.shape == (SIDE, SIDE, 3) and image.dtype == np.float32 and np.abs(image).max() <= 1.0
    before = _style_distance(extractor, stylized["content"], stylized["style"])
    after = _style_distance(extractor, image, stylized["style"])
    assert after < before / 10
    # the logged style loss is this numpy distance
    assert stylized["result"].history["style_loss"][0] == pytest.approx(before, rel=1e-4)


def test_frames_every_n_steps_and_their_gif(stylized):
    frames, folder = stylized["result"].frames, stylized["folder"]
    assert [p.rsplit("/", 1)[-1] for p in frames] == [f"step_{i:05d}.png" for i in (0, 50, 100, 150, 200)]
    first = iio.imread(frames[0])
    assert first.shape == (SIDE, SIDE, 3)
    np.testing.assert_allclose(first / 127.5 - 1, stylized["content"], atol=1 / 127.5 + 1e-6)  # the start: content
    gif = iio.imread(folder / "progress.gif", index=None)
    assert len(gif) == 5 and not np.array_equal(gif[0], gif[-1])
    with pytest.raises(ValueError, match="already holds step_"):  # a second run would mix its frames with these
        style.transfer(*images(), steps=1, extractor=stylized["extractor"], frames_dir=folder / "frames", verbose=0)


def test_gram_matrix_against_numpy():
    features = np.random.default_rng(3).normal(size=(2, 3, 5, 4)).astype("float32")
    got = keras.ops.convert_to_numpy(style.gram_matrix(features))
    expected = np.stack([_numpy_gram(f.astype("float64")) for f in features])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(style.gram_matrix(features[0])), expected[0], rtol=1e-5)
    tv = keras.ops.convert_to_numpy(style.total_variation(features))
    expected_tv = [np.abs(np.diff(f, axis=0)).sum() + np.abs(np.diff(f, axis=1)).sum() for f in features]
    np.testing.assert_allclose(tv, expected_tv, rtol=1e-5)


def test_bad_inputs_are_one_line_errors(tmp_path):
    content, style_image = images()
    extractor = tiny_extractor()
    with pytest.raises(ValueError, match=r"content image '.*nowhere.png' does not exist"):
        style.transfer(str(tmp_path / "nowhere.png"), style_image, steps=1, extractor=extractor)
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(ValueError, match=r"style image '.*text.png' could not be decoded"):
        style.transfer(content, str(tmp_path / "text.png"), steps=1, extractor=extractor)
    with pytest.raises(ValueError, match=r"no layer 'block9_conv1'; its layers: .*block1_conv1"):
        style.transfer(content, style_image, steps=1, extractor=extractor, style_layers=["block9_conv1"])
    with pytest.raises(ValueError, match=r"uint8 or floats in \[-1, 1\]"):
        style.transfer(content * 255, style_image, steps=1, extractor=extractor)
    with pytest.raises(ValueError, match="VGG19 weights file '.*missing.h5' does not exist"):
        style.transfer(content, style_image, steps=1, extractor=str(tmp_path / "missing.h5"))


def test_stylize_command_with_a_local_vgg19_weights_file(tmp_path, capsys):
    content, style_image = images()
    for name, image in (("content.png", content), ("style.png", style_image)):
        iio.imwrite(tmp_path / name, np.round((image + 1) * 127.5).astype("uint8"))
    keras.utils.set_random_seed(0)
    weights = tmp_path / "vgg19.weights.h5"
    keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3)).save_weights(weights)
    args = ["stylize", "--content", str(tmp_path / "content.png"), "--style", str(tmp_path / "style.png")]
    args += ["--steps", "2", "--every", "1", "--size", "16", "--vgg-weights", str(weights)]
    # --out never replaces an input
    assert cli.main([*args, "--out", str(tmp_path / "content.png")]) == 2
    assert "--out" in capsys.readouterr().err
    assert iio.imread(tmp_path / "content.png").shape == (SIDE, SIDE, 3)
    assert cli.main([*args, "--out", str(tmp_path / "out.png")]) == 0
    assert "style loss" in capsys.readouterr().out
    assert iio.imread(tmp_path / "out.png").shape == (16, 16, 3)
    assert sorted(p.name for p in (tmp_path / "out_steps").iterdir()) == [f"step_{i:05d}.png" for i in range(3)]
    assert len(iio.imread(tmp_path / "out.gif", index=None)) == 3
    assert cli.main([*args[:-1], str(tmp_path / "none.h5"), "--out", str(tmp_path / "o2.png")]) == 2
    err = capsys.readouterr().err
    assert "--vgg-weights" in err and "does not exist" in err and len(err.strip().splitlines()) == 1
