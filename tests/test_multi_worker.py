"""Two worker processes on localhost under MultiWorkerMirroredStrategy train as one device does."""

import json
import os
import socket
import subprocess
import sys
import textwrap

import numpy as np

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import tensorflow as tf
    mode = sys.argv[1]
    import keras, numpy as np, kerasgan

    images = np.tanh(np.random.default_rng(0).normal(size=(80, 8, 8, 1))).astype("float32")
    strategy = tf.distribute.MultiWorkerMirroredStrategy() if mode == "worker" else tf.distribute.get_strategy()
    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = kerasgan.models.DCGAN.for_images((8, 8, 1), latent_dim=4, base_filters=4, seed=0,
                                                   targets=[kerasgan.parts.LabelSmoothing(0.1)])
        gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    data = tf.data.Dataset.from_tensor_slices(images).batch(20)  # the global batch
    history = gan.fit(data, epochs=2, verbose=0).history
    weights = [np.asarray(v).tolist() for v in gan.generator.weights + gan.discriminator.weights]
    print(json.dumps({"replicas": strategy.num_replicas_in_sync, "history": history, "weights": weights}))
    """
)


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_workers_on_localhost_match_one_device(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    base_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    workers = [f"localhost:{port}" for port in _free_ports(2)]
    processes = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {**base_env, "TF_CONFIG": json.dumps(config)}
        processes.append(
            subprocess.Popen(
                [sys.executable, str(script), "worker"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
    single = subprocess.run(
        [sys.executable, str(script), "single"], capture_output=True, text=True, env=base_env, timeout=600
    )
    outputs = [p.communicate(timeout=600) for p in processes]
    for p, (_, err) in zip(processes, outputs):
        assert p.returncode == 0, err[-3000:]
    assert single.returncode == 0, single.stderr[-3000:]
    one = json.loads(single.stdout.strip().splitlines()[-1])
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert [r["replicas"] for r in results] == [2, 2] and one["replicas"] == 1
    for result in results:  # both workers hold the same model, equal to the single device's
        for key, expected in one["history"].items():
            np.testing.assert_allclose(result["history"][key], expected, rtol=1e-4, atol=1e-5, err_msg=key)
        for a, b in zip(one["weights"], result["weights"]):
            np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-3, atol=1e-5)


def test_cli_trains_on_two_workers_and_only_the_chief_writes_the_run_folder(tmp_path):
    import keras
    from gan_contract import tiny_images

    import kerasgan  # noqa: F401  (registers the model classes for load_model)

    data = tmp_path / "tiny.npz"
    np.savez(data, x_train=((tiny_images(32) + 1) * 127.5).astype("uint8"))
    run = tmp_path / "run"
    workers = [f"localhost:{port}" for port in _free_ports(2)]
    processes = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_CONFIG": json.dumps(config)}
        command = [
            sys.executable,
            "-m",
            "kerasgan.cli",
            "train",
            "dcgan",
            "--data",
            str(data),
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--latent-dim",
            "4",
            "--run-dir",
            str(run),
            "--strategy",
            "multi_worker",
        ]
        processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    for p in processes:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-3000:]
    assert json.loads((run / "config.json").read_text())["replicas"] == 2
    assert (run / "progress.gif").exists() and not (run / "worker_1" / "progress.gif").samefile(run / "progress.gif")
    chief = keras.saving.load_model(run / "model.keras")
    other = keras.saving.load_model(run / "worker_1" / "model.keras")
    assert int(chief.g_optimizer.iterations) == 32 // 8
    for a, b in zip(chief.weights, other.weights):  # the workers trained one model together
        np.testing.assert_allclose(keras.ops.convert_to_numpy(b), keras.ops.convert_to_numpy(a), rtol=1e-5)
