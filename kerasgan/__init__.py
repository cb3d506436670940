"""kerasgan: GANs from the literature as keras.Model subclasses trained with compile() / fit().

`import kerasgan` registers the models with Keras, so
`keras.saving.load_model("gan.keras")` works in a fresh process; the other
submodules (`kerasgan.data`, `kerasgan.metrics`, ...) load on first use.

Unless TF_CPP_MIN_LOG_LEVEL is set, or TensorFlow was imported first, it is
set to 2, which hides the TensorFlow C++ runtime's later info and warning
lines (the CPU-instructions note); set TF_CPP_MIN_LOG_LEVEL=0 to see them. On
TF 2.21 the lines written while `import tensorflow` loads its libraries (the
absl pre-initialization warning, oneDNN's note, "Could not find cuda
drivers") come before any setting applies; the `kerasgan` command filters
them out of its stderr (`kerasgan_cli.quiet_startup`).
"""

import importlib
import os
import sys

__version__ = "0.1.0"

if "tensorflow" not in sys.modules:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from kerasgan import models  # noqa: E402, F401  (registers the model classes for deserialization)

_SUBMODULES = (
    "augment",
    "callbacks",
    "cli",
    "data",
    "latent",
    "losses",
    "metrics",
    "models",
    "networks",
    "parts",
    "schedules",
    "style",
)
__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"kerasgan.{name}")
    raise AttributeError(f"module 'kerasgan' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
