"""Small helpers shared by the callbacks, the CLI and the data pipeline."""

from kerasgan.utils.io import atomic_path, write_json_atomic

__all__ = ["atomic_path", "write_json_atomic"]
