"""The errors of :mod:`streamlib_client`: one base, :class:`StreamlibError`, with a stable ``code``.

A code the server sent (``session_idle_timeout``, ``app_frame_mismatch``, ``invalid_token``, ...)
arrives unchanged in ``code``, the server's text in ``message``; the codes are listed in the
repository's ``docs/errors.md``. The subclasses say *where* it happened, so a caller can catch what it
can handle:

- :class:`SessionRefusedError`: the server answered ``open`` with an error (unknown pipeline, wrong
  token, too many sessions): no session was made.
- :class:`FrameRefusedError`: one frame (or ``end()``) was refused, by the client's own check against
  the session's ports or by the server; the session carries on.
- :class:`ConfigureRefusedError`: the server refused a ``Session.configure()`` (``unknown_parameter``,
  ``invalid_parameter``, ``config_locked``, ``configure_overrun``, ...); the session carries on,
  unchanged.
- :class:`SessionEndedError`: the session ended with a code (a processor failed, a limit was reached,
  the server shut down, or a call after ``close()``: ``session_closed``).
- :class:`ConnectionFailedError` (``connection_failed``): the client could not reach the server.
- :class:`ConnectionLostError` (``connection_lost``): the connection broke before the session ended:
  the server vanished mid-stream.
- :class:`SessionUnresponsiveError` (``session_unresponsive``): the server did not answer a wire
  ``ping`` in time (``Session.ping(timeout)``, or sends waiting on a pong past ``pong_timeout``).
- :class:`~streamlib_client.wire.WireError` (``wire_*``): bytes that are not a message of the wire
  format, or a value it cannot carry.

Example::

    >>> from streamlib_client.errors import FrameRefusedError, StreamlibError
    >>> error = FrameRefusedError("app_port_not_found", "Cannot send to 'mic': no such input, available inputs: voice")
    >>> isinstance(error, StreamlibError), error.code
    (True, 'app_port_not_found')
    >>> str(error)
    "Cannot send to 'mic': no such input, available inputs: voice"
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

__all__ = [
    "StreamlibError",
    "SessionRefusedError",
    "FrameRefusedError",
    "ConfigureRefusedError",
    "SessionEndedError",
    "ConnectionFailedError",
    "ConnectionLostError",
    "SessionUnresponsiveError",
]


class StreamlibError(Exception):
    """The base of every error this package raises: ``code`` is stable, ``message`` is for people.

    ``details`` holds structured fields when there are any (``session``: the session's id;
    ``port``: the input or output at fault; ``available``: the valid names).
    """

    def __init__(self, code: str, message: str, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message)
        self.code: str = code
        self.message: str = message
        self.details: Mapping[str, Any] = dict(details or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class SessionRefusedError(StreamlibError):
    """The server refused to open the session (``code``: the server's, e.g. ``invalid_token``)."""


class FrameRefusedError(StreamlibError):
    """A frame or an ``end()`` was refused; the session goes on (``app_frame_mismatch``, ...)."""


class ConfigureRefusedError(StreamlibError):
    """The server refused a change of parameters; the session goes on unchanged.

    ``code``: ``unknown_parameter`` or ``invalid_parameter`` (a name or value the pipeline does not
    take), ``config_locked`` (a parameter set only when the pipeline starts; ``message`` lists the
    ones that change while it runs), ``configure_overrun`` (too many changes waiting for their
    answer), ``session_unresponsive`` (the session's isolate did not answer in time),
    ``server_shutting_down``, or ``wire_version`` (a server older than wire version 3).
    """


class SessionEndedError(StreamlibError):
    """The session ended with an error code, or a call came after it ended (``session_closed``)."""


class ConnectionFailedError(StreamlibError, ConnectionError):
    """The server could not be reached, or the WebSocket handshake failed (``connection_failed``)."""

    def __init__(self, message: str, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__("connection_failed", message, details)


class ConnectionLostError(StreamlibError, ConnectionError):
    """The connection broke before the session ended (``connection_lost``): the server went away."""

    def __init__(self, message: str, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__("connection_lost", message, details)


class SessionUnresponsiveError(StreamlibError, TimeoutError):
    """The server did not answer a wire ``ping`` in time (``session_unresponsive``; a ``TimeoutError``).

    Raised by ``Session.ping(timeout)`` (the session goes on), and, when sends waited longer than
    ``pong_timeout`` for the server to confirm frames, by ``send()``, ``end()`` and ``outputs()``:
    the client then ends the session, since the server is stuck or not a streamlib server.
    """

    def __init__(self, message: str, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__("session_unresponsive", message, details)
