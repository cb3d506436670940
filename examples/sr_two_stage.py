"""Two-stage ×4 super-resolution of an image folder: SRResNet (the PSNR stage), then SRGAN started from it.

    python examples/sr_two_stage.py IMAGE_FOLDER [--vgg-weights FILE.h5]   # e.g. ../shared/data/sr/CSet14

Ledig et al.'s recipe (2017, Section 3.2): train SRResNet on pixel MSE, then
start SRGAN's generator from it (`SRGAN.initialize_from`) and fine-tune it
against the VGG-style discriminator with the VGG19 φ5,4 content loss. Both
stages learn from random 96² HR crops (flipped, rotated; --image-size) of the
folder's images and their antialiased bicubic ÷4; the last 4 images are held
out. Stage 1 lives in RUN_DIR/psnr/ (checkpoints/, srresnet.keras), stage 2 in
RUN_DIR (checkpoints/, srgan.keras); each shows LR | bicubic | model | HR of
held-out crops in its images/ and TensorBoard. Then bicubic, SRResNet and
SRGAN are scored on the held-out images (Y-PSNR and SSIM, 4 border pixels
cropped: the papers' protocol) into RUN_DIR/evaluation.json, and SRGAN
upscales them in 32² LR tiles into RUN_DIR/upscaled/. --epochs and
--max-seconds apply to each stage (stage 2 starts from SRResNet as it stands
when stage 1 ends); running the script again with the same --run-dir
continues where it stopped.

The content loss needs VGG19's ImageNet weights: Keras downloads them once
(80 MB, vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5) into
~/.keras/models/. Offline, copy that file over and pass --vgg-weights FILE.h5.
`--vgg-weights stand-in` uses kerasgan.networks.vgg19_stand_in, a small random
network, instead: it checks that the pipeline runs (the tests use it), but
SRGAN then matches random features, so judge no results made with it.

The networks are the paper's (generator 16 blocks of 64 filters,
discriminator 64 filters; --small: 4 blocks of 32, 16). Expect, per step of 16 crops: on 2 CPU cores several seconds for
SRResNet and ~3× that for SRGAN (VGG19 runs on real and fake crops); on a
Colab T4 GPU a small fraction of a second. The paper trains 10⁶ SRResNet and
2·10⁵ SRGAN steps; a few thousand of each already beat bicubic in PSNR (stage
1) and sharpen the textures (stage 2).
"""

import argparse
import os
import sys

import keras
import numpy as np
from example_args import fit, parse

import kerasgan
from kerasgan import data
from kerasgan.metrics import super_resolution as srm

SCALE, BATCH, HELD_OUT = 4, 16, 4


def vgg_weights(text):
    if text not in ("imagenet", "stand-in") and not (text.endswith((".h5", ".keras")) and os.path.isfile(text)):
        raise argparse.ArgumentTypeError(f"{text!r} is neither imagenet, stand-in nor an existing .h5 or .keras file")
    return text


def own_flags(parser):
    parser.add_argument(
        "--vgg-weights",
        type=vgg_weights,
        default="imagenet",
        metavar="imagenet|FILE|stand-in",
        help="the content loss's VGG19: imagenet (downloaded once), a local copy of the weights (.h5) or a saved "
        "feature model (.keras), or stand-in (a small random network: runs offline, judges nothing)",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="a 4-block, 32-filter generator (16 and 64 in the paper) and a 16-filter discriminator (64)",
    )


args = parse(
    __doc__,
    epochs=20,
    data_help="a folder of HR images (png/jpg, searched recursively), each at least --image-size on its shorter side",
    image_size=96,
    own_flags=own_flags,
)
run, hr_size = args.run_dir, args.image_size
nets = {"n_blocks": 4, "filters": 32} if args.small else {}
d_nets = {"d_filters": 16} if args.small else {}
if args.vgg_weights == "stand-in":
    extractor = kerasgan.networks.vgg19_stand_in()
elif args.vgg_weights == "imagenet":
    extractor = "vgg19"
else:
    extractor = args.vgg_weights  # a file: checked (and loaded) when SRGAN is built

keras.utils.set_random_seed(0)
files = data.list_image_files(args.data)
if len(files) <= HELD_OUT:
    sys.exit(f"{args.data!r} holds {len(files)} images; the example needs more than the {HELD_OUT} it holds out.")


def patches():
    return data.sr_patches(
        args.data, scale=SCALE, hr_size=hr_size, batch_size=BATCH, patches_per_image=16, seed=0, holdout=HELD_OUT
    )


_, hr_images, lr_images = data.sr_test_images(files[-HELD_OUT:], SCALE)  # whole images, float32 in [-1, 1]
crops = np.stack([data.center_crop_resize(data.read_image(f, 3)[0], (hr_size, hr_size)) for f in files[-HELD_OUT:]])
grid_lr = np.asarray(data.downscale(crops, SCALE), "float32") / 127.5 - 1.0
grid_hr = crops.astype("float32") / 127.5 - 1.0


def callbacks(folder):
    return [
        kerasgan.callbacks.SuperResolutionGrid(f"{folder}/images", grid_lr, grid_hr, tensorboard_dir=f"{folder}/tb"),
        kerasgan.callbacks.GifBuilder(f"{folder}/images", f"{folder}/progress.gif", pattern="sr_*.png"),
        kerasgan.callbacks.TensorBoard(f"{folder}/tb"),
    ]


# Stage 1: SRResNet on pixel MSE, Adam(1e-4, beta_1=0.9) (its default compile()).
psnr_stage = argparse.Namespace(**{**vars(args), "run_dir": f"{run}/psnr"})
srresnet = kerasgan.models.SRResNet(scale=SCALE, hr_size=hr_size, seed=0, **nets)
srresnet.compile()
srresnet = fit(srresnet, patches, psnr_stage, callbacks(f"{run}/psnr"))
srresnet.save(f"{run}/psnr/srresnet.keras")


# Stage 2: SRGAN, its generator starting from SRResNet's (built only on a fresh start; a rerun restores it).
def srgan_from_srresnet():
    srgan = kerasgan.models.SRGAN(scale=SCALE, hr_size=hr_size, extractor=extractor, seed=0, **nets, **d_nets)
    srgan.initialize_from(srresnet)
    srgan.compile()  # Adam(1e-4, beta_1=0.9) for both networks
    return srgan


srgan = fit(srgan_from_srresnet, patches, args, callbacks(run))
srgan.save(f"{run}/srgan.keras")

# Scores on the held-out images, bicubic beside both stages, and SRGAN's tiled upscaling of them.
methods = {"bicubic": lambda lr: data.upscale_bicubic(lr, SCALE), "srresnet": srresnet.upscale, "srgan": srgan.upscale}
scores = {}
for method, upscale in methods.items():
    outputs = [upscale(lr) for lr in lr_images]
    scores[method] = {
        "psnr_y": float(np.mean([srm.psnr(o, h, crop=SCALE) for o, h in zip(outputs, hr_images)])),
        "ssim_y": float(np.mean([srm.ssim(o, h, crop=SCALE) for o, h in zip(outputs, hr_images)])),
    }
    print(f"{method:>9}: Y-PSNR {scores[method]['psnr_y']:.2f} dB, SSIM {scores[method]['ssim_y']:.4f}")
protocol = f"held-out images of {args.data}, ×{SCALE}, BT.601 Y, {SCALE} border pixels cropped"
kerasgan.utils.write_json_atomic(f"{run}/evaluation.json", {"protocol": protocol, "scores": scores})
os.makedirs(f"{run}/upscaled", exist_ok=True)
for file, lr in zip(files[-HELD_OUT:], lr_images):
    name = os.path.splitext(os.path.basename(file))[0] + ".png"
    kerasgan.callbacks.save_image_grid(f"{run}/upscaled/{name}", srgan.upscale(lr, tile=32)[None], cols=1, padding=0)
print(f"sr_two_stage.py: wrote {run}/evaluation.json and {run}/upscaled/")
