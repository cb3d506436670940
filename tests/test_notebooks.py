"""Every notebook runs top to bottom (KERASGAN_NOTEBOOK_SMOKE=1: tiny settings) and produces what it shows.

A notebook writes its run under `$KERASGAN_NOTEBOOK_RUNS/<notebook name>/`; CHECKS names, per notebook,
what must be there afterwards. Committed notebooks carry no outputs.
"""

import imageio.v3 as iio
import nbformat
import pytest
from conftest import PROJECT_ROOT
from nbclient import NotebookClient

NOTEBOOKS = PROJECT_ROOT / "notebooks"


def _grid_and_gif(run, grid_glob="images/epoch_*.png"):
    """The newest grid and the GIF's frames (one per grid)."""
    grids = sorted(run.glob(grid_glob))
    assert grids, f"no {grid_glob} in {run}"
    grid = iio.imread(grids[-1])
    frames = iio.imread(run / "progress.gif", index=None)
    assert len(frames) == len(grids)
    return grid, frames


def _quickstart(run, outputs):
    grid, frames = _grid_and_gif(run)
    assert grid.shape[:2] == (8 * 28 + 9 * 2, 8 * 28 + 9 * 2)  # 64 samples, 8 × 8, 2-pixel borders
    assert frames.shape[1] % grid.shape[0] == 0 and frames.shape[2] % grid.shape[1] == 0  # the grid, maybe upscaled
    assert (run / "gan.keras").is_file()
    assert "(16, 28, 28, 1)" in outputs  # the reloaded model generated


def _super_resolution(run, outputs):
    import re

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
CHECKS = {
    "quickstart": _quickstart,
    "super_resolution": _super_resolution,
}


def test_every_notebook_is_checked_here():
    assert sorted(CHECKS) == sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


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
    text = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                text.append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                text.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(text)


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
