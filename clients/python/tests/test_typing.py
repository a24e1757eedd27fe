"""The client is typed for its users: ``mypy --strict`` passes on the package, its tests and
examples, and on every Python block of the docs a newcomer copies (README.md, docs/sessions.md and
this client's README.md), checked as a user's program that imports the package."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

PACKAGE = Path(__file__).resolve().parents[1]
REPO = PACKAGE.parents[1]
DOCS = [REPO / "README.md", REPO / "docs" / "sessions.md", PACKAGE / "README.md"]


def doc_blocks() -> List[str]:
    blocks = []
    for doc in DOCS:
        for match in re.finditer(r"^```python\n(.*?)^```", doc.read_text(), re.S | re.M):
            if "streamlib_client" in match.group(1):
                blocks.append(match.group(1))
    return blocks


def mypy(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null", *map(str, paths)],
        cwd=PACKAGE,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_mypy_strict_passes_on_the_package_its_tests_and_examples() -> None:
    done = mypy(PACKAGE / "src", PACKAGE / "tests", PACKAGE / "examples")
    assert "No module named mypy" not in done.stderr, "install mypy: bash scripts/install_test_deps.sh"
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_passes_on_the_docs_python_blocks(tmp_path: Path) -> None:
    blocks = doc_blocks()
    assert len(blocks) >= 3
    files = []
    for i, code in enumerate(blocks):
        files.append(tmp_path / f"doc_block_{i}.py")
        files[-1].write_text(code)
    done = mypy(*files)
    assert "No module named mypy" not in done.stderr, "install mypy: bash scripts/install_test_deps.sh"
    listing = "\n\n".join(f"doc_block_{i}.py:\n{code}" for i, code in enumerate(blocks))
    assert done.returncode == 0, f"{done.stdout}{done.stderr}\n{listing}"
