"""The two examples of ``clients/python/examples``, run as a user runs them, against the real
server: their exit code, what they print, and the WAV file checked with sox and ffprobe."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import wave
from array import array
from pathlib import Path
from typing import Dict, List

import pytest

from live_server import EXAMPLES, REPO, Served


def run_example(name: str, args: List[str], served: Served) -> "subprocess.CompletedProcess[str]":
    env = {**os.environ, "PYTHONPATH": str(REPO / "clients" / "python" / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(STREAMLIB_URL=served.url, STREAMLIB_TOKEN=served.token)
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args], env=env, capture_output=True, text=True, timeout=300
    )


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is needed to check the example's WAV file: install it (bash scripts/install_test_deps.sh)")
    return found


def write_tone(path: Path, rate: int, channels: int, seconds: float) -> None:
    """A 440 Hz tone at half scale, 16-bit PCM."""
    pcm = array("h")
    for n in range(int(rate * seconds)):
        value = round(16383 * math.sin(2 * math.pi * 440 * n / rate))
        pcm.extend([value] * channels)
    if sys.byteorder != "little":
        pcm.byteswap()
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm.tobytes())


def sox_stat(path: Path) -> Dict[str, float]:
    result = subprocess.run([tool("sox"), str(path), "-n", "stat"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    stats: Dict[str, float] = {}
    for line in result.stderr.splitlines():
        match = re.match(r"^([A-Za-z ()]+):\s+(-?[\d.]+)", line)
        if match:
            stats[match.group(1).strip()] = float(match.group(2))
    return stats


@pytest.mark.parametrize("channels", [1, 2])
def test_transcode_wav_example(served: Served, tmp_path: Path, channels: int) -> None:
    source, target = tmp_path / "in.wav", tmp_path / "out.wav"
    write_tone(source, 44100, channels, 2.0)
    result = run_example("transcode_wav.py", [str(source), str(target)], served)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout and "2.000 s" in result.stdout

    probe = subprocess.run(
        [tool("ffprobe"), "-v", "error", "-show_streams", "-show_format", "-of", "json", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    info = json.loads(probe.stdout)
    stream = info["streams"][0]
    assert (stream["codec_name"], stream["sample_rate"], stream["channels"]) == ("pcm_s16le", "44100", 2)
    assert float(info["format"]["duration"]) == pytest.approx(2.0, abs=0.001)

    before, after = sox_stat(source), sox_stat(target)
    assert before["Maximum amplitude"] == pytest.approx(0.5, abs=0.01)
    # gain 0.8 then reverb (dry 0.7, wet 0.3): quieter than the gain alone (0.4), louder than
    # the dry path alone (0.28) once the tail adds in, and not silent
    assert 0.28 < after["Maximum amplitude"] < 0.4
    assert after["RMS     amplitude"] > 0.1


def test_transcode_wav_example_reports_a_refusal(served: Served, tmp_path: Path) -> None:
    source = tmp_path / "in.wav"
    write_tone(source, 16000, 1, 0.1)
    result = run_example("transcode_wav.py", [str(source), str(tmp_path / "out.wav"), "--pipeline", "no-such"], served)
    assert result.returncode == 1
    assert "pipeline_not_allowed" in result.stderr


@pytest.mark.parametrize("realtime", [True, False], ids=["realtime", "as-fast-as-taken"])
def test_voice_fx_session_example(served: Served, realtime: bool) -> None:
    args = ["--seconds", "2"] + (["--realtime"] if realtime else [])
    result = run_example("voice_fx_session.py", args, served)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^100 of 100 blocks verified \(x0\.5,", result.stdout), result.stdout


def test_voice_fx_session_example_fails_when_the_processing_is_not_the_expected_one(served: Served) -> None:
    result = run_example("voice_fx_session.py", ["--seconds", "0.2", "--gain", "0.25"], served)
    assert result.returncode == 1
    assert "off by" in result.stderr


def test_the_readme_session_snippet_runs(served: Served, tmp_path: Path) -> None:
    readme = (REPO / "clients" / "python" / "README.md").read_text()
    found = re.search(r"## A session\n\n```python\n(.*?)```", readme, re.S)
    assert found, "README.md has no python block under '## A session'"
    code = found.group(1).replace("ws://127.0.0.1:8080/v1/sessions", served.url).replace('"my-token"', repr(served.token))
    script = tmp_path / "snippet.py"
    script.write_text(code)
    env = {**os.environ, "PYTHONPATH": str(REPO / "clients" / "python" / "src")}
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 50 and lines[-1].startswith("voice 49 {'chunk': '49'}")


def test_the_repository_readme_snippet_runs(served: Served, tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    found = re.search(r"## Pipeline sessions.*?```python\n(.*?)```", readme, re.S)
    assert found, "the repository's README.md has no python block under '## Pipeline sessions'"
    plain = 'connect("ws://127.0.0.1:8080/v1/sessions")'
    assert plain in found.group(1), "the snippet connects as the README says"
    code = found.group(1).replace(plain, f"connect({served.url!r}, token={served.token!r})")
    script = tmp_path / "snippet.py"
    script.write_text(code)
    env = {**os.environ, "PYTHONPATH": str(REPO / "clients" / "python" / "src")}
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 50 and lines[-1].startswith("49 {'chunk': '49'}"), result.stdout
