"""Validators of user arguments, shared by the models, parts, callbacks and data loaders.

Each returns the value converted (float or int) or raises a `ValueError` that
names the owner, the argument, what it must be and what it got.
"""

import numbers


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def nonnegative(owner, name, value):
    """`value` as a float >= 0."""
    if not _is_number(value) or not value >= 0:
        raise ValueError(f"{owner}: {name} must be a number >= 0; got {value!r}.")
    return float(value)


def positive(owner, name, value):
    """`value` as a float > 0."""
    if not _is_number(value) or not value > 0:
        raise ValueError(f"{owner}: {name} must be a number > 0; got {value!r}.")
    return float(value)


def positive_int(owner, name, value, allow_none=False):
    """`value` as an int >= 1 (or None when `allow_none`)."""
    if value is None and allow_none:
        return None
    if not _is_number(value) or int(value) != value or value < 1:
        raise ValueError(
            f"{owner}: {name} must be a positive integer{' or None' if allow_none else ''}; got {value!r}."
        )
    return int(value)


def nonnegative_int(owner, name, value):
    """`value` as an int >= 0."""
    if not _is_number(value) or int(value) != value or value < 0:
        raise ValueError(f"{owner}: {name} must be an integer >= 0; got {value!r}.")
    return int(value)


def in_range(owner, name, value, low, high, hint=""):
    """`value` as a float in [low, high)."""
    if not _is_number(value) or not low <= value < high:
        raise ValueError(f"{owner}: {name} must be in [{low:g}, {high:g}){hint}; got {value!r}.")
    return float(value)


def sample_shape(owner, shape, name="image_shape"):
    """`shape` as a tuple of ints: (height, width, channels) for images or (dim,) for points."""
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        shape = None
    if shape is None or len(shape) not in (1, 3) or min(shape) < 1:
        raise ValueError(f"{owner}: {name} must be (height, width, channels), or (dim,) for points; got {shape!r}.")
    return shape


def image_shape(owner, shape, name="image_shape"):
    """`shape` as a (height, width, channels) tuple of ints."""
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        shape = None
    if shape is None or len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"{owner}: {name} must be (height, width, channels); got {shape!r}.")
    return shape
