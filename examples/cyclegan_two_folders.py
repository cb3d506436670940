"""CycleGAN between two folders of unpaired images (horses ↔ zebras, summer ↔ winter, ...).

    python examples/cyclegan_two_folders.py FOLDER_A FOLDER_B [--image-size 128]

Trains with the paper's recipe (batch 1, Adam(2e-4, 0.5) for half the epochs
(100 of 200), then linear decay to zero over the rest, λ = 10, identity 0.5·λ,
a 50-image pool), holds out the last 8 images of each folder for the
translation grids (input | translation | reconstruction), and writes the
translations of the held-out A images to RUN_DIR/translated/.
"""

from example_args import fit, parse

import kerasgan

args = parse(
    __doc__, epochs=200, data_help="folder of domain-A images", data_b_help="folder of domain-B images", image_size=128
)
size, holdout, run = args.image_size, 8, args.run_dir

dataset = kerasgan.data.unpaired_images(args.data, args.data_b, image_size=size, batch_size=1, seed=0, holdout=holdout)
held_a, held_b = kerasgan.data.held_out_images(args.data, args.data_b, image_size=size, holdout=holdout, paired=False)
steps = int(dataset.cardinality()) * args.epochs

model = kerasgan.models.CycleGAN(image_shape=(size, size, 3), seed=0)
model.compile(*kerasgan.models.CycleGAN.paper_optimizers(constant_steps=steps // 2, decay_steps=steps - steps // 2))
callbacks = [
    kerasgan.callbacks.TranslationGrid(f"{run}/images", held_a, tensorboard_dir=f"{run}/tb"),
    kerasgan.callbacks.TranslationGrid(f"{run}/images_b2a", held_b, direction="b2a"),
    kerasgan.callbacks.GifBuilder(f"{run}/images", f"{run}/progress.gif", pattern="translations_*.png"),
    kerasgan.callbacks.TensorBoard(f"{run}/tb"),
]
model = fit(model, dataset, args, callbacks)
model.save(f"{run}/cyclegan.keras")
for i, image in enumerate(model.translate(held_a, "a2b")):
    kerasgan.callbacks.save_image_grid(f"{run}/translated/{i}.png", image[None], cols=1, padding=0)
