"""Small helpers shared by the models, parts, callbacks, the CLI and the data pipeline."""

from kerasgan.utils import checks
from kerasgan.utils.io import atomic_path, write_json_atomic

__all__ = ["atomic_path", "checks", "write_json_atomic"]
