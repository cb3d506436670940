"""GAN-CLS on the captioned MNIST against a conditional GAN given the digit as a one-hot label.

    python benchmarks/text_to_image.py [--steps 2500] [--every 500] [--interpolation] [--text-at input] [--data DIR]

Both models train with the same recipe (DCGAN networks, Adam(2e-4, 0.5), batch
64, seed 0); every `--every` generator steps it prints, for GAN-CLS, the share
of samples that a classifier trained on the real digits (tests/mnist_yardstick.py)
calls the digit the caption names, the mean measured stroke thickness for
"a thin D" and "a thick D" with the same latents, the share of real digits
whose discriminator score drops with a wrong caption; and the cGAN's share of
samples that are the requested digit, and the ratio of the two. The CPU
seconds are the process's (user + system).
"""

import argparse
import os
import sys
import time

import keras
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from mnist_yardstick import mnist_and_classifier  # noqa: E402

import kerasgan  # noqa: E402
from kerasgan.data.captions import describe, stroke_properties  # noqa: E402


def _pixels(images):
    return np.clip(np.round((images[..., 0] + 1) * 127.5), 0, 255).astype("uint8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2500)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--interpolation", action="store_true", help="GAN-INT")
    parser.add_argument("--text-at", choices=("features", "input"), default="features", help="GANCLS(text_at=...)")
    parser.add_argument(
        "--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist")
    )
    args = parser.parse_args()
    import pathlib

    real, labels, classifier = mnist_and_classifier(pathlib.Path(args.data))
    named = np.repeat(np.arange(10), 100)
    latents = np.random.default_rng(2).standard_normal((len(named), 100))
    wrong = (labels[:1000] + 1 + np.arange(1000) % 9) % 10

    keras.utils.set_random_seed(0)
    captioned = kerasgan.data.captioned_mnist_dataset(args.data, batch_size=64, seed=0).repeat()
    encoder = kerasgan.networks.text_encoder(kerasgan.data.caption_words())
    gan_cls = kerasgan.models.GANCLS.for_images(
        (28, 28, 1), text_encoder=encoder, interpolation=args.interpolation, text_at=args.text_at, seed=0
    )
    gan_cls.compile()
    labelled = kerasgan.data.load_dataset(args.data, batch_size=64, seed=0, labels=True).repeat()
    cgan = kerasgan.models.ConditionalGAN.for_images((28, 28, 1), num_classes=10, seed=0)
    cgan.compile()
    cpu = {"gan_cls": 0.0, "cgan": 0.0}
    for done in range(args.every, args.steps + 1, args.every):
        for name, gan, data in (("gan_cls", gan_cls, captioned), ("cgan", cgan, labelled)):
            start = time.process_time()
            gan.fit(data, epochs=1, steps_per_epoch=args.every, verbose=0)
            cpu[name] += time.process_time() - start
        samples = gan_cls.generate(latents=latents, captions=[describe(int(d)) for d in named])
        text_share = np.mean(classifier.predict(samples, verbose=0).argmax(1) == named)
        label_share = np.mean(
            classifier.predict(cgan.generate(latents=latents, labels=named), verbose=0).argmax(1) == named
        )
        thickness = {
            word: stroke_properties(
                _pixels(gan_cls.generate(latents=latents, captions=[describe(int(d), word) for d in named]))
            )[0].mean()
            for word in ("thin", "thick")
        }
        right = gan_cls.match_scores(real[:1000], captions=[describe(int(d)) for d in labels[:1000]])
        lower = np.mean(gan_cls.match_scores(real[:1000], captions=[describe(int(d)) for d in wrong]) < right)
        print(
            f"step {done}: GAN-CLS named digit {text_share:.3f} (cGAN label {label_share:.3f}, ratio "
            f"{text_share / max(label_share, 1e-9):.2f}); thickness thin {thickness['thin']:.2f} px, thick "
            f"{thickness['thick']:.2f} px; wrong caption lowers D for {lower:.3f}; CPU s GAN-CLS {cpu['gan_cls']:.0f}, "
            f"cGAN {cpu['cgan']:.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
