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


def pytest_configure(config):
    # Same seed, same numbers: multi-threaded float32 reductions on the CPU are
    # otherwise not bit-reproducible, which the resume tests would pick up.
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same global seeds (numpy, Python, the backend)."""
    import keras

    keras.utils.set_random_seed(1234)
    yield
