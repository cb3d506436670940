"""Images per second of kerasgan's GAN step against its two peers on identical networks.

The peers: the public Keras DCGAN example's `train_step` as it is taught
(one discriminator pass over generated and real images concatenated, then a
second generator pass for the generator's update), with `training=True`
(`train_step.reference_class`), and a PyTorch eager loop written the way the
PyTorch DCGAN tutorial writes it (the fakes generated once, detached for the
discriminator's update, reused for the generator's). All three train the same
networks, initialised alike in shape (not in values: the speed does not depend
on them): at 28×28×1 the TensorFlow DCGAN tutorial's generator and
discriminator (5×5 kernels, a 7×7×256 projection, Dropout 0.3 in the
discriminator), at 64×64×3 the same pattern one stride-2 stage deeper per
doubling (4×4×512 → 64×64×3; discriminator 64-128-256-512). Adam(2e-4, 0.5),
binary cross-entropy on logits, random data in [-1, 1] held in memory.

Each side runs in its own worker process (TensorFlow and PyTorch would fight
over the same threads in one), which builds, traces and warms up, then times
a fixed number of steps whenever the parent asks. The parent runs many short
rounds, rotating the order of the three every round so that a shared
machine's drifts and its bursts (this machine quantizes TensorFlow's
throughput: whole rounds at exactly 375.0 or 250.0 images/s) hit all alike,
and prints per configuration each side's median and best images/s (by the
wall clock and per CPU-second of the worker), and kerasgan's ratio to each
peer: the median of the per-round ratios with its interquartile range and
min-max, the ratio of the medians and of the best rounds.

torch is an optional benchmark-only dependency:
`pip install torch==2.13.0` (the CPU wheel); without it the PyTorch side is
skipped.

    python benchmarks/peers.py [--configs 28x1-b64,28x1-b256,64x3-b64] [--rounds 12] [--seconds 2]
                               [--kerasgan-precision fp32|bf16] [--steps-per-execution N] [--threads N]
"""

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
LATENT = 100
CONFIGS = {  # name: (image side, channels, batch)
    "28x1-b64": (28, 1, 64),
    "28x1-b256": (28, 1, 256),
    "64x3-b64": (64, 3, 64),
}
SIDES = ("kerasgan", "keras-example", "pytorch")
_REPLY = "@@peers "

sys.path.insert(0, str(HERE))  # train_step.py beside this file, also when imported from elsewhere
import train_step  # noqa: E402


def spec(side):
    """(projection side, generator widths, their strides, discriminator widths) of the tutorial's pattern.

    28 px (the tutorial's own): 7×7×256 → 128 (stride 1) → 64 (stride 2) → 1 (stride 2); D 64-128.
    64 px: 4×4×512 → 256 → 128 → 64 → 3, every transposed convolution stride 2; D 64-128-256-512.
    """
    if side == 28:
        return 7, [256, 128, 64], [1, 2], [64, 128]
    if side == 64:
        return 4, [512, 256, 128, 64], [2, 2, 2], [64, 128, 256, 512]
    raise SystemExit(f"image side {side}: 28 or 64")


# ------------------------------------------------------------------------------------------- Keras networks
def keras_networks(side, channels):
    import keras
    from keras import layers

    start, width, strides, d_widths = spec(side)
    g = [keras.Input((LATENT,)), layers.Dense(start * start * width[0], use_bias=False)]
    g += [layers.BatchNormalization(), layers.LeakyReLU(0.3), layers.Reshape((start, start, width[0]))]
    for w, stride in zip(width[1:], strides):
        g += [layers.Conv2DTranspose(w, 5, strides=stride, padding="same", use_bias=False)]
        g += [layers.BatchNormalization(), layers.LeakyReLU(0.3)]
    g += [layers.Conv2DTranspose(channels, 5, strides=2, padding="same", use_bias=False, activation="tanh")]
    generator = keras.Sequential(g, name="generator")
    d = [keras.Input((side, side, channels))]
    for w in d_widths:
        d += [layers.Conv2D(w, 5, strides=2, padding="same"), layers.LeakyReLU(0.3), layers.Dropout(0.3)]
    d += [layers.Flatten(), layers.Dense(1, dtype="float32")]
    discriminator = keras.Sequential(d, name="discriminator")
    return generator, discriminator


# ------------------------------------------------------------------------------------------- PyTorch side
def torch_networks(side, channels):
    from torch import nn

    start, width, strides, d_widths = spec(side)

    class Unflatten(nn.Module):
        def forward(self, x):
            return x.view(-1, width[0], start, start)

    def up(cin, cout, stride):
        # 'same' padding of a 5×5 transposed convolution: stride 1 pads 2; stride 2 pads 2 and adds one row
        return nn.ConvTranspose2d(cin, cout, 5, stride, padding=2, output_padding=stride - 1, bias=False)

    g = [nn.Linear(LATENT, start * start * width[0], bias=False), nn.BatchNorm1d(start * start * width[0])]
    g += [nn.LeakyReLU(0.3), Unflatten()]
    for cin, cout, stride in zip(width, width[1:], strides):
        g += [up(cin, cout, stride), nn.BatchNorm2d(cout), nn.LeakyReLU(0.3)]
    g += [up(width[-1], channels, 2), nn.Tanh()]
    d, cin = [], channels
    for w in d_widths:
        d += [nn.Conv2d(cin, w, 5, 2, padding=2), nn.LeakyReLU(0.3), nn.Dropout(0.3)]
        cin = w
    final = side // 2 ** len(d_widths)
    d += [nn.Flatten(), nn.Linear(cin * final * final, 1)]
    return nn.Sequential(*g), nn.Sequential(*d)


class TorchLoop:
    """The PyTorch DCGAN tutorial's loop: D on real and on detached fakes, then G through the updated D."""

    def __init__(self, side, channels, batch, threads):
        import torch

        if threads:
            torch.set_num_threads(threads)
        torch.manual_seed(0)
        self.torch, self.batch = torch, batch
        self.generator, self.discriminator = torch_networks(side, channels)
        self.d_opt = torch.optim.Adam(self.discriminator.parameters(), 2e-4, betas=(0.5, 0.999))
        self.g_opt = torch.optim.Adam(self.generator.parameters(), 2e-4, betas=(0.5, 0.999))
        self.loss = torch.nn.BCEWithLogitsLoss()
        self.data = torch.tanh(torch.randn(max(2048, 4 * batch), channels, side, side))
        self.ones, self.zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
        self.position = 0
        self.generator.train()
        self.discriminator.train()

    def step(self):
        torch = self.torch
        if self.position + self.batch > len(self.data):
            self.position = 0
        real = self.data[self.position : self.position + self.batch]
        self.position += self.batch
        fake = self.generator(torch.randn(self.batch, LATENT))
        self.d_opt.zero_grad(set_to_none=True)
        d_loss = self.loss(self.discriminator(real), self.ones) + self.loss(
            self.discriminator(fake.detach()), self.zeros
        )
        d_loss.backward()
        self.d_opt.step()
        self.g_opt.zero_grad(set_to_none=True)
        g_loss = self.loss(self.discriminator(fake), self.ones)
        g_loss.backward()
        self.g_opt.step()
        return float(d_loss), float(g_loss)  # read back, as fit() reads its logs: the step has finished

    def timed(self, steps):
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start, time.process_time() - cpu


# ------------------------------------------------------------------------------------------- TF sides
class KerasSide:
    def __init__(self, kind, side, channels, batch, precision, steps_per_execution, threads):
        import keras
        import tensorflow as tf

        if threads:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        keras.utils.set_random_seed(0)
        policy = {"fp32": "float32", "bf16": "mixed_bfloat16", "fp16": "mixed_float16"}[precision]
        keras.config.set_dtype_policy(policy if kind == "kerasgan" else "float32")
        try:
            generator, discriminator = keras_networks(side, channels)
        finally:
            keras.config.set_dtype_policy("float32")
        adam = lambda: keras.optimizers.Adam(2e-4, beta_1=0.5)  # noqa: E731
        if kind == "kerasgan":
            from kerasgan.models import DCGAN

            self.gan = DCGAN(generator, discriminator, latent_dim=LATENT, image_shape=(side, side, channels), seed=0)
            self.gan.compile(d_optimizer=adam(), g_optimizer=adam(), steps_per_execution=steps_per_execution)
        else:
            self.gan = train_step.reference_class()(generator, discriminator, LATENT)
            self.gan.compile(adam(), adam())
        self.dataset = train_step.make_dataset((side, side, channels), batch)
        self.batch = batch
        self.spe = steps_per_execution if kind == "kerasgan" else 1

    def timed(self, steps):
        # fit() calls the batch callbacks once per execution: time whole executions
        wall, cpu, _ = train_step.timed_fit(self.gan, self.dataset, max(1, steps // self.spe) * self.spe)
        return wall, cpu


def worker(args):
    side, channels, batch = CONFIGS[args.worker_config]
    if args.worker_side == "pytorch":
        runner = TorchLoop(side, channels, batch, args.threads)
    else:
        runner = KerasSide(
            args.worker_side, side, channels, batch, args.kerasgan_precision, args.steps_per_execution, args.threads
        )
    runner.timed(3)  # tracing, first steps
    first = runner.timed(10)  # an untimed round, which also sizes the timed ones
    steps = max(2, round(10 * args.seconds / first[0]))
    if isinstance(runner, KerasSide):
        steps = max(1, steps // runner.spe) * runner.spe

    def reply(**values):
        print(_REPLY + json.dumps(values), flush=True)

    reply(ready=True, steps=steps)
    for line in sys.stdin:
        command = line.split()
        if command and command[0] == "run":
            wall, cpu = runner.timed(steps)
            reply(images_per_s=steps * batch / wall, images_per_cpu_s=steps * batch / cpu)
        elif command and command[0] == "quit":
            return


def start_worker(side, config, args, log_dir):
    """A worker timing one side of `config` (train_step.WorkerProcess: commands in, answers out)."""
    command = [sys.executable, str(pathlib.Path(__file__).resolve()), "--worker-config", config]
    command += ["--worker-side", side, "--seconds", str(args.seconds)]
    command += ["--kerasgan-precision", args.kerasgan_precision]
    command += ["--steps-per-execution", str(args.steps_per_execution)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return train_step.WorkerProcess(side, command, env, pathlib.Path(log_dir) / f"{config}-{side}.log", reply=_REPLY)


def quartiles(values):
    if len(values) < 4:
        return min(values), max(values)
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def report(config, sides, steps, wall, cpu):
    """Prints one configuration's table as soon as its rounds are done."""
    median = statistics.median
    side, channels, batch = CONFIGS[config]
    print(f"\n{side}×{side}×{channels}, batch {batch}: images/s (wall clock; per CPU-second of the worker)")
    for name in sides:
        print(
            f"  {name:13s} {steps[name]:4d} steps/round  median {median(wall[name]):7.1f}  best "
            f"{max(wall[name]):7.1f}  | per CPU-s median {median(cpu[name]):7.1f}  best {max(cpu[name]):7.1f}"
        )
    for peer in sides[1:]:
        for label, values in (("wall", wall), ("CPU", cpu)):
            per_round = [k / p for k, p in zip(values["kerasgan"], values[peer])]
            low, high = quartiles(per_round)
            print(
                f"  kerasgan / {peer:13s} ({label:4s}): median of rounds {median(per_round):.3f} "
                f"[IQR {low:.3f}-{high:.3f}, min-max {min(per_round):.3f}-{max(per_round):.3f}]  "
                f"of medians {median(values['kerasgan']) / median(values[peer]):.3f}  "
                f"of bests {max(values['kerasgan']) / max(values[peer]):.3f}"
            )
    print("  rounds (wall):")
    for name in sides:
        print(f"    {name:13s} {' '.join(f'{x:.0f}' for x in wall[name])}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated, from %(default)s")
    parser.add_argument("--rounds", type=int, default=12, help="alternated rounds per configuration")
    parser.add_argument("--seconds", type=float, default=2.0, help="about how long one side's round lasts")
    parser.add_argument("--kerasgan-precision", default="fp32", choices=("fp32", "bf16", "fp16"))
    parser.add_argument("--steps-per-execution", type=int, default=1, help="kerasgan's compile(steps_per_execution=)")
    parser.add_argument("--threads", type=int, default=None, help="intra/inter-op threads of every worker")
    parser.add_argument("--worker-config", help=argparse.SUPPRESS)
    parser.add_argument("--worker-side", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_config:
        return worker(args)
    configs = args.configs.split(",")
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise SystemExit(f"unknown configuration(s) {unknown}; choose from {', '.join(CONFIGS)}")
    try:
        import importlib.util

        sides = SIDES if importlib.util.find_spec("torch") else SIDES[:2]
    except ImportError:
        sides = SIDES[:2]
    if "pytorch" not in sides:
        print("torch is not installed: the PyTorch side is skipped (pip install torch==2.13.0)")
    print(
        f"kerasgan precision {args.kerasgan_precision}, steps_per_execution {args.steps_per_execution}; "
        f"threads {args.threads or 'default'}; {os.cpu_count()} CPUs; {args.rounds} rounds per configuration, "
        f"the order of {', '.join(sides)} rotated every round, ~{args.seconds:g} s per side and round",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="kerasgan-peers-") as tmp:
        for config in configs:
            workers = {side: start_worker(side, config, args, tmp) for side in sides}
            try:
                steps = {side: w.ask()["steps"] for side, w in workers.items()}
                wall = {side: [] for side in sides}
                cpu = {side: [] for side in sides}
                for side in sides:  # one untimed rotation: every worker past its first rounds before any counts
                    workers[side].ask("run")
                for r in range(args.rounds):
                    order = sides[r % len(sides) :] + sides[: r % len(sides)]
                    for side in order:
                        answer = workers[side].ask("run")
                        wall[side].append(answer["images_per_s"])
                        cpu[side].append(answer["images_per_cpu_s"])
            finally:
                for w in workers.values():
                    w.close()
            report(config, sides, steps, wall, cpu)


if __name__ == "__main__":
    main()
