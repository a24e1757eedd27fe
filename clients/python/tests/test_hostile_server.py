"""The client against a hostile or faulty server: one that sends bytes that are not messages,
messages out of order or too large, vanishes, never answers, or floods a client that does not read.

Each test gives :class:`HostileServer` a script: what the server does once the client's ``open``
arrived. Whatever the server does, the client must end with a :class:`StreamlibError` carrying a
code (never hang, never an ``IndexError``/``struct.error``/``KeyError``), and its memory must stay
bounded. Every wait is under :func:`bounded`, so a client that hangs fails the test instead of
hanging it.
"""

from __future__ import annotations

import asyncio
import struct
import time
from array import array
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, List, Optional, TypeVar

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from streamlib_client import (
    ConnectionFailedError,
    ConnectionLostError,
    SessionEndedError,
    SessionRefusedError,
    SessionUnresponsiveError,
    StreamlibError,
    WireError,
    audio_frame,
    connect,
)
from streamlib_client.session import Session
from streamlib_client.wire import (
    Accept,
    AudioFrame,
    Close,
    Configure,
    Configured,
    End,
    ErrorMessage,
    FrameMessage,
    Open,
    Ping,
    Pong,
    Port,
    decode,
    encode,
)

T = TypeVar("T")
Script = Callable[[ServerConnection], Awaitable[None]]
PORTS = [Port("voice", "audio")]


async def bounded(awaitable: Awaitable[T], seconds: float = 10.0) -> T:
    """The awaitable's result, or a failed test if it takes longer than ``seconds``."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError as error:
        if isinstance(error, StreamlibError):  # SessionUnresponsiveError is a TimeoutError too
            raise
        pytest.fail(f"the client hung: no result within {seconds} s")


def block(value: float = 0.1, frames: int = 320) -> AudioFrame:
    return audio_frame(array("f", [value] * frames), sample_rate=16000)


def output(sequence: int = 0, frames: int = 320) -> bytes:
    return encode(FrameMessage("voice", sequence, block(0.5, frames)))


class HostileServer:
    """``async with HostileServer(script) as server``: every connection's ``open`` is read, then
    ``script(ws)`` runs; ``accepted=True`` sends an ``accept`` of one audio input and output,
    ``voice``, first. ``sent_bytes`` counts what the script's :meth:`send` got out."""

    def __init__(self, script: Script, accepted: bool = True) -> None:
        self.script = script
        self.accepted = accepted
        self.url = ""
        self.sent_bytes = 0
        self.received: List[Any] = []
        self.disconnected = asyncio.Event()
        self._stopped = asyncio.Event()
        self._server: Optional[Server] = None

    async def __aenter__(self) -> "HostileServer":
        self._server = await serve(self._handle, "127.0.0.1", 0, max_size=None, compression=None)
        self.url = f"ws://127.0.0.1:{next(iter(self._server.sockets)).getsockname()[1]}/v1/sessions"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._stopped.set()
        self._server.close()
        await self._server.wait_closed()

    async def send(self, ws: ServerConnection, data: Any) -> None:
        await ws.send(data)
        self.sent_bytes += len(data)

    async def read_on(self, ws: ServerConnection) -> None:
        """Reads (and records) until the client closes."""
        try:
            async for message in ws:
                self.received.append(decode(message) if isinstance(message, bytes) else message)
        except ConnectionClosed:
            pass

    async def hold(self, ws: ServerConnection) -> None:
        """Reads nothing more from the socket, not even a WebSocket close, until the server stops."""
        ws.transport.pause_reading()
        await self._stopped.wait()
        ws.transport.abort()

    async def _handle(self, ws: ServerConnection) -> None:
        try:
            first = decode(await ws.recv())  # type: ignore[arg-type]
            assert isinstance(first, Open)
            if self.accepted:
                await ws.send(encode(Accept("s1", PORTS, PORTS, 1 << 20)))
            await self.script(ws)
        except ConnectionClosed:
            pass
        finally:
            self.disconnected.set()


async def open_session(server: HostileServer, **options: Any) -> Session:
    client = connect(server.url, **options)
    return await bounded(client.open("voice-fx"))


async def read_all(session: Session) -> List[Any]:
    return [item async for item in session.outputs()]


# Bytes that are not messages -------------------------------------------------

GARBAGE = {
    "bad magic": (b"XX\x01\x04\x0b\x00\x00\x00\x01\x00a", "wire_malformed"),
    "truncated header": (b"SL\x01", "wire_truncated"),
    "length past the end": (b"SL\x01\x04\x40\x00\x00\x00\x01\x00a", "wire_truncated"),
    "bytes after the end": (encode(End("voice")) + b"\x00", "wire_malformed"),
    "version 4": (b"SL\x04\x04" + encode(End("voice"))[4:], "wire_version"),
    "a configured type in version 2": (b"SL\x02\x0a" + encode(Configured(1))[4:], "wire_malformed"),
    "unknown type": (b"SL\x01\x63" + encode(End("voice"))[4:], "wire_malformed"),
    "a string longer than its message": (b"SL\x01\x04\x0b\x00\x00\x00\xff\x00a", "wire_truncated"),
    "invalid UTF-8": (b"SL\x01\x04\x0b\x00\x00\x00\x01\x00\xff", "wire_malformed"),
    "a u64 past 2^53": (b"SL\x01\x07\x10\x00\x00\x00" + struct.pack("<Q", 2**60), "wire_malformed"),
    "a header saying 4 GiB": (b"SL\x01\x03\xff\xff\xff\xff", "wire_too_large"),
    "samples that do not fill the frame": (output()[:-2], "wire_truncated"),
    "a text message": ("hello", "wire_malformed"),
}


@pytest.mark.parametrize("data,code", GARBAGE.values(), ids=list(GARBAGE))
async def test_bytes_that_are_not_a_message_fail_the_session_with_the_wire_code(data: Any, code: str) -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send(output(0))
        await ws.send(data)
        await server.read_on(ws)

    async with HostileServer(script) as server:
        session = await open_session(server)
        got: List[Any] = []
        with pytest.raises(WireError) as bad:
            async for item in session.outputs():
                got.append(item)
        assert bad.value.code == code and isinstance(bad.value, StreamlibError)
        assert [o.sequence for o in got] == [0]  # what came before is yielded first
        assert session.state == "failed"
        await bounded(server.disconnected.wait())  # the client closed its socket
        # The client told the server why, in the format, before it closed.
        assert [type(m).__name__ for m in server.received] == ["ErrorMessage", "Close"]
        assert server.received[0].code == code and server.received[0].fatal
        await bounded(session.close())


@pytest.mark.parametrize("data", [encode(Configured(5)), encode(Configure(1, {"gain": 1}))], ids=["configured never asked", "configure"])
async def test_a_configure_answer_never_asked_for_or_a_configure_from_the_server_is_unexpected(data: bytes) -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send(data)
        await server.read_on(ws)

    async with HostileServer(script) as server:
        session = await open_session(server)
        with pytest.raises(SessionEndedError) as bad:
            async for _ in session.outputs():
                pass
        assert bad.value.code == "wire_unexpected" and session.state == "failed"
        await bounded(session.close())


@pytest.mark.parametrize("data,code", list(GARBAGE.values())[:6], ids=list(GARBAGE)[:6])
async def test_garbage_instead_of_an_accept_is_a_wire_error(data: Any, code: str) -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send(data)
        await server.read_on(ws)

    async with HostileServer(script, accepted=False) as server:
        with pytest.raises(WireError) as bad:
            await open_session(server)
        assert bad.value.code == code
        await bounded(server.disconnected.wait())


async def test_a_message_over_the_clients_limit_is_wire_too_large() -> None:
    """The client takes messages of ``max_message_bytes`` plus an envelope; a bigger one is
    refused at its length, before it is buffered, as ``wire_too_large`` (not a lost connection)."""

    async def script(ws: ServerConnection) -> None:
        await ws.send(output(0))
        await ws.send(output(1, frames=(2 << 20) // 4))  # 2 MiB of samples
        await server.read_on(ws)

    async with HostileServer(script) as server:
        session = await open_session(server, max_message_bytes=1024)
        got: List[Any] = []
        with pytest.raises(WireError) as bad:
            async for item in session.outputs():
                got.append(item)
        assert bad.value.code == "wire_too_large" and len(got) == 1


# Messages out of order -------------------------------------------------------

OUT_OF_ORDER = {
    "a second accept": encode(Accept("s2", PORTS, PORTS, 1 << 20)),
    "an open": encode(Open("voice-fx")),
    "a frame of no output": encode(FrameMessage("elsewhere", 0, block())),
    "an end of no output": encode(End("elsewhere")),
}


@pytest.mark.parametrize("data", OUT_OF_ORDER.values(), ids=list(OUT_OF_ORDER))
async def test_a_message_out_of_order_is_wire_unexpected(data: bytes) -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send(data)
        await server.read_on(ws)

    async with HostileServer(script) as server:
        session = await open_session(server)
        with pytest.raises(SessionEndedError) as bad:
            await bounded(read_all(session))
        assert bad.value.code == "wire_unexpected"
        with pytest.raises(SessionEndedError):  # and the session is over for send() too
            await session.send("voice", block())


async def test_a_frame_after_its_outputs_end_is_wire_unexpected() -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send(output(0))
        await ws.send(encode(End("voice")))
        await ws.send(output(1))
        await server.read_on(ws)

    async with HostileServer(script) as server:
        session = await open_session(server)
        got: List[Any] = []
        with pytest.raises(SessionEndedError) as bad:
            async for item in session.outputs():
                got.append(item)
        assert bad.value.code == "wire_unexpected" and "after its end" in bad.value.message
        assert len(got) == 1


async def test_a_frame_instead_of_an_accept_refuses_the_open() -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send(output(0))
        await server.read_on(ws)

    async with HostileServer(script, accepted=False) as server:
        with pytest.raises(SessionRefusedError) as refused:
            await open_session(server)
        assert refused.value.code == "wire_unexpected"
        await bounded(server.disconnected.wait())


# A server that vanishes or never answers --------------------------------------


async def test_a_server_that_vanishes_before_its_accept_is_connection_lost() -> None:
    async def script(ws: ServerConnection) -> None:
        ws.transport.abort()

    async with HostileServer(script, accepted=False) as server:
        with pytest.raises(ConnectionLostError) as lost:
            await open_session(server)
        assert lost.value.code == "connection_lost"


async def test_a_server_that_vanishes_in_the_middle_of_a_message_is_connection_lost() -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send(output(0))
        frame = output(1, frames=50_000)
        # A WebSocket header for the whole message, then half of it, then nothing.
        ws.transport.write(bytes([0x82, 127]) + struct.pack(">Q", len(frame)) + frame[: len(frame) // 2])
        await asyncio.sleep(0.05)
        ws.transport.abort()

    async with HostileServer(script) as server:
        session = await open_session(server)
        with pytest.raises(ConnectionLostError):
            await bounded(read_all(session))
        with pytest.raises(ConnectionLostError):
            await session.send("voice", block())


async def test_a_server_that_never_accepts_times_out_with_a_code() -> None:
    async def script(ws: ServerConnection) -> None:
        await server.read_on(ws)

    async with HostileServer(script, accepted=False) as server:
        started = time.monotonic()
        with pytest.raises(ConnectionFailedError) as failed:
            await open_session(server, open_timeout=0.5)
        assert failed.value.code == "connection_failed" and "no answer within 0.5 s" in failed.value.message
        assert time.monotonic() - started < 5
        await bounded(server.disconnected.wait())


async def test_a_ping_the_server_never_answers_is_session_unresponsive() -> None:
    async def script(ws: ServerConnection) -> None:
        await server.read_on(ws)

    async with HostileServer(script) as server:
        session = await open_session(server, close_timeout=1)
        with pytest.raises(SessionUnresponsiveError) as slow:
            await bounded(session.ping(timeout=0.3))
        assert slow.value.code == "session_unresponsive" and isinstance(slow.value, TimeoutError)
        assert session.state == "running"  # a ping of its own: the session goes on
        await bounded(session.close())


async def test_sends_the_server_never_confirms_end_the_session_after_the_pong_timeout() -> None:
    """A server that reads every frame and never answers a ping: send() waits for the pong of its
    window, then the session fails with ``session_unresponsive`` instead of waiting forever."""

    async def script(ws: ServerConnection) -> None:
        await server.read_on(ws)

    async with HostileServer(script) as server:
        session = await open_session(server, window=4, pong_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(SessionUnresponsiveError) as slow:
            for _ in range(100):
                await bounded(session.send("voice", block()))
        assert slow.value.code == "session_unresponsive" and time.monotonic() - started < 5
        assert session.state == "failed"
        with pytest.raises(SessionUnresponsiveError):
            await bounded(read_all(session))
        await bounded(server.disconnected.wait())


async def test_a_fatal_error_with_no_close_after_it_still_ends_the_session() -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.send(output(0))
        await ws.send(encode(ErrorMessage("session_processor_failed", "Node 'fx' threw: boom", fatal=True)))
        await server.read_on(ws)  # and never a close

    async with HostileServer(script) as server:
        session = await open_session(server, close_timeout=0.5)
        got: List[Any] = []
        with pytest.raises(SessionEndedError) as ended:
            async for item in session.outputs():
                got.append(item)
        assert ended.value.code == "session_processor_failed" and len(got) == 1
        await bounded(server.disconnected.wait())


async def test_close_against_a_server_that_never_answers_takes_one_close_timeout() -> None:
    async def script(ws: ServerConnection) -> None:
        await server.hold(ws)  # reads nothing, answers nothing, closes nothing

    async with HostileServer(script) as server:
        session = await open_session(server, close_timeout=0.5)
        started = time.monotonic()
        await bounded(session.close())
        assert time.monotonic() - started < 1.5
        assert session.state == "closed"


async def test_a_cancelled_close_still_closes_the_socket() -> None:
    """``asyncio.timeout()`` around a session that is closing: the close is cut short, the socket
    is closed anyway and the client's own close returns at once."""

    async def script(ws: ServerConnection) -> None:
        await server.read_on(ws)  # answers no close of the format

    async with HostileServer(script) as server:
        client = connect(server.url, close_timeout=30)
        session = await bounded(client.open("voice-fx"))
        closing = asyncio.ensure_future(session.close())
        await asyncio.sleep(0.2)
        closing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await closing
        assert session.state in ("closed", "failed")
        await bounded(server.disconnected.wait(), 2)
        await bounded(client.close(), 2)
        await bounded(session.close(), 2)


# Floods ----------------------------------------------------------------------


async def test_a_server_flooding_a_client_that_does_not_read_is_held_back() -> None:
    """1 MiB frames sent as fast as the server can: while nothing is read, what the server gets
    out is what the client buffers (its ``output_buffer_bytes``) plus the sockets' buffers, not
    the 200 MiB it tries to send; once read, every frame arrives in order."""
    total = 200
    frame = output(0, frames=(1 << 20) // 4)

    async def script(ws: ServerConnection) -> None:
        for i in range(total):
            await server.send(ws, output(i, frames=(1 << 20) // 4))
        await ws.send(encode(End("voice")))
        await ws.send(encode(Close()))
        await server.read_on(ws)

    async with HostileServer(script) as server:
        session = await open_session(server, output_buffer_bytes=8 << 20)
        last = -1
        for _ in range(40):  # until what the server sent holds still
            await asyncio.sleep(0.25)
            if server.sent_bytes == last:
                break
            last = server.sent_bytes
        assert server.sent_bytes < 40 * len(frame), f"the server got {server.sent_bytes >> 20} MiB out"
        got = await bounded(read_all(session), 60)
        assert [o.sequence for o in got] == list(range(total))
        assert session.state == "closed"


async def test_a_ping_flood_while_the_server_reads_nothing_stays_bounded() -> None:
    """Each wire ping asks for a pong; a server that sends 20,000 and reads none of the answers
    holds the client's pongs in its socket, and the client holds at most a few answers waiting."""

    async def script(ws: ServerConnection) -> None:
        for i in range(20_000):
            await ws.send(encode(Ping(id=i)))
        await server.hold(ws)

    async with HostileServer(script) as server:
        session = await open_session(server)
        for _ in range(20):
            await asyncio.sleep(0.1)
            assert len(session._pending) <= 64
        await bounded(session.close(), 15)


async def test_a_flood_of_refusals_keeps_the_last_64() -> None:
    async def script(ws: ServerConnection) -> None:
        for i in range(5_000):
            await ws.send(encode(ErrorMessage("app_frame_mismatch", f"refused {i}", fatal=False)))
        await ws.send(encode(End("voice")))
        await ws.send(encode(Close()))
        await server.read_on(ws)

    async with HostileServer(script) as server:
        session = await open_session(server)
        await bounded(read_all(session))
        assert len(session.errors) == 64 and session.errors[-1].message == "refused 4999"
        assert len(session._unreported) <= 64


async def test_pongs_the_client_never_asked_for_are_ignored() -> None:
    async def script(ws: ServerConnection) -> None:
        for i in range(1000):
            await ws.send(encode(Pong(id=10_000 + i)))
        await server.read_on(ws)

    async with HostileServer(script) as server:
        session = await open_session(server, close_timeout=1)
        await asyncio.sleep(0.2)
        assert session.state == "running"
        await bounded(session.close())


async def test_an_open_cancelled_while_the_server_does_not_answer_ends_at_once() -> None:
    """Cancelled while it waits for the ``accept``, ``open()`` drops the connection: it does not
    wait ``close_timeout`` for a server that answers nothing, not even a WebSocket close."""

    async def script(ws: ServerConnection) -> None:
        await server.hold(ws)

    async with HostileServer(script, accepted=False) as server:
        opening = asyncio.ensure_future(connect(server.url, close_timeout=30).open("voice-fx"))
        await asyncio.sleep(0.3)
        opening.cancel()
        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await bounded(opening, 5)
        assert time.monotonic() - started < 2


async def test_a_failure_inside_the_client_ends_the_session_instead_of_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in the reader (here a KeyError from its decoding step) fails the session with
    ``internal_error``: outputs() and send() raise it instead of waiting for ever."""

    async def script(ws: ServerConnection) -> None:
        await ws.send(output(0))
        await server.read_on(ws)

    def broken(self: Session, data: Any) -> Any:
        raise KeyError("boom")

    monkeypatch.setattr(Session, "_decode", broken)
    async with HostileServer(script) as server:
        session = await open_session(server)
        with pytest.raises(SessionEndedError) as ended:
            await bounded(read_all(session))
        assert ended.value.code == "internal_error" and "KeyError" in ended.value.message
        with pytest.raises(SessionEndedError):
            await session.send("voice", block())
        await bounded(server.disconnected.wait())


async def test_a_server_trickling_errors_instead_of_an_accept_times_out() -> None:
    """Non-fatal errors before the ``accept``, one every 0.2 s: ``open_timeout`` bounds the whole
    answer, not each message."""

    async def script(ws: ServerConnection) -> None:
        for i in range(100):
            await ws.send(encode(ErrorMessage("wire_malformed", f"not yet {i}", fatal=False)))
            await asyncio.sleep(0.2)

    async with HostileServer(script, accepted=False) as server:
        started = time.monotonic()
        with pytest.raises(ConnectionFailedError) as failed:
            await open_session(server, open_timeout=1)
        assert failed.value.code == "connection_failed" and time.monotonic() - started < 3


@asynccontextmanager
async def http_server(
    answer: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[str]:
    """A raw HTTP server answering each connection with ``answer``; yields its sessions URL."""
    listener = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield f"ws://127.0.0.1:{listener.sockets[0].getsockname()[1]}/v1/sessions"
    finally:
        listener.close()
        await listener.wait_closed()


async def test_a_pipeline_listing_without_end_is_refused_at_the_bound() -> None:
    """A server answering ``GET /v1/pipelines`` with JSON that never ends: the client reads at
    most :data:`MAX_LISTING_BYTES` and one byte, then fails with ``connection_failed``."""
    from streamlib_client.client import MAX_LISTING_BYTES

    sent = 0
    chunk = b'"x",' * 16_384

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"pipelines\":[")
        try:
            while sent < 1 << 30:
                writer.write(chunk)
                sent += len(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async with http_server(answer) as url:
        with pytest.raises(ConnectionFailedError) as failed:
            await bounded(connect(url).pipelines())
        assert failed.value.code == "connection_failed"
        assert f"over {MAX_LISTING_BYTES} bytes" in failed.value.message
        assert sent < 4 * MAX_LISTING_BYTES, f"the client read {sent} bytes"


@pytest.mark.parametrize("status", [b"200 OK", b"401 Unauthorized"])
async def test_a_listing_or_refusal_trickled_a_byte_at_a_time_ends_at_the_open_timeout(status: bytes) -> None:
    """A server sending its listing (or its refusal) one byte every 0.1 s: each read is within the
    socket's timeout, but the whole answer is bounded by ``open_timeout``."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n\r\n")
        try:
            for _ in range(600):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.1)
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async with http_server(answer) as url:
        started = time.monotonic()
        with pytest.raises(ConnectionFailedError) as failed:
            await bounded(connect(url, open_timeout=1).pipelines())
        assert failed.value.code == "connection_failed"
        assert time.monotonic() - started < 3
