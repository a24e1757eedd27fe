"""Tests of streamlib_client.wire: round trips, the documented example, hostile bytes."""

from __future__ import annotations

import random
import struct
from array import array
from typing import List, Tuple

import pytest

from streamlib_client.wire import (
    LIMITS,
    MAX_WIRE_INTEGER,
    AUDIO_CODECS,
    PIXEL_FORMATS,
    VIDEO_CODECS,
    Accept,
    AudioFrame,
    Close,
    Configure,
    Configured,
    DataFrame,
    EncodedAudioFrame,
    EncodedVideoFrame,
    End,
    ErrorMessage,
    FrameMessage,
    Message,
    Open,
    Ping,
    Pong,
    Port,
    VideoFrame,
    WireError,
    decode,
    encode,
    message_length,
)

# The worked example of docs/wire_format.md, byte for byte.
DOC_EXAMPLE = bytes.fromhex(
    "534c0103480000000300 6d6963 0500000000000000 0100 0400 6c616e67 0200 656e"
    " 01 002d310100000000 0100000000000000 0100 00000000 0040cf40 02000000 0000003f 000000bf"
)


# The worked example of an open with parameters in docs/wire_format.md.
DOC_OPEN_EXAMPLE = bytes.fromhex("534c02011c000000 0200 6678 0000 0000 0a00 7b226761696e223a337d")

# The worked examples of a configure and its answer in docs/wire_format.md.
DOC_CONFIGURE_EXAMPLE = bytes.fromhex("534c030918000000 01000000 0a00 7b226761696e223a337d")
DOC_CONFIGURED_EXAMPLE = bytes.fromhex("534c030a10000000 01000000 0000 0000")


def ramp(n: int) -> bytes:
    return bytes(i % 256 for i in range(n))


def samples() -> List[Tuple[str, Message]]:
    out: List[Tuple[str, Message]] = [
        ("open", Open(pipeline="voice-fx", token="s3cret", metadata={"client": "test", "ünïcode": "✓ 日本"})),
        (
            "open with parameters",
            Open(pipeline="voice-fx", parameters={"gain": 1.5, "voice": "ünï ✓", "bands": [1, 2.25, -3], "eq": {"on": True}, "preset": None}),
        ),
        (
            "accept",
            Accept(
                session_id="session-1",
                inputs=[Port("audio", "audio"), Port("any", "any")],
                outputs=[Port("video", "video"), Port("h264", "encoded-video"), Port("events", "data")],
                max_message_bytes=16 * 1024 * 1024,
            ),
        ),
        ("end", End(port="audio")),
        ("close", Close()),
        ("close with code", Close(code="session_idle", message="No frame for 30 s")),
        ("error", ErrorMessage(code="wire_malformed", message="Cannot decode x", fatal=True)),
        ("ping", Ping(id=0)),
        ("pong", Pong(id=MAX_WIRE_INTEGER)),
        ("configure", Configure(id=2**32 - 1, parameters={"gain": 3, "voice": "ünï ✓", "eq": {"low": [0.5, -1], "on": False}, "preset": None})),
        ("configured", Configured(id=7)),
        ("configured refused", Configured(id=8, code="config_locked", message="Parameter channels is set when the pipeline starts ✓")),
        (
            "audio",
            FrameMessage(
                port="audio",
                sequence=2**40 + 3,
                frame=AudioFrame(2, 48000.0, 3, array("f", [0, -1, 1, 0.5, -0.25, 1e-7]), 20_000_000, 1),
            ),
        ),
        ("data", FrameMessage(port="events", sequence=9, metadata={"trace": "abc"}, frame=DataFrame({"a": [1, "é", None, True, 0.5]}, 7))),
    ]
    for i, fmt in enumerate(PIXEL_FORMATS):
        packed = fmt in ("RGBA", "BGRA")
        stride = 16 if packed else 4
        size = stride * 2 if packed else stride * 2 + 4
        out.append((f"video {fmt}", FrameMessage(port="video", sequence=i, frame=VideoFrame(3, 2, fmt, stride, ramp(size), 1000 * i, i))))
    for i, codec in enumerate(VIDEO_CODECS):
        out.append((f"encoded {codec}", FrameMessage(port="enc", sequence=i, frame=EncodedVideoFrame(codec, i % 2 == 0, ramp(5 + i), i, i))))
    for i, codec in enumerate(AUDIO_CODECS):
        extradata = b"\x12\x10" if codec == "aac" else b""
        frame = EncodedAudioFrame(codec, 2 - i, 44100.0, 1024, extradata, ramp(7 + i), i, i)
        out.append((f"encoded audio {codec}", FrameMessage(port="aac", sequence=i, frame=frame)))
    out.append(("accept encoded audio", Accept(session_id="s", inputs=[], outputs=[Port("aac", "encoded-audio")], max_message_bytes=1 << 20)))
    return out


@pytest.mark.parametrize("name,message", samples(), ids=[name for name, _ in samples()])
def test_round_trip(name: str, message: Message) -> None:
    data = encode(message)
    assert decode(data) == message
    assert encode(decode(data)) == data
    assert message_length(data[:8]) == len(data)


def test_documented_audio_example() -> None:
    message = FrameMessage(
        port="mic",
        sequence=5,
        metadata={"lang": "en"},
        frame=AudioFrame(channels=1, sample_rate=16000, frame_count=2, samples=array("f", [0.5, -0.5]), timestamp_ns=20_000_000, frame_number=1),
    )
    assert encode(message) == DOC_EXAMPLE
    decoded = decode(DOC_EXAMPLE)
    assert isinstance(decoded, FrameMessage) and isinstance(decoded.frame, AudioFrame)
    assert list(decoded.frame.samples) == [0.5, -0.5]


def codes(fn: object) -> str:
    try:
        fn()  # type: ignore[operator]
    except WireError as error:
        return error.code
    return "ok"


def test_every_cut_is_truncated() -> None:
    for _, message in samples():
        data = encode(message)
        for n in range(len(data)):
            assert codes(lambda: decode(data[:n])) == "wire_truncated", n


def test_header_refusals() -> None:
    end = encode(End(port="a"))
    assert codes(lambda: decode(b"GET")) == "wire_malformed"
    assert codes(lambda: decode(end[:2] + b"\x04" + end[3:])) == "wire_version"
    assert decode(end[:2] + b"\x02" + end[3:]) == End(port="a")  # version 2 reads version 1's messages
    assert decode(end[:2] + b"\x03" + end[3:]) == End(port="a")  # and so does version 3
    assert codes(lambda: decode(end[:3] + b"\x09" + end[4:])) == "wire_malformed"  # configure is version 3
    assert codes(lambda: decode(end[:2] + b"\x03\x0b" + end[4:])) == "wire_malformed"
    assert codes(lambda: decode(end + b"\x00")) == "wire_malformed"
    huge = end[:4] + struct.pack("<I", 0xFFFFFFFF) + end[8:]
    assert codes(lambda: decode(huge)) == "wire_too_large"
    assert codes(lambda: decode(end, max_message_bytes=len(end) - 1)) == "wire_too_large"


def with_length(data: bytes) -> bytes:
    return data[:4] + struct.pack("<I", len(data)) + data[8:]


def test_bounds_and_values() -> None:
    assert codes(lambda: decode(with_length(b"SL\x01\x04\x00\x00\x00\x00\xff\xff"))) == "wire_too_large"
    assert codes(lambda: decode(with_length(b"SL\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff"))) == "wire_too_large"
    assert codes(lambda: decode(with_length(b"SL\x01\x04\x00\x00\x00\x00\x01\x00\xff"))) == "wire_malformed"
    ping = encode(Ping(id=0))
    assert codes(lambda: decode(ping[:8] + struct.pack("<Q", 2**53))) == "wire_malformed"
    many = {f"k{i}": "v" for i in range(LIMITS["metadata_entries"] + 1)}
    assert codes(lambda: encode(Open(pipeline="p", metadata=many))) == "wire_too_large"
    assert codes(lambda: encode(Ping(id=2**53))) == "wire_malformed"
    assert codes(lambda: encode(FrameMessage("a", 0, AudioFrame(1, 16000, 2, array("f", [0.0]))))) == "wire_malformed"
    assert codes(lambda: encode(FrameMessage("d", 0, DataFrame(float("nan"))))) == "wire_malformed"
    assert codes(lambda: encode(FrameMessage("v", 0, VideoFrame(2, 2, "RGBA", 7, bytes(16))))) == "wire_malformed"
    assert codes(lambda: encode(None)) == "wire_malformed"  # type: ignore[arg-type]
    assert codes(lambda: encode(Open(pipeline="p", metadata=None))) == "wire_malformed"  # type: ignore[arg-type]
    assert codes(lambda: encode(Accept("s", [None], [], 1))) == "wire_malformed"  # type: ignore[list-item]
    assert codes(lambda: encode(FrameMessage("p", 0, None))) == "wire_malformed"  # type: ignore[arg-type]
    assert codes(lambda: encode(End(port=1))) == "wire_malformed"  # type: ignore[arg-type]
    nested = encode(FrameMessage("d", 0, DataFrame(0)))
    assert codes(lambda: decode(with_length(nested[:-1] + b"[" * 100_000))) == "wire_malformed"
    assert codes(lambda: decode(with_length(nested[:-1] + b"NaN"))) == "wire_malformed"


def test_documented_open_with_parameters() -> None:
    message = Open(pipeline="fx", parameters={"gain": 3})
    assert encode(message) == DOC_OPEN_EXAMPLE
    assert decode(DOC_OPEN_EXAMPLE) == message
    # Without parameters: version 1, the field left out.
    assert encode(Open(pipeline="fx")) == b"SL\x01\x01\x10\x00\x00\x00\x02\x00fx\x00\x00\x00\x00"
    # Empty parameters are still parameters when given to the codec: version 2, "{}".
    assert encode(Open(pipeline="fx", parameters={}))[2] == 2


def open_with(text: bytes) -> bytes:
    """A version 2 open whose parameters field holds ``text`` (any bytes)."""
    head = encode(Open(pipeline="p"))
    return with_length(head[:2] + b"\x02" + head[3:] + struct.pack("<H", len(text)) + text)


def test_parameters_refusals() -> None:
    depth = LIMITS["parameters_depth"]
    for text in [
        b"",
        b"{",
        b"gain=3",
        b"[1,2]",
        b"null",
        b"3",
        b'"gain"',
        b'{"gain":NaN}',
        b'{"a":1} {"b":2}',
        b"{\xff}",
        b'{"a":' + b"[" * depth + b"]" * depth + b"}",
        b'{"a":' + b"[" * (LIMITS["parameters_bytes"] - 5),  # the whole str of nesting
    ]:
        with pytest.raises(WireError) as refused:
            decode(open_with(text))
        assert (refused.value.code, refused.value.field) == ("wire_malformed", "parameters"), text[:20]
    assert decode(open_with(b'{"a":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}")).type == "open"
    # Version 1 has no such field: bytes after the last; version 2 without it is cut short.
    v1 = open_with(b"{}")
    assert codes(lambda: decode(v1[:2] + b"\x01" + v1[3:])) == "wire_malformed"
    bare = encode(Open(pipeline="p"))
    assert codes(lambda: decode(bare[:2] + b"\x02" + bare[3:])) == "wire_truncated"
    assert codes(lambda: decode(with_length(open_with(b"{}") + b"\x00"))) == "wire_malformed"
    # The encoder refuses what the decoder would.
    deep: object = 1
    for _ in range(depth):
        deep = [deep]
    very_deep: object = 1
    for _ in range(100_000):
        very_deep = [very_deep]
    for bad in [[1], "gain", {1: 2}, {"n": float("nan")}, {"s": {1, 2}}, {"deep": deep}, {"deep": very_deep}]:
        with pytest.raises(WireError) as refused:
            encode(Open(pipeline="p", parameters=bad))  # type: ignore[arg-type]
        assert (refused.value.code, refused.value.field) == ("wire_malformed", "parameters"), repr(bad)[:40]
    room = LIMITS["parameters_bytes"] - len('{"t":""}')
    assert len(encode(Open(pipeline="p", parameters={"t": "x" * room}))) > 65535
    assert codes(lambda: encode(Open(pipeline="p", parameters={"t": "x" * (room + 1)}))) == "wire_too_large"


def test_documented_configure_and_configured() -> None:
    assert encode(Configure(id=1, parameters={"gain": 3})) == DOC_CONFIGURE_EXAMPLE
    assert decode(DOC_CONFIGURE_EXAMPLE) == Configure(id=1, parameters={"gain": 3})
    assert encode(Configured(id=1)) == DOC_CONFIGURED_EXAMPLE
    assert decode(DOC_CONFIGURED_EXAMPLE) == Configured(id=1, code="", message="")


def configure_with(text: bytes) -> bytes:
    """A configure of request 1 whose parameters field holds ``text`` (any bytes)."""
    return with_length(b"SL\x03\x09\x00\x00\x00\x00" + struct.pack("<IH", 1, len(text)) + text)


def test_configure_refusals() -> None:
    depth = LIMITS["parameters_depth"]
    assert decode(configure_with(b'{"gain":3}')) == Configure(id=1, parameters={"gain": 3})
    for text in [b"", b"gain=3", b"[1]", b"null", b"3", b'{"gain":NaN}', b'{"a":' + b"[" * depth + b"]" * depth + b"}"]:
        with pytest.raises(WireError) as refused:
            decode(configure_with(text))
        assert (refused.value.code, refused.value.field) == ("wire_malformed", "parameters"), text[:20]
    # Types 9 and 10 joined in version 3: an older header cannot carry them.
    for old in (1, 2):
        for data in (configure_with(b"{}"), DOC_CONFIGURED_EXAMPLE):
            with pytest.raises(WireError) as refused:
                decode(data[:2] + bytes([old]) + data[3:])
            assert (refused.value.code, refused.value.field) == ("wire_malformed", "header.type")
    assert codes(lambda: decode(DOC_CONFIGURED_EXAMPLE[:2] + b"\x04" + DOC_CONFIGURED_EXAMPLE[3:])) == "wire_version"
    assert codes(lambda: decode(DOC_CONFIGURED_EXAMPLE[:-1])) == "wire_truncated"
    assert codes(lambda: decode(with_length(DOC_CONFIGURED_EXAMPLE + b"\x00"))) == "wire_malformed"
    assert codes(lambda: decode(with_length(b"SL\x03\x0b\x00\x00\x00\x00"))) == "wire_malformed"  # type 11
    # The encoder refuses what the decoder would.
    for bad in [[1], {"n": float("nan")}, {1: 2}]:
        assert codes(lambda: encode(Configure(id=1, parameters=bad))) == "wire_malformed"  # type: ignore[arg-type]
    for number in (-1, 2**32):
        assert codes(lambda: encode(Configure(id=number, parameters={}))) == "wire_malformed"
    assert codes(lambda: encode(Configured(id=1, code="x" * 65))) == "wire_too_large"
    room = LIMITS["parameters_bytes"] - len('{"t":""}')
    assert codes(lambda: encode(Configure(id=1, parameters={"t": "x" * (room + 1)}))) == "wire_too_large"


def test_version_2_only_for_encoded_audio_and_parameters() -> None:
    for name, message in samples():
        expected = 3 if "configure" in name else 2 if "encoded audio" in name or "parameters" in name else 1
        assert encode(message)[2] == expected, name
    aac = encode(FrameMessage("aac", 0, EncodedAudioFrame("aac", 2, 48000.0, 1024, b"\x11\x90", b"\x01\x02")))
    assert codes(lambda: decode(aac[:2] + b"\x01" + aac[3:])) == "wire_malformed"  # kind 5 in version 1
    extra_length_at = len(aac) - 2 - 2 - 1
    assert codes(lambda: decode(aac[:extra_length_at] + b"\x19" + aac[extra_length_at + 1 :])) == "wire_too_large"
    too_long = EncodedAudioFrame("aac", 2, 48000.0, 1024, bytes(25), b"")
    assert codes(lambda: encode(FrameMessage("aac", 0, too_long))) == "wire_too_large"
    assert codes(lambda: encode(FrameMessage("aac", 0, EncodedAudioFrame("mp3", 2, 48000.0, 1024, b"", b"")))) == "wire_malformed"


def test_fuzz_only_wire_errors() -> None:
    """Seeded: 2,000 random buffers and 4,000 mutations of valid messages."""
    rng = random.Random(0x5EED0033)
    outcomes = set()
    for i in range(2000):
        data = bytearray(rng.randrange(256) for _ in range(rng.randrange(64)))
        if i % 2 == 0 and len(data) >= 8:
            data[0:8] = b"SL\x01" + bytes([1 + i % 8]) + struct.pack("<I", len(data))
        outcomes.add(codes(lambda: encode(decode(bytes(data), max_message_bytes=1 << 20))))
    valid = [encode(m) for _, m in samples()]
    for i in range(4000):
        data = bytearray(valid[i % len(valid)])
        at = rng.randrange(len(data))
        mutation = rng.randrange(4)
        if mutation == 0:
            for _ in range(1 + rng.randrange(3)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif mutation == 1:
            data[max(8, at)] ^= 1 << rng.randrange(8)
        elif mutation == 2:
            data = data[: max(8, at)] if rng.random() < 0.5 else data + bytes(1 + at % 7)
            data[4:8] = struct.pack("<I", len(data))
        else:
            where = max(8, min(at, len(data) - 2))
            data[where : where + 2] = struct.pack("<H", 0xFFFF - rng.randrange(16))
        outcomes.add(codes(lambda: encode(decode(bytes(data), max_message_bytes=1 << 20))))
    assert {"ok", "wire_malformed", "wire_truncated"} <= outcomes


def test_the_codec_needs_only_the_standard_library() -> None:
    """With ``websockets`` (and numpy) unimportable, the codec, the frames and the errors still
    import; the client's names say what is missing when first used."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys\n"
        "sys.modules['websockets'] = None\n"
        "sys.modules['numpy'] = None\n"
        "from streamlib_client import WireError, StreamlibError, audio_frame, decode, encode\n"
        "from streamlib_client.wire import End\n"
        "assert decode(encode(End(port='a'))) == End(port='a')\n"
        "assert audio_frame([0.5, -0.5], 16000).frame_count == 2\n"
        "try:\n"
        "    from streamlib_client import connect\n"
        "except ImportError as error:\n"
        "    print('needs', error.name)\n"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    result = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(src)}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("needs websockets")


def test_negative_timestamps_round_trip_as_i64() -> None:
    # An AAC encoder stamps its first frames before 0 (its delay); 0 or more are a u64's bytes.
    for timestamp_ns in (-1, -100_000_000, -(2**53 - 1), 0, 2**32, 2**53 - 1):
        message = FrameMessage("a", 0, AudioFrame(1, 16000, 1, array("f", [0.25]), timestamp_ns=timestamp_ns))
        data = encode(message)
        decoded = decode(data)
        assert isinstance(decoded, FrameMessage) and decoded.frame.timestamp_ns == timestamp_ns
        if timestamp_ns >= 0:
            assert struct.pack("<q", timestamp_ns) == struct.pack("<Q", timestamp_ns)
    for bad in (-(2**53), 2**53, 1.5):
        message = FrameMessage("a", 0, AudioFrame(1, 16000, 1, array("f", [0.25]), timestamp_ns=bad))  # type: ignore[arg-type]
        assert codes(lambda: encode(message)) == "wire_malformed", bad
