"""pix2pix on CMP Facades (Isola et al. 2017): architectural label maps in, facade photos out, 256×256.

    python examples/facades_pix2pix.py             # the pix2pix authors' archive (a download, once)
    python examples/facades_pix2pix.py facades/    # a local copy: facades/train/ and val/ of A|B files

The archive, http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz, holds
facades/{train,val,test}/ with 400 / 100 / 106 images of 512×256: the photo on the left half (A), its
label map on the right (B), as `kerasgan.data.paired_images` reads side-by-side pairs. The model learns
B → A, the paper's direction (labels → photo). The paper's recipe: batch 1, random jitter (resize to
286, random 256 crop, flips), λ = 100 L1, Adam(2e-4, 0.5), 200 epochs. The grids translate the first 8
images of val/ (label map | translation | photo); translated.png is the final translation of them.

Time for the default 200 epochs (80,000 steps of one pair): about 23 CPU-hours (1.05 CPU-seconds a step,
measured over 10 steps on synthetic batches, 2 shared CPU cores at load 5–7): not a CPU job. On a GPU a step
(the U-Net's 18.6 GMAC forward pass, the PatchGAN three times, and their gradients: about 0.2 TFLOP) takes
some 20–40 ms on a V100-class card: roughly 30–60 minutes (estimated, not measured).
"""

import os

from example_args import data_source, fit, parse

import kerasgan

args = parse(__doc__, epochs=200, data="facades", data_help="the facades folder (train/, val/)", image_size=256)
folder = data_source(
    args.data, "facades", "the facades folder, with train/ and val/ of side-by-side photo|labels images"
)
size, run = args.image_size, args.run_dir
train, val = os.path.join(folder, "train"), os.path.join(folder, "val")


def labels_to_photo(photo, labels):
    return labels, photo


dataset = kerasgan.data.paired_images(train, image_size=size, batch_size=1, seed=0).map(labels_to_photo)
pairs = kerasgan.data.paired_images(
    val, image_size=size, batch_size=8, shuffle=False, jitter=False, flip=False, drop_remainder=False
)
held_labels, held_photos = labels_to_photo(*next(iter(pairs)))

model = kerasgan.models.Pix2Pix(image_shape=(size, size, 3), seed=0)
model.compile()  # Adam(2e-4, beta_1=0.5) for both networks, as in the paper
callbacks = kerasgan.callbacks.run_callbacks(
    run, translation_inputs=held_labels.numpy(), translation_targets=held_photos.numpy()
)
model = fit(model, dataset, args, callbacks)
model.save(f"{run}/pix2pix.keras")
kerasgan.callbacks.save_image_grid(f"{run}/translated.png", model.translate(held_labels.numpy()))
