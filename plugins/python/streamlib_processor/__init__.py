"""Python processors for streamlib: a decorated class becomes a processor by name.

A plugin folder holds ``streamlib.plugin.json`` (``"kind": "python"``, ``"entry"``: the
module or package to import) and the code. Every class decorated with :func:`processor`
in it is registered with the runtime like a built-in processor: manifests, the dashboard,
MCP and ``streamlib nodes`` see its ports and config schema. Each node runs the class in a
Python process of its own, speaking the framed stdio protocol (version 2) of
``docs/python_processors.md``; a crash there fails that node alone.

Example::

    from streamlib_processor import audio, processor

    @processor(
        inputs={"in": audio(channels=2, description="Audio to scale.")},
        outputs={"out": audio(channels=2, description="The scaled audio.")},
        config={"gain": {"type": "number", "minimum": 0, "default": 0.5}},
    )
    class PyGain:
        '''Multiplies stereo audio by a constant.'''

        def process(self, frames):
            block = frames["in"]
            gain = self.config["gain"]
            return {"out": block.with_samples([s * gain for s in block.samples])}

Pure standard library; ``AudioFrame.numpy()`` needs numpy, only when called.
"""

from ._frames import AudioFrame, DataFrame, VideoFrame
from ._ports import audio, data, video
from ._registry import PROTOCOL_VERSION, describe, processor, registered

__all__ = [
    "AudioFrame",
    "DataFrame",
    "PROTOCOL_VERSION",
    "VideoFrame",
    "audio",
    "data",
    "describe",
    "processor",
    "registered",
    "video",
]
