"""`MetricCallback`: sample quality scores during training, where `ModelCheckpoint` can see them."""

import keras
import numpy as np

from kerasgan.metrics.evaluate import Evaluator
from kerasgan.utils import checks
from kerasgan.utils.progress import silenced


class MetricCallback(keras.callbacks.Callback):
    """Computes FID / KID / IS / SWD / precision-recall every N epochs and logs them.

    At the end of every `every_n_epochs`-th epoch, `num_samples` images are
    generated (same seeds every time) and scored against the real images,
    whose statistics are computed once, at the start of training. Each score
    is written into the epoch's `logs` under its name ("fid", "kid",
    "kid_std", "is", "is_std", "swd", "precision", "recall"), so later
    callbacks and `History` see it, and to TensorBoard under `log_dir`.

    Order matters: Keras calls the callbacks in list order with one `logs`
    dict, so put `ModelCheckpoint(monitor="fid", ...)`, `EarlyStopping` or
    `keras.callbacks.TensorBoard` AFTER this callback. On epochs without a
    score the key is absent (ModelCheckpoint then warns and skips the epoch).

    Args:
        real: real images (array, `tf.data.Dataset` or iterable of batches).
        metrics: names or a comma-separated string, see `Evaluator`.
        extractor: feature extractor (see `kerasgan.metrics.extractors`);
            None: InceptionV3 with ImageNet weights.
        every_n_epochs: score every this many epochs.
        num_samples: generated images per evaluation (K).
        log_dir: TensorBoard folder for `tf.summary.scalar` writes (step =
            the 0-based epoch, as Keras' own epoch scalars); None for none.
        **kwargs: passed to `Evaluator` (batch_size, seed, cache_dir,
            data_key, kid_subsets, is_splits, ...).

    Attributes:
        history: list of `(epoch, scores)` computed so far.

    Example:
        gan.fit(dataset, epochs=100, callbacks=[
            kerasgan.metrics.MetricCallback(real_images, "fid", extractor=extractor, every_n_epochs=5,
                                            num_samples=5000, log_dir="logs/run1/tb"),
            keras.callbacks.ModelCheckpoint("logs/run1/best.keras", monitor="fid", mode="min",
                                            save_best_only=True),
        ])
    """

    def __init__(
        self, real, metrics=("fid",), extractor=None, every_n_epochs=1, num_samples=1000, log_dir=None, **kwargs
    ):
        super().__init__()
        self.every_n_epochs = checks.positive_int("MetricCallback", "every_n_epochs", every_n_epochs)
        self.evaluator = Evaluator(real, metrics, extractor=extractor, num_samples=num_samples, **kwargs)
        self.log_dir = log_dir
        self.history = []
        self._writer = None

    def on_train_begin(self, logs=None):
        from kerasgan.models import GAN

        if not isinstance(self.model, GAN):
            raise TypeError(
                f"MetricCallback needs a model with generate() and latent_dim (a kerasgan GAN); "
                f"got a {type(self.model).__name__}."
            )
        with silenced():
            self.evaluator.prepare()

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        with silenced():  # fit()'s bar is on screen
            scores = self.evaluator.score(self.model)
        scalars = {k: float(v) for k, v in scores.items() if np.isscalar(v)}
        if logs is not None:
            logs.update(scalars)
        self.history.append((epoch, scores))
        if self.log_dir is not None:
            import tensorflow as tf

            if self._writer is None:
                self._writer = tf.summary.create_file_writer(self.log_dir)
            with self._writer.as_default():
                for name, value in scalars.items():
                    tf.summary.scalar(name, value, step=epoch)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
