"""{{pascal}}: a streamlib Python processor.

Every class decorated with ``@processor`` in this package is a streamlib processor, used by
name like a built-in one (``rt.add("{{pascal}}", {"gain": 0.5})``, a manifest node of type
``{{pascal}}``); each node runs it in a Python process of its own.
"""

from streamlib_processor import audio, processor


@processor(
    inputs={"in": audio(channels=2, description="Stereo audio.")},
    outputs={"out": audio(channels=2, description="The scaled audio.")},
    config={
        "gain": {
            "type": "number",
            "minimum": 0,
            "maximum": 16,
            "default": 1,
            "description": "Linear factor applied to every sample.",
        }
    },
    tags=("audio", "filter"),
)
class {{pascal}}:
    """Multiplies every sample of a stereo stream by a constant factor."""

    def setup(self):
        # self.config holds the node's config, defaults filled in, validated by the runtime.
        self.gain = self.config["gain"]

    def process(self, frames):
        block = frames["in"]
        return {"out": block.with_samples([s * self.gain for s in block.samples])}
