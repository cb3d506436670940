"""From command-line flags to constructor arguments, checked against the model's and the parts' signatures.

A model's arguments are the named parameters along its `__init__` chain: a
class whose `__init__` ends in `**kwargs` hands them to its parent, so
`DCGAN`'s are its own, then `GAN`'s, then `AdversarialModel`'s (the chain
stops at the first `__init__` without `**kwargs`, and at Keras' own classes,
whose arguments are no model's config). The same holds for parts.

Each argument has one spelling: the part arguments (`loss`, `targets`, ...)
their part flags, `latent_dim` and `seed` their flags, what the data decides
(`image_shape`, the classes) none; `--set KEY=VALUE` takes every other one.
"""

import inspect
import json
import math

from kerasgan import parts as parts_lib
from kerasgan.models import AdversarialModel
from kerasgan_cli import PART_FLAGS

#: constructor arguments that have their own flag
OWN_FLAGS = {
    "latent_dim": "--latent-dim",
    "extractor": "--vgg-weights",
    "seed": "--seed",
    "image_shape": "--image-size and --channels (the model is built for the data's shape)",
    "stage": "--stage",
    **dict.fromkeys(("stage1", "stage1_generator", "stage1_conditioning"), "--stage1-run"),
    **{argument: f"--{flag}" for flag, (_, argument, _) in PART_FLAGS.items()},
}


def constructor_parameters(cls, base):
    """{name: inspect.Parameter} of what `cls(...)` takes along its `__init__` chain up to `base`; subclass defaults win."""
    found = {}
    for klass in cls.__mro__:
        if not issubclass(klass, base) or "__init__" not in vars(klass):  # a mixin, or no constructor of its own
            continue
        parameters = list(inspect.signature(klass.__init__).parameters.values())[1:]
        for parameter in parameters:
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                found.setdefault(parameter.name, parameter)
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            break
    return found


def is_network(name):
    """Whether a constructor argument takes a network (the convention of every kerasgan model: generator*, discriminator*)."""
    return name.startswith(("generator", "discriminator"))


def parse_value(text):
    """A --set or part value: true/false, none, an int, a float, a JSON list or object, else the string itself."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for convert in (int, float):
        try:
            return convert(stripped)
        except ValueError:
            pass
    if stripped.startswith(("[", "{")):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError as error:
            raise ValueError(f"{stripped!r} is not valid JSON ({error.msg}); write a list as [1, 2].") from None
    return stripped


def convert(what, text, default):
    """`text` as the argument's value, checked against the type of its `default` (when it has one)."""
    if isinstance(default, str):
        return text.strip()  # "none" is a string here (critic_normalization="none"), not None
    value = parse_value(text)
    if default is None or default is inspect.Parameter.empty or value is None:
        return value
    if isinstance(default, bool):
        ok, expected = isinstance(value, bool), "true or false"
    elif isinstance(default, int):
        ok, expected = isinstance(value, int) and not isinstance(value, bool), "an int"
    elif isinstance(default, float):
        ok, expected = isinstance(value, (int, float)) and not isinstance(value, bool), "a number"
        value = float(value) if ok else value
    elif isinstance(default, (tuple, list)):
        ok, expected = isinstance(value, list), "a JSON list such as [10]"
    else:
        return value
    if not ok:
        raise ValueError(f"{what} takes {expected} (default {default!r}); got {text.strip()!r}.")
    return value


def parse_spec(flag, text):
    """("name", {"key": "raw value"}) from `name:key=value,key=value`; a piece without "=" continues the previous value."""
    name, _, rest = text.partition(":")
    name = name.strip()
    if not name:
        raise ValueError(f"--{flag} {text!r}: start with the part's name, e.g. --{flag} NAME:KEY=VALUE.")
    options, key = {}, None
    for piece in rest.split(",") if rest.strip() else []:
        k, equals, value = piece.partition("=")
        if equals:
            key = k.strip()
            if not key:
                raise ValueError(f"--{flag} {text!r}: a value without its name ({piece!r}); write KEY=VALUE.")
            if key in options:
                raise ValueError(f"--{flag} {text!r}: {key} is given twice.")
            options[key] = value
        elif key is None:
            raise ValueError(f"--{flag} {text!r}: expected KEY=VALUE after '{name}:', got {piece!r}.")
        else:
            options[key] += "," + piece
    return name, options


def build_part(flag, kind, text):
    """The part that `--flag NAME:KEY=VALUE,...` describes, its options checked against its constructor."""
    name, raw = parse_spec(flag, text)
    try:
        cls = parts_lib.lookup(kind, name)
    except ValueError as error:
        raise ValueError(f"--{flag} {text}: {error}") from None
    parameters = constructor_parameters(cls, parts_lib.Part)
    options = {}
    for key, value in raw.items():
        if key not in parameters:
            raise ValueError(
                f"--{flag} {text}: {name} has no option {key!r}; its options are: {', '.join(parameters)}."
            )
        options[key] = convert(f"--{flag} {name}:{key}", value, parameters[key].default)
    try:
        return cls(**options)
    except (ValueError, TypeError) as error:
        raise ValueError(f"--{flag} {text}: {error}") from None


def _parts(flag, kind, repeatable, given):
    texts = given if repeatable else [given]
    if any(t.strip().lower() == "none" for t in texts):
        if len(texts) > 1 or not repeatable:
            raise ValueError(f"--{flag} none stands alone: it gives the model no {kind} parts.")
        return []
    return [build_part(flag, kind, t) for t in texts]


def model_arguments(name, cls, args, from_data=()):
    """The constructor arguments of model `name` (class `cls`) that the flags give, checked against its signature.

    `from_data` names the arguments the data decides (`num_classes`, ...),
    which no flag may set.
    """
    parameters = constructor_parameters(cls, AdversarialModel)
    what = f"{name} ({cls.__name__})"
    settable = sorted(k for k in parameters if k not in OWN_FLAGS and k not in from_data and not is_network(k))
    arguments = {}
    for text in args.set or []:
        key, equals, value = text.partition("=")
        key = key.strip()
        if not equals or not key:
            raise ValueError(f"--set {text!r}: write KEY=VALUE, e.g. --set base_filters=32.")
        if key in OWN_FLAGS and key in parameters:
            raise ValueError(f"--set {key}: set it with {OWN_FLAGS[key]}.")
        if key in from_data:
            raise ValueError(f"--set {key}: {what} takes {key} from the data.")
        if key in parameters and is_network(key):
            raise ValueError(
                f"--set {key}: {key} takes a network, which the model builds itself from its other arguments."
            )
        if key not in parameters:
            raise ValueError(f"--set {key}: {what} has no argument {key!r}; --set takes: {', '.join(settable)}.")
        if key in arguments:
            raise ValueError(f"--set {key} is given twice.")
        arguments[key] = convert(f"--set {key}", value, parameters[key].default)
    if args.latent_dim is not None:
        if "latent_dim" not in parameters:
            raise ValueError(f"--latent-dim does not apply to {what}, which has no latent vector.")
        arguments["latent_dim"] = positive_int("--latent-dim", args.latent_dim)
    for flag, argument in (("stage", "stage"), ("stage1_run", "stage1")):
        if getattr(args, flag, None) is not None and argument not in parameters:
            raise ValueError(
                f"--{flag.replace('_', '-')} does not apply to {what}, which trains in one stage (stackgan has two)."
            )
    if getattr(args, "stage", None) is not None:
        arguments["stage"] = int(args.stage)
    if getattr(args, "vgg_weights", None) is not None:
        if "extractor" not in parameters:
            raise ValueError(
                f"--vgg-weights does not apply to {what}, which has no VGG19 content loss (srgan, esrgan)."
            )
        arguments["extractor"] = vgg_weights(args.vgg_weights)
    for flag, (kind, argument, repeatable) in PART_FLAGS.items():
        given = getattr(args, flag)
        if given is None:
            continue
        if argument not in parameters:
            raise ValueError(f"--{flag} does not apply to {what}: it takes no {argument}= argument.")
        if flag == "ema":
            decay = number("--ema", given)
            try:
                arguments[argument] = parts_lib.lookup(kind, "ema")(decay=decay)
            except ValueError as error:
                raise ValueError(f"--ema {given}: {error}") from None
        else:
            built = _parts(flag, kind, repeatable, given)
            arguments[argument] = built if repeatable else built[0]
    return arguments


def vgg_weights(text):
    """The `extractor=` that `--vgg-weights` names (train srgan/esrgan, stylize): "vgg19" for imagenet, else a checked file path."""
    import os

    text = text.strip()
    if text.lower() == "imagenet":
        return "vgg19"
    if not text.endswith((".h5", ".keras")):
        raise ValueError(
            f"--vgg-weights {text!r}: pass imagenet (Keras downloads the weights once), a local copy of VGG19's "
            "weights (.h5, without the top) or a saved Keras feature model (.keras) with a block5_conv4 layer."
        )
    if not os.path.isfile(text):
        raise ValueError(f"--vgg-weights {text!r}: no such file (the path does not exist); check it.")
    return os.path.abspath(text)


def default_of(cls, name, arguments):
    """The value of constructor argument `name`: as given in `arguments`, else its default (None when it has none)."""
    if name in arguments:
        return arguments[name]
    parameter = constructor_parameters(cls, AdversarialModel).get(name)
    return None if parameter is None or parameter.default is inspect.Parameter.empty else parameter.default


def positive_int(flag, text):
    try:
        value = int(str(text).strip())
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{flag} takes a positive integer; got {text!r}.")
    return value


def integer(flag, text):
    try:
        return int(str(text).strip())
    except ValueError:
        raise ValueError(f"{flag} takes an integer; got {text!r}.") from None


def number(flag, text, positive=True):
    try:
        value = float(str(text).strip())
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and (value > 0 or not positive)):
        raise ValueError(f"{flag} takes a {'positive ' if positive else ''}number; got {text!r}.")
    return value
