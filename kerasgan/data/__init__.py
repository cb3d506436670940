"""`tf.data` pipelines that yield float32 NHWC images in [-1, 1].

`load_dataset` takes anything the CLI accepts (a Keras data set name, an .npz
or IDX file, a folder of IDX files or of images; `EMBEDDED_MNIST` is the
MNIST test set shipped with the package); `image_folder` and
`from_array` build the two kinds of pipeline behind it. `paired_images` and
`unpaired_images` yield `(images_a, images_b)` for image-to-image translation;
`captioned_mnist_dataset`, `captioned_folder` and `from_captions` yield `(images, text)`;
`semi_supervised` yields `(images, labels)` with `UNLABELLED` (-1) labels and a labelled minibatch per batch.
"""

from kerasgan.data.arrays import (
    DATASET_NAMES,
    EMBEDDED_MNIST,
    UNLABELLED,
    count_images,
    from_array,
    keep_labels,
    load_arrays,
    load_dataset,
    mnist_idx,
    semi_supervised,
)
from kerasgan.data.captions import (
    caption_pairs,
    caption_words,
    captioned_folder,
    captioned_mnist,
    captioned_mnist_dataset,
    describe,
    from_captions,
    stroke_properties,
)
from kerasgan.data.folder import (
    IMAGE_EXTENSIONS,
    TooFewImagesError,
    center_crop_resize,
    image_folder,
    list_image_files,
    read_image,
)
from kerasgan.data.paired import held_out_images, paired_files, paired_images, unpaired_images
from kerasgan.data.points import GaussianMixture, from_points, grid, ring, stacked_mnist
from kerasgan.data.super_resolution import downscale, sr_pairs, sr_patches, sr_test_images, upscale_bicubic

__all__ = [
    "DATASET_NAMES",
    "EMBEDDED_MNIST",
    "IMAGE_EXTENSIONS",
    "TooFewImagesError",
    "UNLABELLED",
    "GaussianMixture",
    "caption_pairs",
    "caption_words",
    "captioned_folder",
    "captioned_mnist",
    "captioned_mnist_dataset",
    "center_crop_resize",
    "describe",
    "from_captions",
    "stroke_properties",
    "count_images",
    "downscale",
    "from_array",
    "from_points",
    "grid",
    "held_out_images",
    "image_folder",
    "keep_labels",
    "list_image_files",
    "load_arrays",
    "load_dataset",
    "mnist_idx",
    "paired_files",
    "paired_images",
    "read_image",
    "ring",
    "semi_supervised",
    "stacked_mnist",
    "sr_pairs",
    "sr_patches",
    "sr_test_images",
    "unpaired_images",
    "upscale_bicubic",
]
