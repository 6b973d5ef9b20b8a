#!/usr/bin/python3
"""GStreamer's RTSP server in record mode, the far side of the push interop tests.

One mount, /x, whose media factory takes ANNOUNCE/SETUP (mode=record)/RECORD, as a central
GStreamer server would. What arrives is depayloaded, parsed and decoded:
rtph264depay name=depay0 ! h264parse ! avdec_h264 ! fakesink; every decoded frame is counted.

Protocol (JSON lines on standard output): {"event":"ready","port":N} once listening (port 0 picks
a free one), then {"event":"frames","count":N} whenever the count of decoded frames changed (at
most every 100 ms). It exits when standard input ends.

Needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0 and the GStreamer good and libav plugins.
Run with /usr/bin/python3 (the system interpreter that has gi).
"""

import json
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

LAUNCH = (
    "( rtph264depay name=depay0 ! h264parse ! avdec_h264 "
    "! fakesink name=sink signal-handoffs=true sync=false )"
)


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    Gst.init(None)
    port = sys.argv[1] if len(sys.argv) > 1 else "0"
    state = {"count": 0, "reported": 0}
    lock = threading.Lock()

    def decoded(*_args):
        with lock:
            state["count"] += 1

    def configure(_factory, media):
        sink = media.get_element().get_by_name("sink")
        sink.connect("handoff", decoded)

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
    factory.set_launch(LAUNCH)
    factory.set_latency(0)
    factory.connect("media-configure", configure)

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    server.get_mount_points().add_factory("/x", factory)
    server.attach(None)
    emit({"event": "ready", "port": server.get_bound_port()})

    def report():
        with lock:
            count = state["count"]
        if count != state["reported"]:
            state["reported"] = count
            emit({"event": "frames", "count": count})
        return True

    GLib.timeout_add(100, report)
    loop = GLib.MainLoop()

    def watch_stdin():
        sys.stdin.read()
        GLib.idle_add(loop.quit)

    threading.Thread(target=watch_stdin, daemon=True).start()
    loop.run()


if __name__ == "__main__":
    main()
