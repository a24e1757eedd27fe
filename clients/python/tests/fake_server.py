"""A small in-process server speaking the session wire format, for the client's own tests.

It is not streamlib's server (the tests against that one are in ``tests/live/``): it has a few
pipelines, each one behaviour the client must handle, and it records what it received.

- ``gain``: input ``voice`` (audio) to output ``voice``: every sample times 0.5 (or the open's
  parameter ``gain``, a number from 0 to 16: another name is refused with ``unknown_parameter``,
  another value with ``invalid_parameter``), sequence and metadata kept; a frame whose metadata
  has ``refuse`` is answered with a non-fatal ``app_frame_mismatch`` instead; ``end`` of the input
  ends the output and closes. A ``configure`` changes ``gain`` with the open's rules (answered
  ``configured`` with ``unknown_parameter`` or ``invalid_parameter``), and ``channels`` is
  refused with ``config_locked``; a refused configure changes nothing.
- ``v2``: like ``gain``, but answers a ``configure`` as a server of wire version 2 does: a
  non-fatal ``wire_version`` error.
- ``fail``: like ``gain``, but the third frame ends the session with a fatal
  ``session_processor_failed``.
- ``vanish``: like ``gain``, but the third frame makes the server drop the TCP connection.
- ``stall``: accepts, then reads nothing until :attr:`FakeServer.release` is set.
- ``slow``: reads every message at once, as streamlib's server does, but its "graph" takes one
  frame per 10 ms and holds at most 16 waiting: one more ends the session with ``input_overrun``.
  A ``ping`` is answered once every message before it was handled.
- ``garbage``: answers the first frame with bytes that are not a message.
- ``pinger``: sends a wire ``ping`` and records the ``pong``; otherwise like ``gain``.
- ``echo``: input ``any`` (frames of any kind) to output ``any``, every frame as it came.
- any other name: a fatal ``pipeline_not_found`` then ``close``.

The token must be ``t`` (else ``invalid_token``); ``max_message_bytes`` is what ``accept`` says.
"""

from __future__ import annotations

import asyncio
import json
from array import array
from dataclasses import replace
from typing import Any, List, Optional, Tuple

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from streamlib_client.wire import (
    Accept,
    AudioFrame,
    Close,
    Configure,
    Configured,
    End,
    ErrorMessage,
    FrameMessage,
    Message,
    Open,
    Ping,
    Pong,
    Port,
    decode,
    encode,
)

TOKEN = "t"


class FakeServer:
    """``async with FakeServer() as server``: ``server.url`` is its sessions URL."""

    def __init__(self, max_message_bytes: int = 1 << 24) -> None:
        self.max_message_bytes = max_message_bytes
        self.received: List[Message] = []
        """Every message received after ``open``, in order, over all sessions."""
        self.opens: List[Open] = []
        """Every ``open`` received, in order."""
        self.release = asyncio.Event()
        """Set to let a ``stall`` session read again."""
        self.pongs: List[int] = []
        self.closed_by_client = 0
        self.most_waiting = 0
        """The most frames a ``slow`` session held waiting for its graph."""
        self._server: Optional[Server] = None
        self.url = ""

    async def __aenter__(self) -> "FakeServer":
        self._server = await serve(
            self._handle, "127.0.0.1", 0, max_size=None, compression=None, process_request=self._http, max_queue=4
        )
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/sessions"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self.release.set()
        self._server.close()
        await self._server.wait_closed()

    def _http(self, connection: ServerConnection, request: Request) -> Optional[Response]:
        if request.path == "/sessions":
            return None
        if request.path == "/no-server":
            return Response(503, "Service Unavailable", Headers({"Content-Type": "text/plain"}), b"No server is available")
        body = json.dumps({"error": {"code": "not_found", "message": f"No route at {request.path}"}}).encode()
        return Response(404, "Not Found", Headers({"Content-Type": "application/json"}), body)

    async def _handle(self, ws: ServerConnection) -> None:
        try:
            first = decode(await ws.recv())  # type: ignore[arg-type]
            assert isinstance(first, Open)
            self.opens.append(first)
            if first.token != TOKEN:
                await self._refuse(ws, "invalid_token", "The token is wrong")
                return
            if first.pipeline not in ("gain", "fail", "vanish", "stall", "garbage", "pinger", "slow", "echo", "v2"):
                await self._refuse(ws, "pipeline_not_found", f"No pipeline '{first.pipeline}', available: gain")
                return
            gain = 0.5
            for name, value in (first.parameters or {}).items():
                if name != "gain" or first.pipeline != "gain":
                    await self._refuse(ws, "unknown_parameter", f"The pipeline has no parameter {name}. Its parameters: gain")
                    return
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 16:
                    await self._refuse(ws, "invalid_parameter", f"Parameter gain (fx.gain) must be a number from 0 to 16, got {value!r}")
                    return
                gain = float(value)
            ports = [Port("any", "any")] if first.pipeline == "echo" else [Port("voice", "audio")]
            await ws.send(encode(Accept(f"s-{id(ws)}", ports, ports, self.max_message_bytes)))
            await self._run(ws, first.pipeline, gain)
        except ConnectionClosed:
            pass

    async def _refuse(self, ws: ServerConnection, code: str, message: str) -> None:
        await ws.send(encode(ErrorMessage(code, message, fatal=True)))
        await ws.send(encode(Close(code, message)))
        try:
            # Read on until the client closes its side, as streamlib's server does: a client's
            # frames still in the socket must not hold up the closing handshake.
            await asyncio.wait_for(self._drain(ws), 10)
        except asyncio.TimeoutError:
            await ws.close()

    async def _drain(self, ws: ServerConnection) -> None:
        try:
            while True:
                await ws.recv()
        except ConnectionClosed:
            pass

    async def _slow(self, ws: ServerConnection) -> None:
        waiting: "asyncio.Queue[Message]" = asyncio.Queue()
        frames_waiting = 0

        async def graph() -> None:
            nonlocal frames_waiting
            while True:
                message = await waiting.get()
                if isinstance(message, FrameMessage):
                    await asyncio.sleep(0.01)
                    frames_waiting -= 1
                    await ws.send(encode(message))
                elif isinstance(message, Ping):
                    await ws.send(encode(Pong(id=message.id)))
                elif isinstance(message, End):
                    await ws.send(encode(End("voice")))
                    await ws.send(encode(Close()))
                    await ws.close()
                    return

        task = asyncio.ensure_future(graph())
        try:
            while True:
                message = decode(await ws.recv())  # type: ignore[arg-type]
                self.received.append(message)
                if isinstance(message, Close):
                    self.closed_by_client += 1
                    await ws.close()
                    return
                if isinstance(message, FrameMessage):
                    frames_waiting += 1
                    self.most_waiting = max(self.most_waiting, frames_waiting)
                    if frames_waiting > 16:
                        await self._refuse(ws, "input_overrun", "More than 16 frames wait for the graph")
                        return
                waiting.put_nowait(message)
        finally:
            task.cancel()

    async def _run(self, ws: ServerConnection, pipeline: str, gain: float = 0.5) -> None:
        if pipeline == "slow":
            await self._slow(ws)
            return
        if pipeline == "stall":
            await self.release.wait()
        if pipeline == "pinger":
            await ws.send(encode(Ping(id=77)))
        frames = 0
        out_sequence = 0
        while True:
            message = decode(await ws.recv())  # type: ignore[arg-type]
            self.received.append(message)
            if isinstance(message, Pong):
                self.pongs.append(message.id)
            elif isinstance(message, Ping):
                await ws.send(encode(Pong(id=message.id)))
            elif isinstance(message, Configure) and pipeline == "v2":
                text = "Cannot decode a message of wire version 3: this codec reads versions 1 to 2"
                await ws.send(encode(ErrorMessage("wire_version", text, fatal=False)))
            elif isinstance(message, Configure):
                code, text, gain = _configure(message, gain)
                await ws.send(encode(Configured(message.id, code, text)))
            elif isinstance(message, Close):
                self.closed_by_client += 1
                await ws.close()
                return
            elif isinstance(message, End):
                await ws.send(encode(End(message.port)))
                await ws.send(encode(Close()))
                await ws.close()
                return
            elif isinstance(message, FrameMessage):
                frames += 1
                if pipeline == "garbage":
                    await ws.send(b"SL\x01\x03\x09\x00\x00\x00\x00")
                    continue
                if pipeline == "fail" and frames == 3:
                    await ws.send(encode(ErrorMessage("session_processor_failed", "Node 'fx' threw in process(): boom", fatal=True)))
                    await ws.send(encode(Close("session_processor_failed", "Node 'fx' threw in process(): boom")))
                    await ws.close()
                    return
                if pipeline == "vanish" and frames == 3:
                    ws.transport.abort()
                    return
                if pipeline == "echo":
                    await ws.send(encode(message))
                    continue
                if "refuse" in message.metadata:
                    await ws.send(encode(ErrorMessage("app_frame_mismatch", "Cannot send to 'voice': refused", fatal=False)))
                    continue
                frame: Any = message.frame
                assert isinstance(frame, AudioFrame)
                scaled = replace(frame, samples=array("f", (s * gain for s in frame.samples)))
                await ws.send(encode(FrameMessage("voice", message.sequence, scaled, message.metadata)))
                out_sequence += 1


def _configure(message: Configure, gain: float) -> Tuple[str, str, float]:
    """What a ``configure`` of the ``gain`` pipeline gets: a code (empty: taken), a message, the gain."""
    for name, value in message.parameters.items():
        if name == "channels":
            return "config_locked", "Parameter channels (cc.channels) is set when the pipeline starts; live: gain", gain
        if name != "gain":
            return "unknown_parameter", f"The pipeline has no parameter {name}. Its parameters: gain, channels", gain
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 16:
            return "invalid_parameter", f"Parameter gain (fx.gain) must be a number from 0 to 16, got {value!r}", gain
    return "", "", float(message.parameters.get("gain", gain))
