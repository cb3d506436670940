"""One self-contained HTML page about a run folder: its settings, loss curves, samples, warnings and scores.

`write_report(run_dir)` (the `kerasgan report` command) reads what a run
wrote — `config.json`, `losses.png`, the newest grid in `images/`,
`progress.gif`, `diagnostics.json`, `evaluation.json` — and writes
`report.html` beside them. Every picture is embedded as a `data:` URI, so the
page can be mailed or moved on its own; a piece the run lacks is said on the
page, in its place.
"""

import base64
import datetime
import glob
import html
import json
import os

from kerasgan.callbacks.diagnostics import read_warnings
from kerasgan.callbacks.run import DIAGNOSTICS_FILE, LOSSES_FILE
from kerasgan.utils.io import atomic_path

REPORT_FILE = "report.html"
CONFIG_FILE = "config.json"
EVALUATION_FILE = "evaluation.json"
GIF_FILE = "progress.gif"

#: what marks a folder as a run: any of these (a `kerasgan train` run has all; `run_callbacks` in a notebook some)
RUN_MARKERS = (CONFIG_FILE, "model.keras", "checkpoints", "images", "tb", LOSSES_FILE, GIF_FILE)

#: the sections of the page, in order: (id, heading); the pictures first, the settings (a long table) last
SECTIONS = (
    ("samples", "Latest samples"),
    ("progress", "Progress"),
    ("losses", "Loss curves"),
    ("diagnostics", "Diagnostics"),
    ("evaluation", "Evaluation"),
    ("configuration", "Configuration"),
)

_MIME = {".png": "image/png", ".gif": "image/gif"}

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1100px;
       padding: 1.5em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.8em; }
.meta { color: #666; margin-top: 0; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
.pictures { display: flex; flex-wrap: wrap; gap: 0 2.5em; }
.pictures section { flex: 1 1 400px; min-width: 0; }
.pictures img { width: 100%; max-width: 500px; }
img.pixels { image-rendering: pixelated; }
figure { margin: 0.5em 0; }
figcaption { color: #666; font-size: 0.9em; }
.missing { color: #8a5a00; background: #fff8e5; border-left: 4px solid #f0b400; padding: 0.4em 0.8em; }
.warning { background: #fff1f0; border-left: 4px solid #d93025; padding: 0.5em 0.8em; margin: 0.6em 0; }
.warning .remedy { margin-top: 0.3em; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
"""


def is_run_folder(path):
    """Whether `path` is a folder holding any of `RUN_MARKERS`."""
    return os.path.isdir(path) and any(os.path.exists(os.path.join(path, m)) for m in RUN_MARKERS)


def write_report(run_dir, path=None):
    """Writes the report page of `run_dir` (default `run_dir/report.html`) atomically; returns its path.

    Raises:
        ValueError: `run_dir` does not exist or holds none of `RUN_MARKERS`.
    """
    run_dir = os.fspath(run_dir)
    if not os.path.isdir(run_dir):
        raise ValueError(f"Run folder {run_dir!r} does not exist; pass the --run-dir of a `kerasgan train` run.")
    if not is_run_folder(run_dir):
        raise ValueError(
            f"{run_dir!r} is not a run folder: it holds none of {', '.join(RUN_MARKERS)}; pass the --run-dir of a "
            "`kerasgan train` run (or a folder kerasgan.callbacks.run_callbacks wrote)."
        )
    path = os.path.join(run_dir, REPORT_FILE) if path is None else os.fspath(path)
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            for piece in _pieces(run_dir):  # section by section: a large GIF is not held twice
                f.write(piece)
    return path


def render_report(run_dir):
    """The report page of `run_dir` as a string (see `write_report`)."""
    return "".join(_pieces(run_dir))


def _pieces(run_dir):
    config, config_problem = _read_json(os.path.join(run_dir, CONFIG_FILE))
    name = os.path.basename(os.path.normpath(os.path.abspath(run_dir)))
    title = f"kerasgan run {name}"
    model = config.get("model") if isinstance(config, dict) else None
    meta = [f"model {model}"] if model else []
    steps = _last_step(run_dir)
    if steps is not None:
        meta.append(f"{steps:,} training steps")
    meta.append(f"folder {os.path.abspath(run_dir)}")
    meta.append(f"report written {datetime.datetime.now():%Y-%m-%d %H:%M}")
    yield (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n"
        f'<p class="meta">{_e(" · ".join(meta))}</p>\n'
        "<nav>" + "".join(f'<a href="#{sid}">{_e(heading)}</a>' for sid, heading in SECTIONS) + "</nav>\n"
    )
    builders = {
        "configuration": lambda: _configuration(config, config_problem),
        "losses": lambda: _losses(run_dir),
        "samples": lambda: _samples(run_dir),
        "progress": lambda: _progress(run_dir),
        "diagnostics": lambda: _diagnostics(run_dir),
        "evaluation": lambda: _evaluation(run_dir),
    }
    for sid, heading in SECTIONS:
        if sid == "samples":
            yield '<div class="pictures">'
        yield f'<section id="{sid}"><h2>{_e(heading)}</h2>{builders[sid]()}</section>\n'
        if sid == "progress":
            yield "</div>\n"
    yield "</body></html>\n"


# ---------------------------------------------------------------------------------------------- sections
def _configuration(config, problem):
    if problem:
        return _missing(problem + " (`kerasgan train` writes it; a run of run_callbacks in Python has none)")
    if not isinstance(config, dict):
        return _missing(f"{CONFIG_FILE} holds no settings object.")
    nested = {k: v for k, v in config.items() if isinstance(v, (dict, list)) and k != "argv"}
    flat = {k: v for k, v in config.items() if k not in nested}
    parts = []
    if "argv" in flat and isinstance(flat["argv"], list):
        parts.append(f"<p>Command: <code>kerasgan {_e(' '.join(map(str, flat.pop('argv'))))}</code></p>")
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(_text(v))}</td></tr>" for k, v in flat.items() if v is not None)
    parts.append(f"<table>{rows}</table>")
    unset = sorted(k for k, v in flat.items() if v is None)
    if unset:
        parts.append(f'<p class="meta">Not set (the model\'s defaults): {_e(", ".join(unset))}</p>')
    for key, value in nested.items():
        parts.append(f"<details><summary>{_e(key)}</summary><pre>{_e(json.dumps(value, indent=2))}</pre></details>")
    return "".join(parts)


def _losses(run_dir):
    path = os.path.join(run_dir, LOSSES_FILE)
    if not os.path.exists(path):
        return _missing(
            f"No {LOSSES_FILE}: it is drawn by kerasgan.callbacks.LossCurves (part of run_callbacks) at each epoch's "
            "end, so the run predates it or has not finished an epoch. The scalars are in tb/ (TensorBoard)."
        )
    return _figure(path, "every logged value per training step (thin) and its moving average (thick)")


def _samples(run_dir):
    grids = sorted(glob.glob(os.path.join(glob.escape(os.path.join(run_dir, "images")), "*.png")))
    if not grids:
        return _missing("No sample grids in images/ yet (one is written at the end of every epoch).")
    latest = grids[-1]
    return _figure(latest, f"images/{os.path.basename(latest)} (the newest of {len(grids)} grids)", pixels=True)


def _progress(run_dir):
    path = os.path.join(run_dir, GIF_FILE)
    if not os.path.exists(path):
        return _missing(f"No {GIF_FILE}: it is built from the grids when training ends.")
    return _figure(path, "the grids of every epoch, in training order", pixels=True)


def _diagnostics(run_dir):
    path = os.path.join(run_dir, DIAGNOSTICS_FILE)
    if not os.path.exists(path):
        return _missing(
            "Diagnostics did not watch this run (no diagnostics.json); train with --diagnostics to have the failure "
            "modes (discriminator overpowering, mode collapse, oscillation, non-finite values) watched for."
        )
    records = read_warnings(path)
    if not records:
        return "<p>Diagnostics watched this run and raised no warning.</p>"
    parts = [f"<p>{len(records)} warning(s), in training order:</p>"]
    for r in records:
        summary = r.get("summary") or r.get("message", "")
        parts.append(
            '<div class="warning">'
            f"<strong>step {_e(_text(r.get('step', '?')))}: {_e(str(r.get('kind', '?')).replace('_', ' '))}</strong>"
            f"<div>{_e(summary)}</div>"
            + (f'<div class="remedy"><em>Remedies:</em> {_e(r["remedies"])}</div>' if r.get("remedies") else "")
            + "</div>"
        )
    return "".join(parts)


def _evaluation(run_dir):
    path = os.path.join(run_dir, EVALUATION_FILE)
    result, problem = _read_json(path)
    if problem:
        if not os.path.exists(path):
            return _missing(
                f"Not evaluated yet (no {EVALUATION_FILE}); kerasgan evaluate --run-dir {run_dir} --data ... writes it."
            )
        return _missing(problem)
    if not isinstance(result, dict):
        return _missing(f"{EVALUATION_FILE} holds no results object.")
    scores = {k: v for k, v in result.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    rest = {k: v for k, v in result.items() if k not in scores}
    parts = []
    if scores:
        rows = "".join(f'<tr><th>{_e(k)}</th><td class="num">{_e(_text(v))}</td></tr>' for k, v in scores.items())
        parts.append(f"<table><tr><th>metric</th><th>value</th></tr>{rows}</table>")
    for key, value in rest.items():
        flat = _flatten(value)
        rows = "".join(
            f"<tr><th>{_e(k)}</th><td{' class=num' if isinstance(v, float) else ''}>{_e(_text(v))}</td></tr>"
            for k, v in flat
        )
        parts.append(f"<h3>{_e(key)}</h3><table>{rows}</table>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------- helpers
def _e(text):
    return html.escape(str(text), quote=True)


def _text(value):
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _flatten(value, prefix=""):
    """[(dotted key, leaf value)] of nested dicts; lists of numbers stay whole."""
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            items += _flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return items
    return [(prefix or "value", value)]


def _missing(text):
    return f'<p class="missing">{_e(text)}</p>'


def _figure(path, caption, pixels=False):
    ext = os.path.splitext(path)[1].lower()
    with open(path, "rb") as f:
        data = base64.b64encode(f.read()).decode("ascii")
    css = ' class="pixels"' if pixels else ""
    alt = _e(os.path.basename(path))
    return (
        f'<figure><img{css} alt="{alt}" src="data:{_MIME[ext]};base64,{data}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _last_step(run_dir):
    """The last global step in losses.csv (LossCurves' numbers), or None."""
    path = os.path.splitext(os.path.join(run_dir, LOSSES_FILE))[0] + ".csv"
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - 4096))
            last = f.read().decode("utf-8", "replace").strip().splitlines()[-1]
        return int(last.split(",")[0])
    except (OSError, ValueError, IndexError):
        return None


def _read_json(path):
    """(the parsed file, None), or ({}, what is wrong) when it is missing or unreadable."""
    if not os.path.exists(path):
        return {}, f"No {os.path.basename(path)} in this run folder."
    try:
        with open(path) as f:
            return json.load(f), None
    except (OSError, ValueError) as error:
        return {}, f"{os.path.basename(path)} could not be read ({error})."
