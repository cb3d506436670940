"""Images per second of kerasgan's DCGAN step against a straightforward reference, or against an older kerasgan.

The reference is written the way the public Keras DCGAN example writes its
`train_step`: the discriminator sees generated and real images concatenated,
and the generator update samples new latents and runs the generator a second
time. Both models use the same kerasgan networks and optimizers, both call the
networks with training=True (the example omits it, which makes its BatchNorm
cheaper and wrong), and both are timed through `fit()` on the same in-memory
data, alternating rounds in one process. The printed ratio is
kerasgan / reference (higher is better). It also reports how much a gradient
penalty (WGAN-GP) and an R1 penalty cost relative to the plain kerasgan step,
each alternated with plain rounds. With --settings it times the kerasgan step
under XLA and each mixed-precision policy against the float32 step without
XLA, again alternating rounds.

With --against REV it instead times the step of the kerasgan in this working
tree ("new") against the kerasgan of git revision REV ("old", extracted with
`git archive REV kerasgan` into a temporary folder), on the same
configurations spelled in each version's API (see CONFIGS): a plain DCGAN,
a DCGAN with R1 + DiffAugment + generator EMA, and WGAN-GP with 5 critic
steps. Each version of each configuration runs in its own worker process
(PYTHONPATH chooses which kerasgan it imports; the worker checks that every
kerasgan module came from there), which builds the model with the same seed,
traces the step and warms it up, then times a fixed number of `fit()` steps
whenever the parent asks (see `timed_fit`: from the first step's start to the
last one's end). The parent alternates the two workers round by round (old,
new, then new, old, ...) so that drifts of a shared machine hit both alike,
and does so with --processes fresh pairs of workers per configuration: two
processes running the same code differ by a few per cent for their whole
life (an A/A run, `--against HEAD`, of one pair gave 1.06, of another 0.95),
so one pair alone measures its processes, not the code. It prints per
configuration the median and best images/s of each version and the ratio
new / old: the median of the per-round ratios with their min-max spread, the
ratio of the medians and of the best rounds, and the median of each pair. It
also reports the ratio of the median step times, of the images per
CPU-second of each worker (which other load on a shared machine disturbs
less than the wall clock; --threads 1 makes each step sequential, less
disturbed still, but is not the default setting), how often each step was
traced during the timed rounds (should be 0: a retrace would be timed) and
the number of ops in each version's traced step graph (before grappler),
with --ops-diff the op types whose counts differ. `--against HEAD` (the
same code on both sides) shows the noise floor of the machine.

    python benchmarks/train_step.py [--image-size 28] [--batch-size 64] [--rounds 5] [--steps 100]
                                    [--policy float32|mixed_float16|mixed_bfloat16] [--jit] [--settings]
    python benchmarks/train_step.py --against 0808c0d [--new REV] [--processes 3] [--rounds 6] [--steps N]
                                    [--configs dcgan,dcgan-parts,wgan-gp] [--ops-diff] [--threads N]
"""

import argparse
import collections
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = pathlib.Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------------------- timing
def make_dataset(shape, batch):
    """Random images in [-1, 1], in memory, repeated in full batches; tf.data's autotuning off (see `timed_fit`)."""
    import numpy as np
    import tensorflow as tf

    images = np.tanh(np.random.default_rng(0).normal(size=(max(2048, 4 * batch), *shape))).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(images).repeat().batch(batch, drop_remainder=True).prefetch(2)
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def timed_fit(gan, dataset, steps):
    """(wall seconds, CPU seconds of this process's threads, each step's seconds) of `steps` steps of `fit()`.

    The clock runs from the start of the first step to the end of the last (each step's logs are
    read back, so it has finished), not over all of fit(): fit() returns only once the data set's
    iterator is torn down, and that waits for tf.data's autotuning thread, which sleeps in periods
    that double from 10 ms to 2.56 s. Under load each fit() then ended on the next tick (0.63,
    1.27, 2.55, 5.11, 7.67 s, ... after its start), adding up to 2.5 s to a 2.5 s round, in
    either version alike (`make_dataset` turns autotuning off, so fit() returns at once).
    """
    import keras

    class Clock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.steps = []

        def on_train_batch_begin(self, batch, logs=None):
            self.step_start = time.perf_counter()
            if batch == 0:
                self.start, self.cpu = self.step_start, time.process_time()

        def on_train_batch_end(self, batch, logs=None):
            self.end, self.cpu_end = time.perf_counter(), time.process_time()
            self.steps.append(self.end - self.step_start)

    clock = Clock()
    gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False, callbacks=[clock])
    return clock.end - clock.start, clock.cpu_end - clock.cpu, clock.steps


# ---------------------------------------------------------------------------------------- against REV
# Each configuration in both APIs: the model class, its constructor arguments in the old (flag)
# spelling and in the new (parts) spelling, the critic steps (the batch is d_steps × --batch-size,
# so every discriminator update sees a minibatch of --batch-size), and the timed steps per round
# (chosen so that a round lasts ~1.5 s on 2 idle CPU cores; --steps overrides it).
CONFIGS = {
    "dcgan": {
        "model": "DCGAN",
        "old": dict,
        "new": lambda parts: {},
        "d_steps": 1,
        "steps": 30,
    },
    "dcgan-parts": {  # R1 + DiffAugment + generator EMA
        "model": "DCGAN",
        "old": lambda: {"r1_gamma": 10.0, "diff_augment": "color,translation,cutout", "ema_decay": 0.999},
        "new": lambda parts: {
            "regularizers": [parts.R1(10.0)],
            "augment": parts.DiffAugment("color,translation,cutout"),
            "ema": parts.GeneratorEMA(0.999),
        },
        "d_steps": 1,
        "steps": 20,
    },
    "wgan-gp": {
        "model": "WGANGP",
        "old": lambda: {"gradient_penalty": 10.0, "d_steps": 5},
        "new": lambda parts: {"regularizers": [parts.GradientPenalty(10.0)], "d_steps": 5},
        "d_steps": 5,
        "steps": 6,
    },
}

_REPLY = "@@train_step "  # prefix of the worker's answers on stdout (anything else there is ignored)


def worker(args):
    """One version of one configuration: builds, traces and warms up, then times `fit()` on request."""
    import json

    import keras
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)

    import kerasgan
    import kerasgan.models

    expected = pathlib.Path(args.worker_root).resolve() / "kerasgan"

    def check_imports():
        # An editable install of another checkout stays on sys.meta_path: a submodule missing
        # under PYTHONPATH (kerasgan.parts in an old revision) would silently come from there.
        strays = [
            m.__file__
            for name, m in sys.modules.items()
            if name.split(".")[0] == "kerasgan"
            and getattr(m, "__file__", None)
            and expected not in pathlib.Path(m.__file__).resolve().parents
        ]
        if strays:
            raise SystemExit(f"worker imported {strays[0]}, not the kerasgan under {expected}")

    check_imports()
    config = CONFIGS[args.worker_config]
    new_api = (expected / "parts" / "__init__.py").is_file()
    if new_api:
        import kerasgan.parts

        options = config["new"](kerasgan.parts)
    else:
        options = config["old"]()
    channels = args.channels or (1 if args.image_size == 28 else 3)
    shape = (args.image_size, args.image_size, channels)
    batch = config["d_steps"] * args.batch_size
    keras.utils.set_random_seed(0)
    gan = getattr(kerasgan.models, config["model"]).for_images(shape, latent_dim=args.latent_dim, seed=0, **options)
    gan.compile()  # each model's default (the paper's) optimizers, the same in both versions
    traces = [0]
    train_step = gan.train_step

    def counted_train_step(data):  # its Python body runs only while tracing
        traces[0] += 1
        return train_step(data)

    gan.train_step = counted_train_step
    dataset = make_dataset(shape, batch)

    def timed(steps):
        return timed_fit(gan, dataset, steps)

    timed(3)  # tracing and the first steps (grappler rewrites the graph at its first run)
    timed(args.steps)  # an untimed round: caches, allocator, thread pools
    traced_in_warmup = traces[0]
    check_imports()

    def reply(**values):
        print(_REPLY + json.dumps(values), flush=True)

    reply(ready=True, kerasgan=kerasgan.__file__, new_api=new_api, batch=batch, traces=traced_in_warmup)
    for line in sys.stdin:
        command = line.split()
        if not command:
            continue
        if command[0] == "run":
            steps = int(command[1])
            seconds, cpu_seconds, step_seconds = timed(steps)
            reply(
                images_per_s=steps * batch / seconds,
                images_per_cpu_s=steps * batch / cpu_seconds,
                step_seconds=step_seconds,
                retraces=traces[0] - traced_in_warmup,
            )
        elif command[0] == "ops":
            # The step as fit() traces it, traced once more on its own: op types of the graph and
            # of the functions it calls (gradients, control flow), before grappler's rewrites.
            spec = tf.TensorSpec((batch, *shape), tf.float32)
            graph = tf.function(train_step).get_concrete_function(spec).graph.as_graph_def()
            counts = collections.Counter(node.op for node in graph.node)
            for function in graph.library.function:
                counts.update(node.op for node in function.node_def)
            reply(ops=dict(counts))
        elif command[0] == "quit":
            return


class WorkerProcess:
    """The parent's handle on one worker process: commands on its stdin, answers on stdout lines after `reply`.

    Its stderr goes to `log_path`; when it ends without answering, the log's last lines are in the error.
    benchmarks/peers.py uses it too.
    """

    def __init__(self, label, command, env, log_path, reply=_REPLY, cwd=None):
        self.label, self.reply = label, reply
        self.log = open(log_path, "w+")  # noqa: SIM115 (closed in close())
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env, text=True, cwd=cwd
        )

    def ask(self, command=None):
        import json

        if command is not None:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith(self.reply):
                return json.loads(line[len(self.reply) :])
        self.log.seek(0)
        tail = "".join(self.log.readlines()[-30:])
        raise RuntimeError(f"the {self.label} worker ended (exit {self.process.wait()}):\n{tail}")

    def close(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
                self.process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
        self.log.close()


def start_worker(label, root, config, args, log_dir):
    """A worker timing `config` with the kerasgan checkout at `root`."""
    command = [
        sys.executable,
        str(pathlib.Path(__file__).resolve()),
        "--worker-config",
        config,
        "--worker-root",
        str(root),
        "--steps",
        str(args.steps or CONFIGS[config]["steps"]),
        "--image-size",
        str(args.image_size),
        "--batch-size",
        str(args.batch_size),
        "--latent-dim",
        str(args.latent_dim),
    ]
    if args.channels:
        command += ["--channels", str(args.channels)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    env = {**os.environ, "PYTHONPATH": str(root), "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    return WorkerProcess(
        label, command, env, pathlib.Path(log_dir) / f"{config}-{label}.log", cwd=tempfile.gettempdir()
    )


def extract(revision, into):
    """The kerasgan package of git `revision`, extracted under `into`; returns (folder, short hash)."""
    short = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", revision], check=True, capture_output=True, text=True
    ).stdout.strip()
    folder = pathlib.Path(into) / short
    folder.mkdir()
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", revision, "kerasgan"], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(folder)], stdin=archive.stdout, check=True)
    if archive.wait():
        raise SystemExit(f"git archive {revision} kerasgan failed")
    return folder, short


def against(args):
    configs = args.configs.split(",")
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise SystemExit(f"unknown configuration(s) {unknown}; choose from {', '.join(CONFIGS)}")
    with tempfile.TemporaryDirectory(prefix="kerasgan-bench-") as tmp:
        old_root, old_name = extract(args.against, tmp)
        if args.new:
            new_root, new_name = extract(args.new, tmp)
        else:
            head = subprocess.run(
                ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], check=True, capture_output=True, text=True
            ).stdout.strip()
            dirty = subprocess.run(
                ["git", "-C", str(ROOT), "status", "--porcelain", "kerasgan"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            new_root, new_name = ROOT, f"working tree ({head}{' + uncommitted changes' if dirty else ''})"
        threads = f"{args.threads} TF thread(s)" if args.threads else "TF's default threads"
        print(
            f"old = {old_name}, new = {new_name}; {args.image_size}×{args.image_size}, minibatch {args.batch_size}, "
            f"{threads}, {os.cpu_count()} CPUs;\nper configuration {args.processes} pairs of fresh worker processes "
            f"× {args.rounds} rounds alternating old/new (order swapped every round), each round timing a fixed "
            "number of fit() steps,\nafter tracing and an untimed round",
            flush=True,
        )
        results = {}
        for config in configs:
            started = time.perf_counter()
            result = {"steps": args.steps or CONFIGS[config]["steps"], "pairs": [], "retraces": {"old": 0, "new": 0}}
            for key in ("wall", "cpu", "step"):
                result[key] = {"old": [], "new": []}
            for pair in range(args.processes):
                # Each process runs at its own speed, a few % off another running the same code (A/A runs
                # of one pair differed by ±5%); fresh pairs turn that into spread instead of bias.
                roots = {"old": old_root, "new": new_root}
                workers = {label: start_worker(label, root, config, args, tmp) for label, root in roots.items()}
                try:
                    ready = {label: w.ask() for label, w in workers.items()}  # both warm up at once: untimed
                    result["batch"] = ready["new"]["batch"]
                    first = len(result["wall"]["old"])
                    for r in range(args.rounds):
                        for label in ("old", "new") if r % 2 == 0 else ("new", "old"):
                            answer = workers[label].ask(f"run {result['steps']}")
                            result["wall"][label].append(answer["images_per_s"])
                            result["cpu"][label].append(answer["images_per_cpu_s"])
                            result["step"][label].append(answer["step_seconds"])
                            result["retraces"][label] = max(result["retraces"][label], answer["retraces"])
                    if pair == 0:
                        result["ops"] = {label: w.ask("ops")["ops"] for label, w in workers.items()}
                finally:
                    for w in workers.values():
                        w.close()
                result["pairs"].append(
                    statistics.median(
                        n / o for n, o in zip(result["wall"]["new"][first:], result["wall"]["old"][first:])
                    )
                )
            results[config] = result
            print(
                f"  {config}: done in {time.perf_counter() - started:.0f} s; median new/old of each process pair "
                f"{' '.join(f'{x:.3f}' for x in result['pairs'])}",
                flush=True,
            )
    print_table(results, args)


def print_table(results, args):
    median = statistics.median

    def ratios(values):
        """Per-round new/old ratios of a higher-is-better number: (median, min, max)."""
        per_round = [n / o for n, o in zip(values["new"], values["old"])]
        return median(per_round), min(per_round), max(per_round)

    print("\nimages/s, wall clock, per round")
    header = (
        f"{'config':11s} {'batch':>5s} {'steps':>5s} | {'old median':>10s} {'best':>6s} | {'new median':>10s} "
        f"{'best':>6s} | {'new/old: median of rounds':>25s} {'[min-max]':>13s} | {'of medians':>10s} "
        f"{'of bests':>8s} | {'per process pair':>16s}"
    )
    print(header)
    print("-" * len(header))
    for config, result in results.items():
        old, new = result["wall"]["old"], result["wall"]["new"]
        mid, low, high = ratios(result["wall"])
        print(
            f"{config:11s} {result['batch']:5d} {result['steps']:5d} | {median(old):10.1f} "
            f"{max(old):6.0f} | {median(new):10.1f} {max(new):6.0f} | {mid:25.3f} {f'[{low:.3f}-{high:.3f}]':>13s} | "
            f"{median(new) / median(old):10.3f} {max(new) / max(old):8.3f} | "
            f"{' '.join(f'{x:.3f}' for x in result['pairs'])}"
        )

    print("\nless disturbed by other load: the median step, images per CPU-second; and checks")
    header = (
        f"{'config':11s} | {'median step ms old':>18s} {'new':>6s} {'old/new':>7s} | {'per round':>9s} "
        f"{'[min-max]':>13s} | {'CPU-time new/old':>16s} {'[min-max]':>13s} | {'retraces':>8s} | "
        f"{'graph ops old→new':>17s}"
    )
    print(header)
    print("-" * len(header))
    for config, result in results.items():
        steps = result["step"]
        pooled = {label: median(t for r in steps[label] for t in r) for label in steps}
        # a step's median time, inverted so that > 1 means new is faster, as for images/s
        per_round = {label: [1.0 / median(r) for r in steps[label]] for label in steps}
        mid, low, high = ratios(per_round)
        cpu_mid, cpu_low, cpu_high = ratios(result["cpu"])
        ops = {label: sum(counts.values()) for label, counts in result["ops"].items()}
        retraces = result["retraces"]
        print(
            f"{config:11s} | {1e3 * pooled['old']:18.1f} {1e3 * pooled['new']:6.1f} "
            f"{pooled['old'] / pooled['new']:7.3f} | {mid:9.3f} {f'[{low:.3f}-{high:.3f}]':>13s} | "
            f"{cpu_mid:16.3f} {f'[{cpu_low:.3f}-{cpu_high:.3f}]':>13s} | {retraces['old']:3d} "
            f"{retraces['new']:4d} | {ops['old']:8d}→{ops['new']:<8d}"
        )
    print(
        "Ratios are new/old for throughput (> 1: new faster); each round times old and new back to back. Per "
        "process pair:\nthe median ratio of the rounds of each pair of worker processes. Median step: over all "
        "timed steps, and per round.\nCPU-time: images per CPU-second of the worker (all threads). "
        "retraces: traces of the step\nduring the timed rounds (old, new; a retrace would be timed). graph ops: "
        "the traced step, before grappler."
    )
    for config, result in results.items():
        print(f"{config}, images/s per round (per CPU-second), | between process pairs:")
        for label in ("old", "new"):
            rounds = zip(result["wall"][label], result["cpu"][label])
            rounds = [f"{x:.0f} ({c:.0f})" for x, c in rounds]
            pairs = [", ".join(rounds[i : i + args.rounds]) for i in range(0, len(rounds), args.rounds)]
            print(f"  {label}: {' | '.join(pairs)}")
        if args.ops_diff:
            old, new = result["ops"]["old"], result["ops"]["new"]
            differ = {t: (old.get(t, 0), new.get(t, 0)) for t in sorted(set(old) | set(new))}
            differ = {t: c for t, c in differ.items() if c[0] != c[1]}
            print(
                f"  op types whose count differs (old → new): "
                f"{', '.join(f'{t} {o}→{n}' for t, (o, n) in differ.items()) or 'none'}"
            )


# ---------------------------------------------------------------------------------------- the reference
def reference_class():
    import keras
    import tensorflow as tf
    from keras import ops

    class ReferenceGAN(keras.Model):
        """The public Keras example's step: one concatenated D batch, a second generator pass."""

        def __init__(self, generator, discriminator, latent_dim):
            super().__init__()
            self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
            self.seed_generator = keras.random.SeedGenerator(0)
            self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
            self.built = True

        def compile(self, d_optimizer, g_optimizer):
            super().compile()
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

        def train_step(self, real_images):
            batch_size = ops.shape(real_images)[0]
            z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
            generated = self.generator(z, training=True)
            combined = ops.concatenate([generated, real_images], axis=0)
            labels = ops.concatenate([ops.zeros((batch_size, 1)), ops.ones((batch_size, 1))], axis=0)
            with tf.GradientTape() as tape:
                d_loss = self.loss_fn(labels, self.discriminator(combined, training=True))
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

            z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                fake_logits = self.discriminator(self.generator(z, training=True), training=True)
                g_loss = self.loss_fn(ops.ones((batch_size, 1)), fake_logits)
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
            return {"d_loss": d_loss, "g_loss": g_loss}

    return ReferenceGAN


def build(kind, image_shape, latent_dim, base_filters, jit, policy="float32", **options):
    import keras

    from kerasgan.models import DCGAN

    keras.utils.set_random_seed(0)
    keras.config.set_dtype_policy(policy)  # the networks take the policy in force when they are built
    try:
        gan = DCGAN.for_images(image_shape, latent_dim=latent_dim, base_filters=base_filters, seed=0, **options)
    finally:
        keras.config.set_dtype_policy("float32")
    if kind == "reference":
        gan = reference_class()(gan.generator, gan.discriminator, latent_dim)
        gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
        gan.jit_compile = jit
    else:
        gan.compile(
            d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
            g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
            jit_compile=jit,
        )
    return gan


def images_per_second(gan, dataset, steps, batch_size):
    return steps * batch_size / timed_fit(gan, dataset, steps)[0]


def reference(args):
    from kerasgan.models import DCGAN
    from kerasgan.parts import R1, GradientPenalty

    args.steps = args.steps or 100
    channels = args.channels or (1 if args.image_size == 28 else 3)
    shape = (args.image_size, args.image_size, channels)
    dataset = make_dataset(shape, args.batch_size)
    base_filters = args.base_filters or DCGAN.for_images(shape).base_filters
    models = {
        kind: build(kind, shape, args.latent_dim, base_filters, args.jit, args.policy)
        for kind in ("kerasgan", "reference")
    }
    for gan in models.values():  # warm-up: tracing and the first steps
        images_per_second(gan, dataset, 10, args.batch_size)

    results = {kind: [] for kind in models}
    for _ in range(args.rounds):
        for kind, gan in models.items():
            results[kind].append(images_per_second(gan, dataset, args.steps, args.batch_size))
    print(
        f"DCGAN {shape}, batch {args.batch_size}, base_filters {base_filters}, jit={args.jit}, policy={args.policy}, "
        f"{args.rounds} alternating rounds of {args.steps} steps"
    )
    for kind, rounds in results.items():
        print(
            f"  {kind:9s}: median {statistics.median(rounds):7.1f}  best {max(rounds):7.1f} images/s"
            f"  (rounds: {', '.join(f'{r:.0f}' for r in rounds)})"
        )
    # The best round is the least disturbed by other load on a shared machine.
    for label, pick in (("median", statistics.median), ("best", max)):
        print(f"  ratio kerasgan/reference ({label}): {pick(results['kerasgan']) / pick(results['reference']):.2f}x")
    penalties = {"gradient penalty": lambda: [GradientPenalty(10.0)], "R1": lambda: [R1(10.0)]}
    print("  cost of a discriminator penalty, relative to the plain kerasgan step (median / best rounds):")
    for label, regularizers in penalties.items():
        gan = build("kerasgan", shape, args.latent_dim, base_filters, args.jit, regularizers=regularizers())
        images_per_second(gan, dataset, 10, args.batch_size)
        rounds, plain_rounds = [], []
        for _ in range(max(3, args.rounds // 2)):
            rounds.append(images_per_second(gan, dataset, args.steps, args.batch_size))
            plain_rounds.append(images_per_second(models["kerasgan"], dataset, args.steps, args.batch_size))
        median, best = statistics.median(rounds), max(rounds)
        print(
            f"    {label:16s}: {median:7.1f} / {best:7.1f} images/s, step time × "
            f"{statistics.median(plain_rounds) / median:.2f} / {max(plain_rounds) / best:.2f}"
        )
    if args.settings:
        plain = build("kerasgan", shape, args.latent_dim, base_filters, False)
        images_per_second(plain, dataset, 10, args.batch_size)
        print(
            "  speed of other settings relative to the float32 step without XLA (median / best rounds; > 1 is faster):"
        )
        for policy, jit in (
            ("float32", True),
            ("mixed_float16", False),
            ("mixed_bfloat16", False),
            ("mixed_bfloat16", True),
        ):
            gan = build("kerasgan", shape, args.latent_dim, base_filters, jit, policy)
            images_per_second(gan, dataset, 10, args.batch_size)
            rounds, plain_rounds = [], []
            for _ in range(max(3, args.rounds // 2)):
                rounds.append(images_per_second(gan, dataset, args.steps, args.batch_size))
                plain_rounds.append(images_per_second(plain, dataset, args.steps, args.batch_size))
            print(
                f"    {policy:15s} jit={str(jit):5s}: {statistics.median(rounds):7.1f} images/s, "
                f"× {statistics.median(rounds) / statistics.median(plain_rounds):.2f} / "
                f"{max(rounds) / max(plain_rounds):.2f}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-size", type=int, default=28)
    parser.add_argument("--channels", type=int, default=None, help="default: 1 at 28 px, else 3")
    parser.add_argument(
        "--batch-size", type=int, default=64, help="batch; with --against the minibatch of each discriminator update"
    )
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--base-filters", type=int, default=None, help="default: DCGAN.for_images' choice")
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help="timed steps per round (default 100; with --against each configuration's own)",
    )
    parser.add_argument("--rounds", type=int, default=None, help="default 5; with --against 6 per process pair")
    parser.add_argument("--jit", action="store_true", help="compile both steps with XLA")
    parser.add_argument(
        "--policy",
        default="float32",
        choices=("float32", "mixed_float16", "mixed_bfloat16"),
        help="dtype policy of both models",
    )
    parser.add_argument(
        "--settings",
        action="store_true",
        help="also time XLA and each mixed-precision policy against the plain float32 step",
    )
    parser.add_argument(
        "--against", metavar="REV", help="time this working tree's step against the kerasgan of git revision REV"
    )
    parser.add_argument("--new", metavar="REV", help="with --against: time revision REV instead of the working tree")
    parser.add_argument(
        "--configs", default=",".join(CONFIGS), help="with --against: comma-separated, from %(default)s"
    )
    parser.add_argument("--ops-diff", action="store_true", help="with --against: list the op types whose counts differ")
    parser.add_argument(
        "--processes",
        type=int,
        default=3,
        help="with --against: pairs of fresh worker processes per configuration, each timing --rounds",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="with --against: TensorFlow's intra- and inter-op threads in each worker (default: "
        "TensorFlow's, one per core); 1 makes a step sequential, less disturbed by other load",
    )
    parser.add_argument("--worker-config", help=argparse.SUPPRESS)
    parser.add_argument("--worker-root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_config:
        worker(args)
    elif args.against:
        if args.jit or args.policy != "float32" or args.settings or args.base_filters:
            parser.error(
                "--against times the default float32 step; --jit, --policy, --settings, --base-filters do not apply"
            )
        args.rounds = args.rounds or 6
        against(args)
    else:
        args.rounds = args.rounds or 5
        reference(args)


if __name__ == "__main__":
    main()
