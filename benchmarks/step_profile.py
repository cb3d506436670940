"""Where kerasgan's DCGAN step spends its time: the step with one piece of bookkeeping removed, or one setting changed.

Every variant is the CLI's DCGAN (28×28×1, width 32, batch 64 by default)
with one change, timed through `fit()` in rounds alternated with the plain
step in the same process (the plain step's round right before or after, the
order swapped every round); it prints per variant the median of the
per-round speed ratios variant / plain (> 1: the variant is faster) with its
min-max, and the ratio of the best rounds. The removals are not options of
kerasgan (they break a guarantee); they price each guarantee:

- `no-input-check`: the step does not record the batch's min / max / sum
  (the NaN and range check of every batch);
- `no-barrier`: gradients are applied without waiting for all of them
  (DESIGN.md, pitfall 12);
- `no-trackers`: no loss / accuracy `Mean` tracker is updated;
- `no-wait`: the step's ops do not wait for the batch (pitfall 14);
- `bare`: all four removed: what the algorithm itself costs.

The settings: `spe=N` (compile's steps_per_execution), `bf16` (the
mixed_bfloat16 policy), `xla` (jit_compile=True). A `--threads N` run
(TensorFlow's intra/inter-op threads; they can only be set before
TensorFlow starts) times every variant under that setting: compare two runs.

    python benchmarks/step_profile.py [--variants no-input-check,...] [--rounds 8] [--steps 40]
                                      [--batch-size 64] [--base-filters 32] [--threads N]
"""

import argparse
import contextlib
import os
import pathlib
import statistics
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

VARIANTS = ("no-input-check", "no-barrier", "no-trackers", "no-wait", "bare", "spe=4", "spe=16", "bf16", "xla")


def removals(variant):
    return {"no-input-check", "no-barrier", "no-trackers", "no-wait"} if variant == "bare" else {variant}


def build(variant, args):
    import keras

    from kerasgan.models import DCGAN

    removed = removals(variant)

    class Variant(DCGAN):
        if "no-input-check" in removed:

            def record_input_range(self, *batches):
                self._input_range.assign([-1.0, 1.0])

        if "no-trackers" in removed:

            def track(self, values):
                pass

        if "no-wait" in removed:

            @staticmethod
            def waiting_for(data):
                return contextlib.nullcontext()

        if "no-barrier" in removed:

            @staticmethod
            def apply_update(tape, terms, variables, optimizer):
                with tape:
                    loss = optimizer.scale_loss(sum(terms.values()))
                grads = tape.gradient(loss, variables)
                optimizer.apply_gradients(zip(grads, variables))
                return grads

    keras.utils.set_random_seed(0)
    if variant == "bf16":
        keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        gan = Variant.for_images((28, 28, 1), base_filters=args.base_filters, seed=0)
    finally:
        keras.config.set_dtype_policy("float32")
    spe = int(variant.split("=")[1]) if variant.startswith("spe=") else 1
    gan.compile(steps_per_execution=spe, jit_compile=variant == "xla")
    gan.spe = spe
    return gan


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=48, help="steps per round (a multiple of every spe)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--base-filters", type=int, default=32)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import train_step

    variants = args.variants.split(",")
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variant(s) {unknown}; choose from {', '.join(VARIANTS)}")
    dataset = train_step.make_dataset((28, 28, 1), args.batch_size)
    plain = build("plain", args)
    plain.spe = 1

    def speed(gan):
        steps = max(1, args.steps // gan.spe) * gan.spe
        wall, cpu, _ = train_step.timed_fit(gan, dataset, steps)
        return steps / wall, steps / cpu

    speed(plain), speed(plain)
    print(
        f"DCGAN 28×28×1, width {args.base_filters}, batch {args.batch_size}, threads {args.threads or 'default'}; "
        f"{args.rounds} rounds of {args.steps} steps alternated with the plain step; ratios variant / plain "
        "(> 1: faster)",
        flush=True,
    )
    for variant in variants:
        gan = build(variant, args)
        speed(gan), speed(gan)  # tracing, first steps
        rounds = {"variant": [], "plain": [], "variant_cpu": [], "plain_cpu": []}
        for r in range(args.rounds):
            for who in ("variant", "plain") if r % 2 == 0 else ("plain", "variant"):
                wall, cpu = speed(gan if who == "variant" else plain)
                rounds[who].append(wall)
                rounds[f"{who}_cpu"].append(cpu)
        wall = [v / p for v, p in zip(rounds["variant"], rounds["plain"])]
        cpu = [v / p for v, p in zip(rounds["variant_cpu"], rounds["plain_cpu"])]
        print(
            f"  {variant:15s} wall: median {statistics.median(wall):.3f} [{min(wall):.3f}-{max(wall):.3f}] best "
            f"{max(rounds['variant']) / max(rounds['plain']):.3f} | per CPU-s: median {statistics.median(cpu):.3f} "
            f"[{min(cpu):.3f}-{max(cpu):.3f}] | plain {statistics.median(rounds['plain']):.1f} steps/s, "
            f"{statistics.median(rounds['plain_cpu']):.1f} steps/CPU-s",
            flush=True,
        )
        del gan


if __name__ == "__main__":
    main()
