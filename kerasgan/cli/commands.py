"""The commands behind `kerasgan train|sample|evaluate|translate|encode|upscale|report` (the parser is `kerasgan_cli`'s).

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
    "labelled",
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
    "stage",
    "stage1_run",
    "vgg_weights",
    "precision",
)


def run(args):
    commands = {"train": train, "sample": sample, "evaluate": evaluate, "translate": translate}
    commands.update(encode=encode, upscale=upscale, report=report, stylize=stylize)
    return commands[args.command](args)


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
    flags["precision"] = args.precision or "fp32"
    flags["checkpoint_every"] = (
        1000 if args.checkpoint_every is None else options.positive_int("--checkpoint-every", args.checkpoint_every)
    )
    flags["grid_every"] = 1 if args.grid_every is None else options.positive_int("--grid-every", args.grid_every)
    for name in ("d_lr", "g_lr", "max_seconds"):
        if flags[name] is not None:
            flags[name] = options.number(f"--{name.replace('_', '-')}", flags[name])
    if flags["beta1"] is not None:
        flags["beta1"] = options.number("--beta1", flags["beta1"], positive=False)
        if not 0 <= flags["beta1"] < 1:
            raise ValueError(
                f"--beta1 must be in [0, 1) (Adam's first-moment decay; DCGAN uses 0.5); got {args.beta1}."
            )
    if flags["diagnostics"] is not None:
        flags["diagnostics"] = options.positive_int("--diagnostics", flags["diagnostics"])
    super_resolution = model_class.data_kind == "super_resolution"
    for flag in ("scale", "init_from"):
        if flags.get(flag) is not None and not super_resolution:
            raise ValueError(f"--{flag.replace('_', '-')} applies to srresnet, srgan and esrgan.")
    flags["scale"] = 4 if flags.get("scale") is None else options.positive_int("--scale", flags["scale"])
    if flags.get("labelled") is not None:
        flags["labelled"] = options.positive_int("--labelled", flags["labelled"])
    return flags


def train(args):
    name = args.model
    model_class = kerasgan_cli.model_class(name)
    pipeline_class = pipelines.for_model(model_class)
    flags = resolve_train_flags(args, model_class)
    if flags["data"] is None and pipeline_class.default_data is not None:
        flags["data"] = pipeline_class.default_data
        print(
            "kerasgan: no --data: training on the MNIST test set shipped with kerasgan (10,000 digits, 28×28); "
            "--data mnist reads all 70,000 through keras.datasets"
        )
    pipeline_class.check_flags(name, flags)
    arguments = options.model_arguments(name, model_class, args, from_data=pipeline_class.from_data)
    if flags["diagnostics"] is not None and not pipeline_class.supports_diagnostics:
        supported = [n for n, e in kerasgan_cli.MODELS.items() if pipelines.PIPELINES[e.data_kind].supports_diagnostics]
        raise ValueError(f"--diagnostics watches the GAN family ({', '.join(supported)}); it does not apply to {name}.")
    strategy, run_dir = _strategy(flags["strategy"]), _run_dir(flags)
    init_source = None if flags["resume"] else _init_source(flags)  # a bad --init-from fails before the data is read
    if flags["stage1_run"] and not flags["resume"]:  # resuming, the checkpoint holds stage I
        arguments["stage1"] = _stage1_source(flags["stage1_run"])
    if flags["resume"] and args.epochs is None:
        flags["epochs"] = _saved_config(run_dir).get("epochs", flags["epochs"])  # the run's own, unless asked
    if not _is_chief(strategy):
        # Every worker trains; only the chief writes the run folder.
        run_dir = os.path.join(run_dir, f"worker_{strategy.cluster_resolver.task_id}")
    import tensorflow as tf

    try:
        with strategy.scope():
            return _train(flags, model_class, pipeline_class, arguments, run_dir, init_source)
    except (tf.errors.ResourceExhaustedError, MemoryError) as error:
        raise ValueError(_out_of_memory(error, flags)) from None


def cpu_hint(precision, image_shape, gpus=None, cpu_flags=None):
    """One line naming a faster setting measured on CPUs, when training runs on a CPU; None otherwise.

    `gpus` and `cpu_flags` (the CPU's feature flags) are looked up when None.
    """
    if gpus is None:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return None
    if precision == "fp16":
        return (
            "--precision fp16 on a CPU has no float16 kernels (measured 3-4× slower than fp32); it is for GPUs. "
            "Leave it out on a CPU."
        )
    if cpu_flags is None:
        cpu_flags = _cpu_flags()
    side = min(image_shape[:2]) if len(image_shape) == 3 else 0
    if precision == "fp32" and side >= BF16_PAYS_FROM and {"amx_bf16", "avx512_bf16"} & cpu_flags:
        return f"this CPU computes bfloat16 natively: --precision bf16 {BF16_GAIN} (README, Speed)."
    return None


#: the image side from which --precision bf16 measured faster on a CPU with AMX, and what it measured
BF16_PAYS_FROM = 64
BF16_GAIN = "measured 1.9× the fp32 step of a 64×64 DCGAN (2 cores with AMX)"


def _cpu_flags():
    """The CPU's feature flags (Linux /proc/cpuinfo), or an empty set where they cannot be read."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _init_source(flags):
    """The trained model that `--init-from` names, checked to be a super-resolution run of the same --scale."""
    from kerasgan.models.super_resolution import SuperResolution

    given = flags.get("init_from")
    if not given:
        return None
    if not os.path.isfile(os.path.join(given, MODEL_FILE)):
        raise ValueError(
            f"--init-from {given!r} is not a finished run folder (it holds no {MODEL_FILE}); pass the --run-dir of a "
            "trained srresnet run."
        )
    source = load_run(given)
    if not isinstance(source, SuperResolution):
        raise ValueError(
            f"--init-from {given}: that run holds a {type(source).__name__}, not a super-resolution model; pass the "
            "--run-dir of an srresnet run."
        )
    if source.scale != flags["scale"]:
        raise ValueError(
            f"--init-from {given}: that run upscales ×{source.scale}, this one --scale {flags['scale']}; give the same "
            "--scale as the run it starts from."
        )
    return source


def _stage1_source(given):
    """The model of the run that `--stage1-run` names (the model checks that it is a trained stage I)."""
    if not os.path.isfile(os.path.join(given, MODEL_FILE)):
        raise ValueError(
            f"--stage1-run {given!r} is not a finished run folder (it holds no {MODEL_FILE}); pass the --run-dir of a "
            "kerasgan train stackgan --stage 1 run."
        )
    return load_run(given)


def _out_of_memory(error, flags):
    """What ran out of memory, with the size TensorFlow tried to allocate, and what to change."""
    import re

    from kerasgan.data.folder import available_memory

    found = re.search(r"tensor with shape\[([\d,]+)\] and type (\w+)", str(error))
    what = "memory"
    if found:
        shape = [int(s) for s in found.group(1).split(",")]
        itemsize = {"half": 2, "bfloat16": 2, "double": 8, "int64": 8}.get(found.group(2), 4)
        size = itemsize
        for s in shape:
            size *= s
        what = f"memory for a {' × '.join(f'{s:,}' for s in shape)} {found.group(2)} tensor ({size / 1e9:.3g} GB)"
    free = available_memory()
    free = f" ({free / 1e9:.3g} GB of memory is available)" if free else ""
    return (
        f"{flags['model']} at --image-size {flags['image_size']} and --batch-size {flags['batch_size']} ran out of "
        f"{what}{free}; use a smaller --image-size or --batch-size. The last checkpoint, if any, is kept."
    )


def _train(flags, model_class, pipeline_class, arguments, run_dir, init_source=None):
    import keras

    from kerasgan import callbacks
    from kerasgan.utils import atomic_path, paths

    keras.utils.set_random_seed(flags["seed"])  # first: TensorFlow's shuffling depends on the global seed
    d_steps = options.default_of(model_class, "d_steps", arguments) or 1
    pipeline = pipeline_class(flags["model"], model_class, flags, arguments, flags["batch_size"] * d_steps)
    steps_per_epoch = pipeline.steps_per_epoch()
    paths.output_folder(run_dir, flag="--run-dir")  # made once the data is known to be readable
    checkpoint = callbacks.Checkpoint(os.path.join(run_dir, CHECKPOINT_DIR), every_n_steps=flags["checkpoint_every"])
    model = None
    if flags["resume"]:
        latest = _checkpoint_to_resume(run_dir, checkpoint, flags, steps_per_epoch)
        saved = _saved_config(run_dir)
        if saved.get("epochs") != flags["epochs"]:  # asked for more: a later bare --resume aims for the same end
            from kerasgan.utils import write_json_atomic

            write_json_atomic(os.path.join(run_dir, CONFIG_FILE), {**saved, "epochs": flags["epochs"]})
        print(f"kerasgan: continuing from {latest}")
    else:
        # The networks take the dtype policy in force when they are built (and keep it when saved and reloaded).
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(kerasgan_cli.PRECISIONS[flags["precision"]])
        try:
            model = model_class(**{**arguments, **pipeline.model_arguments()}, seed=flags["seed"])
        finally:
            keras.config.set_dtype_policy(previous)
        if init_source is not None:
            try:
                model.initialize_from(init_source)
            except ValueError as error:
                raise ValueError(f"--init-from {flags['init_from']}: {error}") from None
        total_steps = steps_per_epoch * flags["epochs"]
        model.compile(*_tuned_optimizers(flags, model.default_optimizers(), (total_steps * d_steps, total_steps)))
        _write_config(run_dir, flags, model, steps_per_epoch)
        hint = cpu_hint(flags["precision"], getattr(model, "image_shape", ()))
        if hint:
            print(f"kerasgan: {hint}")

    cbs = pipeline.callbacks(run_dir, flags["grid_every"], flags["seed"], flags["diagnostics"])
    if flags["max_seconds"]:
        cbs.append(callbacks.TimeLimit(flags["max_seconds"]))
    stop = callbacks.StopOnSignal()
    status = 0
    try:
        with stop:
            # Restores the newest intact checkpoint when resuming (then `model` is None).
            model = callbacks.fit_with_checkpoints(
                model,
                pipeline.make_dataset,
                flags["epochs"],
                checkpoint,
                callbacks=[*cbs, stop],
                steps_per_epoch=steps_per_epoch,
            )
    except KeyboardInterrupt:  # a second Ctrl-C while stopping, or one raised by a callback
        if checkpoint.model is None:  # interrupted before training began: nothing to save
            raise
        print("kerasgan: interrupted; saving the model as it is now.", file=sys.stderr)
        model, status = checkpoint.model, 130
    with atomic_path(os.path.join(run_dir, MODEL_FILE)) as tmp:
        model.save(tmp)
    if stop.received is not None:
        import signal

        status = 128 + stop.received
        step = int(keras.ops.convert_to_numpy(model.g_optimizer.iterations))
        print(
            f"kerasgan: stopped by {signal.Signals(stop.received).name} after step {step}; the run is resumable: "
            f"kerasgan train {flags['model']} --run-dir {run_dir} --resume (with the same flags)",
            file=sys.stderr,
        )
    print(f"kerasgan: wrote {run_dir}/ ({', '.join(_written(run_dir, checkpoint))})")
    print(f"kerasgan: watch it with: tensorboard --logdir {os.path.join(run_dir, 'tb')}")
    return status


def _written(run_dir, checkpoint):
    """The files and folders of the run folder that exist now, as the completion line lists them."""
    entries = [MODEL_FILE, CONFIG_FILE]
    latest = checkpoint.latest()
    if latest is not None:
        entries.append(os.path.relpath(latest, run_dir) + "/")
    entries += ["images/", "progress.gif", "losses.png", "tb/"]
    return [e for e in entries if os.path.exists(os.path.join(run_dir, e))]


def _run_dir(flags):
    """The run folder: checked to be writable, outside the data, and not holding another run (unless --resume)."""
    from kerasgan.utils import paths

    given = flags["run_dir"]
    if flags["resume"]:
        if not given:
            raise ValueError("--resume continues an existing run: pass its --run-dir.")
        if not os.path.isdir(given):
            raise ValueError(
                f"--resume: {given!r} is not a run folder (it does not exist), so there is nothing to resume; "
                "check the path, or leave out --resume to start a new run."
            )
        return given
    run_dir = given or os.path.join("logs", f"{flags['model']}-{datetime.datetime.now():%Y%m%d-%H%M%S}")
    flag = "--run-dir" if given else "the default run folder (logs/ under the current folder)"
    paths.refuse_output_over_inputs(run_dir, [flags.get(k) for k in ("data", "data_a", "data_b")], flag=flag)
    paths.output_folder(run_dir, flag=flag, create=False)
    if os.path.exists(os.path.join(run_dir, MODEL_FILE)) or os.path.isdir(os.path.join(run_dir, CHECKPOINT_DIR)):
        raise ValueError(
            f"{run_dir} already holds a run (model.keras or checkpoints/); choose another --run-dir so it is not "
            "overwritten, or add --resume to continue it."
        )
    return run_dir


def _checkpoint_to_resume(run_dir, checkpoint, flags, steps_per_epoch):
    """The newest intact checkpoint of the run in `run_dir`, after checking that these flags continue that run."""
    from kerasgan.callbacks.checkpoint import STATE_FILE, damage

    latest = checkpoint.latest()
    if latest is None:
        damaged = [f"{os.path.basename(p)}: {damage(p)}" for p in checkpoint.paths()]
        if damaged:
            what = f"every checkpoint in {checkpoint.directory} is damaged ({'; '.join(damaged)})"
        elif os.path.exists(os.path.join(run_dir, MODEL_FILE)):
            what = f"{run_dir} holds a model.keras but no checkpoints/ to continue from"
        else:
            what = f"{run_dir} holds no checkpoints/"
        raise ValueError(
            f"--resume: {what}, so there is nothing to resume; start a new run in another --run-dir "
            "(a finished run's model.keras is never trained over)."
        )
    _check_same_run(run_dir, flags, steps_per_epoch)
    with open(os.path.join(latest, STATE_FILE)) as f:
        state = json.load(f)
    done = state["epoch"] + (state["batch"] >= steps_per_epoch)
    if done >= flags["epochs"]:
        raise ValueError(
            f"--resume: {run_dir} has finished its {done} epoch(s); nothing was trained or written. To train it "
            f"further, ask for more epochs explicitly: --epochs {done + 1} or more."
        )
    return latest


def _saved_config(run_dir):
    path = os.path.join(run_dir, CONFIG_FILE)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def _check_same_run(run_dir, flags, steps_per_epoch):
    """Refuses to resume a run with flags that would have built or fed another model (they would be ignored)."""
    saved = _saved_config(run_dir)
    if not saved:
        raise ValueError(
            f"--resume: {run_dir} has checkpoints but no {CONFIG_FILE} recording the settings it was started with, "
            "so this run cannot be checked to be the same; put its config.json back, or start a new run."
        )
    changed = [
        f"--{k.replace('_', '-')} {saved.get(k)!r} → {flags[k]!r}"
        for k in RUN_DEFINING_FLAGS
        if k in saved and json.loads(json.dumps(flags[k])) != saved[k]
    ]
    if saved.get("steps_per_epoch", steps_per_epoch) != steps_per_epoch:
        changed.append(f"the data's batches per epoch {saved['steps_per_epoch']} → {steps_per_epoch}")
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


def _write_config(run_dir, flags, model, steps_per_epoch):
    """`config.json`: the command, every flag, the model's config and the library versions."""
    import tensorflow as tf

    from kerasgan.utils import write_json_atomic

    config = {
        "command": "train",
        "argv": sys.argv[1:],
        **flags,
        "image_shape": list(model.image_shape),
        "steps_per_epoch": steps_per_epoch,
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
    ext = os.path.splitext(args.out)[1].lower()
    formats = (".npy", ".png", ".gif") if args.interpolate else (".npy", ".png")
    if ext not in formats:
        extra = " with --interpolate" if args.interpolate else ""
        raise ValueError(f"--out must end in {', '.join(formats[:-1])} or {formats[-1]}{extra}; got {args.out!r}.")
    if args.steps is not None and not args.interpolate:
        raise ValueError("--steps applies to --interpolate (images per interpolation).")
    check_output(args.out, [os.path.join(args.run_dir, MODEL_FILE)], folder=False)
    num = None if args.num is None else options.positive_int("--num", args.num)
    seed = None if args.seed is None else options.integer("--seed", args.seed)
    gan = _load_generator_run(args.run_dir, "sample")
    if (gan.data_kind == "captioned_images") != bool(args.caption):
        text_models = [n for n, e in kerasgan_cli.MODELS.items() if e.data_kind == "captioned_images"]
        if args.caption:
            raise ValueError(
                f"--caption applies to text-to-image models ({', '.join(text_models)}); this run trained a "
                f"{type(gan).__name__}."
            )
        raise ValueError(f'This run trained a text-to-image {type(gan).__name__}: give --caption "..." (repeatable).')
    if args.caption:
        return _sample_captions(args, gan, num or 8, seed)
    labels = None if args.label is None else _label(gan, args.label)
    style = {}
    if args.truncation is not None or args.style_mix is not None:
        flag = "--truncation" if args.truncation is not None else "--style-mix"
        if not hasattr(gan, "mix_styles"):
            from kerasgan import models

            styled = [n for n, cls in models.MODELS.items() if hasattr(cls, "mix_styles")]
            raise ValueError(
                f"{flag} applies to style-based models ({', '.join(styled)}); this run trained a {type(gan).__name__}."
            )
        if args.interpolate and (args.style_mix is not None or args.interpolate != "w"):
            raise ValueError(
                f"{flag} does not combine with --interpolate {args.interpolate}; --truncation combines with "
                "--interpolate w only (a walk between truncated styles)."
            )
        if args.truncation is not None:
            style["truncation_psi"] = options.number("--truncation", args.truncation, positive=False)
    if args.style_mix is not None:
        return _style_mix(args, gan, num or 4, style.get("truncation_psi", 1.0), seed)
    if args.interpolate:
        steps = 8 if args.steps is None else options.positive_int("--steps", args.steps)
        return _interpolate(args, gan, ext, num or 4, steps, labels, seed, style.get("truncation_psi", 1.0))
    num = num or 64
    if labels is None:
        images = gan.generate(num, seed=seed, **style)
    else:
        images = gan.generate(num, labels=labels, seed=seed)
    _write_samples(args.out, images)
    print(f"kerasgan: wrote {num} samples to {args.out}")
    return 0


def _write_samples(path, images, cols=None, save=None):
    """`images` as the array (.npy, written atomically) or as a picture: `save(path, images)`, by default a grid
    of `cols` columns."""
    from kerasgan.callbacks import save_image_grid
    from kerasgan.utils import atomic_path

    if os.path.splitext(path)[1].lower() == ".npy":
        with atomic_path(path) as tmp:
            np.save(tmp, images)
    elif save is not None:
        save(path, images)
    else:
        save_image_grid(path, images, cols=cols)


def _sample_captions(args, gan, per_caption, seed):
    """`per_caption` images for each --caption, the same latents in each row; a .png grid has one row per caption."""

    for flag in ("label", "interpolate"):
        if getattr(args, flag) is not None:
            raise ValueError(f"--{flag} does not apply with --caption.")
    if gan.text_encoder is None:
        raise ValueError(
            f"This {type(gan).__name__} was trained on precomputed embeddings and has no text encoder to read "
            "--caption; generate with kerasgan.models.GANCLS.generate(text=...) in Python."
        )
    captions = [c for c in args.caption for _ in range(per_caption)]
    latents = np.tile(
        np.random.default_rng(seed).standard_normal((per_caption, gan.latent_dim)), (len(args.caption), 1)
    )
    images = gan.generate(latents=latents, captions=captions)
    _write_samples(args.out, images, cols=per_caption)
    print(f"kerasgan: wrote {len(args.caption)} rows of {per_caption} samples to {args.out}")
    return 0


def _style_mix(args, gan, sources, psi, seed):
    """The classic style-mixing grid (`kerasgan.latent.style_mixing_grid`) as a .png or .npy."""
    from kerasgan import latent

    crossover = options.integer("--style-mix", args.style_mix)
    if not 0 <= crossover <= gan.num_ws:
        raise ValueError(f"--style-mix {crossover}: the crossover must be in [0, {gan.num_ws}] (the style inputs).")
    grid = latent.style_mixing_grid(gan, sources, crossover, psi, seed)
    _write_samples(args.out, grid, cols=sources + 1)
    print(
        f"kerasgan: wrote a {sources}×{sources} style-mixing grid (rows' styles below {crossover}, columns' from it "
        f"on) to {args.out}"
    )
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
    if not hasattr(gan, "label_index"):  # the models trained on class labels (ClassLabels)
        conditional = [n for n in kerasgan_cli.MODELS if hasattr(kerasgan_cli.model_class(n), "label_index")]
        raise ValueError(
            f"--label applies to conditional models ({', '.join(conditional)}); this run trained a "
            f"{type(gan).__name__}."
        )
    return gan.label_index(int(text) if text.lstrip("-").isdigit() else text)


def _interpolate(args, gan, ext, rows, steps, labels, seed, truncation_psi):
    import numpy as np

    from kerasgan import latent

    if ext == ".gif":
        keypoints = np.random.default_rng(seed).standard_normal((max(rows, 2), gan.latent_dim))
        images = latent.walk(gan, keypoints, steps, args.interpolate, True, labels, truncation_psi)
        frames = latent.save_gif(args.out, images, boomerang=False)
        print(
            f"kerasgan: wrote a {frames}-frame {args.interpolate} walk through {len(keypoints)} latents to {args.out}"
        )
        return 0
    grid = latent.interpolation_grid(gan, rows, steps, args.interpolate, labels, seed, truncation_psi)
    _write_samples(args.out, grid, save=latent.save_strip)
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
    entry = kerasgan_cli.MODELS.get(_saved_config(args.run_dir).get("model"))
    if entry is not None and entry.data_kind == "super_resolution":  # scored against HR images, no extractor
        return _evaluate_super_resolution(args, load_run(args.run_dir))
    extractor = None
    if {"fid", "kid", "is", "pr"} & set(names):
        extractor = _extractor(args.extractor, batch_size)  # before loading: offline, it fails in a second
    gan = _generator_run(load_run(args.run_dir), args.run_dir, "evaluate")
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
    from kerasgan.callbacks import save_image_grid

    check_output(args.out, [args.input, os.path.join(args.run_dir, MODEL_FILE)], folder=True)
    model = load_run(args.run_dir)
    if not hasattr(model, "translate"):
        translators = [n for n, e in kerasgan_cli.MODELS.items() if e.data_kind in ("paired_images", "unpaired_images")]
        raise ValueError(
            f"{args.run_dir} holds a {type(model).__name__}, which does not translate images; "
            f"pass the run folder of a {' or '.join(translators)} run."
        )
    network = model.translation_network(args.direction)
    height, width, channels = network.input_shape[1:]
    outputs, pixels = _read_images(args.input, height, width, channels, out=args.out)
    for name, image in zip(outputs, pixels):
        save_image_grid(os.path.join(args.out, name), model.translate(image[None], args.direction), cols=1, padding=0)
    print(f"kerasgan: wrote {len(outputs)} translated image(s) ({args.direction}) to {args.out}")
    return 0


def _read_images(path, height, width, channels, out=None):
    """({output PNG name: its input file}, float32 images in [-1, 1]) of an image file or a folder, center-cropped
    and resized; the images are in the dict's order."""
    import numpy as np

    from kerasgan.data import center_crop_resize, read_image

    outputs = _output_names(path, out)
    pixels = []
    for file in outputs.values():
        image, reason = read_image(file, channels)
        if image is None:
            raise ValueError(f"{file!r} could not be decoded as an image ({reason}).")
        pixels.append(np.asarray(center_crop_resize(image, (height, width)), "float32") / 127.5 - 1.0)
    return outputs, np.stack(pixels)


# ---------------------------------------------------------------------------------------------- encode
def encode(args):
    """`kerasgan encode`: the codes E(x) of a run with an encoder (bigan, aae), saved as one .npy array.

    The row order is that of the images in `--input` (a file, or a folder's
    files in sorted order), whose names are written beside the array
    (codes.npy -> codes.txt, one name a line).
    """
    import numpy as np

    if not args.out.endswith(".npy"):
        raise ValueError(f"--out {args.out!r}: the codes are written as a numpy array; name the file *.npy.")
    inputs = [args.input, os.path.join(args.run_dir, MODEL_FILE)]
    check_output(args.out, inputs, folder=False)
    check_output(args.out[: -len(".npy")] + ".txt", inputs, folder=False)
    model = load_run(args.run_dir)
    if not hasattr(model, "encode"):
        encoders = [n for n in kerasgan_cli.MODELS if hasattr(kerasgan_cli.model_class(n), "encode")]
        raise ValueError(
            f"{args.run_dir} holds a {type(model).__name__}, which has no encoder; pass the run folder of a "
            f"{' or '.join(encoders)} run."
        )
    if args.input.endswith(".npy"):
        names, images = None, np.load(args.input)
    else:
        height, width, channels = model.image_shape
        names, images = _read_images(args.input, height, width, channels)
    codes = model.encode(images)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.save(args.out, codes)
    if names is not None:
        with open(args.out[: -len(".npy")] + ".txt", "w") as f:
            f.write("".join(os.path.splitext(n)[0] + "\n" for n in names))
    print(f"kerasgan: wrote the codes {codes.shape} of {len(codes)} image(s) to {args.out}")
    return 0


def stylize(args):
    """`kerasgan stylize`: Gatys et al.'s style transfer; the image, its frames (OUT_steps/) and their GIF (OUT.gif)."""
    from kerasgan import style
    from kerasgan.callbacks import save_image_grid

    if not args.out.endswith(".png"):
        raise ValueError(f"--out {args.out!r}: the stylized image is written as a PNG; name the file *.png.")
    stem = args.out[: -len(".png")]
    frames, gif = stem + "_steps", stem + ".gif"
    inputs = [args.content, args.style, args.vgg_weights]
    check_output(args.out, inputs, folder=False)
    check_output(gif, inputs, folder=False)
    check_output(frames, inputs, folder=True)
    for flag, path in (("--content", args.content), ("--style", args.style)):
        if not os.path.isfile(path):
            raise ValueError(f"{flag} {path!r} does not exist; pass the path of a file.")
    extractor = None if args.vgg_weights is None else options.vgg_weights(args.vgg_weights)
    steps = _positive(args.steps, "--steps", int)
    result = style.transfer(
        args.content,
        args.style,
        steps=steps,
        content_weight=_positive(args.content_weight, "--content-weight", float, zero=True),
        style_weight=_positive(args.style_weight, "--style-weight", float, zero=True),
        tv_weight=_positive(args.tv_weight, "--tv-weight", float, zero=True),
        extractor=extractor,
        learning_rate=_positive(args.learning_rate, "--learning-rate", float),
        max_size=_positive(args.size, "--size", int),
        frames_dir=frames,
        every=None if args.every is None else _positive(args.every, "--every", int),
        gif=gif,
    )
    save_image_grid(args.out, result.image[None], cols=1, padding=0)
    history = result.history
    print(
        f"kerasgan: wrote {args.out} ({steps} steps; style loss {history['style_loss'][0]:.4g} -> "
        f"{history['style_loss'][-1]:.4g}, content loss {history['content_loss'][-1]:.4g}), "
        f"{len(result.frames)} frames in {frames} and {gif}"
    )
    return 0


def _positive(text, flag, kind, zero=False):
    """`text` as a positive (or, with `zero`, non-negative) `kind`; a one-line error naming `flag` if not."""
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not (value >= 0 if zero else value > 0) or value != value:
        what = "non-negative" if zero else "positive"
        raise ValueError(f"{flag} must be a {what} {'integer' if kind is int else 'number'}; got {text!r}.")
    return value


def check_output(out, inputs, folder):
    """The check every command that writes `--out` makes before anything else (sample, translate, and any new one).

    Args:
        out: the output path.
        inputs: every file or folder the command reads (a folder covers all below it).
        folder: whether `out` is a folder (else a file).

    Raises a one-line `ValueError` when `out` is, or lies inside, an input, or
    cannot be written (a file where a folder is needed, a folder where a
    file is, not writable).
    """
    from kerasgan.utils import paths

    paths.refuse_output_over_inputs(out, inputs, flag="--out")
    if folder:
        paths.output_folder(out, flag="--out", create=False)
    else:
        paths.output_file(out, flag="--out")


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


# ---------------------------------------------------------------------------------------------- report
def report(args):
    """`kerasgan report`: one self-contained HTML page about a run (`kerasgan.report.write_report`)."""
    from kerasgan.report import write_report

    if args.out is not None:
        check_output(args.out, [os.path.join(args.run_dir, MODEL_FILE)], folder=False)
    path = write_report(args.run_dir, args.out)
    print(f"kerasgan: wrote {path}")
    return 0


# ---------------------------------------------------------------------------------------------- upscale
def upscale(args):
    """`kerasgan upscale`: one PNG per input image, `scale` times its size, named after it."""
    from kerasgan.data import read_image

    check_output(args.out, [args.input, os.path.join(args.run_dir, MODEL_FILE)], folder=True)
    model = load_run(args.run_dir)
    if not hasattr(model, "upscale"):
        raise ValueError(
            f"{args.run_dir} holds a {type(model).__name__}, which does not upscale images; pass the run folder of an "
            "srresnet, srgan or esrgan run."
        )
    tile = None if args.tile is None else options.positive_int("--tile", args.tile)
    overlap = options.integer("--overlap", args.overlap)
    outputs = _output_names(args.input, out=args.out)
    for name, file in outputs.items():
        image, reason = read_image(file, model.channels)
        if image is None:
            raise ValueError(f"{file!r} could not be decoded as an image ({reason}).")
        pixels = np.asarray(image, "float32") / 127.5 - 1.0
        write_output_image(os.path.join(args.out, name), model.upscale(pixels, tile=tile, overlap=overlap))
    print(f"kerasgan: wrote {len(outputs)} image(s) upscaled ×{model.scale} to {args.out}")
    return 0


def _output_names(path, out=None):
    """{output PNG name: input file} for an image file or a folder's images.

    Refuses two inputs that would share a name and, given the output folder
    `out`, an output that would replace its own input (face.png in `out`).
    """
    from kerasgan.data import list_image_files
    from kerasgan.utils import paths

    files = [path] if os.path.isfile(path) else list_image_files(path)
    if not files:
        raise ValueError(f"No image files found under {path!r}.")
    outputs = {}
    for file in files:
        name = os.path.splitext(os.path.basename(file))[0] + ".png"
        if name in outputs:
            raise ValueError(f"{outputs[name]!r} and {file!r} would both be written to {name}; rename one of them.")
        outputs[name] = file
        if out is not None:
            paths.refuse_output_over_inputs(os.path.join(out, name), [file])
    return outputs


def write_output_image(path, image):
    """Writes one image in [-1, 1] (H, W, C) as a PNG: the one place `upscale` writes its outputs."""
    from kerasgan.callbacks import save_image_grid

    save_image_grid(path, image[None], cols=1, padding=0)


def load_run(run_dir):
    """Loads the model a `kerasgan train` run saved in `run_dir`, to run its networks (a content loss's extractor is not built)."""
    import keras

    from kerasgan.callbacks import Checkpoint
    from kerasgan.callbacks.checkpoint import archive_problem

    path = os.path.join(run_dir, MODEL_FILE)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No {MODEL_FILE} in {run_dir}; pass the --run-dir of a finished `kerasgan train` run.")
    problem = archive_problem(path)  # Keras says "File not found" for a truncated file
    if problem is not None:
        latest = Checkpoint(os.path.join(run_dir, CHECKPOINT_DIR)).latest()
        fallback = f"; its newest intact checkpoint is {os.path.join(latest, MODEL_FILE)}" if latest else ""
        raise ValueError(f"{path} is damaged: {problem} (truncated by a full disk or an interrupted copy?){fallback}.")
    from kerasgan.parts.objectives import extractors_deferred

    with extractors_deferred():  # the commands that load a run run its generator: no VGG19 needed
        return keras.saving.load_model(path)
