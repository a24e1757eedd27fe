"""``pip install ./clients/python`` works: into a fresh virtual environment, from a copy of the
package (so no build files land in the checkout), without the network (``--no-index``; the
environment sees this Python's site-packages for setuptools and websockets)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def test_pip_installs_the_package_with_its_types(tmp_path: Path) -> None:
    source = tmp_path / "streamlib-client"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".mypy_cache"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the installed copy, not src/
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-build-isolation", "--no-index", "--quiet", str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.resources as r, streamlib_client as s; "
            "print(s.__file__); print(r.files('streamlib_client').joinpath('py.typed').is_file()); print(s.connect)",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
    location, typed, _ = check.stdout.splitlines()
    assert location.startswith(str(env_dir)) and typed == "True"
