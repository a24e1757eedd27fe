"""The client of a ``streamlib serve`` server: :func:`connect` and :class:`Client`.

Each session is one WebSocket to the server's sessions URL: its first message opens a named
pipeline with the token, the server's ``accept`` lists the inputs and outputs
(``docs/wire_format.md``). :meth:`Client.open` streams, :meth:`Client.execute` runs a pipeline once
over whole inputs (unary).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import (
    Any,
    AsyncIterable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Set,
    Tuple,
    Union,
)

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from .errors import ConnectionFailedError, ConnectionLostError, SessionRefusedError
from .session import Output, Session
from .wire import DEFAULT_MAX_MESSAGE_BYTES, Accept, Close, ErrorMessage, Frame, Open, Parameters, WireError, decode, encode

__all__ = ["Client", "connect", "ExecuteInput", "ENVELOPE_BYTES"]

ENVELOPE_BYTES = 1 << 20
"""Room over ``max_message_bytes`` for a message's header, port and metadata around its frame."""

MAX_LISTING_BYTES = 16 << 20
"""The largest pipeline listing :meth:`Client.pipelines` reads (the TypeScript client's bound too)."""

ExecuteInput = Union[Frame, Tuple[Frame, Mapping[str, str]]]
"""What :meth:`Client.execute` takes per frame: a frame, or a frame and its metadata."""


def _read_within(response: Any, limit: int, deadline: float) -> bytes:
    """At most ``limit`` bytes of ``response``'s body, read before ``deadline`` (``time.monotonic()``)."""
    chunks: List[bytes] = []
    total = 0
    while total < limit:
        if time.monotonic() > deadline:
            raise TimeoutError("the answer did not arrive within the open timeout")
        chunk = response.read1(min(64 * 1024, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


class Client:
    """Opens sessions on one server; made by :func:`connect`.

    Use it as an async context manager: leaving it closes every session it opened.
    """

    def __init__(
        self,
        url: str,
        token: str = "",
        *,
        metadata: Optional[Mapping[str, str]] = None,
        open_timeout: float = 30.0,
        close_timeout: float = 10.0,
        output_buffer: int = 64,
        output_buffer_bytes: int = 32 << 20,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        window: int = 32,
        pong_timeout: Optional[float] = 60.0,
    ) -> None:
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError(f"Invalid window: must be a positive integer, got {window!r}")
        self.url = url
        """The server's sessions URL (``ws://host:port/...`` or ``wss://``)."""
        self.metadata: Dict[str, str] = dict(metadata or {})
        """Sent with every ``open``: what the client says about itself."""
        self._token = token
        self._open_timeout = open_timeout
        self._close_timeout = close_timeout
        self._output_buffer = output_buffer
        self._output_buffer_bytes = output_buffer_bytes
        self._pong_timeout = pong_timeout
        self._max_message_bytes = max_message_bytes
        self._window = window
        self._sessions: Set[Session] = set()

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(
        self,
        pipeline: str,
        metadata: Optional[Mapping[str, str]] = None,
        parameters: Optional[Parameters] = None,
    ) -> Session:
        """Opens a session of the pipeline named ``pipeline`` on the server.

        :param metadata: sent with the ``open``, beside the client's own.
        :param parameters: values of the pipeline's ``parameters`` (``{"gain": 3}``): the config
            fields its manifest lets a caller choose. Sent in a version 2 ``open``; ``None`` or
            ``{}`` sends a version 1 ``open``, as before.
        :raises SessionRefusedError: the server refused it, with its code (an unknown pipeline,
            a wrong or missing token, too many sessions; ``unknown_parameter`` for a parameter the
            pipeline does not declare, its message listing those it does; ``invalid_parameter``
            for a value its field refuses).
        :raises WireError: ``parameters`` or ``metadata`` the wire format cannot carry (not a
            JSON object of names to values, over 65,535 bytes of JSON), before connecting.
        :raises ConnectionFailedError: the server could not be reached, or an HTTP answer without
            a code refused the WebSocket (a proxy with no server behind it).
        :raises ConnectionLostError: the connection broke before the server answered.
        """
        # Encoded first: what the format cannot carry is refused before anything connects.
        request = encode(
            Open(
                pipeline=pipeline,
                token=self._token,
                metadata={**self.metadata, **(metadata or {})},
                parameters=_chosen(parameters),
            )
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._open_timeout  # the connection and the accept, together
        try:
            websocket = await ws_connect(
                self.url,
                open_timeout=self._open_timeout,
                close_timeout=self._close_timeout,
                max_size=self._max_message_bytes + ENVELOPE_BYTES,
                compression=None,  # PCM and pixels do not deflate well; the CPU is better spent on frames
                # At most 4 messages wait in websockets' queue (its default, 16, is up to 16 of the
                # largest messages); past them it stops reading the socket.
                max_queue=4,
            )
        except InvalidStatus as error:
            raise _refused_by_status(self.url, error) from None
        except (OSError, InvalidURI, InvalidHandshake, asyncio.TimeoutError) as error:
            raise ConnectionFailedError(f"Cannot connect to {self.url}: {error}", {"url": self.url}) from None
        try:
            accept = await self._handshake(websocket, pipeline, request, deadline)
        except asyncio.CancelledError:
            websocket.transport.abort()  # cancelled while opening: free the socket now
            raise
        except BaseException:
            try:
                await asyncio.wait_for(websocket.close(), self._close_timeout)
            except asyncio.TimeoutError:
                websocket.transport.abort()
            raise
        session = Session(
            websocket,
            accept,
            pipeline=pipeline,
            output_buffer=self._output_buffer,
            output_buffer_bytes=self._output_buffer_bytes,
            close_timeout=self._close_timeout,
            pong_timeout=self._pong_timeout,
            window=self._window,
            receive_limit=self._max_message_bytes + ENVELOPE_BYTES,
            on_finish=self._sessions.discard,
        )
        self._sessions.add(session)
        return session

    async def pipelines(self) -> List[Dict[str, Any]]:
        """The pipelines this client's token may open on a ``streamlib serve``, with their inputs,
        outputs and parameters (``GET /v1/pipelines`` beside the sessions URL's ``/v1/sessions``).

        Each is a dict: ``name``, ``inputs`` and ``outputs`` (lists of names), and ``parameters``,
        by name: ``target``, ``description``, and when the server knows the processor ``schema``
        (the field's JSON Schema), ``default`` and ``live`` (whether :meth:`Session.configure` may
        change it while the session runs).

        :raises SessionRefusedError: the server refused, with its code (``missing_token``,
            ``invalid_token``; ``not_found`` from a server without the listing).
        :raises ConnectionFailedError: the server could not be reached within ``open_timeout``,
            or answered without a listing (not a ``streamlib serve``).
        """
        parts = urllib.parse.urlsplit(self.url)
        scheme = "https" if parts.scheme == "wss" else "http"
        path = re.sub(r"/v1/sessions/?$", "", parts.path) + "/v1/pipelines"
        url = urllib.parse.urlunsplit((scheme, parts.netloc, path, "", ""))
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}

        def fetch() -> Tuple[int, bytes]:
            request = urllib.request.Request(url, headers=headers)
            # The socket's timeout bounds each read; the deadline bounds the whole answer, so a
            # server trickling its listing cannot hold the call past about twice open_timeout.
            deadline = time.monotonic() + self._open_timeout
            try:
                with urllib.request.urlopen(request, timeout=self._open_timeout) as response:
                    # One byte past the bound tells an over-long listing from one that fits.
                    return int(response.status), _read_within(response, MAX_LISTING_BYTES + 1, deadline)
            except urllib.error.HTTPError as refused:
                return int(refused.code), _read_within(refused, 1 << 20, deadline)

        try:
            status, body = await asyncio.to_thread(fetch)
        except (OSError, ValueError) as error:
            raise ConnectionFailedError(f"Cannot list the pipelines at {url}: {error}") from None
        if len(body) > MAX_LISTING_BYTES:
            raise ConnectionFailedError(
                f"Cannot list the pipelines at {url}: the answer is over {MAX_LISTING_BYTES} bytes"
            )
        try:
            answer: Any = json.loads(body)
        except ValueError:
            answer = None
        if isinstance(answer, dict):
            refusal = answer.get("error")
            if status >= 400 and isinstance(refusal, dict) and isinstance(refusal.get("code"), str):
                raise SessionRefusedError(refusal["code"], str(refusal.get("message", refusal["code"])))
            listed = answer.get("pipelines")
            if status == 200 and isinstance(listed, list):
                return [dict(p) for p in listed if isinstance(p, dict)]
        raise ConnectionFailedError(
            f"Cannot list the pipelines at {url}: the server answered {status} without a listing"
        )

    async def execute(
        self,
        pipeline: str,
        inputs: Mapping[str, Union[Iterable[ExecuteInput], AsyncIterable[ExecuteInput]]],
        metadata: Optional[Mapping[str, str]] = None,
        parameters: Optional[Parameters] = None,
    ) -> Dict[str, List[Output]]:
        """Runs the pipeline once: sends every frame of each input, ends them, and returns each
        output's frames after end of stream (unary). An input left out is ended with no frames.

        :param inputs: per input name, its frames in order (an iterable or an async iterable);
            each a frame or a ``(frame, metadata)`` pair.
        :param metadata: sent with the ``open``, as :meth:`open` takes it.
        :param parameters: values of the pipeline's parameters, as :meth:`open` takes them.
        :returns: per output name, its :class:`~streamlib_client.session.Output` items in order.
        :raises StreamlibError: what :meth:`open` and :meth:`Session.send` raise, the error that
            ended the session, or the first frame the server refused (a unary run loses nothing
            silently).
        """
        session = await self.open(pipeline, metadata, parameters)
        try:
            results: Dict[str, List[Output]] = {name: [] for name in session.output_ports}

            async def read() -> None:
                async for item in session.outputs():
                    results.setdefault(item.output, []).append(item)

            async def feed(name: str, frames: Union[Iterable[ExecuteInput], AsyncIterable[ExecuteInput]]) -> None:
                if isinstance(frames, AsyncIterable):
                    async for entry in frames:
                        await _send_entry(session, name, entry)
                else:
                    for entry in frames:
                        await _send_entry(session, name, entry)
                await session.end(name)

            names = list(dict.fromkeys([*session.inputs, *inputs]))
            tasks = [asyncio.ensure_future(read())] + [asyncio.ensure_future(feed(n, inputs.get(n, ()))) for n in names]
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
                for task in done:
                    error = None if task.cancelled() else task.exception()
                    if error is not None:
                        raise error
                await asyncio.gather(*tasks)
                if session.errors:
                    raise session.errors[0]
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            return results
        finally:
            await session.close()

    async def close(self) -> None:
        """Closes every session this client opened that is still open."""
        sessions = list(self._sessions)
        self._sessions.clear()
        await asyncio.gather(*(session.close() for session in sessions), return_exceptions=True)

    async def _handshake(self, websocket: ClientConnection, pipeline: str, request: bytes, deadline: float) -> Accept:
        await websocket.send(request)
        refusal: Optional[ErrorMessage] = None
        loop = asyncio.get_running_loop()
        while True:  # one deadline for the whole answer, however it trickles in
            try:
                data = await asyncio.wait_for(websocket.recv(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise ConnectionFailedError(
                    f"Cannot open '{pipeline}' at {self.url}: no answer within {self._open_timeout} s", {"url": self.url}
                ) from None
            except ConnectionClosed as closed:
                if closed.sent is not None and closed.sent.code == 1009:
                    raise WireError(
                        "wire_too_large", f"Cannot open '{pipeline}': the server's answer is over the limit of {self._max_message_bytes + ENVELOPE_BYTES} bytes", "message"
                    ) from None
                if refusal is not None:
                    raise SessionRefusedError(refusal.code, refusal.message, {"pipeline": pipeline}) from None
                raise ConnectionLostError(
                    f"Cannot open '{pipeline}' at {self.url}: the server closed the connection before it answered",
                    {"url": self.url},
                ) from None
            if isinstance(data, str):
                raise WireError("wire_malformed", "Cannot decode a text WebSocket message: every message is binary", "message")
            message = decode(data, max_message_bytes=self._max_message_bytes + ENVELOPE_BYTES)
            if isinstance(message, Accept):
                return message
            if isinstance(message, ErrorMessage):
                refusal = refusal or message
                if message.fatal:
                    raise SessionRefusedError(message.code, message.message, {"pipeline": pipeline})
                continue
            if isinstance(message, Close):
                code = message.code or "session_closed"
                raise SessionRefusedError(code, message.message or f"The server closed '{pipeline}' before it opened", {"pipeline": pipeline})
            raise SessionRefusedError(
                "wire_unexpected", f"Cannot open '{pipeline}': the server answered with a {message.type} message, expected accept", {"pipeline": pipeline}
            )

    def __repr__(self) -> str:
        return f"Client(url={self.url!r}, sessions={len(self._sessions)})"


def _chosen(parameters: Optional[Parameters]) -> Optional[Parameters]:
    """The parameters an ``open`` carries: ``None`` for none (``None``, or an empty mapping: a
    version 1 ``open``). Anything else goes to the encoder, which refuses what is not a mapping."""
    if isinstance(parameters, Mapping) and len(parameters) == 0:
        return None
    return parameters


async def _send_entry(session: Session, name: str, entry: ExecuteInput) -> None:
    if isinstance(entry, tuple):
        frame, metadata = entry
        await session.send(name, frame, metadata)
    else:
        await session.send(name, entry)


def _refused_by_status(url: str, error: InvalidStatus) -> Union[SessionRefusedError, ConnectionFailedError]:
    """The upgrade was answered with an HTTP error: the server's code from its JSON body
    (``{"error": {"code", "message"}}``), or, from something else on the way (a proxy with no
    server behind it), ``connection_failed``."""
    status = error.response.status_code
    details = {"url": url, "status": status}
    try:
        body = json.loads(error.response.body or b"")
        found = body.get("error", body) if isinstance(body, dict) else None
        if isinstance(found, dict) and isinstance(found.get("code"), str):
            message = str(found.get("message") or f"The server refused the WebSocket at {url}: HTTP {status}")
            return SessionRefusedError(found["code"], message, details)
    except ValueError:
        pass
    return ConnectionFailedError(f"Cannot connect to {url}: HTTP {status} instead of a WebSocket", details)


def connect(
    url: str,
    token: str = "",
    *,
    metadata: Optional[Mapping[str, str]] = None,
    open_timeout: float = 30.0,
    close_timeout: float = 10.0,
    output_buffer: int = 64,
    output_buffer_bytes: int = 32 << 20,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    window: int = 32,
    pong_timeout: Optional[float] = 60.0,
) -> Client:
    """A :class:`Client` of the server at ``url``: ``async with connect(url, token=...) as client``.

    Nothing connects until :meth:`Client.open` or :meth:`Client.execute`: each session is a
    WebSocket of its own.

    :param url: the server's sessions URL, e.g. ``ws://127.0.0.1:8080/v1/sessions``.
    :param token: the access token the server asks for (sent in the ``open`` message).
    :param metadata: string pairs sent with every ``open``.
    :param open_timeout: seconds to wait for the connection and the server's ``accept``.
    :param close_timeout: seconds :meth:`Session.close` waits for the server to close its side.
    :param output_buffer: output frames a session keeps unread before it stops reading the socket.
    :param output_buffer_bytes: the bytes of frames a session keeps unread before it stops reading
        the socket (a frame larger than this is still taken, alone).
    :param max_message_bytes: the largest frame taken from the server (its message may be
        :data:`ENVELOPE_BYTES` more).
    :param window: frames a session sends ahead of the server's confirmation (a ``pong``: the
        graph took them) before ``send()`` waits; the server refuses a client that runs far
        ahead (``input_overrun``).
    :param pong_timeout: seconds a ``send()`` waits for the server to confirm frames (a ``pong``)
        before the session ends with ``session_unresponsive``; ``None`` waits for ever. Longer
        than the server's idle timeout (30 s), whose ``session_idle_timeout`` comes first when
        its graph stalls.
    :raises ValueError: when ``window`` is not a positive integer.
    """
    return Client(
        url,
        token,
        metadata=metadata,
        open_timeout=open_timeout,
        close_timeout=close_timeout,
        output_buffer=output_buffer,
        output_buffer_bytes=output_buffer_bytes,
        max_message_bytes=max_message_bytes,
        window=window,
        pong_timeout=pong_timeout,
    )
