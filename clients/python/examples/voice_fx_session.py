"""A live voice-effects session: 20 ms blocks of 16 kHz mono PCM streamed in, processed PCM back.

One session of ``voice-fx`` (``pipelines/voice-fx.json``: mono to stereo, a gain of 0.5, back to
mono). The voice is synthesized (a 140 Hz voice-like tone with harmonics, vibrato and syllables)
or read from a 16 kHz mono WAV (``--wav``). Blocks go in as they would from a microphone
(``--realtime``: one per 20 ms) or as fast as the session takes them, while a reader task takes
the processed blocks back. Each block that comes back is checked against what went in: the same
sequence number and metadata, every sample times the gain. Prints the round trip per block::

    streamlib serve clients/python/examples/pipelines --port 8080 &
    python3 clients/python/examples/voice_fx_session.py --url ws://127.0.0.1:8080/v1/sessions --realtime

Exits 1 when a block is missing, out of order or not processed as expected. Tested by
``clients/python/tests/live/test_examples.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import time
import wave
from array import array
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from streamlib_client import AudioFrame, Output, StreamlibError, audio_frame, connect

RATE = 16_000
BLOCK = RATE // 50  # 20 ms


def synthesized_voice(seconds: float) -> "array[float]":
    """A voice-like test signal: harmonics of ~140 Hz with vibrato, in 4 Hz syllables."""
    out = array("f")
    phase = 0.0
    for n in range(int(seconds * RATE)):
        t = n / RATE
        pitch = 140.0 * (1 + 0.03 * math.sin(2 * math.pi * 5 * t))
        phase += 2 * math.pi * pitch / RATE
        envelope = 0.5 * (1 - math.cos(2 * math.pi * 4 * t))
        out.append(0.3 * envelope * sum(math.sin(k * phase) / k for k in range(1, 6)))
    return out


def read_voice(path: str) -> "array[float]":
    """A 16 kHz mono 16-bit WAV file's samples."""
    with wave.open(path, "rb") as reader:
        if (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) != (RATE, 1, 2):
            raise ValueError(f"Cannot use {path}: expected 16 kHz mono 16-bit PCM")
        ints = array("h")
        ints.frombytes(reader.readframes(reader.getnframes()))
    if sys.byteorder != "little":
        ints.byteswap()
    return array("f", (v / 32768.0 for v in ints))


@dataclass
class Report:
    """What one session did: blocks sent and checked, the largest error, the round trips."""

    sent: int = 0
    checked: int = 0
    max_error: float = 0.0
    round_trips_ms: List[float] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.round_trips_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else math.nan


async def run_session(
    url: str,
    token: str,
    voice: "array[float]",
    pipeline: str = "voice-fx",
    gain: float = 0.5,
    realtime: bool = False,
    tolerance: float = 1e-6,
) -> Report:
    """Streams ``voice`` through one session in 20 ms blocks and checks every block back."""
    report = Report()
    sent_blocks: Dict[int, "array[float]"] = {}
    sent_at: Dict[int, float] = {}

    def check(item: Output) -> None:
        frame = item.frame
        expected = sent_blocks.pop(item.sequence, None)
        if expected is None or not isinstance(frame, AudioFrame):
            report.problems.append(f"block {item.sequence}: not one that was sent, or not audio")
            return
        report.round_trips_ms.append((time.perf_counter() - sent_at.pop(item.sequence)) * 1000)
        if item.metadata.get("block") != str(item.sequence):
            report.problems.append(f"block {item.sequence}: metadata {item.metadata}")
        if frame.channels != 1 or frame.frame_count != len(expected):
            report.problems.append(f"block {item.sequence}: {frame.channels} channel(s) x {frame.frame_count}")
            return
        error = max(abs(got - want * gain) for got, want in zip(frame.samples, expected))
        report.max_error = max(report.max_error, error)
        if error > tolerance:
            report.problems.append(f"block {item.sequence}: off by {error:.3g}")
        report.checked += 1

    async with connect(url, token=token, metadata={"client": "voice_fx_session.py"}) as client:
        async with await client.open(pipeline) as session:

            async def read() -> None:
                last = -1
                async for item in session.outputs():
                    if item.sequence <= last:
                        report.problems.append(f"block {item.sequence} after block {last}")
                    last = item.sequence
                    check(item)

            reader = asyncio.ensure_future(read())
            started = time.perf_counter()
            for number, start in enumerate(range(0, len(voice) - BLOCK + 1, BLOCK)):
                if realtime:  # a microphone: one block per 20 ms, on the wall clock
                    await asyncio.sleep(max(0.0, started + number * 0.02 - time.perf_counter()))
                block = voice[start : start + BLOCK]
                sent_blocks[number] = block
                sent_at[number] = time.perf_counter()
                frame = audio_frame(block, RATE, timestamp_ns=number * 20_000_000, frame_number=number)
                await session.send("voice", frame, {"block": str(number)})
                report.sent += 1
            await session.end("voice")
            await reader
    if sent_blocks:
        report.problems.append(f"{len(sent_blocks)} block(s) never came back: {sorted(sent_blocks)[:5]} ...")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("STREAMLIB_URL", "ws://127.0.0.1:8080/v1/sessions"))
    parser.add_argument("--token", default=os.environ.get("STREAMLIB_TOKEN", ""))
    parser.add_argument("--pipeline", default="voice-fx")
    parser.add_argument("--gain", type=float, default=0.5, help="the gain the pipeline applies (checked)")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds of synthesized voice")
    parser.add_argument("--wav", help="a 16 kHz mono 16-bit WAV file to send instead")
    parser.add_argument("--realtime", action="store_true", help="send one block per 20 ms")
    args = parser.parse_args()
    try:
        voice: Optional["array[float]"] = read_voice(args.wav) if args.wav else synthesized_voice(args.seconds)
    except (wave.Error, EOFError) as error:
        print(f"voice_fx_session: Cannot read {args.wav}: not a PCM WAV file ({error})", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:  # a file that cannot be read, another format
        print(f"voice_fx_session: {error}", file=sys.stderr)
        return 2
    assert voice is not None
    try:
        report = asyncio.run(run_session(args.url, args.token, voice, args.pipeline, args.gain, args.realtime))
    except StreamlibError as error:
        print(f"voice_fx_session: {error.code}: {error.message}", file=sys.stderr)
        return 1
    for problem in report.problems[:10]:
        print(f"voice_fx_session: {problem}", file=sys.stderr)
    print(
        f"{report.checked} of {report.sent} blocks verified (x{args.gain}, largest error {report.max_error:.2e}); "
        f"round trip p50 {report.percentile(50):.2f} ms, p99 {report.percentile(99):.2f} ms"
    )
    return 0 if not report.problems and report.checked == report.sent else 1


if __name__ == "__main__":
    sys.exit(main())
