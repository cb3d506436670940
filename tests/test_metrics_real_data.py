"""Real-data metric test (slow): SWD on the anime faces in ../shared/data, no pretrained network."""

import numpy as np
import pytest

import kerasgan
from kerasgan.metrics.swd import _blur

pytestmark = pytest.mark.slow


def test_swd_between_face_halves_is_far_smaller_than_to_blurred_faces(shared_data):
    faces = shared_data("anime_faces")
    dataset = kerasgan.data.image_folder(faces, image_size=64, batch_size=500, shuffle=False, cache=False)
    images = np.concatenate([np.asarray(b) for b in dataset])
    assert images.shape == (5000, 64, 64, 3)
    first, second = images[:2500], images[2500:]
    blurred = _blur(_blur(second)).astype("float32")  # 5×5 binomial filter, twice
    kwargs = dict(patches_per_image=32, seed=0)
    halves = kerasgan.metrics.swd(first, second, **kwargs)
    to_blurred = kerasgan.metrics.swd(first, blurred, **kwargs)
    print(
        f"SWD×1e3 halves {halves['swd']:.2f} {np.round(halves['levels'], 2)}; "
        f"to blurred {to_blurred['swd']:.2f} {np.round(to_blurred['levels'], 2)}"
    )
    assert len(halves["levels"]) == 3  # 64, 32, 16 pixels
    assert to_blurred["swd"] > 4 * halves["swd"]  # measured: about 6x
    # blurring removes fine detail: the finest level shows it most
    assert to_blurred["levels"][0] > 8 * halves["levels"][0]  # measured: about 13x
