"""The contract every GAN variant passes: inherit `GANContract` and define `make_model`.

Shapes are tiny so a variant's whole contract runs in seconds.
"""

import keras
import numpy as np
import pytest


def tiny_images(n=32, shape=(8, 8, 1), seed=0):
    """Smooth random images in [-1, 1]: enough structure for a discriminator to learn."""
    rng = np.random.default_rng(seed)
    return np.tanh(rng.normal(size=(n, *shape)) * 1.5).astype("float32")


def weights_of(network):
    return [keras.ops.convert_to_numpy(v).copy() for v in network.weights]


def optimizer_state(optimizer):
    # In creation order: variable paths can change on reload (Keras renames the
    # layer inside a SpectralNormalization wrapper), the order cannot.
    return [keras.ops.convert_to_numpy(v).copy() for v in optimizer.variables]


class GANContract:
    """Tests shared by all variants. Subclasses set `image_shape` and implement `make_model(**kwargs)`."""

    image_shape = (8, 8, 1)
    batch_size = 8
    num_classes = None  # conditional models: fit() gets (images, labels)

    def make_model(self, **kwargs):
        raise NotImplementedError

    def data(self, n=None):
        return tiny_images(4 * self.batch_size if n is None else n, self.image_shape)

    def compiled(self, **kwargs):
        keras.utils.set_random_seed(7)  # same initial weights for every model a test builds
        gan = self.make_model(seed=7, **kwargs)
        gan.compile(
            d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5)
        )
        return gan

    def labels(self, n):
        return None if self.num_classes is None else np.arange(n, dtype="int32") % self.num_classes

    def generation_inputs(self, gan, latents):
        """(what `gan(...)` takes, the `generate()` arguments) for the same images from `latents`."""
        if self.num_classes is None:
            return latents, {}
        labels = np.arange(len(latents), dtype="int32") % self.num_classes
        return [latents, labels], {"labels": labels}

    def fit(self, gan, epochs=1, data=None):
        data = self.data() if data is None else data
        return gan.fit(
            data, self.labels(len(data)), epochs=epochs, batch_size=self.batch_size, shuffle=False, verbose=0
        ).history

    def test_fit_logs_finite_losses_and_accuracies(self):
        history = self.fit(self.compiled())
        for key in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake"):
            assert key in history, f"{key} missing from the logs {sorted(history)}"
            assert np.isfinite(history[key]).all()
        assert 0.0 <= history["d_acc_real"][0] <= 1.0 and 0.0 <= history["d_acc_fake"][0] <= 1.0

    def test_both_networks_are_updated(self):
        gan = self.compiled()
        before_g, before_d = weights_of(gan.generator), weights_of(gan.discriminator)
        self.fit(gan)
        changed_g = [not np.array_equal(a, b) for a, b in zip(before_g, weights_of(gan.generator))]
        changed_d = [not np.array_equal(a, b) for a, b in zip(before_d, weights_of(gan.discriminator))]
        trainable_g = [v.trainable for v in gan.generator.weights]
        # The logit's bias gets no gradient while every sample is inside the hinge margin.
        logit_bias = {id(w) for w in gan.discriminator.layers[-1].weights if w.path.endswith("bias")}
        trainable_d = [v.trainable and id(v) not in logit_bias for v in gan.discriminator.weights]
        # every trainable weight of both networks moved
        assert all(c for c, t in zip(changed_g, trainable_g) if t)
        assert all(c for c, t in zip(changed_d, trainable_d) if t)
        assert int(gan.g_optimizer.iterations) > 0 and int(gan.d_optimizer.iterations) > 0

    def test_generate_returns_float32_images_in_range(self):
        gan = self.compiled()
        images = gan.generate(5, seed=0)
        assert images.dtype == np.float32 and images.shape == (5, *self.image_shape)
        assert images.min() >= -1.0 and images.max() <= 1.0
        np.testing.assert_array_equal(images, gan.generate(5, seed=0))
        latents = np.zeros((3, gan.latent_dim), "float32")
        call_inputs, generate_kwargs = self.generation_inputs(gan, latents)
        expected = gan.generate(latents=latents, **generate_kwargs)
        assert expected.shape == (3, *self.image_shape)
        call_inputs = keras.tree.map_structure(keras.ops.convert_to_tensor, call_inputs)
        assert np.allclose(keras.ops.convert_to_numpy(gan(call_inputs)), expected, atol=1e-6)

    def test_config_round_trip(self):
        gan = self.make_model(seed=3)
        config = gan.get_config()
        clone = type(gan).from_config(config)
        assert type(clone) is type(gan)
        assert clone.get_config() == config
        assert clone.generator.count_params() == gan.generator.count_params()
        assert clone.discriminator.count_params() == gan.discriminator.count_params()

    def test_keras_round_trip_keeps_weights_and_optimizers(self, tmp_path):
        gan = self.compiled()
        self.fit(gan)
        path = tmp_path / "gan.keras"
        gan.save(path)
        loaded = keras.saving.load_model(path, safe_mode=True)
        assert type(loaded) is type(gan)
        for a, b in zip(
            weights_of(gan.generator) + weights_of(gan.discriminator),
            weights_of(loaded.generator) + weights_of(loaded.discriminator),
        ):
            np.testing.assert_array_equal(a, b)
        for original, restored in ((gan.d_optimizer, loaded.d_optimizer), (gan.g_optimizer, loaded.g_optimizer)):
            assert type(restored) is type(original)
            assert restored.get_config() == original.get_config()
            assert int(restored.iterations) == int(original.iterations) > 0
            expected, actual = optimizer_state(original), optimizer_state(restored)
            assert len(actual) == len(expected) > 1  # iterations plus slot variables
            for i, (a, b) in enumerate(zip(expected, actual)):
                np.testing.assert_array_equal(a, b, err_msg=f"optimizer variable {i}")

    def test_training_continued_after_loading_matches_uninterrupted_run(self, tmp_path):
        data = self.data()
        uninterrupted = self.compiled()
        expected = self.fit(uninterrupted, epochs=3, data=data)

        first = self.compiled()
        self.fit(first, epochs=1, data=data)
        first.save(tmp_path / "gan.keras")
        resumed = keras.saving.load_model(tmp_path / "gan.keras")
        continued = self.fit(resumed, epochs=2, data=data)
        for key in ("d_loss", "g_loss"):
            np.testing.assert_allclose(continued[key], expected[key][1:], rtol=1e-5, atol=1e-6, err_msg=key)

    def test_compile_refuses_single_optimizer_and_loss(self):
        gan = self.make_model()
        with pytest.raises(ValueError, match="d_optimizer=.*g_optimizer"):
            gan.compile(optimizer="adam")
        with pytest.raises(ValueError, match="constructor"):
            gan.compile(loss="binary_crossentropy")
        shared = keras.optimizers.Adam()
        with pytest.raises(ValueError, match="same object"):
            gan.compile(d_optimizer=shared, g_optimizer=shared)

    def test_fit_before_compile_says_so(self):
        with pytest.raises(RuntimeError, match="compile"):
            self.make_model().fit(self.data(), epochs=1, batch_size=self.batch_size, verbose=0)

    def test_rejects_labels_for_unconditional_model_and_their_absence_for_a_conditional_one(self):
        data = self.data()
        labels = None if self.num_classes else np.zeros(len(data), "int32")
        with pytest.raises(ValueError, match="labels"):
            self.compiled().fit(data, labels, epochs=1, batch_size=self.batch_size, verbose=0)

    def test_rejects_uint8_images(self):
        data = ((self.data() + 1) * 127.5).astype("uint8")
        with pytest.raises(TypeError, match=r"uint8.*\[-1, 1\]"):
            self.fit(self.compiled(), data=data)

    def test_rejects_images_in_0_255(self):
        data = (self.data() + 1) * 127.5
        with pytest.raises(ValueError, match=r"\[-1, 1\].*127.5"):
            self.fit(self.compiled(), data=data)

    def test_rejects_wrong_channel_count(self):
        h, w, c = self.image_shape
        data = tiny_images(2 * self.batch_size, (h, w, 4 - c if c in (1, 3) else 1))
        with pytest.raises(ValueError, match="channel"):
            self.fit(self.compiled(), data=data)
