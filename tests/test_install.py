"""`pip install -e` of a checkout named `kerasgan`, then Python started in the folder above it (Colab's /content).

Offline: a scratch venv without pip of its own reads pip, setuptools and the dependencies from this
interpreter's site-packages through a path entry (whose own .pth files, the editable install of the
project running the tests included, are not processed), and builds with --no-build-isolation --no-index.
"""

import os
import pathlib
import shutil
import subprocess
import sysconfig
import venv

from conftest import PROJECT_ROOT

CHECKOUT_FILES = ("setup.cfg", "pyproject.toml", "README.md", "kerasgan_cli.py")


def test_editable_install_imports_from_the_checkouts_parent_folder(tmp_path):
    checkout = tmp_path / "kerasgan"  # a folder without __init__.py: a namespace package `kerasgan` seen from tmp_path
    checkout.mkdir()
    for name in CHECKOUT_FILES:
        shutil.copy2(PROJECT_ROOT / name, checkout / name)
    shutil.copytree(PROJECT_ROOT / "kerasgan", checkout / "kerasgan", ignore=shutil.ignore_patterns("__pycache__"))

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # "zz": after the editable install's .pth, so the checkout comes before the dependencies on sys.path
    (pathlib.Path(site) / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PIP_CONFIG_FILE")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-e", str(checkout)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert install.returncode == 0, install.stderr
    # the checkout as a path entry (setup.cfg's package_dir), not setuptools' finder, which runs after sys.path
    path_entries = [line for p in pathlib.Path(site).glob("__editable__*.pth") for line in p.read_text().splitlines()]
    assert path_entries == [str(checkout)], path_entries

    code = "import kerasgan; print(kerasgan.__file__); print(kerasgan.data.EMBEDDED_MNIST)"
    result = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # was: AttributeError: module 'kerasgan' has no attribute 'data'
    module_file, mnist = result.stdout.split()[-2:]
    assert module_file == str(checkout / "kerasgan" / "__init__.py")
    assert mnist.startswith(str(checkout / "kerasgan" / "data"))
