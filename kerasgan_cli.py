"""The `kerasgan` command: its model table and argument parser, importable without TensorFlow.

`kerasgan --help` and `kerasgan train --help` are answered from here alone.
This module lies outside the `kerasgan` package on purpose: importing anything
inside the package runs `kerasgan/__init__.py`, which imports the models (and
TensorFlow) so that `import kerasgan; keras.saving.load_model(...)` works in a
fresh process. A command that runs imports `kerasgan.cli`, which does the work.

`MODELS` names every model the command line trains. Its rows are checked
against `kerasgan.models.MODELS` by the tests (same names, classes, data kinds
and summaries), so adding a model to the package and to this table is all the
command line needs: which data it reads, how its grids look, its defaults and
which flags apply follow from the class (`data_kind` and the constructor's
signature), never from its name.
"""

import argparse
import collections
import importlib
import os
import sys

#: One trainable model: where its class lives, the data it trains on and a one-line summary (its docstring's first line).
ModelEntry = collections.namedtuple("ModelEntry", ["module", "class_name", "data_kind", "summary"])

MODELS = {
    "gan": ModelEntry(
        "kerasgan.models.gan", "GAN", "images", "Generative adversarial network trained with `compile()` / `fit()`."
    ),
    "dcgan": ModelEntry("kerasgan.models.dcgan", "DCGAN", "images", "Deep convolutional GAN (Radford et al. 2015)."),
    "wgan": ModelEntry(
        "kerasgan.models.wgan", "WGAN", "images", "Wasserstein GAN (Arjovsky, Chintala, Bottou 2017), Algorithm 1."
    ),
    "wgan_gp": ModelEntry(
        "kerasgan.models.wgan_gp",
        "WGANGP",
        "images",
        "WGAN with gradient penalty (Gulrajani et al. 2017), Algorithm 1.",
    ),
    "progan": ModelEntry(
        "kerasgan.models.progan",
        "ProGAN",
        "images",
        "Progressive growing of GANs (Karras et al. 2018), every resolution trained inside one fit().",
    ),
    "stylegan": ModelEntry(
        "kerasgan.models.stylegan",
        "StyleGAN",
        "images",
        "StyleGAN (Karras et al. 2019): mapping to w, AdaIN after every convolution, per-pixel noise, constant 4×4 input.",
    ),
    "stylegan2": ModelEntry(
        "kerasgan.models.stylegan2",
        "StyleGAN2",
        "images",
        "StyleGAN2 (Karras et al. 2020): mapping to w, modulated convolutions, skip generator, residual discriminator.",
    ),
    "lsgan": ModelEntry(
        "kerasgan.models.lsgan",
        "LSGAN",
        "images",
        "Least squares GAN (Mao et al. 2017), with the 0-1 coding a = 0, b = c = 1.",
    ),
    "hinge_gan": ModelEntry(
        "kerasgan.models.hinge_gan",
        "HingeGAN",
        "images",
        "Hinge-loss GAN with a spectrally normalized discriminator (SNGAN style).",
    ),
    "ragan": ModelEntry(
        "kerasgan.models.ragan", "RaGAN", "images", "Relativistic average GAN (Jolicoeur-Martineau 2018), RaSGAN."
    ),
    "unrolled_gan": ModelEntry(
        "kerasgan.models.unrolled_gan",
        "UnrolledGAN",
        "images",
        "Unrolled GAN (Metz et al. 2017): the generator's loss is f_K(θ_G, θ_D) = f(θ_G, θ_D^K(θ_G, θ_D)).",
    ),
    "bigan": ModelEntry(
        "kerasgan.models.bigan",
        "BiGAN",
        "images",
        "BiGAN (Donahue et al. 2017) / ALI (Dumoulin et al. 2017): D tells (x, E(x)) from (G(z), z).",
    ),
    "aae": ModelEntry(
        "kerasgan.models.adversarial_autoencoder",
        "AdversarialAutoencoder",
        "images",
        "Adversarial autoencoder (Makhzani et al. 2016): E(x) is a code, G(E(x)) ≈ x, and D makes q(z) match p(z).",
    ),
    "aae_labels": ModelEntry(
        "kerasgan.models.adversarial_autoencoder",
        "LabelledPriorAAE",
        "labelled_images",
        "The adversarial autoencoder with label information in the adversarial regularization (Makhzani et al., §2.3).",
    ),
    "aae_semi": ModelEntry(
        "kerasgan.models.adversarial_autoencoder",
        "SemiSupervisedAAE",
        "partly_labelled_images",
        "The semi-supervised adversarial autoencoder (Makhzani et al., §5, Figure 8): q(y, z|x), a class y and a style z.",
    ),
    "fgan": ModelEntry(
        "kerasgan.models.fgan",
        "FGAN",
        "images",
        "f-GAN (Nowozin et al. 2016): D estimates D_f(P‖Q) by its variational bound, G minimizes the estimate.",
    ),
    "ebgan": ModelEntry(
        "kerasgan.models.ebgan",
        "EBGAN",
        "images",
        "Energy-based GAN (Zhao et al. 2017): D's energy is its reconstruction error, low on data, high on fakes.",
    ),
    "began": ModelEntry(
        "kerasgan.models.began",
        "BEGAN",
        "images",
        "Boundary equilibrium GAN (Berthelot et al. 2017): D autoencodes, G makes images D reconstructs as well as γ·real.",
    ),
    "cgan": ModelEntry(
        "kerasgan.models.conditional_gan",
        "ConditionalGAN",
        "labelled_images",
        "Conditional GAN (Mirza & Osindero 2014): both networks see the class label.",
    ),
    "acgan": ModelEntry(
        "kerasgan.models.acgan", "ACGAN", "labelled_images", "Auxiliary classifier GAN (Odena et al. 2017)."
    ),
    "infogan": ModelEntry(
        "kerasgan.models.infogan",
        "InfoGAN",
        "images",
        "InfoGAN (Chen et al. 2016): latent codes the generator must keep recoverable, learned without labels.",
    ),
    "gan_cls": ModelEntry(
        "kerasgan.models.gan_cls",
        "GANCLS",
        "captioned_images",
        "GAN-CLS (Reed et al. 2016): a text-conditioned DCGAN whose discriminator judges whether image and text match.",
    ),
    "stackgan": ModelEntry(
        "kerasgan.models.stackgan",
        "StackGAN",
        "captioned_images",
        "StackGAN (Zhang et al. 2017): stage I draws the text's rough shape at low resolution, stage II refines it at 2×.",
    ),
    "pix2pix": ModelEntry(
        "kerasgan.models.pix2pix",
        "Pix2Pix",
        "paired_images",
        "pix2pix (Isola et al. 2017): G maps x to y, a 70×70 PatchGAN judges (x, y) pairs.",
    ),
    "cyclegan": ModelEntry(
        "kerasgan.models.cycle_gan",
        "CycleGAN",
        "unpaired_images",
        "CycleGAN (Zhu et al. 2017): G: A → B, F: B → A, PatchGANs D_A and D_B, least squares, cycle consistency.",
    ),
    "discogan": ModelEntry(
        "kerasgan.models.discogan",
        "DiscoGAN",
        "unpaired_images",
        "DiscoGAN (Kim et al. 2017): encoder-decoder G_AB and G_BA, conv discriminators D_A and D_B, BCE, reconstruction.",
    ),
    "srresnet": ModelEntry(
        "kerasgan.models.srresnet",
        "SRResNet",
        "super_resolution",
        "SRResNet (Ledig et al. 2017): 16 residual blocks with BN and PReLU, a long skip, sub-pixel upsampling, pixel MSE.",
    ),
    "srgan": ModelEntry(
        "kerasgan.models.srgan",
        "SRGAN",
        "super_resolution",
        "SRGAN (Ledig et al. 2017): SRResNet's generator, a VGG-style discriminator, content + 10⁻³·adversarial loss.",
    ),
    "esrgan": ModelEntry(
        "kerasgan.models.esrgan",
        "ESRGAN",
        "super_resolution",
        "ESRGAN (Wang et al. 2018): an RRDB generator without BN against a relativistic average discriminator.",
    ),
}

#: What a data kind (a model class's `data_kind`) means on the command line: its data flags and defaults.
#: `image_size` and `channels` None: the data's own. The translation papers train 200 epochs at batch size 1.
DataKind = collections.namedtuple(
    "DataKind", ["data_flags", "image_size", "channels", "epochs", "batch_size", "data_help"]
)

DATA_KINDS = {
    "images": DataKind(("data",), None, None, 25, 64, "--data"),
    "labelled_images": DataKind(("data",), None, None, 25, 64, "--data (with labels)"),
    "partly_labelled_images": DataKind(
        ("data", "labelled"), None, None, 25, 64, "--data (MNIST, IDX or .npz, with labels) and --labelled N"
    ),
    "captioned_images": DataKind(
        ("data",),
        None,
        None,
        25,
        64,
        "--data FOLDER with captions.jsonl or a .txt per image (optional embeddings.npy), or MNIST IDX files "
        "(captioned from their labels); default: the captioned MNIST",
    ),
    "paired_images": DataKind(
        ("data", "data_a", "data_b"),
        256,
        3,
        200,
        1,
        "--data FOLDER of side-by-side A|B images, or --data-a DIR and --data-b DIR",
    ),
    "unpaired_images": DataKind(("data_a", "data_b"), 256, 3, 200, 1, "--data-a DIR and --data-b DIR"),
    # image_size: the HR patch side (SRGAN's 96; ESRGAN's own hr_size 128 with --image-size 128)
    "super_resolution": DataKind(("data",), 96, 3, 100, 16, "--data FOLDER of HR images"),
}

#: --precision: the Keras dtype policy the networks are built under (see the README's speed section).
PRECISIONS = {"fp32": "float32", "bf16": "mixed_bfloat16", "fp16": "mixed_float16"}

#: The part flags: flag -> (kind of part in kerasgan.parts, the constructor argument that takes it, repeatable).
PART_FLAGS = {
    "loss": ("loss", "loss", False),
    "target": ("target", "targets", True),
    "augment": ("augment", "augment", True),
    "regularizer": ("regularizer", "regularizers", True),
    "constraint": ("constraint", "constraints", True),
    "ema": ("ema", "ema", False),
    "objective": ("objective", "objectives", True),
}


def model_class(name):
    """The class registered as `name` (imports kerasgan, and so TensorFlow)."""
    entry = MODELS[name]
    return getattr(importlib.import_module(entry.module), entry.class_name)


def unknown_model(name):
    return f"Unknown model {name!r}; choose one of: {', '.join(MODELS)}."


def _model_table():
    width = max(map(len, MODELS))
    return "models:\n" + "\n".join(f"  {name:<{width}}  {entry.summary}" for name, entry in MODELS.items())


def _default(field, own="the data's own"):
    """'X' or 'X; Y for a, b': the default of a DataKind field over the models, the most common first."""
    by_value = collections.defaultdict(list)
    for name, entry in MODELS.items():
        by_value[getattr(DATA_KINDS[entry.data_kind], field)].append(name)
    ordered = sorted(by_value.items(), key=lambda item: -len(item[1]))
    text = [own if ordered[0][0] is None else str(ordered[0][0])]
    text += [f"{own if value is None else value} for {', '.join(names)}" for value, names in ordered[1:]]
    return "; ".join(text)


def build_parser():
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="kerasgan",
        description="Train, sample, evaluate and translate with kerasgan's models; each run writes a run folder.",
        epilog=_model_table() + "\n\nkerasgan train MODEL --help: the training flags.",
        formatter_class=formatter,
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks for errors")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="{train,sample,evaluate,translate,upscale,report}"
    )

    train = commands.add_parser(
        "train",
        help="train a model and write a run folder",
        formatter_class=formatter,
        description="Train MODEL and write a run folder: model.keras, config.json, checkpoints/, images/, "
        "progress.gif, tb/.",
        epilog=_model_table() + "\n\n" + _PART_EPILOG,
    )
    train.add_argument("model", metavar="MODEL", help="the model to train (see below)")
    data = train.add_argument_group("data")
    data.add_argument(
        "--data",
        help="mnist | fashion_mnist | cifar10 | an image folder | IDX files | an .npz file (cgan, acgan: with "
        "labels, e.g. one sub-folder per class); pix2pix: a folder of side-by-side A|B images; gan_cls, stackgan: a "
        "folder with captions.jsonl or one .txt per image (and optionally embeddings.npy). Default for the "
        "image models: the MNIST test set shipped with kerasgan (no download), captioned for gan_cls and stackgan",
    )
    data.add_argument("--data-a", metavar="DIR", help="pix2pix, cyclegan, discogan: folder of domain-A (input) images")
    data.add_argument(
        "--data-b",
        metavar="DIR",
        help="pix2pix, cyclegan, discogan: folder of domain-B (target) images; pix2pix matches them to A by file name",
    )
    data.add_argument(
        "--image-size",
        metavar="N",
        help=f"resize images to N×N (default {_default('image_size')}; image folders of the GAN family 64)",
    )
    data.add_argument("--channels", metavar="1|3", help=f"1 (grayscale) or 3 (RGB) (default {_default('channels')})")
    data.add_argument(
        "--labelled",
        metavar="N",
        help="aae_semi: keep the labels of N images (N // K per class, chosen by --seed), hide the rest; each batch "
        "adds a labelled minibatch of min(N, --batch-size) of them (default 100, the paper's MNIST setting)",
    )

    model = train.add_argument_group("the model (checked against its constructor)")
    model.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="a constructor argument, e.g. --set base_filters=32 --set d_steps=5 (repeatable; values "
        "are read as int, float, true/false, none, a JSON list, else a string)",
    )
    model.add_argument("--latent-dim", metavar="N", help="size of the latent vector z (models with latent_dim)")
    model.add_argument("--loss", metavar="NAME[:K=V,...]", help="the adversarial loss, e.g. hinge")
    model.add_argument(
        "--target",
        action="append",
        metavar="NAME[:K=V,...]",
        help="a target transform (repeatable, in order), e.g. label_smoothing:alpha=0.1",
    )
    model.add_argument(
        "--augment",
        action="append",
        metavar="NAME[:K=V,...]",
        help="what the discriminator sees (repeatable, in order), e.g. diffaugment:policy=color,translation",
    )
    model.add_argument(
        "--regularizer",
        action="append",
        metavar="NAME[:K=V,...]",
        help="a regularizer (repeatable), e.g. r1:gamma=10,interval=16",
    )
    model.add_argument(
        "--constraint",
        action="append",
        metavar="NAME[:K=V,...]",
        help="a constraint applied after each update (repeatable), e.g. weight_clip:clip_value=0.01",
    )
    model.add_argument(
        "--objective",
        action="append",
        metavar="NAME[:K=V,...]",
        help="an extra generator objective (repeatable), e.g. l1:weight=100",
    )
    model.add_argument("--ema", metavar="DECAY", help="sample from a moving average of the generator, e.g. 0.999")

    sr = train.add_argument_group("super-resolution (srresnet, srgan, esrgan)")
    sr.add_argument("--scale", metavar="2|3|4", help="upscaling factor (default 4)")
    sr.add_argument(
        "--init-from",
        metavar="RUN_DIR",
        help="start the generator from a trained run's (srgan from an srresnet run of the same --scale and --set "
        "n_blocks/filters)",
    )
    sr.add_argument(
        "--vgg-weights",
        metavar="imagenet|FILE",
        help="srgan, esrgan: the content loss's VGG19: imagenet (default; Keras downloads "
        "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 once into ~/.keras/models/), a local copy of that "
        "file (.h5, for offline machines), or a saved Keras feature model (.keras) with a block5_conv4 layer",
    )

    stacked = train.add_argument_group("two-stage text to image (stackgan)")
    stacked.add_argument(
        "--stage",
        choices=("1", "2"),
        help="stackgan: 1 trains stage I at half the image side (14×14 on the captioned MNIST); 2 refines a "
        "trained stage I to the full side (28×28), stage I frozen (default 1)",
    )
    stacked.add_argument(
        "--stage1-run",
        metavar="RUN_DIR",
        help="stackgan --stage 2: the run folder of the trained stage I (its model.keras); its image side, text "
        "encoder and latent size are stage II's",
    )

    fit = train.add_argument_group("training")
    fit.add_argument("--epochs", metavar="N", help=f"epochs to train (default {_default('epochs')})")
    fit.add_argument(
        "--batch-size",
        metavar="M",
        help=f"minibatch size m (default {_default('batch_size')}); a model with "
        "d_steps = k reads k × m images per step",
    )
    fit.add_argument("--d-lr", metavar="LR", help="discriminator learning rate (default: the model's optimizer)")
    fit.add_argument("--g-lr", metavar="LR", help="generator learning rate (default: the model's optimizer)")
    fit.add_argument("--beta1", metavar="B", help="beta_1 of both optimizers, when they are Adam")
    fit.add_argument("--seed", metavar="N", help="seed of the model, the data order and the grids (default 0)")
    fit.add_argument("--max-seconds", metavar="S", help="stop cleanly after this wall-clock budget")
    fit.add_argument(
        "--precision",
        choices=tuple(PRECISIONS),
        help="fp32 (default); bf16: the mixed_bfloat16 policy (CPUs with AMX or AVX-512 BF16, recent GPUs and "
        "TPUs); fp16: mixed_float16 with loss scaling, for GPUs (slow on a CPU). Weights stay float32",
    )
    fit.add_argument(
        "--strategy",
        choices=("default", "mirrored", "multi_worker"),
        default="default",
        help="mirrored: all local GPUs; multi_worker: several machines (TF_CONFIG); --batch-size stays global",
    )

    run = train.add_argument_group("the run folder")
    run.add_argument("--run-dir", metavar="DIR", help="output folder (default logs/<model>-<time>)")
    run.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --run-dir from its newest intact checkpoint; the flags that define the run must "
        "be the same (default: the saved ones are compared and a difference is an error); --epochs (default: the "
        "run's), --max-seconds, --checkpoint-every, --grid-every, --diagnostics and --strategy may change",
    )
    run.add_argument(
        "--checkpoint-every", metavar="STEPS", help="also checkpoint every N steps (and every epoch), default 1000"
    )
    run.add_argument("--grid-every", metavar="EPOCHS", help="write a sample grid every N epochs (default 1)")
    run.add_argument(
        "--diagnostics",
        nargs="?",
        const="100",
        metavar="EVERY",
        help="GAN family: watch for failure modes with kerasgan.callbacks.Diagnostics, probing every "
        "EVERY steps (default 100) on a batch of the data; writes to tb/ and warns",
    )

    sample = commands.add_parser("sample", help="generate images from a trained GAN run")
    sample.add_argument("--run-dir", required=True, metavar="DIR")
    sample.add_argument(
        "--num", metavar="N", help="images (default 64), or rows / keypoints with --interpolate (default 4)"
    )
    sample.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="a .npy file (float32 NHWC in [-1, 1]) or a .png grid (or .gif with --interpolate)",
    )
    sample.add_argument("--seed", metavar="N", help="seed of the latents")
    sample.add_argument(
        "--label",
        metavar="CLASS",
        help="conditional models: generate only this class (an index or a class name); "
        "default: every class in turn; with --interpolate, the class kept fixed",
    )
    sample.add_argument(
        "--caption",
        action="append",
        metavar="TEXT",
        help='text-to-image models (gan_cls, stackgan): a caption, e.g. "a thin seven" (repeatable: one grid row per caption, '
        "--num images each, default 8)",
    )
    sample.add_argument(
        "--interpolate",
        choices=("slerp", "linear", "w"),
        help="interpolate between random latents: .png rows of --steps images, .gif a looping walk, .npy the array; "
        "w (style-based models): straight lines between their mapped styles, --truncation applying to those",
    )
    sample.add_argument(
        "--steps", metavar="N", help="with --interpolate: images per interpolation, both ends included (default 8)"
    )
    sample.add_argument(
        "--truncation",
        metavar="PSI",
        help="style-based models (stylegan2): the truncation trick, w = w_avg + PSI·(w - w_avg) (0.7 is usual)",
    )
    sample.add_argument(
        "--style-mix",
        nargs="?",
        const="2",
        metavar="CROSSOVER",
        help="style-based models: a style-mixing grid (.png or .npy): row sources' styles below CROSSOVER "
        "(default 2: the 4×4 ones), column sources' from it on; --num sources each way (default 4)",
    )

    evaluate = commands.add_parser("evaluate", help="score a trained GAN run against real data; writes evaluation.json")
    evaluate.add_argument("--run-dir", required=True, metavar="DIR")
    evaluate.add_argument(
        "--data", required=True, help="the real data, as train's --data (read at the model's image size)"
    )
    evaluate.add_argument("--metrics", default="fid", help="comma-separated: fid,kid,is,swd,pr")
    evaluate.add_argument(
        "--extractor",
        default="inception",
        help="a .keras feature model, an InceptionV3 weights file (.h5), or inception (ImageNet weights)",
    )
    evaluate.add_argument("--num", default="10000", metavar="N", help="generated images (and real images at most)")
    evaluate.add_argument("--batch-size", default="100", metavar="N")
    evaluate.add_argument("--seed", default="0", metavar="N")
    evaluate.add_argument(
        "--cache-dir", help="real-data statistics cache (default $KERASGAN_CACHE or ~/.cache/kerasgan)"
    )

    translate = commands.add_parser(
        "translate", help="translate images with a trained pix2pix, cyclegan or discogan run"
    )
    translate.add_argument("--run-dir", required=True, metavar="DIR")
    translate.add_argument("--input", required=True, help="an image file or a folder of images (searched recursively)")
    translate.add_argument("--out", required=True, help="output folder: one PNG per input, named after it")
    translate.add_argument("--direction", choices=("a2b", "b2a"), default="a2b")

    stylize = commands.add_parser(
        "stylize", help="neural style transfer (Gatys et al. 2016): the content image repainted in the style's style"
    )
    stylize.add_argument("--content", required=True, metavar="IMAGE", help="the image whose content is kept")
    stylize.add_argument("--style", required=True, metavar="IMAGE", help="the image whose style is taken")
    stylize.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the stylized .png; its frames go to FILE_steps/ and their animation to FILE.gif",
    )
    stylize.add_argument("--steps", default="1000", metavar="N", help="Adam steps (default 1000)")
    stylize.add_argument("--every", metavar="N", help="steps between frames (default steps / 10)")
    stylize.add_argument(
        "--size", default="512", metavar="N", help="longer side of the images, in pixels (default 512)"
    )
    stylize.add_argument(
        "--vgg-weights",
        metavar="imagenet|FILE",
        help="VGG19: imagenet (default; Keras downloads the weights once), a local copy of them (.h5, no top) or "
        "a saved Keras VGG19 (.keras)",
    )
    stylize.add_argument("--content-weight", default="1e4", metavar="W")
    stylize.add_argument("--style-weight", default="1e-2", metavar="W")
    stylize.add_argument("--tv-weight", default="30", metavar="W", help="the total-variation weight")
    stylize.add_argument("--learning-rate", default="0.02", metavar="LR", help="Adam's step on the image in [0, 1]")

    encode = commands.add_parser("encode", help="encode images with a trained bigan or aae run; writes codes.npy")
    encode.add_argument("--run-dir", required=True, metavar="DIR")
    encode.add_argument(
        "--input",
        required=True,
        help="an image file, a folder of images (sorted), or a .npy array of images in [-1, 1]",
    )
    encode.add_argument("--out", required=True, help="the .npy file of codes (its .txt twin lists the images)")
    upscale = commands.add_parser("upscale", help="upscale images with a trained srresnet, srgan or esrgan run")
    upscale.add_argument("--run-dir", required=True, metavar="DIR")
    upscale.add_argument("--input", required=True, help="an image file or a folder of images (searched recursively)")
    upscale.add_argument("--out", required=True, help="output folder: one PNG per input, named after it")
    upscale.add_argument(
        "--tile", metavar="N", help="upscale in overlapping N×N LR tiles (less memory; default: whole images)"
    )
    upscale.add_argument("--overlap", default="16", metavar="N", help="LR pixels of context around each tile")

    report = commands.add_parser(
        "report",
        help="write DIR/report.html: a run's settings, loss curves, samples, warnings and scores on one page",
    )
    report.add_argument("--run-dir", required=True, metavar="DIR")
    report.add_argument("--out", metavar="FILE", help="the page to write (default DIR/report.html)")
    return parser


_PART_EPILOG = """\
parts (kerasgan.parts), spelled NAME:KEY=VALUE,KEY=VALUE; a comma-separated piece
without "=" continues the previous value (diffaugment:policy=color,translation);
NAME alone takes the part's defaults; "none" gives an empty list (e.g. --constraint none
drops WGAN's weight clipping). A part replaces the model's default parts of its kind.
An unknown NAME, KEY or --set KEY is an error that lists the valid ones, and so is
every flag that does not apply to MODEL."""


#: TensorFlow 2.21's start-up lines that tell a user nothing actionable. The first three are written from C++
#: while `import tensorflow` loads its libraries, before absl logging is initialized, so TF_CPP_MIN_LOG_LEVEL does
#: not reach them; the cuInit error comes at device discovery. Dropped only when "no CUDA driver" was also seen:
#: on a machine with a driver, a failing cuInit is news.
_STARTUP_NOISE = (
    "All log messages before absl::InitializeLog() is called are written to STDERR",
    "oneDNN custom operations are on",
    "Could not find cuda drivers on your machine",
)
_NO_DRIVER_NOISE = "failed call to cuInit"


def quiet_startup(text):
    """`text` (what TensorFlow wrote to stderr while starting) without its start-up noise; other lines are kept."""
    lines = text.splitlines(keepends=True)
    no_driver = any(_STARTUP_NOISE[2] in line for line in lines)
    noise = _STARTUP_NOISE + ((_NO_DRIVER_NOISE,) if no_driver else ())
    return "".join(line for line in lines if not any(n in line for n in noise))


def _import_tensorflow_quietly():
    """Imports TensorFlow and finds its devices with stderr captured, then passes on all but the start-up noise.

    The capture is at the file-descriptor level (C++ writes there, not to
    `sys.stderr`). TF_CPP_MIN_LOG_LEVEL=2 (set by `kerasgan/__init__.py` too)
    hides the CPU-instructions note; no numerics-changing setting
    (TF_ENABLE_ONEDNN_OPTS) is touched. A no-op when TensorFlow is loaded.
    """
    if "tensorflow" in sys.modules:
        return
    import tempfile

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()  # the CUDA probing logs now, inside the capture
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            sys.stderr.write(quiet_startup(captured.read().decode(errors="replace")))


def main(argv=None):
    """`kerasgan ...`: returns the exit status.

    0 on success; 2 after a one-line error (bad input, a file-system problem,
    a run stopped by non-finite values); 128 + the signal number when SIGINT
    or SIGTERM stopped training (the run is then resumable).
    """
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train" and args.model not in MODELS:
            raise ValueError(unknown_model(args.model))
        _import_tensorflow_quietly()
        from kerasgan.cli import commands  # TensorFlow from here on

        return commands.run(args)
    except (ValueError, TypeError, OSError, RuntimeError, FloatingPointError) as error:
        if args.debug:
            raise
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"kerasgan: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
