"""Conditional GAN on MNIST (Mirza & Osindero 2014): ask for a digit, get that digit.

    python examples/mnist_cgan.py                       # MNIST via keras.datasets
    python examples/mnist_cgan.py ../shared/data/mnist  # local IDX files (labels beside them)

The sample grids in logs/mnist_cgan/images/ have one row per digit, and each
column keeps its latent vector, so a column shows one "handwriting" across digits.
"""

import sys

import kerasgan

data = sys.argv[1] if len(sys.argv) > 1 else "mnist"
run = "logs/mnist_cgan"

dataset = kerasgan.data.load_dataset(data, batch_size=64, seed=0, labels=True)  # (images, labels) batches
gan = kerasgan.models.ConditionalGAN.for_images((28, 28, 1), num_classes=10, class_names=dataset.class_names, seed=0)
gan.compile()  # Adam(2e-4, beta_1=0.5) for both networks
gan.fit(dataset, epochs=20, callbacks=kerasgan.callbacks.run_callbacks(run))
gan.save(f"{run}/gan.keras")
kerasgan.callbacks.save_image_grid(f"{run}/sevens.png", gan.generate(16, labels=7, seed=0))
