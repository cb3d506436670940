"""Under MirroredStrategy with 2 replicas, training equals one device on the same global batch.

TensorFlow's logical devices must be configured before anything else touches
TensorFlow, so the comparison runs in a fresh interpreter.
"""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from kerasgan import parts

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras, numpy as np
    from kerasgan.models import MODELS

    name, options = sys.argv[1], json.loads(sys.argv[2])
    images = np.tanh(np.random.default_rng(0).normal(size=(80, 8, 8, 1))).astype("float32")
    data = (images, np.arange(80) % 3) if "num_classes" in options else images

    def run(strategy):
        with strategy.scope():
            keras.utils.set_random_seed(0)
            gan = MODELS[name].for_images((8, 8, 1), latent_dim=4, base_filters=4, seed=0, **options)
            gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
        history = gan.fit(tf.data.Dataset.from_tensor_slices(data).batch(20), epochs=2, verbose=0).history
        networks = [gan.generator, gan.discriminator] + ([gan.generator_ema] if gan.generator_ema else [])
        weights = [np.asarray(v).tolist() for net in networks for v in net.weights]
        return {"history": history, "weights": weights}

    one = run(tf.distribute.get_strategy())
    two = run(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))
    print(json.dumps({"one": one, "two": two}))
    """
)


def _serialized(**options):
    """The options as JSON: parts as their Keras serialization, which the models accept in place of the part."""
    return {key: keras.saving.serialize_keras_object(value) for key, value in options.items()}


# Every part of kerasgan.parts appears in one of the DCGAN rows (FDivergence in the fgan row): the parts contract's "two replicas equal one device".
@pytest.mark.parametrize(
    "name, options",
    [
        ("dcgan", {}),
        (
            "dcgan",
            _serialized(
                d_steps=2,
                targets=[parts.LabelNoise(0.1), parts.LabelSmoothing(0.1), parts.LabelFlip(0.2)],
                augment=[parts.InstanceNoise(0.2)],
            ),
        ),
        ("dcgan", _serialized(ema=parts.GeneratorEMA(0.9), augment=[parts.DiffAugment("color,translation,cutout")])),
        ("dcgan", _serialized(loss=parts.FeatureMatching(), regularizers=[parts.HistoricalAverage(0.1)])),
        (
            "dcgan",
            _serialized(
                regularizers=[parts.GradientPenalty(1.0), parts.R1(1.0, interval=2), parts.DRAGAN(1.0)],
                constraints=[parts.WeightClip(0.5)],
            ),
        ),
        ("wgan", {}),
        ("wgan_gp", {}),
        ("lsgan", {}),
        ("hinge_gan", {}),
        ("ragan", {}),
        ("fgan", {"divergence": "squared_hellinger"}),
        ("dcgan", _serialized(augment=[parts.Diffusion(t_min=5, t_max=50, ada_kimg=0.01)])),
        ("began", {"lambda_k": 0.05}),
        # with the pulling-away term: its pairs are those of the global batch (the replicas' codes gathered)
        ("ebgan", {}),
        ("cgan", {"num_classes": 3}),
        (
            "cgan",
            {
                "num_classes": 3,
                "projection": True,
                "label_embedding": 4,
                **_serialized(regularizers=[parts.GradientPenalty(1.0)]),
            },
        ),
        ("acgan", {"num_classes": 3}),
        # through 4×4, the fade-in to 8×8 and its stabilization: the images seen count the global batch.
        # group_size 1: the minibatch standard deviation is a per-replica batch statistic (like BatchNorm's).
        ("progan", {"fade_images": 40, "stable_images": 40, "group_size": 1}),
        ("infogan", {"categorical_codes": [3], "continuous_codes": 1}),
        # style mixing, noise inputs, lazy R1 (interval 2), path length (interval 2), w̄ and the ramped EMA
        (
            "stylegan2",
            {
                "group_size": 1,
                "max_filters": 4,
                "mapping_layers": 2,
                **_serialized(regularizers=[parts.R1(1.0, interval=2), parts.PathLength(2.0, interval=2)]),
            },
        ),
        ("dcgan", _serialized(augment=[parts.ADA(ada_kimg=0.01, initial_p=0.5)])),
    ],
)
def test_two_replicas_match_one_device(name, options, tmp_path):
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run(
        [sys.executable, str(script), name, json.dumps(options)], capture_output=True, text=True, env=env, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(result["two"]["history"]) == set(result["one"]["history"])
    for key, expected in result["one"]["history"].items():  # losses, accuracies and penalty terms
        np.testing.assert_allclose(result["two"]["history"][key], expected, rtol=1e-4, atol=1e-5, err_msg=key)
    for a, b in zip(result["one"]["weights"], result["two"]["weights"]):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-3, atol=1e-5)
