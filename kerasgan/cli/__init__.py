"""Command line: `kerasgan train|sample|evaluate|translate ...`.

The parser and the table of models live in the top-level module
`kerasgan_cli`, which imports no TensorFlow (so `kerasgan --help` is quick);
the commands are in `kerasgan.cli.commands`, the flags-to-arguments rules in
`kerasgan.cli.options` and the data kinds in `kerasgan.cli.pipelines`.

Example:
    >>> from kerasgan import cli
    >>> cli.main(["train", "dcgan", "--data", "mnist", "--epochs", "1"])  # doctest: +SKIP
"""

from kerasgan.cli.commands import load_run
from kerasgan_cli import MODELS, build_parser, main

__all__ = ["MODELS", "build_parser", "load_run", "main"]
