"""The shared base of the class-conditional models (ConditionalGAN, ACGAN): labels in, one grid row per class."""

import keras
import numpy as np
from keras import ops

from kerasgan.models.dcgan import DCGAN
from kerasgan.networks import conditional_generator


class ClassLabels:
    """What every model trained on (images, labels) batches shares (a mixin before its model base class).

    `num_classes`, `class_names`, reading the labels of a batch, `generate(labels=...)`'s label checks,
    and the check that the labels fit() sees are in [0, num_classes). A subclass calls
    `init_classes(...)` before its base class's `__init__` and `add_label_range()` after it.
    """

    data_kind = "labelled_images"
    #: the label that marks an unlabelled image in training data (SemiSupervisedAAE's -1); None: every image has its class
    unlabelled = None

    def init_classes(self, num_classes, class_names):
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
            raise ValueError(f"num_classes must be an int >= 2; got {num_classes!r}.")
        self.num_classes = int(num_classes)
        if class_names is not None:
            class_names = [str(name) for name in class_names]
            if len(class_names) != self.num_classes:
                raise ValueError(f"Got {len(class_names)} class_names for num_classes={self.num_classes}.")
        self.class_names = class_names

    def add_label_range(self):
        # Smallest and largest label fit() has seen (0 before any), checked by a
        # callback after the first step and every epoch: an out-of-range label
        # encodes to zeros in the networks rather than failing mid-graph.
        self._label_range = self.add_weight(
            shape=(2,), initializer="zeros", trainable=False, name="label_range", aggregation="only_first_replica"
        )

    def unpack_batch(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is None:
            raise ValueError(
                f"{type(self).__name__} is conditional: fit() needs (images, labels) batches. Load the data with "
                "labels (kerasgan.data.load_dataset(..., labels=True), or a folder with one sub-folder per class), "
                "or pass fit(images, labels)."
            )
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        seen = ops.cast(self._label_range, "int32")
        self._label_range.assign(
            ops.cast(
                ops.stack([ops.minimum(seen[0], ops.min(labels)), ops.maximum(seen[1], ops.max(labels))]), "float32"
            )
        )
        return images, labels

    def check_labels_seen(self):
        low, high = (int(v) for v in ops.convert_to_numpy(self._label_range))
        lowest = 0 if self.unlabelled is None else self.unlabelled
        if low < lowest or high >= self.num_classes:
            self.stop_training = True
            raise ValueError(
                f"fit() received the class label {low if low < lowest else high}, but {type(self).__name__} was built "
                f"for num_classes={self.num_classes} (labels 0..{self.num_classes - 1}{self._unlabelled_note()}). "
                "Build the model with the data's class count, or remap the labels."
            )

    def _unlabelled_note(self):
        return "" if self.unlabelled is None else f", or {self.unlabelled} for an unlabelled image"

    def fit(self, x=None, *args, **kwargs):
        names = getattr(x, "class_names", None)
        if names is not None and len(names) != self.num_classes:
            raise ValueError(
                f"The data set has {len(names)} classes ({', '.join(map(str, names[:5]))}"
                f"{', ...' if len(names) > 5 else ''}) but {type(self).__name__} was built for "
                f"num_classes={self.num_classes}; build it with num_classes={len(names)}."
            )
        y = args[0] if args else kwargs.get("y")
        if y is not None and not isinstance(y, (dict, tuple, list)):
            self._check_labels(np.asarray(y), training=True)
        return super().fit(x, *args, **kwargs)

    def _check_labels(self, labels, training=False):
        """Raises a clear error for labels that are no class index (in training, `unlabelled` is one too)."""
        if labels.size and not np.issubdtype(labels.dtype, np.integer) and not np.all(labels == np.round(labels)):
            raise ValueError(f"Class labels must be integers; got values such as {labels.ravel()[:5].tolist()}.")
        known = labels != self.unlabelled if training and self.unlabelled is not None else True
        bad = labels[known & ((labels < 0) | (labels >= self.num_classes))]
        if bad.size:
            note = self._unlabelled_note() if training else ""
            raise ValueError(
                f"Class labels must be in [0, {self.num_classes}) for num_classes={self.num_classes}{note}; got "
                f"{bad[:5].tolist()}{' ...' if bad.size > 5 else ''}."
            )

    def label_index(self, label):
        """The class index of `label`: an index, or a name from `class_names`."""
        if isinstance(label, str):
            if not self.class_names or label not in self.class_names:
                known = ", ".join(self.class_names or [])
                raise ValueError(f"Unknown class name {label!r}; the classes are: {known or 'unnamed (use indices)'}.")
            return self.class_names.index(label)
        return label

    def _labels_for(self, n, labels):
        """Labels for `n` samples: None cycles through the classes; one label (index or name) is repeated."""
        if labels is None:
            return np.arange(n, dtype="int32") % self.num_classes
        labels = np.asarray(
            [self.label_index(label) for label in labels]
            if isinstance(labels, (list, tuple))
            else self.label_index(labels)
        )
        if labels.ndim == 0:
            labels = np.full(n, labels)
        if labels.shape != (n,):
            raise ValueError(f"labels must be one label or {n} labels (one per sample); got shape {labels.shape}.")
        self._check_labels(labels)
        return labels.astype("int32")

    def grid_samples(self, latents):
        """One row per class, the same latents in each column (so a column is one "style")."""
        cols = max(1, len(latents) // self.num_classes)
        labels = np.repeat(np.arange(self.num_classes), cols)
        return self.generate(latents=np.tile(latents[:cols], (self.num_classes, 1)), labels=labels), cols

    def classes_config(self):
        return {"num_classes": self.num_classes, "class_names": self.class_names}


class ClassConditional(ClassLabels, DCGAN):
    """A DCGAN whose generator takes (latents, labels); trained on (images, labels) batches.

    Shared by `ConditionalGAN` and `ACGAN`: feeding the labels to both networks, and (from
    `ClassLabels`) the label checks, `generate(labels=...)` and a grid with one row per class.
    """

    generator_input_count = 2

    def __init__(
        self, num_classes=10, class_names=None, label_embedding=None, generator=None, discriminator=None, **kwargs
    ):
        self.init_classes(num_classes, class_names)
        self.label_embedding = None if label_embedding is None else int(label_embedding)
        super().__init__(generator=generator, discriminator=discriminator, **kwargs)
        self.add_label_range()

    def build_generator(self):
        return conditional_generator(
            self.latent_dim, self.num_classes, self.image_shape, self.base_filters, self.label_embedding
        )

    def _check_networks(self):
        super()._check_networks()
        labels = self.generator.inputs[1]
        if tuple(labels.shape[1:]) != () or "int" not in keras.backend.standardize_dtype(labels.dtype):
            raise ValueError(
                f"{type(self).__name__}'s generator must take [latents, labels] with integer labels of shape (batch,); "
                f"its second input is {labels.dtype} of shape {tuple(labels.shape)}."
            )

    def generator_inputs(self, latents, condition):
        return [latents, condition]

    def generate(self, n=None, labels=None, latents=None, seed=None, batch_size=256, use_ema=True):
        """Generates images of the given classes (float32 NHWC numpy array in [-1, 1]).

        Args:
            n: number of images (latents drawn from N(0, I) with `seed`).
            labels: one class for all images, or one per image (indices, or
                names from `class_names`); None cycles through the classes.
            latents: explicit latents (n, latent_dim) instead of `n`.
            seed, batch_size, use_ema: as for `GAN.generate`.
        """
        latents = self.latents_for(n, latents, seed)
        return self._generate(latents, self._labels_for(len(latents), labels), batch_size, use_ema)

    def get_config(self):
        return {**super().get_config(), **self.classes_config(), "label_embedding": self.label_embedding}
