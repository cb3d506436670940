"""Command line: `kerasgan train|sample|evaluate|translate ...`.

Flags map to constructor and `compile()` arguments. Each run writes under its
run folder: `model.keras`, `config.json`, `checkpoints/`, TensorBoard logs in `tb/`, sample
grids in `images/` and `progress.gif`.
"""

import argparse
import datetime
import os
import sys

MODEL_FILE = "model.keras"
CONFIG_FILE = "config.json"
CHECKPOINT_DIR = "checkpoints"


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(prog="kerasgan", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show full tracebacks for errors")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a GAN and write a run folder")
    train.add_argument(
        "model",
        help="model name: gan, dcgan, wgan, wgan_gp, lsgan, hinge_gan, ragan, cgan, acgan, infogan, pix2pix, cyclegan",
    )
    train.add_argument(
        "--data",
        help="mnist | fashion_mnist | cifar10 | an image folder | IDX files | an .npz file; for cgan and acgan "
        "a folder with one sub-folder per class, IDX images with their labels file beside them, or a named data set",
    )
    train.add_argument("--image-size", type=_positive_int, help="resize images to N×N (folders default to 64)")
    train.add_argument("--channels", type=int, choices=(1, 3), help="1 (grayscale) or 3 (RGB)")
    train.add_argument("--epochs", type=_positive_int, default=25)
    train.add_argument(
        "--batch-size", type=_positive_int, default=64, help="minibatch size m (each fit() step reads d_steps × m images)"
    )
    train.add_argument("--latent-dim", type=_positive_int, default=100)
    train.add_argument("--loss", help="adversarial loss, a name in kerasgan.losses.LOSSES (default: the model's)")
    train.add_argument("--label-smoothing", type=float, default=0.0, help="one-sided label smoothing (e.g. 0.1)")
    train.add_argument("--d-steps", type=_positive_int, help="discriminator steps per generator step (default: the model's)")
    train.add_argument("--d-lr", type=_positive_float, help="discriminator learning rate (default: the model's optimizer)")
    train.add_argument("--g-lr", type=_positive_float, help="generator learning rate (default: the model's optimizer)")
    train.add_argument("--beta1", type=float, help="beta_1 of both optimizers, when they are Adam")
    train.add_argument("--max-seconds", type=_positive_float, help="stop cleanly after this wall-clock budget")
    train.add_argument("--grid-every", type=_positive_int, default=1, help="write a sample grid every N epochs")
    train.add_argument("--run-dir", help="output folder (default logs/<model>-<time>)")
    train.add_argument(
        "--resume", action="store_true", help="continue the run in --run-dir from its newest checkpoint (same flags)"
    )
    train.add_argument(
        "--checkpoint-every", type=_positive_int, default=1000, help="also checkpoint every N steps (and every epoch)"
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--strategy",
        choices=("default", "mirrored", "multi_worker"),
        default="default",
        help="mirrored: all local GPUs; multi_worker: several machines (TF_CONFIG); --batch-size stays global",
    )
    _add_translation_arguments(train, commands)

    sample = commands.add_parser("sample", help="generate images from a trained run")
    sample.add_argument("--run-dir", required=True)
    sample.add_argument("--num", type=_positive_int, help="images (default 64), or rows / keypoints with --interpolate (default 4)")
    sample.add_argument("--out", required=True, help="a .npy file (float32 NHWC in [-1, 1]) or a .png grid (or .gif with --interpolate)")
    sample.add_argument("--seed", type=int, default=None)
    sample.add_argument(
        "--label", help="conditional models: generate only this class (an index or a class name); default: every class in turn; with --interpolate, the class kept fixed"
    )
    sample.add_argument("--interpolate", choices=("slerp", "linear"),
                        help="interpolate between random latents: .png rows of --steps images, .gif a looping walk, .npy the array")
    sample.add_argument("--steps", type=_positive_int, default=8, help="images per interpolation, both ends included")

    evaluate = commands.add_parser("evaluate", help="score a trained run against real data; writes evaluation.json")
    evaluate.add_argument("--run-dir", required=True)
    evaluate.add_argument("--data", required=True, help="the real data, as train's --data (read at the model's image size)")
    evaluate.add_argument("--metrics", default="fid", help="comma-separated: fid,kid,is,swd,pr")
    evaluate.add_argument("--extractor", default="inception",
                          help="a .keras feature model, an InceptionV3 weights file (.h5), or inception (ImageNet weights)")
    evaluate.add_argument("--num", type=_positive_int, default=10_000, help="generated images (and real images at most)")
    evaluate.add_argument("--batch-size", type=_positive_int, default=100)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--cache-dir", help="real-data statistics cache (default $KERASGAN_CACHE or ~/.cache/kerasgan)")
    return parser


def _new_run_dir(args):
    if args.resume:
        if not args.run_dir:
            raise ValueError("--resume continues an existing run: pass its --run-dir.")
        return args.run_dir
    run_dir = args.run_dir or os.path.join("logs", f"{args.model}-{datetime.datetime.now():%Y%m%d-%H%M%S}")
    if os.path.exists(os.path.join(run_dir, MODEL_FILE)) or os.path.isdir(os.path.join(run_dir, CHECKPOINT_DIR)):
        raise ValueError(
            f"{run_dir} already holds a run (model.keras or checkpoints/); choose another --run-dir so it is not "
            "overwritten, "
            "or add --resume to continue it."
        )
    return run_dir


def train(args):
    from kerasgan import models

    if args.model in models.TRANSLATION_MODELS:
        return train_translation(args)
    if args.model not in models.MODELS:
        names = sorted([*models.MODELS, *models.TRANSLATION_MODELS])
        raise ValueError(f"Unknown model {args.model!r}; choose one of: {', '.join(names)}.")
    if args.data is None:
        raise ValueError(f"kerasgan train {args.model} needs --data.")
    strategy, run_dir = _strategy(args.strategy), _new_run_dir(args)
    if not _is_chief(strategy):
        # Every worker trains; only the chief writes the run folder.
        run_dir = os.path.join(run_dir, f"worker_{strategy.cluster_resolver.task_id}")
    with strategy.scope():
        return _train(args, models.MODELS[args.model], run_dir)


def _strategy(name):
    import tensorflow as tf

    if name == "mirrored":
        return tf.distribute.MirroredStrategy()  # every local GPU (or the CPU)
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise ValueError(
                "--strategy multi_worker needs the TF_CONFIG environment variable describing the cluster, e.g. "
                '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}.'
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


def _is_chief(strategy):
    resolver = getattr(strategy, "cluster_resolver", None)
    return resolver is None or not resolver.cluster_spec().as_dict() or resolver.task_id == 0


def _train(args, model_class, run_dir):
    import keras

    from kerasgan import callbacks, data
    from kerasgan.utils import atomic_path

    keras.utils.set_random_seed(args.seed)
    # Options left unset keep the variant's own defaults (WGAN: 5 critic steps, RMSprop, ...).
    options = {"loss": args.loss, "d_steps": args.d_steps}
    options = {k: v for k, v in options.items() if v is not None}
    d_steps = options.get("d_steps") or _constructor_default(model_class, "d_steps")
    def make_dataset():
        return data.load_dataset(
            args.data,
            image_size=args.image_size,
            channels=args.channels,
            batch_size=args.batch_size * d_steps,
            seed=args.seed,
            labels=model_class.uses_labels,
        )

    dataset = make_dataset()
    if model_class.uses_labels:
        options.update(num_classes=len(dataset.class_names), class_names=dataset.class_names)
        image_shape = tuple(int(s) for s in dataset.element_spec[0].shape[1:])
    else:
        image_shape = tuple(int(s) for s in dataset.element_spec.shape[1:])
    checkpoint = callbacks.Checkpoint(os.path.join(run_dir, CHECKPOINT_DIR), every_n_steps=args.checkpoint_every)
    resuming = checkpoint.latest() is not None
    if resuming:
        print(f"kerasgan: continuing from {checkpoint.latest()}")
    else:
        if args.resume:
            print(f"kerasgan: no checkpoint in {run_dir}; starting the run there")
        gan = model_class.for_images(
            image_shape, latent_dim=args.latent_dim, label_smoothing=args.label_smoothing, seed=args.seed, **options
        )
        gan.compile(*_tuned_optimizers(args, gan.default_optimizers()))
        _write_config(run_dir, args, image_shape, gan)

    cbs = callbacks.run_callbacks(run_dir, every_n_epochs=args.grid_every, seed=args.seed)
    if args.max_seconds:
        cbs.append(callbacks.TimeLimit(args.max_seconds))
    try:
        # Restores the newest checkpoint when there is one (then `gan` is unused).
        gan = callbacks.fit_with_checkpoints(
            None if resuming else gan, make_dataset, args.epochs, checkpoint, callbacks=cbs,
            steps_per_epoch=_steps_per_epoch(dataset, args.data, args.batch_size * d_steps),
        )
    except KeyboardInterrupt:
        print("kerasgan: interrupted; saving the model as it is now.", file=sys.stderr)
        gan = checkpoint.model
    with atomic_path(os.path.join(run_dir, MODEL_FILE)) as tmp:
        gan.save(tmp)
    print(f"kerasgan: wrote {run_dir}/ ({MODEL_FILE}, {CONFIG_FILE}, images/, progress.gif, tb/)")
    print(f"kerasgan: watch it with: tensorboard --logdir {os.path.join(run_dir, 'tb')}")
    return 0


def sample(args):
    from kerasgan.callbacks import save_image_grid
    from kerasgan.utils import atomic_path

    ext = os.path.splitext(args.out)[1].lower()
    if args.interpolate:
        if ext not in (".npy", ".png", ".gif"):
            raise ValueError(f"--out must end in .npy, .png or .gif with --interpolate; got {args.out!r}.")
        return _interpolate(args, load_run(args.run_dir), ext)
    gan = load_run(args.run_dir)
    if ext not in (".npy", ".png"):
        raise ValueError(f"--out must end in .npy or .png; got {args.out!r}.")
    args.num = args.num or 64
    if args.label is not None:
        images = gan.generate(args.num, labels=_label(gan, args.label), seed=args.seed)
    else:
        images = gan.generate(args.num, seed=args.seed)
    if ext == ".npy":
        import numpy as np

        with atomic_path(args.out) as tmp:
            np.save(tmp, images)
    else:
        save_image_grid(args.out, images)
    print(f"kerasgan: wrote {args.num} samples to {args.out}")
    return 0


def _label(gan, text):
    """The class `--label` names for a conditional model: an index, or one of its class names."""
    if not getattr(gan, "uses_labels", False):
        raise ValueError(f"--label applies to conditional models (cgan, acgan); this run trained a {type(gan).__name__}.")
    return gan.label_index(int(text) if text.lstrip("-").isdigit() else text)


def _interpolate(args, gan, ext):
    import numpy as np

    from kerasgan import latent
    from kerasgan.utils import atomic_path

    rows = args.num or 4
    labels = None if args.label is None else _label(gan, args.label)
    if ext == ".gif":
        keypoints = np.random.default_rng(args.seed).standard_normal((max(rows, 2), gan.latent_dim))
        path = latent.latent_path(keypoints, args.steps, args.interpolate, closed=True)
        frames = latent.save_gif(args.out, latent.generate(gan, path, labels), boomerang=False)
        print(f"kerasgan: wrote a {frames}-frame {args.interpolate} walk through {len(keypoints)} latents to {args.out}")
        return 0
    grid = latent.interpolation_grid(gan, rows, args.steps, args.interpolate, labels, seed=args.seed)
    if ext == ".npy":
        with atomic_path(args.out) as tmp:
            np.save(tmp, grid)
    else:
        latent.save_strip(args.out, grid)
    print(f"kerasgan: wrote {rows} {args.interpolate} interpolations of {args.steps} images to {args.out}")
    return 0


def evaluate(args):
    from kerasgan import data, metrics
    from kerasgan.utils import write_json_atomic

    names = metrics.parse_metrics(args.metrics)
    if not os.path.isdir(args.run_dir):
        raise ValueError(f"Run folder {args.run_dir!r} does not exist; pass the --run-dir of a `kerasgan train` run.")
    extractor = None
    if {"fid", "kid", "is", "pr"} & set(names):
        extractor = _extractor(args.extractor, args.batch_size)
    gan = load_run(args.run_dir)
    height, width, channels = gan.image_shape
    real = data.load_dataset(args.data, image_size=(height, width), channels=channels, batch_size=args.batch_size,
                             seed=args.seed)
    spec = os.path.abspath(args.data) if os.path.exists(args.data) else args.data
    evaluator = metrics.Evaluator(real, names, extractor=extractor, num_samples=args.num, batch_size=args.batch_size,
                                  seed=args.seed, cache_dir=args.cache_dir or metrics.default_cache_dir(),
                                  data_key={"data": spec, "image_shape": [height, width, channels], "seed": args.seed})
    scores = evaluator.score(gan)
    result = {**scores, "settings": {**evaluator.settings, "data": spec, "run_dir": os.path.abspath(args.run_dir),
                                     "versions": _versions()}}
    path = os.path.join(args.run_dir, "evaluation.json")
    write_json_atomic(path, result)
    print(f"{'metric':<12}{'value':>14}")
    for name, value in scores.items():
        if not isinstance(value, list):
            print(f"{name:<12}{value:>14.6g}")
    print(f"kerasgan: wrote {path}")
    return 0


def _extractor(spec, batch_size):
    from kerasgan import metrics

    if spec == "inception":
        return metrics.inception_v3("imagenet", batch_size=batch_size)
    if spec.endswith(".keras"):
        return metrics.as_extractor(spec, batch_size=batch_size)
    if spec.endswith(".h5"):
        return metrics.inception_v3(spec, batch_size=batch_size)
    raise ValueError(f"--extractor {spec!r}: pass a .keras feature model, InceptionV3 weights (.h5) or 'inception'.")


# ---------------------------------------------------------------- image-to-image translation
GRID_IMAGES = 4  # held out of training for the translation grids


def _add_translation_arguments(train, commands):
    group = train.add_argument_group("pix2pix and cyclegan")
    group.add_argument("--data-a", help="folder of domain-A (input) images")
    group.add_argument("--data-b", help="folder of domain-B (target) images; pix2pix matches them to A by file name")
    group.add_argument("--base-filters", type=_positive_int, default=64, help="width of the networks (64 in the papers)")

    translate = commands.add_parser("translate", help="translate images with a trained pix2pix or cyclegan run")
    translate.add_argument("--run-dir", required=True)
    translate.add_argument("--input", required=True, help="an image file or a folder of images (searched recursively)")
    translate.add_argument("--out", required=True, help="output folder: one PNG per input, named after it")
    translate.add_argument("--direction", choices=("a2b", "b2a"), default="a2b")


def train_translation(args):
    """`kerasgan train pix2pix|cyclegan`: paired or unpaired folders, translation grids of held-out images."""
    import keras

    from kerasgan import callbacks, data, models
    from kerasgan.utils import atomic_path

    if args.loss is not None or args.d_steps is not None:
        raise ValueError(f"{args.model} has the paper's losses and one discriminator step; drop --loss and --d-steps.")
    paired = args.model == "pix2pix"
    if paired and args.data is not None:
        if args.data_a or args.data_b:
            raise ValueError("pix2pix takes either --data (side-by-side A|B images) or --data-a and --data-b, not both.")
        folders = (args.data, None)
    elif args.data_a and args.data_b:
        folders = (args.data_a, args.data_b)
    else:
        hint = "--data FOLDER of side-by-side A|B images, or " if paired else ""
        raise ValueError(f"{args.model} needs {hint}--data-a DIR and --data-b DIR.")
    run_dir = _new_run_dir(args)
    keras.utils.set_random_seed(args.seed)
    size, channels = args.image_size or 256, args.channels or 3
    common = dict(image_size=size, channels=channels, batch_size=args.batch_size, seed=args.seed, holdout=GRID_IMAGES)
    if paired:
        dataset = data.paired_images(*folders, **common)
    else:
        dataset = data.unpaired_images(*folders, **common)
    grid_a, grid_b = data.held_out_images(*folders, size, channels, holdout=GRID_IMAGES, paired=paired)
    shape = (size, size, channels)
    if paired:
        model = models.Pix2Pix(image_shape=shape, target_channels=channels, base_filters=args.base_filters, seed=args.seed)
        d_optimizer, g_optimizer = model.default_optimizers()
    else:
        model = models.CycleGAN(image_shape=shape, base_filters=args.base_filters, seed=args.seed)
        # The paper's schedule over this run: constant for the first half of the steps, then linear decay to 0.
        steps = int(dataset.cardinality()) * args.epochs
        d_optimizer, g_optimizer = (
            keras.optimizers.Adam(models.LinearDecay(lr or 2e-4, max(steps // 2, 0), max(steps - steps // 2, 1)), beta_1=0.5)
            for lr in (args.d_lr, args.g_lr)
        )
    # (CycleGAN's --d-lr/--g-lr are already the schedules' initial rates.)
    model.compile(*_tuned_optimizers(args, (d_optimizer, g_optimizer), set_learning_rates=paired))
    _write_config(run_dir, args, shape, model)
    images, tb = os.path.join(run_dir, "images"), os.path.join(run_dir, "tb")
    cbs = [
        callbacks.TranslationGrid(
            images, grid_a, targets=grid_b if paired else None, every_n_epochs=args.grid_every, tensorboard_dir=tb
        ),
        keras.callbacks.TensorBoard(tb),
        callbacks.GifBuilder(images, os.path.join(run_dir, "progress.gif"), pattern="translations_*.png"),
    ]
    if args.max_seconds:
        cbs.append(callbacks.TimeLimit(args.max_seconds))
    try:
        model.fit(dataset, epochs=args.epochs, callbacks=cbs)
    except KeyboardInterrupt:
        print("kerasgan: interrupted; saving the model as it is now.", file=sys.stderr)
    with atomic_path(os.path.join(run_dir, MODEL_FILE)) as tmp:
        model.save(tmp)
    print(f"kerasgan: wrote {run_dir}/ ({MODEL_FILE}, {CONFIG_FILE}, images/, progress.gif, tb/)")
    return 0


def translate(args):
    """`kerasgan translate`: one PNG per input image, named after it (face12.jpg → face12.png)."""
    import numpy as np

    from kerasgan.callbacks import save_image_grid
    from kerasgan.data.folder import _decode_file, center_crop_resize, list_image_files

    model = load_run(args.run_dir)
    if not hasattr(model, "translate"):
        raise ValueError(f"{args.run_dir} holds a {type(model).__name__}, which does not translate images; "
                         "pass the run folder of a pix2pix or cyclegan run.")
    network = model.translation_network(args.direction)
    height, width, channels = network.input_shape[1:]
    files = [args.input] if os.path.isfile(args.input) else list_image_files(args.input)
    if not files:
        raise ValueError(f"No image files found under {args.input!r}.")
    outputs = {}
    for file in files:
        name = os.path.splitext(os.path.basename(file))[0] + ".png"
        if name in outputs:
            raise ValueError(f"{outputs[name]!r} and {file!r} would both be written to {name}; rename one of them.")
        outputs[name] = file
    for name, file in outputs.items():
        image, reason = _decode_file(file, channels)
        if image is None:
            raise ValueError(f"{file!r} could not be decoded as an image ({reason}).")
        pixels = np.asarray(center_crop_resize(image, (height, width)), "float32") / 127.5 - 1.0
        save_image_grid(os.path.join(args.out, name), model.translate(pixels[None], args.direction), cols=1, padding=0)
    print(f"kerasgan: wrote {len(outputs)} translated image(s) ({args.direction}) to {args.out}")
    return 0


def load_run(run_dir):
    """Loads the model a `kerasgan train` run saved in `run_dir`."""
    import keras

    path = os.path.join(run_dir, MODEL_FILE)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No {MODEL_FILE} in {run_dir}; pass the --run-dir of a finished `kerasgan train` run.")
    return keras.saving.load_model(path)


def _tuned_optimizers(args, optimizers, set_learning_rates=True):
    """The model's (d, g) optimizers with --d-lr, --g-lr and --beta1 applied."""
    for optimizer, lr in zip(optimizers, (args.d_lr, args.g_lr)):
        if lr is not None and set_learning_rates:
            optimizer.learning_rate = lr
        if args.beta1 is not None:
            if not hasattr(optimizer, "beta_1"):
                raise ValueError(f"--beta1 applies to Adam; {args.model} trains with {type(optimizer).__name__}.")
            optimizer.beta_1 = args.beta1
    return optimizers


def _write_config(run_dir, args, image_shape, model):
    """`config.json`: the command, every flag, the model's config and the library versions."""
    import tensorflow as tf

    from kerasgan.utils import write_json_atomic

    config = {
        "command": "train",
        "argv": sys.argv[1:],
        **{k: v for k, v in vars(args).items() if k not in ("command", "debug")},
        "image_shape": list(image_shape),
        "replicas": tf.distribute.get_strategy().num_replicas_in_sync,
        "model_config": model.get_config(),
        "versions": _versions(),
    }
    write_json_atomic(os.path.join(run_dir, CONFIG_FILE), config)


def _steps_per_epoch(dataset, spec, batch_size):
    """Batches per epoch: the data set's length, or for an image folder (whose length tf.data does not
    know) the file count, rather than a whole decoding pass to count them."""
    from kerasgan import data

    count = int(dataset.cardinality())
    return count if count > 0 else max(1, data.count_images(spec) // batch_size)


def _constructor_default(model_class, name):
    """The default of constructor argument `name`, looked up along the class hierarchy."""
    import inspect

    for cls in model_class.__mro__:
        parameter = inspect.signature(cls.__init__).parameters.get(name) if "__init__" in vars(cls) else None
        if parameter is not None and parameter.default is not inspect.Parameter.empty:
            return parameter.default
    raise KeyError(name)


def _versions():
    import keras
    import tensorflow as tf

    import kerasgan

    return {"kerasgan": kerasgan.__version__, "keras": keras.__version__, "tensorflow": tf.__version__}


def main(argv=None):
    args = build_parser().parse_args(argv)
    command = {"train": train, "sample": sample, "evaluate": evaluate, "translate": translate}[args.command]
    try:
        return command(args)
    except (ValueError, TypeError, FileNotFoundError, RuntimeError, FloatingPointError) as error:
        if args.debug:
            raise
        print(f"kerasgan: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
