"""Every Python block of this client the docs a newcomer follows show (README.md, docs/sessions.md
and this client's README.md: each block that uses ``streamlib_client``) run as a program against
the real server: the docs' URL and token are replaced by the served ones, nothing else. A block
that is a fragment (no imports, no ``asyncio.run``) fails here. docs/sessions.md's grpcio block
uses stubs generated from the .proto, not this client, and is not run here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from live_server import REPO, Served

DOCS = [REPO / "README.md", REPO / "docs" / "sessions.md", REPO / "clients" / "python" / "README.md"]
URL = "ws://127.0.0.1:8080/v1/sessions"


def python_blocks() -> List[Tuple[str, str]]:
    blocks = []
    for doc in DOCS:
        text = doc.read_text()
        for i, match in enumerate(re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M)):
            if "streamlib_client" in match.group(1) or "connect(" in match.group(1):
                blocks.append((f"{doc.relative_to(REPO)}#{i}", match.group(1)))
    return blocks


def as_served(code: str, served: Served) -> str:
    """The block with the served URL and token in place of the docs' (with or without one)."""
    assert URL in code, "the block connects to the URL the docs serve on"
    code = re.sub(r',\s*token="[^"]*"', "", code)
    return code.replace(f'"{URL}"', f'"{served.url}", token="{served.token}"')


def test_the_docs_have_python_blocks() -> None:
    assert len(python_blocks()) >= 3


@pytest.mark.parametrize("name,code", python_blocks(), ids=[n for n, _ in python_blocks()])
def test_a_python_block_of_the_docs_runs_as_written(name: str, code: str, served: Served, tmp_path: Path) -> None:
    assert "import " in code and "asyncio.run(" in code, f"{name} is a fragment: it cannot run as written"
    script = tmp_path / "snippet.py"
    script.write_text(as_served(code, served))
    env = {**os.environ, "PYTHONPATH": str(REPO / "clients" / "python" / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{name}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
