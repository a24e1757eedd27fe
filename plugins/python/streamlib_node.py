"""Helper for streamlib subprocess nodes: the framed stdio protocol of docs/plugins.md.

A message is a 4-byte little-endian header length, a UTF-8 JSON header, then
``header["bytes"]`` bytes of payload (interleaved little-endian float32 samples
for ``"audio"``). The node answers every message with exactly one reply.

Example::

    from streamlib_node import run

    run(lambda samples, header: samples * 0.5)  # samples: (frameCount, channels) float32

A reply may have another shape than its input: its block size and channel count
are the returned array's, and returning ``(samples, {"sampleRate": 16000})``
sets its sample rate (and, if given, ``timestampNs`` and ``frameNumber``).
"""

import json
import struct
import sys

import numpy as np

PROTOCOL_VERSION = 1

# Reply fields a node may set besides the ones the array's shape gives.
_REPLY_FIELDS = ("sampleRate", "timestampNs", "frameNumber")


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


def _reply(result, header):
    """The reply header and payload of what ``process`` returned (not ``None``)."""
    fields = {}
    if isinstance(result, tuple):
        if len(result) != 2 or not isinstance(result[1], dict):
            raise TypeError("process() must return samples or (samples, {\"sampleRate\": ...})")
        result, fields = result
        unknown = sorted(set(fields) - set(_REPLY_FIELDS))
        if unknown:
            raise ValueError(
                "unknown reply fields %s (expected some of %s)" % (unknown, list(_REPLY_FIELDS))
            )
    result = np.ascontiguousarray(result, dtype="<f4")
    if result.ndim == 1:  # one channel per sample: keep the input's channel count
        channels = header["channels"]
        if result.size % channels:
            raise ValueError(
                "a 1-D reply of %d samples is not a whole number of %d-channel frames"
                % (result.size, channels)
            )
        result = result.reshape(-1, channels)
    if result.ndim != 2:
        raise ValueError("process() returned a %d-D array (expected (frames, channels))" % result.ndim)
    reply = {
        "type": "audio",
        "channels": result.shape[1],
        "sampleRate": header["sampleRate"],
        "frameCount": result.shape[0],
    }
    reply.update(fields)
    return reply, result.tobytes()


def run(process):
    """Serve audio blocks until stdin closes.

    ``process(samples, header)`` gets a ``(frameCount, channels)`` float32 array
    (read-only) and the header dict. It returns a ``(frames, channels)`` array (any
    block size and channel count the output port takes), or ``(array, fields)``
    where ``fields`` may set ``sampleRate`` (default: the input's), ``timestampNs``
    and ``frameNumber``, or ``None`` for no output. An exception it raises ends the
    child (the node fails with its traceback). Anything printed goes to stderr, so
    ``print()`` is safe.
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
        # A return value of the wrong form raises here: the child exits, its traceback on stderr.
        _send(out, *_reply(result, header))
