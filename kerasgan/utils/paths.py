"""Checks of the paths a command writes, made before it writes anything.

Every command that writes files calls these first, so that a mistyped or
reused path is a one-line error instead of lost images or a traceback half-way.
"""

import os


def _real(path):
    return os.path.realpath(os.path.abspath(os.fspath(path)))


def is_within(path, folder):
    """Whether `path` is `folder` or lies inside it (after resolving symlinks)."""
    path, folder = _real(path), _real(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def refuse_output_over_inputs(output, inputs, flag="--out"):
    """Raises a `ValueError` when `output` is one of `inputs`, or lies inside an input folder.

    Args:
        output: the file or folder the command will write.
        inputs: the files and folders it reads (paths that do not exist are
            ignored: a data set name such as "mnist" is not a path).
        flag: how the user spelled `output`, for the message.
    """
    for source in inputs:
        if source is None or not os.path.exists(source):
            continue
        if is_within(output, source):
            where = "is" if _real(output) == _real(source) else "lies inside"
            raise ValueError(
                f"{flag} {os.fspath(output)!r} {where} the input {os.fspath(source)!r}; writing there would replace "
                "or mix with the inputs. Choose an output outside the inputs."
            )


def output_folder(path, flag="--out", create=True):
    """Checks that the folder `path` can be written, creating it when `create`; a `ValueError` naming the problem.

    With `create=False` nothing is made: the nearest existing folder above
    `path` must be writable, so that the folder can be made later.
    """
    path = os.fspath(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{flag} {path!r} is a file; pass a folder (or a path that does not exist yet).")
    if create:
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as error:
            raise ValueError(
                f"{flag} {path!r} cannot be created: {error.strerror}; choose a writable folder."
            ) from None
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ValueError(f"{flag} {path!r} cannot be created: {existing!r} is a file; choose another folder.")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "is" if existing == os.path.abspath(path) else f"lies in {existing!r}, which is"
        raise ValueError(f"{flag} {path!r} {where} not writable; choose a writable folder.")
    return path


def output_file(path, flag="--out"):
    """Checks that the file `path` can be written (its folder is created); a `ValueError` naming the problem if not."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(f"{flag} {path!r} is a folder; pass a file name, e.g. {os.path.join(path, 'samples.png')!r}.")
    output_folder(os.path.dirname(os.path.abspath(path)), flag=f"the folder of {flag}")
    return path
