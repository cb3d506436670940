"""Every notebook runs top to bottom (KERASGAN_NOTEBOOK_SMOKE=1: tiny settings) and produces what it shows.

A notebook writes its run under `$KERASGAN_NOTEBOOK_RUNS/<notebook name>/`; CHECKS names, per notebook,
what must be there afterwards. Committed notebooks carry no outputs.
"""

import re

import imageio.v3 as iio
import nbformat
import numpy as np
import PIL.Image
import pytest
from conftest import PROJECT_ROOT
from nbclient import NotebookClient

NOTEBOOKS = PROJECT_ROOT / "notebooks"


def _grid_and_gif(run, grid_glob="images/epoch_*.png"):
    """The newest grid and the GIF's (frames, height, width): one frame per grid.

    Pillow reads the GIF's header only: decoding every frame through imageio fails ("No packer found
    from P to L") on some grayscale GIFs whose frames change palette mode, which viewers show fine.
    """
    grids = sorted(run.glob(grid_glob))
    assert grids, f"no {grid_glob} in {run}"
    grid = iio.imread(grids[-1])
    with PIL.Image.open(run / "progress.gif") as gif:
        frames = (gif.n_frames, gif.height, gif.width)
    assert frames[0] == len(grids)
    return grid, frames


def _quickstart(run, outputs):
    grid, frames = _grid_and_gif(run)
    assert grid.shape[:2] == (8 * 28 + 9 * 2, 8 * 28 + 9 * 2)  # 64 samples, 8 × 8, 2-pixel borders
    assert frames[1] % grid.shape[0] == 0 and frames[2] % grid.shape[1] == 0  # the grid, maybe upscaled
    assert (run / "gan.keras").is_file()
    assert "(16, 28, 28, 1)" in outputs  # the reloaded model generated


def _grid_shape(rows, cols, side=28, padding=2):
    return (rows * side + (rows + 1) * padding, cols * side + (cols + 1) * padding)


def _numbers(pattern, outputs):
    """The floats of the first line matching `pattern` (a regex with groups)."""
    match = re.search(pattern, outputs)
    assert match, f"no line matching {pattern!r} in the notebook's output"
    return [float(group) for group in match.groups()]


def _losses_wasserstein(run, outputs):
    for name in ("dcgan", "lsgan", "wgan_gp", "hinge_gan"):
        grid, _ = _grid_and_gif(run / name)
        assert grid.shape[:2] == _grid_shape(8, 8)
        assert (run / name / "tb").is_dir()
    for figure in ("losses.png", "wasserstein.png"):
        image = iio.imread(run / figure)
        assert image.ndim == 3 and image.shape[1] > image.shape[0] > 100
    first, last = _numbers(r"Wasserstein estimate: (\S+) after \d+ steps, (\S+) after", outputs)
    assert np.isfinite(first) and np.isfinite(last)
    assert "WGANGP (16, 28, 28, 1)" in outputs  # the reloaded model is a WGANGP and generated


def _conditional_infogan(run, outputs):
    for name in ("cgan", "acgan", "infogan"):
        grid, _ = _grid_and_gif(run / name)
        assert grid.shape[:2] == _grid_shape(10, 64 // 10)  # one row per class / category, 6 latents across
    assert iio.imread(run / "infogan_second_code.png").shape[:2] == _grid_shape(10, 8)
    assert "ACGAN sevens: (8, 28, 28, 1)" in outputs
    assert "ACGAN 3 (16, 28, 28, 1)" in outputs  # reloaded with its class names


def _image_to_image(run, outputs):
    for name in ("pix2pix", "cyclegan"):
        # one row per held-out image: input, translation, then the truth (pix2pix) or the translation back
        grid, _ = _grid_and_gif(run / name, "images/translations_*.png")
        assert grid.shape == (*_grid_shape(8, 3, side=32), 3)
    assert len(list((run / "data" / "gray").glob("*.png"))) == len(list((run / "data" / "color").glob("*.png")))
    (error,) = _numbers(r"mean absolute error on the held-out pairs: (\S+)", outputs)
    assert 0 <= error <= 2
    assert "Pix2Pix (8, 32, 32, 1) -> (8, 32, 32, 3)" in outputs


def _evaluation_latent(run, outputs):
    import json

    _grid_and_gif(run)
    scores = json.loads((run / "scores.json").read_text())
    assert {"fid", "kid", "kid_std", "is", "is_std", "swd", "precision", "recall"} <= set(scores)
    assert scores["fid"] >= 0 and scores["swd"] >= 0 and 1 <= scores["is"] <= 10
    assert 0 <= scores["precision"] <= 1 and 0 <= scores["recall"] <= 1
    shares = _numbers(r"digit shares: \[([^,]+)" + r",\s*([^,\]]+)" * 9 + r"\]", outputs)
    assert abs(sum(shares) - 1) < 1e-2
    # the strip is enlarged (nearest) ⌈256 / shorter side⌉ times: 3 for a 122-pixel-high 4 × 8 strip
    strip = _grid_shape(4, 8)
    assert iio.imread(run / "interpolation.png").shape[:2] == tuple(3 * side for side in strip) and strip[0] == 122
    assert iio.imread(run / "arithmetic.png").shape[:2] == _grid_shape(1, 4)
    assert iio.imread(run / "neighbours.png").shape[:2] == _grid_shape(8, 4)  # each sample and its 3 neighbours
    linear, spherical, end0, end1 = _numbers(r"midpoint: linear (\S+) slerp (\S+) ends (\S+) (\S+)", outputs)
    assert linear < spherical and min(end0, end1) - 0.01 <= spherical <= max(end0, end1) + 0.01
    assert "reloaded (16, 28, 28, 1)" in outputs


def _mode_coverage(run, outputs):
    for kind in ("plain", "unrolled", "pacgan"):
        frame, frames = _grid_and_gif(run / kind, "points/epoch_*.png")
        assert frame.shape == (320, 320, 3)  # PointScatter's plot
        captured, modes, quality, _ = _numbers(
            rf"{kind}: modes captured (\d+) of (\d+), high quality (\S+), reverse KL (\S+)", outputs
        )
        assert modes == 8 and 0 <= captured <= 8 and 0 <= quality <= 1
    assert iio.imread(run / "ring_comparison.png").shape[1] > 2 * iio.imread(run / "ring_comparison.png").shape[0]
    assert "UnrolledGAN reloaded: same scores True" in outputs
    for name, code_dim in (("bigan", 64), ("aae", 8)):
        assert iio.imread(run / f"{name}_reconstructions.png").shape[:2] == _grid_shape(8, 2)
        assert f"{name}: codes (8, {code_dim}), reconstruction MSE" in outputs
        _grid_and_gif(run / name)


def _objectives(run, outputs):
    for name in ("fgan", "ebgan", "began", "diffusion"):
        grid, _ = _grid_and_gif(run / name)
        assert grid.shape[:2] == _grid_shape(8, 8)
    figure = iio.imread(run / "objectives.png")
    assert figure.shape[1] > 3 * figure.shape[0]  # four panels side by side
    m_first, m_last, k = _numbers(r"BEGAN M_global (\S+) -> (\S+), k (\S+)", outputs)
    assert m_first >= 0 and m_last >= 0 and 0 <= k <= 1  # L(x) + |γ L(x) − L(G(z))|; k_t is clipped to [0, 1]
    t_first, t_last, r_d = _numbers(r"Diffusion T (\S+) -> (\S+), r_d (\S+)", outputs)
    assert 10 <= t_first <= 500 and 10 <= t_last <= 500 and -1 <= r_d <= 1  # T in [t_min, t_max]
    (hellinger,) = _numbers(r"f-GAN squared Hellinger estimate (\S+)", outputs)
    assert (
        np.isfinite(hellinger) and hellinger < 2
    )  # T(x) = 1 − exp(−v) < 1 and f*(T) > −1 keep every batch's F below 2
    assert "BEGAN (16, 28, 28, 1)" in outputs


def _super_resolution(run, outputs):
    for stage in ("srresnet", "srgan"):
        grids = sorted((run / stage / "images").glob("sr_*.png"))
        assert len(grids) == 2  # SMOKE: 2 epochs
        # 2 test crops, one row each: LR (nearest) | bicubic | model | HR, 32² with 2-pixel borders
        assert iio.imread(grids[-1]).shape[:2] == (2 * 32 + 3 * 2, 4 * 32 + 5 * 2)
    assert 1 <= len(iio.imread(run / "srgan" / "progress.gif", index=None)) <= 2
    assert "a stand-in, not VGG19" in outputs  # SMOKE never downloads VGG19
    table = {m: float(p) for m, p in re.findall(r"^\s*(bicubic|SRResNet|SRGAN)\s+([\d.]+)", outputs, re.M)}
    assert sorted(table) == ["SRGAN", "SRResNet", "bicubic"] and 10 < table["bicubic"] < 40, outputs
    shapes = re.search(r"tiled: \((\d+), (\d+), 3\) -> \((\d+), (\d+), 3\); max \|tiled - whole\| = (\S+)", outputs)
    h, w, out_h, out_w, difference = shapes.groups()
    assert (int(out_h), int(out_w)) == (4 * int(h), 4 * int(w)) and float(difference) < 1e-5
    assert iio.imread(run / "tiled.png").shape == (int(out_h), int(out_w), 3)
    assert "reloaded: max |difference| of the upscaled test image: 0.0" in outputs
    assert (run / "srgan.keras").is_file()


#: notebook name -> check(run folder, the text the notebook printed)
def _progan(run, outputs):
    grid, frames = _grid_and_gif(run)
    assert grid.shape[:2] == _grid_shape(8, 8, side=16)  # the current level, upsampled to 16 × 16
    levels = _numbers(r"levels: \[(\d+), (\d+), (\d+)\]", outputs)
    assert levels == [4, 8, 16]
    # 3 epochs × 4 steps × 32 images = 384 seen; phases of 64: 4×4 to 64, 8×8 faded in by 128, 16×16 by 256
    seen, side, alpha = _numbers(r"after (\d+) images: (\d+)x\d+, alpha (\S+)", outputs)
    assert (seen, side, alpha) == (384, 16, 1.0)
    assert "reloaded at 384 images: 16 1.0 (4, 16, 16, 1)" in outputs


def _stylegan2(run, outputs):
    grid, _ = _grid_and_gif(run)
    assert grid.shape[:2] == _grid_shape(8, 8, side=8)  # SMOKE: 8×8 faces
    steps, pl_mean = _numbers(r"after (\d+) steps: path-length mean (\S+), pl terms finite True", outputs)
    assert steps == 4 and pl_mean > 0  # 2 epochs × 2 steps; path length ran at step 0 (of 4)
    # one row per ψ (1, 0.7, 0.4), the same 8 latents
    assert iio.imread(run / "truncated.png").shape == (*_grid_shape(3, 8, side=8), 3)
    spread = _numbers(r"spread of 64 samples by psi: 1.0 (\S+) 0.7 (\S+) 0.4 (\S+) 0.0 (\S+)", outputs)
    assert spread[0] > spread[1] > spread[2] > spread[3] and spread[3] < 1e-5, spread  # ψ 0: every sample is w̄'s
    (w_bar,) = _numbers(r"psi 0: max \|sample - w-bar face\| = (\S+)", outputs)
    assert w_bar < 1e-5
    # the style-mixing grid: a blank corner, the 5 column sources, then per row its source and the 5 mixes
    mixing = iio.imread(run / "style_mixing.png")
    assert mixing.shape == (*_grid_shape(6, 6, side=8), 3)
    cells = {(r, c): mixing[2 + 10 * r : 10 + 10 * r, 2 + 10 * c : 10 + 10 * c] for r in range(6) for c in range(6)}
    assert (cells[0, 0] == cells[0, 0][0, 0]).all()
    assert all(cell.std() > 0 for place, cell in cells.items() if place != (0, 0))
    assert "crossover 2 of 4 style inputs" in outputs  # 8×8: 4 style inputs, the first 2 from the row source
    frames, keypoints, per_segment = _numbers(
        r"walk in w: (\d+) frames through (\d+) keypoints, (\d+) per segment", outputs
    )
    assert frames == keypoints * (per_segment - 1)  # a loop of as many segments, each shared end drawn once
    with PIL.Image.open(run / "walk_w.gif") as gif:
        assert (gif.n_frames, gif.height, gif.width) == (frames, 256, 256)  # 8×8 frames enlarged ×32
    (difference,) = _numbers(r"reloaded StyleGAN2: max \|difference\| at psi 0.7 = (\S+)", outputs)
    assert difference < 1e-6


def _text_to_image(run, outputs):
    grid, _ = _grid_and_gif(run)
    assert grid.shape[:2] == _grid_shape(10, 64 // 10)  # one row per caption "a zero" ... "a nine"
    assert iio.imread(run / "captions.png").shape[:2] == _grid_shape(5, 8)
    (drawn,) = _numbers(r"named digit drawn: (\S+)", outputs)
    thin, thick = _numbers(r"thickness: 'thin' (\S+) px, 'thick' (\S+) px", outputs)
    (lower,) = _numbers(r"lowers D's score for (\S+) of 500", outputs)
    assert 0 <= drawn <= 1 and 0 <= lower <= 1 and thin > 0 and thick > 0
    assert "reloaded: (4, 28, 28, 1)" in outputs
    assert "thickness" in outputs and "words: a an thin thick upright slanted zero" in outputs


CHECKS = {
    "quickstart": _quickstart,
    "losses_wasserstein": _losses_wasserstein,
    "conditional_infogan": _conditional_infogan,
    "image_to_image": _image_to_image,
    "evaluation_latent": _evaluation_latent,
    "mode_coverage": _mode_coverage,
    "objectives": _objectives,
    "progan": _progan,
    "super_resolution": _super_resolution,
    "stylegan2": _stylegan2,
    "text_to_image": _text_to_image,
}


def test_every_notebook_is_checked_here():
    assert sorted(CHECKS) == sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


def test_readme_lists_every_notebook_with_its_colab_link():
    readme = (PROJECT_ROOT / "README.md").read_text()
    for path in NOTEBOOKS.glob("*.ipynb"):
        assert f"colab.research.google.com/github/kerasgan/kerasgan/blob/main/notebooks/{path.name})" in readme, (
            path.name
        )


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_committed_notebook_has_no_outputs(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{name}: strip the outputs before committing"
    assert (
        f"colab.research.google.com/github/kerasgan/kerasgan/blob/main/notebooks/{name}.ipynb"
        in notebook.cells[0].source
    )


def _printed(notebook):
    """What the notebook printed and displayed. Printed text is joined as it came: the kernel may split
    one printed line over two stream messages, which a separator would break."""
    text = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                text.append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                text.append("\n" + output.get("data", {}).get("text/plain", "") + "\n")
    return "".join(text)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_notebook_runs_top_to_bottom(name, tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_NOTEBOOK_SMOKE", "1")
    monkeypatch.setenv("KERASGAN_NOTEBOOK_RUNS", str(tmp_path))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    # %tensorboard would start a server: the cell runs, the magic is replaced by a no-op here
    for cell in notebook.cells:
        if cell.cell_type == "code" and "%tensorboard" in cell.source:
            cell.source = "\n".join(
                "pass" if line.startswith("%tensorboard") else line for line in cell.source.splitlines()
            )
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    CHECKS[name](tmp_path / name, _printed(notebook))
