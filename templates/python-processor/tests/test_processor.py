"""Tests of {{pascal}}: its declaration, its process(), and a real child speaking the protocol."""

import json
import os
import struct
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.dirname(HERE)
sys.path.insert(0, PLUGIN)

from streamlib_processor import AudioFrame, describe  # noqa: E402

import {{snake}} as plugin  # noqa: E402


def message(header, payload=b""):
    data = json.dumps(dict(header, bytes=len(payload))).encode()
    return struct.pack("<I", len(data)) + data + payload


def read_message(stream):
    (length,) = struct.unpack("<I", stream.read(4))
    header = json.loads(stream.read(length))
    return header, stream.read(header.get("bytes", 0))


class ProcessorTest(unittest.TestCase):
    def test_it_declares_its_ports_and_config(self):
        doc = describe()
        (spec,) = [p for p in doc["processors"] if p["name"] == "{{pascal}}"]
        self.assertEqual([p["type"] for p in spec["inputs"]], ["AudioFrame<2>"])
        self.assertEqual(spec["config"]["properties"]["gain"]["default"], 1)

    def test_it_scales_audio(self):
        node = plugin.{{pascal}}()
        node.config = {"gain": 0.5}
        node.setup()
        block = AudioFrame([0.5, -1.0, 0.25, 1.0], channels=2, sample_rate=48000)
        out = node.process({"in": block})["out"]
        self.assertEqual(list(out.samples), [0.25, -0.5, 0.125, 0.5])
        self.assertEqual((out.channels, out.sample_rate), (2, 48000))

    def test_a_child_answers_the_runtime_protocol(self):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        child = subprocess.Popen(
            [sys.executable, "-m", "streamlib_processor", "run", PLUGIN, "{{snake}}", "{{pascal}}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        )
        try:
            child.stdin.write(message({"type": "hello", "protocol": 2, "config": {"gain": 2}}))
            child.stdin.flush()
            self.assertEqual(read_message(child.stdout)[0]["type"], "ready")
            samples = struct.pack("<4f", 0.5, -0.25, 0.125, 1.0)
            frame = {"port": "in", "kind": "audio", "channels": 2, "sampleRate": 48000,
                     "frameCount": 2, "frameNumber": 7, "timestampNs": 1000, "bytes": 16}
            child.stdin.write(message({"type": "process", "call": 0, "frames": [frame]}, samples))
            child.stdin.flush()
            header, payload = read_message(child.stdout)
            self.assertEqual(header["frames"][0]["frameNumber"], 7)
            self.assertEqual(struct.unpack("<4f", payload), (1.0, -0.5, 0.25, 2.0))
        finally:
            child.stdin.close()
            self.assertEqual(child.wait(timeout=10), 0)
            child.stdout.close()
