"""Serving one processor instance over stdio (``python3 -m streamlib_processor run``)."""

import json
import sys

from ._frames import AudioFrame, DataFrame, VideoFrame
from ._registry import PROTOCOL_VERSION
from ._wire import read_message, send


class ReplyError(Exception):
    """A ``process()`` return value that is not a reply (a bad port, kind or shape)."""


def _decode(entries, payload):
    frames = {}
    at = 0
    for entry in entries:
        size = entry.get("bytes", 0)
        chunk = payload[at:at + size]
        at += size
        kind = entry.get("kind")
        ts, number = entry.get("timestampNs"), entry.get("frameNumber")
        if kind == "audio":
            frame = AudioFrame(chunk, entry["channels"], entry["sampleRate"], ts, number)
        elif kind == "video":
            frame = VideoFrame(chunk, entry["width"], entry["height"], entry["format"],
                               entry["stride"], ts, number)
        elif kind == "data":
            frame = DataFrame(json.loads(chunk.decode("utf-8")), ts)
        else:
            raise ReplyError("the runtime sent a frame of unknown kind %r" % (kind,))
        frames[entry["port"]] = frame
    return frames


def _encode(spec, result, defaults):
    if result is None:
        return {"type": "frames", "frames": []}, b""
    if not isinstance(result, dict):
        raise ReplyError(
            "%s.process() returned %r: expected None or a dict of output port -> frame"
            % (spec.name, type(result).__name__)
        )
    entries, payloads = [], []
    for port, frames in result.items():
        declared = spec.outputs.get(port)
        if declared is None:
            raise ReplyError(
                "%s.process() returned a frame for %r, which is not an output (outputs: %s)"
                % (spec.name, port, ", ".join(spec.outputs) or "none")
            )
        for frame in frames if isinstance(frames, (list, tuple)) else [frames]:
            if frame is None:
                continue
            if not isinstance(frame, (AudioFrame, VideoFrame, DataFrame)):
                raise ReplyError(
                    "%s.process() returned %r for %r: expected an AudioFrame, VideoFrame or DataFrame"
                    % (spec.name, type(frame).__name__, port)
                )
            if frame.kind != declared.kind:
                raise ReplyError(
                    "%s.process() returned a %s frame for %r, a %s output"
                    % (spec.name, frame.kind, port, declared.kind)
                )
            if declared.channels is not None and frame.channels != declared.channels:
                raise ReplyError(
                    "%s.process() returned %d channels for %r, declared AudioFrame<%d>"
                    % (spec.name, frame.channels, port, declared.channels)
                )
            entry = frame._header()
            payload = frame._payload()
            entry.update(
                port=port,
                bytes=len(payload),
                timestampNs=defaults[0] if frame.timestamp_ns is None else frame.timestamp_ns,
                frameNumber=defaults[1] if frame.frame_number is None else frame.frame_number,
            )
            entries.append(entry)
            payloads.append(payload)
    return {"type": "frames", "frames": entries}, b"".join(payloads)


def serve(spec):
    """Answers the runtime's messages until stdin closes. An exception in the processor's code
    ends the process (its traceback on stderr), which fails the node."""
    inp = sys.stdin.buffer
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # print() must never corrupt the protocol
    instance = None
    try:
        while True:
            message = read_message(inp)
            if message is None:
                return
            header, payload = message
            kind = header.get("type")
            if kind == "hello":
                if header.get("protocol") != PROTOCOL_VERSION:
                    send(out, {"type": "error", "message": "protocol %r, this package speaks %d"
                               % (header.get("protocol"), PROTOCOL_VERSION)})
                    continue
                instance = spec.cls()
                instance.config = header.get("config") or {}
                instance.node = header.get("node")
                if callable(getattr(instance, "setup", None)):
                    instance.setup()
                send(out, {"type": "ready", "protocol": PROTOCOL_VERSION})
            elif kind == "process" and instance is not None:
                frames = _decode(header.get("frames", []), payload)
                first = next(iter(frames.values()), None)
                defaults = (
                    first.timestamp_ns if first is not None else header.get("timestampNs", 0),
                    first.frame_number if first is not None and first.frame_number is not None
                    else header.get("call", 0),
                )
                result = instance.process(frames)
                try:
                    reply = _encode(spec, result, defaults)
                except ReplyError as error:
                    send(out, {"type": "error", "message": str(error)})
                    continue
                send(out, *reply)
            else:
                send(out, {"type": "error", "message": "unexpected message %r" % (kind,)})
    finally:
        if instance is not None and callable(getattr(instance, "teardown", None)):
            instance.teardown()
