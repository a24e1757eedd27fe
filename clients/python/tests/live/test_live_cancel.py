"""Cancelling frees the session on the real server: a program stopped with Ctrl-C (SIGINT) in the
middle of a stream, and a stream cut by a timeout, leave no session open on ``streamlib serve``
(its ``/metrics``), and the session was closed by the client, not dropped."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from array import array
from pathlib import Path

import pytest

from live_server import REPO, Served
from streamlib_client import audio_frame, connect

STREAMING = """
import asyncio, sys
from array import array
from streamlib_client import audio_frame, connect

async def main() -> None:
    async with connect(sys.argv[1], token=sys.argv[2]) as client:
        async with await client.open("voice-fx") as session:
            async def read() -> None:
                async for _ in session.outputs():
                    pass
            reader = asyncio.ensure_future(read())
            print("streaming", flush=True)
            while True:
                await session.send("voice", audio_frame(array("f", [0.1] * 320), 16000))
                await asyncio.sleep(0.02)

asyncio.run(main())
"""


def metric(served: Served, name: str) -> float:
    """A metric of the server's ``/metrics``, summed over its labels (0 when absent)."""
    base = re.sub(r"^ws", "http", served.url).split("/v1/")[0]
    text = urllib.request.urlopen(f"{base}/metrics", timeout=10).read().decode()
    return sum(float(line.split()[-1]) for line in text.splitlines() if re.match(rf"{name}(\{{|\s)", line))


def wait_for_no_session(served: Served) -> float:
    """Seconds until the server has no session open (fails after 5 s)."""
    started = time.monotonic()
    while metric(served, "streamlib_sessions_active") != 0:
        if time.monotonic() - started > 5:
            pytest.fail(f"{metric(served, 'streamlib_sessions_active')} sessions still open on the server after 5 s")
        time.sleep(0.02)
    return time.monotonic() - started


def test_ctrl_c_in_the_middle_of_a_stream_closes_the_session(served: Served, tmp_path: Path) -> None:
    script = tmp_path / "streaming.py"
    script.write_text(STREAMING)
    env = {**os.environ, "PYTHONPATH": str(REPO / "clients" / "python" / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    dropped = metric(served, "streamlib_sessions_failed_total")
    child = subprocess.Popen(
        [sys.executable, str(script), served.url, served.token], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "streaming"
        time.sleep(0.5)
        assert metric(served, "streamlib_sessions_active") == 1
        child.send_signal(signal.SIGINT)
        child.wait(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert child.returncode != 0
    assert child.stderr is not None and "KeyboardInterrupt" in child.stderr.read()
    wait_for_no_session(served)
    # Closed with a wire close, not dropped: no client_disconnected (or other failure) counted.
    assert metric(served, "streamlib_sessions_failed_total") == dropped


async def test_a_timeout_around_a_stream_closes_the_session(served: Served) -> None:
    async def stream_for_ever() -> None:
        async with connect(served.url, token=served.token) as client:
            async with await client.open("voice-fx") as session:

                async def read() -> None:
                    async for _ in session.outputs():
                        pass

                reader = asyncio.ensure_future(read())
                try:
                    while True:
                        await session.send("voice", audio_frame(array("f", [0.1] * 320), 16000))
                        await asyncio.sleep(0.02)
                finally:
                    reader.cancel()

    dropped = metric(served, "streamlib_sessions_failed_total")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(stream_for_ever(), 1.0)
    await asyncio.get_running_loop().run_in_executor(None, wait_for_no_session, served)
    assert metric(served, "streamlib_sessions_failed_total") == dropped
