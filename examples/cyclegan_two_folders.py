"""CycleGAN between two folders of unpaired images (horses ↔ zebras, summer ↔ winter, ...).

    python examples/cyclegan_two_folders.py FOLDER_A FOLDER_B [IMAGE_SIZE]   # default 128

Trains with the paper's recipe (batch 1, Adam(2e-4, 0.5) for 100 epochs, then
linear decay to zero over 100 more, λ = 10, identity 0.5·λ, a 50-image pool),
holds out the last 8 images of each folder for the translation grids
(input | translation | reconstruction), and writes the translations of the
held-out A images to logs/cyclegan/translated/.
"""

import sys

import keras

import kerasgan

if len(sys.argv) < 3:
    sys.exit(f"usage: python {sys.argv[0]} FOLDER_A FOLDER_B [IMAGE_SIZE]")
folder_a, folder_b = sys.argv[1], sys.argv[2]
size = int(sys.argv[3]) if len(sys.argv) > 3 else 128
run, epochs, holdout = "logs/cyclegan", 200, 8

dataset = kerasgan.data.unpaired_images(folder_a, folder_b, image_size=size, batch_size=1, seed=0, holdout=holdout)
held_a, held_b = kerasgan.data.held_out_images(folder_a, folder_b, image_size=size, holdout=holdout, paired=False)
steps = int(dataset.cardinality()) * epochs

model = kerasgan.models.CycleGAN(image_shape=(size, size, 3), seed=0)
model.compile(*kerasgan.models.CycleGAN.paper_optimizers(constant_steps=steps // 2, decay_steps=steps - steps // 2))
model.fit(
    dataset,
    epochs=epochs,
    callbacks=[
        kerasgan.callbacks.TranslationGrid(f"{run}/images", held_a, tensorboard_dir=f"{run}/tb"),
        kerasgan.callbacks.TranslationGrid(f"{run}/images_b2a", held_b, direction="b2a"),
        kerasgan.callbacks.GifBuilder(f"{run}/images", f"{run}/progress.gif", pattern="translations_*.png"),
        keras.callbacks.TensorBoard(f"{run}/tb"),
    ],
)
model.save(f"{run}/cyclegan.keras")
for i, image in enumerate(model.translate(held_a, "a2b")):
    kerasgan.callbacks.save_image_grid(f"{run}/translated/{i}.png", image[None], cols=1, padding=0)
