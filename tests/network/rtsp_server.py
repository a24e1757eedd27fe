#!/usr/bin/env python3
"""The RTSP server of tests/network/rtsp_source_test.ts: GStreamer's gst-rtsp-server serving, over
TCP or UDP as the client asks, at rtsp://127.0.0.1:PORT/
- test: a live test pattern encoded to H.264;
- h265: the same encoded to H.265 (x265enc, rtph265pay);
- aac: H.264 and a 440 Hz sine encoded to AAC-LC, 48 kHz stereo (voaacenc, rtpmp4gpay);
- pcma: H.264 and a 440 Hz sine as G.711 A-law, 8 kHz mono (alawenc, rtppcmapay).
Prints "ready PORT" on stdout once it listens; runs until killed.

Usage: rtsp_server.py PORT
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

VIDEO = "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1"
H264 = f"{VIDEO} ! openh264enc gop-size=30 complexity=low ! h264parse ! rtph264pay name=pay0 pt=96"
SINE = "audiotestsrc is-live=true wave=sine freq=440 volume=0.5"
MOUNTS = {
    "/test": f"( {H264} )",
    "/h265": (
        f"( {VIDEO} ! x265enc speed-preset=ultrafast tune=zerolatency key-int-max=30"
        " ! h265parse ! rtph265pay name=pay0 pt=96 )"
    ),
    "/aac": (
        f"( {H264} {SINE} ! audio/x-raw,rate=48000,channels=2 ! voaacenc bitrate=128000"
        " ! rtpmp4gpay name=pay1 pt=97 )"
    ),
    "/pcma": (
        f"( {H264} {SINE} ! audio/x-raw,rate=8000,channels=1 ! alawenc"
        " ! rtppcmapay name=pay1 pt=8 )"
    ),
}


def main() -> None:
    port = sys.argv[1]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    for path, launch in MOUNTS.items():
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(True)
        server.get_mount_points().add_factory(path, factory)
    if server.attach(None) == 0:
        sys.exit(f"rtsp_server: cannot listen on port {port}")
    print(f"ready {port}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
