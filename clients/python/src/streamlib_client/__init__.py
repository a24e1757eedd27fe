"""streamlib's Python client: the session wire format (:mod:`streamlib_client.wire`)."""

from .wire import WIRE_VERSION, WireError, decode, encode, message_length

__all__ = ["WIRE_VERSION", "WireError", "decode", "encode", "message_length"]
__version__ = "0.1.0"
