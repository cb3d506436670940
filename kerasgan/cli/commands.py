"""The commands behind `kerasgan train|sample|evaluate|translate` (the parser is `kerasgan_cli`'s).

`train` is one path for every model: the model's class (from the table in
`kerasgan_cli`) gives its data kind, whose `Pipeline` reads the data and makes
the grids; the flags give the constructor arguments (`kerasgan.cli.options`);
`fit_with_checkpoints` trains, resumes and checkpoints. Each run writes under
its run folder: `model.keras`, `config.json`, `checkpoints/`, TensorBoard logs
in `tb/`, grids in `images/` and `progress.gif`.
"""

import datetime
import json
import os
import sys

import numpy as np

import kerasgan_cli
from kerasgan.cli import options, pipelines

MODEL_FILE = "model.keras"
CONFIG_FILE = "config.json"
CHECKPOINT_DIR = "checkpoints"

#: the flags that define a run: resuming with other values would train another model than the checkpoint's
RUN_DEFINING_FLAGS = (
    "model",
    "data",
    "data_a",
    "data_b",
    "image_size",
    "channels",
    "batch_size",
    "set",
    "latent_dim",
    "loss",
    "target",
    "augment",
    "regularizer",
    "constraint",
    "objective",
    "ema",
    "seed",
    "d_lr",
    "g_lr",
    "beta1",
    "scale",
    "init_from",
)


def run(args):
    command = {"train": train, "sample": sample, "evaluate": evaluate, "translate": translate, "upscale": upscale}[
        args.command
    ]
    return command(args)


# ---------------------------------------------------------------------------------------------- train
def resolve_train_flags(args, model_class):
    """The train flags as values, with the data kind's defaults for those not given; errors for malformed ones."""
    kind = kerasgan_cli.DATA_KINDS[model_class.data_kind]
    flags = {k: v for k, v in vars(args).items() if k not in ("command", "debug")}
    flags["image_size"] = (
        kind.image_size if args.image_size is None else options.positive_int("--image-size", args.image_size)
    )
    flags["channels"] = kind.channels if args.channels is None else options.integer("--channels", args.channels)
    if flags["channels"] not in (None, 1, 3):
        raise ValueError(f"--channels takes 1 (grayscale) or 3 (RGB); got {args.channels!r}.")
    flags["epochs"] = kind.epochs if args.epochs is None else options.positive_int("--epochs", args.epochs)
    flags["batch_size"] = (
        kind.batch_size if args.batch_size is None else options.positive_int("--batch-size", args.batch_size)
    )
    flags["seed"] = 0 if args.seed is None else options.integer("--seed", args.seed)
    flags["checkpoint_every"] = (
        1000 if args.checkpoint_every is None else options.positive_int("--checkpoint-every", args.checkpoint_every)
    )
    flags["grid_every"] = 1 if args.grid_every is None else options.positive_int("--grid-every", args.grid_every)
    for name in ("d_lr", "g_lr", "max_seconds"):
        if flags[name] is not None:
            flags[name] = options.number(f"--{name.replace('_', '-')}", flags[name])
    if flags["beta1"] is not None:
        flags["beta1"] = options.number("--beta1", flags["beta1"], positive=False)
    if flags["diagnostics"] is not None:
        flags["diagnostics"] = options.positive_int("--diagnostics", flags["diagnostics"])
    super_resolution = model_class.data_kind == "super_resolution"
    for flag in ("scale", "init_from"):
        if flags.get(flag) is not None and not super_resolution:
            raise ValueError(f"--{flag.replace('_', '-')} applies to srresnet, srgan and esrgan.")
    flags["scale"] = 4 if flags.get("scale") is None else options.positive_int("--scale", flags["scale"])
    return flags


def train(args):
    name = args.model
    model_class = kerasgan_cli.model_class(name)
    pipeline_class = pipelines.for_model(model_class)
    flags = resolve_train_flags(args, model_class)
    pipeline_class.check_flags(name, flags)
    arguments = options.model_arguments(name, model_class, args, from_data=pipeline_class.from_data)
    if flags["diagnostics"] is not None and not pipeline_class.supports_diagnostics:
        supported = [n for n, e in kerasgan_cli.MODELS.items() if pipelines.PIPELINES[e.data_kind].supports_diagnostics]
        raise ValueError(f"--diagnostics watches the GAN family ({', '.join(supported)}); it does not apply to {name}.")
    strategy, run_dir = _strategy(flags["strategy"]), _new_run_dir(flags)
    if not _is_chief(strategy):
        # Every worker trains; only the chief writes the run folder.
        run_dir = os.path.join(run_dir, f"worker_{strategy.cluster_resolver.task_id}")
    with strategy.scope():
        return _train(flags, model_class, pipeline_class, arguments, run_dir)


def _train(flags, model_class, pipeline_class, arguments, run_dir):
    import keras

    from kerasgan import callbacks
    from kerasgan.utils import atomic_path

    keras.utils.set_random_seed(flags["seed"])  # first: TensorFlow's shuffling depends on the global seed
    d_steps = options.default_of(model_class, "d_steps", arguments) or 1
    pipeline = pipeline_class(flags["model"], model_class, flags, arguments, flags["batch_size"] * d_steps)
    steps_per_epoch = pipeline.steps_per_epoch()
    checkpoint = callbacks.Checkpoint(os.path.join(run_dir, CHECKPOINT_DIR), every_n_steps=flags["checkpoint_every"])
    resuming = checkpoint.latest() is not None
    model = None
    if resuming:
        _check_same_run(run_dir, flags)
        print(f"kerasgan: continuing from {checkpoint.latest()}")
    else:
        if flags["resume"]:
            print(f"kerasgan: no checkpoint in {run_dir}; starting the run there")
        model = model_class(**{**arguments, **pipeline.model_arguments()}, seed=flags["seed"])
        if flags.get("init_from"):
            model.initialize_from(load_run(flags["init_from"]))
        total_steps = steps_per_epoch * flags["epochs"]
        model.compile(*_tuned_optimizers(flags, model.default_optimizers(), (total_steps * d_steps, total_steps)))
        _write_config(run_dir, flags, model)

    cbs = pipeline.callbacks(run_dir, flags["grid_every"], flags["seed"], flags["diagnostics"])
    if flags["max_seconds"]:
        cbs.append(callbacks.TimeLimit(flags["max_seconds"]))
    try:
        # Restores the newest checkpoint when there is one (then `model` is None).
        model = callbacks.fit_with_checkpoints(
            model, pipeline.make_dataset, flags["epochs"], checkpoint, callbacks=cbs, steps_per_epoch=steps_per_epoch
        )
    except KeyboardInterrupt:
        if checkpoint.model is None:  # interrupted before training began: nothing to save
            raise
        print("kerasgan: interrupted; saving the model as it is now.", file=sys.stderr)
        model = checkpoint.model
    with atomic_path(os.path.join(run_dir, MODEL_FILE)) as tmp:
        model.save(tmp)
    print(f"kerasgan: wrote {run_dir}/ ({MODEL_FILE}, {CONFIG_FILE}, images/, progress.gif, tb/)")
    print(f"kerasgan: watch it with: tensorboard --logdir {os.path.join(run_dir, 'tb')}")
    return 0


def _new_run_dir(flags):
    if flags["resume"]:
        if not flags["run_dir"]:
            raise ValueError("--resume continues an existing run: pass its --run-dir.")
        return flags["run_dir"]
    run_dir = flags["run_dir"] or os.path.join("logs", f"{flags['model']}-{datetime.datetime.now():%Y%m%d-%H%M%S}")
    if os.path.exists(os.path.join(run_dir, MODEL_FILE)) or os.path.isdir(os.path.join(run_dir, CHECKPOINT_DIR)):
        raise ValueError(
            f"{run_dir} already holds a run (model.keras or checkpoints/); choose another --run-dir so it is not "
            "overwritten, or add --resume to continue it."
        )
    return run_dir


def _check_same_run(run_dir, flags):
    """Refuses to resume a run with flags that would have built or fed another model (they would be ignored)."""
    path = os.path.join(run_dir, CONFIG_FILE)
    if not os.path.exists(path):
        return
    with open(path) as f:
        saved = json.load(f)
    changed = [
        f"--{k.replace('_', '-')} {saved.get(k)!r} → {flags[k]!r}"
        for k in RUN_DEFINING_FLAGS
        if k in saved and json.loads(json.dumps(flags[k])) != saved[k]
    ]
    if changed:
        raise ValueError(
            f"--resume continues {run_dir} with the flags it was started with; these differ: {'; '.join(changed)}. "
            "Start a new run (another --run-dir) to change them."
        )


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


def _tuned_optimizers(flags, optimizers, run_steps):
    """The model's (d, g) optimizers with --d-lr, --g-lr and --beta1 applied, and their LinearDecay fitted to the run.

    A `LinearDecay` learning rate (CycleGAN's) keeps its proportions of
    constant and decaying steps but spans this run's steps (`run_steps`: each
    optimizer's updates over the run); --d-lr / --g-lr set its initial rate.
    The schedule is saved with the optimizer, so a resumed run keeps it.
    """
    import keras

    from kerasgan.schedules import LinearDecay

    for optimizer, rate, flag, steps in zip(
        optimizers, (flags["d_lr"], flags["g_lr"]), ("--d-lr", "--g-lr"), run_steps
    ):
        schedule = optimizer.get_config()["learning_rate"]
        if isinstance(schedule, dict):
            schedule = keras.saving.deserialize_keras_object(schedule)
            if not isinstance(schedule, LinearDecay):
                if rate is not None:
                    raise ValueError(
                        f"{flag} cannot change the {type(schedule).__name__} schedule of {flags['model']}."
                    )
                continue
            constant = round(steps * schedule.constant_steps / (schedule.constant_steps + schedule.decay_steps))
            optimizer.learning_rate = LinearDecay(
                schedule.initial_learning_rate if rate is None else rate, constant, max(steps - constant, 1)
            )
        elif rate is not None:
            optimizer.learning_rate = rate
        if flags["beta1"] is not None:
            if not hasattr(optimizer, "beta_1"):
                raise ValueError(f"--beta1 applies to Adam; {flags['model']} trains with {type(optimizer).__name__}.")
            optimizer.beta_1 = flags["beta1"]
    return optimizers


def _write_config(run_dir, flags, model):
    """`config.json`: the command, every flag, the model's config and the library versions."""
    import tensorflow as tf

    from kerasgan.utils import write_json_atomic

    config = {
        "command": "train",
        "argv": sys.argv[1:],
        **flags,
        "image_shape": list(model.image_shape),
        "replicas": tf.distribute.get_strategy().num_replicas_in_sync,
        "model_config": model.get_config(),
        "versions": _versions(),
    }
    write_json_atomic(os.path.join(run_dir, CONFIG_FILE), config)


def _versions():
    import keras
    import tensorflow as tf

    import kerasgan

    return {"kerasgan": kerasgan.__version__, "keras": keras.__version__, "tensorflow": tf.__version__}


# ---------------------------------------------------------------------------------------------- sample
def sample(args):
    from kerasgan.callbacks import save_image_grid
    from kerasgan.utils import atomic_path

    ext = os.path.splitext(args.out)[1].lower()
    formats = (".npy", ".png", ".gif") if args.interpolate else (".npy", ".png")
    if ext not in formats:
        extra = " with --interpolate" if args.interpolate else ""
        raise ValueError(f"--out must end in {', '.join(formats[:-1])} or {formats[-1]}{extra}; got {args.out!r}.")
    if args.steps is not None and not args.interpolate:
        raise ValueError("--steps applies to --interpolate (images per interpolation).")
    num = None if args.num is None else options.positive_int("--num", args.num)
    seed = None if args.seed is None else options.integer("--seed", args.seed)
    gan = _load_generator_run(args.run_dir, "sample")
    labels = None if args.label is None else _label(gan, args.label)
    if args.interpolate:
        steps = 8 if args.steps is None else options.positive_int("--steps", args.steps)
        return _interpolate(args, gan, ext, num or 4, steps, labels, seed)
    num = num or 64
    images = gan.generate(num, seed=seed) if labels is None else gan.generate(num, labels=labels, seed=seed)
    if ext == ".npy":
        import numpy as np

        with atomic_path(args.out) as tmp:
            np.save(tmp, images)
    else:
        save_image_grid(args.out, images)
    print(f"kerasgan: wrote {num} samples to {args.out}")
    return 0


def _load_generator_run(run_dir, command):
    """The model of a run that generates images (the GAN family); a clear error for a translation run."""
    return _generator_run(load_run(run_dir), run_dir, command)


def _generator_run(model, run_dir, command):
    if not hasattr(model, "generate"):
        raise ValueError(
            f"{run_dir} holds a {type(model).__name__}, which translates images rather than generating them; "
            f"kerasgan {command} takes a GAN run (use kerasgan translate for this one)."
        )
    return model


def _label(gan, text):
    """The class `--label` names for a conditional model: an index, or one of its class names."""
    if gan.data_kind != "labelled_images":
        conditional = [n for n, e in kerasgan_cli.MODELS.items() if e.data_kind == "labelled_images"]
        raise ValueError(
            f"--label applies to conditional models ({', '.join(conditional)}); this run trained a "
            f"{type(gan).__name__}."
        )
    return gan.label_index(int(text) if text.lstrip("-").isdigit() else text)


def _interpolate(args, gan, ext, rows, steps, labels, seed):
    import numpy as np

    from kerasgan import latent
    from kerasgan.utils import atomic_path

    if ext == ".gif":
        keypoints = np.random.default_rng(seed).standard_normal((max(rows, 2), gan.latent_dim))
        path = latent.latent_path(keypoints, steps, args.interpolate, closed=True)
        frames = latent.save_gif(args.out, latent.generate(gan, path, labels), boomerang=False)
        print(
            f"kerasgan: wrote a {frames}-frame {args.interpolate} walk through {len(keypoints)} latents to {args.out}"
        )
        return 0
    grid = latent.interpolation_grid(gan, rows, steps, args.interpolate, labels, seed=seed)
    if ext == ".npy":
        with atomic_path(args.out) as tmp:
            np.save(tmp, grid)
    else:
        latent.save_strip(args.out, grid)
    print(f"kerasgan: wrote {rows} {args.interpolate} interpolations of {steps} images to {args.out}")
    return 0


# ---------------------------------------------------------------------------------------------- evaluate
def evaluate(args):
    from kerasgan import data, metrics
    from kerasgan.utils import write_json_atomic

    names = metrics.parse_metrics(args.metrics)
    num = options.positive_int("--num", args.num)
    batch_size = options.positive_int("--batch-size", args.batch_size)
    seed = options.integer("--seed", args.seed)
    if not os.path.isdir(args.run_dir):
        raise ValueError(f"Run folder {args.run_dir!r} does not exist; pass the --run-dir of a `kerasgan train` run.")
    model = load_run(args.run_dir)
    if model.data_kind == "super_resolution":
        return _evaluate_super_resolution(args, model)
    extractor = None
    if {"fid", "kid", "is", "pr"} & set(names):
        extractor = _extractor(args.extractor, batch_size)
    gan = _generator_run(model, args.run_dir, "evaluate")
    height, width, channels = gan.image_shape
    real = data.load_dataset(args.data, image_size=(height, width), channels=channels, batch_size=batch_size, seed=seed)
    spec = os.path.abspath(args.data) if os.path.exists(args.data) else args.data
    evaluator = metrics.Evaluator(
        real,
        names,
        extractor=extractor,
        num_samples=num,
        batch_size=batch_size,
        seed=seed,
        cache_dir=args.cache_dir or metrics.default_cache_dir(),
        data_key={"data": spec, "image_shape": [height, width, channels], "seed": seed},
    )
    scores = evaluator.score(gan)
    result = {
        **scores,
        "settings": {
            **evaluator.settings,
            "data": spec,
            "run_dir": os.path.abspath(args.run_dir),
            "versions": _versions(),
        },
    }
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


# ---------------------------------------------------------------------------------------------- translate
def translate(args):
    """`kerasgan translate`: one PNG per input image, named after it (face12.jpg → face12.png)."""
    import numpy as np

    from kerasgan.callbacks import save_image_grid
    from kerasgan.data import center_crop_resize, list_image_files, read_image

    model = load_run(args.run_dir)
    if not hasattr(model, "translate"):
        translators = [n for n, e in kerasgan_cli.MODELS.items() if e.data_kind in ("paired_images", "unpaired_images")]
        raise ValueError(
            f"{args.run_dir} holds a {type(model).__name__}, which does not translate images; "
            f"pass the run folder of a {' or '.join(translators)} run."
        )
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
        image, reason = read_image(file, channels)
        if image is None:
            raise ValueError(f"{file!r} could not be decoded as an image ({reason}).")
        pixels = np.asarray(center_crop_resize(image, (height, width)), "float32") / 127.5 - 1.0
        save_image_grid(os.path.join(args.out, name), model.translate(pixels[None], args.direction), cols=1, padding=0)
    print(f"kerasgan: wrote {len(outputs)} translated image(s) ({args.direction}) to {args.out}")
    return 0


def _evaluate_super_resolution(args, model):
    """PSNR/SSIM on Y (BT.601, `scale` border pixels cropped) and RGB per data set, bicubic beside the model."""
    from kerasgan import data
    from kerasgan.metrics import super_resolution as srm
    from kerasgan.utils import write_json_atomic

    results = {}
    for folder in args.data.split(","):
        names, hrs, lrs = data.sr_test_images(folder, model.scale, model.channels)
        rows = {}
        for method in ("bicubic", "model"):
            outputs = [
                data.upscale_bicubic(lr, model.scale) if method == "bicubic" else model.upscale(lr) for lr in lrs
            ]
            rows[method] = {
                f"{metric}_{channel}": float(
                    np.mean([score(o, h, channel=channel, crop=model.scale) for o, h in zip(outputs, hrs)])
                )
                for metric, score in (("psnr", srm.psnr), ("ssim", srm.ssim))
                for channel in ("y", "rgb")
            }
        results[os.path.basename(os.path.normpath(folder))] = {"images": len(names), **rows}
    protocol = (
        f"×{model.scale}: LR = TF bicubic (antialiased) of the HR cropped to a multiple of the scale; PSNR/SSIM "
        f"(Gaussian 11×11, σ 1.5) on BT.601 Y and on RGB, {model.scale} border pixels cropped; mean over images"
    )
    path = os.path.join(args.run_dir, "evaluation.json")
    write_json_atomic(path, {"super_resolution": results, "protocol": protocol, "versions": _versions()})
    print(protocol)
    print(f"{'data set':<12}{'method':<9}{'PSNR-Y':>8}{'SSIM-Y':>8}{'PSNR-RGB':>10}{'SSIM-RGB':>10}")
    for name, result in results.items():
        for method in ("bicubic", "model"):
            r = result[method]
            print(
                f"{name:<12}{method:<9}{r['psnr_y']:>8.2f}{r['ssim_y']:>8.4f}{r['psnr_rgb']:>10.2f}{r['ssim_rgb']:>10.4f}"
            )
    print(f"kerasgan: wrote {path}")
    return 0


# ---------------------------------------------------------------------------------------------- upscale
def upscale(args):
    """`kerasgan upscale`: one PNG per input image, `scale` times its size, named after it."""
    from kerasgan.data import list_image_files, read_image

    model = load_run(args.run_dir)
    if not hasattr(model, "upscale"):
        raise ValueError(
            f"{args.run_dir} holds a {type(model).__name__}, which does not upscale images; pass the run folder of an "
            "srresnet, srgan or esrgan run."
        )
    tile = None if args.tile is None else options.positive_int("--tile", args.tile)
    overlap = options.integer("--overlap", args.overlap)
    files = [args.input] if os.path.isfile(args.input) else list_image_files(args.input)
    if not files:
        raise ValueError(f"No image files found under {args.input!r}.")
    outputs = _output_names(files)
    for name, file in outputs.items():
        image, reason = read_image(file, model.channels)
        if image is None:
            raise ValueError(f"{file!r} could not be decoded as an image ({reason}).")
        pixels = np.asarray(image, "float32") / 127.5 - 1.0
        write_output_image(os.path.join(args.out, name), model.upscale(pixels, tile=tile, overlap=overlap))
    print(f"kerasgan: wrote {len(outputs)} image(s) upscaled ×{model.scale} to {args.out}")
    return 0


def _output_names(files):
    """{output PNG name: input file}, refusing two inputs that would share a name."""
    outputs = {}
    for file in files:
        name = os.path.splitext(os.path.basename(file))[0] + ".png"
        if name in outputs:
            raise ValueError(f"{outputs[name]!r} and {file!r} would both be written to {name}; rename one of them.")
        outputs[name] = file
    return outputs


def write_output_image(path, image):
    """Writes one image in [-1, 1] (H, W, C) as a PNG: the one place `upscale` writes its outputs."""
    from kerasgan.callbacks import save_image_grid

    save_image_grid(path, image[None], cols=1, padding=0)


def load_run(run_dir):
    """Loads the model a `kerasgan train` run saved in `run_dir`."""
    import keras

    path = os.path.join(run_dir, MODEL_FILE)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No {MODEL_FILE} in {run_dir}; pass the --run-dir of a finished `kerasgan train` run.")
    return keras.saving.load_model(path)
