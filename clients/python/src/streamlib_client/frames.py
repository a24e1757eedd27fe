"""Frames for sessions: :func:`audio_frame` makes an audio frame from samples in any usual form.

The frame classes are the wire format's (:mod:`streamlib_client.wire`): :class:`AudioFrame`
(interleaved ``array('f')`` samples), :class:`VideoFrame`, :class:`EncodedVideoFrame`,
:class:`EncodedAudioFrame`, :class:`DataFrame`. :func:`audio_frame` takes an ``array('f')`` as it is, any other sequence of
numbers, or a numpy array (1-D interleaved, or 2-D ``(frames, channels)``; numpy is used only when
given one), and works out the frame count; :func:`to_numpy` gives a frame's samples back as a
``(frames, channels)`` float32 numpy array.

Example::

    >>> from streamlib_client.frames import audio_frame
    >>> frame = audio_frame([0.5, -0.5, 0.25, -0.25], sample_rate=16000, channels=2)
    >>> frame.frame_count, frame.samples.typecode, list(frame.samples)
    (2, 'f', [0.5, -0.5, 0.25, -0.25])
"""

from __future__ import annotations

import importlib
import sys
from array import array
from typing import Any, Iterable, Union

from .errors import FrameRefusedError
from .wire import AudioFrame, DataFrame, EncodedAudioFrame, EncodedVideoFrame, Frame, VideoFrame

__all__ = ["AudioFrame", "VideoFrame", "EncodedVideoFrame", "EncodedAudioFrame", "DataFrame", "Frame", "audio_frame", "to_numpy", "as_wire_frame"]

Samples = Union["array[float]", Iterable[float], Any]
"""What :func:`audio_frame` takes: an ``array('f')``, a sequence of numbers, or a numpy array."""


def _is_numpy(value: object) -> bool:
    return hasattr(value, "dtype") and hasattr(value, "shape") and hasattr(value, "astype")


def _float32(samples: Samples) -> "tuple[array[float], int | None]":
    """The samples as an ``array('f')``, and the channel count a 2-D numpy array says."""
    if isinstance(samples, array) and samples.typecode == "f":
        return samples, None
    if _is_numpy(samples):
        numpy_array: Any = samples
        shape = tuple(numpy_array.shape)
        if len(shape) not in (1, 2):
            raise FrameRefusedError(
                "app_frame_mismatch",
                f"Cannot make an audio frame of a numpy array of shape {shape}: expected 1-D interleaved or 2-D (frames, channels)",
                {"field": "samples"},
            )
        data = numpy_array.astype("<f4").tobytes()  # C order: interleaved for (frames, channels)
        out = array("f")
        out.frombytes(data)
        if sys.byteorder != "little":
            out.byteswap()
        return out, (int(shape[1]) if len(shape) == 2 else None)
    try:
        return array("f", samples), None
    except (TypeError, OverflowError) as error:
        raise FrameRefusedError(
            "app_frame_mismatch",
            f"Cannot make an audio frame of {type(samples).__name__}: {error}; expected array('f'), a sequence of numbers or a numpy array",
            {"field": "samples"},
        ) from None


def audio_frame(
    samples: Samples,
    sample_rate: float,
    channels: int = 1,
    *,
    timestamp_ns: int = 0,
    frame_number: int = 0,
) -> AudioFrame:
    """Makes an :class:`AudioFrame` of interleaved samples (``L R L R ...`` for stereo).

    :param samples: an ``array('f')`` (kept, not copied), a sequence of numbers, or a numpy
        array: 1-D interleaved, or 2-D ``(frames, channels)`` (its second dimension is the
        channel count).
    :param sample_rate: samples per second per channel.
    :param channels: the channel count of 1-D samples.
    :raises FrameRefusedError: ``app_frame_mismatch`` when the samples are not numbers, are
        empty, or do not divide into ``channels``.
    """
    data, shaped = _float32(samples)
    if shaped is not None:
        channels = shaped
    if isinstance(channels, bool) or not isinstance(channels, int) or channels < 1:
        raise FrameRefusedError(
            "app_frame_mismatch", f"Cannot make an audio frame of {channels!r} channels: expected an integer of at least 1", {"field": "channels"}
        )
    if len(data) == 0 or len(data) % channels:
        raise FrameRefusedError(
            "app_frame_mismatch",
            f"Cannot make an audio frame of {len(data)} samples in {channels} channels: expected a non-zero multiple of {channels}",
            {"field": "samples"},
        )
    return AudioFrame(
        channels=channels,
        sample_rate=sample_rate,
        frame_count=len(data) // channels,
        samples=data,
        timestamp_ns=timestamp_ns,
        frame_number=frame_number,
    )


def as_wire_frame(frame: Frame) -> Frame:
    """The frame as the codec takes it: an :class:`AudioFrame` whose samples are not an
    ``array('f')`` (a numpy array, a list) is made again by :func:`audio_frame`."""
    if isinstance(frame, AudioFrame) and not (isinstance(frame.samples, array) and frame.samples.typecode == "f"):
        made = audio_frame(
            frame.samples, frame.sample_rate, frame.channels, timestamp_ns=frame.timestamp_ns, frame_number=frame.frame_number
        )
        if made.channels != frame.channels or made.frame_count != frame.frame_count:
            raise FrameRefusedError(
                "app_frame_mismatch",
                f"Cannot send an audio frame of {frame.channels} channels x {frame.frame_count} frames with "
                f"{made.channels} channels x {made.frame_count} frames of samples",
                {"field": "samples"},
            )
        return made
    return frame


def to_numpy(frame: AudioFrame) -> Any:
    """The frame's samples as a float32 numpy array of shape ``(frame_count, channels)``.

    :raises ModuleNotFoundError: when numpy is not installed (``pip install numpy``).
    """
    numpy = importlib.import_module("numpy")
    return numpy.frombuffer(frame.samples.tobytes(), dtype="=f4").reshape(frame.frame_count, frame.channels)
