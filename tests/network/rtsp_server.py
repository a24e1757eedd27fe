#!/usr/bin/env python3
"""The RTSP server of tests/network/rtsp_source_test.ts: GStreamer's gst-rtsp-server serving a
live test pattern encoded to H.264 at rtsp://127.0.0.1:PORT/test, over TCP or UDP as the client
asks. Prints "ready PORT" on stdout once it listens; runs until killed.

Usage: rtsp_server.py PORT
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

LAUNCH = (
    "( videotestsrc is-live=true"
    " ! video/x-raw,width=320,height=240,framerate=30/1"
    " ! openh264enc gop-size=30 complexity=low"
    " ! h264parse ! rtph264pay name=pay0 pt=96 )"
)


def main() -> None:
    port = sys.argv[1]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(LAUNCH)
    factory.set_shared(True)
    server.get_mount_points().add_factory("/test", factory)
    if server.attach(None) == 0:
        sys.exit(f"rtsp_server: cannot listen on port {port}")
    print(f"ready {port}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
