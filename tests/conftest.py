"""Shared test helpers: where the real data in ../shared/data lives."""

import os
import pathlib

import pytest

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]


def shared_data_dir():
    """The real-data folder: $KERASGAN_DATA, else ../shared/data beside the project."""
    return pathlib.Path(os.environ.get("KERASGAN_DATA") or PROJECT_ROOT.parent / "shared" / "data")


def require_shared_data(*parts):
    """The path of real data under the shared folder, skipping the test when it is absent.

    With KERASGAN_REQUIRE_DATA=1 (CI) a missing data set fails the test
    instead, so a broken data mount cannot pass as a green run. Module-scoped
    fixtures (one trained model shared by several tests) call it directly.
    """
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        message = (
            f"real data {path} is absent; set KERASGAN_DATA to the folder that holds "
            "mnist/, anime_faces/, ... to run this test"
        )
        if os.environ.get("KERASGAN_REQUIRE_DATA") == "1":
            pytest.fail(message + " (KERASGAN_REQUIRE_DATA=1 makes this a failure)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")  # session-wide, so a module-scoped fixture can share one trained model or yardstick
def shared_data():
    """Returns `require_shared_data`: `shared_data("mnist")` is the path of real data, or a skip (a failure in CI)."""
    return require_shared_data


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (setup.cfg): one worker per core, at most four (each holds its own TensorFlow)."""
    return max(1, min(os.cpu_count() or 1, 4))


def pytest_collection_modifyitems(config, items):
    """The slow tests first (a stable sort, so each file's tests stay together).

    Under pytest-xdist (setup.cfg: `--dist loadfile --no-loadscope-reorder`) each file goes to the next free worker
    in this order; by default xdist sends the files with most tests first, which left the slow files (two or three
    tests each, minutes apiece) for the end, one worker busy and the other core idle.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_configure(config):
    # Same seed, same numbers: multi-threaded float32 reductions on the CPU are
    # otherwise not bit-reproducible, which the resume tests would pick up.
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    # Under pytest-xdist each worker gets its share of the cores: two slow tests training side by
    # side with every core each ran 15 % slower than one after the other, and 10 % faster with one each.
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        share = max(1, (os.cpu_count() or 1) // workers)
        tf.config.threading.set_intra_op_parallelism_threads(share)
        tf.config.threading.set_inter_op_parallelism_threads(share)


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same global seeds (numpy, Python, the backend)."""
    import keras

    keras.utils.set_random_seed(1234)
    yield
