"""kerasgan: GANs from the literature as keras.Model subclasses trained with compile() / fit().

Submodules load on first use (`kerasgan.models`, `kerasgan.data`, ...), so
`import kerasgan` itself is instant and needs neither a GPU nor a network.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = ("augment", "callbacks", "data", "latent", "losses", "metrics", "models", "networks")
__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"kerasgan.{name}")
    raise AttributeError(f"module 'kerasgan' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
