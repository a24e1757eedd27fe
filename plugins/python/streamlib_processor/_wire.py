"""The framed stdio protocol: a u32 LE header length, a UTF-8 JSON header, the payload."""

import json
import struct


def read_exact(stream, n):
    data = bytearray()
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return bytes(data)
        data.extend(chunk)
    return bytes(data)


def read_message(stream):
    """One message as ``(header, payload)``, or ``None`` at the end of input."""
    prefix = read_exact(stream, 4)
    if len(prefix) < 4:
        return None
    (length,) = struct.unpack("<I", prefix)
    header = json.loads(read_exact(stream, length))
    payload = read_exact(stream, header.get("bytes", 0))
    return header, payload


def send(out, header, payload=b""):
    header = dict(header, bytes=len(payload))
    data = json.dumps(header, separators=(",", ":")).encode("utf-8")
    out.write(struct.pack("<I", len(data)))
    out.write(data)
    out.write(payload)
    out.flush()
