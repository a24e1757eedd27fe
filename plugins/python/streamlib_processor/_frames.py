"""The frames a Python processor reads and writes: audio, video and data."""

from array import array

PIXEL_FORMATS = ("RGBA", "BGRA", "I420", "NV12")


def _f32(samples):
    if isinstance(samples, array) and samples.typecode == "f":
        return samples
    if isinstance(samples, (bytes, bytearray, memoryview)):
        out = array("f")
        out.frombytes(bytes(samples))
        return out
    try:  # a numpy array
        return _f32(samples.astype("<f4").tobytes())
    except AttributeError:
        return array("f", samples)


class AudioFrame:
    """A block of interleaved float32 audio.

    ``samples`` is an ``array('f')`` of ``frame_count * channels`` values (L R L R ... for
    stereo). ``timestamp_ns`` and ``frame_number`` of a frame a processor returns default to
    those of the call's first input frame.
    """

    kind = "audio"

    def __init__(self, samples, channels, sample_rate, timestamp_ns=None, frame_number=None):
        self.samples = _f32(samples)
        self.channels = int(channels)
        self.sample_rate = sample_rate
        self.timestamp_ns = timestamp_ns
        self.frame_number = frame_number
        if self.channels < 1 or len(self.samples) % self.channels:
            raise ValueError(
                "AudioFrame: %d samples are not whole frames of %d channels"
                % (len(self.samples), self.channels)
            )

    @property
    def frame_count(self):
        """Samples per channel."""
        return len(self.samples) // self.channels

    def with_samples(self, samples, channels=None):
        """A frame with other samples (and channel count), this one's rate and times."""
        return AudioFrame(
            samples,
            self.channels if channels is None else channels,
            self.sample_rate,
            self.timestamp_ns,
            self.frame_number,
        )

    def numpy(self):
        """The samples as a ``(frame_count, channels)`` float32 numpy array (needs numpy)."""
        import numpy as np

        return np.frombuffer(self.samples, dtype="<f4").reshape(self.frame_count, self.channels)

    def _header(self):
        return {
            "kind": "audio",
            "channels": self.channels,
            "sampleRate": self.sample_rate,
            "frameCount": self.frame_count,
        }

    def _payload(self):
        return self.samples.tobytes()


class VideoFrame:
    """A raw video frame: ``data`` holds the planes, ``stride`` bytes per row of the first.

    A frame a processor returns is tightly packed (``stride`` is ``width * 4`` for RGBA and
    BGRA, ``width`` for I420 and NV12).
    """

    kind = "video"

    def __init__(self, data, width, height, format="RGBA", stride=None, timestamp_ns=None,
                 frame_number=None):
        if format not in PIXEL_FORMATS:
            raise ValueError("VideoFrame: format %r (expected one of %s)" % (format, PIXEL_FORMATS))
        self.data = data if isinstance(data, bytearray) else bytearray(data)
        self.width = int(width)
        self.height = int(height)
        self.format = format
        self.stride = stride if stride is not None else self.width * (4 if format in ("RGBA", "BGRA") else 1)
        self.timestamp_ns = timestamp_ns
        self.frame_number = frame_number

    def _header(self):
        return {
            "kind": "video",
            "width": self.width,
            "height": self.height,
            "format": self.format,
            "stride": self.stride,
        }

    def _payload(self):
        return bytes(self.data)


class DataFrame:
    """A JSON value (``value``) with a time."""

    kind = "data"

    def __init__(self, value, timestamp_ns=None):
        self.value = value
        self.timestamp_ns = timestamp_ns
        self.frame_number = None

    def _header(self):
        return {"kind": "data"}

    def _payload(self):
        import json

        return json.dumps(self.value, separators=(",", ":")).encode("utf-8")
