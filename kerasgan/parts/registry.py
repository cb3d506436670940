"""The registry of parts: short names (as the CLI and `loss="hinge"` spell them) to classes, by kind.

`get("r1", "regularizer")` builds `R1()`; `get(R1(10), "regularizer")` returns
the part itself; a serialized part (a dict) is deserialized. A name of the
wrong kind, or an unknown name, is an error that lists the valid ones, as
`keras.optimizers.get` does for optimizers.
"""

import keras

#: kinds of parts, in the order a training step meets them
KINDS = ("loss", "target", "augment", "regularizer", "constraint", "ema", "objective")

_REGISTRY = {kind: {} for kind in KINDS}


def register(alias):
    """Class decorator: registers a part under `alias` for its `kind`, and with Keras for `.keras` files."""

    def decorate(cls):
        if cls.kind not in _REGISTRY:
            raise ValueError(f"{cls.__name__}.kind must be one of {KINDS}; got {cls.kind!r}.")
        cls.alias = alias
        _REGISTRY[cls.kind][alias] = cls
        return keras.saving.register_keras_serializable(package="kerasgan")(cls)

    return decorate


def registered():
    """Every registered part class, kind by kind in the order of `KINDS`."""
    return [cls for kind in KINDS for cls in _REGISTRY[kind].values()]


def names(kind):
    """The registered short names of `kind`, sorted."""
    return sorted(_REGISTRY[kind])


def lookup(kind, alias):
    """The class registered as `alias` for `kind`; a clear error naming the choices otherwise."""
    if kind not in _REGISTRY:
        raise ValueError(f"Unknown kind of part {kind!r}; the kinds are {', '.join(KINDS)}.")
    if alias not in _REGISTRY[kind]:
        other = [k for k in KINDS if alias in _REGISTRY[k]]
        hint = f" ({alias!r} is a {other[0]})" if other else ""
        raise ValueError(f"Unknown {kind} {alias!r}{hint}; choose one of: {', '.join(names(kind))}.")
    return _REGISTRY[kind][alias]


def get(identifier, kind):
    """One part of `kind`: a part instance, a registered short name, or a serialized part (dict)."""
    from kerasgan.parts.part import Part

    if isinstance(identifier, str):
        return lookup(kind, identifier)()
    if isinstance(identifier, dict):
        identifier = keras.saving.deserialize_keras_object(identifier)
    if isinstance(identifier, Part):
        if identifier.kind != kind:
            raise TypeError(
                f"{type(identifier).__name__} is a {identifier.kind} part, not a {kind}; pass it as the model's "
                f"{_ARGUMENT[identifier.kind]}= argument."
            )
        return identifier
    raise TypeError(f"Expected a {kind} (a name in {names(kind)} or a kerasgan.parts object); got {identifier!r}.")


def get_list(identifiers, kind):
    """A list of parts of `kind` from None, one identifier, or a list of them."""
    if identifiers is None:
        return []
    if not isinstance(identifiers, (list, tuple)):
        identifiers = [identifiers]
    parts = [get(identifier, kind) for identifier in identifiers]
    aliases = [part.alias for part in parts]
    repeated = sorted({a for a in aliases if aliases.count(a) > 1})
    if repeated:
        raise ValueError(f"{kind} {repeated[0]!r} is given twice; give each part once, with its weight.")
    return parts


#: the model argument that takes each kind
_ARGUMENT = {
    "loss": "loss",
    "target": "targets",
    "augment": "augment",
    "regularizer": "regularizers",
    "constraint": "constraints",
    "ema": "ema",
    "objective": "objectives",
}
