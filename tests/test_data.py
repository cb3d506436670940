"""Tests for kerasgan.data: image folders, arrays, IDX / .npz files, load_dataset."""

import gzip
import os
import warnings

import keras
import numpy as np
import pytest
from PIL import Image

from kerasgan import data
from kerasgan.data import folder as folder_module


def write_image(path, pixels, mode=None):
    """Writes a uint8 array (H, W), (H, W, 3) or (H, W, 4) as an image file."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(np.asarray(pixels, np.uint8), mode).save(path)
    return str(path)


def solid(value, size=(6, 6), channels=3):
    return np.full((*size, channels) if channels > 1 else size, value, np.uint8)


def grey_folder(tmp_path, count, ext="png"):
    """A folder of `count` solid grey images whose values 0, 10, 20, ... identify them."""
    for i in range(count):
        write_image(tmp_path / f"img{i:02d}.{ext}", solid(10 * i))
    return tmp_path


def ids(batches):
    """Maps batches of solid grey images back to their image numbers 0, 1, 2, ..."""
    pixels = np.concatenate([b.numpy()[:, 0, 0, 0] for b in batches])
    return list(np.rint((pixels + 1.0) * 127.5 / 10).astype(int))


def collect(dataset):
    return [b for b in dataset]


def idx_bytes(magic, shape, payload):
    header = magic.to_bytes(4, "big") + b"".join(int(s).to_bytes(4, "big") for s in shape)
    return header + bytes(payload)


# --- image folders -----------------------------------------------------------------------


def test_image_folder_yields_float32_nhwc_in_range(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(5):
        write_image(tmp_path / "sub" / f"{i}.png", rng.integers(0, 256, (10, 10, 3)))
    write_image(tmp_path / "white.jpg", solid(255, (10, 10)))
    write_image(tmp_path / "black.bmp", solid(0, (10, 10)))
    write_image(tmp_path / "colour.jpeg", solid(0, (10, 10)))
    (tmp_path / "notes.txt").write_text("not an image")

    dataset = data.image_folder(tmp_path, 8, batch_size=4, shuffle=False)
    assert tuple(dataset.element_spec.shape) == (4, 8, 8, 3)
    batches = collect(dataset)
    assert len(batches) == 2  # 8 images found recursively, the .txt ignored
    images = np.concatenate([b.numpy() for b in batches])
    assert images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    # Sorted order: black.bmp, colour.jpeg, sub/0..4.png, white.jpg.
    np.testing.assert_allclose(images[0], -1.0)
    np.testing.assert_allclose(images[-1], 1.0, atol=0.02)  # JPEG may be off by a level


def test_image_folder_exact_scaling_of_uint8_values(tmp_path):
    for i in range(2):
        write_image(tmp_path / f"{i}.png", np.tile(np.uint8([255, 0, 127]), (4, 4, 1)))
    (batch,) = collect(data.image_folder(tmp_path, 4, batch_size=2))
    np.testing.assert_allclose(batch[0, 0, 0], [1.0, -1.0, 127 / 127.5 - 1.0], atol=1e-6)


def test_grayscale_file_becomes_rgb_and_rgb_becomes_grayscale(tmp_path):
    write_image(tmp_path / "grey" / "a.png", solid(200, channels=1))
    write_image(tmp_path / "grey" / "b.png", solid(200, channels=1))
    (rgb,) = collect(data.image_folder(tmp_path / "grey", 4, channels=3, batch_size=2))
    assert rgb.shape == (2, 4, 4, 3)
    np.testing.assert_allclose(rgb.numpy(), 200 / 127.5 - 1.0, atol=1e-6)

    red = np.zeros((6, 6, 3), np.uint8)
    red[..., 0] = 255
    write_image(tmp_path / "red" / "a.png", red)
    write_image(tmp_path / "red" / "b.png", np.dstack([red, solid(255, channels=1)]), "RGBA")
    (grey,) = collect(data.image_folder(tmp_path / "red", 4, channels=1, batch_size=2))
    assert grey.shape == (2, 4, 4, 1)
    # ITU-R 601 luma of pure red is 0.299 * 255 = 76; alpha is dropped.
    np.testing.assert_allclose(grey.numpy(), 76 / 127.5 - 1.0, atol=1.5 / 127.5)


def test_center_crop_removes_the_borders_of_a_wide_image(tmp_path):
    image = np.zeros((8, 12, 3), np.uint8)
    image[:, :, 2] = 255  # blue borders, 2 px left and right
    image[:, 2:10] = (255, 0, 0)  # red 8x8 centre
    write_image(tmp_path / "wide.png", image)
    (batch,) = collect(data.image_folder(tmp_path, 4, batch_size=1))
    np.testing.assert_allclose(batch.numpy()[0, ..., 0], 1.0)  # red everywhere
    np.testing.assert_allclose(batch.numpy()[0, ..., 2], -1.0)  # no blue left


def test_center_crop_to_a_non_square_size(tmp_path):
    image = np.zeros((12, 12, 3), np.uint8)
    image[3:9] = 255  # a white band 6 rows high across the middle
    write_image(tmp_path / "square.png", image)
    (batch,) = collect(data.image_folder(tmp_path, (2, 4), batch_size=1))
    assert batch.shape == (1, 2, 4, 3)
    # A 2:4 window of a 12x12 image is its middle 6 rows: the white band only.
    np.testing.assert_allclose(batch.numpy(), 1.0)


@pytest.mark.parametrize("cache", [True, False])
def test_seeded_shuffle_is_reproducible(tmp_path, cache):
    grey_folder(tmp_path, 16)

    def order(seed):
        dataset = data.image_folder(tmp_path, 4, batch_size=4, seed=seed, cache=cache)
        return ids(collect(dataset)), ids(collect(dataset))

    first_epoch, second_epoch = order(seed=1)
    assert order(seed=1) == (first_epoch, second_epoch)
    assert sorted(first_epoch) == list(range(16))
    assert first_epoch != list(range(16))  # shuffled
    assert second_epoch != first_epoch  # reshuffled every epoch
    assert order(seed=2)[0] != first_epoch

    unshuffled = data.image_folder(tmp_path, 4, batch_size=4, shuffle=False, cache=cache)
    assert ids(collect(unshuffled)) == list(range(16))


def test_an_image_folder_has_a_known_length_so_keras_does_not_run_out_of_data(tmp_path):
    grey_folder(tmp_path, 10)
    dataset = data.image_folder(tmp_path, 4, batch_size=4, seed=0)
    assert int(dataset.cardinality()) == 2  # 10 // 4, as many batches as one pass gives
    assert int(data.image_folder(tmp_path, 4, batch_size=4, drop_remainder=False).cardinality()) == 3
    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(loss="mse")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(dataset.map(lambda x: (x, x[:, 0, 0, :1])), epochs=2, verbose=0)
    assert not [str(w.message) for w in caught if "ran out of data" in str(w.message)]


def test_drop_remainder(tmp_path):
    grey_folder(tmp_path, 10)
    dropped = collect(data.image_folder(tmp_path, 4, batch_size=4, shuffle=False))
    assert [b.shape[0] for b in dropped] == [4, 4]
    kept = data.image_folder(tmp_path, 4, batch_size=4, shuffle=False, drop_remainder=False)
    assert [b.shape[0] for b in collect(kept)] == [4, 4, 2]


@pytest.mark.parametrize("cache", [True, False])
@pytest.mark.parametrize("bad_name", ["aaa_bad.png", "zzz_bad.jpg"])
def test_corrupt_file_is_skipped_with_one_warning_across_epochs(tmp_path, cache, bad_name):
    # "aaa" sorts first and is caught by the construction-time probe; "zzz"
    # is only met by the pipeline.
    grey_folder(tmp_path, 5)
    bad = tmp_path / bad_name
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not really an image")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = data.image_folder(tmp_path, 4, batch_size=1, shuffle=True, seed=0, cache=cache)
        epochs = [ids(collect(dataset)) for _ in range(2)]
    # The probe drops a bad first file; one met later is made up by an image of the next pass, so the
    # data set keeps its known length (6 files, 6 images an epoch).
    length = 5 if bad_name.startswith("aaa") else 6
    assert int(dataset.cardinality()) == length
    for epoch in epochs:
        assert len(epoch) == length and sorted(set(epoch)) == list(range(5))
    about_bad = [w for w in caught if str(bad) in str(w.message)]
    assert len(about_bad) == 1, [str(w.message) for w in caught]
    assert issubclass(about_bad[0].category, UserWarning)


@pytest.mark.parametrize("cache", [True, False])
def test_cache_true_keeps_images_after_their_files_go(tmp_path, cache):
    grey_folder(tmp_path, 4)
    dataset = data.image_folder(tmp_path, 4, batch_size=1, shuffle=False, cache=cache)
    assert ids(collect(dataset)) == [0, 1, 2, 3]
    os.remove(tmp_path / "img03.png")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        second = ids(collect(dataset))
    if cache:
        assert second == [0, 1, 2, 3] and not caught
    else:
        assert second == [0, 1, 2, 0]  # the known length kept: the missing image made up by the next pass's first
        assert any("img03.png" in str(w.message) for w in caught)


def test_cache_auto_follows_available_memory(tmp_path, monkeypatch):
    grey_folder(tmp_path, 4)
    for memory, cached in [(0, False), (1 << 40, True)]:
        monkeypatch.setattr(folder_module, "available_memory", lambda memory=memory: memory)
        dataset = data.image_folder(tmp_path, 4, batch_size=1, shuffle=False)
        collect(dataset)
        os.rename(tmp_path / "img03.png", tmp_path / "moved.txt")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert ids(collect(dataset)) == ([0, 1, 2, 3] if cached else [0, 1, 2, 0])  # uncached: img03 made up
        os.rename(tmp_path / "moved.txt", tmp_path / "img03.png")
    assert folder_module.available_memory() is None or folder_module.available_memory() > 0


def test_image_folder_errors(tmp_path):
    with pytest.raises(ValueError, match=r"'.*missing' does not exist"):
        data.image_folder(tmp_path / "missing", 8)
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "sub" / "readme.txt").write_text("hi")
    with pytest.raises(ValueError, match=r"No image files .* found under '.*empty'"):
        data.image_folder(tmp_path / "empty", 8)
    for name in ("a.png", "b.jpg"):
        (tmp_path / "broken" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "broken" / name).write_bytes(b"garbage")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=r"None of the 2 image files under '.*broken' could be decoded"):
            data.image_folder(tmp_path / "broken", 8)

    grey_folder(tmp_path / "good", 3)
    with pytest.raises(ValueError, match=r"channels must be 1 \(grayscale\) or 3 \(RGB\), got 4"):
        data.image_folder(tmp_path / "good", 8, channels=4)
    with pytest.raises(ValueError, match="image_size must be positive, got 0"):
        data.image_folder(tmp_path / "good", 0)
    with pytest.raises(TypeError, match=r"image_size must be an int or a \(height, width\) pair"):
        data.image_folder(tmp_path / "good", (8, 8, 3))
    with pytest.raises(TypeError, match="image_size must be an int"):
        data.image_folder(tmp_path / "good", "64")
    with pytest.raises(ValueError, match=r"holds 3 images, fewer than batch_size=4"):
        data.image_folder(tmp_path / "good", 8, batch_size=4)
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        data.image_folder(tmp_path / "good", 8, batch_size=0)
    with pytest.raises(ValueError, match=r"cache must be 'auto', True or False, got 'yes'"):
        data.image_folder(tmp_path / "good", 8, batch_size=1, cache="yes")


# --- arrays ------------------------------------------------------------------------------


def test_from_array_scales_uint8():
    images = np.zeros((8, 5, 5), np.uint8)
    images[::2] = 255
    dataset = data.from_array(images, batch_size=4, shuffle=False)
    assert tuple(dataset.element_spec.shape) == (4, 5, 5, 1)
    batch = next(iter(dataset)).numpy()
    assert batch.dtype == np.float32
    np.testing.assert_array_equal(batch[:, 0, 0, 0], [1.0, -1.0, 1.0, -1.0])


def test_from_array_passes_scaled_floats_and_rejects_wrongly_scaled_ones():
    scaled = np.linspace(-1, 1, 4 * 3 * 3 * 3, dtype=np.float64).reshape(4, 3, 3, 3)
    (batch,) = collect(data.from_array(scaled, batch_size=4, shuffle=False))
    np.testing.assert_allclose(batch.numpy(), scaled, atol=1e-6)

    with pytest.raises(ValueError, match=r"found values in \[0, 255\].*0-255 images"):
        data.from_array(scaled * 127.5 + 127.5, batch_size=4)
    with pytest.raises(ValueError, match=r"found values in \[0, 1\].*\[0, 1\] images: pass images \* 2 - 1"):
        data.from_array(scaled / 2 + 0.5, batch_size=4)
    with pytest.raises(ValueError, match="NaN or infinity"):
        data.from_array(np.full((4, 3, 3, 1), np.nan, np.float32), batch_size=4)
    with pytest.raises(TypeError, match="got dtype int64.*astype"):
        data.from_array(np.zeros((4, 3, 3, 1), np.int64), batch_size=4)
    with pytest.raises(ValueError, match=r"got shape \(4, 3\)"):
        data.from_array(np.zeros((4, 3), np.uint8), batch_size=4)
    with pytest.raises(ValueError, match="There are 3 images, fewer than batch_size=4"):
        data.from_array(np.zeros((3, 3, 3), np.uint8), batch_size=4)


def test_from_array_resizes_and_converts_channels():
    images = np.zeros((4, 28, 28, 1), np.uint8)
    images[:, :, 14:] = 255
    dataset = data.from_array(images, batch_size=2, image_size=32, channels=3, shuffle=False)
    assert tuple(dataset.element_spec.shape) == (2, 32, 32, 3)
    batch = next(iter(dataset)).numpy()
    np.testing.assert_allclose(batch[..., 0], batch[..., 2])
    np.testing.assert_allclose(batch[:, :, :10], -1.0)
    np.testing.assert_allclose(batch[:, :, 22:], 1.0)


def test_from_array_labels_follow_their_images():
    images = np.arange(12, dtype=np.uint8).reshape(12, 1, 1, 1) * 20
    dataset = data.from_array(images, labels=np.arange(12), batch_size=3, seed=0)
    order = []
    for batch, labels in dataset:
        np.testing.assert_array_equal(np.rint((batch.numpy()[:, 0, 0, 0] + 1) * 127.5), labels * 20)
        order.extend(labels.numpy().tolist())
    assert sorted(order) == list(range(12)) and order != list(range(12))
    again = data.from_array(images, labels=np.arange(12), batch_size=3, seed=0)
    assert [y for _, labels in again for y in labels.numpy().tolist()] == order


# --- IDX, .npz and named data sets -------------------------------------------------------


def test_mnist_idx_reads_the_real_test_set(shared_data):
    folder = shared_data("mnist")
    images, labels = data.mnist_idx(folder / "t10k-images-idx3-ubyte.gz")
    assert images.shape == (10000, 28, 28, 1) and images.dtype == np.uint8
    assert labels.shape == (10000,)
    assert sorted(set(labels.tolist())) == list(range(10))
    assert images.max() == 255 and images.min() == 0
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]  # the canonical first t10k labels

    dataset = data.load_dataset(folder, image_size=32, channels=3, batch_size=100, seed=0)
    assert tuple(dataset.element_spec.shape) == (100, 32, 32, 3)
    assert dataset.cardinality().numpy() == 100
    assert data.count_images(folder) == 10000


def test_idx_files_written_here(tmp_path):
    pixels = np.arange(2 * 3 * 4, dtype=np.uint8)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(2051, (2, 3, 4), pixels))
    with gzip.open(tmp_path / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(idx_bytes(2049, (2,), [3, 9]))
    images, labels = data.mnist_idx(tmp_path / "train-images-idx3-ubyte")
    np.testing.assert_array_equal(images, pixels.reshape(2, 3, 4, 1))
    assert labels.tolist() == [3, 9]

    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x-images-idx3-ubyte").write_bytes(idx_bytes(2051, (1, 2, 2), [0] * 4))
    assert data.mnist_idx(tmp_path / "other" / "x-images-idx3-ubyte")[1] is None


def test_idx_errors(tmp_path):
    labels_file = tmp_path / "bad-images-idx3-ubyte.gz"
    with gzip.open(labels_file, "wb") as f:
        f.write(idx_bytes(2049, (2,), [1, 2]))
    with pytest.raises(ValueError, match=r"has IDX magic number 2049, expected 2051"):
        data.mnist_idx(labels_file)
    truncated = tmp_path / "short-images-idx3-ubyte"
    truncated.write_bytes(idx_bytes(2051, (2, 3, 3), [0] * 10))
    with pytest.raises(ValueError, match="should hold 18 bytes .* holds 10; the file is truncated"):
        data.mnist_idx(truncated)
    images = tmp_path / "ok-images-idx3-ubyte"
    images.write_bytes(idx_bytes(2051, (2, 1, 1), [0, 0]))
    (tmp_path / "ok-labels-idx1-ubyte").write_bytes(idx_bytes(2049, (3,), [0, 1, 2]))
    with pytest.raises(ValueError, match="holds 3 labels but .* holds 2 images"):
        data.mnist_idx(images)
    with pytest.raises(ValueError, match="'.*nothing-idx3-ubyte' does not exist"):
        data.mnist_idx(tmp_path / "nothing-idx3-ubyte")
    cut = tmp_path / "cut-images-idx3-ubyte.gz"
    cut.write_bytes(gzip.compress(idx_bytes(2051, (1, 2, 2), [0] * 4))[:-10])
    with pytest.raises(ValueError, match="Could not read '.*cut-images-idx3-ubyte.gz'.*corrupt"):
        data.mnist_idx(cut)


def test_npz_in_keras_and_plain_layouts(tmp_path):
    x_train, x_test = np.zeros((5, 4, 4), np.uint8), np.full((3, 4, 4), 255, np.uint8)
    np.savez(tmp_path / "keras.npz", x_train=x_train, y_train=np.arange(5), x_test=x_test, y_test=np.arange(3))
    images, labels = data.load_arrays(tmp_path / "keras.npz")
    assert images.shape == (8, 4, 4, 1)
    assert labels.tolist() == [0, 1, 2, 3, 4, 0, 1, 2]

    np.savez(tmp_path / "plain.npz", images=np.zeros((6, 4, 4, 3), np.uint8))
    images, labels = data.load_arrays(tmp_path / "plain.npz")
    assert images.shape == (6, 4, 4, 3) and labels is None
    dataset = data.load_dataset(tmp_path / "plain.npz", batch_size=2, channels=1)
    assert tuple(dataset.element_spec.shape) == (2, 4, 4, 1)

    np.savez(tmp_path / "odd.npz", pictures=np.zeros((2, 4, 4), np.uint8))
    with pytest.raises(ValueError, match=r"holds the arrays \['pictures'\]; expected images under 'x_train'"):
        data.load_arrays(tmp_path / "odd.npz")


def test_named_dataset_through_keras(monkeypatch):
    x, y = np.zeros((3, 4, 4, 3), np.uint8), np.array([[1], [2], [3]])
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", lambda: ((x, y), (x[:1], y[:1])))
    images, labels = data.load_arrays("cifar10")
    assert images.shape == (4, 4, 4, 3) and labels.tolist() == [1, 2, 3, 1]

    def offline():
        raise Exception("URL fetch failure on https://storage.googleapis.com/...")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(ValueError, match=r"Could not load 'mnist' .* Pass a local path instead"):
        data.load_dataset("mnist")


def test_load_dataset_on_an_image_folder_and_its_errors(tmp_path):
    grey_folder(tmp_path / "faces", 5)
    dataset = data.load_dataset(tmp_path / "faces", batch_size=2)
    assert tuple(dataset.element_spec.shape) == (2, 64, 64, 3)
    assert data.count_images(tmp_path / "faces") == 5
    with pytest.raises(ValueError, match=r"holds 5 images, fewer than batch_size=8"):
        data.load_dataset(tmp_path / "faces", batch_size=8)
    with pytest.raises(ValueError, match=r"'.*nowhere' not found: .* names mnist, fashion_mnist"):
        data.load_dataset(tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(ValueError, match=r"'.*notes.txt' is not a data set file: pass an .npz file"):
        data.load_dataset(tmp_path / "notes.txt")


# ---------------------------------------------------------------- semi-supervised data: labels -1, a labelled minibatch


def test_keep_labels_keeps_as_many_of_each_class_and_hides_the_rest():
    labels = np.arange(60) % 3
    kept = data.keep_labels(labels, 7, seed=0)
    shown = kept != data.UNLABELLED
    assert shown.sum() == 7 and [int((kept == k).sum()) for k in range(3)] == [3, 2, 2]
    np.testing.assert_array_equal(kept[shown], labels[shown])  # a kept label is the image's own
    np.testing.assert_array_equal(kept, data.keep_labels(labels, 7, seed=0))
    assert not np.array_equal(kept, data.keep_labels(labels, 7, seed=1))
    with pytest.raises(ValueError, match=r"count must be an int from 3 .* to 60"):
        data.keep_labels(labels, 2)
    with pytest.raises(ValueError, match="class 1 has 1 images, fewer than the 2 labels"):
        data.keep_labels(np.array([0, 0, 0, 1, 2, 2]), 6)


def test_semi_supervised_batches_are_every_image_unlabelled_then_a_labelled_minibatch():
    images = (np.arange(24)[:, None, None, None] * np.ones((24, 2, 2, 1)) * 10).astype("uint8")  # image i = 10·i
    labels = np.full(24, data.UNLABELLED)
    labels[[3, 7, 11]] = [0, 1, 1]
    dataset = data.semi_supervised(images, labels, batch_size=8, seed=0)  # labelled minibatch: min(8, 3)
    assert dataset.class_names == ["0", "1"] and int(dataset.cardinality()) == 3
    seen, labelled = [], []
    for x, y in dataset:
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == (11, 2, 2, 1) and x.dtype == np.float32 and y.dtype == np.int32
        index = np.round((x[:, 0, 0, 0] + 1) * 127.5 / 10).astype(int)
        assert np.all(y[:8] == data.UNLABELLED)
        seen += index[:8].tolist()
        labelled += list(zip(index[8:].tolist(), y[8:].tolist()))
    assert sorted(seen) == list(range(24))  # one epoch: one pass over every image, its label hidden
    assert sorted(labelled) == sorted([(3, 0), (7, 1), (11, 1)] * 3)  # every batch: the labelled images, labels shown
    with pytest.raises(ValueError, match="every label is -1"):
        data.semi_supervised(images, np.full(24, data.UNLABELLED))
    with pytest.raises(ValueError, match="or -1 for an unlabelled image; got -3"):
        data.semi_supervised(images, np.where(labels == 0, -3, labels))
