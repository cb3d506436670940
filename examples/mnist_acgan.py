"""ACGAN on MNIST (Odena et al. 2017): the discriminator also classifies the digit.

    python examples/mnist_acgan.py                       # MNIST via keras.datasets
    python examples/mnist_acgan.py ../shared/data/mnist  # local IDX files (labels beside them)

TensorBoard shows `d_class` and `g_class`, the class cross-entropies each
network adds to its adversarial loss.
"""

import sys

import kerasgan

data = sys.argv[1] if len(sys.argv) > 1 else "mnist"
run = "logs/mnist_acgan"

dataset = kerasgan.data.load_dataset(data, batch_size=64, seed=0, labels=True)
gan = kerasgan.models.ACGAN.for_images((28, 28, 1), num_classes=10, class_names=dataset.class_names, seed=0)
gan.compile()
gan.fit(dataset, epochs=20, callbacks=kerasgan.callbacks.run_callbacks(run))
gan.save(f"{run}/gan.keras")
kerasgan.callbacks.save_image_grid(f"{run}/threes.png", gan.generate(16, labels=3, seed=0))
