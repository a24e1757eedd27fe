"""Helper for streamlib subprocess nodes: the framed stdio protocol of docs/plugins.md.

A message is a 4-byte little-endian header length, a UTF-8 JSON header, then
``header["bytes"]`` bytes of payload (interleaved little-endian float32 samples
for ``"audio"``). The node answers every message with exactly one reply.

Example::

    from streamlib_node import run

    run(lambda samples, header: samples * 0.5)  # samples: (frameCount, channels) float32
"""

import json
import struct
import sys

import numpy as np

PROTOCOL_VERSION = 1


def _read_exact(stream, n):
    data = bytearray()
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return bytes(data)
        data.extend(chunk)
    return bytes(data)


def _send(out, header, payload=b""):
    header = dict(header, bytes=len(payload))
    data = json.dumps(header, separators=(",", ":")).encode("utf-8")
    out.write(struct.pack("<I", len(data)))
    out.write(data)
    out.write(payload)
    out.flush()


def run(process):
    """Serve audio blocks until stdin closes.

    ``process(samples, header)`` gets a ``(frameCount, channels)`` float32 array
    (read-only) and the header dict; it returns an array of the same layout, or
    ``None`` for no output. Anything printed goes to stderr, so ``print()`` is safe.
    """
    inp = sys.stdin.buffer
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # print() must never corrupt the protocol
    while True:
        prefix = _read_exact(inp, 4)
        if len(prefix) < 4:
            return
        (length,) = struct.unpack("<I", prefix)
        header = json.loads(_read_exact(inp, length))
        payload = _read_exact(inp, header.get("bytes", 0))
        if header.get("type") != "audio":
            _send(out, {"type": "error", "message": "unknown message type %r" % header.get("type")})
            continue
        channels = header["channels"]
        samples = np.frombuffer(payload, dtype="<f4").reshape(header["frameCount"], channels)
        result = process(samples, header)
        if result is None:
            _send(out, {"type": "skip"})
            continue
        result = np.ascontiguousarray(result, dtype="<f4")
        reply = {
            "type": "audio",
            "channels": result.shape[1] if result.ndim == 2 else channels,
            "sampleRate": header["sampleRate"],
            "frameCount": result.shape[0] if result.ndim == 2 else result.size // channels,
        }
        _send(out, reply, result.tobytes())
