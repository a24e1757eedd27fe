"""Unary transcode: a WAV file through a filter chain on a streamlib server, written back as WAV.

The file is read with the standard library's ``wave`` module, cut into 20 ms blocks of float32
samples, sent whole through the pipeline with ``client.execute()`` (one session, every block in,
every block out), and the output written as 16-bit PCM WAV at the rate and channel count the
pipeline produced. ``pipelines/wav-fx.json`` is such a chain: mono or stereo in, stereo out,
gain 0.8 then a reverb::

    streamlib serve clients/python/examples/pipelines --port 8080 &
    python3 clients/python/examples/transcode_wav.py in.wav out.wav \\
        --url ws://127.0.0.1:8080/v1/sessions --pipeline wav-fx

Tested by ``clients/python/tests/live/test_examples.py`` (the output checked with sox and ffprobe).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import wave
from array import array
from typing import Dict, List, Tuple

from streamlib_client import AudioFrame, StreamlibError, audio_frame, connect

_INT_SCALE = {1: 128.0, 2: 32768.0, 3: 8388608.0, 4: 2147483648.0}


def read_wav(path: str) -> Tuple[int, int, "array[float]"]:
    """Reads a PCM WAV file: its rate, channel count and interleaved float32 samples in [-1, 1)."""
    with wave.open(path, "rb") as reader:
        rate, channels, width = reader.getframerate(), reader.getnchannels(), reader.getsampwidth()
        data = reader.readframes(reader.getnframes())
    if width not in _INT_SCALE:
        raise ValueError(f"Cannot read {path}: {8 * width}-bit samples, expected 8, 16, 24 or 32-bit PCM")
    scale = _INT_SCALE[width]
    if width == 1:  # unsigned
        return rate, channels, array("f", ((b - 128) / scale for b in data))
    if width == 3:
        values = (int.from_bytes(data[i : i + 3], "little", signed=True) for i in range(0, len(data), 3))
        return rate, channels, array("f", (v / scale for v in values))
    ints = array("h" if width == 2 else "i")
    ints.frombytes(data)
    if sys.byteorder != "little":
        ints.byteswap()
    return rate, channels, array("f", (v / scale for v in ints))


def write_wav(path: str, frames: List[AudioFrame]) -> Tuple[int, int, int]:
    """Writes audio frames as 16-bit PCM WAV; returns (rate, channels, frames per channel)."""
    if not frames:
        raise ValueError(f"Cannot write {path}: the pipeline produced no audio")
    rate, channels = int(frames[0].sample_rate), frames[0].channels
    pcm = array("h")
    for frame in frames:
        if frame.channels != channels or int(frame.sample_rate) != rate:
            raise ValueError(f"Cannot write {path}: the output changed format mid-stream")
        pcm.extend(max(-32768, min(32767, round(s * 32767.0))) for s in frame.samples)
    if sys.byteorder != "little":
        pcm.byteswap()
    with wave.open(path, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm.tobytes())
    return rate, channels, len(pcm) // channels


def blocks(samples: "array[float]", rate: int, channels: int, block_ms: float = 20.0) -> List[AudioFrame]:
    """Cuts interleaved samples into blocks of ``block_ms``, each stamped with its media time."""
    per_block = max(1, int(rate * block_ms / 1000))
    out: List[AudioFrame] = []
    total = len(samples) // channels
    for number, start in enumerate(range(0, total, per_block)):
        end = min(total, start + per_block)
        chunk = samples[start * channels : end * channels]
        out.append(audio_frame(chunk, rate, channels, timestamp_ns=start * 1_000_000_000 // rate, frame_number=number))
    return out


async def transcode(
    url: str, token: str, source: str, target: str, pipeline: str = "wav-fx", input: str = "audio", output: str = "audio"
) -> Dict[str, float]:
    """Sends ``source`` through ``pipeline`` and writes what its ``output`` produced to ``target``."""
    rate, channels, samples = read_wav(source)
    started = time.perf_counter()
    async with connect(url, token=token, metadata={"client": "transcode_wav.py"}) as client:
        outputs = await client.execute(pipeline, {input: blocks(samples, rate, channels)})
    elapsed = time.perf_counter() - started
    frames = [item.frame for item in outputs[output] if isinstance(item.frame, AudioFrame)]
    out_rate, out_channels, out_frames = write_wav(target, frames)
    return {
        "seconds": out_frames / out_rate,
        "rate": out_rate,
        "channels": out_channels,
        "blocks": len(frames),
        "wall_seconds": elapsed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="the WAV file to read (8, 16, 24 or 32-bit PCM)")
    parser.add_argument("target", help="the WAV file to write (16-bit PCM)")
    parser.add_argument("--url", default=os.environ.get("STREAMLIB_URL", "ws://127.0.0.1:8080/v1/sessions"))
    parser.add_argument("--token", default=os.environ.get("STREAMLIB_TOKEN", ""))
    parser.add_argument("--pipeline", default="wav-fx")
    parser.add_argument("--input", default="audio", help="the pipeline's input to send to")
    parser.add_argument("--output", default="audio", help="the pipeline's output to write")
    args = parser.parse_args()
    try:
        stats = asyncio.run(transcode(args.url, args.token, args.source, args.target, args.pipeline, args.input, args.output))
    except StreamlibError as error:
        print(f"transcode_wav: {error.code}: {error.message}", file=sys.stderr)
        return 1
    except (wave.Error, EOFError) as error:
        print(f"transcode_wav: Cannot read {args.source}: not a PCM WAV file ({error})", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:  # a file that cannot be read or written, a bad format
        print(f"transcode_wav: {error}", file=sys.stderr)
        return 2
    print(
        f"wrote {args.target}: {stats['seconds']:.3f} s, {stats['rate']:.0f} Hz, {stats['channels']:.0f} channel(s), "
        f"{stats['blocks']:.0f} blocks in {stats['wall_seconds']:.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
