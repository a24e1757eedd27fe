"""The examples of ``clients/python/examples`` given a file they cannot use: one line naming the
file and what is wrong, exit code 2, no traceback. No server is needed: they stop before connecting
(the runs against a real server are ``tests/live/test_examples.py``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import wave
from pathlib import Path
from typing import List

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SRC = Path(__file__).resolve().parents[1] / "src"


def run_example(name: str, args: List[str]) -> "subprocess.CompletedProcess[str]":
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONDONTWRITEBYTECODE": "1"}
    # A port nothing listens on: were the file taken, the run would fail with connection_failed.
    url = ["--url", "ws://127.0.0.1:9/v1/sessions"]
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args, *url], env=env, capture_output=True, text=True, timeout=60
    )


def stereo_44k(path: Path) -> None:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(44100)
        writer.writeframes(b"\0" * 400)


@pytest.mark.parametrize(
    "case, expected",
    [("missing", r"No such file or directory: '.*missing\.wav'"), ("not_wav", r"Cannot read .*not_wav\.wav: not a PCM WAV file")],
)
def test_transcode_wav_names_a_source_it_cannot_read(tmp_path: Path, case: str, expected: str) -> None:
    source = tmp_path / f"{case}.wav"
    if case == "not_wav":
        source.write_text("hello, not a WAV file")
    done = run_example("transcode_wav.py", [str(source), str(tmp_path / "out.wav")])
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("transcode_wav: ") and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert re.search(expected, done.stderr), done.stderr


def test_voice_fx_session_names_a_wav_of_the_wrong_format(tmp_path: Path) -> None:
    source = tmp_path / "stereo.wav"
    stereo_44k(source)
    done = run_example("voice_fx_session.py", ["--wav", str(source)])
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip() == f"voice_fx_session: Cannot use {source}: expected 16 kHz mono 16-bit PCM"
    missing = run_example("voice_fx_session.py", ["--wav", str(tmp_path / "missing.wav")])
    assert missing.returncode == 2 and "Traceback" not in missing.stderr, missing.stderr
    assert "No such file or directory" in missing.stderr
