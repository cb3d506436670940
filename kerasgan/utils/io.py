"""Atomic file writes: a reader (or a crash) never sees a half-written file."""

import contextlib
import glob
import json
import os
import tempfile
import time


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; renames it onto `path` on success.

    The temporary file keeps the final file's extension, so writers that pick
    their format from the name (Keras' `.keras`, imageio's `.png` / `.gif`)
    still work. On error the temporary file is removed and `path` is untouched.
    A process killed mid-write (SIGKILL, a Colab disconnect) cannot clean up:
    its temporary file is removed by the next successful write of `path`.

    Example:
        with atomic_path("grid.png") as tmp:
            imageio.imwrite(tmp, image)
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    base, ext = os.path.splitext(os.path.basename(path))
    started = time.time()
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=f".tmp{ext}", dir=directory)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
        for stale in glob.glob(os.path.join(glob.escape(directory), f".{glob.escape(base)}.*.tmp{glob.escape(ext)}")):
            with contextlib.suppress(OSError):
                if os.path.getmtime(stale) < started - 1.0:  # older than this write: a killed writer's
                    os.remove(stale)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json_atomic(path, obj):
    """Writes `obj` as indented JSON to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=2, sort_keys=True, default=str)
            f.write("\n")


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
