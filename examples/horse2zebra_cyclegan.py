"""CycleGAN on horse2zebra (Zhu et al. 2017): horses ↔ zebras from unpaired photos, 256×256.

    python examples/horse2zebra_cyclegan.py                 # the CycleGAN authors' archive (a download, once)
    python examples/horse2zebra_cyclegan.py horse2zebra/    # a local copy: trainA/ (horses), trainB/ (zebras)

The archive, http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/horse2zebra.zip, holds
horse2zebra/{trainA,trainB,testA,testB}/: 1,067 / 1,334 training and 120 / 140 test JPEGs of 256×256.
The paper's recipe: batch 1, an epoch of 1,334 steps (every zebra once, horses cycled), Adam(2e-4, 0.5)
constant for 100 epochs then decaying linearly to zero over 100 more, λ = 10, identity 0.5·λ, 50-image
pools, 9 residual blocks at 256. The grids translate the first 8 test images each way (testA/, testB/):
input | translation | reconstruction; zebras.png and horses.png are the final translations.

Time for the default 200 epochs (266,800 steps of one image per domain): 13 CPU-seconds a step (measured
over 10 steps on synthetic batches, 2 shared CPU cores at load 5–7), about 40 CPU-days: not a CPU job (try
--image-size 128 and fewer --epochs to see it move). On a GPU a step (six passes of a 56.8 GMAC ResNet
generator, six PatchGAN passes and their gradients: about 2 TFLOP) takes some 0.1–0.3 s: roughly 8 hours on
an A100-class card, a day on a V100 (estimated, not measured).
"""

import os

from example_args import data_source, fit, parse

import kerasgan

args = parse(
    __doc__,
    epochs=200,
    data="horse2zebra",
    data_help="the horse2zebra folder (trainA/, trainB/, testA/, testB/)",
    image_size=256,
)
folder = data_source(
    args.data, "horse2zebra", "the horse2zebra folder, with trainA/, trainB/ (horses, zebras) and testA/, testB/"
)
size, run = args.image_size, args.run_dir
train_a, train_b = os.path.join(folder, "trainA"), os.path.join(folder, "trainB")
test_a, test_b = os.path.join(folder, "testA"), os.path.join(folder, "testB")


def first_images(path, count=8):
    return next(iter(kerasgan.data.image_folder(path, size, batch_size=count, shuffle=False, drop_remainder=False)))


dataset = kerasgan.data.unpaired_images(train_a, train_b, image_size=size, batch_size=1, seed=0)
held_a, held_b = first_images(test_a).numpy(), first_images(test_b).numpy()
steps = int(dataset.cardinality()) * args.epochs

model = kerasgan.models.CycleGAN(image_shape=(size, size, 3), seed=0)
model.compile(*kerasgan.models.CycleGAN.paper_optimizers(constant_steps=steps // 2, decay_steps=steps - steps // 2))
callbacks = [
    *kerasgan.callbacks.run_callbacks(run, translation_inputs=held_a),
    kerasgan.callbacks.TranslationGrid(f"{run}/images_b2a", held_b, direction="b2a"),
]
model = fit(model, dataset, args, callbacks)
model.save(f"{run}/cyclegan.keras")
kerasgan.callbacks.save_image_grid(f"{run}/zebras.png", model.translate(held_a, "a2b"))
kerasgan.callbacks.save_image_grid(f"{run}/horses.png", model.translate(held_b, "b2a"))
