"""What every example shares: its command line (--help, the data, --epochs, --max-seconds, --run-dir) and its fit().

An example is `python examples/NAME.py [DATA] [--epochs N] [--max-seconds S] [--run-dir DIR]`:

- without --run-dir each run writes a fresh `logs/NAME-<time>/`, so runs never mix;
- it checkpoints like `kerasgan train` (every epoch, into `RUN_DIR/checkpoints/`): Ctrl-C, --max-seconds
  or a crash loses at most an epoch, and running it again with the same --run-dir continues the run;
- --max-seconds stops cleanly after the step in which the budget runs out (0: after the first step), and
  what follows fit() (saving, the final grids) still runs;
- DATA left at a data set's name (`data_source`) fetches it where there is a network: through
  keras.datasets (fashion_mnist, cifar10) or keras.utils.get_file from its public archive (`ARCHIVES`),
  into Keras' cache (~/.keras/datasets/); a local file or folder is read as it is and nothing is fetched.
"""

import argparse
import datetime
import os
import sys

import keras

import kerasgan

#: The public archives `data_source` fetches, by name: the pix2pix and CycleGAN authors' data sets.
ARCHIVES = {
    "facades": "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz",
    "horse2zebra": "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/horse2zebra.zip",
}


def parse(doc, epochs, data=None, data_help="the data", data_b_help=None, image_size=None, own_flags=None):
    """The example's arguments, with `doc` (its module docstring) as the --help text.

    Args:
        doc: the example's docstring.
        epochs: its default number of epochs.
        data: the default data; None makes DATA required.
        data_help: what DATA is, for --help.
        data_b_help: what the second data argument DATA_B is, for the examples that read two folders.
        image_size: its default image size, when the example takes --image-size.
        own_flags: a function adding the example's own flags to the parser, when it has any.
    """
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    parser = argparse.ArgumentParser(
        prog=f"python examples/{name}.py", description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    if data is None:
        parser.add_argument("data", metavar="DATA", help=data_help)
    else:
        parser.add_argument("data", metavar="DATA", nargs="?", default=data, help=f"{data_help} (default {data})")
    if data_b_help is not None:
        parser.add_argument("data_b", metavar="DATA_B", help=data_b_help)
    parser.add_argument("--epochs", type=_positive(int), default=epochs, help=f"epochs to train (default {epochs})")
    parser.add_argument(
        "--max-seconds", type=_positive(float, zero=True), metavar="S", help="stop cleanly after this wall-clock budget"
    )
    parser.add_argument(
        "--run-dir",
        metavar="DIR",
        help=f"the run folder (default a fresh logs/{name}-<time>); an existing run continues",
    )
    if image_size is not None:
        parser.add_argument(
            "--image-size", type=_positive(int), default=image_size, metavar="N", help=f"default {image_size}"
        )
    if own_flags is not None:
        own_flags(parser)
    args = parser.parse_args()
    args.run_dir = args.run_dir or os.path.join("logs", f"{name}-{datetime.datetime.now():%Y%m%d-%H%M%S}")
    return args


def data_source(data, name, local_help):
    """What the example reads: DATA itself when it is a local path, else the data set `name`, fetched.

    A file or folder that exists is returned untouched, whatever its name: nothing is downloaded. DATA equal
    to `name` (the examples' default) fetches the data set: a keras.datasets name (`fashion_mnist`,
    `cifar10`) fills Keras' cache, and `name` comes back for `kerasgan.data.load_dataset` to read from there;
    an `ARCHIVES` name is downloaded and extracted by `keras.utils.get_file` into
    ~/.keras/datasets/NAME/, and the data set's folder inside it comes back. Anything else, or a failed
    download, ends the example with one line that says which local path to pass instead (exit status 2).

    Args:
        data: DATA from the command line.
        name: the data set's name, DATA's default.
        local_help: what to pass instead, for the error line ("a folder of ...: get it from URL").
    """
    if os.path.exists(data):
        return data
    prog = f"python examples/{os.path.basename(sys.argv[0])}"
    if data != name:
        _stop(f"{prog}: error: DATA {data!r} does not exist; pass {local_help}, or leave DATA out to fetch {name}.")
    try:
        if name in kerasgan.data.DATASET_NAMES:
            getattr(keras.datasets, name).load_data()
            return name
        folder = os.path.join(keras.utils.get_file(fname=name, origin=ARCHIVES[name], extract=True), name)
    except Exception as err:  # no network, a proxy, a moved file, a full disk: all end the same way
        reason = " ".join(f"{type(err).__name__}: {err}".split())
        _stop(f"{prog}: error: could not download {name} ({reason}); pass a local path instead: {local_help}.")
    if not os.path.isdir(folder):
        _stop(
            f"{prog}: error: the {name} archive did not extract to {folder}; pass a local path instead: {local_help}."
        )
    print(f"{prog}: {name} is in {folder} (pass it as DATA to skip the download check)")
    return folder


def _stop(line):
    print(line, file=sys.stderr)
    raise SystemExit(2)


def fit(model, dataset, args, callbacks=()):
    """`model.fit(dataset)` for `args.epochs`, checkpointed in the run folder and stopped by --max-seconds.

    Returns the trained model: the one restored from the run folder's checkpoint when the run continues.
    """
    checkpoint = kerasgan.callbacks.Checkpoint(os.path.join(args.run_dir, "checkpoints"))
    callbacks = list(callbacks)
    if args.max_seconds is not None:
        callbacks.append(kerasgan.callbacks.TimeLimit(args.max_seconds))
    model = kerasgan.callbacks.fit_with_checkpoints(model, dataset, args.epochs, checkpoint, callbacks=callbacks)
    print(f"{os.path.basename(sys.argv[0])}: wrote {args.run_dir}/; tensorboard --logdir {args.run_dir}/tb")
    return model


def _positive(kind, zero=False):
    def convert(text):
        value = kind(text)
        if value < 0 or (value == 0 and not zero):
            raise argparse.ArgumentTypeError(f"must be {'>= 0' if zero else '> 0'}, got {text}")
        return value

    return convert


def save_reconstructions(model, dataset, run_dir):
    """RUN_DIR/reconstructions.png (16 real images over their reconstructions G(E(x)), twice) and codes.npy (E(x))."""
    import numpy as np

    images = next(iter(dataset))[:32].numpy()
    reconstructed = model.reconstruct(images)
    rows = np.concatenate([np.concatenate([images[i : i + 16], reconstructed[i : i + 16]]) for i in (0, 16)])
    kerasgan.callbacks.save_image_grid(os.path.join(run_dir, "reconstructions.png"), rows, cols=16)
    np.save(os.path.join(run_dir, "codes.npy"), model.encode(images))
    print(f"{os.path.basename(sys.argv[0])}: real images over their reconstructions in {run_dir}/reconstructions.png")
