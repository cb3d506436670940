"""Checkpoints that survive a crash, and a fit() that continues from the last one.

A checkpoint is a folder `step_<global step>/` holding `model.keras` (both
networks, both optimizers built with their slots and step counters, the EMA
generator, every random stream's state) and `state.json` (epoch and batch
position, the data position, the size and SHA-256 of `model.keras`). It is
written under a temporary name, reopened and checked, and renamed into place,
so a kill at any moment leaves the previous checkpoint whole. Reading checks
the checksum again: a damaged checkpoint (a truncated copy, a full disk, a
deleted `state.json`) is reported and the newest intact one is used. The newest
`keep` intact checkpoints are kept.
"""

import glob
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import warnings
import zipfile

import keras
import numpy as np

from kerasgan.utils.io import current_umask, write_json_atomic

_NAME = re.compile(r"^step_(\d{9})$")
MODEL_FILE = "model.keras"
STATE_FILE = "state.json"


class NonFiniteLossError(FloatingPointError):
    """Training produced a non-finite loss; the message names it, the step and the last good checkpoint."""


class Checkpoint(keras.callbacks.Callback):
    """Saves everything needed to continue training, atomically, and stops on non-finite losses.

    Saves every `every_n_steps` generator steps and at the end of every
    `every_n_epochs`-th epoch. Before each save, and after every batch, the
    logged losses are checked: a NaN or infinity stops `fit()` with a
    `NonFiniteLossError` naming the loss and the step, and nothing is saved
    from that state, so the last good checkpoint is what `restore()` finds.

    Args:
        directory: folder of the checkpoints (created if missing).
        every_n_steps: also save every this many generator steps; None: only
            at epoch ends.
        every_n_epochs: save at the end of every this many epochs; None: never.
        keep: how many of the newest checkpoints to keep (>= 1).

    Example:
        ```python
        checkpoint = kerasgan.callbacks.Checkpoint("logs/run1/checkpoints", every_n_steps=500)
        gan = kerasgan.callbacks.fit_with_checkpoints(make_gan, dataset, epochs=25, checkpoint=checkpoint)
        # after a crash or a Colab disconnect, the same two lines continue the run
        ```
    """

    def __init__(self, directory, every_n_steps=None, every_n_epochs=1, keep=2):
        super().__init__()
        for name, value in (("every_n_steps", every_n_steps), ("every_n_epochs", every_n_epochs)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"Checkpoint: `{name}` must be a positive int or None, got {value!r}.")
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
            raise ValueError(f"Checkpoint: `keep` must be an int >= 1, got {keep!r}.")
        self.directory = os.fspath(directory)
        self.every_n_steps = every_n_steps
        self.every_n_epochs = every_n_epochs
        self.keep = keep
        # Set by fit_with_checkpoints when fit() starts part-way into an epoch.
        self.batch_offset = 0
        self.steps_per_epoch = None
        self._epoch = 0
        self._batches = 0

    # ------------------------------------------------------------------ finding
    def paths(self):
        """Every checkpoint folder, intact or not, oldest first."""
        found = glob.glob(os.path.join(glob.escape(self.directory), "step_*"))
        return sorted(p for p in found if _NAME.match(os.path.basename(p)))

    def intact_paths(self):
        """The checkpoints whose files are whole (`damage` finds nothing), oldest first."""
        return [p for p in self.paths() if damage(p) is None]

    def latest(self):
        """Path of the newest intact checkpoint, or None."""
        paths = self.intact_paths()
        return paths[-1] if paths else None

    def restore(self):
        """(model, state) from the newest intact checkpoint, or (None, None) when there is none.

        `state` holds "step" (generator steps), "epoch" (epochs completed) and
        "batch" (batches done in the epoch after those). A damaged newer
        checkpoint is reported with a warning naming what is wrong with it
        and the checkpoint used instead.
        """
        skipped = []
        for path in reversed(self.paths()):
            problem = damage(path)
            if problem is None:
                try:
                    model = keras.saving.load_model(os.path.join(path, MODEL_FILE))
                except Exception as error:  # noqa: BLE001 - any unreadable file is a damaged checkpoint
                    problem = f"{MODEL_FILE} does not load ({' '.join(str(error).split())[:200]})"
            if problem is not None:
                skipped.append(f"{path}: {problem}")
                continue
            if skipped:
                warnings.warn(
                    f"Skipped damaged checkpoint(s) {'; '.join(skipped)}. Continuing from {path}.", stacklevel=2
                )
            with open(os.path.join(path, STATE_FILE)) as f:
                state = json.load(f)
            return model, {key: state[key] for key in ("step", "epoch", "batch")}
        if skipped:
            raise ValueError(
                f"Every checkpoint in {self.directory} is damaged ({'; '.join(skipped)}); there is nothing intact "
                "to continue from. Move the folder away to start over."
            )
        return None, None

    # ------------------------------------------------------------------ saving
    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self._batches = batch + 1
        step = _generator_step(self.model)
        self._check_finite(logs, step)
        if self.every_n_steps and step % self.every_n_steps == 0:
            self.save(self._epoch, self.batch_offset + batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        done = self.batch_offset + self._batches
        self.batch_offset = 0
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            # Keras ends the epoch early when a callback stops training (TimeLimit):
            # then the position is mid-epoch, and resuming continues from there.
            if self.steps_per_epoch and done < self.steps_per_epoch:
                self.save(epoch, done)
            else:
                self.save(epoch + 1, 0)

    def save(self, epoch, batch):
        """Writes a checkpoint of the model now, at position (epoch, batch); returns its path.

        A state with non-finite weights is never saved: the method raises
        instead, and the previous checkpoints stay.
        """
        step = _generator_step(self.model)
        if self.steps_per_epoch and batch >= self.steps_per_epoch:
            epoch, batch = epoch + 1, 0
        for variable in self.model.weights:
            if not np.all(np.isfinite(keras.ops.convert_to_numpy(variable))):
                self.model.stop_training = True
                raise NonFiniteLossError(
                    f"The weight {variable.path} is not finite at step {step}; nothing was saved. "
                    f"{self._last_good_hint()}"
                )
        final = os.path.join(self.directory, f"step_{step:09d}")
        os.makedirs(self.directory, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=f".step_{step:09d}.", suffix=".tmp", dir=self.directory)
        try:
            model_file = os.path.join(tmp, MODEL_FILE)
            self.model.save(model_file)
            with open(model_file, "rb+") as f:
                os.fsync(f.fileno())
            problem = archive_problem(model_file)  # reread what was written: a full disk or a bad drive shows here
            if problem is not None:
                raise OSError(f"the checkpoint written to {tmp} reads back damaged ({problem})")
            state = {"step": step, "epoch": epoch, "batch": batch, **_fingerprint(model_file)}
            write_json_atomic(os.path.join(tmp, STATE_FILE), state)
            os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp makes it private (drwx------); a run folder is not
            if os.path.exists(final):  # the same step again (an epoch end right after a step save)
                shutil.rmtree(final)
            os.rename(tmp, final)
        finally:
            if os.path.exists(tmp):
                shutil.rmtree(tmp, ignore_errors=True)
        keep = self.intact_paths()[-self.keep :]
        for old in self.paths():  # older intact ones beyond `keep`, and damaged ones (never restored)
            if old not in keep:
                shutil.rmtree(old, ignore_errors=True)
        for stale in glob.glob(os.path.join(self.directory, ".step_*.tmp")):  # left by a killed run
            if stale != tmp:
                shutil.rmtree(stale, ignore_errors=True)
        return final

    def _check_finite(self, logs, step):
        for name, value in (logs or {}).items():
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
            if not math.isfinite(value):
                self.model.stop_training = True
                raise NonFiniteLossError(
                    f"{name} became {value} at step {step}; training stopped. {self._last_good_hint()} "
                    "Common remedies: lower learning rates, a gradient penalty (regularizers=[GradientPenalty(10)] or [R1(10)]), "
                    "a bounded loss such as loss='hinge', or mixed precision off."
                )

    def _last_good_hint(self):
        latest = self.latest()
        if latest is None:
            return "There is no earlier checkpoint."
        return f"The last good checkpoint is kept: {latest}."


#: SHA-256 by (file, size, modification time, inode): each save checks every kept checkpoint, hashing each once
_DIGESTS = {}


def _fingerprint(path):
    info = os.stat(path)
    key = (os.path.realpath(path), info.st_size, info.st_mtime_ns, info.st_ino)
    if key not in _DIGESTS:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        _DIGESTS[key] = digest.hexdigest()
    return {"model_bytes": info.st_size, "model_sha256": _DIGESTS[key]}


def damage(path):
    """What is wrong with the checkpoint folder `path` (a short phrase), or None when it is intact.

    Intact: `state.json` reads, and `model.keras` has the size and SHA-256
    recorded in it (a checkpoint written before checksums were recorded must
    be a whole zip file instead).
    """
    try:
        with open(os.path.join(path, STATE_FILE)) as f:
            state = json.load(f)
        for key in ("step", "epoch", "batch"):
            int(state[key])
    except FileNotFoundError:
        return f"no {STATE_FILE}"
    except (OSError, ValueError, KeyError, TypeError):
        return f"{STATE_FILE} is unreadable"
    model_file = os.path.join(path, MODEL_FILE)
    if not os.path.isfile(model_file):
        return f"no {MODEL_FILE}"
    if "model_sha256" in state:
        if _fingerprint(model_file) != {k: state[k] for k in ("model_bytes", "model_sha256")}:
            return f"{MODEL_FILE} is not the file that was saved (truncated or changed)"
        return None
    return archive_problem(model_file)


def archive_problem(model_file):
    """None when `model_file` is a whole zip archive whose members match their CRCs, else what is wrong."""
    try:
        with zipfile.ZipFile(model_file) as archive:
            bad = archive.testzip()
    except (OSError, zipfile.BadZipFile):
        return f"{MODEL_FILE} is not a whole .keras file"
    return None if bad is None else f"{MODEL_FILE} has a damaged member {bad}"


def _generator_step(model):
    return int(keras.ops.convert_to_numpy(model.g_optimizer.iterations))


def count_batches(dataset):
    """Batches in one pass over `dataset`: its cardinality, or counted once when unknown (an image folder)."""
    import tensorflow as tf

    count = int(dataset.cardinality())
    if count == tf.data.INFINITE_CARDINALITY:
        raise ValueError("The data set repeats forever; pass steps_per_epoch.")
    if count < 0:
        count = int(dataset.reduce(np.int64(0), lambda n, _: n + 1))
    if count == 0:
        raise ValueError("The data set yields no batch.")
    return count


def fit_with_checkpoints(model, dataset, epochs, checkpoint, callbacks=None, steps_per_epoch=None, **fit_kwargs):
    """`model.fit(dataset, epochs)` that continues from `checkpoint`'s newest checkpoint when there is one.

    On a fresh start `model` is used (or called, if it is a function that
    builds and compiles one). With a checkpoint, the saved model is loaded
    instead and training continues at the saved position, mid-epoch if need
    be: the data stream is `dataset.repeat()` with the batches already used
    skipped, so a run killed and continued sees the same batches, random
    numbers and weights as an uninterrupted one. Stops early when a callback
    (e.g. `TimeLimit`) stops training.

    Args:
        model: a compiled kerasgan model, or a function returning one.
        dataset: a function returning the `tf.data.Dataset` of batches (one
            pass being one epoch), or the data set itself. A shuffled data
            set must be seeded for the replay to be exact, and should be
            given as a function: TensorFlow's reshuffling draws each pass's
            order from a generator owned by the data set object, so after a
            mid-epoch resume, a reused object would shuffle the following
            epochs differently from the uninterrupted run (still correct
            training, but not the same run). TensorFlow's shuffling also
            depends on the global seed: set it first thing in the script
            (`keras.utils.set_random_seed`), as the CLI does.
        epochs: total epochs of the run.
        checkpoint: a `Checkpoint`; it is added to the callbacks.
        callbacks: further callbacks.
        steps_per_epoch: batches per epoch; default one pass over `dataset`.
        **fit_kwargs: passed to `fit()` (verbose, ...).

    Returns:
        The trained model (the restored one when a checkpoint was found).
    """
    restored, state = checkpoint.restore()
    if restored is not None:
        model = restored
    elif callable(model) and not isinstance(model, keras.Model):
        model = model()
    make_dataset = dataset if callable(dataset) else (lambda: dataset)
    steps_per_epoch = steps_per_epoch or count_batches(make_dataset())
    epoch, batch = (state["epoch"], state["batch"]) if state else (0, 0)
    if batch >= steps_per_epoch:
        epoch, batch = epoch + 1, 0
    checkpoint.steps_per_epoch = steps_per_epoch
    callbacks = [checkpoint, *(callbacks or [])]
    while epoch < epochs:
        # A partial epoch first (resumed mid-epoch), then the remaining whole ones.
        last = epoch + 1 if batch else epochs
        checkpoint.batch_offset = batch
        model.fit(
            make_dataset().repeat().skip(epoch * steps_per_epoch + batch),
            initial_epoch=epoch,
            epochs=last,
            steps_per_epoch=steps_per_epoch - batch,
            callbacks=callbacks,
            **fit_kwargs,
        )
        if model.stop_training:
            break
        epoch, batch = last, 0
    return model
