"""pix2pix colourizing anime faces: grayscale face in, colour face out (64×64).

    python examples/anime_colorize_pix2pix.py IMAGE_FOLDER   # e.g. ../shared/data/anime_faces

The pairs are made on the fly from one folder of colour images: the input is
the image's luminance (as three equal channels), the target the image itself.
The last 16 faces are held out and shown in the translation grids
(input | colourized | original). On a CPU expect minutes per epoch.
With the paper's λ = 100 the colours come out plausible (saturated like real
faces) rather than the originals'; a larger L1Reconstruction weight
(objectives=[kerasgan.parts.L1Reconstruction(1000)]) trades that for a lower
L1 error (see tests/test_translation_real_data.py for measurements).
"""

import tensorflow as tf
from example_args import fit, parse

import kerasgan

args = parse(__doc__, epochs=20, data_help="a folder of colour images (png/jpg, searched recursively)", image_size=64)
folder, run, size = args.data, args.run_dir, args.image_size


def gray(images):
    return tf.image.grayscale_to_rgb(tf.image.rgb_to_grayscale(images))


images = kerasgan.data.image_folder(folder, size, batch_size=256, shuffle=False, drop_remainder=False)
faces = tf.concat(list(images), axis=0)
train, held_out = faces[:-16], faces[-16:]
dataset = (
    tf.data.Dataset.from_tensor_slices(train)
    .shuffle(len(train), seed=0)
    .map(tf.image.random_flip_left_right)
    .batch(16, drop_remainder=True)
    .map(lambda colour: (gray(colour), colour))
    .prefetch(tf.data.AUTOTUNE)
)

model = kerasgan.models.Pix2Pix(image_shape=(size, size, 3), seed=0)
model.compile()  # Adam(2e-4, beta_1=0.5) for both networks, as in the paper
callbacks = [
    kerasgan.callbacks.TranslationGrid(
        f"{run}/images", gray(held_out).numpy(), targets=held_out.numpy(), tensorboard_dir=f"{run}/tb"
    ),
    kerasgan.callbacks.GifBuilder(f"{run}/images", f"{run}/progress.gif", pattern="translations_*.png"),
    kerasgan.callbacks.TensorBoard(f"{run}/tb"),
]
model = fit(model, dataset, args, callbacks)
model.save(f"{run}/pix2pix.keras")
colourized = model.translate(gray(held_out).numpy())  # float32 in [-1, 1]
kerasgan.callbacks.save_image_grid(f"{run}/colourized.png", colourized)
