"""Port declarations: what a processor's ``inputs`` and ``outputs`` map names to."""


class Port:
    """One declared port: its streamlib port type and description."""

    __slots__ = ("port_type", "description", "required", "kind", "channels")

    def __init__(self, kind, port_type, description, required, channels=None):
        self.kind = kind
        self.port_type = port_type
        self.description = description
        self.required = required
        self.channels = channels

    def to_json(self, name, direction):
        port = {"name": name, "type": self.port_type, "description": self.description}
        if direction == "input":
            port["required"] = self.required
        return port


def audio(channels=None, description="", required=True):
    """An audio port: interleaved float32 blocks (``AudioFrame``, or ``AudioFrame<N>``)."""
    if channels is not None and (not isinstance(channels, int) or not 1 <= channels <= 64):
        raise ValueError("audio(channels=%r): expected an integer from 1 to 64" % (channels,))
    port_type = "AudioFrame" if channels is None else "AudioFrame<%d>" % channels
    return Port("audio", port_type, description, required, channels)


def video(description="", required=True):
    """A raw video port (``VideoFrame``: RGBA, BGRA, I420 or NV12)."""
    return Port("video", "VideoFrame", description, required)


def data(description="", required=True):
    """A data port: any JSON value (``DataFrame``)."""
    return Port("data", "DataFrame", description, required)
