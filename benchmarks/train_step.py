"""Images per second of kerasgan's DCGAN step against a straightforward reference.

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

    python benchmarks/train_step.py [--image-size 28] [--batch-size 64] [--rounds 5] [--steps 100]
                                    [--policy float32|mixed_float16|mixed_bfloat16] [--jit] [--settings]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import ops  # noqa: E402

from kerasgan.models import DCGAN  # noqa: E402


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


def build(kind, image_shape, latent_dim, base_filters, jit, policy="float32", **options):
    keras.utils.set_random_seed(0)
    keras.config.set_dtype_policy(policy)  # the networks take the policy in force when they are built
    try:
        gan = DCGAN.for_images(image_shape, latent_dim=latent_dim, base_filters=base_filters, seed=0, **options)
    finally:
        keras.config.set_dtype_policy("float32")
    if kind == "reference":
        gan = ReferenceGAN(gan.generator, gan.discriminator, latent_dim)
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
    start = time.perf_counter()
    gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    return steps * batch_size / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-size", type=int, default=28)
    parser.add_argument("--channels", type=int, default=None, help="default: 1 at 28 px, else 3")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--base-filters", type=int, default=None, help="default: DCGAN.for_images' choice")
    parser.add_argument("--steps", type=int, default=100, help="timed steps per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jit", action="store_true", help="compile both steps with XLA")
    parser.add_argument("--policy", default="float32", choices=("float32", "mixed_float16", "mixed_bfloat16"),
                        help="dtype policy of both models")
    parser.add_argument("--settings", action="store_true",
                        help="also time XLA and each mixed-precision policy against the plain float32 step")
    args = parser.parse_args()

    channels = args.channels or (1 if args.image_size == 28 else 3)
    shape = (args.image_size, args.image_size, channels)
    images = np.tanh(np.random.default_rng(0).normal(size=(2048, *shape))).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(images).repeat().batch(args.batch_size, drop_remainder=True)
    dataset = dataset.prefetch(tf.data.AUTOTUNE)
    base_filters = args.base_filters or DCGAN.for_images(shape).base_filters
    models = {
        kind: build(kind, shape, args.latent_dim, base_filters, args.jit, args.policy) for kind in ("kerasgan", "reference")
    }
    for gan in models.values():  # warm-up: tracing and the first steps
        images_per_second(gan, dataset, 10, args.batch_size)

    results = {kind: [] for kind in models}
    for _ in range(args.rounds):
        for kind, gan in models.items():
            results[kind].append(images_per_second(gan, dataset, args.steps, args.batch_size))
    print(f"DCGAN {shape}, batch {args.batch_size}, base_filters {base_filters}, jit={args.jit}, policy={args.policy}, "
          f"{args.rounds} alternating rounds of {args.steps} steps")
    for kind, rounds in results.items():
        print(f"  {kind:9s}: median {statistics.median(rounds):7.1f}  best {max(rounds):7.1f} images/s"
              f"  (rounds: {', '.join(f'{r:.0f}' for r in rounds)})")
    # The best round is the least disturbed by other load on a shared machine.
    for label, pick in (("median", statistics.median), ("best", max)):
        print(f"  ratio kerasgan/reference ({label}): {pick(results['kerasgan']) / pick(results['reference']):.2f}x")
    penalties = {"gradient penalty": {"gradient_penalty": 10.0}, "R1": {"r1_gamma": 10.0}}
    print("  cost of a discriminator penalty, relative to the plain kerasgan step (median / best rounds):")
    for label, options in penalties.items():
        gan = build("kerasgan", shape, args.latent_dim, base_filters, args.jit, **options)
        images_per_second(gan, dataset, 10, args.batch_size)
        rounds, plain_rounds = [], []
        for _ in range(max(3, args.rounds // 2)):
            rounds.append(images_per_second(gan, dataset, args.steps, args.batch_size))
            plain_rounds.append(images_per_second(models["kerasgan"], dataset, args.steps, args.batch_size))
        median, best = statistics.median(rounds), max(rounds)
        print(f"    {label:16s}: {median:7.1f} / {best:7.1f} images/s, step time × "
              f"{statistics.median(plain_rounds) / median:.2f} / {max(plain_rounds) / best:.2f}")
    if args.settings:
        plain = build("kerasgan", shape, args.latent_dim, base_filters, False)
        images_per_second(plain, dataset, 10, args.batch_size)
        print("  speed of other settings relative to the float32 step without XLA (median / best rounds; > 1 is faster):")
        for policy, jit in (("float32", True), ("mixed_float16", False), ("mixed_bfloat16", False), ("mixed_bfloat16", True)):
            gan = build("kerasgan", shape, args.latent_dim, base_filters, jit, policy)
            images_per_second(gan, dataset, 10, args.batch_size)
            rounds, plain_rounds = [], []
            for _ in range(max(3, args.rounds // 2)):
                rounds.append(images_per_second(gan, dataset, args.steps, args.batch_size))
                plain_rounds.append(images_per_second(plain, dataset, args.steps, args.batch_size))
            print(f"    {policy:15s} jit={str(jit):5s}: {statistics.median(rounds):7.1f} images/s, "
                  f"× {statistics.median(rounds) / statistics.median(plain_rounds):.2f} / "
                  f"{max(rounds) / max(plain_rounds):.2f}")


if __name__ == "__main__":
    main()
