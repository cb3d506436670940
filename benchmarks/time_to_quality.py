"""Sample quality of the MNIST DCGAN recipe after fixed CPU-second budgets: a baseline against a candidate.

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

Each seed trains the baseline and the candidate in fresh processes, one
after the other, and the table gives candidate / baseline FID per seed and
budget, so that both sides of a ratio ran under the same load.

    python benchmarks/time_to_quality.py [--candidate ema=0.999,lr=3e-4] [--baseline SPEC] [--seeds 0,1]
                                         [--budgets 60,120,300] [--data DIR]

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
HELD_OUT = 8000  # digits [:8000] train the yardstick, [8000:] are held out for the FID
SAMPLES = 2000


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


def worker(args):
    import keras
    import tensorflow as tf

    spec = parse_spec(args.worker_spec)
    if spec.get("threads"):
        tf.config.threading.set_intra_op_parallelism_threads(spec["threads"])
        tf.config.threading.set_inter_op_parallelism_threads(spec["threads"])
    import kerasgan

    real, _ = load_digits(args.data)
    classifier = keras.saving.load_model(args.worker_yardstick)
    extractor = feature_extractor(classifier)
    held_out = extractor.features(real[HELD_OUT:])
    budgets = sorted(float(b) for b in args.budgets.split(","))
    latents = __import__("numpy").random.default_rng(1).standard_normal((SAMPLES, spec.get("latent_dim", 100)))

    keras.utils.set_random_seed(args.seed)  # as the CLI: first, TensorFlow's shuffling depends on it
    dataset = kerasgan.data.load_dataset(args.data, batch_size=spec.get("batch", 64), seed=args.seed)
    options = {k: spec[k] for k in ("base_filters", "latent_dim") if k in spec}
    if "ema" in spec:
        options["ema"] = kerasgan.parts.GeneratorEMA(spec["ema"])
    if spec.get("precision") == "bf16":
        keras.config.set_dtype_policy("mixed_bfloat16")
    gan = kerasgan.models.DCGAN.for_images((28, 28, 1), seed=args.seed, **options)
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
            self.start, self.pending = time.process_time(), list(budgets)

        def on_train_batch_end(self, batch, logs=None):
            used = time.process_time() - self.start
            if used < self.pending[0]:
                return
            paused = time.process_time()
            images = gan.generate(latents=latents)
            scores = kerasgan.metrics.classifier_scores(classifier, images)
            fid = kerasgan.metrics.fid(held_out, extractor.features(images))
            result = {
                "budget": self.pending.pop(0),
                "cpu_s": used,
                "step": int(gan.g_optimizer.iterations),
                "confidence": scores["mean_confidence"],
                "shares": scores["class_fractions"],
                "fid": fid,
            }
            print(_REPLY + json.dumps(result), flush=True)
            self.start += time.process_time() - paused
            if not self.pending:
                self.model.stop_training = True

    gan.fit(dataset, epochs=10**6, verbose=0, callbacks=[Scorer()])


def run(spec_text, seed, yardstick, args):
    command = [sys.executable, str(pathlib.Path(__file__).resolve()), "--worker-spec", spec_text]
    command += ["--worker-yardstick", yardstick, "--seed", str(seed), "--budgets", args.budgets, "--data", args.data]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    started, results = time.perf_counter(), []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        for line in process.stdout:
            if line.startswith(_REPLY):
                results.append(json.loads(line[len(_REPLY) :]))
                r = results[-1]
                print(
                    f"    {spec_text or 'CLI defaults':30s} seed {seed}  {r['budget']:4.0f} CPU-s  step {r['step']:5d}  "
                    f"confidence {r['confidence']:.3f}  min digit {min(r['shares']):.3f}  FID {r['fid']:.2f}",
                    flush=True,
                )
        error = process.stderr.read()
    if process.returncode:
        raise SystemExit(f"the run {spec_text!r} seed {seed} failed:\n{error[-3000:]}")
    print(f"    ({time.perf_counter() - started:.0f} s of wall clock)", flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--budgets", default="60,120,300", help="CPU seconds of training at which to score")
    parser.add_argument("--baseline", default="", help="spec of the baseline (default: the CLI's defaults)")
    parser.add_argument("--candidate", default=None, help="spec of the candidate; none: the baseline alone")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds; each trains both recipes")
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--worker-spec", help=argparse.SUPPRESS)
    parser.add_argument("--worker-yardstick", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_spec is not None:
        return worker(args)
    recipes = {"baseline": args.baseline}
    if args.candidate is not None:
        recipes["candidate"] = args.candidate
    for text in recipes.values():
        parse_spec(text)
    seeds = [int(s) for s in args.seeds.split(",")]
    with tempfile.TemporaryDirectory(prefix="kerasgan-ttq-") as tmp:
        yardstick = os.path.join(tmp, "yardstick.keras")
        confidence, floor = train_yardstick(args.data, yardstick)
        print(
            f"yardstick: confidence {confidence:.3f} on the {10000 - HELD_OUT} held-out digits; FID floor (2,000 "
            f"training digits vs the held-out ones) {floor:.2f}; budgets in CPU seconds of the training process "
            f"({os.cpu_count()} CPUs)",
            flush=True,
        )
        results = {name: {} for name in recipes}
        for seed in seeds:
            names = list(recipes) if seed % 2 == 0 else list(recipes)[::-1]  # who goes first alternates
            for name in names:
                results[name][seed] = run(recipes[name], seed, yardstick, args)

    print("\nper budget: median over seeds (each seed's value)")
    for name, text in recipes.items():
        print(f"  {name} ({text or 'CLI defaults'}):")
        for i, budget in enumerate(args.budgets.split(",")):
            rows = [results[name][s][i] for s in seeds]
            fids = [r["fid"] for r in rows]
            conf = [r["confidence"] for r in rows]
            low = [min(r["shares"]) for r in rows]
            print(
                f"    {budget:>4s} CPU-s: FID {statistics.median(fids):6.2f} ({' '.join(f'{f:.2f}' for f in fids)})  "
                f"confidence {statistics.median(conf):.3f} ({' '.join(f'{c:.3f}' for c in conf)})  "
                f"min digit {statistics.median(low):.3f} ({' '.join(f'{x:.3f}' for x in low)})  "
                f"steps {' '.join(str(r['step']) for r in rows)}"
            )
            print(f"             digit shares (seed {seeds[0]}): {' '.join(f'{x:.3f}' for x in rows[0]['shares'])}")
    if "candidate" in recipes:
        print("  candidate / baseline FID (lower is better), per seed:")
        for i, budget in enumerate(args.budgets.split(",")):
            ratios = [results["candidate"][s][i]["fid"] / results["baseline"][s][i]["fid"] for s in seeds]
            print(
                f"    {budget:>4s} CPU-s: median {statistics.median(ratios):.3f}  ({' '.join(f'{r:.3f}' for r in ratios)})"
            )


if __name__ == "__main__":
    main()
