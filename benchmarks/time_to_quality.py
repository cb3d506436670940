"""Sample quality of the DCGAN recipe after fixed CPU-second budgets: a baseline against a candidate.

Each run trains `kerasgan train dcgan`'s model as the CLI builds it (DCGAN for
28×28×1, the model's default optimizers, batch 64, the data set read by
`kerasgan.data.load_dataset`), or that recipe with the changes of a spec
(see `--candidate`), and scores it when its training has used each budget
of CPU seconds (default 60, 120, 300). The budget is this process's CPU
time (`time.process_time`, all threads), not the wall clock: on a machine
shared with other work the wall clock measures the other work, while the
CPU seconds a step costs change much less. The clock stops while scoring.

The yardstick is a small classifier trained once (in the parent, seed 0) on
the first 8,000 MNIST test digits; at each budget 2,000 samples (fixed
latents) get
- its mean top-1 confidence (do they look like digits?),
- the share of samples given to each digit (are all ten there?),
- an FID in the classifier's feature space (its last hidden layer, 128 ReLU
  units; kerasgan.metrics.fid on features from kerasgan.metrics.Extractor)
  against the 2,000 held-out digits the classifier never saw. The FID of
  2,000 training digits against them is printed as the floor.

`--dataset anime` measures the same at 64×64 on the anime faces, the
recipe of `kerasgan train dcgan --data ../shared/data/anime_faces
--image-size 64` (DCGAN for 64×64×3, its default optimizers, batch 64),
trained on the first 4,500 faces: at each budget 500 samples (fixed
latents) are scored by the Laplacian SWD (×10³, 32 patches per image)
against the 500 held-out faces. The SWD of 500 training faces against them
is printed as the floor. There is no classifier there, so no confidence.

`--steps 500,1000` also scores each run when it has taken that many
generator steps, whatever the CPU seconds: a recipe that only changes speed
(e.g. `precision=bf16`) should match the baseline there (the quality check)
and beat it at the CPU-second budgets (the gain).

Each seed trains the baseline and the candidate in fresh processes, one
after the other, and the table gives candidate / baseline FID per seed and
budget, so that both sides of a ratio ran under the same load.

    python benchmarks/time_to_quality.py [--candidate ema=0.999,lr=3e-4] [--baseline SPEC] [--seeds 0,1]
                                         [--budgets 60,120,300] [--steps 500,1000] [--dataset mnist|anime]
                                         [--data DIR]

A spec is comma-separated key=value (empty: the CLI's defaults): `ema` (decay
of a GeneratorEMA that sampling uses), `lr` (both Adams), `d_lr`, `g_lr`,
`beta1`, `batch`, `base_filters`, `latent_dim`, `precision` (fp32, bf16: the
mixed_bfloat16 policy), `spe` (compile's steps_per_execution), `threads`
(TensorFlow's intra- and inter-op threads).
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = pathlib.Path(__file__).resolve().parents[1]
_REPLY = "@@ttq "
SPEC_KEYS = {
    "ema": float,
    "lr": float,
    "d_lr": float,
    "g_lr": float,
    "beta1": float,
    "batch": int,
    "base_filters": int,
    "latent_dim": int,
    "precision": str,
    "spe": int,
    "threads": int,
}
HELD_OUT = 8000  # MNIST: digits [:8000] train the yardstick, [8000:] are held out for the FID
SAMPLES = 2000
FACES_TRAIN, FACES_SIDE = 4500, 64  # anime: faces [:4500] train, [4500:] are held out for the SWD


def parse_spec(text):
    spec = {}
    for item in filter(None, (text or "").split(",")):
        key, _, value = item.partition("=")
        if key not in SPEC_KEYS or not value:
            raise SystemExit(f"bad spec item {item!r}: use key=value with key in {', '.join(SPEC_KEYS)}")
        spec[key] = SPEC_KEYS[key](value)
    if spec.get("precision", "fp32") not in ("fp32", "bf16"):
        raise SystemExit(f"precision={spec['precision']}: fp32 or bf16 (fp16 has no fast CPU kernels)")
    return spec


def load_digits(data):
    import kerasgan

    images, labels = kerasgan.data.mnist_idx(pathlib.Path(data) / "t10k-images-idx3-ubyte.gz")
    return images.astype("float32") / 127.5 - 1.0, labels


def load_faces(data):
    """The anime faces at 64×64 in [-1, 1], in the folder's sorted order: (training faces, held-out faces)."""
    import numpy as np

    import kerasgan

    batches = kerasgan.data.image_folder(data, image_size=FACES_SIDE, batch_size=500, shuffle=False, cache=False)
    faces = np.concatenate([np.asarray(b) for b in batches])
    return faces[:FACES_TRAIN], faces[FACES_TRAIN:]


def face_swd(held_out, images):
    import kerasgan

    return kerasgan.metrics.swd(held_out, images, patches_per_image=32, seed=0)["swd"]


def feature_extractor(classifier):
    import keras

    import kerasgan

    features = keras.Model(classifier.inputs, classifier.layers[-2].output, name="yardstick_features")
    return kerasgan.metrics.Extractor(features, batch_size=500)


def train_yardstick(data, path):
    """Trains the classifier on the first HELD_OUT digits, saves it; returns the real-vs-real FID floor."""
    import keras

    import kerasgan

    real, labels = load_digits(data)
    keras.utils.set_random_seed(0)
    classifier = kerasgan.networks.small_classifier((28, 28, 1), 10)
    classifier.compile("adam", "sparse_categorical_crossentropy")
    classifier.fit(real[:HELD_OUT], labels[:HELD_OUT], epochs=3, batch_size=128, verbose=0)
    classifier.save(path)
    held = kerasgan.metrics.classifier_scores(classifier, real[HELD_OUT:])
    extractor = feature_extractor(classifier)
    floor = kerasgan.metrics.fid(extractor.features(real[HELD_OUT:]), extractor.features(real[:SAMPLES]))
    return held["mean_confidence"], floor


def mnist_scorer(args):
    """(training data, image shape, sample count, score(images) -> dict) for the MNIST recipe."""
    import keras

    import kerasgan

    real, _ = load_digits(args.data)
    classifier = keras.saving.load_model(args.worker_yardstick)
    extractor = feature_extractor(classifier)
    held_out = extractor.features(real[HELD_OUT:])

    def score(images):
        scores = kerasgan.metrics.classifier_scores(classifier, images)
        fid = kerasgan.metrics.fid(held_out, extractor.features(images))
        return {"confidence": scores["mean_confidence"], "shares": scores["class_fractions"], "score": fid}

    return args.data, (28, 28, 1), SAMPLES, score


def anime_scorer(args):
    """The same for the 64×64 anime-face recipe: trained on the first faces, scored by SWD to the rest."""
    train, held_out = load_faces(args.data)
    return train, (FACES_SIDE, FACES_SIDE, 3), len(held_out), lambda images: {"score": face_swd(held_out, images)}


def worker(args):
    import keras
    import numpy as np
    import tensorflow as tf

    spec = parse_spec(args.worker_spec)
    if spec.get("threads"):
        tf.config.threading.set_intra_op_parallelism_threads(spec["threads"])
        tf.config.threading.set_inter_op_parallelism_threads(spec["threads"])
    import kerasgan

    data, shape, count, score = (anime_scorer if args.dataset == "anime" else mnist_scorer)(args)
    # what to score at: ("cpu", seconds) and ("step", generator steps), each when first reached
    pending = [("cpu", float(b)) for b in args.budgets.split(",")]
    pending += [("step", int(s)) for s in filter(None, args.steps.split(","))]
    latents = np.random.default_rng(1).standard_normal((count, spec.get("latent_dim", 100)))

    keras.utils.set_random_seed(args.seed)  # as the CLI: first, TensorFlow's shuffling depends on it
    batch = spec.get("batch", 64)
    if isinstance(data, np.ndarray):
        dataset = kerasgan.data.from_array(data, batch_size=batch, seed=args.seed)
    else:
        dataset = kerasgan.data.load_dataset(data, batch_size=batch, seed=args.seed)
    options = {k: spec[k] for k in ("base_filters", "latent_dim") if k in spec}
    if "ema" in spec:
        options["ema"] = kerasgan.parts.GeneratorEMA(spec["ema"])
    if spec.get("precision") == "bf16":
        keras.config.set_dtype_policy("mixed_bfloat16")
    gan = kerasgan.models.DCGAN.for_images(shape, seed=args.seed, **options)
    keras.config.set_dtype_policy("float32")
    d_opt, g_opt = gan.default_optimizers()
    for opt, key in ((d_opt, "d_lr"), (g_opt, "g_lr")):
        rate = spec.get(key, spec.get("lr"))
        if rate is not None:
            opt.learning_rate = rate
        if "beta1" in spec:
            opt.beta_1 = spec["beta1"]
    gan.compile(d_optimizer=d_opt, g_optimizer=g_opt, steps_per_execution=spec.get("spe", 1))

    class Scorer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.process_time()

        def on_train_batch_end(self, batch, logs=None):
            used, step = time.process_time() - self.start, int(gan.g_optimizer.iterations)
            due = [p for p in pending if (used if p[0] == "cpu" else step) >= p[1]]
            if not due:
                return
            paused = time.process_time()
            result = {"cpu_s": used, "step": step, **score(gan.generate(latents=latents))}
            for kind, value in due:
                pending.remove((kind, value))
                print(_REPLY + json.dumps({"kind": kind, "at": value, **result}), flush=True)
            self.start += time.process_time() - paused
            if not pending:
                self.model.stop_training = True

    gan.fit(dataset, epochs=10**6, verbose=0, callbacks=[Scorer()])


def _at(result):
    return f"{result['at']:5.0f} CPU-s" if result["kind"] == "cpu" else f"step {result['at']:5d}"


def _quality(result, metric):
    text = f"{metric} {result['score']:.2f}"
    if "confidence" in result:
        text += f"  confidence {result['confidence']:.3f}  min digit {min(result['shares']):.3f}"
    return text


def run(spec_text, seed, yardstick, args, metric):
    command = [sys.executable, str(pathlib.Path(__file__).resolve()), "--worker-spec", spec_text]
    command += ["--worker-yardstick", yardstick or "", "--seed", str(seed), "--budgets", args.budgets]
    command += ["--steps", args.steps, "--dataset", args.dataset, "--data", args.data]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    started, results = time.perf_counter(), []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        for line in process.stdout:
            if line.startswith(_REPLY):
                r = json.loads(line[len(_REPLY) :])
                results.append(r)
                print(
                    f"    {spec_text or 'CLI defaults':30s} seed {seed}  at {_at(r)}: {r['cpu_s']:6.0f} CPU-s  "
                    f"step {r['step']:5d}  {_quality(r, metric)}",
                    flush=True,
                )
        error = process.stderr.read()
    if process.returncode:
        raise SystemExit(f"the run {spec_text!r} seed {seed} failed:\n{error[-3000:]}")
    print(f"    ({time.perf_counter() - started:.0f} s of wall clock)", flush=True)
    return {(r["kind"], r["at"]): r for r in results}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=("mnist", "anime"), default="mnist")
    parser.add_argument("--data", default=None, help="its folder (default: ../shared/data/mnist or anime_faces)")
    parser.add_argument("--budgets", default="60,120,300", help="CPU seconds of training at which to score")
    parser.add_argument("--steps", default="", help="generator steps at which to score too")
    parser.add_argument("--baseline", default="", help="spec of the baseline (default: the CLI's defaults)")
    parser.add_argument("--candidate", default=None, help="spec of the candidate; none: the baseline alone")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds; each trains both recipes")
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--worker-spec", help=argparse.SUPPRESS)
    parser.add_argument("--worker-yardstick", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.data is None:
        args.data = str(ROOT.parent / "shared" / "data" / ("anime_faces" if args.dataset == "anime" else "mnist"))
    if args.worker_spec is not None:
        return worker(args)
    recipes = {"baseline": args.baseline}
    if args.candidate is not None:
        recipes["candidate"] = args.candidate
    for text in recipes.values():
        parse_spec(text)
    seeds = [int(s) for s in args.seeds.split(",")]
    points = [("cpu", float(b)) for b in args.budgets.split(",")]
    points += [("step", int(s)) for s in filter(None, args.steps.split(","))]
    metric = "SWD" if args.dataset == "anime" else "FID"
    with tempfile.TemporaryDirectory(prefix="kerasgan-ttq-") as tmp:
        yardstick = None
        if args.dataset == "anime":
            train, held_out = load_faces(args.data)
            floor = face_swd(held_out, train[: len(held_out)])
            print(f"SWD floor ({len(held_out)} training faces vs the held-out ones) {floor:.2f}", flush=True)
        else:
            yardstick = os.path.join(tmp, "yardstick.keras")
            confidence, floor = train_yardstick(args.data, yardstick)
            print(
                f"yardstick: confidence {confidence:.3f} on the {10000 - HELD_OUT} held-out digits; FID floor (2,000 "
                f"training digits vs the held-out ones) {floor:.2f}",
                flush=True,
            )
        print(f"budgets in CPU seconds of the training process ({os.cpu_count()} CPUs)", flush=True)
        results = {name: {} for name in recipes}
        for seed in seeds:
            names = list(recipes) if seed % 2 == 0 else list(recipes)[::-1]  # who goes first alternates
            for name in names:
                results[name][seed] = run(recipes[name], seed, yardstick, args, metric)

    print("\nper point: median over seeds (each seed's value)")
    for name, text in recipes.items():
        print(f"  {name} ({text or 'CLI defaults'}):")
        for point in points:
            rows = [results[name][s][point] for s in seeds]
            line = f"    at {_at(rows[0])}: {metric} {statistics.median(r['score'] for r in rows):6.2f} "
            line += "(" + " ".join(f"{r['score']:.2f}" for r in rows) + ")"
            if "confidence" in rows[0]:
                conf = [r["confidence"] for r in rows]
                low = [min(r["shares"]) for r in rows]
                line += f"  confidence {statistics.median(conf):.3f} ({' '.join(f'{c:.3f}' for c in conf)})"
                line += f"  min digit {statistics.median(low):.3f} ({' '.join(f'{x:.3f}' for x in low)})"
            line += "  steps " + " ".join(str(r["step"]) for r in rows)
            line += "  CPU-s " + " ".join(f"{r['cpu_s']:.0f}" for r in rows)
            print(line)
            if "shares" in rows[0]:
                print(f"             digit shares (seed {seeds[0]}): {' '.join(f'{x:.3f}' for x in rows[0]['shares'])}")
    if "candidate" in recipes:
        print(f"  candidate / baseline {metric} (lower is better), per seed:")
        for point in points:
            ratios = [results["candidate"][s][point]["score"] / results["baseline"][s][point]["score"] for s in seeds]
            print(
                f"    at {_at(results['baseline'][seeds[0]][point])}: median {statistics.median(ratios):.3f}  "
                f"({' '.join(f'{r:.3f}' for r in ratios)})"
            )


if __name__ == "__main__":
    main()
