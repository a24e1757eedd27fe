"""``streamlib serve`` of the example pipelines in a child process, for the tests against the real
server. Starting one needs ``deno`` (``DENO``, on ``PATH``, or the repository's
``node_modules/deno``); without it the tests fail and say so, they do not skip.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import List, NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[4]
EXAMPLES = REPO / "clients" / "python" / "examples"
PIPELINES = EXAMPLES / "pipelines"
TOKENS = Path(__file__).with_name("tokens.json")
TOKEN = "live-token-1"
"""Allows ``voice-fx`` and ``wav-fx``."""
EVERY_PIPELINE = "every-pipeline"
"""Allows every pipeline."""

sys.path.insert(0, str(EXAMPLES))


class Served(NamedTuple):
    url: str
    token: str


def _deno() -> str:
    found = os.environ.get("DENO") or shutil.which("deno")
    local = REPO / "node_modules" / "deno" / "deno"
    if found is None and local.exists():
        found = str(local)
    if found is None:
        pytest.fail("Cannot start streamlib serve: no deno (set DENO, put deno on PATH, or run from a checkout with node_modules)")
    return found


class ServeProcess:
    """``streamlib serve`` of the example pipelines in a child process."""

    def __init__(self, *extra: str) -> None:
        args = [_deno(), "run", "-A", str(REPO / "cli" / "streamlib.ts"), "serve", str(PIPELINES)]
        args += ["--port", "0", "--token-file", str(TOKENS), "--json", *extra]
        self.process = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._stderr: List[str] = []
        lines: "queue.Queue[str]" = queue.Queue()
        assert self.process.stdout is not None and self.process.stderr is not None
        stdout, stderr = self.process.stdout, self.process.stderr

        def pump_stdout() -> None:
            for line in stdout:
                lines.put(line)

        def pump_stderr() -> None:
            for line in stderr:
                self._stderr.append(line)

        threading.Thread(target=pump_stdout, daemon=True).start()
        threading.Thread(target=pump_stderr, daemon=True).start()
        try:
            first = lines.get(timeout=120)
            self.url: str = json.loads(first)["sessionsUrl"]
        except (queue.Empty, ValueError, KeyError):
            self.process.kill()
            self.process.wait()
            pytest.fail(f"streamlib serve did not start (exit {self.process.returncode}): {''.join(self._stderr)[-2000:]}")

    def terminate(self) -> int:
        """SIGTERM, as an orchestrator stops it; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        """SIGKILL: the server vanishes without a word."""
        self.process.kill()
        self.process.wait(timeout=60)

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)
