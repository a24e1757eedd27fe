"""streamlib's Python client: pipeline sessions over WebSocket, asyncio, typed.

Stream frames through a named pipeline of a ``streamlib serve`` server, or run it once over whole
inputs; the wire format is :mod:`streamlib_client.wire` (standard library only)::

    import asyncio
    from streamlib_client import audio_frame, connect

    async def main() -> None:
        async with connect("ws://127.0.0.1:8080/v1/sessions", token="s3cret") as client:
            async with await client.open("voice-fx") as session:
                await session.send("voice", audio_frame([0.1] * 320, sample_rate=16000))
                session.end("voice")
                async for out in session.outputs():
                    print(out.output, out.sequence, out.frame)

    asyncio.run(main())

Every error is a :class:`StreamlibError` with a stable ``code`` (:mod:`streamlib_client.errors`).
The client's names (``connect``, ``Client``, ``Session``, ``Output``) load on first use, so the
codec, the frames and the errors import without ``websockets``.
"""

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    ConfigureRefusedError,
    ConnectionFailedError,
    ConnectionLostError,
    FrameRefusedError,
    SessionEndedError,
    SessionRefusedError,
    SessionUnresponsiveError,
    StreamlibError,
)
from .frames import audio_frame, to_numpy
from .wire import (
    WIRE_VERSION,
    AudioFrame,
    DataFrame,
    EncodedAudioFrame,
    EncodedVideoFrame,
    Frame,
    Parameters,
    Port,
    VideoFrame,
    WireError,
    decode,
    encode,
    message_length,
)

if TYPE_CHECKING:
    from .client import Client, ExecuteInput, connect
    from .session import Output, Session, SessionState

_LAZY = {
    "connect": ".client",
    "Client": ".client",
    "ExecuteInput": ".client",
    "Session": ".session",
    "SessionState": ".session",
    "Output": ".session",
}


def __getattr__(name: str) -> Any:
    """Loads the client's names (which need ``websockets``) on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'streamlib_client' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "connect",
    "Client",
    "Session",
    "SessionState",
    "Output",
    "ExecuteInput",
    "audio_frame",
    "to_numpy",
    "AudioFrame",
    "VideoFrame",
    "EncodedVideoFrame",
    "EncodedAudioFrame",
    "DataFrame",
    "Frame",
    "Parameters",
    "Port",
    "StreamlibError",
    "SessionRefusedError",
    "FrameRefusedError",
    "ConfigureRefusedError",
    "SessionEndedError",
    "ConnectionFailedError",
    "ConnectionLostError",
    "SessionUnresponsiveError",
    "WireError",
    "WIRE_VERSION",
    "encode",
    "decode",
    "message_length",
]
__version__ = "0.2.0"
