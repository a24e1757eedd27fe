"""The streamlib session wire format, versions 1 to 3, in Python (standard library only).

The same codec as ``sessions/wire/`` in TypeScript; the byte layout is in
``docs/wire_format.md``. :func:`decode` takes any bytes and returns a message or
raises :class:`WireError` (never anything else): it never reads past the buffer,
allocates at most the message's size plus a small constant, and refuses bytes
after the message's end.

Example::

    >>> from streamlib_client.wire import End, decode, encode
    >>> data = encode(End(port="audio"))
    >>> data[:4]
    b'SL\\x01\\x04'
    >>> decode(data) == End(port="audio")
    True
"""

from __future__ import annotations

import json
import math
import struct
import sys
from array import array
from dataclasses import dataclass, field
from typing import Any, Dict, List, Literal, Mapping, Optional, Tuple, Union

from .errors import StreamlibError

__all__ = [
    "WIRE_VERSION",
    "WIRE_MAGIC",
    "HEADER_BYTES",
    "DEFAULT_MAX_MESSAGE_BYTES",
    "MAX_WIRE_INTEGER",
    "LIMITS",
    "PIXEL_FORMATS",
    "VIDEO_CODECS",
    "AUDIO_CODECS",
    "WIRE_VERSIONS",
    "WireError",
    "WireErrorCode",
    "AudioFrame",
    "VideoFrame",
    "EncodedVideoFrame",
    "EncodedAudioFrame",
    "DataFrame",
    "Frame",
    "Port",
    "Parameters",
    "Open",
    "Accept",
    "FrameMessage",
    "End",
    "Close",
    "ErrorMessage",
    "Ping",
    "Pong",
    "Configure",
    "Configured",
    "Message",
    "encode",
    "decode",
    "message_length",
]

WIRE_VERSION = 3
"""The newest version this codec reads and writes (2: version 1 plus encoded audio frames and an
open's parameters; 3: version 2 plus the ``configure`` and ``configured`` messages).

Each message is written in the lowest version that carries it: only an encoded
audio frame, an accept listing a port of that kind, or an open with parameters
is version 2; only a configure and its answer are version 3."""
WIRE_VERSIONS: Tuple[int, ...] = (1, 2, 3)
"""Every version this codec reads."""
WIRE_MAGIC = b"SL"
"""The two bytes every message starts with."""
HEADER_BYTES = 8
"""Magic (2), version (1), type (1), total length (u32 little-endian)."""
DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
"""The default largest message, in bytes."""
MAX_WIRE_INTEGER = 2**53 - 1
"""The largest value of a u64 field (sequence, frame numbers, ping ids), and of a timestamp (i64) either side of 0."""

LIMITS: Mapping[str, int] = {
    "name_bytes": 256,
    "token_bytes": 4096,
    "metadata_entries": 64,
    "metadata_key_bytes": 256,
    "metadata_value_bytes": 4096,
    "code_bytes": 64,
    "message_bytes": 4096,
    "ports": 256,
    "extradata_bytes": 24,
    "parameters_bytes": 65535,
    "parameters_depth": 64,
}
"""Bounds on the variable parts of a message (bytes of UTF-8, entries, or levels of nesting for
an open's or a configure's parameters: the object itself is level 1)."""

PIXEL_FORMATS: Tuple[str, ...] = ("RGBA", "BGRA", "I420", "NV12")
"""The pixel formats by their code (the index)."""
VIDEO_CODECS: Tuple[str, ...] = ("h264", "h265", "vp8", "vp9", "av1")
"""The video codecs by their code (the index)."""
AUDIO_CODECS: Tuple[str, ...] = ("aac", "opus")
"""The audio codecs of an encoded audio frame by their code (the index; version 2)."""

_TYPE_CODES = {"open": 1, "accept": 2, "frame": 3, "end": 4, "close": 5, "error": 6, "ping": 7, "pong": 8, "configure": 9, "configured": 10}
_VERSION_2_TYPES = 8  # configure (9) and configured (10) joined in version 3
_TYPES = {code: name for name, code in _TYPE_CODES.items()}
_KIND_CODES = {"audio": 1, "video": 2, "encoded-video": 3, "data": 4, "encoded-audio": 5}
_VERSION_1_KINDS = 4
_KINDS = {code: name for name, code in _KIND_CODES.items()}
_KEYFRAME = 1

WireErrorCode = Literal["wire_malformed", "wire_truncated", "wire_version", "wire_too_large"]


class WireError(StreamlibError, ValueError):
    """A message that cannot be decoded, or a value that cannot be encoded.

    ``code`` is one of ``wire_malformed``, ``wire_truncated``, ``wire_version``,
    ``wire_too_large`` (the same codes as the server's); ``field`` names the field
    at fault and ``offset`` where it starts, when decoding. A
    :class:`~streamlib_client.errors.StreamlibError` and a ``ValueError``.
    """

    code: WireErrorCode

    def __init__(self, code: WireErrorCode, message: str, field: str, offset: Optional[int] = None) -> None:
        super().__init__(code, message, {"field": field, "offset": offset})
        self.code = code
        self.field = field
        self.offset = offset


# Frames ---------------------------------------------------------------------


@dataclass(frozen=True)
class AudioFrame:
    """Interleaved 32-bit float samples: ``frame_count * channels`` of them."""

    channels: int
    sample_rate: float
    frame_count: int
    samples: "array[float]"
    timestamp_ns: int = 0
    frame_number: int = 0
    kind: Literal["audio"] = "audio"


@dataclass(frozen=True)
class VideoFrame:
    """Uncompressed pixels in ``format`` (RGBA, BGRA, I420, NV12), rows ``stride`` bytes apart."""

    width: int
    height: int
    format: str
    stride: int
    data: bytes
    timestamp_ns: int = 0
    frame_number: int = 0
    kind: Literal["video"] = "video"


@dataclass(frozen=True)
class EncodedVideoFrame:
    """One compressed access unit of ``codec`` (h264, h265, vp8, vp9, av1)."""

    codec: str
    keyframe: bool
    data: bytes
    timestamp_ns: int = 0
    frame_number: int = 0
    kind: Literal["encoded-video"] = "encoded-video"


@dataclass(frozen=True)
class EncodedAudioFrame:
    """One compressed audio frame of ``codec`` (aac, opus), with its stream's description.

    ``extradata`` is the AudioSpecificConfig for AAC (at most 24 bytes);
    ``frame_count`` the samples per channel it decodes to (1024 for AAC-LC).
    Carried by wire version 2.
    """

    codec: str
    channels: int
    sample_rate: float
    frame_count: int
    extradata: bytes
    data: bytes
    timestamp_ns: int = 0
    frame_number: int = 0
    kind: Literal["encoded-audio"] = "encoded-audio"


@dataclass(frozen=True)
class DataFrame:
    """A JSON value."""

    value: Any
    timestamp_ns: int = 0
    kind: Literal["data"] = "data"


Frame = Union[AudioFrame, VideoFrame, EncodedVideoFrame, EncodedAudioFrame, DataFrame]
"""Any frame."""

# Messages -------------------------------------------------------------------


@dataclass(frozen=True)
class Port:
    """An input or output of a session: its name and frame kind (``any``: all kinds)."""

    name: str
    kind: str


Parameters = Mapping[str, Any]
"""The values a client chose for a pipeline's ``parameters``, by name: a JSON object (its text at
most 65,535 bytes of UTF-8, nested at most 64 levels deep), ``{"gain": 3}``."""


@dataclass(frozen=True)
class Open:
    """Client to server, first: open a session of a named pipeline.

    ``parameters`` (version 2): the values of the pipeline's parameters; ``None`` writes a
    version 1 open, without the field.
    """

    pipeline: str
    token: str = ""
    metadata: Dict[str, str] = field(default_factory=dict)
    parameters: Optional[Parameters] = None
    type: Literal["open"] = "open"


@dataclass(frozen=True)
class Accept:
    """Server to client: the session is open."""

    session_id: str
    inputs: List[Port]
    outputs: List[Port]
    max_message_bytes: int
    type: Literal["accept"] = "accept"


@dataclass(frozen=True)
class FrameMessage:
    """A frame on a named input (client to server) or from a named output (server to client)."""

    port: str
    sequence: int
    frame: Frame
    metadata: Dict[str, str] = field(default_factory=dict)
    type: Literal["frame"] = "frame"


@dataclass(frozen=True)
class End:
    """End of stream of a named input or output."""

    port: str
    type: Literal["end"] = "end"


@dataclass(frozen=True)
class Close:
    """The session is over; ``code`` is empty for a normal close."""

    code: str = ""
    message: str = ""
    type: Literal["close"] = "close"


@dataclass(frozen=True)
class ErrorMessage:
    """A failure with a stable code; ``fatal`` says the session ends with it."""

    code: str
    message: str
    fatal: bool
    type: Literal["error"] = "error"


@dataclass(frozen=True)
class Ping:
    """Asks for a :class:`Pong` with the same id."""

    id: int
    type: Literal["ping"] = "ping"


@dataclass(frozen=True)
class Pong:
    """The answer to a :class:`Ping`."""

    id: int
    type: Literal["pong"] = "pong"


@dataclass(frozen=True)
class Configure:
    """Client to server (version 3): change the running session's parameters.

    ``id`` (0 to 2**32 - 1) is echoed by the server's :class:`Configured`; ``parameters`` follow
    the rules of an open's. The session goes on whatever the answer.
    """

    id: int
    parameters: Parameters
    type: Literal["configure"] = "configure"


@dataclass(frozen=True)
class Configured:
    """Server to client (version 3): the answer to the :class:`Configure` of the same ``id``.

    ``code`` is empty when the values were taken, else why not (``config_locked``, ...).
    """

    id: int
    code: str = ""
    message: str = ""
    type: Literal["configured"] = "configured"


Message = Union[Open, Accept, FrameMessage, End, Close, ErrorMessage, Ping, Pong, Configure, Configured]
"""Any message."""

# Encoding -------------------------------------------------------------------


def _bad(field_name: str, found: object, expected: str) -> WireError:
    return WireError("wire_malformed", f"Cannot encode {field_name}: {found!r} is not valid, expected {expected}", field_name)


class _Writer:
    def __init__(self) -> None:
        self.parts: List[bytes] = []
        self.length = 0

    def raw(self, data: bytes) -> None:
        self.parts.append(data)
        self.length += len(data)

    def integer(self, fmt: str, value: int, maximum: int, field_name: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            raise _bad(field_name, value, f"an integer from 0 to {maximum}")
        self.raw(struct.pack(fmt, value))

    def u8(self, value: int, field_name: str) -> None:
        self.integer("<B", value, 0xFF, field_name)

    def u16(self, value: int, field_name: str) -> None:
        self.integer("<H", value, 0xFFFF, field_name)

    def u32(self, value: int, field_name: str) -> None:
        self.integer("<I", value, 0xFFFFFFFF, field_name)

    def u64(self, value: int, field_name: str) -> None:
        self.integer("<Q", value, MAX_WIRE_INTEGER, field_name)

    def i64(self, value: int, field_name: str) -> None:
        """A two's complement i64 within +-(2^53 - 1): a timestamp may be negative."""
        if isinstance(value, bool) or not isinstance(value, int) or not -MAX_WIRE_INTEGER <= value <= MAX_WIRE_INTEGER:
            raise _bad(field_name, value, f"an integer from -{MAX_WIRE_INTEGER} to {MAX_WIRE_INTEGER}")
        self.raw(struct.pack("<q", value))

    def string(self, value: str, field_name: str, limit: int) -> None:
        if not isinstance(value, str):
            raise _bad(field_name, value, "a string")
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError:
            raise _bad(field_name, value, "a string of Unicode scalar values") from None
        if len(data) > limit:
            raise WireError(
                "wire_too_large",
                f"Cannot encode {field_name}: {len(data)} bytes of UTF-8, over the limit of {limit}",
                field_name,
            )
        self.u16(len(data), f"{field_name} length")
        self.raw(data)


def _write_metadata(writer: _Writer, metadata: Mapping[str, str]) -> None:
    if not isinstance(metadata, Mapping):
        raise _bad("metadata", metadata, "a mapping of strings to strings")
    if len(metadata) > LIMITS["metadata_entries"]:
        raise WireError(
            "wire_too_large",
            f"Cannot encode metadata: {len(metadata)} entries, over the limit of {LIMITS['metadata_entries']}",
            "metadata",
        )
    writer.u16(len(metadata), "metadata count")
    for key, value in metadata.items():
        writer.string(key, "metadata key", LIMITS["metadata_key_bytes"])
        writer.string(value, f"metadata value of '{key}'", LIMITS["metadata_value_bytes"])


def _json_text_depth(text: str, limit: int) -> int:
    """How deeply JSON text nests, counting no further than ``limit + 1``, without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            if depth > limit:
                return limit + 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


_PARAMETERS = "a JSON object of parameter names to JSON values"


def _write_parameters(writer: _Writer, parameters: Mapping[str, Any]) -> None:
    if not isinstance(parameters, Mapping) or not all(isinstance(key, str) for key in parameters):
        raise _bad("parameters", parameters, _PARAMETERS)
    limit = LIMITS["parameters_depth"]
    try:
        text = json.dumps(dict(parameters), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except RecursionError:
        raise WireError("wire_malformed", f"Cannot encode parameters: they nest more than {limit} levels deep", "parameters") from None
    except (TypeError, ValueError) as error:
        raise _bad("parameters", str(error), _PARAMETERS) from None
    if _json_text_depth(text, limit) > limit:
        raise WireError("wire_malformed", f"Cannot encode parameters: they nest more than {limit} levels deep", "parameters")
    writer.string(text, "parameters", LIMITS["parameters_bytes"])


def _write_ports(writer: _Writer, ports: List[Port], field_name: str) -> None:
    if not isinstance(ports, (list, tuple)) or not all(isinstance(port, Port) for port in ports):
        raise _bad(field_name, ports, "a list of Port")
    if len(ports) > LIMITS["ports"]:
        raise WireError(
            "wire_too_large", f"Cannot encode {field_name}: {len(ports)} ports, over the limit of {LIMITS['ports']}", field_name
        )
    writer.u16(len(ports), f"{field_name} count")
    for port in ports:
        writer.string(port.name, f"{field_name} name", LIMITS["name_bytes"])
        code = 0 if port.kind == "any" else _KIND_CODES.get(port.kind)
        if code is None:
            raise _bad(f"{field_name} kind", port.kind, "audio, video, encoded-video, data, encoded-audio, any")
        writer.u8(code, f"{field_name} kind")


def _minimum_stride(fmt: str, width: int) -> int:
    return width * 4 if fmt in ("RGBA", "BGRA") else width


def _minimum_bytes(fmt: str, width: int, height: int, stride: int) -> int:
    if fmt in ("RGBA", "BGRA"):
        return stride * (height - 1) + width * 4
    return stride * height + 2 * ((width + 1) // 2) * ((height + 1) // 2)


def _write_frame(writer: _Writer, frame: Frame) -> None:
    code = _KIND_CODES.get(getattr(frame, "kind", None))  # type: ignore[arg-type]
    if code is None:
        raise _bad("frame.kind", getattr(frame, "kind", None), "audio, video, encoded-video, data, encoded-audio")
    writer.u8(code, "frame.kind")
    writer.i64(frame.timestamp_ns, "frame.timestamp_ns")
    if isinstance(frame, AudioFrame):
        writer.u64(frame.frame_number, "frame.frame_number")
        if isinstance(frame.channels, bool) or not isinstance(frame.channels, int) or not 1 <= frame.channels <= 0xFFFF:
            raise _bad("frame.channels", frame.channels, "an integer from 1 to 65535")
        if isinstance(frame.frame_count, bool) or not isinstance(frame.frame_count, int) or not 1 <= frame.frame_count <= 0xFFFFFFFF:
            raise _bad("frame.frame_count", frame.frame_count, "an integer from 1 to 4294967295")
        rate = frame.sample_rate
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not (rate > 0 and math.isfinite(rate)):
            raise _bad("frame.sample_rate", rate, "a finite number above 0")
        samples = frame.samples if isinstance(frame.samples, array) and frame.samples.typecode == "f" else None
        count = frame.channels * frame.frame_count
        if samples is None or len(samples) != count:
            raise _bad("frame.samples", frame.samples, f"an array('f') of {count} samples")
        writer.u16(frame.channels, "frame.channels")
        writer.raw(struct.pack("<d", float(rate)))
        writer.u32(frame.frame_count, "frame.frame_count")
        if sys.byteorder == "little":
            writer.raw(samples.tobytes())
        else:
            swapped = array("f", samples)
            swapped.byteswap()
            writer.raw(swapped.tobytes())
    elif isinstance(frame, VideoFrame):
        writer.u64(frame.frame_number, "frame.frame_number")
        if frame.format not in PIXEL_FORMATS:
            raise _bad("frame.format", frame.format, ", ".join(PIXEL_FORMATS))
        for name, value in (("width", frame.width), ("height", frame.height)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 0xFFFFFFFF:
                raise _bad(f"frame.{name}", value, "an integer from 1 to 4294967295")
        writer_stride = frame.stride
        minimum_stride = _minimum_stride(frame.format, frame.width)
        if isinstance(writer_stride, bool) or not isinstance(writer_stride, int) or writer_stride < minimum_stride:
            raise _bad("frame.stride", writer_stride, f"at least {minimum_stride}")
        minimum = _minimum_bytes(frame.format, frame.width, frame.height, frame.stride)
        if not isinstance(frame.data, (bytes, bytearray, memoryview)) or len(frame.data) < minimum:
            raise _bad("frame.data", type(frame.data).__name__, f"at least {minimum} bytes")
        writer.u32(frame.width, "frame.width")
        writer.u32(frame.height, "frame.height")
        writer.u8(PIXEL_FORMATS.index(frame.format), "frame.format")
        writer.u32(frame.stride, "frame.stride")
        writer.raw(bytes(frame.data))
    elif isinstance(frame, EncodedVideoFrame):
        writer.u64(frame.frame_number, "frame.frame_number")
        if frame.codec not in VIDEO_CODECS:
            raise _bad("frame.codec", frame.codec, ", ".join(VIDEO_CODECS))
        if not isinstance(frame.data, (bytes, bytearray, memoryview)):
            raise _bad("frame.data", type(frame.data).__name__, "bytes")
        writer.u8(VIDEO_CODECS.index(frame.codec), "frame.codec")
        writer.u8(_KEYFRAME if frame.keyframe else 0, "frame.flags")
        writer.raw(bytes(frame.data))
    elif isinstance(frame, EncodedAudioFrame):
        writer.u64(frame.frame_number, "frame.frame_number")
        if frame.codec not in AUDIO_CODECS:
            raise _bad("frame.codec", frame.codec, ", ".join(AUDIO_CODECS))
        if isinstance(frame.channels, bool) or not isinstance(frame.channels, int) or not 1 <= frame.channels <= 0xFFFF:
            raise _bad("frame.channels", frame.channels, "an integer from 1 to 65535")
        if isinstance(frame.frame_count, bool) or not isinstance(frame.frame_count, int) or not 1 <= frame.frame_count <= 0xFFFFFFFF:
            raise _bad("frame.frame_count", frame.frame_count, "an integer from 1 to 4294967295")
        rate = frame.sample_rate
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not (rate > 0 and math.isfinite(rate)):
            raise _bad("frame.sample_rate", rate, "a finite number above 0")
        if not isinstance(frame.extradata, (bytes, bytearray, memoryview)):
            raise _bad("frame.extradata", type(frame.extradata).__name__, "bytes")
        if len(frame.extradata) > LIMITS["extradata_bytes"]:
            raise WireError(
                "wire_too_large",
                f"Cannot encode frame.extradata: {len(frame.extradata)} bytes, over the limit of {LIMITS['extradata_bytes']}",
                "frame.extradata",
            )
        if not isinstance(frame.data, (bytes, bytearray, memoryview)):
            raise _bad("frame.data", type(frame.data).__name__, "bytes")
        writer.u8(AUDIO_CODECS.index(frame.codec), "frame.codec")
        writer.u16(frame.channels, "frame.channels")
        writer.raw(struct.pack("<d", float(rate)))
        writer.u32(frame.frame_count, "frame.frame_count")
        writer.u8(len(frame.extradata), "frame.extradata length")
        writer.raw(bytes(frame.extradata))
        writer.raw(bytes(frame.data))
    else:
        try:
            text = json.dumps(frame.value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as error:
            raise _bad("frame.value", str(error), "a JSON value") from None
        try:
            writer.raw(text.encode("utf-8"))
        except UnicodeEncodeError:
            raise _bad("frame.value", "a lone surrogate", "a JSON value of Unicode text") from None


def encode(message: Message, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> bytes:
    """Encodes one message: the 8-byte header then its fields, little-endian.

    Raises :class:`WireError`: ``wire_too_large`` over ``max_message_bytes`` or a
    field's bound, ``wire_malformed`` for a value the format cannot carry.
    """
    body = _Writer()
    if isinstance(message, Open):
        body.string(message.pipeline, "pipeline", LIMITS["name_bytes"])
        body.string(message.token, "token", LIMITS["token_bytes"])
        _write_metadata(body, message.metadata)
        if message.parameters is not None:
            _write_parameters(body, message.parameters)
    elif isinstance(message, Accept):
        body.string(message.session_id, "session_id", LIMITS["name_bytes"])
        _write_ports(body, message.inputs, "inputs")
        _write_ports(body, message.outputs, "outputs")
        body.u32(message.max_message_bytes, "max_message_bytes")
    elif isinstance(message, FrameMessage):
        body.string(message.port, "port", LIMITS["name_bytes"])
        body.u64(message.sequence, "sequence")
        _write_metadata(body, message.metadata)
        _write_frame(body, message.frame)
    elif isinstance(message, End):
        body.string(message.port, "port", LIMITS["name_bytes"])
    elif isinstance(message, Close):
        body.string(message.code, "code", LIMITS["code_bytes"])
        body.string(message.message, "message", LIMITS["message_bytes"])
    elif isinstance(message, ErrorMessage):
        body.string(message.code, "code", LIMITS["code_bytes"])
        body.string(message.message, "message", LIMITS["message_bytes"])
        body.u8(1 if message.fatal else 0, "fatal")
    elif isinstance(message, (Ping, Pong)):
        body.u64(message.id, "id")
    elif isinstance(message, Configure):
        body.u32(message.id, "id")
        _write_parameters(body, message.parameters)
    elif isinstance(message, Configured):
        body.u32(message.id, "id")
        body.string(message.code, "code", LIMITS["code_bytes"])
        body.string(message.message, "message", LIMITS["message_bytes"])
    else:
        raise _bad("type", type(message).__name__, "a message of streamlib_client.wire")
    total = HEADER_BYTES + body.length
    if total > max_message_bytes:
        raise WireError(
            "wire_too_large",
            f"Cannot encode the {message.type} message: {total} bytes, over the limit of {max_message_bytes}",
            "message",
        )
    header = WIRE_MAGIC + struct.pack("<BBI", _version_of(message), _TYPE_CODES[message.type], total)
    return b"".join([header, *body.parts])


def _version_of(message: Message) -> int:
    """The lowest version that carries ``message``: 3 for a configure and its answer, 2 for encoded
    audio and an open's parameters, else 1."""
    if isinstance(message, (Configure, Configured)):
        return 3
    if isinstance(message, Open):
        return 1 if message.parameters is None else 2
    if isinstance(message, FrameMessage):
        return 2 if isinstance(message.frame, EncodedAudioFrame) else 1
    if isinstance(message, Accept):
        return 2 if any(port.kind == "encoded-audio" for port in [*message.inputs, *message.outputs]) else 1
    return 1


# Decoding -------------------------------------------------------------------


class _Reader:
    def __init__(self, data: memoryview, offset: int) -> None:
        self.data = data
        self.offset = offset

    @property
    def remaining(self) -> int:
        return len(self.data) - self.offset

    def take(self, n: int, field_name: str) -> int:
        if n > self.remaining:
            raise WireError(
                "wire_truncated", f"Cannot decode {field_name}: the message ends {n - self.remaining} bytes early", field_name, self.offset
            )
        at = self.offset
        self.offset += n
        return at

    def unpack(self, fmt: str, field_name: str) -> Any:
        at = self.take(struct.calcsize(fmt), field_name)
        return struct.unpack_from(fmt, self.data, at)[0]

    def u8(self, field_name: str) -> int:
        return int(self.unpack("<B", field_name))

    def u16(self, field_name: str) -> int:
        return int(self.unpack("<H", field_name))

    def u32(self, field_name: str) -> int:
        return int(self.unpack("<I", field_name))

    def u64(self, field_name: str) -> int:
        at = self.offset
        value = int(self.unpack("<Q", field_name))
        if value > MAX_WIRE_INTEGER:
            raise WireError("wire_malformed", f"Cannot decode {field_name}: over 2^53 - 1, the largest integer the format carries", field_name, at)
        return value

    def i64(self, field_name: str) -> int:
        at = self.offset
        value = int(self.unpack("<q", field_name))
        if not -MAX_WIRE_INTEGER <= value <= MAX_WIRE_INTEGER:
            raise WireError("wire_malformed", f"Cannot decode {field_name}: beyond +-(2^53 - 1), the largest integers the format carries", field_name, at)
        return value

    def string(self, field_name: str, limit: int) -> str:
        start = self.offset
        length = self.u16(f"{field_name} length")
        if length > limit:
            raise WireError("wire_too_large", f"Cannot decode {field_name}: {length} bytes, over the limit of {limit}", field_name, start)
        at = self.take(length, field_name)
        return _utf8(self.data[at : at + length], field_name, at)

    def rest(self) -> memoryview:
        at = self.offset
        self.offset = len(self.data)
        return self.data[at:]

    def end(self) -> None:
        if self.remaining:
            raise WireError("wire_malformed", f"Cannot decode the message: {self.remaining} bytes after its last field", "end", self.offset)


def _utf8(data: memoryview, field_name: str, offset: int) -> str:
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise WireError("wire_malformed", f"Cannot decode {field_name}: not valid UTF-8", field_name, offset) from None


def _malformed(field_name: str, offset: int, found: object, expected: str) -> WireError:
    return WireError("wire_malformed", f"Cannot decode {field_name}: {found!r} is not valid, expected {expected}", field_name, offset)


def message_length(header: Union[bytes, bytearray, memoryview], max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> int:
    """Checks a message's header (its first 8 bytes) and returns its total length.

    For cutting messages out of a byte stream; over WebSocket each message is one
    WebSocket message. Raises :class:`WireError`.
    """
    data = memoryview(header).cast("B")
    for i in range(min(len(WIRE_MAGIC), len(data))):
        if data[i] != WIRE_MAGIC[i]:
            raise WireError("wire_malformed", "Cannot decode the message: it does not start with the magic bytes 0x53 0x4c ('SL')", "header.magic", i)
    if len(data) < HEADER_BYTES:
        raise WireError("wire_truncated", f"Cannot decode the header: {len(data)} bytes, it has {HEADER_BYTES}", "header", 0)
    version, type_code, length = struct.unpack_from("<BBI", data, 2)
    if version not in WIRE_VERSIONS:
        raise WireError("wire_version", f"Cannot decode a message of wire version {version}: this codec reads versions 1 to {WIRE_VERSION}", "header.version", 2)
    types = _VERSION_2_TYPES if version < 3 else len(_TYPES)
    if type_code not in _TYPES or type_code > types:
        raise WireError(
            "wire_malformed", f"Cannot decode a message of type {type_code} in wire version {version}: valid types are 1 to {types}", "header.type", 3
        )
    if length < HEADER_BYTES:
        raise WireError("wire_malformed", f"Cannot decode the message: its length {length} is shorter than its header", "header.length", 4)
    if length > max_message_bytes:
        raise WireError("wire_too_large", f"Cannot decode the message: {length} bytes, over the limit of {max_message_bytes}", "header.length", 4)
    return int(length)


def decode(data: Union[bytes, bytearray, memoryview], max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> Message:
    """Decodes one whole message, or raises :class:`WireError` (and nothing else)."""
    view = memoryview(data).cast("B")
    length = message_length(view, max_message_bytes)
    if len(view) > max_message_bytes:
        raise WireError("wire_too_large", f"Cannot decode the message: {len(view)} bytes, over the limit of {max_message_bytes}", "message")
    if length > len(view):
        raise WireError("wire_truncated", f"Cannot decode the message: it says {length} bytes, {len(view)} arrived", "header.length", 4)
    if length < len(view):
        raise WireError("wire_malformed", f"Cannot decode the message: {len(view) - length} bytes after its end", "end", length)
    reader = _Reader(view, HEADER_BYTES)
    message = _decode_body(_TYPES[view[3]], reader, view[2])
    reader.end()
    return message


def _decode_body(kind: str, reader: _Reader, version: int) -> Message:
    kinds = _VERSION_1_KINDS if version == 1 else len(_KINDS)  # the version's highest frame kind
    if kind == "open":
        pipeline = reader.string("pipeline", LIMITS["name_bytes"])
        token = reader.string("token", LIMITS["token_bytes"])
        metadata = _read_metadata(reader)
        if version == 1:
            return Open(pipeline=pipeline, token=token, metadata=metadata)
        at = reader.offset
        text = reader.string("parameters", LIMITS["parameters_bytes"])
        return Open(pipeline=pipeline, token=token, metadata=metadata, parameters=_read_parameters(text, at))
    if kind == "accept":
        return Accept(
            session_id=reader.string("session_id", LIMITS["name_bytes"]),
            inputs=_read_ports(reader, "inputs", kinds),
            outputs=_read_ports(reader, "outputs", kinds),
            max_message_bytes=reader.u32("max_message_bytes"),
        )
    if kind == "frame":
        port = reader.string("port", LIMITS["name_bytes"])
        sequence = reader.u64("sequence")
        metadata = _read_metadata(reader)
        return FrameMessage(port=port, sequence=sequence, metadata=metadata, frame=_read_frame(reader, kinds))
    if kind == "end":
        return End(port=reader.string("port", LIMITS["name_bytes"]))
    if kind == "close":
        return Close(code=reader.string("code", LIMITS["code_bytes"]), message=reader.string("message", LIMITS["message_bytes"]))
    if kind == "error":
        code = reader.string("code", LIMITS["code_bytes"])
        text = reader.string("message", LIMITS["message_bytes"])
        at = reader.offset
        fatal = reader.u8("fatal")
        if fatal > 1:
            raise _malformed("fatal", at, fatal, "0 or 1")
        return ErrorMessage(code=code, message=text, fatal=fatal == 1)
    if kind == "ping":
        return Ping(id=reader.u64("id"))
    if kind == "pong":
        return Pong(id=reader.u64("id"))
    if kind == "configure":
        number = reader.u32("id")
        at = reader.offset
        text = reader.string("parameters", LIMITS["parameters_bytes"])
        return Configure(id=number, parameters=_read_parameters(text, at))
    return Configured(
        id=reader.u32("id"), code=reader.string("code", LIMITS["code_bytes"]), message=reader.string("message", LIMITS["message_bytes"])
    )


def _read_metadata(reader: _Reader) -> Dict[str, str]:
    at = reader.offset
    count = reader.u16("metadata count")
    if count > LIMITS["metadata_entries"]:
        raise WireError(
            "wire_too_large", f"Cannot decode metadata: {count} entries, over the limit of {LIMITS['metadata_entries']}", "metadata count", at
        )
    metadata: Dict[str, str] = {}
    for _ in range(count):
        key_at = reader.offset
        key = reader.string("metadata key", LIMITS["metadata_key_bytes"])
        if key in metadata:
            raise _malformed("metadata key", key_at, key, "keys that appear once")
        metadata[key] = reader.string("metadata value", LIMITS["metadata_value_bytes"])
    return metadata


def _read_parameters(text: str, at: int) -> Dict[str, Any]:
    limit = LIMITS["parameters_depth"]
    # Counted on the text first: a deep value is never built (nor Python's recursion limit hit).
    if _json_text_depth(text, limit) > limit:
        raise WireError("wire_malformed", f"Cannot decode parameters: they nest more than {limit} levels deep", "parameters", at)
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise _malformed("parameters", at, "not JSON", _PARAMETERS) from None
    if not isinstance(value, dict):
        raise _malformed("parameters", at, type(value).__name__, _PARAMETERS)
    return value


def _read_ports(reader: _Reader, field_name: str, kinds: int) -> List[Port]:
    at = reader.offset
    count = reader.u16(f"{field_name} count")
    if count > LIMITS["ports"]:
        raise WireError("wire_too_large", f"Cannot decode {field_name}: {count} ports, over the limit of {LIMITS['ports']}", f"{field_name} count", at)
    ports: List[Port] = []
    for _ in range(count):
        name = reader.string(f"{field_name} name", LIMITS["name_bytes"])
        kind_at = reader.offset
        code = reader.u8(f"{field_name} kind")
        kind = "any" if code == 0 else _KINDS.get(code) if code <= kinds else None
        if kind is None:
            raise _malformed(f"{field_name} kind", kind_at, code, f"0 to {kinds}")
        ports.append(Port(name=name, kind=kind))
    return ports


def _read_frame(reader: _Reader, kinds: int) -> Frame:
    kind_at = reader.offset
    code = reader.u8("frame.kind")
    kind = _KINDS.get(code) if code <= kinds else None
    if kind is None:
        raise _malformed("frame.kind", kind_at, code, f"1 to {kinds}")
    timestamp_ns = reader.i64("frame.timestamp_ns")
    if kind == "audio":
        frame_number = reader.u64("frame.frame_number")
        at = reader.offset
        channels = reader.u16("frame.channels")
        if channels == 0:
            raise _malformed("frame.channels", at, 0, "1 to 65535")
        at = reader.offset
        sample_rate = float(reader.unpack("<d", "frame.sample_rate"))
        if not (sample_rate > 0 and math.isfinite(sample_rate)):
            raise _malformed("frame.sample_rate", at, sample_rate, "a finite number above 0")
        at = reader.offset
        frame_count = reader.u32("frame.frame_count")
        if frame_count == 0:
            raise _malformed("frame.frame_count", at, 0, "at least 1")
        size = channels * frame_count * 4
        if reader.remaining < size:
            raise WireError("wire_truncated", f"Cannot decode frame.samples: {reader.remaining} bytes, its fields say {size}", "frame.samples", reader.offset)
        if reader.remaining > size:
            raise WireError("wire_malformed", f"Cannot decode frame.samples: {reader.remaining - size} bytes after the last sample", "frame.samples", reader.offset + size)
        samples = array("f")
        samples.frombytes(bytes(reader.rest()))
        if sys.byteorder != "little":
            samples.byteswap()
        return AudioFrame(
            channels=channels, sample_rate=sample_rate, frame_count=frame_count, samples=samples, timestamp_ns=timestamp_ns, frame_number=frame_number
        )
    if kind == "video":
        frame_number = reader.u64("frame.frame_number")
        at = reader.offset
        width = reader.u32("frame.width")
        if width == 0:
            raise _malformed("frame.width", at, 0, "at least 1")
        at = reader.offset
        height = reader.u32("frame.height")
        if height == 0:
            raise _malformed("frame.height", at, 0, "at least 1")
        at = reader.offset
        format_code = reader.u8("frame.format")
        if format_code >= len(PIXEL_FORMATS):
            raise _malformed("frame.format", at, format_code, f"0 to {len(PIXEL_FORMATS) - 1}")
        fmt = PIXEL_FORMATS[format_code]
        at = reader.offset
        stride = reader.u32("frame.stride")
        minimum_stride = _minimum_stride(fmt, width)
        if stride < minimum_stride:
            raise _malformed("frame.stride", at, stride, f"at least {minimum_stride}")
        minimum = _minimum_bytes(fmt, width, height, stride)
        if reader.remaining < minimum:
            raise WireError(
                "wire_truncated",
                f"Cannot decode frame.data: {reader.remaining} bytes, a {width}x{height} {fmt} frame at stride {stride} needs at least {minimum}",
                "frame.data",
                reader.offset,
            )
        return VideoFrame(
            width=width, height=height, format=fmt, stride=stride, data=bytes(reader.rest()), timestamp_ns=timestamp_ns, frame_number=frame_number
        )
    if kind == "encoded-video":
        frame_number = reader.u64("frame.frame_number")
        at = reader.offset
        codec_code = reader.u8("frame.codec")
        if codec_code >= len(VIDEO_CODECS):
            raise _malformed("frame.codec", at, codec_code, f"0 to {len(VIDEO_CODECS) - 1}")
        at = reader.offset
        flags = reader.u8("frame.flags")
        if flags & ~_KEYFRAME:
            raise _malformed("frame.flags", at, flags, "0 or 1")
        return EncodedVideoFrame(
            codec=VIDEO_CODECS[codec_code], keyframe=flags == _KEYFRAME, data=bytes(reader.rest()), timestamp_ns=timestamp_ns, frame_number=frame_number
        )
    if kind == "encoded-audio":
        frame_number = reader.u64("frame.frame_number")
        at = reader.offset
        codec_code = reader.u8("frame.codec")
        if codec_code >= len(AUDIO_CODECS):
            raise _malformed("frame.codec", at, codec_code, f"0 to {len(AUDIO_CODECS) - 1}")
        at = reader.offset
        channels = reader.u16("frame.channels")
        if channels == 0:
            raise _malformed("frame.channels", at, 0, "1 to 65535")
        at = reader.offset
        sample_rate = float(reader.unpack("<d", "frame.sample_rate"))
        if not (sample_rate > 0 and math.isfinite(sample_rate)):
            raise _malformed("frame.sample_rate", at, sample_rate, "a finite number above 0")
        at = reader.offset
        frame_count = reader.u32("frame.frame_count")
        if frame_count == 0:
            raise _malformed("frame.frame_count", at, 0, "at least 1")
        at = reader.offset
        extra_bytes = reader.u8("frame.extradata length")
        if extra_bytes > LIMITS["extradata_bytes"]:
            raise WireError(
                "wire_too_large", f"Cannot decode frame.extradata: {extra_bytes} bytes, over the limit of {LIMITS['extradata_bytes']}", "frame.extradata", at
            )
        at = reader.take(extra_bytes, "frame.extradata")
        extradata = bytes(reader.data[at : at + extra_bytes])
        return EncodedAudioFrame(
            codec=AUDIO_CODECS[codec_code],
            channels=channels,
            sample_rate=sample_rate,
            frame_count=frame_count,
            extradata=extradata,
            data=bytes(reader.rest()),
            timestamp_ns=timestamp_ns,
            frame_number=frame_number,
        )
    at = reader.offset
    text = _utf8(reader.rest(), "frame.value", at)
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise _malformed("frame.value", at, "not JSON", "one JSON value in UTF-8") from None
    return DataFrame(value=value, timestamp_ns=timestamp_ns)


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python's json would take them.
    raise ValueError(f"{name} is not JSON")
