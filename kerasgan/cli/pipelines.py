"""What a model's `data_kind` means for a run: its data flags, its data set, what the model is built for, its grids.

One `Pipeline` per data kind, found by the model class's `data_kind`, so a new
model of an existing kind adds nothing here and a new kind adds one class.
"""

import numpy as np

from kerasgan import callbacks, data
from kerasgan.cli.options import constructor_parameters
from kerasgan.models import AdversarialModel
from kerasgan_cli import DATA_KINDS

#: images held out of a translation model's training for its grids
GRID_IMAGES = 4
#: real images that Diagnostics probes with
REFERENCE_IMAGES = 64


class Pipeline:
    """How a model of one data kind reads its data and shows its progress.

    Args:
        name: the model's command-line name.
        model_class: its class.
        flags: the resolved training flags (`image_size`, `channels`,
            `batch_size`, `seed`, the data paths, ...).
        arguments: the constructor arguments the flags gave.
        batch_size: images per fit() step (the minibatch × the model's `d_steps`).
    """

    data_kind = None
    #: the data read when no data flag is given (None: one is required)
    default_data = None
    #: constructor arguments the data decides
    from_data = ("image_shape",)
    supports_diagnostics = False

    def __init__(self, name, model_class, flags, arguments, batch_size):
        self.name, self.model_class, self.flags, self.arguments = name, model_class, flags, arguments
        self.batch_size = batch_size

    @classmethod
    def check_flags(cls, name, flags):
        """Raises a one-line error for a data flag that does not apply, or a missing one."""
        kind = DATA_KINDS[cls.data_kind]
        for flag in ("data", "data_a", "data_b", "labelled"):
            if flags.get(flag) is not None and flag not in kind.data_flags:
                raise ValueError(
                    f"--{flag.replace('_', '-')} does not apply to {name}, which trains on {kind.data_help}."
                )

    def make_dataset(self):
        """A fresh `tf.data.Dataset`, one pass = one epoch (seeded: the same batches each call)."""
        raise NotImplementedError

    def steps_per_epoch(self):
        raise NotImplementedError

    def model_arguments(self):
        """What the model is built for, from the data: `image_shape`, the classes, ..."""
        raise NotImplementedError

    def callbacks(self, run_dir, every_n_epochs, seed, diagnostics_every=None):
        raise NotImplementedError


class Images(Pipeline):
    """Batches of images (`kerasgan.data.load_dataset`): the GAN family."""

    data_kind = "images"
    supports_diagnostics = True
    labels = False

    #: no --data: the MNIST test set shipped with the package (labelled, so the conditional models take it too)
    default_data = data.EMBEDDED_MNIST

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            self.first = self.make_dataset()
        except data.TooFewImagesError as error:  # its advice is the Python API's (drop_remainder=False)
            raise ValueError(
                f"{self.flags['data']!r} holds {error.count} images, fewer than one batch of {error.batch_size}; "
                "lower --batch-size (with d_steps = k, each step reads k × --batch-size images)."
            ) from None

    def make_dataset(self):
        f = self.flags
        return data.load_dataset(
            f["data"],
            image_size=f["image_size"],
            channels=f["channels"],
            batch_size=self.batch_size,
            seed=f["seed"],
            labels=self.labels,
        )

    def image_shape(self):
        spec = self.first.element_spec[0] if self.labels else self.first.element_spec
        return tuple(int(s) for s in spec.shape[1:])

    def steps_per_epoch(self):
        # An image folder's length is unknown to tf.data: its file count, rather than a decoding pass to count it.
        count = int(self.first.cardinality())
        return count if count > 0 else max(1, data.count_images(self.flags["data"]) // self.batch_size)

    def model_arguments(self):
        return {"image_shape": self.image_shape()}

    def reference(self):
        """A batch of real images (and labels) for Diagnostics."""
        import numpy as np

        images, labels = [], []
        for batch in self.make_dataset():
            if self.labels:
                batch, y = batch
                labels.append(np.asarray(y))
            images.append(np.asarray(batch))
            if sum(map(len, images)) >= REFERENCE_IMAGES:
                break
        images = np.concatenate(images)[:REFERENCE_IMAGES]
        return (images, np.concatenate(labels)[:REFERENCE_IMAGES]) if self.labels else images

    def callbacks(self, run_dir, every_n_epochs, seed, diagnostics_every=None):
        reference = None if diagnostics_every is None else self.reference()
        return callbacks.run_callbacks(
            run_dir,
            every_n_epochs=every_n_epochs,
            seed=seed,
            diagnostics_reference=reference,
            diagnostics_every=diagnostics_every,
        )


class LabelledImages(Images):
    """Batches of (images, labels): the class-conditional models, built for the data's classes."""

    data_kind = "labelled_images"
    from_data = ("image_shape", "num_classes", "class_names")
    labels = True

    def model_arguments(self):
        names = list(self.first.class_names)
        return {"image_shape": self.image_shape(), "num_classes": len(names), "class_names": names}


class PartlyLabelledImages(LabelledImages):
    """(images, labels) batches of which only `--labelled N` images keep their label, each with a labelled minibatch.

    `kerasgan.data.keep_labels` keeps N // K labels per class (chosen by
    `--seed`) and `kerasgan.data.semi_supervised` serves every image
    unlabelled plus min(N, --batch-size) labelled ones per batch. The data
    must be an array data set with labels (MNIST, IDX files, .npz).
    """

    data_kind = "partly_labelled_images"
    supports_diagnostics = False
    #: --labelled when it is not given: the paper's MNIST setting
    default_labelled = 100

    def make_dataset(self):
        f = self.flags
        try:
            images, labels = data.load_arrays(f["data"])
        except ValueError as error:
            raise ValueError(
                f"{self.name} keeps --labelled N labels of an array data set (mnist, IDX files, an .npz with labels): "
                f"{error}"
            ) from None
        if labels is None:
            raise ValueError(f"{f['data']!r} holds no labels; {self.name} needs some (IDX labels file, .npz 'labels').")
        labelled = self.default_labelled if f.get("labelled") is None else f["labelled"]
        try:
            kept = data.keep_labels(labels, labelled, seed=f["seed"])
        except ValueError as error:
            raise ValueError(f"--labelled {labelled}: {error}") from None
        return data.semi_supervised(
            images,
            kept,
            batch_size=self.batch_size,
            seed=f["seed"],
            image_size=f["image_size"],
            channels=f["channels"],
        )


class CaptionedImages(Images):
    """Batches of (images, text): a caption folder (`kerasgan.data.captioned_folder`) or captioned MNIST IDX files.

    Caption strings get a text encoder over their words (`kerasgan.networks.text_encoder`); a folder with
    `embeddings.npy` gives the model its embeddings' size instead.
    """

    data_kind = "captioned_images"
    from_data = ("image_shape", "text_dim", "text_encoder")
    supports_diagnostics = False

    def is_mnist(self):
        import os

        spec = self.flags["data"]
        if os.path.isfile(spec):
            return True
        return os.path.isdir(spec) and any("images-idx3" in name for name in os.listdir(spec))

    def make_dataset(self):
        f = self.flags
        read_size = lambda size: self.model_class.data_image_size(size, self.arguments)  # StackGAN's stage I: half
        if self.is_mnist():
            if f["image_size"] not in (None, 28) or f["channels"] not in (None, 1):
                raise ValueError("The captioned MNIST is 28×28 grayscale; drop --image-size and --channels.")
            return data.captioned_mnist_dataset(
                f["data"], batch_size=self.batch_size, seed=f["seed"], image_size=read_size(28)
            )
        return data.captioned_folder(
            f["data"],
            image_size=read_size(64 if f["image_size"] is None else f["image_size"]),
            channels=3 if f["channels"] is None else f["channels"],
            batch_size=self.batch_size,
            seed=f["seed"],
        )

    def steps_per_epoch(self):
        return len(self.first.captions) // self.batch_size

    def model_arguments(self):
        from kerasgan import networks

        images, text = self.first.element_spec
        arguments = {"image_shape": tuple(int(s) for s in images.shape[1:])}
        if text.dtype.name != "string":
            arguments["text_dim"] = int(text.shape[-1])
        elif self.model_class.encodes_data_text(self.arguments):  # StackGAN's stage II reads as its stage I does
            arguments["text_encoder"] = networks.text_encoder(networks.caption_vocabulary(self.first.captions))
        return arguments

    def callbacks(self, run_dir, every_n_epochs, seed, diagnostics_every=None):
        return callbacks.run_callbacks(run_dir, every_n_epochs=every_n_epochs, seed=seed)


class Translation(Pipeline):
    """Batches of (images_a, images_b), with the last `GRID_IMAGES` held out for translation grids."""

    paired = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        f = self.flags
        self.folders = (f["data"], None) if f.get("data") is not None else (f["data_a"], f["data_b"])
        self.size = f["image_size"]
        self.channels = f["channels"]

    def image_shape(self):
        return (self.size, self.size, self.channels)

    def grid_images(self):
        """(inputs, targets or None) of the grids."""
        a, b = data.held_out_images(
            *self.folders, self.size, **self.channel_arguments(), holdout=GRID_IMAGES, paired=self.paired
        )
        return a, b if self.paired else None

    def channel_arguments(self):
        return {"channels": self.channels}

    def callbacks(self, run_dir, every_n_epochs, seed, diagnostics_every=None):
        inputs, targets = self.grid_images()
        return callbacks.run_callbacks(
            run_dir,
            every_n_epochs=every_n_epochs,
            seed=seed,
            translation_inputs=inputs,
            translation_targets=targets,
        )


class PairedImages(Translation):
    """Aligned pairs (pix2pix): side-by-side A|B files, or two folders matched by file name."""

    data_kind = "paired_images"
    paired = True

    @classmethod
    def check_flags(cls, name, flags):
        super().check_flags(name, flags)
        if flags.get("data") is not None and (flags.get("data_a") or flags.get("data_b")):
            raise ValueError(
                f"{name} takes either --data (side-by-side A|B images) or --data-a and --data-b, not both."
            )
        if flags.get("data") is None and not (flags.get("data_a") and flags.get("data_b")):
            raise ValueError(f"kerasgan train {name} needs {DATA_KINDS[cls.data_kind].data_help}.")

    def target_channels(self):
        # A model with target_channels (pix2pix) may make other channels than it reads: --set target_channels=1.
        return self.arguments.get("target_channels", self.channels)

    def channel_arguments(self):
        return {"channels": self.channels, "target_channels": self.target_channels()}

    def make_dataset(self):
        return data.paired_images(
            *self.folders,
            image_size=self.size,
            **self.channel_arguments(),
            batch_size=self.batch_size,
            seed=self.flags["seed"],
            holdout=GRID_IMAGES,
        )

    def steps_per_epoch(self):
        pairs = len(data.paired_files(*self.folders)) - GRID_IMAGES
        if pairs < self.batch_size:
            raise ValueError(
                f"{self.folders[0]!r} holds {pairs} training pairs after the {GRID_IMAGES} held out for the grids, "
                f"fewer than --batch-size {self.batch_size}."
            )
        return pairs // self.batch_size

    def model_arguments(self):
        arguments = {"image_shape": self.image_shape()}
        if "target_channels" in constructor_parameters(self.model_class, AdversarialModel):
            arguments["target_channels"] = self.target_channels()
        return arguments


class UnpairedImages(Translation):
    """Two independent folders (CycleGAN)."""

    data_kind = "unpaired_images"
    paired = False

    @classmethod
    def check_flags(cls, name, flags):
        super().check_flags(name, flags)
        if not (flags.get("data_a") and flags.get("data_b")):
            raise ValueError(f"kerasgan train {name} needs {DATA_KINDS[cls.data_kind].data_help}.")

    def make_dataset(self):
        return data.unpaired_images(
            *self.folders,
            image_size=self.size,
            channels=self.channels,
            batch_size=self.batch_size,
            seed=self.flags["seed"],
            holdout=GRID_IMAGES,
        )

    def steps_per_epoch(self):
        return int(self.make_dataset().cardinality())

    def model_arguments(self):
        return {"image_shape": self.image_shape()}


class SuperResolutionPatches(Pipeline):
    """Random HR patches of an image folder (`--image-size`: their side) and their bicubic LR, `GRID_IMAGES` held out."""

    data_kind = "super_resolution"
    from_data = ("scale", "hr_size", "channels")

    @classmethod
    def check_flags(cls, name, flags):
        super().check_flags(name, flags)
        if flags.get("data") is None:
            raise ValueError(f"kerasgan train {name} needs {DATA_KINDS[cls.data_kind].data_help}.")

    def make_dataset(self):
        f = self.flags
        return data.sr_patches(
            f["data"],
            scale=f["scale"],
            hr_size=f["image_size"],
            batch_size=self.batch_size,
            channels=f["channels"],
            seed=f["seed"],
            holdout=GRID_IMAGES,
        )

    def steps_per_epoch(self):
        images = len(data.list_image_files(self.flags["data"])) - GRID_IMAGES
        if images < self.batch_size:
            raise ValueError(
                f"{self.flags['data']!r} holds {images} training images after the {GRID_IMAGES} held out for the "
                f"grids, fewer than --batch-size {self.batch_size}."
            )
        return images // self.batch_size

    def model_arguments(self):
        f = self.flags
        return {"scale": f["scale"], "hr_size": f["image_size"], "channels": f["channels"]}

    def callbacks(self, run_dir, every_n_epochs, seed, diagnostics_every=None):
        import os

        import keras

        f = self.flags
        files = data.list_image_files(f["data"])[-GRID_IMAGES:]
        hr = [
            data.center_crop_resize(data.read_image(file, f["channels"])[0], (f["image_size"],) * 2) for file in files
        ]
        hr = np.stack([np.asarray(h) for h in hr])
        lr = np.asarray(data.downscale(hr, f["scale"]), "float32") / 127.5 - 1.0
        tb = os.path.join(run_dir, "tb")
        return [
            callbacks.SuperResolutionGrid(
                os.path.join(run_dir, "images"), lr, hr / 127.5 - 1.0, every_n_epochs, tensorboard_dir=tb
            ),
            keras.callbacks.TensorBoard(tb),
            callbacks.GifBuilder(
                os.path.join(run_dir, "images"), os.path.join(run_dir, "progress.gif"), pattern="sr_*.png"
            ),
            callbacks.LossCurves(os.path.join(run_dir, callbacks.run.LOSSES_FILE)),
        ]


PIPELINES = {
    cls.data_kind: cls
    for cls in (
        Images,
        LabelledImages,
        PartlyLabelledImages,
        CaptionedImages,
        PairedImages,
        UnpairedImages,
        SuperResolutionPatches,
    )
}


def for_model(model_class):
    """The pipeline class of `model_class`'s data kind."""
    if model_class.data_kind not in PIPELINES:
        raise ValueError(
            f"{model_class.__name__}.data_kind is {model_class.data_kind!r}; the command line knows "
            f"{', '.join(PIPELINES)}."
        )
    return PIPELINES[model_class.data_kind]
