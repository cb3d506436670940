"""What every example shares: its command line (--help, the data, --epochs, --max-seconds, --run-dir) and its fit().

An example is `python examples/NAME.py [DATA] [--epochs N] [--max-seconds S] [--run-dir DIR]`:

- without --run-dir each run writes a fresh `logs/NAME-<time>/`, so runs never mix;
- it checkpoints like `kerasgan train` (every epoch, into `RUN_DIR/checkpoints/`): Ctrl-C, --max-seconds
  or a crash loses at most an epoch, and running it again with the same --run-dir continues the run;
- --max-seconds stops cleanly after the step in which the budget runs out (0: after the first step), and
  what follows fit() (saving, the final grids) still runs.
"""

import argparse
import datetime
import os
import sys

import kerasgan


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
