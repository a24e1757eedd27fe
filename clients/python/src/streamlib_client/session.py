"""One streaming pipeline session over one WebSocket: :class:`Session`, made by ``Client.open()``.

A session sends frames to the pipeline's named inputs (:meth:`Session.send`, which paces itself:
back-pressure reaches the caller), ends each input
(:meth:`Session.end`), yields what the pipeline's outputs produce (:meth:`Session.outputs`), and
closes (:meth:`Session.close`). Read the outputs while sending: a pipeline whose outputs nobody
reads stalls, and then so do the sends. The messages are those of ``docs/wire_format.md``.

Pacing: the server holds a bounded number of a client's frames before its graph takes them (past it
the session ends with ``input_overrun``), and answers a ``ping`` once every message before it was
handled. So, like the TypeScript client, :meth:`Session.send` sends a ``ping`` every ``window / 2``
frames and waits while ``window`` frames, or a message's worth of bytes, are not confirmed by a
``pong``; it also waits while the socket's write buffer is full. A server that never confirms
ends the session after ``pong_timeout`` (``session_unresponsive``) instead of holding the sender.

Bounds against a faulty or hostile server: unread outputs are held up to ``output_buffer`` frames
and ``output_buffer_bytes`` bytes, then the socket is not read (TCP holds the server back); pings
are answered at most :data:`MAX_PENDING_PONGS` at a time; a fatal ``error`` with no ``close`` after
it ends the session after ``close_timeout``; :meth:`Session.close` takes at most ``close_timeout``
and, cancelled, aborts the connection.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import AsyncIterator, Callable, Deque, Dict, List, Literal, Mapping, Optional, Set, Tuple, Union

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from .errors import (
    ConfigureRefusedError,
    ConnectionLostError,
    FrameRefusedError,
    SessionEndedError,
    SessionUnresponsiveError,
    StreamlibError,
)
from .frames import as_wire_frame
from .wire import (
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
    Frame,
    FrameMessage,
    Message,
    Parameters,
    Ping,
    Pong,
    Port,
    VideoFrame,
    WireError,
    decode,
    encode,
)

MAX_KEPT_ERRORS = 64
"""Non-fatal errors a session keeps (``errors``), as the TypeScript client does."""
MAX_PENDING_PONGS = 16
"""Pongs a session has waiting to be written before it stops reading (a server flooding pings)."""
_MESSAGE_TOO_BIG = 1009
"""The WebSocket close code of a message over the size limit (RFC 6455)."""

__all__ = ["Output", "Session", "SessionState"]

_FRAME_CLASSES = (AudioFrame, VideoFrame, EncodedVideoFrame, EncodedAudioFrame, DataFrame)

SessionState = Literal["running", "closing", "closed", "failed"]
"""``running`` until the session ends: ``closed`` (normally) or ``failed`` (with :attr:`Session.error`)."""


@dataclass(frozen=True)
class Output:
    """A frame from one of the pipeline's outputs, with its sequence number and metadata.

    ``sequence`` and ``metadata`` are those the input frame it came from was sent with (see
    ``docs/sessions.md``: a frame made on a processor's own timeline carries the latest one's).
    """

    output: str
    frame: Frame
    sequence: int
    metadata: Dict[str, str] = field(default_factory=dict)


class Session:
    """A running session of a named pipeline; made by :meth:`streamlib_client.Client.open`.

    Use it as an async context manager (``async with await client.open(...) as session``) or
    call :meth:`close`. :attr:`inputs` and :attr:`output_ports` are what the server's ``accept``
    said: each port's name and frame kind.
    """

    def __init__(
        self,
        websocket: ClientConnection,
        accept: Accept,
        *,
        pipeline: str,
        output_buffer: int = 64,
        output_buffer_bytes: int = 32 << 20,
        close_timeout: float = 10.0,
        pong_timeout: Optional[float] = 60.0,
        window: int = 32,
        receive_limit: int = 17 << 20,
        on_finish: Optional[Callable[["Session"], None]] = None,
    ) -> None:
        self.id: str = accept.session_id
        """The session's id, as the server named it."""
        self.pipeline: str = pipeline
        """The pipeline's name."""
        self.inputs: Dict[str, Port] = {port.name: port for port in accept.inputs}
        """The pipeline's inputs by name."""
        self.output_ports: Dict[str, Port] = {port.name: port for port in accept.outputs}
        """The pipeline's outputs by name."""
        self.max_message_bytes: int = accept.max_message_bytes
        """The largest message the server takes on this session."""
        self.errors: List[StreamlibError] = []
        """The last 64 non-fatal errors the server sent (refused frames), oldest first."""
        self.state: SessionState = "running"
        """Where the session is."""
        self.error: Optional[StreamlibError] = None
        """The error that ended the session, once :attr:`state` is ``failed``."""
        self._ws = websocket
        self._capacity = max(1, output_buffer)
        self._capacity_bytes = max(1, output_buffer_bytes)
        self._buffered_bytes = 0
        self._pong_timeout = pong_timeout
        self._receive_limit = receive_limit
        self._close_timeout = close_timeout
        self._send_lock = asyncio.Lock()
        self._sequences: Dict[str, int] = {}
        self._ended_inputs: Set[str] = set()
        self._open_outputs: Set[str] = set(self.output_ports)
        self._buffer: Deque[Output] = deque()
        self._readable = asyncio.Event()
        self._space = asyncio.Event()
        self._finished = asyncio.Event()
        # At most the last 64, as ``errors``: a session whose every frame is refused, with no
        # send() to raise them, must not grow without bound.
        self._unreported: Deque[StreamlibError] = deque(maxlen=MAX_KEPT_ERRORS)
        self._pending: Set["asyncio.Task[None]"] = set()
        self._answers: Set["asyncio.Task[None]"] = set()
        # Pacing: frames and bytes sent, and how many of them pongs confirmed; each ping marks
        # the counts it confirms (and the caller's waiter of ping()).
        self._window = max(1, window)
        self._sent_frames = 0
        self._sent_bytes = 0
        self._confirmed_frames = 0
        self._confirmed_bytes = 0
        self._pinged_frames = 0
        self._next_ping = 1
        self._marks: Dict[int, Tuple[int, int]] = {}
        self._pings: Dict[int, "asyncio.Future[float]"] = {}
        self._confirmed = asyncio.Event()
        # configure(): the answers awaited, by request id, oldest first.
        self._configures: Dict[int, "asyncio.Future[None]"] = {}
        self._next_configure = 0
        self._closing = False
        self._on_finish = on_finish
        self._reader = asyncio.get_running_loop().create_task(self._read())

    # Sending ----------------------------------------------------------------

    async def send(
        self,
        input: str,
        frame: Frame,
        metadata: Optional[Mapping[str, str]] = None,
        *,
        sequence: Optional[int] = None,
    ) -> int:
        """Sends one frame to the input named ``input``; returns its sequence number.

        Waits while ``window`` frames sent are not confirmed taken by the pipeline, and while
        the socket's write buffer is full: a sender never runs ahead of the graph. Audio samples may be an ``array('f')`` or a
        numpy array (see :func:`streamlib_client.frames.audio_frame`).

        :param metadata: string pairs carried with the frame to the outputs.
        :param sequence: the frame's sequence number; by default one more than the last sent on
            this input, from 0.
        :raises FrameRefusedError: ``app_port_not_found`` (no such input), ``app_port_ended``
            (after ``end()``), ``app_frame_mismatch`` (a frame of another kind than the input's),
            ``message_too_large`` (over :attr:`max_message_bytes`), or a refusal the server sent
            for an earlier frame (each is raised once, by the next ``send()`` or ``end()``).
        :raises SessionEndedError: the session ended (its code), or was closed (``session_closed``).
        :raises SessionUnresponsiveError: the server confirmed nothing for ``pong_timeout``
            seconds while this send waited; the session is ended.
        :raises ConnectionLostError: the connection broke.

        Cancelling a send (``asyncio.timeout()``, ``wait_for``) while it waits sends nothing and
        uses no sequence number; the session goes on.
        """
        self._check_open()
        port = self._input(input)
        if input in self._ended_inputs:
            raise FrameRefusedError(
                "app_port_ended", f"Cannot send to '{input}': the input was ended", {"session": self.id, "port": input}
            )
        wire_frame = as_wire_frame(frame)
        kind = getattr(wire_frame, "kind", None)
        if not isinstance(wire_frame, _FRAME_CLASSES):
            raise FrameRefusedError(
                "app_frame_mismatch",
                f"Cannot send a {type(frame).__name__} to '{input}': expected a frame (AudioFrame, "
                "VideoFrame, EncodedVideoFrame, EncodedAudioFrame or DataFrame; "
                "audio_frame(samples, sample_rate, channels) makes an audio one)",
                {"session": self.id, "port": input, "field": "frame", "expected": port.kind},
            )
        if port.kind != "any" and kind != port.kind:
            raise FrameRefusedError(
                "app_frame_mismatch",
                f"Cannot send a {kind} frame to '{input}': the input takes {port.kind} frames",
                {"session": self.id, "port": input, "field": "kind", "expected": port.kind},
            )
        number = self._sequences.get(input, 0) if sequence is None else sequence
        message = FrameMessage(port=input, sequence=number, frame=wire_frame, metadata=dict(metadata or {}))
        try:
            data = encode(message, max_message_bytes=self.max_message_bytes)
        except WireError as error:
            if error.code == "wire_too_large" and error.details.get("field") == "message":
                raise FrameRefusedError(
                    "message_too_large", f"Cannot send to '{input}': {error.message}", {"session": self.id, "port": input}
                ) from None
            raise
        self._raise_unreported()
        await self._pace(len(data))
        self._sequences[input] = number + 1
        await self._write(data, frame=True)
        if self._sent_frames - self._pinged_frames >= max(1, self._window // 2):
            await self._ping()
        else:
            await asyncio.sleep(0)  # a send that never waited still lets the reader run
        return number

    def end(self, input: str) -> "asyncio.Task[None]":
        """Ends the stream of the input named ``input``: no frame follows on it.

        Returns at once with a task that sends the ``end`` message after every frame sent
        before it; await it to know it was written (:meth:`close` and :meth:`outputs` do not
        need it awaited). Ending an input twice does nothing more.

        :raises FrameRefusedError: ``app_port_not_found`` (no such input), or a refusal the
            server sent for an earlier frame.
        :raises SessionEndedError: the session ended or was closed.
        """
        self._check_open()
        self._input(input)
        self._raise_unreported()
        loop = asyncio.get_running_loop()
        if input in self._ended_inputs:
            done: "asyncio.Task[None]" = loop.create_task(asyncio.sleep(0))
            return done
        self._ended_inputs.add(input)
        task = loop.create_task(self._write(encode(End(port=input))))
        self._pending.add(task)
        task.add_done_callback(self._settled)
        return task

    async def ping(self, timeout: float = 10.0) -> float:
        """Sends a wire ``ping`` and waits for its ``pong``; returns the round trip in seconds.

        :raises SessionEndedError: the session ended (or :class:`ConnectionLostError`).
        :raises SessionUnresponsiveError: no pong came within ``timeout`` (``session_unresponsive``,
            a ``TimeoutError``); the session goes on.
        """
        self._check_open()
        waiter: "asyncio.Future[float]" = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        number = await self._ping(waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except asyncio.TimeoutError:
            raise SessionUnresponsiveError(
                f"Session '{self.id}': no pong for ping {number} within {timeout} s", {"session": self.id, "timeout": timeout}
            ) from None
        finally:
            self._pings.pop(number, None)
        return time.perf_counter() - started

    async def configure(self, values: Parameters, timeout: Optional[float] = 10.0) -> None:
        """Changes parameters of the running session: the pipeline's declared ``parameters``
        whose fields change while it runs (a Gain's ``gain``). All the values are taken, or none.

        Returns once the server's pipeline took them: frames sent after it returns are processed
        with the new values (and so is any frame sent after this call began, since the server
        takes messages in order). Several calls may wait at once; the server holds a few and
        refuses more with ``configure_overrun``.

        :param values: the new values by parameter name, a JSON object (``{"gain": 3}``).
        :param timeout: seconds to wait for the server's answer (``None``: no limit).
        :raises ConfigureRefusedError: the server refused the values; the session goes on
            unchanged. ``unknown_parameter``, ``invalid_parameter``, ``config_locked`` (a parameter
            set only at start; the message lists the ones that change live), ``configure_overrun``,
            ``session_unresponsive``, ``server_shutting_down``, or ``wire_version`` (the server is
            older than wire version 3).
        :raises WireError: ``values`` is not a JSON object within the format's bounds
            (``wire_malformed``, ``wire_too_large``); nothing was sent.
        :raises SessionEndedError: the session ended (or :class:`ConnectionLostError`).
        :raises SessionUnresponsiveError: no answer within ``timeout``; the session goes on, and
            the change may still be taken.
        """
        self._check_open()
        number = self._next_configure
        data = encode(Configure(id=number, parameters=values), max_message_bytes=self.max_message_bytes)
        self._next_configure = (number + 1) % (1 << 32)
        waiter: "asyncio.Future[None]" = asyncio.get_running_loop().create_future()
        self._configures[number] = waiter
        try:
            await self._write(data)
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except asyncio.TimeoutError:
            raise SessionUnresponsiveError(
                f"Session '{self.id}': no answer to configure {number} within {timeout} s",
                {"session": self.id, "timeout": timeout},
            ) from None
        finally:
            self._configures.pop(number, None)

    # Receiving --------------------------------------------------------------

    async def outputs(self) -> AsyncIterator[Output]:
        """Yields every output frame as it arrives, in order, until the session ends: the server's
        ``close`` (which follows the ``end`` of every output), or :meth:`close`.

        Frames that arrived before the session ended are all yielded first; then, if it ended
        with an error (the ``close`` had a code), that error is raised.

        :raises SessionEndedError: the session ended with a code (a processor failed, a limit).
        :raises ConnectionLostError: the connection broke before the session ended.
        """
        while True:
            if self._buffer:
                item = self._buffer.popleft()
                self._buffered_bytes -= _frame_bytes(item.frame)
                self._space.set()
                yield item
                continue
            if self._finished.is_set():
                if self.error is not None:
                    raise self.error
                return
            self._readable.clear()
            await self._readable.wait()

    async def close(self) -> None:
        """Ends the session: sends ``close`` and waits for the server to close its side, then
        closes the socket, all within the close timeout. Frames not read are dropped. Idempotent; a
        session that already failed closes without raising. Cancelled (``asyncio.timeout()``, a
        task cancelled on Ctrl-C), it aborts the connection before the cancellation goes on, so
        the socket is freed either way."""
        if self._closing:
            await self._finished.wait()
            return
        self._closing = True
        self._settle_configures()  # closed by the caller: no answer is waited for
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._close_timeout
        try:
            if not self._finished.is_set():
                if self._pending:
                    await asyncio.wait(set(self._pending), timeout=self._close_timeout)
                if self.state == "running":
                    self.state = "closing"
                try:
                    await asyncio.wait_for(self._send_close(), max(0.0, deadline - loop.time()))
                except (asyncio.TimeoutError, ConnectionClosed):
                    pass  # a send stuck on a full socket, or a server already gone: close anyway
                self._space.set()  # a reader blocked on a full buffer drops what it holds
                try:
                    await asyncio.wait_for(asyncio.shield(self._finished.wait()), max(0.0, deadline - loop.time()))
                except asyncio.TimeoutError:
                    pass
            try:
                await asyncio.wait_for(self._ws.close(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                self._abort()
        except BaseException:
            self._abort()  # cancelled: free the socket now, then let the cancellation go on
            raise
        finally:
            self._reader.cancel()
            self._finish(None)
        await asyncio.gather(self._reader, return_exceptions=True)

    async def __aenter__(self) -> "Session":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # Internals --------------------------------------------------------------

    def _abort(self) -> None:
        """Drops the connection at once (no closing handshake)."""
        transport = self._ws.transport
        if transport is not None:
            transport.abort()

    def _check_open(self) -> None:
        if self.error is not None:
            raise self.error
        if self._closing or self.state != "running":
            raise SessionEndedError("session_closed", f"Session '{self.id}' is closed", {"session": self.id})

    def _input(self, name: str) -> Port:
        port = self.inputs.get(name)
        if port is None:
            names = ", ".join(self.inputs) or "none"
            raise FrameRefusedError(
                "app_port_not_found",
                f"Cannot send to '{name}': the pipeline '{self.pipeline}' has no such input, available inputs: {names}",
                {"session": self.id, "port": name, "available": list(self.inputs)},
            )
        return port

    def _raise_unreported(self) -> None:
        if self._unreported:
            raise self._unreported.popleft()

    def _settled(self, task: "asyncio.Task[None]") -> None:
        self._pending.discard(task)
        if not task.cancelled():
            task.exception()  # the failure is the session's; reported by outputs() and the next call

    async def _pace(self, size: int) -> None:
        """Waits while the frames (or bytes) sent and not yet confirmed fill the window."""
        while self._sent_frames > self._confirmed_frames and (
            self._sent_frames - self._confirmed_frames >= self._window
            or self._sent_bytes - self._confirmed_bytes + size > self.max_message_bytes
        ):
            if self._pinged_frames < self._sent_frames:
                await self._ping()
            self._confirmed.clear()
            try:
                await asyncio.wait_for(self._confirmed.wait(), self._pong_timeout)
            except asyncio.TimeoutError:
                await self._fail(self._unresponsive())
            self._check_open()

    async def _ping(self, waiter: "Optional[asyncio.Future[float]]" = None) -> int:
        number = self._next_ping
        self._next_ping += 1
        if waiter is not None:
            self._pings[number] = waiter
        async with self._send_lock:
            self._marks[number] = (self._sent_frames, self._sent_bytes)
            self._pinged_frames = self._sent_frames
            await self._send_locked(encode(Ping(id=number)))
        return number

    def _pong(self, number: int) -> None:
        mark = self._marks.pop(number, None)
        if mark is not None:
            for older in [n for n in self._marks if n < number]:
                del self._marks[older]
            self._confirmed_frames = max(self._confirmed_frames, mark[0])
            self._confirmed_bytes = max(self._confirmed_bytes, mark[1])
            self._confirmed.set()
        waiter = self._pings.get(number)
        if waiter is not None and not waiter.done():
            waiter.set_result(0.0)

    async def _write(self, data: bytes, frame: bool = False) -> None:
        async with self._send_lock:
            await self._send_locked(data)
            if frame:
                self._sent_frames += 1
                self._sent_bytes += len(data)

    async def _send_locked(self, data: bytes) -> None:
        try:
            self._check_failed()
            await self._ws.send(data)
        except ConnectionClosed:
            # The reader sees the same close: wait for it to say why (a close message's code).
            await asyncio.wait({self._reader}, timeout=self._close_timeout)
            self._check_failed()
            raise self._lost("while sending") from None

    def _check_failed(self) -> None:
        if self.error is not None:
            raise self.error

    def _unresponsive(self) -> SessionUnresponsiveError:
        waiting = self._sent_frames - self._confirmed_frames
        unread = f"; {len(self._buffer)} output frames wait unread: read outputs() while sending" if self._buffer else ""
        return SessionUnresponsiveError(
            f"Session '{self.id}' of '{self.pipeline}': the server confirmed none of {waiting} frames within "
            f"{self._pong_timeout} s (no pong){unread}",
            {"session": self.id, "timeout": self._pong_timeout, "unconfirmed": waiting, "unread": len(self._buffer)},
        )

    async def _fail(self, error: StreamlibError) -> None:
        """Ends the session with ``error`` from this side: tells the server (a fatal ``error`` and a
        ``close`` with its code, when the socket takes them within the close timeout), closes."""
        if self._finished.is_set():
            return
        self._finish(error)
        self._reader.cancel()

        async def tell() -> None:
            async with self._send_lock:
                await self._ws.send(encode(ErrorMessage(code=error.code, message=error.message[:4096], fatal=True)))
                await self._ws.send(encode(Close(code=error.code, message="")))
            await self._ws.close()

        try:
            await asyncio.wait_for(tell(), self._close_timeout)
        except (asyncio.TimeoutError, ConnectionClosed):
            self._abort()
        except BaseException:
            self._abort()
            raise

    def _lost(self, when: str) -> ConnectionLostError:
        code = self._ws.close_code
        how = f"WebSocket close code {code}" if code is not None else "no close frame"
        return ConnectionLostError(
            f"Session '{self.id}' of '{self.pipeline}': the connection to the server broke {when} ({how}) before the session ended",
            {"session": self.id},
        )

    def _finish(self, error: Optional[StreamlibError]) -> None:
        if self._finished.is_set():
            return
        if error is not None and self.error is None:
            self.error = error
        self.state = "failed" if self.error is not None else "closed"
        self._finished.set()
        self._confirmed.set()
        if self._on_finish is not None:
            self._on_finish(self)
        self._readable.set()
        self._space.set()
        for waiter in self._pings.values():
            if not waiter.done():
                waiter.set_exception(self.error or SessionEndedError("session_closed", f"Session '{self.id}' is closed"))
                waiter.exception()
        self._settle_configures()

    def _settle_configures(self) -> None:
        """Ends every configure() still waiting: with the session's error, else ``session_closed``."""
        for answer in self._configures.values():
            if not answer.done():
                answer.set_exception(self.error or SessionEndedError("session_closed", f"Session '{self.id}' is closed", {"session": self.id}))
                answer.exception()

    async def _read(self) -> None:
        fatal: Optional[StreamlibError] = None
        try:
            while True:
                try:
                    if fatal is None:
                        data = await self._ws.recv()
                    else:  # a close follows a fatal error; a server that sends none is not waited for
                        data = await asyncio.wait_for(self._ws.recv(), self._close_timeout)
                except asyncio.TimeoutError:
                    assert fatal is not None
                    self._finish(fatal)
                    await self._close_socket()
                    return
                except ConnectionClosed as closed:
                    sent = closed.sent
                    if sent is not None and sent.code == _MESSAGE_TOO_BIG and fatal is None:
                        fatal = WireError(
                            "wire_too_large",
                            f"Cannot decode a message from the server: over the limit of {self._receive_limit} bytes "
                            "(connect(max_message_bytes=...) takes larger frames)",
                            "message",
                        )
                    self._finish(fatal or (None if self._closing else self._lost("while receiving")))
                    return
                message = self._decode(data)
                if isinstance(message, FrameMessage):
                    await self._deliver(message)
                elif isinstance(message, End):
                    if message.port not in self.output_ports:
                        raise self._unexpected(f"an end of '{message.port}', which is not an output")
                    self._open_outputs.discard(message.port)
                    self._readable.set()
                elif isinstance(message, Close):
                    if message.code:
                        fatal = fatal or SessionEndedError(
                            message.code, message.message or f"The server closed the session with {message.code}", {"session": self.id}
                        )
                    self._finish(fatal)
                    await self._close_socket()
                    return
                elif isinstance(message, Configured):
                    self._configured(message)
                elif isinstance(message, ErrorMessage) and not message.fatal and message.code == "wire_version" and self._configures:
                    # A server older than wire version 3 refuses a configure as a version it does
                    # not read, in its turn; nothing else this client sends is version 3.
                    self._answer_oldest(
                        ConfigureRefusedError(
                            "wire_version",
                            f"Session '{self.id}': the server does not take configure (wire version 3): {message.message}",
                            {"session": self.id},
                        )
                    )
                elif isinstance(message, ErrorMessage):
                    error_class = SessionEndedError if message.fatal else FrameRefusedError
                    error = error_class(message.code, message.message, {"session": self.id})
                    if message.fatal:
                        fatal = fatal or error
                    else:
                        if len(self.errors) >= MAX_KEPT_ERRORS:
                            del self.errors[0]
                        self.errors.append(error)
                        self._unreported.append(error)
                elif isinstance(message, Ping):
                    if len(self._answers) >= MAX_PENDING_PONGS:
                        # A server that pings and does not read the answers: stop reading it.
                        await asyncio.wait(set(self._answers), return_when=asyncio.FIRST_COMPLETED)
                    task = asyncio.get_running_loop().create_task(self._answer_ping(message.id))
                    self._answers.add(task)
                    task.add_done_callback(self._answers.discard)
                elif isinstance(message, Pong):
                    self._pong(message.id)
                else:
                    raise self._unexpected(f"a {message.type} message after the session was accepted")
        except StreamlibError as error:
            # A message this side cannot decode is answered with the decoder's code (one out of
            # order with wire_unexpected), and the session ends: the stream cannot be trusted.
            try:
                async with self._send_lock:
                    await asyncio.wait_for(self._send_error(error), self._close_timeout)
            except (ConnectionClosed, asyncio.TimeoutError):
                pass
            self._finish(error)
            await self._close_socket()
        except asyncio.CancelledError:
            self._finish(None)
            raise
        except Exception as error:  # a bug here must not leave outputs() and send() waiting for ever
            failure = SessionEndedError(
                "internal_error", f"Session '{self.id}': the client's reader failed: {error!r}", {"session": self.id}
            )
            failure.__cause__ = error
            self._finish(failure)
            self._abort()
        finally:
            for task in self._answers:
                task.cancel()

    def _configured(self, message: Configured) -> None:
        """Settles the configure the server answered."""
        waiter = self._configures.get(message.id)
        if waiter is None:
            if message.id >= self._next_configure:
                raise self._unexpected(f"an answer to configure {message.id}, which was not sent")
            return  # a late answer, after its configure() timed out
        if waiter.done():
            return
        if message.code:
            waiter.set_exception(ConfigureRefusedError(message.code, message.message, {"session": self.id}))
            waiter.exception()  # retrieved: a configure() cancelled meanwhile leaves no warning
        else:
            waiter.set_result(None)

    def _answer_oldest(self, error: ConfigureRefusedError) -> None:
        for waiter in self._configures.values():
            if not waiter.done():
                waiter.set_exception(error)
                waiter.exception()
                return

    async def _send_error(self, error: StreamlibError) -> None:
        await self._ws.send(encode(ErrorMessage(code=error.code, message=error.message[:4096], fatal=True)))
        await self._ws.send(encode(Close(code=error.code, message="")))

    async def _close_socket(self) -> None:
        """Closes the WebSocket within the close timeout, else drops it."""
        try:
            await asyncio.wait_for(self._ws.close(), self._close_timeout)
        except asyncio.TimeoutError:
            self._abort()

    def _decode(self, data: Union[str, bytes]) -> Message:
        if isinstance(data, str):
            raise WireError("wire_malformed", "Cannot decode a text WebSocket message: every message is binary", "message")
        return decode(data, max_message_bytes=self._receive_limit)

    def _unexpected(self, what: str) -> SessionEndedError:
        return SessionEndedError("wire_unexpected", f"Session '{self.id}' cannot take {what}", {"session": self.id})

    async def _deliver(self, message: FrameMessage) -> None:
        if message.port not in self.output_ports:
            raise self._unexpected(f"a frame from '{message.port}', which is not an output")
        if message.port not in self._open_outputs:
            raise self._unexpected(f"a frame from '{message.port}' after its end")
        size = _frame_bytes(message.frame)
        while self._buffer and (len(self._buffer) >= self._capacity or self._buffered_bytes + size > self._capacity_bytes) and not self._closing:
            # Back-pressure: stop reading the socket until the caller reads; the server's
            # sends then wait on TCP.
            self._space.clear()
            await self._space.wait()
        if self._closing:
            return
        self._buffer.append(Output(output=message.port, frame=message.frame, sequence=message.sequence, metadata=message.metadata))
        self._buffered_bytes += size
        self._readable.set()

    async def _send_close(self) -> None:
        async with self._send_lock:
            await self._ws.send(encode(Close()))

    async def _answer_ping(self, number: int) -> None:
        try:
            async with self._send_lock:
                await self._ws.send(encode(Pong(id=number)))
        except ConnectionClosed:
            pass

    def __repr__(self) -> str:
        return f"Session(id={self.id!r}, pipeline={self.pipeline!r}, state={self.state!r})"


def _frame_bytes(frame: Frame) -> int:
    """About what a received frame holds in memory: its samples, pixels or bytes."""
    if isinstance(frame, AudioFrame):
        return len(frame.samples) * 4
    if isinstance(frame, DataFrame):
        return 64
    return len(frame.data) + 64
